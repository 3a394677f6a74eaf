"""Tests of the Gaussian-pair quadrature behind rmtbook.kernels and rmtbook.deep
(rmtbook._pair_quadrature, with the panel rule of rmtbook._quadrature).

Three parts, each against independent references:

* the accurate path (polar rule tabulated in the angle): against the per-pair trapezoidal rule at
  high order, against direct polar quadrature at random angles (near rho = +-1 too), and on kinked
  callables (centred ReLU, abs, sign, leaky ReLU, step) against closed forms;
* data with many distinct column norms (unnormalized or real data): every entry against the polar
  rule evaluated entry by entry (geometric convergence, about 1e-15), and against closed forms
  where they exist. Before the Mehler path, these entries went through a tensor trapezoidal rule:
  about 1e-9 for tanh but 1e-4 to 1e-3 for kinked callables;
* activations with kinks away from 0, declared with ``get_activation(fn, breakpoints=...)``:
  reference values for the hard tanh ``clip(x, -1, 1)`` reduce the 2-D Gaussian expectation to a
  1-D integral (given u, v is Gaussian and ``E[clip(v) | u]`` and ``P(|v| < 1 | u)`` have closed
  forms; the remaining integral over u is split at the kinks ``u = +-1`` and computed by adaptive
  quadrature to about 1e-15). Without breakpoints the polar rule converges only algebraically
  across such kinks (errors 1e-5 to 3e-4); with them it is exact to rounding.

The public kernel functions themselves are tested in tests/test_kernels.py.
"""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy import integrate, special

import rmtbook as R
import rmtbook._kernel_core as KC
import rmtbook._pair_quadrature as PQ  # the module that calls the shared panel rule
from rmtbook import get_activation, hermite_coefficients, second_moment
from rmtbook._quadrature import gaussian_hermite_moments
from rmtbook.deep import conjugate_kernel_layers, neural_tangent_kernel
from rmtbook.kernels import dual_activation, gaussian_pair_expectation, kernel_from_covariance

QUAD_ONLY = ["tanh", "sigmoid", "gelu", "silu", "softplus"]


def unit_columns(p: int, n: int, seed: int) -> np.ndarray:
    X = np.random.default_rng(seed).standard_normal((p, n))
    return X / np.linalg.norm(X, axis=0)


# --- accurate path: polar rule, Chebyshev tabulation in the angle, kinked callables ----------
C0 = 1 / np.sqrt(2 * np.pi)  # E relu(xi), xi ~ N(0, 1)


def centred_relu(x):
    return np.maximum(x, 0) - C0


def _centred_relu_kernel(q1, q2, k):
    # E[(relu(u) - c)(relu(v) - c)] = K_relu - c (E relu(u) + E relu(v)) + c^2, E relu(u) = c sqrt(q1)
    return R.gaussian_pair_expectation("relu", q1, q2, k) - C0**2 * (np.sqrt(q1) + np.sqrt(q2)) + C0**2


def _angles(seed: int) -> np.ndarray:
    # random angles plus the endpoints and points very close to them (|rho| -> 1)
    th = np.random.default_rng(seed).uniform(0, np.pi, 40)
    return np.concatenate([th, [0.0, 1e-9, 1e-6, 1e-3, np.pi - 1e-3, np.pi - 1e-7, np.pi]])


@pytest.mark.parametrize("fn,q1,q2", [(np.tanh, 1.0, 1.0), (np.tanh, 4.0, 4.0), (np.tanh, 16.0, 16.0),
                                      (np.tanh, 0.5, 2.0), (centred_relu, 1.0, 1.0),
                                      (centred_relu, 0.3, 1.7), (R.get_activation("gelu").fn, 2.0, 2.0),
                                      (R.get_activation("tanh").derivative, 3.0, 3.0)])
def test_chebyshev_table_in_the_angle_matches_direct_polar_quadrature(fn, q1, q2):
    # the interpolant must reproduce the quadrature it tabulates at arbitrary angles, including
    # rho = cos(theta) within 1e-18 of +-1; target: relative 1e-13 (the table is cut at 1e-14)
    coef = PQ.angle_table(fn, q1, q2)
    th = _angles(1)
    direct = PQ.polar_expectation(fn, fn, q1, q2, th)
    interp = np.polynomial.chebyshev.chebval(1 - 2 * th / np.pi, coef)
    np.testing.assert_allclose(interp, direct, rtol=0, atol=1e-13 * np.abs(direct).max())


@pytest.mark.parametrize("name", QUAD_ONLY)
@pytest.mark.parametrize("derivative", [False, True])
def test_tabulated_kernel_matrix_matches_per_pair_quadrature(name, derivative):
    # unit-norm data: one variance pair, so the whole matrix comes from the Chebyshev table.
    # Reference: per-pair trapezoidal rule with 400 nodes (converged to ~1e-15 at q = 1)
    X = unit_columns(30, 60, 21)
    G = X.T @ X
    fast = R.kernel_from_covariance(G, name, derivative=derivative)
    i, j = np.triu_indices(60)
    sub = np.random.default_rng(22).choice(i.size, 150, replace=False)
    i, j = np.concatenate([i[sub], [0, 5]]), np.concatenate([j[sub], [0, 5]])  # with diagonal entries
    act = KC.resolve(name)
    f = act.dphi if derivative else act.phi
    d = np.diag(G)
    ref = PQ.trapezoid_expectation(f, f, d[i], d[j], np.clip(G[i, j], -1, 1), 400)
    np.testing.assert_allclose(fast[i, j], ref, rtol=0, atol=1e-13)
    # and the automatic trapezoidal rule of earlier versions agrees to its documented accuracy
    # (test_quadrature_accuracy_for_smooth_activations: 1e-8 values, 1e-7 tanh derivative)
    old = PQ.trapezoid_expectation(f, f, d[i], d[j], np.clip(G[i, j], -1, 1), None)
    np.testing.assert_allclose(fast[i, j], old, rtol=0, atol=1e-7 if derivative else 1e-8)


def test_tabulation_groups_columns_of_a_few_distinct_norms():
    # two norms: three variance pairs, each tabulated; against the 400-node trapezoidal rule
    X = unit_columns(25, 40, 23) * np.where(np.arange(40) % 2 == 0, 1.0, 1.8)
    G = X.T @ X
    fast = R.random_features_kernel(X, "tanh")
    i, j = np.triu_indices(40)
    act = KC.resolve("tanh")
    d = np.diag(G)
    bound = np.sqrt(d[i] * d[j])
    ref = PQ.trapezoid_expectation(act.phi, act.phi, d[i], d[j], np.clip(G[i, j], -bound, bound), 400)
    np.testing.assert_allclose(fast[i, j], ref, rtol=0, atol=1e-13)
    assert np.array_equal(fast, fast.T)


def test_centred_relu_callable_matches_its_closed_form():
    # a kink at 0: the polar rule puts panel edges on it (error ~1e-14; the former trapezoidal
    # rule was off by ~3e-3 here). Target 1e-8, checked at 1e-12.
    X = unit_columns(40, 70, 24)
    got = R.random_features_kernel(X, centred_relu)  # tabulated path (one variance pair)
    G = X.T @ X
    d = np.diag(G)
    ref = _centred_relu_kernel(d[:, None], d[None, :], np.clip(G, -1, 1))
    np.testing.assert_allclose(got, ref, rtol=0, atol=1e-12)
    nu = 0.5 - C0**2  # E[(relu(xi) - c)^2]
    np.testing.assert_allclose(np.diag(got) / nu, 1.0, rtol=0, atol=1e-12)
    # dual activation at few points (direct path), including rho = +-1, and at another variance
    rho = np.array([-1.0, -1 + 1e-12, -0.4, 0.0, 0.7, 1 - 1e-12, 1.0])
    for q in (1.0, 2.5):
        np.testing.assert_allclose(R.dual_activation(centred_relu, rho, q=q),
                                   _centred_relu_kernel(q, q, q * rho), rtol=0, atol=1e-12 * q)
    # general norms (entries integrated one by one)
    Y = np.random.default_rng(25).standard_normal((6, 7)) * np.linspace(0.3, 2.0, 7)
    Gy = Y.T @ Y
    dy = np.diag(Gy)
    np.testing.assert_allclose(R.random_features_kernel(Y, centred_relu),
                               _centred_relu_kernel(dy[:, None], dy[None, :], Gy), rtol=0,
                               atol=1e-12 * dy.max())


@pytest.mark.parametrize("fn,name", [(np.abs, "abs"), (np.sign, "sign"), (lambda x: np.maximum(x, 0), "relu")])
def test_kinked_callables_match_named_closed_forms(fn, name):
    X = np.random.default_rng(26).standard_normal((20, 60))
    X /= np.linalg.norm(X, axis=0) / 1.3  # norm 1.3 (q = 1.69)
    np.testing.assert_allclose(R.random_features_kernel(X, fn), R.random_features_kernel(X, name),
                               rtol=0, atol=1e-12)


def test_leaky_relu_and_step_callables_match_closed_forms():
    rho = np.cos(_angles(27))
    leaky = R.dual_activation(lambda x: np.where(x > 0, x, 0.1 * x), rho, q=2.0)
    # leaky = 0.9 relu + 0.1 x: 0.81 K_relu + 2 * 0.9 * 0.1 E[relu(u) v] + 0.01 q rho, E[relu(u) v] = q rho / 2
    ref = 0.81 * R.dual_activation("relu", rho, q=2.0) + 0.09 * 2.0 * rho + 0.01 * 2.0 * rho
    np.testing.assert_allclose(leaky, ref, rtol=0, atol=1e-12)
    step = R.dual_activation(lambda x: (x > 0).astype(float), rho)
    np.testing.assert_allclose(step, 0.25 + np.arcsin(rho) / (2 * np.pi), rtol=0, atol=1e-12)


def test_derivative_kernel_of_a_kinked_callable():
    # phi' of a callable is a central difference (a ramp of width 2e-5 across the kink): the
    # derivative kernel of a centred ReLU is the arc-cosine kernel of order 0 up to ~1e-6
    rho = np.cos(_angles(28))
    got = R.dual_activation(centred_relu, rho, derivative_order=1)
    np.testing.assert_allclose(got, R.dual_activation("relu", rho, derivative_order=1), rtol=0, atol=5e-6)


def test_accurate_path_edge_cases():
    assert PQ.accurate_expectation(np.tanh, np.ones(0), np.ones(0), np.zeros(0)).shape == (0,)
    # zero variance: E[phi(0) phi(v)] = phi(0) E phi(v)
    got = R.gaussian_pair_expectation(lambda x: x**2 + 1, 0.0, 2.0, 0.0)
    assert got == pytest.approx(3.0, rel=1e-13)
    with pytest.raises(ValueError, match="finite"):
        R.dual_activation(lambda x: np.where(x > 1, np.nan, x), np.linspace(-1, 1, 5))


def test_mixed_tabulated_and_per_pair_entries():
    # 40 unit-norm columns (one tabulated group) and 30 columns of distinct norms: the 1665 other
    # entries exceed the direct limit and use the automatic trapezoidal rule (documented 1e-9)
    X = np.hstack([unit_columns(25, 40, 29), unit_columns(25, 30, 30) * np.linspace(0.5, 1.5, 30)])
    G = X.T @ X
    got = R.random_features_kernel(X, "tanh")
    i, j = np.triu_indices(70)
    d = np.diag(G)
    bound = np.sqrt(d[i] * d[j])
    ref = PQ.trapezoid_expectation(np.tanh, np.tanh, d[i], d[j], np.clip(G[i, j], -bound, bound), 400)
    np.testing.assert_allclose(got[i, j], ref, rtol=0, atol=1e-8)
    both = (i < 40) & (j < 40)  # the tabulated block is exact to rounding
    np.testing.assert_allclose(got[i, j][both], ref[both], rtol=0, atol=1e-13)


# --- many distinct norms: Mehler's series with per-variance Hermite coefficients -------------
def leaky(x):
    return np.where(x > 0, x, 0.1 * x)


ACTIVATIONS = {
    "tanh": "tanh",
    "centred ReLU callable": lambda x: np.maximum(x, 0.0) - 0.4,
    "leaky ReLU callable": leaky,
    "hard tanh with breakpoints": get_activation(lambda x: np.clip(x, -1.0, 1.0), breakpoints=(-1, 1)),
}


def _data(kind: str, rng: np.random.Generator) -> np.ndarray:
    scales = rng.uniform(0.5, 2.0, 160)
    if kind == "isotropic":  # |rho| ~ p^{-1/2}: low-degree Mehler series
        return rng.standard_normal((120, 160)) * scales
    mean = rng.standard_normal((120, 1)) * 0.3  # two classes: |rho| up to ~0.6
    return (rng.standard_normal((120, 160)) + 3 * mean * rng.choice([-1, 1], 160)) * scales


def _polar_reference(act, G: np.ndarray, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    a = KC.resolve(act)
    out = []
    for x, y in zip(i, j):
        rho = np.clip(G[x, y] / np.sqrt(G[x, x] * G[y, y]), -1.0, 1.0)
        out.append(PQ.polar_expectation(a.phi, a.phi, G[x, x], G[y, y], np.array([np.arccos(rho)]), a.breaks)[0])
    return np.array(out)


@pytest.mark.parametrize("kind", ["isotropic", "mixture"])
@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_distinct_norm_kernels_match_the_polar_rule(kind, name):
    rng = np.random.default_rng(1)
    X = _data(kind, rng)
    G = X.T @ X / X.shape[0]
    act = ACTIVATIONS[name]
    out = kernel_from_covariance(G, act)
    n = G.shape[0]
    assert np.unique(np.round(np.diag(G), 12)).size == n  # all norms distinct: no angle table
    iu = np.triu_indices(n)
    pick = rng.choice(iu[0].size, 60, replace=False)
    i = np.concatenate([iu[0][pick], np.arange(5)])  # off-diagonal and diagonal entries
    j = np.concatenate([iu[1][pick], np.arange(5)])
    assert_allclose(out[i, j], _polar_reference(act, G, i, j), rtol=0, atol=2e-13)


def test_leaky_relu_with_exact_derivative_against_closed_forms():
    """leaky(x) = 0.55 x + 0.45 |x|, so E[phi(u) phi(v)] = 0.55^2 k + 0.45^2 E|u||v| (the cross
    terms E[u |v|] vanish by symmetry), and phi' = 0.55 + 0.45 sign gives the derivative kernel."""
    rng = np.random.default_rng(2)
    X = _data("mixture", rng)
    G = X.T @ X / X.shape[0]
    act = get_activation(leaky, derivative=lambda x: np.where(x > 0, 1.0, 0.1))
    expected = 0.55**2 * G + 0.45**2 * kernel_from_covariance(G, "abs")
    assert_allclose(kernel_from_covariance(G, act), expected, rtol=0, atol=2e-13)
    d_expected = 0.55**2 + 0.45**2 * kernel_from_covariance(G, "sign")
    assert_allclose(kernel_from_covariance(G, act, derivative=True), d_expected, rtol=0, atol=2e-13)
    # through a network: the NTK of one layer on this data is finite, symmetric and equals
    # K_1 + K_0 * dK_1 (readout included)
    Xs = X / np.sqrt(X.shape[0])
    ntk = neural_tangent_kernel(Xs, [act])
    k0, k1 = conjugate_kernel_layers(Xs, [act]).kernels
    assert_allclose(ntk, k1 + k0 * kernel_from_covariance(k0, act, derivative=True), atol=1e-12)


def test_shared_node_panel_rule_matches_the_adaptive_hermite_coefficients():
    f = lambda x: np.clip(x, -1, 1) + np.maximum(x - 1.2, 0)  # noqa: E731  kinks at -1, 1, 1.2
    act = get_activation(f, breakpoints=(-1, 1, 1.2))
    qs = np.array([1e-4, 0.3, 1.0, 4.0, 50.0])
    coef, same, opposite = gaussian_hermite_moments(act.fn, qs, 48, breaks=act.breakpoints)  # shared nodes
    for q, c, nu, opp in zip(qs, coef, same, opposite):
        bp = [b / np.sqrt(q) for b in (-1, 1, 1.2) if abs(b / np.sqrt(q)) < 40]
        g = lambda x, q=q: f(np.sqrt(q) * x)  # noqa: E731
        assert_allclose(c, hermite_coefficients(g, 48, breakpoints=bp), rtol=0, atol=1e-14)
        assert nu == pytest.approx(second_moment(g, breakpoints=bp), abs=1e-14)
        both = bp + [-b for b in bp]  # E[phi(u) phi(-u)]: the mean of x -> g(x) g(-x)
        assert opp == pytest.approx(hermite_coefficients(lambda x: g(x) * g(-x), 0, breakpoints=both)[0], abs=1e-14)


def test_mehler_degree_follows_the_largest_correlation(monkeypatch):
    """The truncation degree is the smallest K with rho_max^(K+1) < 1e-17."""
    seen = []
    original = PQ.gaussian_hermite_moments

    def spy(phi, qs, degree, **kwargs):
        seen.append(degree)
        return original(phi, qs, degree, **kwargs)

    monkeypatch.setattr(PQ, "gaussian_hermite_moments", spy)
    rng = np.random.default_rng(3)
    X = _data("isotropic", rng)
    G = X.T @ X / X.shape[0]
    kernel_from_covariance(G, ACTIVATIONS["leaky ReLU callable"])
    rho = np.abs(G / np.sqrt(np.outer(np.diag(G), np.diag(G))))[np.triu_indices(G.shape[0], 1)]
    assert seen == [int(np.ceil(np.log(1e-17) / np.log(rho.max())))]


# --- kinks away from 0, declared as breakpoints ----------------------------------------------
def hardtanh(x):
    return np.clip(x, -1.0, 1.0)


def _outer(q1, q2, k, inner, u_range=12.0):
    """E_u[g(u) inner(mean, sd)] for v | u ~ N(k u / q1, q2 - k^2 / q1), split at u = +-1."""
    s1 = np.sqrt(q1)
    sd = np.sqrt(max(q2 - k * k / q1, 0.0))

    def f(z):
        u = s1 * z
        return inner(u, k / q1 * u, sd) * np.exp(-z * z / 2) / np.sqrt(2 * np.pi)

    edges = sorted({-u_range, -1 / s1, 0.0, 1 / s1, u_range})
    return sum(integrate.quad(f, a, b, epsabs=1e-16, epsrel=1e-14, limit=400)[0] for a, b in zip(edges[:-1], edges[1:]))


def _clip_given(u, m, sd):
    if sd == 0:
        return hardtanh(u) * hardtanh(m)
    a, b = (-1 - m) / sd, (1 - m) / sd
    pa, pb = special.ndtr(a), special.ndtr(b)
    da, db = np.exp(-a * a / 2) / np.sqrt(2 * np.pi), np.exp(-b * b / 2) / np.sqrt(2 * np.pi)
    return hardtanh(u) * (-pa + (1 - pb) + m * (pb - pa) + sd * (da - db))


def _slope_given(u, m, sd):
    if abs(u) >= 1:
        return 0.0
    if sd == 0:
        return float(abs(m) < 1)
    return special.ndtr((1 - m) / sd) - special.ndtr((-1 - m) / sd)


def reference(q1, q2, k, derivative=False):
    return _outer(q1, q2, k, _slope_given if derivative else _clip_given)


CASES = [(1.0, 1.0, 0.3), (2.0, 0.5, -0.6), (0.7, 0.7, 0.7), (4.0, 1.0, 1.9), (1.0, 1.0, 1.0), (0.3, 3.0, 0.2)]


@pytest.mark.filterwarnings("ignore::scipy.integrate.IntegrationWarning")
def test_pair_expectation_is_exact_with_breakpoints():
    kinked = get_activation(hardtanh, breakpoints=(-1, 1))
    plain = get_activation(hardtanh)
    errors_plain = []
    for q1, q2, k in CASES:
        ref = reference(q1, q2, k)
        got = gaussian_pair_expectation(kinked, q1, q2, k, order=None)
        assert got == pytest.approx(ref, abs=1e-13)
        errors_plain.append(abs(gaussian_pair_expectation(plain, q1, q2, k, order=None) - ref))
    assert max(errors_plain) > 1e-6  # the breakpoints are what makes the difference


@pytest.mark.filterwarnings("ignore::scipy.integrate.IntegrationWarning")
def test_tabulated_dual_activation_and_its_derivative():
    """Many correlations at one variance: the angle table, to 1e-12 (value and Price derivative)."""
    kinked = get_activation(hardtanh, breakpoints=(1.0, -1.0))
    q = 1.5
    rho = np.linspace(-1.0, 1.0, 61)
    ref = np.array([reference(q, q, q * r) for r in rho])
    assert_allclose(dual_activation(kinked, rho, q=q, order=None), ref, rtol=0, atol=1e-12)
    ref_d = np.array([q * reference(q, q, q * r, derivative=True) for r in rho])
    assert_allclose(dual_activation(kinked, rho, q=q, derivative_order=1, order=None), ref_d, rtol=0, atol=1e-11)


@pytest.mark.filterwarnings("ignore::scipy.integrate.IntegrationWarning")
def test_kernels_of_networks_use_the_breakpoints():
    """Conjugate kernel and NTK of equal-norm data with a hard tanh (the tabulated path): the
    first layer is E[phi(u) phi(v)] at the data Gram matrix, checked entry by entry."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((30, 64))
    X *= 1.2 / np.linalg.norm(X, axis=0)  # equal norms: one variance, the angle table is used
    kinked = get_activation(hardtanh, breakpoints=(-1, 1))
    k0, k1 = conjugate_kernel_layers(X, [kinked]).kernels
    assert_allclose(k1, kernel_from_covariance(k0, kinked), atol=1e-15)
    iu = np.triu_indices(64, 1)
    pick = rng.choice(iu[0].size, 12, replace=False)
    i, j = iu[0][pick], iu[1][pick]
    ref = [reference(k0[a, a], k0[b, b], k0[a, b]) for a, b in zip(i, j)]
    assert_allclose(k1[i, j], ref, rtol=0, atol=1e-12)
    assert_allclose(np.diag(k1), reference(k0[0, 0], k0[0, 0], k0[0, 0]), atol=1e-12)
    ntk = neural_tangent_kernel(X, [kinked])
    assert np.all(np.isfinite(ntk)) and np.allclose(ntk, ntk.T)


def test_finite_difference_derivative_jumps_at_breakpoints():
    kinked = get_activation(hardtanh, breakpoints=(-1, 1))
    x = np.array([-1 - 1e-7, -1.0, -1 + 1e-7, 0.5, 1 - 1e-7, 1.0, 1 + 1e-7])
    assert_allclose(kinked.derivative(x), [0, 1, 1, 1, 1, 0, 0], atol=1e-9)
    # without breakpoints the central difference ramps across the kink
    assert 0.1 < get_activation(hardtanh).derivative(1.0) < 0.9
    # extending an Activation rebuilds its finite difference with the new breaks
    extended = get_activation(get_activation(hardtanh), breakpoints=(-1, 1))
    assert extended.breakpoints == (-1.0, 1.0)
    assert_allclose(extended.derivative(x), kinked.derivative(x))


def test_hermite_coefficients_use_the_activation_breakpoints():
    kinked = get_activation(hardtanh, breakpoints=(-1, 1))
    a = hermite_coefficients(kinked, 6)
    b = hermite_coefficients(hardtanh, 6, breakpoints=(-1, 1))
    assert_allclose(a, b, atol=1e-15)
    # closed forms: a_1 = E[clip(x) x] = P(|x| < 1), nu = E[clip(x)^2]
    p_in = special.erf(1 / np.sqrt(2))
    assert a[1] == pytest.approx(p_in, abs=1e-13)
    nu = p_in - 2 * np.exp(-0.5) / np.sqrt(2 * np.pi) + (1 - p_in)
    assert second_moment(kinked) == pytest.approx(nu, abs=1e-13)


@pytest.mark.parametrize(
    "bad, match",
    [((np.nan,), "breakpoints"), ((50.0,), "breakpoints"), (("a",), "breakpoints"), ([[1.0]], "breakpoints")],
)
def test_breakpoints_are_validated(bad, match):
    with pytest.raises((ValueError, TypeError), match=match):
        get_activation(hardtanh, breakpoints=bad)


def test_breakpoints_with_a_name_are_refused():
    with pytest.raises(ValueError, match="kinks of the named activation 'relu' are at 0"):
        get_activation("relu", breakpoints=(1.0,))
    assert get_activation("relu").breakpoints == ()
    assert get_activation(hardtanh, breakpoints=(0.0, 1.0)).breakpoints == (1.0,)  # 0 is implicit
