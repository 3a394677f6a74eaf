"""Unit tests of rmtbook.feature_learning (chapter 10b): closed forms, the gradient, simulation."""

from __future__ import annotations

import numpy as np
import pytest

import rmtbook as r
from rmtbook import (one_gradient_step, one_step_spike, ridge_test_error, single_index_sample,
                     spike_alignment, spike_eigenvalue)


def test_spike_closed_form_linear_target():
    # identity target: c_1 = 1, nu_* = 1; relu student: a_1 = 1/2
    s = one_step_spike("relu", "linear", 2.0, ratio=0.5, width_ratio=0.25, noise_var=0.5)
    norm2 = 1.0 + 0.5 * (1.0 + 0.5)
    assert s.strength == pytest.approx(2.0 * 0.5 * np.sqrt(norm2), rel=1e-12)
    assert s.target_alignment == pytest.approx(1.0 / norm2, rel=1e-12)
    c = 0.5 / 0.25
    assert s.ell == pytest.approx(s.strength**2 * c, rel=1e-12)
    assert s.weight_outlier == pytest.approx(spike_eigenvalue(s.ell, c), rel=1e-12)
    assert s.weight_alignment == pytest.approx(spike_alignment(s.ell, c) / norm2, rel=1e-12)


def test_threshold_is_the_bbp_point_and_vectorized():
    s0 = one_step_spike("tanh", "sign", 1.0, 0.5, 0.75, 0.04)
    c = 0.5 / 0.75
    at = one_step_spike("tanh", "sign", s0.critical_learning_rate, 0.5, 0.75, 0.04)
    assert at.ell == pytest.approx(np.sqrt(c), rel=1e-12)
    etas = np.array([0.5, 0.99, 1.01, 3.0]) * s0.critical_learning_rate
    s = one_step_spike("tanh", "sign", etas, 0.5, 0.75, 0.04)
    assert s.weight_outlier.shape == (4,)
    edge = (1 + np.sqrt(c)) ** 2
    assert np.allclose(s.weight_outlier[:2], edge) and np.all(s.weight_outlier[2:] > edge)
    assert np.all(s.weight_alignment[:2] == 0.0) and np.all(np.diff(s.weight_alignment[1:]) > 0)
    assert np.all(s.weight_alignment < s.target_alignment)


def test_no_spike_without_first_hermite_coefficient():
    with pytest.raises(ValueError, match="target"):
        one_step_spike("tanh", "square", 1.0, 0.5, 1.0)      # c_1 = 0
    with pytest.raises(ValueError, match="activation"):
        one_step_spike("abs", "linear", 1.0, 0.5, 1.0)       # a_1 = 0
    with pytest.raises(ValueError, match="learning_rate"):
        one_step_spike("tanh", "linear", -1.0, 0.5, 1.0)


def _loss(W, a, X, y):
    N = W.shape[0]
    return np.sum((y - a @ np.tanh(W @ X) / N) ** 2) / (2 * X.shape[1])


def test_step_is_a_gradient_step_of_the_stated_size():
    gen = np.random.default_rng(3)
    N, p, n = 5, 4, 7
    W, a = gen.standard_normal((N, p)) / 2, gen.standard_normal(N)
    X, y = gen.standard_normal((p, n)), gen.standard_normal(n)
    eta = 0.7
    W1 = one_gradient_step(W, a, X, y, "tanh", eta)
    grad = np.zeros_like(W)
    h = 1e-6
    for idx in np.ndindex(W.shape):
        E = np.zeros_like(W)
        E[idx] = h
        grad[idx] = (_loss(W + E, a, X, y) - _loss(W - E, a, X, y)) / (2 * h)
    np.testing.assert_allclose(W1, W - eta * np.sqrt(N) * grad, rtol=1e-7, atol=1e-9)


def _mean_within(sim, ref, bias):
    """Mean of the draws within ``bias * |ref|`` (the O(1/n) finite-size bias) plus 4 standard
    errors (which measure the O(n^{-1/2}) fluctuation of each draw)."""
    sim = np.asarray(sim)
    return abs(sim.mean() - ref) <= bias * abs(ref) + 4 * sim.std(ddof=1) / np.sqrt(sim.size)


@pytest.mark.slow
def test_rank_one_spike_against_simulation():
    # p = 400, n = 800, N = 600, 32 draws; tau^2 = 0.5 so that the noise term matters: dropping
    # it moves theta by 12%, psi = p/N instead of p/n by 9%. The step is linear in eta: one SVD
    # of the step at eta = 1 per draw.
    p, n, N, tau2 = 400, 800, 600, 0.5
    th = one_step_spike("erf", "tanh", 1.0, p / n, N / n, tau2)
    gen = np.random.default_rng(11)
    tops, overlaps, ratios = [], [], []
    for _ in range(32):
        s = single_index_sample(p, n, "tanh", noise_var=tau2, rng=gen)
        W0, a = gen.standard_normal((N, p)) / np.sqrt(p), gen.standard_normal(N)
        step = one_gradient_step(W0, a, s.X, s.y, "erf", 1.0) - W0
        _, S, Vt = np.linalg.svd(step, full_matrices=False)
        tops.append(S[0])
        ratios.append(S[1] / S[0])
        overlaps.append((Vt[0] @ s.direction) ** 2)
    assert _mean_within(tops, th.strength, 1 / n), (np.mean(tops), th.strength)
    assert _mean_within(overlaps, th.target_alignment, 1 / n)
    assert max(ratios) < 3 / np.sqrt(n)
    # the nearest wrong variants fail the same check
    a1 = r.hermite_coefficients("erf", 1)[1]
    c1 = r.hermite_coefficients("tanh", 1)[1]
    nu_star = r.second_moment("tanh")
    for norm2 in (c1**2 + p / n * nu_star,            # tau^2 dropped
                  c1**2 + p / N * (nu_star + tau2),   # psi = p/N
                  c1**2):                             # no noise term at all
        assert not _mean_within(tops, a1 * np.sqrt(norm2), 1 / n), norm2
        assert not _mean_within(overlaps, c1**2 / norm2, 1 / n), norm2
    for factor in (0.95, 1.05):
        assert not _mean_within(tops, factor * th.strength, 1 / n), factor


@pytest.mark.slow
def test_weight_outlier_against_simulation():
    # label noise tau^2 = 0.25; 6 draws; O(N^{-1/2}) fluctuations in the standard error,
    # O(1/N) bias
    p, n, N, eta, tau2 = 400, 800, 600, 5.0, 0.25
    th = one_step_spike("tanh", "linear", eta, p / n, N / n, tau2)
    c = p / N
    assert th.ell > np.sqrt(c)
    gen = np.random.default_rng(5)
    lam, al, given_s1, low_dim = [], [], [], []
    for _ in range(6):
        s = single_index_sample(p, n, "linear", noise_var=tau2, rng=gen)
        W0, a = gen.standard_normal((N, p)) / np.sqrt(p), gen.standard_normal(N)
        W1 = one_gradient_step(W0, a, s.X, s.y, "tanh", eta)
        s1 = np.linalg.svd(W1 - W0, compute_uv=False)[0]
        vals, vecs = np.linalg.eigh(W1.T @ W1 * c)
        lam.append(vals[-1])
        al.append((vecs[:, -1] @ s.direction) ** 2)
        given_s1.append(spike_eigenvalue(s1**2 * c, c))
        low_dim.append(1 + s1**2 * c)  # the population spike: no sampling bias
    lam, al, given_s1, low_dim = map(np.array, (lam, al, given_s1, low_dim))
    # draw by draw, given the measured strength s_1: the spiked-covariance step
    assert _mean_within(lam - given_s1 + th.weight_outlier, th.weight_outlier, 1 / N)
    assert not _mean_within(lam - low_dim + th.weight_outlier, th.weight_outlier, 1 / N)
    assert _mean_within(lam, th.weight_outlier, 1 / N), (lam, th.weight_outlier)
    assert _mean_within(al, th.weight_alignment, 1 / N), (al, th.weight_alignment)
    # wrong variants: ell = theta^2 (no p/N), the chapter-4 overlap with vhat alone (no target
    # factor)
    assert not _mean_within(lam, spike_eigenvalue(th.strength**2, c), 1 / N)
    assert not _mean_within(al, spike_alignment(th.ell, c), 1 / N)


def test_single_index_sample():
    beta = np.array([3.0, 4.0, 0.0])
    s = single_index_sample(3, 50, "tanh", direction=beta, rng=0)
    np.testing.assert_allclose(s.direction, beta / 5)
    np.testing.assert_allclose(s.y, np.tanh(s.direction @ s.X))
    again = single_index_sample(3, 50, "tanh", direction=beta, rng=0)
    np.testing.assert_array_equal(s.X, again.X)
    X, y, d = single_index_sample(3, 4, "sign", rng=1)   # unpacks as a tuple
    assert X.shape == (3, 4) and y.shape == (4,) and np.isclose(np.linalg.norm(d), 1.0)
    with pytest.raises(ValueError, match="direction"):
        single_index_sample(3, 4, "tanh", direction=np.zeros(3))
    with pytest.raises(ValueError, match="direction"):
        single_index_sample(3, 4, "tanh", direction=np.ones(2))
    with pytest.raises(TypeError, match="rng"):
        single_index_sample(3, 4, "tanh", rng="seed")


def test_noise_variance_of_the_sample():
    s = single_index_sample(2, 200_000, "linear", noise_var=0.25, rng=4)
    resid = s.y - s.direction @ s.X
    # sample variance of 2e5 Gaussians: relative standard error sqrt(2 / 2e5) = 0.3%
    assert abs(resid.var() / 0.25 - 1) < 4 * np.sqrt(2 / 200_000)


def test_ridge_test_error_matches_a_direct_solve():
    gen = np.random.default_rng(2)
    N, n, m = 6, 9, 4
    F, Ft = gen.standard_normal((N, n)), gen.standard_normal((N, m))
    y, yt = gen.standard_normal(n), gen.standard_normal(m)
    ridges = np.array([0.05, 2.0])
    got = ridge_test_error(F, y, Ft, yt, ridges)
    for k, g in enumerate(ridges):
        beta = F @ np.linalg.solve(F.T @ F / n + g * np.eye(n), y) / n
        assert got[k] == pytest.approx(np.mean((yt - Ft.T @ beta) ** 2), rel=1e-10)
    assert isinstance(ridge_test_error(F, y, Ft, yt, 0.05), float)
    # more features than samples: the other Gram matrix, the same answer
    G, Gt = gen.standard_normal((n + 5, n)), gen.standard_normal((n + 5, m))
    beta = G @ np.linalg.solve(G.T @ G / n + 0.3 * np.eye(n), y) / n
    assert ridge_test_error(G, y, Gt, yt, 0.3) == pytest.approx(np.mean((yt - Gt.T @ beta) ** 2),
                                                                rel=1e-10)
    with pytest.raises(ValueError, match="ridge"):
        ridge_test_error(F, y, Ft, yt, 0.0)
    with pytest.raises(ValueError, match="F_test"):
        ridge_test_error(F, y, Ft[:3], yt, 0.1)


def test_gradient_step_validation():
    W, a, X, y = np.ones((2, 3)), np.ones(2), np.ones((3, 4)), np.ones(4)
    with pytest.raises(ValueError, match="X"):
        one_gradient_step(W, a, np.ones((2, 4)), y, "tanh", 1.0)
    with pytest.raises(ValueError, match="a"):
        one_gradient_step(W, np.ones(3), X, y, "tanh", 1.0)
    with pytest.raises(ValueError, match="learning_rate"):
        one_gradient_step(W, a, X, y, "tanh", -0.1)
    with pytest.raises(ValueError, match="activation"):
        one_gradient_step(W, a, X, y, "nonsense", 0.1)
