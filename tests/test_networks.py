"""Tests of rmtbook.networks: gradients, empirical kernels, their limits and training."""

from __future__ import annotations

import numpy as np
import pytest

from rmtbook import networks as N


def _unit_columns(p: int, n: int, seed: int) -> np.ndarray:
    X = np.random.default_rng(seed).standard_normal((p, n))
    return X / np.linalg.norm(X, axis=0)


def _relu_recursion(X: np.ndarray, depth: int) -> tuple[np.ndarray, np.ndarray]:
    """Independent oracle: the arc-cosine recursion (Cho & Saul 2009) for the CK and the NTK."""
    K = X.T @ X
    theta = K.copy()
    for _ in range(depth):
        q = np.sqrt(np.outer(np.diag(K), np.diag(K)))
        t = np.arccos(np.clip(K / q, -1.0, 1.0))
        K_new = q * (np.sin(t) + (np.pi - t) * np.cos(t)) / (2 * np.pi)
        Kdot = (np.pi - t) / (2 * np.pi)
        theta = K_new + theta * Kdot
        K = K_new
    return K, theta


def _flat(params: N.MLPParams) -> np.ndarray:
    return np.concatenate([w.ravel() for w in params.weights] + [params.readout])


def _unflat(template: N.MLPParams, theta: np.ndarray) -> N.MLPParams:
    ws, i = [], 0
    for w in template.weights:
        ws.append(theta[i:i + w.size].reshape(w.shape))
        i += w.size
    return N.MLPParams(tuple(ws), theta[i:])


# -- gradients ----------------------------------------------------------------------------------
@pytest.mark.parametrize("acts", [["tanh", "relu"], ["erf", np.sin, "tanh"]])
def test_jacobian_matches_central_finite_differences(acts):
    rng = np.random.default_rng(1)
    X = _unit_columns(5, 4, 2)
    params = N.init_mlp(5, [7, 6, 5][: len(acts)], rng=rng)
    J = N.mlp_jacobian(params, X, acts)
    assert J.shape == (4, params.num_params)
    base = _flat(params)
    eps = 1e-6
    cols = []
    for k in range(base.size):
        e = np.zeros(base.size)
        e[k] = eps
        up = N.mlp_output(_unflat(params, base + e), X, acts)
        down = N.mlp_output(_unflat(params, base - e), X, acts)
        cols.append((up - down) / (2 * eps))
    J_fd = np.array(cols).T
    # central differences: truncation O(eps^2) ~ 1e-12, rounding O(1e-16 / eps) ~ 1e-10
    # (np.sin's derivative itself is a finite difference with error O(1e-10) in hermite)
    assert np.max(np.abs(J - J_fd)) < 1e-7 * max(1.0, np.abs(J).max())


def test_ntk_equals_jacobian_gram_and_cross_kernel():
    rng = np.random.default_rng(3)
    X, Y = _unit_columns(6, 5, 4), _unit_columns(6, 3, 5)
    params = N.init_mlp(6, [9, 8], rng=rng)
    acts = ["relu", "tanh"]
    JX, JY = N.mlp_jacobian(params, X, acts), N.mlp_jacobian(params, Y, acts)
    np.testing.assert_allclose(N.mlp_ntk(params, X, acts), JX @ JX.T, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(N.mlp_ntk(params, X, acts, Y), JX @ JY.T, rtol=1e-12, atol=1e-12)


def test_readout_block_of_ntk_is_the_empirical_ck():
    X = _unit_columns(6, 5, 6)
    params = N.init_mlp(6, [11, 13], rng=7)
    J = N.mlp_jacobian(params, X, "tanh")
    _, S = N.mlp_forward(params, X, "tanh")
    Jv = J[:, -13:]
    np.testing.assert_allclose(Jv @ Jv.T, S[-1].T @ S[-1] / 13, rtol=1e-12)


# -- features and empirical kernels -------------------------------------------------------------
def test_feature_shapes_and_scaling_convention():
    X = _unit_columns(8, 6, 8)
    feats = N.random_network_features(X, ["relu", "tanh", "linear"], [5, 4, 3], rng=0)
    assert [f.shape for f in feats] == [(5, 6), (4, 6), (3, 6)]
    # the same seed draws the same weights as init_mlp: first layer is phi(W_1 X), no 1/sqrt(p)
    params = N.init_mlp(8, [5, 4, 3], rng=0)
    np.testing.assert_allclose(feats[0], np.maximum(params.weights[0] @ X, 0.0))
    np.testing.assert_allclose(feats[1], np.tanh(params.weights[1] @ feats[0] / np.sqrt(5)))
    np.testing.assert_allclose(feats[2], params.weights[2] @ feats[1] / 2.0)
    K = N.empirical_conjugate_kernel(X, "relu", [5, 4], rng=0)
    assert K.shape == (6, 6) and np.allclose(K, K.T)
    assert N.empirical_ntk(X, "relu", 10, rng=0).shape == (6, 6)


def test_rng_reproducibility():
    X = _unit_columns(4, 3, 9)
    a = N.empirical_ntk(X, ["tanh", "relu"], [20, 20], rng=5)
    b = N.empirical_ntk(X, ["tanh", "relu"], [20, 20], rng=np.random.default_rng(5))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, N.empirical_ntk(X, ["tanh", "relu"], [20, 20], rng=6))


def _mean_rel_error(kind: str, X: np.ndarray, width: int, target: np.ndarray, seeds: range) -> float:
    fn = N.empirical_conjugate_kernel if kind == "ck" else N.empirical_ntk
    errs = [np.linalg.norm(fn(X, "relu", [width, width], rng=s) - target) for s in seeds]
    return float(np.mean(errs) / np.linalg.norm(target))


@pytest.mark.parametrize("kind", ["ck", "ntk"])
def test_empirical_kernels_converge_at_rate_d_to_minus_half(kind):
    X = _unit_columns(10, 16, 10)
    K2, theta2 = _relu_recursion(X, 2)
    target = K2 if kind == "ck" else theta2
    small = _mean_rel_error(kind, X, 200, target, range(8))
    large = _mean_rel_error(kind, X, 3200, target, range(8, 16))
    # entrywise fluctuations are O(d^{-1/2}): 16x the width divides the error by about 4
    # (bias is O(1/d), a 16x smaller share); with 8 draws each the ratio spread 3.7-5.5 over
    # seeds; a d^{-1} rate would give 16 and no convergence 1
    assert 2.7 < small / large < 6.5, small / large
    assert large < 0.1


def test_empirical_kernels_match_deep_module_when_available():
    deep = pytest.importorskip("rmtbook.deep")
    if not hasattr(deep, "conjugate_kernel") or not hasattr(deep, "neural_tangent_kernel"):
        pytest.skip("rmtbook.deep does not provide the kernel recursions yet")
    X = _unit_columns(10, 12, 11)
    acts = ["tanh", "relu"]
    K = deep.conjugate_kernel(X, acts)
    theta = deep.neural_tangent_kernel(X, acts)
    K2, theta2 = _relu_recursion(X, 2)
    np.testing.assert_allclose(deep.conjugate_kernel(X, ["relu", "relu"]), K2, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(deep.neural_tangent_kernel(X, ["relu", "relu"]), theta2, rtol=1e-8, atol=1e-10)
    d = 2000
    errK = np.mean([np.linalg.norm(N.empirical_conjugate_kernel(X, acts, [d, d], rng=s) - K) for s in range(4)])
    errT = np.mean([np.linalg.norm(N.empirical_ntk(X, acts, [d, d], rng=s) - theta) for s in range(4)])
    # relative Frobenius error of order sqrt(n^2 / d) / n ~ d^{-1/2} ~ 0.022; allow 4x
    assert errK / np.linalg.norm(K) < 4 / np.sqrt(d)
    assert errT / np.linalg.norm(theta) < 4 / np.sqrt(d)


# -- linearized dynamics --------------------------------------------------------------------------
def _psd(n: int, seed: int) -> np.ndarray:
    A = np.random.default_rng(seed).standard_normal((n, n + 3))
    return A @ A.T / n


def test_linearized_gradient_flow_limits():
    K = _psd(8, 12)
    Kt = np.random.default_rng(13).standard_normal((3, 8))
    y = np.random.default_rng(14).standard_normal(8)
    f, g = N.linearized_gd_predictions(K, Kt, y, [0.0, 1.0, 1e6])
    np.testing.assert_allclose(f[0], 0.0, atol=1e-14)
    np.testing.assert_allclose(g[0], 0.0, atol=1e-14)
    np.testing.assert_allclose(f[-1], y, atol=1e-8)  # interpolation at t -> inf
    np.testing.assert_allclose(g[-1], Kt @ np.linalg.solve(K, y), rtol=1e-8)  # kernel regression
    # gradient flow: df/dt = -K (f - y), checked by a centred difference at t = 1
    h = 1e-5
    fp, _ = N.linearized_gd_predictions(K, None, y, [1 + h])
    fm, _ = N.linearized_gd_predictions(K, None, y, [1 - h])
    np.testing.assert_allclose((fp[0] - fm[0]) / (2 * h), -K @ (f[1] - y), rtol=1e-6, atol=1e-8)


def test_linearized_discrete_gd_matches_iteration_and_initial_outputs():
    K = _psd(6, 15)
    Kt = np.random.default_rng(16).standard_normal((2, 6))
    y = np.random.default_rng(17).standard_normal(6)
    f0, g0 = np.full(6, 0.3), np.array([0.1, -0.2])
    lr = 0.5 / np.linalg.eigvalsh(K).max()
    f, g = N.linearized_gd_predictions(K, Kt, y, [0, 1, 7], f0_train=f0, f0_test=g0, lr=lr)
    cur, cur_t = f0.copy(), g0.copy()
    for _ in range(7):
        r = cur - y
        cur_t = cur_t - lr * Kt @ r
        cur = cur - lr * K @ r
    np.testing.assert_allclose(f[2], cur, rtol=1e-12)
    np.testing.assert_allclose(g[2], cur_t, rtol=1e-12)
    np.testing.assert_allclose(f[0], f0)


def test_linearized_singular_kernel_and_divergent_lr():
    u = np.array([1.0, 2.0, 2.0]) / 3.0
    K = np.outer(u, u)  # rank one: zero eigenvalues handled by their t -> 0 limit
    y = np.array([1.0, 0.0, -1.0])
    f, g = N.linearized_gd_predictions(K, K, y, [2.0])
    assert np.all(np.isfinite(f)) and np.all(np.isfinite(g))
    with pytest.warns(RuntimeWarning, match="diverges"):
        N.linearized_gd_predictions(K, None, y, [3], lr=2.5)


# -- training a finite network ----------------------------------------------------------------------
def test_one_gd_step_is_minus_lr_jacobian_transpose_residual():
    X = _unit_columns(5, 7, 18)
    y = np.random.default_rng(19).standard_normal(7)
    params = N.init_mlp(5, [6, 4], rng=20)
    acts = ["tanh", "relu"]
    out = N.train_mlp_gd(params, X, y, acts, lr=0.1, steps=1, centered=False)
    J = N.mlp_jacobian(params, X, acts)
    r = N.mlp_output(params, X, acts) - y
    np.testing.assert_allclose(_flat(out.params), _flat(params) - 0.1 * J.T @ r, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(out.train[0] + y - y, N.mlp_output(params, X, acts))
    assert np.array_equal(out.steps, [0, 1])


def test_wide_network_follows_linearized_dynamics():
    X, Xt = _unit_columns(12, 20, 21), _unit_columns(12, 5, 22)
    y = np.sign(X[0])
    widths = {}
    for d in (250, 2000):
        params = N.init_mlp(12, [d], rng=23)
        theta = N.mlp_ntk(params, X, "relu")
        theta_t = N.mlp_ntk(params, Xt, "relu", X)
        lr = 1.0 / np.linalg.eigvalsh(theta).max()
        rec = [0, 20, 100, 250]
        out = N.train_mlp_gd(params, X, y, "relu", lr, 250, X_test=Xt, record=rec)
        lin_f, lin_g = N.linearized_gd_predictions(theta, theta_t, y, rec, lr=lr)
        widths[d] = max(np.abs(out.train - lin_f).max(), np.abs(out.test - lin_g).max())
        assert np.abs(out.train[0]).max() == 0.0  # centred network starts at zero
    # the kernel moves by O(1/d) during training (Dyer & Gur-Ari 2020): 8x the width, ~8x
    # smaller gap; > 1.8 also excludes no convergence
    assert widths[2000] < 0.05, widths
    assert widths[250] / widths[2000] > 1.8, widths


# -- input validation -------------------------------------------------------------------------------
def test_errors():
    X = _unit_columns(4, 3, 24)
    with pytest.raises(ValueError, match="widths"):
        N.random_network_features(X, "relu", [0])
    with pytest.raises(ValueError, match="activations"):
        N.random_network_features(X, ["relu", "tanh"], [4])
    with pytest.raises(ValueError, match="widths"):
        N.random_network_features(X, "relu", [])
    with pytest.raises(TypeError, match="widths"):
        N.random_network_features(X, "relu", "wide")
    with pytest.raises(TypeError, match="activation"):
        N.random_network_features(X, [3.0], [4])
    with pytest.raises(ValueError, match="activation"):
        N.random_network_features(X, "no_such_activation", [4])
    with pytest.raises(ValueError, match="X"):
        N.empirical_conjugate_kernel(np.ones(4), "relu", [4])
    with pytest.raises(ValueError, match="NaN"):
        N.empirical_ntk(np.full((2, 2), np.nan), "relu", [4])
    with pytest.raises(TypeError, match="rng"):
        N.empirical_ntk(X, "relu", [4], rng="seed")
    params = N.init_mlp(4, [5], rng=0)
    with pytest.raises(ValueError, match="rows"):
        N.mlp_output(params, _unit_columns(3, 2, 0), "relu")
    with pytest.raises(TypeError, match="params"):
        N.mlp_ntk({"W": 1}, X, "relu")
    with pytest.raises(ValueError, match="Jacobian"):
        N.mlp_jacobian(N.init_mlp(4, [2500], rng=0), _unit_columns(4, 5000, 0), "relu")
    K = _psd(3, 0)
    with pytest.raises(ValueError, match="symmetric"):
        N.linearized_gd_predictions(K + np.triu(np.ones((3, 3)), 1), None, np.ones(3), [1.0])
    with pytest.raises(ValueError, match="semi-definite"):
        N.linearized_gd_predictions(-K, None, np.ones(3), [1.0])
    with pytest.raises(ValueError, match="times"):
        N.linearized_gd_predictions(K, None, np.ones(3), [-1.0])
    with pytest.raises(ValueError, match="times"):
        N.linearized_gd_predictions(K, None, np.ones(3), [1.5], lr=0.01)
    with pytest.raises(ValueError, match="Theta_train"):
        N.linearized_gd_predictions(K, None, np.ones(4), [1.0])
    with pytest.raises(ValueError, match="lr"):
        N.train_mlp_gd(params, X, np.ones(3), "relu", lr=-1.0, steps=2)
    with pytest.raises(ValueError, match="y"):
        N.train_mlp_gd(params, X, np.ones(5), "relu", lr=0.1, steps=2)
    with pytest.raises(ValueError, match="record"):
        N.train_mlp_gd(params, X, np.ones(3), "relu", lr=0.1, steps=2, record=[5])
    with pytest.raises(FloatingPointError, match="diverged"):
        N.train_mlp_gd(N.init_mlp(4, [50], rng=0), X * 30, np.ones(3), "linear", lr=10.0, steps=200)


# -- the public API contract (issue 14): keyword-only rng, frozen results, deprecated spellings --
@pytest.mark.parametrize(
    "call",
    [
        lambda X: N.init_mlp(4, [3], 0),
        lambda X: N.random_network_features(X, "relu", [3], 0),
        lambda X: N.empirical_conjugate_kernel(X, "relu", [3], 0),
        lambda X: N.empirical_ntk(X, "relu", [3], 0),
    ],
)
def test_rng_is_keyword_only(call):
    with pytest.raises(TypeError, match="positional"):
        call(_unit_columns(4, 3, 0))


def test_results_are_frozen_dataclasses_that_still_unpack():
    import dataclasses

    X, y = _unit_columns(4, 3, 1), np.ones(3)
    params = N.init_mlp(4, [5], rng=0)
    weights, readout = params
    assert weights is params.weights and readout is params.readout
    fwd = N.mlp_forward(params, X, "relu")
    Z, S = fwd
    assert Z is fwd.Z and S is fwd.S and len(Z) == 1
    np.testing.assert_array_equal(S[0], X)
    K = N.mlp_ntk(params, X, "relu")
    lin = N.linearized_gd_predictions(K, K, y, [1.0])
    f, g = lin
    assert f is lin.train and g is lin.test
    hist = N.train_mlp_gd(params, X, y, "relu", lr=0.01, steps=2, X_test=X)
    assert isinstance(hist, N.TrainingHistory) and isinstance(hist.params, N.MLPParams)
    for result, field in ((params, "readout"), (fwd, "Z"), (lin, "train"), (hist, "train")):
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(result, field, None)


def test_dict_access_to_training_history_and_n_params_are_deprecated():
    X, y = _unit_columns(4, 3, 1), np.ones(3)
    params = N.init_mlp(4, [5], rng=0)
    hist = N.train_mlp_gd(params, X, y, "relu", lr=0.01, steps=2)
    with pytest.warns(DeprecationWarning, match=r"history\['train'\].*history.train"):
        assert hist["train"] is hist.train
    with pytest.raises(KeyError):
        hist["loss"]
    with pytest.warns(DeprecationWarning, match="num_params"):
        assert params.n_params == params.num_params == 4 * 5 + 5
