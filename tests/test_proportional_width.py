"""Laws at proportional width (issue 15): a law as population of ``sample_covariance_law``, the
deep conjugate kernel law (Fan & Wang 2020) and the random-features Gram law (Pennington & Worah
2017; Péché 2019), each against closed forms and simulated networks.

Kolmogorov tolerances: the distance between the spectrum of one ``n x n`` draw and its limit is
``O(log(n) / n)`` (eigenvalue rigidity); over activations, depths and width ratios we measured
``n * KS <= 5`` at ``n = 250 ... 1000``, against ``log n >= 5.5``: the bound ``2 log(n) / n``
leaves a margin of about 2, and each wrong variant below is rejected by the same bound.
"""

from __future__ import annotations

import numpy as np
import pytest

import rmtbook as r
from rmtbook._quantile_atoms import quantile_atoms

N = 400
KS_TOL = 2.0 * np.log(N) / N  # O(log n / n) rigidity, constant calibrated (margin about 2)


def _unit_columns(d0: int, n: int, rng) -> np.ndarray:
    X = rng.standard_normal((d0, n))
    return X / np.linalg.norm(X, axis=0)


def _ck_spectrum(X: np.ndarray, act, widths, rng) -> np.ndarray:
    s = r.standardize_activation(act)
    F = r.random_network_features(X, s, list(widths), rng=rng)[-1] / np.sqrt(widths[-1])
    return np.linalg.eigvalsh(F.T @ F)


# ------------------------------------------------------------------------------------------------
# a law as population: Marchenko-Pastur's free multiplicative convolution
# ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("c_pop, c", [(0.5, 0.25), (0.3, 2.0), (2.0, 0.5)])
def test_mp_population_moments_are_the_closed_forms(c_pop, c):
    law = r.sample_covariance_law(r.marchenko_pastur(c_pop), c)
    h1, h2, h3 = 1.0, 1.0 + c_pop, 1.0 + 3.0 * c_pop + c_pop**2  # moments of MP(c_pop)
    # moments of the sample covariance law: h1, h2 + c h1^2, h3 + 3 c h2 h1 + c^2 h1^3
    exact = [h1, h2 + c * h1**2, h3 + 3.0 * c * h2 * h1 + c**2 * h1**3]
    got = [law.moment(k) for k in (1, 2, 3)]
    # quantile atoms: midpoint rule, O(K^{-3/2}) at the hard edge (K = 2000): 1e-4 relative
    assert np.allclose(got, exact, rtol=1e-4, atol=0)
    # the wrong variant "no population spread" (MP alone) is far off in the second moment
    assert abs(r.marchenko_pastur(c).moment(2) - exact[1]) > 0.1


def test_law_population_atom_at_zero():
    # MP(2) has an atom 1/2 at 0: half the population directions carry no variance
    law = r.sample_covariance_law(r.marchenko_pastur(2.0), 0.5)
    assert np.isclose(law.atom, 0.5, atol=1e-12)
    assert np.isclose(law.mean(), 1.0, rtol=1e-5)


def test_law_population_against_direct_simulation():
    rng = np.random.default_rng(11)
    p, n, m = N, 2 * N, 2 * N  # ratio p/n = 1/2, population MP(p/m = 1/2)
    Y = rng.standard_normal((p, m))
    C_half = np.linalg.cholesky(Y @ Y.T / m)
    Z = rng.standard_normal((p, n))
    X = C_half @ Z
    eigs = np.linalg.eigvalsh(X @ X.T / n)
    law = r.sample_covariance_law(r.marchenko_pastur(0.5), 0.5)
    assert r.ks_distance(eigs, law) < KS_TOL  # O(log p / p)
    # the population ignored (identity, MP alone) or taken as fixed (MP(1/2) with ratio 0): fail
    assert r.ks_distance(eigs, r.marchenko_pastur(0.5)) > 2 * KS_TOL
    assert r.ks_distance(eigs, r.marchenko_pastur(0.5, 1.0)) > 2 * KS_TOL


def test_quantile_atoms_converge_to_the_law_population():
    H = r.marchenko_pastur(0.5)
    law = r.sample_covariance_law(H, 0.3)
    z = np.array([-1.0, 0.5 + 0.5j, 1.0 + 0.05j, 1.0, 2.0, 3.0])  # off the axis and on the bulk
    ref = law.stieltjes(z)
    errors = []
    for K in (50, 200, 800, 8000):
        t = H.ppf((np.arange(K) + 0.5) / K)
        errors.append(np.max(np.abs(r.sample_covariance_law(t, 0.3).stieltjes(z) - ref)))
    assert errors[0] > errors[1] > errors[2]  # convergence with the resolution
    assert errors[-1] < 1e-5  # the law's 2000 atoms are within ~1e-6 of the limit
    assert errors[2] < 1e-4
    assert len(law.support()) == 1  # no spurious gaps between the 2000 atoms


class _TwoPoint:
    """A law with atoms 1 and 3 (masses 1/4, 3/4): ppf, support() and atom (at 0) only."""

    atom = 0.0

    def support(self):
        return [(1.0, 3.0)]

    def ppf(self, q):
        return np.where(np.asarray(q) <= 0.25, 1.0, 3.0)


def test_two_point_population_as_atoms_or_as_law():
    as_law = r.sample_covariance_law(_TwoPoint(), 0.2)
    as_atoms = r.sample_covariance_law([1.0, 3.0], 0.2, [0.25, 0.75])
    z = np.array([-1.0, 2.0 + 0.1j, 0.5, 1.5, 3.0])
    assert np.allclose(as_law.stieltjes(z), as_atoms.stieltjes(z), rtol=0, atol=1e-12)
    assert len(as_law.support()) == 2  # the gap survives (exact separation)


def test_law_population_refuses_weights_and_negative_support():
    with pytest.raises(ValueError, match="weights"):
        r.sample_covariance_law(r.marchenko_pastur(0.5), 0.5, [1.0])
    with pytest.raises(ValueError, match="population_eigs"):
        r.sample_covariance_law(r.semicircle(1.0), 0.5)


# ------------------------------------------------------------------------------------------------
# standardized activations
# ------------------------------------------------------------------------------------------------
def test_standardize_activation_closed_forms():
    s = r.standardize_activation("relu")
    assert np.isclose(s.a0, 1 / np.sqrt(2 * np.pi)) and np.isclose(s.a1, 0.5)
    assert np.isclose(s.nu, 0.5)
    assert np.isclose(s.b, 0.25 / (0.5 - 1 / (2 * np.pi)), rtol=1e-12)
    assert np.isclose(r.standardize_activation("linear").b, 1.0)
    assert r.standardize_activation("abs").b < 1e-14  # even: no linear part
    xi = np.random.default_rng(0).standard_normal(200_000)
    v = s(xi)
    assert abs(v.mean()) < 5 / np.sqrt(xi.size) and abs(v.var() - 1) < 10 / np.sqrt(xi.size)


@pytest.mark.parametrize(
    "bad, exc", [("nonsense", ValueError), (3, TypeError), (lambda x: 0 * x + 1.0, ValueError)]
)
def test_standardize_activation_refuses(bad, exc):
    with pytest.raises(exc, match="activation"):
        r.standardize_activation(bad)


# ------------------------------------------------------------------------------------------------
# deep conjugate kernel law (Fan & Wang 2020)
# ------------------------------------------------------------------------------------------------
@pytest.mark.slow
@pytest.mark.parametrize(
    "act, ratios",
    [("tanh", [0.5, 0.5, 0.5]), ("relu", [2.0, 2.0]), ("gelu", [0.5, 2.0, 1.0]), ("sin", [1.5])],
)
def test_deep_ck_law_matches_random_networks(act, ratios):
    rng = np.random.default_rng(5)
    X = _unit_columns(N, N, rng)
    G0 = np.linalg.eigvalsh(X.T @ X)
    widths = [int(round(N / g)) for g in ratios]
    eigs = _ck_spectrum(X, act, widths, rng)
    law = r.deep_conjugate_kernel_law(G0, act, ratios)
    assert r.ks_distance(eigs, law) < KS_TOL  # O(log n / n)
    # nearest wrong variants fail the same check
    b, depth = law.b, len(ratios)
    infinite_width = b**depth * G0 + (1 - b**depth)  # d/n -> infinity: b^L G0 + (1 - b^L) I
    assert r.ks_distance(eigs, r.sample_covariance_law(infinite_width, 1e-9)) > 2 * KS_TOL
    if b > 0.5:  # omitting (1 - b) in every layer (visible when the linear part dominates)
        values, weights = G0, None
        for g in ratios:
            wrong = r.sample_covariance_law(b * values, g, weights)
            values, weights = quantile_atoms(wrong, 2000)
        assert r.ks_distance(eigs, wrong) > 2 * KS_TOL
    if ratios[-1] != 1.0:  # the last ratio inverted (d/n instead of n/d)
        inverted = r.sample_covariance_law(law.population_eigs, 1.0 / ratios[-1], law.weights)
        assert r.ks_distance(eigs, inverted) > 2 * KS_TOL


def test_deep_ck_variance_recursion_and_mean():
    law = r.deep_conjugate_kernel_law(r.marchenko_pastur(0.5), "tanh", [0.5, 2.0, 1.0])
    var = 0.5
    for g in [0.5, 2.0, 1.0]:
        var = law.b**2 * var + g
    # quantile atoms: the midpoint rule drops the within-cell variance, ~1e-5 over three layers
    assert np.isclose(law.var(), var, rtol=1e-4)
    assert np.isclose(law.variances()[-1], var, rtol=1e-12)
    assert np.isclose(law.mean(), 1.0, rtol=1e-5)  # midpoint quantiles: ~1e-6 per layer
    assert len(law.layers) == 3 and law.layers[-1] is law
    # one layer, linear activation: MP(n/d) with population MP(n/d_0), the product of two MPs
    lin = r.deep_conjugate_kernel_law(r.marchenko_pastur(0.5), "linear", [0.25])
    ref = r.sample_covariance_law(r.marchenko_pastur(0.5), 0.25)
    z = np.array([-1.0, 1.0 + 0.1j, 2.0])
    assert np.allclose(lin.stieltjes(z), ref.stieltjes(z), atol=1e-6)


def test_deep_ck_atom_when_narrower_than_n():
    law = r.deep_conjugate_kernel_law(np.ones(10), "tanh", [1.0, 4.0])
    assert np.isclose(law.atom, 0.75, atol=1e-12)  # rank d_L = n/4


@pytest.mark.parametrize(
    "kwargs, name",
    [
        ({"input_eigs": [1.0, 2.0]}, "input_eigs"),  # mean 1.5: not unit-norm columns
        ({"input_eigs": [-1.0, 3.0]}, "input_eigs"),
        ({"input_eigs": [[1.0]]}, "input_eigs"),
        ({"input_eigs": r.semicircle(1.0)}, "input_eigs"),
        ({"activation": "nonsense"}, "activation"),
        ({"activation": None}, "activation"),
        ({"width_ratios": [0.5, 0.0]}, "width_ratios"),
        ({"width_ratios": []}, "width_ratios"),
        ({"width_ratios": [np.nan]}, "width_ratios"),
    ],
)
def test_deep_ck_law_refuses_bad_input(kwargs, name):
    args = {"input_eigs": [0.5, 1.5], "activation": "tanh", "width_ratios": [0.5]} | kwargs
    with pytest.raises((ValueError, TypeError), match=name):
        r.deep_conjugate_kernel_law(**args)


# ------------------------------------------------------------------------------------------------
# random-features Gram law (Pennington & Worah 2017; Péché 2019)
# ------------------------------------------------------------------------------------------------
@pytest.mark.slow
@pytest.mark.parametrize("act, c, psi", [("tanh", 1.0, 0.5), ("relu", 0.5, 2.0), ("sin", 2.0, 1.5)])
def test_rf_gram_law_matches_simulation(act, c, psi):
    rng = np.random.default_rng(7)
    p, Nw = int(c * N), int(psi * N)
    X = rng.standard_normal((p, N))
    W = rng.standard_normal((Nw, p))
    law = r.random_features_gram_law(act, c, psi)
    S = law.activation.phi(W @ X / np.sqrt(p)) - law.a0
    eigs = np.linalg.eigvalsh(S.T @ S / Nw)
    assert r.ks_distance(eigs, law) < KS_TOL  # O(log n / n)
    # wrong variants: noise dropped (linear model only), width ratio inverted. The noise of tanh
    # is 7% of its variance: at n = 400 its omission is within the fluctuations (not checked)
    if law.noise > 0.1 * (law.nu - law.a0**2):
        lin_only = r.sample_covariance_law(r.marchenko_pastur(1 / c, law.a1**2), 1 / psi)
        assert r.ks_distance(eigs, lin_only) > 2 * KS_TOL
    inverted = r.sample_covariance_law(law.population_eigs, psi, law.weights)
    assert r.ks_distance(eigs, inverted) > 2 * KS_TOL


def test_rf_gram_law_moments_and_atom():
    law = r.random_features_gram_law("relu", 0.5, 0.25)
    s = r.standardize_activation("relu")
    assert np.isclose(law.mean(), s.nu - s.a0**2, rtol=1e-6)
    assert np.isclose(law.var(), s.a1**4 / 0.5 + (s.nu - s.a0**2) ** 2 / 0.25, rtol=1e-5)
    assert np.isclose(law.atom, 0.75, atol=1e-12)
    assert r.random_features_gram_law("relu", 0.5, 2.0).atom == 0.0
    # even activation: no linear part, K is a scaled MP(n / N)
    ab = r.random_features_gram_law("abs", 1.0, 2.0)
    ref = r.marchenko_pastur(0.5, ab.noise)
    assert np.allclose(ab.stieltjes([-1.0, 1 + 0.2j]), ref.stieltjes([-1.0, 1 + 0.2j]), atol=1e-12)


@pytest.mark.parametrize(
    "kwargs, name",
    [
        ({"activation": "nonsense"}, "activation"),
        ({"activation": lambda x: np.zeros_like(x)}, "activation"),
        ({"ratio": 0.0}, "ratio"),
        ({"ratio": np.inf}, "ratio"),
        ({"width_ratio": -1.0}, "width_ratio"),
        ({"width_ratio": "a"}, "width_ratio"),
    ],
)
def test_rf_gram_law_refuses_bad_input(kwargs, name):
    args = {"activation": "tanh", "ratio": 1.0, "width_ratio": 1.0} | kwargs
    with pytest.raises((ValueError, TypeError), match=name):
        r.random_features_gram_law(**args)


def test_laws_have_the_law_interface():
    rf = r.random_features_gram_law("relu", 0.5, 0.5)
    ck = r.deep_conjugate_kernel_law(r.marchenko_pastur(0.5), "tanh", [0.5, 2.0])
    for law in (rf, ck):
        draws = law.sample(4000, rng=0)
        # a mean of 4000 i.i.d. draws: O(std / sqrt(4000)), 5 standard errors
        assert abs(draws.mean() - law.mean()) < 5 * law.std() / np.sqrt(draws.size)
        assert np.isclose(np.mean(draws == 0.0), law.atom, atol=5 * np.sqrt(0.25 / draws.size))
        lo, hi = law.support()[0][0], law.support()[-1][1]
        assert law.cdf(hi) == 1.0 and np.isclose(law.cdf(-1e-9), 0.0)
        x = np.linspace(lo, hi, 7)[1:-1]
        assert np.all(law.pdf(x) >= 0) and np.allclose(law.ppf(law.cdf(x)), x, atol=1e-6)
        m = law.stieltjes(np.array([-1.0, 1.0 + 1.0j]))
        assert np.iscomplexobj(m) and m[0].imag == 0 and m[1].imag > 0
        assert np.isclose(law.moment(2), law.var() + law.mean() ** 2, rtol=1e-5)
    assert np.isclose(rf.atom, 0.5, atol=1e-12) and np.isclose(ck.atom, 0.5, atol=1e-12)
