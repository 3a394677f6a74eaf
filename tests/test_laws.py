"""Tests of rmtbook.laws: closed forms, an exact polynomial oracle, analytic properties, simulations."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_less
from scipy import integrate
from scipy.special import roots_legendre

from rmtbook import _silverstein
from rmtbook.ensembles import empirical_spectrum, sample_covariance, wigner_matrix
from rmtbook.laws import (
    MarchenkoPasturLaw,
    SampleCovarianceLaw,
    SemicircleLaw,
    SpectralLaw,
    marchenko_pastur,
    sample_covariance_law,
    semicircle,
)

# ------------------------------------------------------------------------------------------------
# Exact oracle for a population with a few atoms: the Silverstein equation at real x,
#   -x - 1/mu + c sum_k w_k t_k / (1 + t_k mu) = 0,
# multiplied by mu prod_j (1 + t_j mu), is a polynomial of degree K + 1 in mu; at x in the
# support its root with the largest positive imaginary part is mu(x + i0).
# ------------------------------------------------------------------------------------------------
P = np.polynomial.polynomial


def _oracle_mu(x: float, t: np.ndarray, w: np.ndarray, c: float) -> complex:
    prod = np.array([1.0])
    for tk in t:
        prod = P.polymul(prod, [1.0, tk])
    poly = P.polysub(P.polymul([0.0, -x], prod), prod)  # -x mu P - P
    for k, tk in enumerate(t):
        pk = np.array([1.0])
        for j, tj in enumerate(t):
            if j != k:
                pk = P.polymul(pk, [1.0, tj])
        poly = P.polyadd(poly, P.polymul([0.0, c * w[k] * tk], pk))  # + c w t mu P_k
    roots = np.roots(poly[::-1])
    return _polish(roots[np.argmax(roots.imag)], x, t, w, c)


def _polish(mu0: complex, x: float, t, w, c) -> complex:
    """Newton steps in extended precision on the rational equation itself: numpy.roots is
    accurate to ~sqrt(eps) only near the double root at a soft edge; in long double the
    polished root is accurate to ~sqrt(1e-19), i.e. ~1e-9."""
    mu = np.clongdouble(mu0)
    tl, wl = np.asarray(t, dtype=np.longdouble), np.asarray(w, dtype=np.longdouble)
    cl, xl = np.longdouble(c), np.longdouble(x)
    for _ in range(80):
        d = 1 + tl * mu
        g = -xl - 1 / mu + np.sum(cl * wl * tl / d)
        dg = 1 / mu**2 - np.sum(cl * wl * tl**2 / d**2)
        if dg == 0:
            break
        mu = mu - g / dg
    return complex(mu.real, abs(mu.imag))


def _oracle_density(x: np.ndarray, t, w, c) -> np.ndarray:
    out = np.array([max(_oracle_mu(xi, t, w, c).imag, 0.0) for xi in x]) / (np.pi * c)
    return np.where(x > 0, out, 0.0)


def _oracle_edges(t, w, c) -> np.ndarray:
    """Edges x(v*) at the real zeros of x'(v), from the polynomial
    prod (1 + t v)^2 - c v^2 sum_k w_k t_k^2 prod_{j != k} (1 + t_j v)^2."""
    sq = np.array([1.0])
    for tk in t:
        sq = P.polymul(sq, P.polypow([1.0, tk], 2))
    poly = sq
    for k, tk in enumerate(t):
        pk = np.array([1.0])
        for j, tj in enumerate(t):
            if j != k:
                pk = P.polymul(pk, P.polypow([1.0, tj], 2))
        poly = P.polysub(poly, P.polymul([0.0, 0.0, c * w[k] * tk**2], pk))
    roots = np.roots(poly[::-1])
    v = roots[np.abs(roots.imag) < 1e-9 * np.maximum(1.0, np.abs(roots))].real
    x = -1.0 / v + np.sum(c * w * t / (1.0 + np.outer(v, t)), axis=1)
    # polish the double root: edges are extrema of x(v), insensitive to first order in v
    return np.sort(x)


CASES = [
    (np.array([1.0, 3.0, 7.0]), np.array([1, 1, 1]) / 3, 0.1),   # three separate bulks
    (np.array([1.0, 3.0, 7.0]), np.array([1, 1, 1]) / 3, 0.5),   # merged bulk
    (np.array([1.0, 4.0]), np.array([0.3, 0.7]), 1.0),            # hard edge at 0
    (np.array([0.5, 2.0, 6.0]), np.array([0.2, 0.5, 0.3]), 2.5),  # atom at 0
    (np.array([1.0, 10.0]), np.array([0.5, 0.5]), 0.05),         # two bulks
]


def _ks_distance(values: np.ndarray, law: SpectralLaw, zero_tol: float = 1e-8) -> float:
    """sup_x |F_n(x) - F(x)|, exact for a law with an atom at 0 (ties and jumps handled by
    comparing both the values and the left limits at every sample point). Values within
    ``zero_tol`` of 0 are the numerically zero eigenvalues of a rank-deficient matrix."""
    v = np.where(np.abs(values) < zero_tol, 0.0, values)
    u, counts = np.unique(v, return_counts=True)
    n = v.size
    fn = np.cumsum(counts) / n
    fn_left = fn - counts / n
    f = law.cdf(u)
    f_left = f - law.atom * (u == 0)
    return float(max(np.max(np.abs(fn - f)), np.max(np.abs(fn_left - f_left))))


# ------------------------------------------------------------------------------------------------
# Check values of FORMULAS.md
# ------------------------------------------------------------------------------------------------
def test_marchenko_pastur_check_values():
    assert_allclose(marchenko_pastur(0.5).stieltjes(-1.0), 0.5615528, atol=5e-8)
    assert_allclose(marchenko_pastur(2.0).stieltjes(-1.0), 0.7071068, atol=5e-8)
    # the general solver with a single population eigenvalue gives the same numbers
    assert_allclose(sample_covariance_law([1.0], 0.5).stieltjes(-1.0), 0.5615528, atol=5e-8)
    assert_allclose(sample_covariance_law([1.0], 2.0).stieltjes(-1.0), 0.7071068, atol=5e-8)


def test_general_population_check_value():
    law = sample_covariance_law([1.0, 3.0, 7.0], 0.1)
    assert_allclose(law.stieltjes(-1.0), 0.3049484, atol=5e-8)


# ------------------------------------------------------------------------------------------------
# Marchenko-Pastur closed forms against the general Newton solver
# ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("c", [0.2, 1.0, 2.5])
@pytest.mark.parametrize("var", [1.0, 2.0])
def test_marchenko_pastur_matches_general_solver(c, var):
    mp = marchenko_pastur(c, var)
    gen = sample_covariance_law([var], c)
    assert isinstance(mp, MarchenkoPasturLaw) and isinstance(gen, SampleCovarianceLaw)
    lo, hi = var * (1 - np.sqrt(c)) ** 2, var * (1 + np.sqrt(c)) ** 2
    assert_allclose(mp.support(), [(lo, hi)], atol=1e-14)
    assert_allclose(gen.support(), [(lo, hi)], atol=1e-9)
    x = np.concatenate([np.linspace(-1, 1.2 * hi, 1501), [lo, hi, lo + 1e-11, hi - 1e-11]])
    assert_allclose(gen.pdf(x), mp.pdf(x), atol=1e-7)
    z = np.array([1 + 1j, 0.5 + 1e-2j, -2 + 0.3j, 3 - 1e-3j, 0.7, 7.0, -0.5, hi + 1, 1e-3j])
    assert_allclose(gen.stieltjes(z), mp.stieltjes(z), rtol=1e-9, atol=1e-9)
    assert mp.atom == gen.atom == max(0.0, 1 - 1 / c)
    # closed-form density formula
    xin = np.linspace(lo, hi, 103)[1:-1]
    xin = xin[xin > 0]
    expected = np.sqrt((hi - xin) * (xin - lo)) / (2 * np.pi * var * c * xin)
    assert_allclose(mp.pdf(xin), expected, rtol=1e-12)
    # the quadratic equation var c z m^2 - (var (1 - c) - z) m + 1 = 0 holds
    m = mp.stieltjes(z)
    assert_allclose(var * c * z * m**2 - (var * (1 - c) - z) * m + 1, 0, atol=1e-10)


# ------------------------------------------------------------------------------------------------
# General populations against the exact polynomial oracle
# ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("t, w, c", CASES)
def test_support_edges_match_polynomial_oracle(t, w, c):
    law = sample_covariance_law(t, c, weights=w)
    edges = np.array(law.support()).ravel()
    expected = _oracle_edges(t, w, c)
    if c == 1.0:
        expected = np.concatenate([[0.0], expected])  # hard edge: no zero of x'(v)
    assert_allclose(edges, expected, rtol=0, atol=1e-8)
    assert law.atom == pytest.approx(max(0.0, 1 - 1 / c), abs=1e-15)


@pytest.mark.parametrize("t, w, c", CASES)
def test_density_matches_polynomial_oracle_edges_included(t, w, c):
    law = sample_covariance_law(t, c, weights=w)
    sup = law.support()
    grid = [np.linspace(a, b, 400) for a, b in sup]
    near = [np.array([a, b, a + 1e-12, b - 1e-12, a + 1e-6, b - 1e-6]) for a, b in sup]
    x = np.concatenate(grid + near + [np.linspace(0, 1.1 * sup[-1][1], 300)])
    x = x[x >= 0]
    assert_allclose(law.pdf(x), _oracle_density(x, t, w, c), rtol=0, atol=1e-7)
    # at x in the support's interior the companion transform is the oracle root itself
    xi = np.array([0.5 * (a + b) for a, b in sup])
    mu = law.companion_stieltjes(xi)
    assert_allclose(mu, [_oracle_mu(v, t, w, c) for v in xi], rtol=1e-9)


@pytest.mark.parametrize("t, w, c", CASES)
def test_stieltjes_agrees_with_quadrature_of_density(t, w, c):
    """m(z) = atom / (0 - z) + int pdf(x) / (x - z) dx, a check of the complex-z solver against
    the real-axis density. Quadrature: Gauss-Legendre in theta, x = a + (b - a) sin^2(theta/2),
    which absorbs the square-root edges (pdf(x) dx is smooth in theta)."""
    law = sample_covariance_law(t, c, weights=w)
    nodes, weights = roots_legendre(1200)
    theta = np.pi * (nodes + 1) / 2
    sup = law.support()
    a_mid, b_mid = sup[len(sup) // 2]
    for z in (-1.0 + 0j, 2.0 + 1.5j, 0.5 * (a_mid + b_mid) + 0.5j, 1.2 * sup[-1][1] + 0j):
        total = law.atom / (0 - z)
        for a, b in sup:
            x = a + (b - a) * np.sin(theta / 2) ** 2
            dx = (b - a) * np.sin(theta) / 2 * np.pi / 2
            total += np.sum(weights * law.pdf(x) * dx / (x - z))
        assert_allclose(law.stieltjes(z), total, atol=1e-8)


# ------------------------------------------------------------------------------------------------
# Analytic properties
# ------------------------------------------------------------------------------------------------
LAWS = [
    semicircle(1.0),
    semicircle(0.3),
    marchenko_pastur(0.5),
    marchenko_pastur(1.0),
    marchenko_pastur(3.0, 0.7),
] + [sample_covariance_law(t, c, weights=w) for t, w, c in CASES]


@pytest.mark.parametrize("law", LAWS)
def test_herglotz_and_symmetry(law):
    rng = np.random.default_rng(0)
    z = rng.uniform(-3, 12, 400) + 1j * 10 ** rng.uniform(-8, 1, 400)
    m = law.stieltjes(z)
    assert_array_less(0, m.imag)  # Im m(z) > 0 for Im z > 0
    assert_allclose(law.stieltjes(np.conj(z)), np.conj(m), rtol=1e-12)
    # off the support on the real line m is real and increasing
    hi = law.support()[-1][1]
    xr = np.linspace(hi + 0.1, hi + 5, 50)
    mr = law.stieltjes(xr)
    assert_allclose(mr.imag, 0, atol=1e-12)
    assert np.all(np.diff(mr.real) > 0)


@pytest.mark.parametrize("law", LAWS)
def test_stieltjes_decays_like_minus_one_over_z(law):
    for z in (1e6j, 1e6 + 0j, -1e6 + 1e3j):
        assert abs(z * law.stieltjes(z) + 1) < 1e-4


@pytest.mark.parametrize("law", LAWS)
def test_mass_cdf_monotone_and_atom(law):
    assert law.continuous_mass() + law.atom == pytest.approx(1.0, abs=1e-10)
    sup = law.support()
    lo, hi = min(a for a, _ in sup), max(b for _, b in sup)
    x = np.sort(np.concatenate([np.linspace(lo - 1, hi + 1, 3001), [0.0, lo, hi]]))
    f = law.cdf(x)
    assert np.all(np.diff(f) >= -1e-13)
    assert law.cdf(lo - 1) == 0.0 and law.cdf(hi + 1e-9) == pytest.approx(1.0, abs=1e-12)
    if law.atom > 0:  # the atom is in the cdf: F jumps by 1 - 1/c at 0
        assert law.cdf(0.0) == pytest.approx(law.atom, abs=1e-14)
        assert law.cdf(-1e-12) == 0.0
    # integrating the density with an independent quadrature gives the same cdf
    a, b = sup[0]
    mid = 0.5 * (a + b)
    expected = law.atom * (mid >= 0 and a >= 0) + integrate.quad(law.pdf, a, mid, limit=200)[0]
    assert law.cdf(mid) == pytest.approx(expected, abs=1e-8)


@pytest.mark.parametrize("law", LAWS)
def test_stieltjes_boundary_value_gives_density(law):
    """Inversion formula: on the support, Im m(x + i0) = pi pdf(x); m(x + i eta) -> m(x + i0)."""
    sup = law.support()
    x = np.concatenate([np.linspace(a, b, 41)[1:-1] for a, b in sup])
    x = x[x != 0]
    m0 = law.stieltjes(x)
    assert_allclose(m0.imag, np.pi * law.pdf(x), atol=1e-9)
    m_eta = law.stieltjes(x + 1e-9j)
    assert_allclose(m_eta, m0, atol=1e-4)


def test_hard_edge_ratio_one_is_finite():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for law in (marchenko_pastur(1.0), sample_covariance_law([1.0, 4.0], 1.0, [0.3, 0.7])):
            assert law.support()[0][0] == 0.0
            assert law.pdf(0.0) == 0.0  # documented choice at the x^{-1/2} singularity
            v = law.pdf(np.array([0.0, 1e-12, 1e-6, 1.0]))
            assert np.all(np.isfinite(v))
            assert v[1] > v[2] > 0  # x^{-1/2} blow-up just right of 0
            assert law.cdf(0.0) == 0.0 and law.cdf(1e-10) > 0
    # MP at c = 1: density ~ 1/(pi sqrt(x)) near 0
    assert marchenko_pastur(1.0).pdf(1e-10) * np.pi * 1e-5 == pytest.approx(1.0, rel=1e-9)


def test_singular_point_zero_warns_and_returns_inf():
    for law in (marchenko_pastur(1.0), marchenko_pastur(2.0), sample_covariance_law([1.0, 2.0], 3.0)):
        with pytest.warns(RuntimeWarning, match="singular"):
            assert np.isinf(law.stieltjes(0.0))
    # c < 1: m(0) = E_H[1/t] / (1 - c), the limit of m(i eta)
    law = sample_covariance_law([1.0, 2.0, 5.0], 0.4)
    expected = np.mean([1.0, 0.5, 0.2]) / 0.6
    assert law.stieltjes(0.0) == pytest.approx(expected, rel=1e-12)
    assert_allclose(law.stieltjes(1e-6j), expected, rtol=1e-5)
    assert marchenko_pastur(0.4, 2.0).stieltjes(0.0) == pytest.approx(1 / (2.0 * 0.6))
    with pytest.raises(ValueError, match="z must be nonzero"):
        law.companion_stieltjes(0.0)


def test_moments():
    t, w, c = np.array([1.0, 3.0, 7.0]), np.array([0.2, 0.3, 0.5]), 0.7
    law = sample_covariance_law(t, c, weights=w)
    e1, e2 = np.sum(w * t), np.sum(w * t**2)
    assert law.mean() == pytest.approx(e1)
    assert law.moment(1) == pytest.approx(e1, rel=1e-10)
    assert law.moment(2) == pytest.approx(e2 + c * e1**2, rel=1e-10)
    assert law.var() == pytest.approx(SpectralLaw.var(law), rel=1e-9)
    mp = marchenko_pastur(2.0)  # atom at 0 contributes to moment(0) only
    assert mp.moment(0) == pytest.approx(1.0, abs=1e-12)
    assert mp.moment(2) == pytest.approx(1 + 2.0, rel=1e-10)
    sc = semicircle(2.0)
    assert [sc.moment(k) for k in range(7)] == pytest.approx([1, 0, 2, 0, 2 * 4, 0, 5 * 8])
    for k in range(7):  # Catalan closed form against the generic quadrature of the base class
        assert SpectralLaw.moment(sc, k) == pytest.approx(sc.moment(k), abs=1e-10)


def test_semicircle_closed_forms():
    sc = semicircle(0.5)
    assert isinstance(sc, SemicircleLaw)
    r = 2 * np.sqrt(0.5)
    assert sc.support() == [(-r, r)]
    x = np.linspace(-2, 2, 801)
    assert_allclose(sc.cdf(x), SpectralLaw.cdf(sc, x), atol=1e-11)
    z = np.array([0.3 + 1e-3j, -5 + 0.1j, 2j, 0.2, 10.0, -1e3])
    m = sc.stieltjes(z)
    assert_allclose(0.5 * m**2 + z * m + 1, 0, atol=1e-12)  # m = -1/(z + var m)
    assert sc.stieltjes(0.0) == pytest.approx(1j / np.sqrt(0.5))
    assert sc.pdf(r) == 0.0 and sc.pdf(10.0) == 0.0
    assert sc.pdf(0.0) == pytest.approx(r / (2 * np.pi * 0.5))


@pytest.mark.parametrize("law", [marchenko_pastur(2.0), sample_covariance_law([1.0, 4.0], 1.6, [0.5, 0.5]),
                                 sample_covariance_law([1.0, 3.0, 7.0], 0.1), semicircle(1.0)])
def test_sampling_includes_atom_and_matches_cdf(law):
    n = 20000
    s = law.sample(n, rng=np.random.default_rng(3))
    # the fraction of exact zeros is Binomial(n, atom)/n: within 5 standard deviations
    frac0 = np.mean(s == 0)
    sd = np.sqrt(law.atom * (1 - law.atom) / n)
    assert abs(frac0 - law.atom) <= 5 * sd + 1e-12
    # Kolmogorov-Smirnov distance of i.i.d. draws: O(n^{-1/2}); 1.63/sqrt(n) is the 1% quantile
    assert _ks_distance(s, law) < 1.63 / np.sqrt(n)
    assert_allclose(law.sample(5, rng=7), law.sample(5, rng=7))


# ------------------------------------------------------------------------------------------------
# Simulations
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("t, w, c", [(np.array([1.0, 3.0, 7.0]), np.ones(3) / 3, 0.5),
                                     (np.array([1.0, 4.0]), np.array([0.5, 0.5]), 2.0)])
def test_empirical_spectrum_matches_law(t, w, c):
    """Eigenvalues are rigid: the KS distance of a p = 1000 spectrum to its law is O(log p / p)
    (not the O(p^{-1/2}) of i.i.d. draws); 8/p leaves room for the O(1/p) finite-size bias while
    a 10% error in the ratio fails the same check."""
    p = 1000
    n = int(round(p / c))
    pop = np.repeat(t, np.round(w * p).astype(int))
    eigs = empirical_spectrum(sample_covariance(pop, n, rng=np.random.default_rng(11)))
    law = sample_covariance_law(t, p / n, weights=w)
    assert _ks_distance(eigs, law) < 8 / p
    wrong = sample_covariance_law(t, 1.1 * p / n, weights=w)  # a 10% error fails the same check
    assert _ks_distance(eigs, wrong) > 8 / p
    # the fraction of zero eigenvalues is the atom (exactly, p - n zeros)
    if c > 1:
        assert np.mean(eigs < 1e-8) == pytest.approx(law.atom, abs=1 / p)


def test_wigner_spectrum_matches_semicircle():
    n = 1000
    eigs = empirical_spectrum(wigner_matrix(n, var=2.0, rng=np.random.default_rng(5)))
    assert _ks_distance(eigs, semicircle(2.0)) < 8 / n
    assert _ks_distance(eigs, semicircle(2.2)) > 8 / n  # a 10% error fails the same check
    # normalized trace of the resolvent at distance O(1) from the support: O(1/n) fluctuation
    z = np.array([1j, 3 + 0.5j, -4.0])
    emp = np.array([np.mean(1 / (eigs - zz)) for zz in z])
    assert_allclose(emp, semicircle(2.0).stieltjes(z), atol=10 / n)


# ------------------------------------------------------------------------------------------------
# Bad input
# ------------------------------------------------------------------------------------------------
def test_bad_input_messages():
    with pytest.raises(ValueError, match="ratio"):
        marchenko_pastur(0.0)
    with pytest.raises(ValueError, match="ratio"):
        marchenko_pastur(np.inf)
    with pytest.raises(ValueError, match="ratio"):
        sample_covariance_law([1.0], np.nan)
    with pytest.raises(TypeError, match="ratio"):
        marchenko_pastur("1")
    with pytest.raises(ValueError, match="var"):
        marchenko_pastur(0.5, var=-1.0)
    with pytest.raises(ValueError, match="var"):
        semicircle(0.0)
    with pytest.raises(ValueError, match="population_eigs"):
        sample_covariance_law([0.0, 0.0], 0.5)
    with pytest.raises(ValueError, match="population_eigs"):
        sample_covariance_law([1.0, -1.0], 0.5)
    with pytest.raises(ValueError, match="population_eigs"):
        sample_covariance_law([], 0.5)
    with pytest.raises(ValueError, match="weights"):
        sample_covariance_law([1.0, 2.0], 0.5, weights=[1.0, -1.0])
    with pytest.raises(ValueError, match="weights"):
        sample_covariance_law([1.0, 2.0], 0.5, weights=[0.0, 0.0])
    with pytest.raises(ValueError, match="weights"):
        sample_covariance_law([1.0, 2.0], 0.5, weights=[1.0])
    law = marchenko_pastur(0.5)
    with pytest.raises(ValueError, match="x"):
        law.pdf([1.0, np.nan])
    with pytest.raises(ValueError, match="x"):
        law.cdf(np.inf)
    with pytest.raises(ValueError, match="z"):
        law.stieltjes(complex(np.inf, 1))
    with pytest.raises(TypeError, match="x"):
        law.pdf("a")
    with pytest.raises(ValueError, match="k"):
        law.moment(-1)
    with pytest.raises(ValueError, match="size"):
        law.sample(-1)


def test_vectorized_shapes():
    law = sample_covariance_law([1.0, 2.0], 0.5)
    x = np.linspace(0, 4, 12).reshape(3, 4)
    assert law.pdf(x).shape == (3, 4)
    assert law.cdf(x).shape == (3, 4)
    assert law.stieltjes(x + 1j).shape == (3, 4)
    assert isinstance(law.pdf(1.0), float)
    assert isinstance(law.stieltjes(1.0 + 1j), complex)
    assert law.pdf(np.array([])).shape == (0,)


# ------------------------------------------------------------------------------------------------
# Support algorithm (Silverstein-Choi in u = 1/v, vectorized over all inter-pole intervals)
# ------------------------------------------------------------------------------------------------
def _random_population(rng, k):
    t = 10 ** rng.uniform(-1.0, 1.0, k)
    return t, rng.dirichlet(np.ones(k))


@pytest.mark.parametrize("seed", range(12))
def test_support_random_small_populations_match_polynomial_oracle(seed):
    # every edge (interior gaps included) against the real zeros of the polynomial x'(v) = 0;
    # the oracle's edges are stationary values, accurate to ~1e-12 relative
    rng = np.random.default_rng(seed)
    k = int(rng.integers(1, 6))
    t, w = _random_population(rng, k)
    c = float(10 ** rng.uniform(-2.5, 0.8))
    law = sample_covariance_law(t, c, weights=w)
    edges = np.array(law.support()).ravel()
    expected = _oracle_edges(law.population_eigs, law.weights, c)
    assert edges.size == expected.size
    assert_allclose(edges, expected, rtol=1e-9, atol=0)


@pytest.mark.parametrize("c", [0.01, 0.3, 1.0, 2.5])
def test_support_single_atom_is_marchenko_pastur(c):
    law = SampleCovarianceLaw([2.0], c)  # the generic solver, not the closed-form subclass
    (a, b), = law.support()
    assert b == pytest.approx(2.0 * (1 + np.sqrt(c)) ** 2, rel=1e-13)
    if c == 1.0:
        assert a == 0.0  # hard edge
    else:
        assert a == pytest.approx(2.0 * (1 - np.sqrt(c)) ** 2, rel=1e-11)


@pytest.mark.parametrize("c", [0.5, 1.0, 3.0])
def test_support_close_atoms(c):
    # two atoms 1e-6 apart behave like one atom of merged weight: the edges agree with the
    # single-atom law to first order in the separation (|d edge| <= 1e-6 * scale)
    law = sample_covariance_law([1.0, 1.0 + 1e-6], c)
    ref = SampleCovarianceLaw([1.0 + 5e-7], c).support()
    assert len(law.support()) == 1
    assert_allclose(np.array(law.support()), np.array(ref), rtol=0, atol=1e-5)
    edges = np.array(law.support()).ravel()
    expected = _oracle_edges(law.population_eigs, law.weights, c)
    if c == 1.0:
        expected = np.concatenate([[0.0], expected])
    assert_allclose(edges, expected, rtol=1e-9, atol=1e-14)


def _check_support_against_companion(law, npts=1500):
    """Independent check of a support: on a log grid, x is in the support iff Im mu(x + i eta)
    is not O(eta) (mu from the Newton solver at eta = 1e-10 x, which does not use the edges).
    Off the support Im mu / |mu| <= eta |mu'| / |mu| ~ 1e-10 x / dist(x, edges) <= 1e-7 at the
    kept points (relative distance >= 1e-3 to every edge); inside it is O(sqrt(dist / width))
    >= ~1e-2. A missed bulk or a spurious gap wider than the grid's spacing fails."""
    sup = np.array(law.support())
    assert np.all(sup[:, 1] > sup[:, 0]) and np.all(sup[1:, 0] > sup[:-1, 1])
    lo = sup[0, 0] if sup[0, 0] > 0 else sup[0, 1] * 1e-3
    x = np.geomspace(0.5 * lo, 2.0 * sup[-1, 1], npts)
    # plus the midpoint of every gap and of every interval (a spurious merge or split shows there)
    x = np.sort(np.concatenate([x, 0.5 * (sup[1:, 0] + sup[:-1, 1]), sup.mean(axis=1)]))
    dist = np.min(np.abs(x[:, None] - sup.ravel()[None, :]), axis=1)
    x = x[dist > 1e-3 * x]
    mu = law.companion_stieltjes(x * (1.0 + 1e-10j))
    inside = np.any((x[:, None] > sup[None, :, 0]) & (x[:, None] < sup[None, :, 1]), axis=1)
    ratio = mu.imag / np.abs(mu)
    assert np.all(ratio[~inside] < 1e-6)
    assert np.all(ratio[inside] > 1e-5)


def test_support_many_atoms_over_decades():
    rng = np.random.default_rng(5)
    t = 10 ** rng.uniform(-3.0, 3.0, 300)
    law = sample_covariance_law(t, 0.01)
    assert len(law.support()) > 50  # many separated bulks at this small ratio
    _check_support_against_companion(law, npts=8000)  # grid spacing 0.2 %: finds gaps >= 0.5 %


@pytest.mark.parametrize("c", [0.2, 1.0, 4.0])
def test_support_many_atoms_merged_and_hard_edge(c):
    rng = np.random.default_rng(6)
    law = sample_covariance_law(rng.uniform(0.5, 5.0, 1000), c)
    _check_support_against_companion(law)
    if c == 1.0:
        assert law.support()[0][0] == 0.0
    else:
        assert law.support()[0][0] > 0.0


def test_support_two_clusters_wide_gap():
    # atoms near 1 and near 500 (Spread of 2.7 decades): a gap between the clusters must be
    # found even though it is tiny compared with the poles' interval
    t = np.array([0.0081, 0.0587, 456.65])
    w = np.array([0.38, 0.0018, 0.6182])
    law = sample_covariance_law(t, 0.0051, weights=w)
    edges = np.array(law.support()).ravel()
    assert_allclose(edges, _oracle_edges(t, w, 0.0051), rtol=1e-9)
    assert len(law.support()) == 3


# ------------------------------------------------------------------------------------------------
# general populations: closed-form cdf, warm starts, adaptive model, chunked sums
# (formerly tests/test_laws_numerics.py)
# ------------------------------------------------------------------------------------------------
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


def _robust_companion(law: SampleCovarianceLaw, x: np.ndarray) -> np.ndarray:
    """``mu(x + i0)`` without warm starts: blocks of at most ``_WARM_MIN_POINTS`` points."""
    k = _silverstein._WARM_MIN_POINTS
    return np.concatenate([law._companion(x[i : i + k] + 0j) for i in range(0, x.size, k)])


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
    assert np.count_nonzero(inside) > _silverstein._WARM_MIN_POINTS  # the warm path is taken
    fast = law._companion(x[inside] + 0j)
    robust = _robust_companion(law, x[inside])
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
    x = x[law._in_support(x)]
    expected = _robust_companion(law, x)
    newton = _silverstein._guarded_newton

    def no_progress(u, z, t, w, c, *, maxit, tol):
        if maxit == 30:  # the warm-started solve at Im z = 1e-10 |x|
            return u
        return newton(u, z, t, w, c, maxit=maxit, tol=tol)

    monkeypatch.setattr(_silverstein, "_guarded_newton", no_progress)
    got = law._companion(x + 0j)
    assert_allclose(got, expected, rtol=1e-12)


def test_adaptive_model_resolves_many_narrow_bulks():
    """600 atoms at c = 0.01: about twenty bulks, some with near-gaps inside (issue #8).

    A single Chebyshev expansion per interval needed degree > 2048 here and left a mass error
    of 1e-6; the adaptive pieces reach the rounding level.
    """
    t = np.random.default_rng(1).uniform(0.5, 5.0, 600)
    law = sample_covariance_law(t, 0.01)
    model = law._model()
    assert len(law.support()) >= 15
    assert model.masses.size > len(law.support())  # some intervals were cut into pieces
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
    pop = law._solver.pop
    rng = np.random.default_rng(2)
    u = rng.normal(size=3000) + 1j * rng.uniform(0.01, 1.0, 3000)
    z = rng.normal(size=3000) + 1e-3j
    g, dg, _ = _silverstein._residual(u, z, pop.t, pop.w, pop.c)  # large blocks, BLAS products
    monkeypatch.setattr(_silverstein, "_BLOCK", 1000)  # 5 rows a block, einsum
    g2, dg2, _ = _silverstein._residual(u, z, pop.t, pop.w, pop.c)
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
