"""Numerics of rmtbook.laws for general populations: the closed-form distribution function,
the warm-started density, the adaptive piecewise model, chunked Silverstein sums.

The closed-form ``cdf`` (a log-potential evaluated at ``mu(x + i0)``) and the adaptive
Chebyshev model (quadrature of ``pdf``) share nothing but ``mu``: each is accurate to about
1e-14, so agreement to 1e-12 checks both (a wrong branch or a missing term is an O(1) or
O(mass) error). Exact separation (Bai & Silverstein, 1999) gives exact values in the gaps.
"""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose

from rmtbook import laws
from rmtbook.laws import SampleCovarianceLaw, SpectralLaw, marchenko_pastur, sample_covariance_law

POPULATIONS = {
    "200 uniform atoms, c = 0.5": (np.random.default_rng(0).uniform(0.5, 5.0, 200), None, 0.5),
    "3 atoms, c = 2 (atom at 0)": (np.array([1.0, 3.0, 10.0]), None, 2.0),
    "2 atoms, c = 1 (hard edge)": (np.array([1.0, 4.0]), None, 1.0),
    "2 atoms, c = 0.05 (two bulks)": (np.array([1.0, 4.0]), np.array([0.3, 0.7]), 0.05),
    "40 log-uniform atoms, c = 0.01 (many bulks)": (10 ** np.random.default_rng(1).uniform(-2, 2, 40), None, 0.01),
}


def _law(name: str) -> SampleCovarianceLaw:
    t, w, c = POPULATIONS[name]
    return sample_covariance_law(t, c, weights=w)


def _grid(law: SampleCovarianceLaw, n: int = 2001) -> np.ndarray:
    sup = np.array(law.support())
    near = [e + s * 10.0 ** -k * max(e, 1.0) for e in sup.ravel() for s in (-1, 1) for k in (3, 6, 9, 12)]
    return np.sort(np.concatenate([np.linspace(-0.1, 1.05 * sup[-1, 1], n), sup.ravel(), near]))


@pytest.mark.parametrize("name", list(POPULATIONS))
def test_closed_form_cdf_matches_the_quadrature_of_the_density(name):
    law = _law(name)
    x = _grid(law)
    closed = law.cdf(x)
    quadrature = SpectralLaw.cdf(law, x)  # the base class integrates the adaptive model of pdf
    assert_allclose(closed, quadrature, rtol=0, atol=1e-12)
    assert np.all(np.diff(closed) >= -1e-14)
    assert closed[0] == 0.0 and closed[-1] == 1.0


@pytest.mark.parametrize("c", [0.3, 1.0, 2.5])
def test_closed_form_cdf_of_marchenko_pastur(c):
    """MP's companion transform is in closed form: the cdf formula alone is tested here."""
    law = marchenko_pastur(c)
    x = np.linspace(-0.1, 1.05 * law.upper_edge, 1001)
    assert_allclose(law.cdf(x), SpectralLaw.cdf(law, x), rtol=0, atol=1e-13)


def test_cdf_is_exact_in_the_gaps():
    """Exact separation: for c < 1 the mass left of a gap is the weight of the atoms below it."""
    t, w = np.array([1.0, 10.0, 100.0]), np.array([0.2, 0.3, 0.5])
    law = sample_covariance_law(t, 0.05, weights=w)
    sup = law.support()
    assert len(sup) == 3
    gaps = [0.5 * (sup[k][1] + sup[k + 1][0]) for k in range(2)]
    assert_allclose(law.cdf(gaps), [0.2, 0.5], rtol=0, atol=1e-14)
    # with c > 1 the atom 1 - 1/c sits at 0 and each bulk carries w_k / c
    law = sample_covariance_law(t, 1.5, weights=w)
    sup = law.support()
    model = SpectralLaw.cdf(law, [0.5 * (a + b) for (_, a), (b, _) in zip(sup[:-1], sup[1:])])
    assert_allclose(law.cdf([0.5 * (a + b) for (_, a), (b, _) in zip(sup[:-1], sup[1:])]), model, atol=1e-12)
    assert law.cdf(0.0) == pytest.approx(1.0 - 1.0 / 1.5, abs=1e-15)


@pytest.mark.parametrize("name", list(POPULATIONS))
def test_warm_started_density_equals_the_robust_path(name):
    law = _law(name)
    x = _grid(law, 3000)
    inside = law._in_support(x) & (x > 0)
    assert np.count_nonzero(inside) > laws._WARM_MIN_POINTS  # the warm path is taken
    fast = law._companion(x[inside] + 0j)
    robust = law._companion_robust(x[inside] + 0j)
    assert_allclose(law.pdf(x)[inside], fast.imag / (np.pi * law.ratio), rtol=1e-15)
    # away from the edges both solve a simple root to rounding level; within 1e-6 (relative)
    # of an edge the root is nearly double and each is accurate to ~sqrt(eps) relative
    sup = np.array(law.support())
    dist = np.min(np.abs(x[inside, None] - sup.ravel()[None, :]), axis=1) / sup[-1, 1]
    far = dist > 1e-6
    assert far.sum() > 500
    assert_allclose(fast[far], robust[far], rtol=1e-11)
    assert_allclose(fast[~far], robust[~far], rtol=1e-7)


def test_warm_start_falls_back_to_the_robust_path(monkeypatch):
    """If no warm-started Newton iterate converges, every point takes the robust path."""
    law = _law("200 uniform atoms, c = 0.5")
    x = np.linspace(0.5, 8.0, 500)
    expected = law._companion_robust(x + 0j)
    newton = SampleCovarianceLaw._newton

    def no_progress(self, mu, z, *, guard, maxit, tol=4e-15):
        if guard and maxit == 30:  # the warm-started solve at Im z = 1e-10 scale
            return mu
        return newton(self, mu, z, guard=guard, maxit=maxit, tol=tol)

    monkeypatch.setattr(SampleCovarianceLaw, "_newton", no_progress)
    got = law._companion_inside(x)
    assert_allclose(got, expected, rtol=1e-12)


def test_adaptive_model_resolves_many_narrow_bulks():
    """600 atoms at c = 0.01: about twenty bulks, some with near-gaps inside (issue #8).

    A single Chebyshev expansion per interval needed degree > 2048 here and left a mass error
    of 1e-6; the adaptive pieces reach the rounding level.
    """
    t = np.random.default_rng(1).uniform(0.5, 5.0, 600)
    law = sample_covariance_law(t, 0.01)
    model = law._cheb_model()
    assert len(law.support()) >= 15
    assert model["masses"].size > len(law.support())  # some intervals were cut into pieces
    assert law.continuous_mass() == pytest.approx(1.0, abs=1e-12)
    # moments from the model against the closed forms of the law
    assert law.moment(1) == pytest.approx(np.mean(t), rel=1e-12)
    assert law.moment(2) - law.moment(1) ** 2 == pytest.approx(law.var(), rel=1e-10)
    # the cdf of the model and the closed form agree everywhere
    x = _grid(law, 3000)
    assert_allclose(law.cdf(x), SpectralLaw.cdf(law, x), rtol=0, atol=1e-12)
    # inverse-transform samples follow the closed-form cdf (KS, n = 20000: 1.63/sqrt(n) at 1%)
    s = np.sort(law.sample(20000, rng=np.random.default_rng(4)))
    ks = np.max(np.abs(law.cdf(s) - (np.arange(s.size) + 0.5) / s.size))
    assert ks < 1.63 / np.sqrt(s.size)


def test_chunked_silverstein_sums_equal_the_unchunked(monkeypatch):
    law = _law("200 uniform atoms, c = 0.5")
    rng = np.random.default_rng(2)
    mu = rng.normal(size=3000) + 1j * rng.uniform(0.01, 1.0, 3000)
    z = rng.normal(size=3000) + 1e-3j
    g, dg = law._g_and_dg(mu, z)  # one chunk, BLAS matrix-vector products
    monkeypatch.setattr(SampleCovarianceLaw, "_ROWS_PER_CHUNK", 1000)  # 5 rows a chunk, einsum
    g2, dg2 = law._g_and_dg(mu, z)
    assert_allclose(g2, g, rtol=1e-12, atol=1e-12 * np.abs(g).max())
    assert_allclose(dg2, dg, rtol=1e-12, atol=1e-12 * np.abs(dg).max())


def test_marchenko_pastur_at_subnormal_z():
    """Tiny z: finite values without warnings where m fits in a double, a deliberate -inf with a
    RuntimeWarning where it does not (c > 1: m ~ (1 - 1/c) / |z|), never nan."""
    tiny = np.array([5e-324, 1e-310, 1e-300])
    for c in (0.5, 1.0):
        m = marchenko_pastur(c).stieltjes(tiny)  # warnings are errors in the test suite
        assert np.all(np.isfinite(m))
    assert marchenko_pastur(0.5).stieltjes(5e-324) == pytest.approx(1 / (1 - 0.5), rel=1e-14)
    with pytest.warns(RuntimeWarning, match="double range"):
        m = marchenko_pastur(2.0).stieltjes(tiny)
    assert m[0] == -np.inf and m[0].imag == 0 and np.isfinite(m[2])
    # the closed-form cdf near the hard edge (c = 1): sqrt growth, within [0, 1], no warning
    f = marchenko_pastur(1.0).cdf(np.concatenate([tiny, [1e-10, 1e-6]]))
    assert np.all((f >= 0) & (f <= 1))
    assert_allclose(f[-2:], 2 / np.pi * np.sqrt([1e-10, 1e-6]), rtol=1e-3)
