"""Tests of rmtbook.kernels: Gaussian-pair kernels, random-features and inner-product kernels.

Independent references: closed forms against high-order quadrature and against a 1-D adaptive
integral of a conditional expectation in closed form (kinks), Mehler's series, Monte Carlo over
the random weights, and operator-norm errors of the linear equivalents at two sizes. The
quadrature behind the kernels without closed form (accurate path, many distinct norms, declared
breakpoints) is tested in tests/test_pair_quadrature.py.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import integrate, special

import rmtbook as R
from rmtbook import _kernel_core as KC
from rmtbook import _pair_quadrature as PQ

SMOOTH_CLOSED = ["erf", "linear", "square", "cos", "sin", "exp"]
QUAD_ONLY = ["tanh", "sigmoid", "gelu", "silu", "softplus"]

# covariance triples (q1, q2, k): generic, negative, nearly and exactly degenerate
Q1 = np.array([1.0, 0.7, 2.0, 1.0, 0.5, 1.3])
Q2 = np.array([1.0, 1.3, 0.5, 1.0, 0.5, 0.4])
RHO = np.array([0.3, -0.5, 0.99, 1.0, -1.0, 0.0])
KK = RHO * np.sqrt(Q1 * Q2)


def unit_columns(p: int, n: int, seed: int) -> np.ndarray:
    X = np.random.default_rng(seed).standard_normal((p, n))
    return X / np.linalg.norm(X, axis=0)


def opnorm(A: np.ndarray) -> float:
    return float(np.abs(np.linalg.eigvalsh((A + A.T) / 2)).max())


# --- exact Gaussian-pair kernels --------------------------------------------------------------
@pytest.mark.parametrize("name", SMOOTH_CLOSED)
@pytest.mark.parametrize("derivative", [False, True])
def test_smooth_closed_forms_match_high_order_quadrature(name, derivative):
    # entire activations: the trapezoidal rule with 600 nodes is exact to rounding
    act = KC.resolve(name)
    f = act.dphi if derivative else act.phi
    ref = PQ.trapezoid_expectation(f, f, Q1, Q2, KK, 600)
    got = R.gaussian_pair_expectation(name, Q1, Q2, KK, derivative=derivative)
    np.testing.assert_allclose(got, ref, rtol=0, atol=1e-9 * max(1.0, np.abs(ref).max()))


def _kink_reference(name: str, derivative: bool, q1: float, q2: float, k: float) -> float:
    """E[g(u) g(v)] as a 1-D adaptive integral of E[g(v) | z1] (closed form) over z1."""
    r1 = np.sqrt(q1)
    a = k / r1
    b = np.sqrt(max(q2 - a * a, 0.0))

    def cond(m: float) -> float:  # E[g(m + b z)], z ~ N(0, 1)
        if b == 0:
            s = np.sign(m)
            return {("relu", False): max(m, 0.0), ("relu", True): float(m > 0), ("abs", False): abs(m),
                    ("abs", True): s, ("sign", False): s}[(name, derivative)]
        t = m / b
        Phi, pdf = special.ndtr(t), np.exp(-t * t / 2) / np.sqrt(2 * np.pi)
        return {("relu", False): m * Phi + b * pdf, ("relu", True): Phi,
                ("abs", False): m * (2 * Phi - 1) + 2 * b * pdf, ("abs", True): 2 * Phi - 1,
                ("sign", False): 2 * Phi - 1}[(name, derivative)]

    g = {("relu", False): lambda x: max(x, 0.0), ("relu", True): lambda x: float(x > 0),
         ("abs", False): abs, ("abs", True): np.sign, ("sign", False): np.sign}[(name, derivative)]

    def integrand(z: float) -> float:
        return g(r1 * z) * cond(a * z) * np.exp(-z * z / 2) / np.sqrt(2 * np.pi)

    return sum(integrate.quad(integrand, lo, hi, epsabs=1e-13, epsrel=1e-13, limit=200)[0]
               for lo, hi in ((-40, 0), (0, 40)))


@pytest.mark.parametrize("name,derivative", [("relu", False), ("relu", True), ("abs", False),
                                             ("abs", True), ("sign", False)])
def test_kinked_closed_forms_match_adaptive_integral(name, derivative):
    got = R.gaussian_pair_expectation(name, Q1, Q2, KK, derivative=derivative)
    ref = np.array([_kink_reference(name, derivative, *t) for t in zip(Q1, Q2, KK)])
    np.testing.assert_allclose(got, ref, rtol=0, atol=1e-9)


@pytest.mark.parametrize("name", ["relu", "abs", "sign", "erf", "cos", "sin", "exp", "tanh", "gelu"])
def test_unit_variance_kernel_matches_mehler_series(name):
    # Mehler: E[phi(u) phi(v)] = sum_k a_k^2 rho^k; |rho| <= 0.5 so 50 terms are exact to ~1e-15
    rho = np.linspace(-0.5, 0.5, 11)
    got = R.gaussian_pair_expectation(name, 1.0, 1.0, rho)
    np.testing.assert_allclose(got, R.mehler_kernel(name, rho, degree=50), rtol=0, atol=1e-9)


@pytest.mark.parametrize("name", QUAD_ONLY)
@pytest.mark.parametrize("q", [1.0, 4.0])
def test_quadrature_accuracy_for_smooth_activations(name, q):
    # documented accuracy: < 1e-9 (values) at the automatic order, against 600 nodes
    qq = np.full(5, q)
    kk = q * np.array([-0.7, 0.0, 0.3, 0.9, 1.0])
    ref = R.gaussian_pair_expectation(name, qq, qq, kk, order=600)
    got = R.gaussian_pair_expectation(name, qq, qq, kk)
    np.testing.assert_allclose(got, ref, rtol=0, atol=1e-8 if name == "tanh" else 1e-12)
    dref = R.gaussian_pair_expectation(name, qq, qq, kk, derivative=True, order=600)
    dgot = R.gaussian_pair_expectation(name, qq, qq, kk, derivative=True)
    np.testing.assert_allclose(dgot, dref, rtol=0, atol=1e-7 if name == "tanh" else 1e-12)


@pytest.mark.parametrize("name", ["relu", "abs", "sign", "erf", "linear", "square", "cos", "sin",
                                  "exp", "tanh", "gelu", "softplus"])
def test_dual_activation_derivatives_at_zero_are_hermite_coefficients(name):
    # Mehler at rho = 0: f(0) = a_0^2, f'(0) = a_1^2, f''(0) = 2 a_2^2 (variance 1)
    a = R.hermite_coefficients(name, 2)
    vals = [float(R.dual_activation(name, 0.0, derivative_order=m)) for m in range(3)]
    np.testing.assert_allclose(vals, [a[0] ** 2, a[1] ** 2, 2 * a[2] ** 2], rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("name", ["relu", "abs", "erf", "square", "cos", "sin", "exp", "tanh"])
@pytest.mark.parametrize("q", [0.6, 1.7])
def test_dual_second_derivative_matches_difference_of_first(name, q):
    rho = np.array([-0.6, 0.1, 0.5, 0.8])
    h = 1e-5
    fd = (R.dual_activation(name, rho + h, q=q, derivative_order=1)
          - R.dual_activation(name, rho - h, q=q, derivative_order=1)) / (2 * h)
    got = R.dual_activation(name, rho, q=q, derivative_order=2)
    np.testing.assert_allclose(got, fd, rtol=1e-5, atol=1e-6)
    # and Price: f' is the derivative of f
    fd1 = (R.dual_activation(name, rho + h, q=q) - R.dual_activation(name, rho - h, q=q)) / (2 * h)
    np.testing.assert_allclose(R.dual_activation(name, rho, q=q, derivative_order=1), fd1, rtol=1e-6, atol=1e-7)


# --- random-features kernel ------------------------------------------------------------------
@pytest.mark.parametrize("name", ["relu", "erf", "tanh", "cos"])
def test_random_features_kernel_equals_monte_carlo_average(name):
    rng = np.random.default_rng(3)
    X = rng.standard_normal((6, 5)) * np.array([0.5, 1.0, 1.5, 1.0, 0.8]) / np.sqrt(6)
    exact = R.random_features_kernel(X, name)
    N = 200_000
    S = R.get_activation(name).fn(rng.standard_normal((N, 6)) @ X)  # N x n features
    mean = S.T @ S / N
    se = np.sqrt(np.maximum((S**2).T @ (S**2) / N - mean**2, 0) / N)
    # Monte Carlo error of an average of N i.i.d. terms: O(N^{-1/2}); 5 standard errors
    assert np.all(np.abs(exact - mean) <= 5 * se + 1e-12)
    est = R.random_features_kernel_monte_carlo(X, name, 20_000, rng=4)
    assert np.abs(est - exact).max() < 10 * se.max() * np.sqrt(N / 20_000)


@pytest.mark.parametrize("name", ["relu", "abs", "sign", "erf", "cos", "tanh"])
def test_random_features_kernel_is_symmetric_psd(name):
    X = np.random.default_rng(5).standard_normal((20, 30)) / np.sqrt(20)
    Phi = R.random_features_kernel(X, name)
    assert np.array_equal(Phi, Phi.T)
    ev = np.linalg.eigvalsh(Phi)
    assert ev.min() > -1e-10 * ev.max()


def test_repeated_and_antipodal_columns_give_no_nan():
    rng = np.random.default_rng(6)
    x = rng.standard_normal(7) * 1.37
    X = np.column_stack([x, x, -x, 3 * x, rng.standard_normal(7), np.zeros(7)])
    for name in ["relu", "abs", "sign", "erf", "tanh"]:
        Phi = R.random_features_kernel(X, name)
        assert np.isfinite(Phi).all()
    Phi = R.random_features_kernel(X, "relu")
    q = x @ x
    assert Phi[0, 1] == pytest.approx(q / 2, rel=1e-12)  # theta = 0: E relu(u)^2 = q/2
    assert Phi[0, 2] == pytest.approx(0.0, abs=1e-12)    # theta = pi
    assert Phi[0, 3] == pytest.approx(3 * q / 2, rel=1e-12)
    assert np.all(Phi[5] == 0)
    for name in ["relu", "sign", "cos", "tanh"]:  # zero column: exact diagonal phi(0)^2
        lin = R.random_features_kernel_linear_equivalent(X, name)
        assert np.isfinite(lin).all()
        np.testing.assert_allclose(np.diag(lin), np.diag(R.random_features_kernel(X, name)), atol=1e-9)
    D = R.kernel_from_covariance(X.T @ X, "relu", derivative=True)
    assert D[0, 1] == pytest.approx(0.5, rel=1e-12) and D[0, 2] == pytest.approx(0.0, abs=1e-12)


def test_unit_norm_linear_equivalent_is_the_stated_formula():
    p, n = 50, 40
    X = unit_columns(p, n, 7)
    for name in ["relu", "tanh", "erf", "cos", "abs"]:
        a0, a1, a2 = R.hermite_coefficients(name, 2)
        nu = R.second_moment(name)
        formula = (a0**2 + a2**2 / p) * np.ones((n, n)) + a1**2 * (X.T @ X) + (nu - a0**2 - a1**2 - a2**2 / p) * np.eye(n)
        np.testing.assert_allclose(R.random_features_kernel_linear_equivalent(X, name), formula, atol=1e-10)


@pytest.mark.parametrize("name", ["relu", "erf", "tanh", "softplus", "square", "exp"])
def test_linear_equivalent_has_the_exact_diagonal(name):
    X = np.random.default_rng(8).standard_normal((30, 25)) * np.linspace(0.2, 1.5, 25) / np.sqrt(30)
    exact = R.random_features_kernel(X, name)
    lin = R.random_features_kernel_linear_equivalent(X, name)
    np.testing.assert_allclose(np.diag(lin), np.diag(exact), rtol=1e-9, atol=1e-12)
    assert np.array_equal(lin, lin.T)


@pytest.mark.parametrize("name", ["relu", "erf", "tanh", "cos", "sin", "exp", "square", "softplus",
                                  "abs", "sign", "linear", "gelu"])
def test_coefficients_at_variance_match_hermite_of_scaled_activation(name):
    norms = np.array([0.3, 1.0, 2.2])
    X = np.diag(norms)  # columns of norms 0.3, 1, 2.2
    got = R.random_features_coefficients(X, name)
    fn = R.get_activation(name).fn
    for i, r in enumerate(norms):
        ref = R.hermite_coefficients(lambda x, r=r: fn(r * x), 2)
        np.testing.assert_allclose([got.a0[i], got.a1[i], got.a2[i]], ref, rtol=1e-8, atol=1e-10)
        assert got.nu[i] == pytest.approx(R.second_moment(lambda x, r=r: fn(r * x)), rel=1e-8)


def test_callable_activation_uses_quadrature_and_matches_name():
    X = np.random.default_rng(9).standard_normal((10, 6)) / np.sqrt(10)
    smooth = R.random_features_kernel(X, lambda x: np.tanh(x))
    np.testing.assert_allclose(smooth, R.random_features_kernel(X, "tanh"), atol=1e-8)
    lin = R.random_features_kernel_linear_equivalent(X, lambda x: np.tanh(x))
    np.testing.assert_allclose(lin, R.random_features_kernel_linear_equivalent(X, "tanh"), atol=1e-8)


def _rf_errors(n: int, name: str, seed: int) -> float:
    X = unit_columns(n, n, seed)
    Phi = R.random_features_kernel(X, name)
    return opnorm(Phi - R.random_features_kernel_linear_equivalent(X, name)) / np.mean(np.diag(Phi))


@pytest.mark.parametrize("name", ["relu", "erf"])
def test_linear_equivalent_error_shrinks_with_n(name):
    # relative operator-norm error at n = p: O(n^{-1/2}) (a few % at 200 for ReLU)
    e_small, e_large = _rf_errors(200, name, 10), _rf_errors(800, name, 11)
    assert e_small < 0.05
    assert e_large < 0.7 * e_small  # theory: ratio about 1/2 for a 4x larger n


def test_dropping_the_a2_over_p_term_costs_about_a2_squared_n_over_p():
    # relu, n = 2p: the rank-one term (a_2^2/p) 1 1^T has operator norm a_2^2 n / p = 0.159
    p, n = 300, 600
    X = unit_columns(p, n, 12)
    Phi = R.random_features_kernel(X, "relu")
    lin = R.random_features_kernel_linear_equivalent(X, "relu")
    a2sq = R.hermite_coefficients("relu", 2)[2] ** 2
    without = lin - a2sq / p * (np.ones((n, n)) - np.eye(n))  # diagonal kept exact
    err_with, err_without = opnorm(Phi - lin), opnorm(Phi - without)
    assert err_with < 0.2 * a2sq * n / p
    # err_without = a2^2 n/p up to err_with (triangle inequality)
    assert abs(err_without - a2sq * n / p) <= err_with + a2sq


def test_norm_dependent_equivalent_beats_the_unit_norm_formula_on_gaussian_data():
    # i.i.d. N(0, 1/p) entries: norms fluctuate at O(p^{-1/2}); keeping a_k(q_i) matters
    n = p = 400
    X = np.random.default_rng(13).standard_normal((p, n)) / np.sqrt(p)
    Phi = R.random_features_kernel(X, "relu")
    lin = R.random_features_kernel_linear_equivalent(X, "relu")
    a0, a1, a2 = R.hermite_coefficients("relu", 2)
    naive = (a0**2 + a2**2 / p) + a1**2 * (X.T @ X) + (0.5 - a0**2 - a1**2) * np.eye(n)
    e_lin, e_naive = opnorm(Phi - lin) / 0.5, opnorm(Phi - naive) / 0.5
    assert e_lin < 0.05
    assert e_naive > 3 * e_lin


# --- inner-product kernels -------------------------------------------------------------------
def _ip_error(n: int, f, seed: int, drop_second: bool = False, p: int | None = None) -> tuple[float, float]:
    p = n if p is None else p
    X = np.random.default_rng(seed).standard_normal((p, n))
    Km = R.inner_product_kernel(X, f)
    lin = R.inner_product_kernel_linear_equivalent(X, f)
    if drop_second:
        h = 1e-3
        f2 = (f(np.array(h)) - 2 * f(np.array(0.0)) + f(np.array(-h))) / h**2
        lin = lin - f2 / (2 * p) * (np.ones((n, n)) - np.eye(n))
    return opnorm(Km - lin), float(np.mean(np.diag(Km)))


def test_inner_product_kernel_definition_and_exact_diagonal():
    X = np.random.default_rng(14).standard_normal((20, 15))
    Km = R.inner_product_kernel(X, np.exp)
    np.testing.assert_allclose(Km, np.exp(X.T @ X / 20))
    lin = R.inner_product_kernel_linear_equivalent(X, np.exp)
    np.testing.assert_allclose(np.diag(lin), np.diag(Km), rtol=1e-12)
    lin2 = R.inner_product_kernel_linear_equivalent(X, np.exp, derivatives=(1.0, 1.0))
    np.testing.assert_allclose(lin, lin2, atol=1e-6)


@pytest.mark.parametrize("f", [np.exp, lambda t: np.cos(t) + t])
def test_inner_product_linear_equivalent_error_shrinks(f):
    # El Karoui (2010): operator-norm error O(n^{-1/2}) at n = p (measured: 7%, then 3.5%)
    e200, d200 = _ip_error(200, f, 15)
    e800, _ = _ip_error(800, f, 16)
    assert e200 / d200 < 0.12
    assert e800 < 0.7 * e200  # theory: ratio about 1/2 for a 4x larger n


def test_inner_product_second_order_term_is_needed():
    # f = exp, n = 2p: f''(0)/(2p) 1 1^T has operator norm f''(0) n / (2p) = 1
    err, diag = _ip_error(600, np.exp, 17, p=300)
    err_drop, _ = _ip_error(600, np.exp, 17, drop_second=True, p=300)
    assert err < 0.1 * diag
    assert abs(err_drop - 1.0) <= err + 1.0 / 300


# --- input validation ------------------------------------------------------------------------
def test_input_errors():
    X = np.ones((3, 4))
    with pytest.raises(ValueError, match="activation"):
        R.random_features_kernel(X, "nope")
    with pytest.raises(TypeError, match="activation"):
        R.random_features_kernel(X, 3)
    with pytest.raises(ValueError, match="X"):
        R.random_features_kernel(np.ones(4), "relu")
    with pytest.raises(ValueError, match="X"):
        R.random_features_kernel(np.array([[np.nan, 1.0]]), "relu")
    with pytest.raises(ValueError, match="k must satisfy"):
        R.gaussian_pair_expectation("relu", 1.0, 1.0, 1.1)
    with pytest.raises(ValueError, match="q1"):
        R.gaussian_pair_expectation("relu", -1.0, 1.0, 0.0)
    with pytest.raises(ValueError, match="broadcast"):
        R.gaussian_pair_expectation("relu", [1.0, 1.0], [1.0, 1.0, 1.0], 0.0)
    with pytest.raises(ValueError, match="sign"):
        R.gaussian_pair_expectation("sign", 1.0, 1.0, 0.5, derivative=True)
    with pytest.raises(ValueError, match="order"):
        R.gaussian_pair_expectation("tanh", 1.0, 1.0, 0.5, order=3)
    with pytest.raises(ValueError, match="rho"):
        R.dual_activation("relu", 1.5)
    with pytest.raises(ValueError, match="derivative_order"):
        R.dual_activation("relu", 0.5, derivative_order=3)
    with pytest.raises(ValueError, match="q"):
        R.dual_activation("relu", 0.5, q=0.0)
    with pytest.raises(ValueError, match="num_features"):
        R.random_features_kernel_monte_carlo(X, "relu", 0)
    with pytest.raises(ValueError, match="symmetric"):
        R.kernel_from_covariance(np.array([[1.0, 0.5], [0.2, 1.0]]), "relu")
    with pytest.raises(ValueError, match="square"):
        R.kernel_from_covariance(np.ones((2, 3)), "relu")
    with pytest.raises(TypeError, match="f"):
        R.inner_product_kernel(X, 1.0)
    with pytest.raises(ValueError, match="finite"):
        R.inner_product_kernel(X, lambda t: np.full_like(t, np.nan))
    with pytest.raises(TypeError, match="derivatives"):
        R.inner_product_kernel_linear_equivalent(X, np.exp, derivatives=1.0)


def test_monte_carlo_kernel_keyword_is_num_features_and_the_old_name_is_deprecated():
    X = np.eye(3)
    new = R.random_features_kernel_monte_carlo(X, "relu", num_features=64, rng=0)
    with pytest.warns(DeprecationWarning, match="n_features"):
        old = R.random_features_kernel_monte_carlo(X, "relu", n_features=64, rng=0)
    np.testing.assert_array_equal(new, old)
