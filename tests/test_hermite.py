"""Tests of rmtbook.hermite: Hermite coefficients, Stein, Mehler, Monte Carlo, registry."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from numpy.polynomial import hermite_e
from scipy import integrate, special

from rmtbook import hermite as H

SQRT_2PI = math.sqrt(2 * math.pi)


def gaussian_expectation(f, *, points=(0.0,)):
    """E[f(xi)] by scipy.integrate.quad over the real line split at `points`.

    Independent of the module's own quadrature (different routine, infinite intervals).
    """

    def integrand(x):
        density = math.exp(-x * x / 2) / SQRT_2PI
        return 0.0 if density == 0.0 else float(f(x)) * density  # f never evaluated where e^x overflows

    edges = [-np.inf, *points, np.inf]
    return sum(
        integrate.quad(integrand, lo, hi, epsabs=1e-13, epsrel=1e-12, limit=200)[0]
        for lo, hi in zip(edges[:-1], edges[1:])
    )


def he_normalized(k, x):
    """He_k(x)/sqrt(k!) from numpy's HermiteE basis (independent of the module's recurrence)."""
    c = np.zeros(k + 1)
    c[k] = 1.0
    return hermite_e.hermeval(x, c) / math.sqrt(math.factorial(k))


def leaky(slope):
    return lambda x: np.where(x > 0, x, slope * x)


# ---------------------------------------------------------------------------------------------
# Exact values
# ---------------------------------------------------------------------------------------------
def test_relu_exact_values():
    # E[relu He_k] = He_{k-2}(0) phi(0) for k >= 2 (integration by parts), He_2(0) = -1:
    # a_4 = -phi(0)/sqrt(4!) = -1/(sqrt(24) sqrt(2 pi)).
    a = H.hermite_coefficients("relu", 4)
    expected = [1 / SQRT_2PI, 0.5, 1 / (2 * math.sqrt(math.pi)), 0.0, -1 / (math.sqrt(24) * SQRT_2PI)]
    np.testing.assert_allclose(a, expected, atol=1e-14)
    assert H.second_moment("relu") == pytest.approx(0.5, abs=1e-15)
    # The erratum: a_0 and a_1 are not swapped, a_2 != 1/2.
    assert abs(a[0] - 0.5) > 0.1 and abs(a[2] - 0.5) > 0.2


def test_relu_higher_coefficients_against_independent_quadrature():
    a = H.hermite_coefficients("relu", 12)
    ref = [gaussian_expectation(lambda x, k=k: max(x, 0.0) * he_normalized(k, x)) for k in range(13)]
    np.testing.assert_allclose(a, ref, atol=1e-11)
    assert np.all(a[3::2] == 0.0)


def test_tanh_values():
    a = H.hermite_coefficients("tanh", 3)
    nu = H.second_moment("tanh")
    assert a[1] == pytest.approx(0.6057055, abs=5e-8)  # not 0.609
    assert abs(a[1] - 0.609) > 3e-3
    assert nu == pytest.approx(0.3942945, abs=5e-8)
    # independent: Stein a_1 = E[tanh'(xi)] and nu = E[tanh^2] by scipy.quad on the real line
    assert a[1] == pytest.approx(gaussian_expectation(lambda x: 1 - math.tanh(x) ** 2), abs=1e-11)
    assert nu == pytest.approx(gaussian_expectation(lambda x: math.tanh(x) ** 2), abs=1e-11)
    assert a[0] == pytest.approx(0.0, abs=1e-13) and a[2] == pytest.approx(0.0, abs=1e-13)  # odd


def test_erf_closed_form():
    a = H.hermite_coefficients("erf", 9)
    assert a[1] == pytest.approx(2 / math.sqrt(3 * math.pi), abs=1e-14)
    assert H.second_moment("erf") == pytest.approx(2 / math.pi * math.asin(2 / 3), abs=1e-14)
    ref = [gaussian_expectation(lambda x, k=k: math.erf(x) * he_normalized(k, x)) for k in range(10)]
    np.testing.assert_allclose(a, ref, atol=1e-11)


@pytest.mark.parametrize("name", ["cos", "sin", "exp", "abs", "sign", "square", "linear"])
def test_closed_forms_against_independent_quadrature(name):
    fn = H.get_activation(name).fn
    a = H.hermite_coefficients(name, 10)
    ref = [gaussian_expectation(lambda x, k=k: fn(x) * he_normalized(k, x)) for k in range(11)]
    np.testing.assert_allclose(a, ref, atol=1e-10, rtol=1e-11)
    assert H.second_moment(name) == pytest.approx(gaussian_expectation(lambda x: fn(x) ** 2), abs=1e-10, rel=1e-11)


def test_trigonometric_and_exponential_formulas():
    k = np.arange(9)
    inv = 1 / np.sqrt([math.factorial(int(j)) for j in k])
    e = math.exp(-0.5)
    np.testing.assert_allclose(H.hermite_coefficients("cos", 8), e * np.array([1, 0, -1, 0, 1, 0, -1, 0, 1]) * inv, atol=1e-15)
    np.testing.assert_allclose(H.hermite_coefficients("sin", 8), e * np.array([0, 1, 0, -1, 0, 1, 0, -1, 0]) * inv, atol=1e-15)
    np.testing.assert_allclose(H.hermite_coefficients("exp", 8), math.exp(0.5) * inv, rtol=1e-14)
    assert H.second_moment("exp") == pytest.approx(math.exp(2), rel=1e-15)
    np.testing.assert_allclose(H.hermite_coefficients("square", 4), [1, 0, math.sqrt(2), 0, 0], atol=1e-15)
    assert H.second_moment("square") == 3.0
    np.testing.assert_allclose(H.hermite_coefficients("linear", 3), [0, 1, 0, 0])


# ---------------------------------------------------------------------------------------------
# Parseval and Stein
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", H.ACTIVATIONS)
def test_parseval_bessel_inequality(name):
    a = H.hermite_coefficients(name, 30)
    nu = H.second_moment(name)
    partial = np.cumsum(a**2)
    assert np.all(partial <= nu * (1 + 1e-12) + 1e-14)


@pytest.mark.parametrize("name,tol", [("tanh", 1e-7), ("erf", 1e-7), ("sigmoid", 1e-7), ("gelu", 1e-7),
                                      ("sin", 1e-14), ("exp", 1e-12), ("square", 1e-14)])
def test_parseval_equality_for_smooth(name, tol):
    a = H.hermite_coefficients(name, 40)
    assert np.sum(a**2) == pytest.approx(H.second_moment(name), abs=tol, rel=tol)


def test_parseval_slow_for_kinks():
    # relu: a_k^2 ~ k^{-5/2}, so the tail after degree 40 is ~ 40^{-3/2}/... : visible but small
    a = H.hermite_coefficients("relu", 50)
    gap = 0.5 - np.sum(a**2)
    assert 1e-5 < gap < 1e-3


@pytest.mark.parametrize("name", ["tanh", "sigmoid", "erf", "gelu", "silu", "softplus", "cos", "sin", "exp", "square", "linear"])
def test_stein_identities(name):
    act = H.get_activation(name)
    a = H.hermite_coefficients(name, 2)
    assert a[1] == pytest.approx(gaussian_expectation(lambda x: act.derivative(x)), abs=1e-10)
    assert a[2] == pytest.approx(gaussian_expectation(lambda x: act.second_derivative(x)) / math.sqrt(2), abs=1e-10)


def test_stein_first_order_for_relu_and_abs_but_not_sign():
    assert H.hermite_coefficients("relu", 1)[1] == pytest.approx(gaussian_expectation(H.get_activation("relu").derivative), abs=1e-12)
    assert H.hermite_coefficients("abs", 1)[1] == pytest.approx(gaussian_expectation(np.sign), abs=1e-12)
    # sign is not absolutely continuous: E[sign'] = 0 a.e. but a_1 = 2 phi(0) (the delta's mass)
    assert gaussian_expectation(H.get_activation("sign").derivative) == 0.0
    assert H.hermite_coefficients("sign", 1)[1] == pytest.approx(2 / SQRT_2PI, abs=1e-15)


# ---------------------------------------------------------------------------------------------
# Callables
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name,fn", [("sign", np.sign), ("abs", np.abs), ("relu", lambda x: np.maximum(x, 0)),
                                     ("tanh", np.tanh), ("erf", special.erf), ("exp", np.exp)])
def test_callables_match_names(name, fn):
    np.testing.assert_allclose(H.hermite_coefficients(fn, 20), H.hermite_coefficients(name, 20), atol=1e-9, rtol=1e-10)
    assert H.second_moment(fn) == pytest.approx(H.second_moment(name), abs=1e-9, rel=1e-10)


@pytest.mark.parametrize("slope", [0.0, 0.01, 0.2, -0.5])
def test_leaky_relu(slope):
    # leaky(x) = slope x + (1 - slope) relu(x)
    expected = (1 - slope) * H.hermite_coefficients("relu", 12)
    expected[1] += slope
    np.testing.assert_allclose(H.hermite_coefficients(leaky(slope), 12), expected, atol=1e-10)
    nu = slope**2 / 2 + 1 / 2  # E[x^2 1{x<0}] slope^2 + E[x^2 1{x>0}]
    assert H.second_moment(leaky(slope)) == pytest.approx(nu, abs=1e-10)


def test_jump_away_from_zero_and_breakpoints():
    t = 0.3
    step = lambda x: (np.asarray(x) > t).astype(float)  # noqa: E731
    # E[1{xi > t} He_k] = He_{k-1}(t) phi(t)
    expected = [special.ndtr(-t)] + [he_normalized(k - 1, t) * math.exp(-t * t / 2) / SQRT_2PI / math.sqrt(k) for k in range(1, 9)]
    np.testing.assert_allclose(H.hermite_coefficients(step, 8), expected, atol=1e-9)
    np.testing.assert_allclose(H.hermite_coefficients(step, 8, breakpoints=[t]), expected, atol=1e-12)


# ---------------------------------------------------------------------------------------------
# Coefficients at a variance var != 1: coefficients of x -> phi(sqrt(var) x)
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("var", [0.01, 0.5, 3.0, 40.0])
def test_var_homogeneous_closed_forms_and_quadrature(var):
    r = math.sqrt(var)
    # relu(r x) = r relu(x), |r x| = r |x|: the closed form scales, the quadrature of a callable agrees
    for name, fn in (("relu", lambda x: np.maximum(x, 0.0)), ("abs", np.abs)):
        closed = H.hermite_coefficients(name, 10, var=var)
        np.testing.assert_allclose(closed, r * H.hermite_coefficients(name, 10), rtol=1e-14, atol=1e-16)
        np.testing.assert_allclose(H.hermite_coefficients(fn, 10, var=var), closed, atol=1e-12 * max(r, 1))
        assert H.second_moment(fn, var=var) == pytest.approx(var * H.second_moment(name), rel=1e-12)
    assert H.hermite_coefficients("abs", 0, var=var)[0] == pytest.approx(math.sqrt(2 * var / math.pi), rel=1e-14)
    # x^2 at variance var: var (He_2 + He_0), so a = (var, 0, sqrt(2) var, 0, ...) and nu = 3 var^2
    expected = np.zeros(6)
    expected[0], expected[2] = var, math.sqrt(2) * var
    np.testing.assert_allclose(H.hermite_coefficients(lambda x: x**2, 5, var=var), expected, atol=1e-12 * max(var, 1))
    np.testing.assert_allclose(H.hermite_coefficients("square", 5, var=var), expected, atol=1e-15 * max(var, 1))
    assert H.second_moment(lambda x: x**2, var=var) == pytest.approx(3 * var**2, rel=1e-12)


@pytest.mark.parametrize("var", [0.25, 2.0, 9.0])
def test_var_smooth_against_scaling_and_independent_quadrature(var):
    r = math.sqrt(var)
    a = H.hermite_coefficients("tanh", 6, var=var)
    # scaling identity: the callable x -> tanh(r x) at variance 1 (other panels, other nodes)
    np.testing.assert_allclose(a, H.hermite_coefficients(lambda x: np.tanh(r * x), 6), atol=1e-13)
    # Stein: a_1 = E[d/dx tanh(r x)] = r E[tanh'(r xi)]; nu = E[tanh(r xi)^2], by scipy.quad
    assert a[1] == pytest.approx(r * gaussian_expectation(lambda x: 1 - math.tanh(r * x) ** 2), abs=1e-11)
    assert H.second_moment("tanh", var=var) == pytest.approx(
        gaussian_expectation(lambda x: math.tanh(r * x) ** 2), abs=1e-11)
    # exp, cos, sin: E[e^{s xi} He_k] = s^k e^{s^2/2} with s = r (exp) or i r (cos, sin)
    k = np.arange(7)
    scaled = r**k / np.sqrt(special.factorial(k))
    np.testing.assert_allclose(H.hermite_coefficients("exp", 6, var=var), math.exp(var / 2) * scaled, rtol=1e-14)
    cos_phase = np.array([1, 0, -1, 0, 1, 0, -1])
    np.testing.assert_allclose(H.hermite_coefficients("cos", 6, var=var), math.exp(-var / 2) * cos_phase * scaled,
                               atol=1e-15)
    for name, fn in (("cos", np.cos), ("sin", np.sin), ("exp", np.exp)):
        np.testing.assert_allclose(H.hermite_coefficients(fn, 6, var=var), H.hermite_coefficients(name, 6, var=var),
                                   rtol=1e-12, atol=1e-13)
        assert H.second_moment(fn, var=var) == pytest.approx(H.second_moment(name, var=var), rel=1e-12)
    # erf: closed form at every variance, against the quadrature of the callable and against Stein
    np.testing.assert_allclose(H.hermite_coefficients("erf", 21, var=var), H.hermite_coefficients(special.erf, 21, var=var),
                               atol=1e-14)
    assert H.hermite_coefficients("erf", 1, var=var)[1] == pytest.approx(2 * r / math.sqrt(math.pi * (1 + 2 * var)),
                                                                           rel=1e-13)
    assert H.second_moment("erf", var=var) == pytest.approx(2 / math.pi * math.asin(2 * var / (1 + 2 * var)), rel=1e-13)


def test_var_breakpoints_scale_and_zero_variance():
    t, var = 0.3, 4.0
    step = lambda x: (np.asarray(x) > t).astype(float)  # noqa: E731
    # step(2 x) = 1{x > t/2}: E[1{xi > s} He_k] = He_{k-1}(s) phi(s), s = t / sqrt(var)
    s_ = t / math.sqrt(var)
    expected = [special.ndtr(-s_)] + [he_normalized(k - 1, s_) * math.exp(-s_ * s_ / 2) / SQRT_2PI / math.sqrt(k)
                                      for k in range(1, 9)]
    np.testing.assert_allclose(H.hermite_coefficients(step, 8, var=var, breakpoints=[t]), expected, atol=1e-14)
    np.testing.assert_allclose(H.hermite_coefficients(step, 8, var=var), expected, atol=1e-12)
    # var = 0: the constant phi(0)
    np.testing.assert_array_equal(H.hermite_coefficients("cos", 3, var=0.0), [1.0, 0.0, 0.0, 0.0])
    np.testing.assert_array_equal(H.hermite_coefficients(lambda x: x + 2.0, 2, var=0), [2.0, 0.0, 0.0])
    assert H.second_moment("sign", var=0.0) == 0.0 and H.second_moment("exp", var=0.0) == 1.0


def test_breakpoints_with_a_name_are_refused_as_in_get_activation():
    with pytest.raises(ValueError, match="breakpoints"):
        H.hermite_coefficients("relu", 3, breakpoints=[1.0])
    with pytest.raises(ValueError, match="breakpoints"):
        H.second_moment("tanh", breakpoints=[0.5])
    with pytest.raises(ValueError, match="breakpoints"):
        H.get_activation("relu", breakpoints=[1.0])
    with pytest.raises(ValueError, match="breakpoints"):
        H.hermite_coefficients(np.tanh, 3, breakpoints=[50.0])  # outside [-40, 40]
    # 0 is always an edge: giving it is harmless
    np.testing.assert_array_equal(H.hermite_coefficients("relu", 3, breakpoints=[0.0]), H.hermite_coefficients("relu", 3))


def test_var_bad_values():
    for bad in (-1.0, np.nan, np.inf):
        with pytest.raises(ValueError, match="var"):
            H.hermite_coefficients("relu", 2, var=bad)
        with pytest.raises(ValueError, match="var"):
            H.second_moment("tanh", var=bad)
    with pytest.raises(TypeError, match="var"):
        H.hermite_coefficients("relu", 2, var="1")


def test_monte_carlo_results_are_frozen_and_rng_keyword_only():
    mc = H.monte_carlo_coefficients("relu", 1, 100, rng=0)
    nu = H.monte_carlo_second_moment("relu", 100, rng=0)
    for result, field in ((mc, "coefficients"), (nu, "estimate")):
        with pytest.raises(AttributeError):
            setattr(result, field, 0.0)
    with pytest.raises(TypeError):
        H.monte_carlo_coefficients("relu", 1, 100, 0)
    with pytest.raises(TypeError):
        H.monte_carlo_second_moment("relu", 100, 0)


def test_activation_object_and_caching():
    act = H.get_activation("tanh")
    np.testing.assert_array_equal(H.hermite_coefficients(act, 5), H.hermite_coefficients("TANH", 5))
    a = H.hermite_coefficients("relu", 4)
    a[0] = 99.0  # returned arrays are fresh copies
    assert H.hermite_coefficients("relu", 4)[0] == pytest.approx(1 / SQRT_2PI)
    # a user Activation wrapping a callable goes through quadrature
    custom = H.get_activation(lambda x: np.maximum(x, 0))
    np.testing.assert_allclose(H.hermite_coefficients(custom, 4), H.hermite_coefficients("relu", 4), atol=1e-12)


def test_exp_like_callable_no_overflow_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        a = H.hermite_coefficients(lambda x: np.exp(3 * x), 6)
        nu = H.second_moment(lambda x: np.exp(3 * x))
    # E[e^{s xi} He_k] = s^k e^{s^2/2}
    expected = np.array([3.0**k * math.exp(4.5) / math.sqrt(math.factorial(k)) for k in range(7)])
    np.testing.assert_allclose(a, expected, rtol=1e-10)
    assert nu == pytest.approx(math.exp(18), rel=1e-10)


# ---------------------------------------------------------------------------------------------
# Hermite polynomials and series
# ---------------------------------------------------------------------------------------------
def test_hermite_polynomials_match_numpy_and_are_orthonormal():
    x = np.linspace(-4, 4, 17)
    h = H.hermite_polynomials(12, x)
    assert h.shape == (13, 17)
    for k in range(13):
        np.testing.assert_allclose(h[k], he_normalized(k, x), atol=1e-9, rtol=1e-12)
        np.testing.assert_allclose(H.hermite_polynomial(k, x), h[k])
    nodes, weights = hermite_e.hermegauss(40)  # exact for degree < 80
    weights = weights / SQRT_2PI
    gram = (H.hermite_polynomials(20, nodes) * weights) @ H.hermite_polynomials(20, nodes).T
    np.testing.assert_allclose(gram, np.eye(21), atol=1e-12)
    np.testing.assert_allclose(H.hermite_polynomial(2, x), (x**2 - 1) / math.sqrt(2))
    assert H.hermite_polynomial(3, 2.0).shape == ()


def test_hermite_series():
    x = np.linspace(-3, 3, 31)
    np.testing.assert_allclose(H.hermite_series(H.hermite_coefficients("square", 5), x), x**2, atol=1e-13)
    approx = H.hermite_series(H.hermite_coefficients("tanh", 40), x)
    assert np.max(np.abs(approx - np.tanh(x))) < 1e-3
    # truncation error in L2(N(0,1)) is sqrt(nu - sum a_k^2): check the degree-3 series
    a3 = H.hermite_coefficients("tanh", 3)
    nodes, w = hermite_e.hermegauss(150)
    err2 = np.sum(w / SQRT_2PI * (np.tanh(nodes) - H.hermite_series(a3, nodes)) ** 2)
    assert err2 == pytest.approx(H.second_moment("tanh") - np.sum(a3**2), rel=1e-6)


# ---------------------------------------------------------------------------------------------
# Mehler
# ---------------------------------------------------------------------------------------------
def test_mehler_against_closed_forms():
    rho = np.linspace(-0.9, 0.9, 13)
    # relu: arc-cosine kernel (Cho & Saul) with unit variances
    theta = np.arccos(rho)
    relu_exact = (np.sin(theta) + (np.pi - theta) * np.cos(theta)) / (2 * np.pi)
    np.testing.assert_allclose(H.mehler_kernel("relu", rho, degree=50), relu_exact, atol=1e-6)
    # erf: arcsine kernel (Williams)
    np.testing.assert_allclose(H.mehler_kernel("erf", rho, degree=50), 2 / np.pi * np.arcsin(2 * rho / 3), atol=1e-12)
    # sign: (2/pi) arcsin(rho)
    np.testing.assert_allclose(H.mehler_kernel("sign", rho, degree=50), 2 / np.pi * np.arcsin(rho), atol=1e-3)
    # cross term with `other`: E[u^2 exp(v)] ... use linear x exp: E[u e^v] = rho e^{1/2}
    np.testing.assert_allclose(H.mehler_kernel("linear", rho, degree=10, other="exp"), rho * math.exp(0.5), atol=1e-14)
    assert H.mehler_kernel("tanh", 1.0, degree=40) == pytest.approx(H.second_moment("tanh"), abs=1e-7)
    assert H.mehler_kernel("relu", 0.0) == pytest.approx(1 / (2 * np.pi), abs=1e-15)
    assert H.mehler_kernel("relu", np.zeros((2, 3))).shape == (2, 3)


def test_mehler_against_simulation():
    rng = np.random.default_rng(3)
    n, rho = 400_000, 0.6
    u = rng.standard_normal(n)
    v = rho * u + math.sqrt(1 - rho**2) * rng.standard_normal(n)
    prod = np.tanh(u) * np.tanh(v)
    se = prod.std() / math.sqrt(n)
    assert abs(prod.mean() - H.mehler_kernel("tanh", rho, degree=40)) < 4 * se


# ---------------------------------------------------------------------------------------------
# Monte Carlo
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["relu", "tanh", "sign", "gelu", "cos"])
def test_monte_carlo_agrees_within_four_standard_errors(name):
    mc = H.monte_carlo_coefficients(name, 6, 200_000, rng=11)
    est, se = mc.coefficients, mc.standard_errors
    exact = H.hermite_coefficients(name, 6)
    assert np.all(se > 0) and np.all(se < 0.02)
    assert np.all(np.abs(est - exact) < 4 * se)
    nu = H.monte_carlo_second_moment(name, 200_000, rng=12)
    assert isinstance(nu, H.MonteCarloEstimate)
    assert abs(nu.estimate - H.second_moment(name)) <= 4 * nu.standard_error  # sign^2 = 1: exact, se = 0


def test_monte_carlo_detects_wrong_values():
    # 0.609 for tanh's a_1 is ~ 2e-3 off: with 1e6 samples (se ~ 5e-4) it is rejected
    mc = H.monte_carlo_coefficients("tanh", 1, 1_000_000, rng=5)
    assert abs(mc.coefficients[1] - 0.609) > 4 * mc.standard_errors[1]
    mc = H.monte_carlo_coefficients("relu", 2, 200_000, rng=5)
    est, se = mc.coefficients, mc.standard_errors
    assert abs(est[2] - 0.5) > 4 * se[2] and abs(est[0] - 0.5) > 4 * se[0]


def test_monte_carlo_reproducible_and_se_scaling():
    r1 = H.monte_carlo_coefficients("tanh", 3, 10_000, rng=np.random.default_rng(1))
    r2 = H.monte_carlo_coefficients("tanh", 3, 10_000, rng=1)
    np.testing.assert_array_equal(r1.coefficients, r2.coefficients)
    big = H.monte_carlo_coefficients("tanh", 3, 40_000, rng=1)
    # se ~ N^{-1/2}; the sample std of h_3-weighted terms fluctuates by a few percent
    np.testing.assert_allclose(big.standard_errors / r1.standard_errors, 0.5, rtol=0.1)


# ---------------------------------------------------------------------------------------------
# Registry
# ---------------------------------------------------------------------------------------------
def test_registry_names_and_unpacking():
    assert set(H.ACTIVATIONS) == {"relu", "tanh", "sigmoid", "erf", "abs", "sign", "gelu", "silu",
                                  "softplus", "cos", "sin", "exp", "square", "linear"}
    phi, dphi = H.get_activation("tanh")
    x = np.linspace(-2, 2, 5)
    np.testing.assert_allclose(phi(x), np.tanh(x))
    np.testing.assert_allclose(dphi(x), 1 / np.cosh(x) ** 2)
    act = H.get_activation("Sigmoid")
    assert act.name == "sigmoid"
    np.testing.assert_allclose(act(x), 1 / (1 + np.exp(-x)))


@pytest.mark.parametrize("name", H.ACTIVATIONS)
def test_derivatives_by_finite_differences(name):
    act = H.get_activation(name)
    x = np.array([-2.3, -1.1, -0.4, 0.35, 0.9, 1.7, 2.6])  # away from kinks
    h = 1e-5
    fd = (act.fn(x + h) - act.fn(x - h)) / (2 * h)
    np.testing.assert_allclose(act.derivative(x), fd, atol=1e-8, rtol=1e-7)
    if act.second_derivative is not None:
        fd2 = (act.derivative(x + h) - act.derivative(x - h)) / (2 * h)
        np.testing.assert_allclose(act.second_derivative(x), fd2, atol=1e-7, rtol=1e-6)
    else:
        assert name in ("relu", "abs", "sign")
    # returns arrays of the input's shape
    assert act.derivative(x.reshape(7, 1)).shape == (7, 1)


@pytest.mark.parametrize("name", [n for n in H.ACTIVATIONS if n not in ("exp",)])
def test_no_overflow_warnings_at_large_inputs(name):
    act = H.get_activation(name)
    x = np.array([-1e3, -50.0, 0.0, 50.0, 1e3])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", invalid="raise", divide="raise"):  # underflow to 0 is fine
            values = [act.fn(x), act.derivative(x)]
            if act.second_derivative is not None:
                values.append(act.second_derivative(x))
    assert all(np.all(np.isfinite(v)) for v in values)


def test_callable_derivative_fallback_and_given():
    act = H.get_activation(np.sin)
    x = np.linspace(-1, 1, 5)
    np.testing.assert_allclose(act.derivative(x), np.cos(x), atol=1e-9)
    assert act.second_derivative is None and act.name == "sin"
    act2 = H.get_activation(np.sin, derivative=np.cos)
    assert act2.derivative is np.cos


# ---------------------------------------------------------------------------------------------
# Input errors
# ---------------------------------------------------------------------------------------------
def test_unknown_name_lists_valid_names():
    with pytest.raises(ValueError, match="relu") as info:
        H.get_activation("swish")
    assert "tanh" in str(info.value) and "activation" in str(info.value)
    with pytest.raises(ValueError, match="activation"):
        H.hermite_coefficients("leaky_relu")
    with pytest.raises(ValueError, match="activation"):
        H.second_moment("nope")


def test_bad_inputs():
    with pytest.raises(TypeError, match="activation"):
        H.hermite_coefficients(3.0)
    with pytest.raises(TypeError, match="activation"):
        H.get_activation(None)
    with pytest.raises(TypeError, match="derivative"):
        H.get_activation(np.sin, derivative=1.0)
    for bad in (-1, 51):
        with pytest.raises(ValueError, match=r"degree.*\[0, 50\]"):
            H.hermite_coefficients("relu", bad)
    for bad in (2.5, True, "3"):
        with pytest.raises(TypeError, match="degree"):
            H.hermite_coefficients("relu", bad)
    with pytest.raises(ValueError, match="rho"):
        H.mehler_kernel("relu", 1.5)
    with pytest.raises(ValueError, match="rho"):
        H.mehler_kernel("relu", [0.1, np.nan])
    with pytest.raises(ValueError, match="num_samples"):
        H.monte_carlo_coefficients("relu", 2, 1, rng=0)
    with pytest.raises(TypeError, match="rng"):
        H.monte_carlo_coefficients("relu", 2, 100, rng="seed")
    with pytest.raises(ValueError, match="coefficients"):
        H.hermite_series(np.ones(52), 0.0)
    with pytest.raises(ValueError, match="k"):
        H.hermite_polynomial(-1, 0.0)
    with pytest.raises(ValueError, match="x"):
        H.hermite_polynomials(3, [np.inf])


def test_activation_returning_nan_or_overflowing_raises():
    with pytest.raises(ValueError, match="activation"):
        H.hermite_coefficients(lambda x: np.log(x), 3)
    with pytest.raises(ValueError, match="activation"):
        H.second_moment(lambda x: np.exp(x**2))
    with pytest.raises(ValueError, match="activation"):
        H.monte_carlo_coefficients(lambda x: np.sqrt(x), 2, 100, rng=0)
    with pytest.raises(ValueError, match="activation"):
        H.hermite_coefficients(lambda x: np.ones(3), 2)
