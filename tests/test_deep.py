"""Tests of rmtbook.deep: infinite-width conjugate kernel, NTK and their linear equivalents."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import rmtbook as R


def unit_columns(p: int, n: int, seed: int) -> np.ndarray:
    X = np.random.default_rng(seed).standard_normal((p, n))
    return X / np.linalg.norm(X, axis=0)


def opnorm(A: np.ndarray) -> float:
    return float(np.abs(np.linalg.eigvalsh((A + A.T) / 2)).max())


@pytest.mark.parametrize("name", ["relu", "erf", "tanh", "abs"])
def test_depth_one_conjugate_kernel_is_the_random_features_kernel(name):
    X = np.random.default_rng(0).standard_normal((12, 9)) / np.sqrt(12)
    np.testing.assert_array_equal(R.conjugate_kernel(X, [name]), R.random_features_kernel(X, name))


def test_conjugate_kernel_recursion_and_layers():
    X = np.random.default_rng(1).standard_normal((8, 7)) / np.sqrt(8)
    layers = R.conjugate_kernel_layers(X, ["relu", "tanh", "erf"])
    assert isinstance(layers, R.LayerKernels) and layers.depth == 3
    Ks = layers.kernels
    assert len(Ks) == 4
    np.testing.assert_array_equal(Ks[-1], R.conjugate_kernel(X, ["relu", "tanh", "erf"]))
    np.testing.assert_allclose(Ks[0], X.T @ X)
    for K_prev, K_next, name in zip(Ks[:-1], Ks[1:], ["relu", "tanh", "erf"]):
        np.testing.assert_allclose(K_next, R.kernel_from_covariance(K_prev, name), atol=1e-14)
    # mixed depths: a PSD matrix at every layer
    for K in Ks:
        assert np.linalg.eigvalsh(K).min() > -1e-10


@pytest.mark.parametrize("name", ["relu", "erf", "tanh"])
def test_ntk_depth_one_consistency(name):
    X = np.random.default_rng(2).standard_normal((10, 6)) / np.sqrt(10)
    K0 = X.T @ X
    expected = R.random_features_kernel(X, name) + K0 * R.kernel_from_covariance(K0, name, derivative=True)
    np.testing.assert_allclose(R.neural_tangent_kernel(X, [name]), expected, atol=1e-14)


def test_ntk_depth_two_recursion():
    X = np.random.default_rng(3).standard_normal((10, 6)) / np.sqrt(10)
    K0 = X.T @ X
    K1 = R.kernel_from_covariance(K0, "relu")
    T1 = K1 + K0 * R.kernel_from_covariance(K0, "relu", derivative=True)
    T2 = R.kernel_from_covariance(K1, "erf") + T1 * R.kernel_from_covariance(K1, "erf", derivative=True)
    Ts = R.neural_tangent_kernel_layers(X, ["relu", "erf"]).kernels
    np.testing.assert_allclose(Ts[1], T1, atol=1e-14)
    np.testing.assert_allclose(Ts[2], T2, atol=1e-14)


def test_ntk_matches_empirical_tangent_kernel_of_a_wide_network():
    # f(x) = v^T relu(W x) / sqrt(N), W, v standard Gaussian: its tangent kernel averages
    # N i.i.d. terms relu(w.x) relu(w.x') + v^2 relu'(w.x) relu'(w.x') x.x'; 5 standard errors
    rng = np.random.default_rng(4)
    X = rng.standard_normal((5, 4)) / np.sqrt(5)
    N = 200_000
    W = rng.standard_normal((N, 5))
    v2 = rng.standard_normal(N) ** 2
    H = W @ X
    S, D = np.maximum(H, 0), (H > 0).astype(float)
    terms = S[:, :, None] * S[:, None, :] + v2[:, None, None] * D[:, :, None] * D[:, None, :] * (X.T @ X)
    mean, se = terms.mean(0), terms.std(0) / np.sqrt(N)
    assert np.all(np.abs(R.neural_tangent_kernel(X, ["relu"]) - mean) <= 5 * se + 1e-12)


def test_relu_ntk_closed_form_values():
    # unit vectors at angle theta: K1 = (sin t + (pi - t) cos t)/(2 pi), Theta1 = K1 + cos t (pi - t)/(2 pi)
    t = 1.1
    X = np.array([[1.0, np.cos(t)], [0.0, np.sin(t)]])
    K1 = (np.sin(t) + (np.pi - t) * np.cos(t)) / (2 * np.pi)
    T = R.neural_tangent_kernel(X, ["relu"])
    assert T[0, 1] == pytest.approx(K1 + np.cos(t) * (np.pi - t) / (2 * np.pi), rel=1e-14)
    assert T[0, 0] == pytest.approx(0.5 + 0.5, rel=1e-14)


def test_degenerate_repeated_columns_no_nan():
    x = np.random.default_rng(5).standard_normal(6)
    x /= np.linalg.norm(x)
    X = np.column_stack([x, x, -x, x * (1 + 1e-16)])
    for acts in (["relu"] * 4, ["erf"] * 3, ["tanh", "relu"]):
        K = R.conjugate_kernel(X, acts)
        T = R.neural_tangent_kernel(X, acts)
        assert np.isfinite(K).all() and np.isfinite(T).all()
        assert K[0, 1] == pytest.approx(K[0, 0], rel=1e-12)
        assert T[0, 1] == pytest.approx(T[0, 0], rel=1e-12)


def test_coefficients_depth_one_and_diagonals():
    p = 100
    a0, a1, a2 = R.hermite_coefficients("relu", 2)
    co = R.conjugate_kernel_coefficients(["relu"], p)
    A, B, C = co.A, co.B, co.C
    np.testing.assert_allclose([A[1], B[1], C[1]], [a0**2 + a2**2 / p, a1**2, 0.5 - a0**2 - a1**2 - a2**2 / p])
    np.testing.assert_allclose([A[0], B[0], C[0]], [0, 1, 0])
    # the recursion's diagonal is the exact diagonal of the kernel (unit-norm data)
    X = unit_columns(p, 30, 6)
    for acts in (["relu"] * 3, ["erf", "tanh"], ["gelu"] * 2):
        Ks = R.conjugate_kernel_layers(X, acts).kernels
        q = R.conjugate_kernel_coefficients(acts, p).diagonal()
        np.testing.assert_allclose(q, [K[0, 0] for K in Ks], rtol=1e-9)
        Ts = R.neural_tangent_kernel_layers(X, acts).kernels
        qt = R.neural_tangent_kernel_coefficients(acts, p).diagonal()
        np.testing.assert_allclose(qt, [T[0, 0] for T in Ts], rtol=1e-9)
    # linear activations: B stays 1, nothing else appears
    lin = R.conjugate_kernel_coefficients(["linear"] * 3, p)
    np.testing.assert_allclose(lin.B, 1.0)
    np.testing.assert_allclose(lin.A, 0.0, atol=1e-15)
    # NTK of a deep linear network: Theta_L = (L + 1) X^T X
    np.testing.assert_allclose(R.neural_tangent_kernel_coefficients(["linear"] * 3, p).B, [1, 2, 3, 4])


def test_relu_B_decays_with_depth_and_correlation_rises():
    co = R.conjugate_kernel_coefficients(["relu"] * 8, 400)
    q = co.diagonal()
    assert np.all(np.diff(co.B / q) < 0)  # the X^T X part fades layer after layer
    assert np.all(np.diff(co.A / q) > 0)  # the constant correlation grows towards 1


def _errors(n: int, name: str, depth: int, seed: int) -> tuple[float, float]:
    X = unit_columns(n, n, seed)
    acts = [name] * depth
    K, T = R.conjugate_kernel(X, acts), R.neural_tangent_kernel(X, acts)
    eK = opnorm(K - R.conjugate_kernel_linear_equivalent(X, acts)) / np.mean(np.diag(K))
    eT = opnorm(T - R.neural_tangent_kernel_linear_equivalent(X, acts)) / np.mean(np.diag(T))
    return eK, eT


@pytest.mark.parametrize("name", ["relu", "erf"])
def test_deep_linear_equivalents_within_five_percent(name):
    # n = p = 400, depths 1..4; measured 1.2-2.3% (CK) and 2.0-3.5% (NTK) for relu, < 0.5% for erf
    for depth in range(1, 5):
        eK, eT = _errors(400, name, depth, 7)
        assert eK < 0.05 and eT < 0.05, (depth, eK, eT)


@pytest.mark.parametrize("name", ["relu", "erf"])
def test_deep_linear_equivalent_error_shrinks_with_n(name):
    # O(n^{-1/2}) at n = p: ratio about 1/2 from n = 200 to n = 800
    eK200, eT200 = _errors(200, name, 2, 8)
    eK800, eT800 = _errors(800, name, 2, 9)
    assert eK800 < 0.7 * eK200 and eT800 < 0.7 * eT200


def test_dropping_the_one_over_p_term_fails_in_operator_norm():
    # relu depth 2, n = 2p: the 1/p part of A_2 times n is a visible rank-one error
    p, n = 200, 400
    X = unit_columns(p, n, 10)
    K = R.conjugate_kernel(X, ["relu", "relu"])
    co = R.conjugate_kernel_coefficients(["relu", "relu"], p)
    co_inf = R.conjugate_kernel_coefficients(["relu", "relu"], 10**12)  # no 1/p terms
    full = R.conjugate_kernel_linear_equivalent(X, ["relu", "relu"])
    shift = (co.A[-1] - co_inf.A[-1]) * (n - 1)  # operator norm of the dropped off-diagonal part
    crude = full - (co.A[-1] - co_inf.A[-1]) * (np.ones((n, n)) - np.eye(n))
    err, err_crude = opnorm(K - full), opnorm(K - crude)
    assert err < 0.3 * shift
    assert abs(err_crude - shift) <= err + 1e-3


def test_tanh_deep_equivalent():
    n = p = 300
    X = unit_columns(p, n, 11)
    acts = ["tanh"] * 2
    K = R.conjugate_kernel(X, acts)
    assert opnorm(K - R.conjugate_kernel_linear_equivalent(X, acts)) / K[0, 0] < 0.05


def test_one_activation_rule_single_activation_needs_a_depth():
    """One rule across the package: a single activation is repeated over the layers when the depth
    is given (depth= here, the widths in rmtbook.networks), refused without one."""
    X = unit_columns(6, 5, 13)
    lists = {"relu": ["relu"] * 3, "tanh": ["tanh"] * 3}
    for name, acts in lists.items():
        np.testing.assert_array_equal(R.conjugate_kernel(X, name, depth=3), R.conjugate_kernel(X, acts))
        np.testing.assert_array_equal(R.neural_tangent_kernel(X, name, depth=3), R.neural_tangent_kernel(X, acts))
        for f in (R.conjugate_kernel_coefficients, R.neural_tangent_kernel_coefficients):
            single, listed = f(name, 6, depth=3), f(acts, 6)
            for field in "ABC":
                np.testing.assert_array_equal(getattr(single, field), getattr(listed, field))
        np.testing.assert_array_equal(R.conjugate_kernel_linear_equivalent(X, name, depth=3),
                                      R.conjugate_kernel_linear_equivalent(X, acts))
    act = R.get_activation(lambda x: np.maximum(x, 0.0) - 0.3)  # an Activation and a callable count as one
    np.testing.assert_array_equal(R.conjugate_kernel(X, act, depth=2), R.conjugate_kernel(X, [act, act]))
    np.testing.assert_array_equal(R.conjugate_kernel(X, act.fn, depth=2), R.conjugate_kernel(X, [act.fn] * 2))
    # the networks module follows the same rule: one activation, repeated over the widths
    emp = R.empirical_conjugate_kernel(X, "relu", [4000, 4000], rng=0)
    assert np.abs(emp - R.conjugate_kernel(X, "relu", depth=2)).max() < 0.1
    with pytest.raises(TypeError, match="depth"):
        R.conjugate_kernel(X, "relu")
    with pytest.raises(ValueError, match="depth=2 but 3"):
        R.conjugate_kernel(X, ["relu"] * 3, depth=2)
    for bad in (0, -1):
        with pytest.raises(ValueError, match="depth"):
            R.neural_tangent_kernel(X, "relu", depth=bad)
    with pytest.raises(TypeError, match="depth"):
        R.conjugate_kernel_coefficients("relu", 10, depth=1.5)


def test_return_all_is_deprecated_but_still_works():
    X = unit_columns(6, 5, 14)
    with pytest.warns(DeprecationWarning, match="conjugate_kernel_layers"):
        Ks = R.conjugate_kernel(X, ["relu", "relu"], return_all=True)
    assert isinstance(Ks, list) and len(Ks) == 3
    np.testing.assert_array_equal(Ks[2], R.conjugate_kernel_layers(X, ["relu", "relu"]).kernels[2])
    with pytest.warns(DeprecationWarning, match="neural_tangent_kernel_layers"):
        Ts = R.neural_tangent_kernel(X, ["relu"], return_all=True)
    np.testing.assert_array_equal(Ts[1], R.neural_tangent_kernel(X, ["relu"]))


def test_results_are_frozen_dataclasses():
    co = R.conjugate_kernel_coefficients(["relu"], 10)
    layers = R.conjugate_kernel_layers(np.eye(3), ["relu"])
    for result, field in ((co, "A"), (layers, "kernels")):
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(result, field, None)


def test_input_errors():
    X = unit_columns(5, 4, 12)
    with pytest.raises(TypeError, match="list"):
        R.conjugate_kernel(X, "relu")
    with pytest.raises(ValueError, match="non-empty"):
        R.conjugate_kernel(X, [])
    with pytest.raises(ValueError, match="activations\\[1\\]"):
        R.conjugate_kernel(X, ["relu", "nope"])
    with pytest.raises(ValueError, match="sign"):
        R.neural_tangent_kernel(X, ["sign"])
    with pytest.raises(ValueError, match="equal norm"):
        R.conjugate_kernel_linear_equivalent(X * np.arange(1, 5), ["relu"])
    with pytest.raises(ValueError, match="p"):
        R.conjugate_kernel_coefficients(["relu"], 0)
    with pytest.raises(ValueError, match="norm2"):
        R.neural_tangent_kernel_coefficients(["relu"], 10, norm2=-1.0)
    with pytest.raises(ValueError, match="X"):
        R.neural_tangent_kernel(np.ones(3), ["relu"])


# --- tabulated (fast) path of rmtbook.kernels through the layers ------------------------------
@pytest.mark.parametrize("acts", [["tanh", "tanh", "tanh"], ["gelu", "softplus"], ["silu", "tanh"]])
def test_deep_kernels_on_unit_norm_data_match_the_per_pair_quadrature(acts):
    # equal-norm inputs: every layer has a constant diagonal, so each layer is one Chebyshev table
    # in the angle; reference: the same recursion with the 2-D trapezoidal rule at 128 nodes per
    # dimension (converged to ~1e-15 at these variances). Errors can only accumulate additively
    # through L layers (the dual activations are Lipschitz on [-1, 1]): 1e-12.
    X = unit_columns(20, 30, 30)
    np.testing.assert_allclose(R.conjugate_kernel(X, acts), R.conjugate_kernel(X, acts, order=128),
                               rtol=0, atol=1e-12)
    np.testing.assert_allclose(R.neural_tangent_kernel(X, acts), R.neural_tangent_kernel(X, acts, order=128),
                               rtol=0, atol=1e-12)


def test_deep_kernels_of_a_relu_callable_match_the_closed_form():
    # a kinked callable (kink at 0) through three layers: values exact to ~1e-14; the NTK uses
    # the callable's finite-difference derivative (a ramp of width 2e-5), about 1e-6 per layer
    X = unit_columns(20, 50, 31)
    relu = lambda x: np.maximum(x, 0)  # noqa: E731
    np.testing.assert_allclose(R.conjugate_kernel(X, [relu] * 3), R.conjugate_kernel(X, ["relu"] * 3),
                               rtol=0, atol=1e-12)
    ntk = R.neural_tangent_kernel(X, ["relu"] * 3)
    np.testing.assert_allclose(R.neural_tangent_kernel(X, [relu] * 3), ntk, rtol=0, atol=1e-5 * np.abs(ntk).max())
