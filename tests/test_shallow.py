"""Tests of rmtbook.shallow: deterministic equivalents of random features ridge regression."""

from __future__ import annotations

import numpy as np
import pytest

from rmtbook import kernels as kk
from rmtbook import shallow as sh


def _mixture(rng: np.random.Generator, p: int, m: int, separation: float = 2.0):
    """Two-class Gaussian mixture, unit-norm columns, +-1 labels."""
    labels = rng.choice([-1.0, 1.0], m)
    Z = rng.standard_normal((p, m))
    Z[0] += separation * labels
    return Z / np.linalg.norm(Z, axis=0), labels


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(2024)
    X, y = _mixture(rng, 256, 512)
    Xt, yt = _mixture(rng, 256, 512)
    return X, y, Xt, yt


# --- accuracy against simulation ---------------------------------------------------------------
@pytest.mark.parametrize("width", [512, 1024])
def test_matches_simulation_at_n512(data, width):
    """Deterministic equivalents within ~5% of the simulated MSE averaged over draws of W.

    Finite-size deviations of these quantities are O(n^{-1/2}) ~ 4.4% at n = 512 (bilinear forms in
    y), and the Monte Carlo error of the average over 4 draws is measured by its standard error:
    tolerance 5% of the value plus 3 standard errors. The variant with (1/n) instead of (1/N)
    in the traces misses the training error by ~45% at N = 1024 and fails this check.
    """
    X, y, Xt, yt = data
    ridges = np.array([0.1, 1.0])
    th = sh.random_features_ridge_errors(X, y, "relu", width, ridges, Xt, yt)
    sim = sh.simulate_random_features_ridge(X, y, "relu", width, ridges, Xt, yt, num_draws=4, rng=7)
    for theory, mean, se in ((th.train, sim.train, sim.train_se), (th.test, sim.test, sim.test_se)):
        assert np.all(np.abs(mean - theory) <= 0.05 * theory + 3 * se), (theory, mean, se)


def test_trace_normalization_is_one_over_width(data):
    """(1/N) tr, not (1/n) tr: at N = 2n the (1/n) variant is far from the simulation."""
    X, y, _, _ = data
    n, N, gamma = X.shape[1], 1024, 0.1
    Phi = kk.random_features_kernel(X, "relu")
    lam, U = np.linalg.eigh(Phi)
    lam = np.clip(lam, 0, None)
    w = (U.T @ y) ** 2
    delta = sh.random_features_delta(lam, N, gamma)
    psi = N / n * lam / (1 + delta)
    g = psi + gamma
    wrong = gamma**2 / n * np.sum(w * (1 + np.sum(psi / g**2) / n / (1 - np.sum((psi / g) ** 2) / n) * psi) / g**2)
    right = sh.random_features_errors_from_kernel(Phi, y, N, gamma).train
    sim = sh.simulate_random_features_ridge(X, y, "relu", N, gamma, num_draws=3, rng=3)
    assert abs(sim.train - right) <= 0.05 * right + 3 * sim.train_se
    assert abs(sim.train - wrong) > 0.2 * sim.train


# --- fixed point -----------------------------------------------------------------------------
def test_delta_solves_fixed_point_and_vectorizes():
    rng = np.random.default_rng(0)
    lam = rng.exponential(size=200)
    widths = np.array([[50.0], [200.0], [800.0]])
    ridges = np.array([1e-6, 1e-3, 1e-1, 10.0])
    delta = sh.random_features_delta(lam, widths, ridges)
    assert delta.shape == (3, 4)
    n = lam.size
    rhs = np.sum(lam / (widths[..., None] / n * lam / (1 + delta[..., None]) + ridges[None, :, None]), axis=-1) / n
    np.testing.assert_allclose(delta, rhs, rtol=1e-11)
    # scalar calls give the same values
    assert sh.random_features_delta(lam, 200.0, 1e-3) == pytest.approx(delta[1, 1], rel=1e-12)


def test_delta_limits():
    lam = np.ones(100)  # Phi = I_n, n = 100
    # N > n, ridgeless limit: delta -> 1 / (N/n - 1)
    assert sh.random_features_delta(lam, 400, 1e-10) == pytest.approx(1 / 3, rel=1e-6)
    # large ridge: delta ~ (1/n) tr Phi / gamma
    assert sh.random_features_delta(lam, 400, 1e6) == pytest.approx(1e-6, rel=1e-5)


def test_fraction_identity(data):
    """(1/N) tr(Psi Qbar) = delta / (1 + delta), the identity behind the positive denominator."""
    X, _, _, _ = data
    lam = np.clip(np.linalg.eigvalsh(kk.random_features_kernel(X, "relu")), 0, None)
    n = lam.size
    for N, gamma in ((128, 1e-4), (512, 1e-2), (4096, 1.0)):
        delta = sh.random_features_delta(lam, N, gamma)
        psi = N / n * lam / (1 + delta)
        assert np.sum(psi / (psi + gamma)) / N == pytest.approx(delta / (1 + delta), rel=1e-11)


# --- limiting cases --------------------------------------------------------------------------
def test_large_ridge_limits(data):
    """gamma -> inf: beta -> 0, so E_train -> ||y||^2 / n and E_test -> ||yhat||^2 / nhat."""
    X, y, Xt, yt = data
    out = sh.random_features_ridge_errors(X, y, "relu", 700, 1e9, Xt, yt)
    assert out.train == pytest.approx(np.mean(y**2), rel=1e-6)
    assert out.test == pytest.approx(np.mean(yt**2), rel=1e-6)


def test_infinite_width_is_kernel_ridge(data):
    """N -> inf at fixed gamma: Qbar -> ((N/n) Phi + gamma)^{-1}, kernel ridge regression."""
    X, y, Xt, yt = data
    n, N, gamma = X.shape[1], 1e9, 1.0
    Phi, Pc, _ = sh.random_features_train_test_kernels(X, "relu", Xt)
    K = N / n * Phi
    Q = np.linalg.inv(K + gamma * np.eye(n))
    krr_train = gamma**2 * np.sum((Q @ y) ** 2) / n
    krr_test = np.mean((yt - (N / n * Pc).T @ Q @ y) ** 2)
    out = sh.random_features_ridge_errors(X, y, "relu", N, gamma, Xt, yt)
    assert out.train == pytest.approx(krr_train, rel=1e-5)
    assert out.test == pytest.approx(krr_test, rel=1e-5)


def test_multi_output_is_sum_of_outputs(data):
    X, y, Xt, yt = data
    Y = np.stack([y, np.sign(X[1])], axis=1)
    Yt = np.stack([yt, np.sign(Xt[1])], axis=1)
    both = sh.random_features_ridge_errors(X, Y, "relu", 300, 0.5, Xt, Yt)
    one = sh.random_features_ridge_errors(X, Y[:, 0], "relu", 300, 0.5, Xt, Yt[:, 0])
    two = sh.random_features_ridge_errors(X, Y[:, 1], "relu", 300, 0.5, Xt, Yt[:, 1])
    assert both.train == pytest.approx(one.train + two.train, rel=1e-12)
    assert both.test == pytest.approx(one.test + two.test, rel=1e-12)


def test_linear_kernel_option_close_to_exact(data):
    """The linear-equivalent kernel gives nearly the same errors (operator-norm closeness)."""
    X, y, Xt, yt = data
    exact = sh.random_features_ridge_errors(X, y, "relu", 1024, 0.1, Xt, yt)
    lin = sh.random_features_ridge_errors(X, y, "relu", 1024, 0.1, Xt, yt, kernel="linear")
    assert lin.train == pytest.approx(exact.train, rel=0.1)
    assert lin.test == pytest.approx(exact.test, rel=0.1)


def test_theory_shapes_and_types(data):
    X, y, _, _ = data
    out = sh.random_features_ridge_errors(X, y, "relu", [256, 512, 1024], 0.1)
    assert out.test is None
    assert out.train.shape == (3,)
    assert np.all(np.diff(out.train) < 0)  # more features fit better
    scalar = sh.random_features_ridge_errors(X, y, "relu", 512, 0.1)
    assert isinstance(scalar.train, float) and isinstance(scalar.delta, float)


# --- simulation ------------------------------------------------------------------------------
@pytest.mark.parametrize("width, ridges", [(40, (0.1, 1.0)), (40, (0.3,)), (12, (0.1, 1.0)), (12, (0.3,))])
def test_simulation_is_seeded_and_matches_direct_formula(width, ridges):
    """Both code paths (N >= n: n x n system, N < n: N x N system; one or several ridges)."""
    rng = np.random.default_rng(5)
    X, y = _mixture(rng, 20, 30)
    Xt, yt = _mixture(rng, 20, 10)
    a = sh.simulate_random_features_ridge(X, y, "tanh", width, list(ridges), Xt, yt, num_draws=3, rng=11)
    b = sh.simulate_random_features_ridge(X, y, "tanh", width, list(ridges), Xt, yt, num_draws=3, rng=11)
    np.testing.assert_array_equal(a.train_draws, b.train_draws)
    # first draw redone by hand with the defining formula beta = Sigma (Sigma^T Sigma/n + g I)^{-1} y / n
    gen = np.random.default_rng(11)
    W = gen.standard_normal((width, 20))
    S, St = np.tanh(W @ X), np.tanh(W @ Xt)
    n = X.shape[1]
    for j, gamma in enumerate(ridges):
        beta = S @ np.linalg.solve(S.T @ S / n + gamma * np.eye(n), y) / n
        assert a.train_draws[0, j] == pytest.approx(np.mean((y - S.T @ beta) ** 2), rel=1e-9)
        assert a.test_draws[0, j] == pytest.approx(np.mean((yt - St.T @ beta) ** 2), rel=1e-9)
    assert a.train_draws.shape == (3, len(ridges)) and np.all(np.asarray(a.train_se) > 0)


# --- input errors ----------------------------------------------------------------------------
def test_input_errors(data):
    X, y, Xt, yt = data
    with pytest.raises(ValueError, match="y"):
        sh.random_features_ridge_errors(X, y[:-1], "relu", 100, 0.1)
    with pytest.raises(ValueError, match="width"):
        sh.random_features_ridge_errors(X, y, "relu", 0, 0.1)
    with pytest.raises(ValueError, match="width"):
        sh.random_features_ridge_errors(X, y, "relu", -5, 0.1)
    with pytest.raises(ValueError, match="ridge"):
        sh.random_features_ridge_errors(X, y, "relu", 100, 0.0)
    with pytest.raises(ValueError, match="activation"):
        sh.random_features_ridge_errors(X, y, "swish-ish", 100, 0.1)
    with pytest.raises(ValueError, match="X_test"):
        sh.random_features_ridge_errors(X, y, "relu", 100, 0.1, X_test=Xt)
    with pytest.raises(ValueError, match="X_test"):
        sh.random_features_ridge_errors(X, y, "relu", 100, 0.1, X_test=Xt[:-1], y_test=yt)
    with pytest.raises(ValueError, match="y_test"):
        sh.random_features_ridge_errors(X, y, "relu", 100, 0.1, X_test=Xt, y_test=yt[:-3])
    with pytest.raises(ValueError, match="kernel"):
        sh.random_features_ridge_errors(X, y, "relu", 100, 0.1, kernel="ntk")
    with pytest.raises(ValueError, match="broadcast"):
        sh.random_features_ridge_errors(X, y, "relu", [1, 2, 3], [0.1, 1.0])
    with pytest.raises(TypeError, match="width"):
        sh.simulate_random_features_ridge(X, y, "relu", 10.5, 0.1)
    with pytest.raises(ValueError, match="width"):
        sh.simulate_random_features_ridge(X, y, "relu", 0, 0.1)
    with pytest.raises(ValueError, match="num_draws"):
        sh.simulate_random_features_ridge(X, y, "relu", 10, 0.1, num_draws=1)
    with pytest.raises(ValueError, match="activation"):
        sh.simulate_random_features_ridge(X, y, "nope", 10, 0.1)
    with pytest.raises(ValueError, match="y"):
        sh.simulate_random_features_ridge(X, y[:10], "relu", 10, 0.1)


def test_kernel_input_errors():
    with pytest.raises(ValueError, match="square"):
        sh.random_features_errors_from_kernel(np.ones((3, 4)), np.ones(3), 10, 0.1)
    with pytest.raises(ValueError, match="symmetric"):
        sh.random_features_errors_from_kernel(np.triu(np.ones((3, 3))), np.ones(3), 10, 0.1)
    with pytest.raises(ValueError, match="semi-definite"):
        sh.random_features_errors_from_kernel(-np.eye(3), np.ones(3), 10, 0.1)
    with pytest.raises(ValueError, match="Phi_cross"):
        sh.random_features_errors_from_kernel(np.eye(3), np.ones(3), 10, 0.1, y_test=np.ones(2))
    with pytest.raises(ValueError, match="Phi_test_diag"):
        sh.random_features_errors_from_kernel(
            np.eye(3), np.ones(3), 10, 0.1, Phi_cross=np.ones((3, 2)), Phi_test_diag=np.ones(3), y_test=np.ones(2)
        )


# -- the public API contract (issue 14) ---------------------------------------------------------
def test_train_test_kernels_result_is_frozen_and_unpacks():
    import dataclasses

    X = np.eye(3)[:, :2]
    res = sh.random_features_train_test_kernels(X, "relu", np.eye(3)[:, 2:])
    assert isinstance(res, sh.RandomFeaturesKernels)
    Phi, Pc, d = res
    assert Phi is res.Phi and Pc is res.Phi_cross and d is res.Phi_test_diag and res[0] is res.Phi
    alone = sh.random_features_train_test_kernels(X, "relu")
    assert alone.Phi_cross is None and alone.Phi_test_diag is None
    np.testing.assert_allclose(alone.Phi, Phi)
    with pytest.raises(dataclasses.FrozenInstanceError):
        res.Phi = None


def test_simulation_rng_is_keyword_only():
    X = np.eye(3)
    with pytest.raises(TypeError, match="positional"):
        sh.simulate_random_features_ridge(X, np.ones(3), "relu", 4, 0.1, None, None, 2, 0)


@pytest.mark.parametrize("width", [3, 10])  # primal (N < n) and dual (N >= n) simulation paths
def test_identical_samples_have_a_stable_ridgeless_limit(width):
    # issue 19: the rank-one kernel of identical samples drifted once the ridge went below
    # ~1e-13 (eigh's rounding noise acted as signal), and the simulation raised LinAlgError
    X = np.ones((4, 6)) / 2
    y = np.linspace(-1, 1, 6)
    ridges = np.array([1e-8, 1e-13, 1e-16, 1e-30])
    eq = sh.random_features_ridge_errors(X, y, "relu", width, ridges)
    np.testing.assert_allclose(eq.train, eq.train[0], rtol=1e-7)
    np.testing.assert_allclose(eq.delta, 1 / (width - 1), rtol=1e-7)  # delta = 1/(N-1) for rank one
    for ridge in (1e-20, ridges):
        sim = sh.simulate_random_features_ridge(X, y, "relu", width, ridge, num_draws=2, rng=0)
        assert np.all(np.isfinite(sim.train))
        np.testing.assert_allclose(sim.train, np.mean(y**2), rtol=1e-6)  # best constant fit: mean(y) = 0
