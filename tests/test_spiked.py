"""Tests of rmtbook.spiked: closed forms, their continuity, and agreement with simulations.

Fluctuation orders used for the tolerances (p = 500, n = 1000, c = 1/2 unless stated):

* a supercritical outlier is Gaussian at scale n^{-1/2}: sd = sqrt(2) (1 + ell)
  sqrt(1 - c/ell^2) / sqrt(n) (Paul 2007, Thm 3), plus an O(1/n) bias;
* the alignment |u^T uhat|^2 fluctuates at scale n^{-1/2}, with a constant that grows near the
  threshold: sd ~ K / ((ell - sqrt c) sqrt n), K ~ 1.1 (measured over 80 draws at p = 400,
  n = 800 for ell in [1, 3]); we use K = 1 + sqrt c, as in the chapter (`align_sd`);
* a subcritical top eigenvalue sits within the Tracy-Widom scale
  s = (1 + sqrt c)(1 + 1/sqrt c)^{1/3} n^{-2/3} of the edge (TW1 mean -1.2 s, sd 1.3 s), and
  its alignment is O(1/n) (n |u^T uhat|^2 tends to a multiple of a chi-square variable).
"""

from __future__ import annotations

import numpy as np
import pytest

from rmtbook.spiked import (
    bbp_threshold,
    outlier_alignment,
    outlier_location,
    outlier_threshold,
    spike_alignment,
    spike_eigenvalue,
    spiked_covariance_sample,
    spiked_population_sample,
    top_eigenpairs,
)

C = 0.5
P, N = 500, 1000


def top_eig(x: np.ndarray, k: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Top-k eigenvalues (descending) and eigenvectors of X X^T / n."""
    vals, vecs = np.linalg.eigh(x @ x.T / x.shape[1])
    return vals[::-1][:k], vecs[:, ::-1][:, :k]


def paul_sd(ell: float, c: float, n: int) -> float:
    """Asymptotic standard deviation of a supercritical outlier (Paul 2007, Thm 3)."""
    return float(np.sqrt(2.0) * (1 + ell) * np.sqrt(1 - c / ell**2) / np.sqrt(n))


def align_sd(ell: float, c: float, n: int) -> float:
    """Bound on the sd of |u^T uhat|^2 for a supercritical spike (see the module docstring)."""
    return float((1 + np.sqrt(c)) / ((ell - np.sqrt(c)) * np.sqrt(n)))


def tw_scale(c: float, n: int) -> float:
    """Tracy-Widom scale of the top eigenvalue of a white sample covariance."""
    return float((1 + np.sqrt(c)) * (1 + 1 / np.sqrt(c)) ** (1 / 3) * n ** (-2 / 3))


# ---------------------------------------------------------------------------- closed forms
def test_threshold_values():
    assert bbp_threshold(0.25) == pytest.approx(0.5)
    assert bbp_threshold(4.0) == pytest.approx(2.0)
    assert outlier_threshold(0.25, 1.0) == pytest.approx(1.5, rel=1e-12)
    assert outlier_threshold(2.0, [1.0]) == pytest.approx(1 + np.sqrt(2.0), rel=1e-12)


def test_known_values():
    # (1 + ell)(1 + c/ell) and (1 - c/ell^2)/(1 + c/ell) at hand-computed points.
    assert spike_eigenvalue(2.0, 0.5) == pytest.approx(3.75)
    assert spike_eigenvalue(4.0, 0.5) == pytest.approx(5.625)
    assert spike_alignment(2.0, 0.5) == pytest.approx(0.7)
    assert spike_alignment(1.0, 0.5) == pytest.approx(1 / 3)
    # c > 1 works the same way: threshold sqrt(2), ell = 2 -> 3 * 2 = 6, alignment 0.25
    assert spike_eigenvalue(2.0, 2.0) == pytest.approx(6.0)
    assert spike_alignment(2.0, 2.0) == pytest.approx(0.25)


def test_subcritical_branch_is_edge_and_zero():
    ell = np.array([0.0, 0.1, 0.5, np.sqrt(C)])
    np.testing.assert_allclose(spike_eigenvalue(ell, C), (1 + np.sqrt(C)) ** 2)
    np.testing.assert_array_equal(spike_alignment(ell, C), 0.0)


@pytest.mark.parametrize("c", [0.1, 0.5, 1.0, 3.0])
def test_continuity_at_threshold(c):
    s = np.sqrt(c)
    eps = 1e-7
    below, at, above = spike_eigenvalue(np.array([s - eps, s, s + eps]), c)
    assert at == pytest.approx((1 + s) ** 2, rel=1e-14)
    assert abs(above - at) < 10 * eps and abs(below - at) < 10 * eps
    a_below, a_at, a_above = spike_alignment(np.array([s - eps, s, s + eps]), c)
    assert a_at == 0.0 and a_below == 0.0 and 0 < a_above < 10 * eps


def test_monotone_and_large_spike_limit():
    ell = np.linspace(0.8, 50, 400)
    lam = spike_eigenvalue(ell, C)
    al = spike_alignment(ell, C)
    assert np.all(np.diff(lam) > 0) and np.all(np.diff(al) > 0)
    assert np.all((al >= 0) & (al < 1))
    big = 1e4
    assert spike_alignment(big, C) == pytest.approx(1 - C / big, abs=2 * (C / big) ** 2)
    assert spike_eigenvalue(big, C) == pytest.approx(big + 1 + C, rel=1e-8)


def test_vectorization_and_types():
    out = spike_eigenvalue([0.1, 1.0, 3.0], C)
    assert isinstance(out, np.ndarray) and out.shape == (3,)
    assert isinstance(spike_eigenvalue(1.0, C), float)
    assert isinstance(spike_alignment(np.float64(1.0), C), float)
    assert isinstance(outlier_location(2.0, C), float)
    assert outlier_alignment([2.0, 3.0], C).shape == (2,)


def test_general_bulk_reduces_to_isotropic():
    ell = np.linspace(0.0, 6.0, 61)
    np.testing.assert_allclose(outlier_location(1 + ell, C), spike_eigenvalue(ell, C), rtol=1e-12)
    np.testing.assert_allclose(outlier_alignment(1 + ell, C), spike_alignment(ell, C), atol=1e-12)
    # a bulk of two atoms at the same value is the same law
    np.testing.assert_allclose(outlier_location(1 + ell, C, [1.0, 1.0], [0.3, 0.7]),
                               spike_eigenvalue(ell, C), rtol=1e-12)


def test_general_bulk_outlier_equation():
    """The outlier lambda = psi(theta) solves 1 + theta mu(lambda) = 0, with mu the companion
    Stieltjes transform computed independently by the Silverstein equation
    z = -1/mu + c sum_j w_j t_j / (1 + t_j mu) (root in (-1/theta*, 0) for real z > edge)."""
    from scipy.optimize import brentq

    t, w, c = np.array([1.0, 3.0]), np.array([0.5, 0.5]), 0.5
    star = outlier_threshold(c, t, w)
    # threshold: zero of psi' = 1 - c sum w t^2/(theta - t)^2, above max t
    assert star > 3.0
    assert 1 - c * np.sum(w * t**2 / (star - t) ** 2) == pytest.approx(0.0, abs=1e-10)
    for theta in [5.0, 8.0, 20.0]:
        lam = outlier_location(theta, c, t, w)

        def silverstein(mu: float) -> float:
            return -1 / mu + c * np.sum(w * t / (1 + t * mu)) - lam

        mu = brentq(silverstein, -1 / star + 1e-12, -1e-12, xtol=1e-15)
        assert 1 + theta * mu == pytest.approx(0.0, abs=1e-9)
        # alignment = 1 / (theta lambda mu'(lambda)), mu' = 1 / x'(mu)
        dx = 1 / mu**2 - c * np.sum(w * t**2 / (1 + t * mu) ** 2)
        assert outlier_alignment(theta, c, t, w) == pytest.approx(dx / (theta * lam), rel=1e-9)


def test_general_edge_is_continuous_and_monotone():
    t, w = [1.0, 3.0], [0.5, 0.5]
    star = outlier_threshold(C, t, w)
    th = np.array([0.5, 3.0, 3.5, star, star * (1 + 1e-9), 10.0])
    lam = outlier_location(th, C, t, w)
    al = outlier_alignment(th, C, t, w)
    assert np.all(lam[:4] == lam[3])  # below the threshold: the bulk edge
    assert lam[4] == pytest.approx(lam[3], rel=1e-8) and lam[5] > lam[4]
    np.testing.assert_array_equal(al[:4], 0.0)
    assert 0 < al[4] < 1e-4 and 0 < al[5] < 1


# ---------------------------------------------------------------------------- samplers
def test_sampler_shapes_reproducibility_and_covariance():
    x, u = spiked_covariance_sample(P, N, [4.0, 1.0], rng=3)
    assert x.shape == (P, N) and u.shape == (P, 2)
    np.testing.assert_allclose(u.T @ u, np.eye(2), atol=1e-12)
    x2, u2 = spiked_covariance_sample(P, N, [4.0, 1.0], rng=3)
    np.testing.assert_array_equal(x, x2)
    np.testing.assert_array_equal(u, u2)
    # population check: u_i^T Chat u_i has mean 1 + ell_i and sd (1 + ell_i) sqrt(2/n)
    chat_uu = np.einsum("pi,pn,qn,qi->i", u, x, x, u) / N
    assert np.all(np.abs(chat_uu - np.array([5.0, 2.0])) < 4 * np.array([5.0, 2.0]) * np.sqrt(2 / N))
    # an orthogonal direction has variance 1
    v = np.linalg.qr(np.column_stack([u, np.random.default_rng(0).standard_normal(P)]))[0][:, 2]
    assert abs(v @ x @ x.T @ v / N - 1) < 4 * np.sqrt(2 / N)


def test_population_sampler():
    x, u = spiked_population_sample(400, 800, [9.0], [1.0, 3.0], [0.25, 0.75], rng=5)
    assert x.shape == (400, 800) and u.shape == (400, 1)
    assert abs(np.linalg.norm(u) - 1) < 1e-12
    chat = x @ x.T / 800
    assert abs(u[:, 0] @ chat @ u[:, 0] - 9.0) < 4 * 9.0 * np.sqrt(2 / 800)
    # the bulk gets counts 100 (value 1) and 299 (value 3) by largest remainder, so
    # tr Chat / p has mean tr C / p and sd sqrt(2 tr C^2 / n) / p (a normalized trace, O(1/n))
    eigs = np.array([9.0] + [1.0] * 100 + [3.0] * 299)
    sd = np.sqrt(2 * np.sum(eigs**2) / 800) / 400
    assert abs(np.trace(chat) / 400 - eigs.mean()) < 4 * sd


# ---------------------------------------------------------------------------- simulations
@pytest.mark.parametrize("ell", [1.5, 3.0])
def test_supercritical_outlier_and_alignment(ell):
    m = 4
    lam, al = [], []
    for seed in range(m):
        x, u = spiked_covariance_sample(P, N, ell, rng=100 + seed)
        vals, vecs = top_eig(x)
        lam.append(vals[0])
        al.append((u[:, 0] @ vecs[:, 0]) ** 2)
    # mean of m draws: sd paul_sd / sqrt(m); 4 sd plus an O(1/n) bias allowance of 20/n
    # (the measured bias is about -10/n for ell in [1, 3])
    tol = 4 * paul_sd(ell, C, N) / np.sqrt(m) + 20 / N
    assert abs(np.mean(lam) - spike_eigenvalue(ell, C)) < tol
    # the population eigenvalue 1 + ell (the "classical" answer) is excluded at this size
    assert abs(np.mean(lam) - (1 + ell)) > tol
    # alignment: O(n^{-1/2}), averaged over m draws, 4 sd
    assert abs(np.mean(al) - spike_alignment(ell, C)) < 4 * align_sd(ell, C, N) / np.sqrt(m)


def test_subcritical_sticks_to_edge():
    ell = 0.3  # threshold sqrt(0.5) = 0.707
    x, u = spiked_covariance_sample(P, N, ell, rng=7)
    vals, vecs = top_eig(x)
    edge = (1 + np.sqrt(C)) ** 2
    s = tw_scale(C, N)
    # TW1: mean -1.2 s, sd 1.3 s; |1.2| + 4 * 1.3 < 6.5
    assert abs(vals[0] - edge) < 6.5 * s
    # the supercritical formula, wrongly continued below the threshold, is far away
    assert abs((1 + ell) * (1 + C / ell) - edge) > 20 * s
    # alignment O(1/n): n |u^T uhat|^2 is a chi-square multiple with mean ~ 7 here
    assert (u[:, 0] @ vecs[:, 0]) ** 2 < 100 / N


def test_several_spikes():
    spikes = np.array([5.0, 2.0, 0.2])
    x, u = spiked_covariance_sample(P, N, spikes, rng=11)
    vals, vecs = top_eig(x, 3)
    for i in range(2):
        assert abs(vals[i] - spike_eigenvalue(spikes[i], C)) < 4 * paul_sd(spikes[i], C, N) + 20 / N
        al = (u[:, i] @ vecs[:, i]) ** 2
        assert abs(al - spike_alignment(spikes[i], C)) < 4 * align_sd(spikes[i], C, N)
    # third eigenvalue is a bulk eigenvalue: below the edge within the TW scale
    assert vals[2] < (1 + np.sqrt(C)) ** 2 + 6.5 * tw_scale(C, N)
    # eigenvectors do not mix distinct spikes: cross alignments are O(1/n)
    assert (u[:, 0] @ vecs[:, 1]) ** 2 < 30 / N and (u[:, 1] @ vecs[:, 0]) ** 2 < 30 / N


def test_general_bulk_simulation():
    t, w = [1.0, 3.0], [0.5, 0.5]
    # supercritical spike theta = 8 (threshold 4.52): outlier and alignment at O(n^{-1/2})
    lam, al = [], []
    for seed in range(3):
        x, u = spiked_population_sample(P, N, 8.0, t, w, rng=20 + seed)
        vals, vecs = top_eig(x)
        lam.append(vals[0])
        al.append((u[:, 0] @ vecs[:, 0]) ** 2)
    # sd of the outlier ~ sqrt(2) theta sqrt(psi'(theta)) / sqrt(n) < sqrt(2) * 8 / sqrt(n)
    assert abs(np.mean(lam) - outlier_location(8.0, C, t, w)) < 4 * np.sqrt(2) * 8 / np.sqrt(3 * N)
    # alignment sd measured ~0.9 / sqrt(n) here; constant 1, mean of 3 draws, 4 sd
    assert abs(np.mean(al) - outlier_alignment(8.0, C, t, w)) < 4 / np.sqrt(3 * N)
    # subcritical spike theta = 3.5: the top eigenvalue is at the bulk edge psi(theta*) = 7.07,
    # not at psi(3.5) = 9.1; tolerance: a few times the n^{-2/3} scale edge * n^{-2/3} = 0.07
    x, u = spiked_population_sample(P, N, 3.5, t, w, rng=30)
    vals, _ = top_eig(x)
    edge = outlier_location(3.5, C, t, w)
    assert abs(vals[0] - edge) < 4 * edge * N ** (-2 / 3)


# ---------------------------------------------------------------------------- errors
@pytest.mark.parametrize(
    "call, exc, match",
    [
        (lambda: bbp_threshold(0.0), ValueError, "ratio"),
        (lambda: bbp_threshold(-1.0), ValueError, "ratio"),
        (lambda: bbp_threshold("a"), TypeError, "ratio"),
        (lambda: spike_eigenvalue(-0.5, 0.5), ValueError, "ell"),
        (lambda: spike_eigenvalue([1.0, np.nan], 0.5), ValueError, "ell"),
        (lambda: spike_eigenvalue(1.0, np.inf), ValueError, "ratio"),
        (lambda: spike_alignment(np.ones((2, 2)), 0.5), ValueError, "ell"),
        (lambda: spike_alignment(1.0, 0.0), ValueError, "ratio"),
        (lambda: spiked_covariance_sample(0, 10, 1.0), ValueError, "p"),
        (lambda: spiked_covariance_sample(5, 10, np.ones(6)), ValueError, "spikes"),
        (lambda: spiked_covariance_sample(5, 10, -1.0), ValueError, "spikes"),
        (lambda: spiked_covariance_sample(5, 10, 1.0, rng="x"), TypeError, "rng"),
        (lambda: spiked_covariance_sample(5.0, 10, 1.0), TypeError, "p"),
        (lambda: outlier_location(0.0, 0.5), ValueError, "theta"),
        (lambda: outlier_location(2.0, 0.5, [1.0, -1.0]), ValueError, "population_eigs"),
        (lambda: outlier_location(2.0, 0.5, [1.0, 2.0], [1.0]), ValueError, "weights"),
        (lambda: outlier_alignment(2.0, 0.5, [1.0, 2.0], [0.0, 0.0]), ValueError, "weights"),
        (lambda: outlier_threshold(0.5, []), ValueError, "population_eigs"),
        (lambda: spiked_population_sample(3, 10, [2.0, 2.0, 2.0], 1.0), ValueError, "thetas"),
    ],
)
def test_input_errors(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_top_eigenpairs_both_sides():
    rng = np.random.default_rng(1)
    for p, n in [(30, 50), (50, 30)]:
        x = rng.standard_normal((p, n))
        vals, vecs = top_eig(x, 3)
        v2, u2 = top_eigenpairs(x, 3)
        np.testing.assert_allclose(v2, vals, rtol=1e-10)
        np.testing.assert_allclose(np.abs(np.sum(u2 * vecs, axis=0)), 1.0, atol=1e-8)
        np.testing.assert_allclose(u2.T @ u2, np.eye(3), atol=1e-10)
    with pytest.raises(ValueError, match="k"):
        top_eigenpairs(np.ones((4, 3)), 4)
    with pytest.raises(ValueError, match="x"):
        top_eigenpairs(np.ones(4))


def test_agrees_with_laws_module():
    """Cross-check with rmtbook.laws (independent numerics): the bulk's right edge is the
    subcritical prediction, and the outlier solves 1 + theta mu(lambda) = 0 with mu the
    companion Stieltjes transform."""
    from rmtbook.laws import marchenko_pastur, sample_covariance_law

    for c in [0.3, 2.0]:
        assert marchenko_pastur(c).support()[-1][1] == pytest.approx(spike_eigenvalue(0.0, c), rel=1e-10)
    t, w, c = [1.0, 3.0, 7.0], [0.5, 0.3, 0.2], 0.2
    law = sample_covariance_law(t, c, w)
    assert law.support()[-1][1] == pytest.approx(outlier_location(1.0, c, t, w), rel=1e-9)
    theta = np.array([12.0, 20.0])
    lam = outlier_location(theta, c, t, w)
    mu = law.companion_stieltjes(lam)
    np.testing.assert_allclose(np.real(1 + theta * mu), 0.0, atol=1e-8)


# -- the public API contract (issue 14): renamed keywords, keyword-only rng, frozen results ----
@pytest.mark.parametrize(
    "new, old",
    [
        (lambda: outlier_threshold(0.3, population_eigs=[1.0, 2.0]),
         lambda: outlier_threshold(0.3, bulk=[1.0, 2.0])),
        (lambda: outlier_location(5.0, 0.3, population_eigs=[1.0, 2.0]),
         lambda: outlier_location(5.0, 0.3, bulk=[1.0, 2.0])),
        (lambda: outlier_alignment(5.0, 0.3, population_eigs=[1.0, 2.0]),
         lambda: outlier_alignment(5.0, 0.3, bulk=[1.0, 2.0])),
        (lambda: spiked_population_sample(6, 5, 4.0, population_eigs=[1.0, 2.0], rng=1).X,
         lambda: spiked_population_sample(6, 5, 4.0, bulk=[1.0, 2.0], rng=1).X),
    ],
)
def test_bulk_is_a_deprecated_alias_of_population_eigs(new, old):
    with pytest.warns(DeprecationWarning, match="'bulk' is deprecated.*'population_eigs'"):
        value = old()
    np.testing.assert_array_equal(value, new())


def test_bulk_and_population_eigs_together_is_an_error():
    with pytest.raises(TypeError, match="both 'bulk'"):
        outlier_location(5.0, 0.3, bulk=[1.0], population_eigs=[1.0])


@pytest.mark.parametrize(
    "call",
    [
        lambda: spiked_covariance_sample(5, 10, 1.0, 0),
        lambda: spiked_population_sample(5, 10, 4.0, 1.0, None, 0),
    ],
)
def test_rng_is_keyword_only(call):
    with pytest.raises(TypeError, match="positional"):
        call()


def test_samples_and_eigenpairs_are_frozen_and_unpack():
    import dataclasses

    sample = spiked_covariance_sample(6, 8, [2.0], rng=2)
    x, u = sample
    assert x is sample.X and u is sample.U and sample[0] is sample.X and len(sample) == 2
    pairs = top_eigenpairs(x, 2)
    vals, vecs = pairs
    assert vals is pairs.values and vecs is pairs.vectors
    for result, field in ((sample, "X"), (pairs, "values")):
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(result, field, None)
