"""Property-based tests (hypothesis) of the package's laws, risks, coefficients and kernels.

Each property holds for every valid input, not just the ones a chapter happens to use:
densities plus atoms integrate to one, cdfs are monotone, Stieltjes transforms are Herglotz and
behave like -1/z at infinity, ridge risk is monotone in the noise and the in-sample risk is
below the out-of-sample risk, Hermite coefficients satisfy Parseval, kernels are symmetric
positive semi-definite and linear equivalents keep the exact kernels' diagonals.
"""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import rmtbook

SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])

ratios = st.floats(min_value=0.05, max_value=8.0, allow_nan=False)
variances = st.floats(min_value=0.1, max_value=10.0, allow_nan=False)
populations = st.lists(st.floats(min_value=0.1, max_value=20.0, allow_nan=False), min_size=1, max_size=4)


def _laws():
    return st.one_of(
        st.builds(rmtbook.marchenko_pastur, ratios, variances),
        st.builds(rmtbook.semicircle, variances),
        st.builds(rmtbook.sample_covariance_law, populations, ratios),
    )


def _mass(law) -> float:
    """Integral of the density over its support (Gauss-Legendre after removing the sqrt edges)."""
    total = 0.0
    nodes, weights = np.polynomial.legendre.leggauss(400)
    for a, b in law.support():
        # x = a + (b - a) (1 - cos(theta)) / 2 absorbs the square-root edges
        theta = (nodes + 1) * np.pi / 2
        x = a + (b - a) * (1 - np.cos(theta)) / 2
        jac = (b - a) * np.sin(theta) / 2 * np.pi / 2
        total += float(np.sum(weights * law.pdf(x) * jac))
    return total + law.atom


@SETTINGS
@given(_laws())
def test_density_plus_atom_integrates_to_one(law):
    # the hard edge (ratio = 1) has an x^{-1/2} singularity: the substitution still converges
    assert abs(_mass(law) - 1.0) < 2e-3


@SETTINGS
@given(_laws(), st.lists(st.floats(min_value=-50, max_value=200, allow_nan=False), min_size=2, max_size=30))
def test_cdf_is_monotone_from_zero_to_one(law, xs):
    x = np.sort(np.asarray(xs))
    F = np.asarray(law.cdf(x))
    assert np.all(np.diff(F) >= -1e-10)
    assert np.all((F >= -1e-12) & (F <= 1 + 1e-12))
    lo = min(0.0, min(a for a, _ in law.support())) - 1.0  # below the support and the atom at 0
    hi = max(b for _, b in law.support()) + 1.0
    assert abs(float(law.cdf(hi)) - 1.0) < 1e-8
    assert abs(float(law.cdf(lo))) < 1e-12


@SETTINGS
@given(_laws(), st.floats(min_value=-30, max_value=30), st.floats(min_value=1e-3, max_value=30))
def test_stieltjes_is_herglotz(law, re, im):
    z = complex(re, im)
    m = complex(law.stieltjes(z))
    assert m.imag > 0
    assert np.isfinite(m.real)
    # |m(z)| <= 1 / Im z for a probability measure
    assert abs(m) <= 1 / im * (1 + 1e-9)


@SETTINGS
@given(_laws(), st.floats(min_value=0, max_value=2 * np.pi))
def test_stieltjes_behaves_like_minus_one_over_z_at_infinity(law, angle):
    z = 1e6 * np.exp(1j * angle)
    m = complex(law.stieltjes(z))
    assert abs(m * z + 1) < 1e-3


@SETTINGS
@given(ratios, st.floats(min_value=1e-3, max_value=10), st.floats(min_value=0, max_value=5),
       st.floats(min_value=0, max_value=5), st.floats(min_value=0.1, max_value=5))
def test_ridge_risk_monotone_in_noise_and_in_sample_below_out_of_sample(ratio, ridge, noise, extra, signal):
    low = rmtbook.ridge_risk(ratio, ridge, noise_var=noise, signal_norm2=signal)
    high = rmtbook.ridge_risk(ratio, ridge, noise_var=noise + extra, signal_norm2=signal)
    assert high.out_of_sample >= low.out_of_sample - 1e-12
    assert high.in_sample >= low.in_sample - 1e-12
    assert low.in_sample <= low.out_of_sample + 1e-12
    assert np.isfinite(low.in_sample) and np.isfinite(low.out_of_sample)


@SETTINGS
@given(populations, ratios, st.floats(min_value=1e-3, max_value=10), st.floats(min_value=0, max_value=5))
def test_ridge_risk_general_population_in_below_out(eigs, ratio, ridge, noise):
    risk = rmtbook.ridge_risk(ratio, ridge, noise_var=noise, population_eigs=eigs)
    assert 0 <= risk.in_sample <= risk.out_of_sample + 1e-12


@settings(max_examples=20, deadline=None)
@given(st.sampled_from(sorted(set(rmtbook.ACTIVATIONS) - {"exp"})), st.integers(min_value=0, max_value=12))
def test_hermite_parseval(name, degree):
    a = rmtbook.hermite_coefficients(name, degree)
    nu = rmtbook.second_moment(name)
    assert np.sum(a**2) <= nu * (1 + 1e-10) + 1e-12


@settings(max_examples=20, deadline=None)
@given(st.floats(min_value=-3, max_value=3), st.floats(min_value=0.5, max_value=2.0))
def test_hermite_parseval_equality_in_the_limit(shift, scale):
    # a smooth activation: the Hermite series converges in L2, Bessel's gap closes
    f = lambda x: np.tanh(scale * x + shift)  # noqa: E731
    a = rmtbook.hermite_coefficients(f, 40)
    nu = rmtbook.second_moment(f)
    gaps = [nu - np.sum(a[: d + 1] ** 2) for d in (5, 10, 20, 40)]
    assert all(g >= -1e-12 for g in gaps)
    assert gaps[0] > gaps[1] > gaps[2] > gaps[3] or gaps[3] < 1e-12  # the gap closes
    assert gaps[3] < 1e-3 * nu


activation_names = st.sampled_from(["relu", "tanh", "erf", "sign", "abs", "sigmoid", "linear", "cos"])


@st.composite
def unit_data(draw):
    p = draw(st.integers(min_value=3, max_value=40))
    n = draw(st.integers(min_value=2, max_value=25))
    seed = draw(st.integers(min_value=0, max_value=2**31 - 1))
    X = np.random.default_rng(seed).standard_normal((p, n))
    if draw(st.booleans()):
        X[:, -1] = X[:, 0]  # degenerate data: a repeated column
    return X / np.linalg.norm(X, axis=0)


@SETTINGS
@given(unit_data(), activation_names)
def test_random_features_kernel_is_symmetric_psd(X, name):
    K = rmtbook.random_features_kernel(X, name)
    assert np.all(np.isfinite(K))
    np.testing.assert_allclose(K, K.T, atol=1e-12)
    scale = max(1.0, float(np.max(np.abs(np.diag(K)))))
    assert np.linalg.eigvalsh(K).min() >= -1e-8 * scale


@SETTINGS
@given(unit_data(), activation_names)
def test_linear_equivalent_keeps_the_exact_diagonal(X, name):
    K = rmtbook.random_features_kernel(X, name)
    L = rmtbook.random_features_kernel_linear_equivalent(X, name)
    np.testing.assert_allclose(np.diag(L), np.diag(K), rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(L, L.T, atol=1e-12)


@SETTINGS
@given(unit_data(), st.lists(st.sampled_from(["relu", "erf", "tanh"]), min_size=1, max_size=3))
def test_deep_kernels_symmetric_psd_and_equivalents_keep_diagonals(X, acts):
    for exact, equivalent in (
        (rmtbook.conjugate_kernel, rmtbook.conjugate_kernel_linear_equivalent),
        (rmtbook.neural_tangent_kernel, rmtbook.neural_tangent_kernel_linear_equivalent),
    ):
        K = exact(X, acts)
        np.testing.assert_allclose(K, K.T, atol=1e-10)
        assert np.linalg.eigvalsh(K).min() >= -1e-8 * max(1.0, float(np.abs(K).max()))
        L = equivalent(X, acts)
        np.testing.assert_allclose(np.diag(L), np.diag(K), rtol=1e-6, atol=1e-9)
