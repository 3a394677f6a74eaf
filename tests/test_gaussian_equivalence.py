"""Tests of rmtbook.gaussian_equivalence: closed forms, limits, simulation, chapter 8's equivalents."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import integrate

import rmtbook as r
from rmtbook import gaussian_equivalence as ge


@pytest.mark.parametrize("ratio", [0.3, 1.0, 2.5])
@pytest.mark.parametrize("tau", [0.0, 0.01, 1.0, 37.0])
def test_marchenko_pastur_transforms_against_quadrature(ratio, tau):
    # the closed forms against adaptive quadrature of the package's Marchenko-Pastur density
    law = r.marchenko_pastur(ratio)
    lo, hi = law.support()[0] if isinstance(law.support(), list) else law.support()
    atom = max(0.0, 1.0 - 1.0 / ratio)
    fs = [lambda x: 1 / (1 + tau * x), lambda x: x / (1 + tau * x), lambda x: 1 / (1 + tau * x) ** 2,
          lambda x: x / (1 + tau * x) ** 2, lambda x: x**2 / (1 + tau * x) ** 2]
    got = ge._mp_transforms(np.array(tau), np.array(ratio))
    for f, value in zip(fs, got):
        ref = integrate.quad(lambda x: f(x) * law.pdf(x), lo, hi, limit=200, epsabs=1e-13)[0] + atom * f(0.0)
        assert value == pytest.approx(ref, rel=1e-9, abs=1e-13)


def test_first_transform_is_the_stieltjes_transform_of_the_solver():
    # F_0(tau) = m(-1/tau) / tau, m from the Silverstein solver behind the law
    tau = np.array([0.05, 0.7, 3.0, 40.0])
    for ratio in (0.4, 1.0, 3.0):
        m = r.marchenko_pastur(ratio).stieltjes(-1.0 / tau).real
        assert np.allclose(ge._mp_transforms(tau, ratio)[0], m / tau, rtol=1e-10)


@pytest.mark.parametrize("ratio", [0.3, 1.0, 2.0])
@pytest.mark.parametrize("ridge", [1e-3, 0.1, 3.0])
def test_linear_features_at_infinite_width_are_ridge_regression(ratio, ridge):
    # phi(t) = t, N/n -> infinity: ridge regression on X with ridge c gamma / alpha (chapter 5)
    alpha = 1e6  # corrections O(1/alpha)
    rf = r.random_features_asymptotic_errors("linear", ratio, alpha, ridge, 0.3, 1.7)
    rr = r.ridge_risk(ratio, ratio * ridge / alpha, 0.3, 1.7)
    assert rf.test == pytest.approx(rr.out_of_sample, rel=1e-5)
    assert rf.train == pytest.approx(rr.in_sample, rel=1e-5, abs=1e-12)


def test_decomposition_and_invariances():
    e = r.random_features_asymptotic_errors("relu", 0.7, [0.5, 1.3, 4.0], 0.05, 0.2, 1.5)
    assert np.allclose(e.test, e.bias + e.variance + 0.2, rtol=1e-13)
    e0 = r.random_features_asymptotic_errors("relu", 0.7, [0.5, 1.3, 4.0], 0.05, 0.0, 1.5)
    assert np.allclose(e0.test, e.bias, rtol=1e-13)
    # a constant shift of phi (a_0) changes nothing; phi -> 3 phi is ridge -> ridge / 9
    shifted = r.random_features_asymptotic_errors(lambda x: np.maximum(x, 0) - 0.4, 0.7, [0.5, 1.3, 4.0], 0.05,
                                                  0.2, 1.5)
    scaled = r.random_features_asymptotic_errors(lambda x: 3 * np.maximum(x, 0), 0.7, [0.5, 1.3, 4.0], 0.45, 0.2,
                                                 1.5)
    for other in (shifted, scaled):
        assert np.allclose(other.test, e.test, rtol=1e-9) and np.allclose(other.train, e.train, rtol=1e-9)


def test_vectorized_equals_pointwise_and_limits():
    c, a, g = np.meshgrid([0.4, 1.0, 2.0], [0.5, 1.0, 3.0], [1e-4, 1e-1])
    e = r.random_features_asymptotic_errors("tanh", c, a, g, 0.1, 1.0)
    for idx in np.ndindex(c.shape):
        one = r.random_features_asymptotic_errors("tanh", c[idx], a[idx], g[idx], 0.1, 1.0)
        assert one.test == pytest.approx(e.test[idx], rel=1e-12)
    big = r.random_features_asymptotic_errors("relu", 0.5, 2.0, 1e9, 0.1, 1.0)
    assert big.train == pytest.approx(1.1, rel=1e-6) and big.test == pytest.approx(1.1, rel=1e-6)
    const = r.random_features_asymptotic_errors(lambda x: 0 * x + 2.0, 0.5, 2.0, 0.1, 0.1, 1.0)
    assert const.test == pytest.approx(1.1)


def test_bad_input_is_refused_by_name():
    for kwargs, name in [({"ratio": -1.0}, "ratio"), ({"width_ratio": 0.0}, "width_ratio"),
                         ({"ridge": 0.0}, "ridge"), ({"noise_var": -1.0}, "noise_var"),
                         ({"signal_norm2": np.nan}, "signal_norm2"), ({"ridge": 1e-30}, "ridge")]:
        args = {"activation": "relu", "ratio": 0.5, "width_ratio": 1.0, "ridge": 0.1} | kwargs
        with pytest.raises(ValueError, match=name):
            r.random_features_asymptotic_errors(**args)
    with pytest.raises(ValueError, match="features"):
        r.simulate_random_features_model("relu", 4, 8, 8, 0.1, features="nope", rng=0)


@pytest.mark.slow
@pytest.mark.parametrize("activation", ["relu", "tanh"])
def test_against_simulation(activation):
    # n = 400, 8 draws of (X, beta*, eps, W): O(n^{-1/2}) per draw, the mean within 4 standard errors
    # plus 3% for the O(n^{-1/2}) corrections of the kernel's linearization
    n = 400
    for ratio, width_ratio, ridge in [(0.5, 0.5, 1e-2), (0.5, 2.0, 1e-2), (1.5, 1.0, 1e-1)]:
        th = r.random_features_asymptotic_errors(activation, ratio, width_ratio, ridge, 0.2, 1.0)
        for features in ("activation", "gaussian_equivalent"):
            sim = r.simulate_random_features_model(activation, int(ratio * n), n, int(width_ratio * n), ridge,
                                                   0.2, 1.0, features=features, num_draws=8, rng=7)
            for which in ("train", "test"):
                t, m, se = getattr(th, which), getattr(sim, which), getattr(sim, which + "_se")
                assert abs(m - t) <= 4 * se + 0.03 * t, (activation, features, which, t, m, se)
        # the wrong variant, dropping the nonlinear noise term, fails the same check at small ridge
    wrong = r.simulate_random_features_model(activation, 200, 400, 200, 1e-2, 0.2, 1.0, features="linear_part",
                                             num_draws=8, rng=7)
    th = r.random_features_asymptotic_errors(activation, 0.5, 0.5, 1e-2, 0.2, 1.0)
    assert abs(wrong.test - th.test) > 4 * wrong.test_se + 0.03 * th.test


@pytest.mark.slow
def test_chapter8_equivalent_on_random_data_converges():
    # random_features_ridge_errors (deterministic X, exact kernel) on random data -> the limit;
    # the gap, averaged over 3 draws, shrinks as n grows (O(n^{-1/2}))
    gen = np.random.default_rng(3)
    ratio, width_ratio, ridge, sig2 = 0.5, 1.5, 1e-2, 0.2
    th = r.random_features_asymptotic_errors("relu", ratio, width_ratio, ridge, sig2, 1.0)
    gaps = []
    for n in (100, 800):
        p = int(ratio * n)
        vals = []
        for _ in range(3):
            X, Xt = gen.standard_normal((p, n)) / np.sqrt(p), gen.standard_normal((p, n)) / np.sqrt(p)
            b = gen.standard_normal(p)
            b /= np.linalg.norm(b)
            y = np.sqrt(p) * X.T @ b + np.sqrt(sig2) * gen.standard_normal(n)
            yt = np.sqrt(p) * Xt.T @ b + np.sqrt(sig2) * gen.standard_normal(n)
            de = r.random_features_ridge_errors(X, y, "relu", width_ratio * n, ridge, Xt, yt)
            vals.append([de.train, de.test])
        gaps.append(np.abs(np.mean(vals, axis=0) - [th.train, th.test]) / [th.train, th.test])
    assert np.all(gaps[1] < 0.04), gaps
    assert gaps[1].max() < gaps[0].max(), gaps


def test_conditional_estimator_matches_sample_estimator():
    """The conditional estimator is the sample estimator averaged over target, noise, test set.

    Same draws of X, W (seed), 40 draws at n = 60: the sample test MSE fluctuates at
    O(n^{-1/2}) per draw, so its mean is within 4 standard errors of the conditional one.
    """
    from rmtbook.gaussian_equivalence import simulate_random_features_model as sim

    for kind in ("activation", "gaussian_equivalent"):
        a = sim("relu", 30, 60, 90, [1e-2, 1e-1], 0.2, features=kind, estimator="conditional",
                num_draws=40, rng=3)
        b = sim("relu", 30, 60, 90, [1e-2, 1e-1], 0.2, features=kind, n_test=600,
                num_draws=40, rng=3)
        for which in ("train", "test"):
            diff = np.abs(getattr(a, which) - getattr(b, which))
            assert np.all(diff <= 4 * np.hypot(getattr(a, which + "_se"), getattr(b, which + "_se")))


def test_conditional_estimator_rejects_unsupported_models():
    from rmtbook.gaussian_equivalence import simulate_random_features_model as sim

    with pytest.raises(ValueError, match="estimator"):
        sim("relu", 4, 8, 6, 0.1, estimator="conditional", data="rademacher", num_draws=2, rng=0)
    with pytest.raises(ValueError, match="estimator"):
        sim("relu", 4, 8, 6, 0.1, estimator="bogus", num_draws=2, rng=0)
