"""Tests of rmtbook.linear: deterministic equivalents of ridge regression and their simulation."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from scipy import integrate, optimize

import rmtbook
from rmtbook.linear import (
    _fit_ridge,
    effective_ridge,
    optimal_ridge,
    population_diagonal,
    ridge_risk,
    ridge_risk_isotropic,
    simulate_ridge_risk,
)

RATIOS = np.array([0.05, 0.2, 0.5, 0.9, 0.99, 0.999, 1.0, 1.001, 1.01, 1.2, 2.0, 4.0, 10.0, 50.0])
RIDGES = np.logspace(-6, 3, 28)


# ------------------------------------------------------------------------------------------
# isotropic closed forms (two independent routes) to 1e-6 relative
# ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("noise_var, signal_norm2", [(0.0, 1.0), (0.3, 1.0), (1.0, 0.0), (2.0, 0.7)])
def test_kappa_route_matches_isotropic_closed_form(noise_var, signal_norm2):
    c, g = RATIOS[:, None], RIDGES[None, :]
    a = ridge_risk(c, g, noise_var, signal_norm2)
    b = ridge_risk_isotropic(c, g, noise_var, signal_norm2)
    for name in ("in_sample", "out_of_sample", "kappa"):
        np.testing.assert_allclose(getattr(a, name), getattr(b, name), rtol=1e-6, atol=0, err_msg=name)
    for name in ("bias", "variance"):  # may be exactly 0 (noiseless or signal-free)
        np.testing.assert_allclose(getattr(a, name), getattr(b, name), rtol=1e-6, atol=1e-300, err_msg=name)


def _mp_moments(c: float, gamma: float) -> tuple[float, float]:
    """(1/p) tr Q and (1/p) tr Q^2 at z = -gamma by quadrature of the MP law (atom included)."""
    lo, hi = (1 - np.sqrt(c)) ** 2, (1 + np.sqrt(c)) ** 2

    def density(x):
        return np.sqrt(max((hi - x) * (x - lo), 0.0)) / (2 * np.pi * c * x)

    m = integrate.quad(lambda x: density(x) / (x + gamma), lo, hi, limit=200, epsabs=0, epsrel=1e-12)[0]
    m2 = integrate.quad(lambda x: density(x) / (x + gamma) ** 2, lo, hi, limit=200, epsabs=0, epsrel=1e-12)[0]
    atom = max(1 - 1 / c, 0.0)
    return m + atom / gamma, m2 + atom / gamma**2


@pytest.mark.parametrize("c", [0.3, 0.8, 1.5, 3.0])
@pytest.mark.parametrize("gamma", [0.01, 0.5, 4.0])
def test_isotropic_closed_form_against_mp_quadrature(c, gamma):
    # An oracle for the oracle: m(-gamma), m'(-gamma) from quadrature of the MP density, then
    # R_out = s2 + r2 g^2 m' + s2 c (m - g m'), R_in = s2 (1 - c + c g^2 m') + r2 g^2 (m - g m').
    s2, r2 = 0.4, 1.7
    m, mp = _mp_moments(c, gamma)
    out = s2 + r2 * gamma**2 * mp + s2 * c * (m - gamma * mp)
    ins = s2 * (1 - c + c * gamma**2 * mp) + r2 * gamma**2 * (m - gamma * mp)
    res = ridge_risk_isotropic(c, gamma, s2, r2)
    np.testing.assert_allclose(res.out_of_sample, out, rtol=1e-8)
    np.testing.assert_allclose(res.in_sample, ins, rtol=1e-8)
    np.testing.assert_allclose(res.kappa, gamma * (1 + c * m), rtol=1e-8)


# ------------------------------------------------------------------------------------------
# ridgeless limits
# ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("c", [0.1, 0.5, 0.9, 0.99, 1.01, 1.1, 2.0, 5.0, 20.0])
def test_ridgeless_isotropic_limits(c):
    s2, r2 = 0.6, 1.4
    excess = s2 * c / (1 - c) if c < 1 else r2 * (1 - 1 / c) + s2 / (c - 1)
    r_in = (1 - c) * s2 if c < 1 else 0.0
    for fn in (ridge_risk, ridge_risk_isotropic):
        res = fn(c, 0.0, s2, r2)
        np.testing.assert_allclose(res.out_of_sample - s2, excess, rtol=1e-10)
        np.testing.assert_allclose(res.in_sample, r_in, rtol=1e-10, atol=1e-15)
    # continuity: a tiny ridge approaches the limit (the error is O(gamma / |1 - c|^2))
    tiny = ridge_risk(c, 1e-12, s2, r2)
    np.testing.assert_allclose(tiny.out_of_sample - s2, excess, rtol=1e-6)
    np.testing.assert_allclose(tiny.in_sample, r_in, rtol=1e-6, atol=1e-9)


def test_ridgeless_general_population_limits():
    t, w = np.array([0.5, 2.0, 6.0]), np.array([0.2, 0.5, 0.3])
    s2, r2 = 0.5, 2.0
    # c < 1: OLS, R_out = s2 / (1 - c) for any C, no bias, R_in = (1 - c) s2
    for c in (0.2, 0.7):
        res = ridge_risk(c, 0.0, s2, r2, population_eigs=t, weights=w)
        np.testing.assert_allclose(res.out_of_sample, s2 / (1 - c), rtol=1e-12)
        np.testing.assert_allclose(res.in_sample, (1 - c) * s2, rtol=1e-12)
        assert res.bias == 0.0
    # c > 1: kappa solves 1 = c sum w t / (t + kappa); R_in = 0; limit of small ridges
    for c in (1.3, 3.0):
        res = ridge_risk(c, 0.0, s2, r2, population_eigs=t, weights=w)
        np.testing.assert_allclose(c * np.sum(w * t / (t + res.kappa)), 1.0, rtol=1e-12)
        assert res.in_sample == 0.0
        tiny = ridge_risk(c, 1e-10, s2, r2, population_eigs=t, weights=w)
        np.testing.assert_allclose(tiny.out_of_sample, res.out_of_sample, rtol=1e-6)
        assert abs(tiny.in_sample) < 1e-12


def test_ridgeless_infinite_at_ratio_one_with_warning():
    for fn in (ridge_risk, ridge_risk_isotropic):
        with pytest.warns(RuntimeWarning, match="infinite at ratio = 1"):
            res = fn(1.0, 0.0, noise_var=0.5)
        assert np.isinf(res.out_of_sample) and res.out_of_sample > 0
        assert res.in_sample == 0.0  # (gamma/kappa)^2 R -> 0 at c = 1 (chapter 5)
        with pytest.warns(RuntimeWarning):
            arr = fn(np.array([0.5, 1.0, 2.0]), 0.0, noise_var=0.5)
        assert np.isinf(arr.out_of_sample).tolist() == [False, True, False]
    with pytest.warns(RuntimeWarning):
        ridge_risk(1.0, 0.0, 0.5, population_eigs=[1.0, 3.0])


def test_ridgeless_noiseless_ratio_one_is_finite_without_warning():
    # With sigma^2 = 0, interpolation at p = n recovers beta*: the excess risk tends to 0.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = ridge_risk(1.0, 0.0, 0.0, 1.0)
        assert res.out_of_sample == 0.0
        near = ridge_risk(1.0, 1e-12, 0.0, 1.0)
        assert near.out_of_sample < 1e-5  # ~ kappa / 2 with kappa ~ sqrt(gamma)


# ------------------------------------------------------------------------------------------
# effective ridge
# ------------------------------------------------------------------------------------------
def test_effective_ridge_solves_its_equation_vectorized():
    rng = np.random.default_rng(0)
    t = rng.uniform(0.1, 5.0, 40)
    w = rng.uniform(0.0, 1.0, 40)
    w = w / w.sum()
    c = np.logspace(-2, 2, 50)[:, None]
    g = np.concatenate([[0.0], np.logspace(-8, 3, 30)])[None, :]
    k = effective_ridge(c, g, t, w)
    assert k.shape == (50, 31) and np.all(k >= 0)
    terms = c * np.sum(w * t / (t + k[..., None]), axis=-1)
    lhs = k * (1 - terms)
    # the residual is at rounding level of the terms being subtracted, kappa (1 + terms)
    assert np.all(np.abs(lhs - g) <= 1e-13 * k * (1 + terms) + 1e-300)
    # right branch: 1 - df2/n > 0 everywhere (kappa >= kappa_0)
    assert np.all(1 - c * np.sum(w * t**2 / (t + k[..., None]) ** 2, axis=-1) > 0)
    assert np.all(k[(c <= 1).ravel(), 0] == 0)


def test_effective_ridge_is_gamma_one_plus_delta():
    # kappa = gamma (1 + delta(-gamma)) with delta from the Silverstein fixed point (FORMULAS 2)
    t, w, c, gamma = np.array([1.0, 3.0, 7.0]), np.ones(3) / 3, 0.1, 1.0
    delta = 0.0
    for _ in range(500):
        delta = c * np.sum(w * t / (gamma + t / (1 + delta)))
    np.testing.assert_allclose(effective_ridge(c, gamma, t, w), gamma * (1 + delta), rtol=1e-12)


# ------------------------------------------------------------------------------------------
# optimal ridge
# ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("c, s2, r2", [(0.5, 1.0, 1.0), (2.0, 0.5, 1.0), (1.0, 0.2, 3.0), (4.0, 2.0, 0.5)])
def test_optimal_ridge_minimizes_out_of_sample_risk(c, s2, r2):
    g_star = optimal_ridge(c, s2, r2)
    assert g_star == pytest.approx(s2 * c / r2)
    grid = g_star * np.logspace(-2, 2, 401)
    risk = ridge_risk(c, grid, s2, r2).out_of_sample
    assert np.argmin(risk) == 200  # the grid point equal to gamma*
    best = optimize.minimize_scalar(
        lambda u: ridge_risk(c, np.exp(u), s2, r2).out_of_sample,
        bounds=(np.log(g_star) - 3, np.log(g_star) + 3), method="bounded", options={"xatol": 1e-8},
    )
    np.testing.assert_allclose(np.exp(best.x), g_star, rtol=1e-3)


def test_optimal_ridge_is_also_optimal_for_anisotropic_population():
    # Bayes argument (chapter 5): gamma* = s2 c / r2 is the posterior mean for any C.
    t, w, c, s2, r2 = np.array([0.3, 1.0, 5.0]), np.array([0.5, 0.3, 0.2]), 1.5, 0.8, 1.2
    best = optimize.minimize_scalar(
        lambda u: ridge_risk(c, np.exp(u), s2, r2, t, w).out_of_sample,
        bounds=(-6, 4), method="bounded", options={"xatol": 1e-8},
    )
    np.testing.assert_allclose(np.exp(best.x), optimal_ridge(c, s2, r2), rtol=1e-3)


# ------------------------------------------------------------------------------------------
# structure: broadcasting, monotonicity, ordering
# ------------------------------------------------------------------------------------------
def test_broadcasting_and_scalar_returns():
    res = ridge_risk(np.array([0.5, 2.0, 3.0])[:, None], np.array([0.0, 0.1, 1.0, 10.0]), 0.3, 1.0)
    assert res.in_sample.shape == res.out_of_sample.shape == res.kappa.shape == (3, 4)
    for i, c in enumerate([0.5, 2.0, 3.0]):
        for j, g in enumerate([0.0, 0.1, 1.0, 10.0]):
            single = ridge_risk(c, g, 0.3, 1.0)
            assert isinstance(single.out_of_sample, float) and isinstance(single.in_sample, float)
            assert single.out_of_sample == pytest.approx(res.out_of_sample[i, j], rel=1e-13)
    noise = ridge_risk(0.5, 0.1, noise_var=[0.0, 1.0, 2.0])
    assert noise.out_of_sample.shape == (3,)
    assert ridge_risk_isotropic([0.5, 2.0], 0.1).out_of_sample.shape == (2,)


def test_monotone_in_noise_and_in_sample_below_out_of_sample():
    c, g = RATIOS[:, None, None], np.concatenate([[0.0], RIDGES])[None, :, None]
    s2 = np.array([0.0, 0.1, 0.5, 1.0, 3.0])[None, None, :]
    for pop in (dict(), dict(population_eigs=[0.2, 1.0, 4.0], weights=[0.3, 0.4, 0.3])):
        with pytest.warns(RuntimeWarning):  # the ridgeless point at c = 1
            res = ridge_risk(c, g, s2, 1.0, **pop)
        finite = np.isfinite(res.out_of_sample).all(axis=-1)  # only (c, gamma) = (1, 0) is not
        assert finite.sum() == finite.size - 1
        assert np.all(np.diff(res.out_of_sample[finite], axis=-1) > 0)
        grows = np.diff(res.in_sample, axis=-1)
        # R_in = (gamma/kappa)^2 (R + s2) grows with s2, except where (gamma/kappa) = 0 (ridgeless, c >= 1)
        flat = np.broadcast_to((g == 0) & (c >= 1), res.in_sample.shape)[..., 0]
        assert np.all(grows[~flat] > 0) and np.all(grows[flat] == 0)
        assert np.all(res.in_sample <= res.out_of_sample)
        assert np.all(res.out_of_sample >= s2)


# ------------------------------------------------------------------------------------------
# simulations: theory within the O(n^{-1/2}) fluctuation
# ------------------------------------------------------------------------------------------
def _check_against_theory(p, n, ridges, s2, r2, eigs, weights, num_draws, seed):
    sim = simulate_ridge_risk(p, n, ridges, s2, r2, eigs, weights, num_draws=num_draws, rng=seed)
    diag = population_diagonal(p, eigs, weights)  # the realized C: no rounding of the weights
    th = ridge_risk(p / n, ridges, s2, r2, population_eigs=diag)
    # Tolerance: each draw fluctuates at O(n^{-1/2}) (bilinear forms in beta* and eps); the mean
    # over the draws is within 4 standard errors with probability > 0.9999 per point. The
    # deterministic equivalent has an O(1/n) bias for E[R] (e.g. OLS: E R_out - s2 = s2 p/(n-p-1)
    # against s2 p/(n-p), relative 1/(n-p)); 10/min(p, n) allows for it (2-4% here).
    # test_simulation_rejects_wrong_formulas checks that plausible wrong formulas fail this test.
    for name in ("out_of_sample", "in_sample"):
        mean, se, ref = getattr(sim, name), getattr(sim, name + "_se"), getattr(th, name)
        assert np.all(np.abs(mean - ref) <= _tolerance(se, ref, p, n)), (name, mean, ref, se)
    return sim, th


def _tolerance(se, ref, p, n):
    return 4 * se + (10.0 / min(p, n)) * np.abs(ref) + 1e-12


@pytest.mark.parametrize("p, n", [(400, 800), (500, 250)])
def test_simulation_isotropic(p, n):
    _check_against_theory(p, n, np.array([0.0, 0.05, 1.0]), 0.5, 2.0, None, None, 24, 1)


def test_simulation_isotropic_near_interpolation_threshold():
    # c = 1 with a moderate ridge: the risk is large but finite and still concentrates.
    _check_against_theory(300, 300, np.array([0.1, 1.0]), 0.5, 1.0, None, None, 24, 2)


def test_simulation_anisotropic_two_blocks():
    _check_against_theory(400, 500, np.array([0.0, 0.1, 1.0]), 0.3, 1.5, [1.0, 6.0], [0.6, 0.4], 24, 3)


def test_simulation_anisotropic_power_law():
    p = 600
    eigs = np.arange(1, p + 1) ** -1.0
    _check_against_theory(p, 300, np.array([1e-3, 1e-2]), 0.0, 1.0, eigs, None, 24, 4)


def test_simulation_rejects_wrong_formulas():
    # The tolerance has teeth: plausible wrong formulas fall outside it at these sizes.
    p, n, ridges, s2, r2 = 400, 500, np.array([0.05, 0.5]), 0.3, 1.5
    eigs, weights = [1.0, 6.0], [0.6, 0.4]
    sim, th = _check_against_theory(p, n, ridges, s2, r2, eigs, weights, 24, 5)
    tol_out = _tolerance(sim.out_of_sample_se, th.out_of_sample, p, n)
    tol_in = _tolerance(sim.in_sample_se, th.in_sample, p, n)
    diag = population_diagonal(p, eigs, weights)
    frac = diag / (diag + th.kappa[:, None])
    one_minus_df = 1 - (p / n) * np.mean(frac**2, axis=1)
    # (1) no 1/(1 - df2/n) inflation of the excess risk
    wrong = s2 + (th.out_of_sample - s2) * one_minus_df
    assert np.all(np.abs(sim.out_of_sample - wrong) > tol_out)
    # (2) (gamma/kappa) instead of its square in R_in
    wrong = th.in_sample * th.kappa / ridges
    assert np.all(np.abs(sim.in_sample - wrong) > tol_in)
    # (3) the population ("classical") risk: kappa replaced by gamma
    naive = ridge_risk(1e-9, ridges, s2, r2, population_eigs=diag)  # c -> 0: kappa = gamma
    assert np.all(np.abs(sim.out_of_sample - naive.out_of_sample) > tol_out)


# ------------------------------------------------------------------------------------------
# the simulation helper itself
# ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("p, n", [(7, 12), (12, 7), (9, 9)])
@pytest.mark.parametrize("ridges", [np.array([0.0, 0.3]), np.array([0.0, 0.01, 0.3, 2.0, 5.0])])
def test_fit_ridge_matches_direct_formulas(p, n, ridges):
    rng = np.random.default_rng(11)
    a = rng.standard_normal((p, n)) / np.sqrt(n)
    ytil = rng.standard_normal(n)
    betahat, r_in = _fit_ridge(a, ytil, ridges)
    for j, g in enumerate(ridges):
        direct = np.linalg.pinv(a @ a.T) @ a @ ytil if g == 0 else np.linalg.solve(a @ a.T + g * np.eye(p), a @ ytil)
        np.testing.assert_allclose(betahat[:, j], direct, rtol=1e-8, atol=1e-10)
        np.testing.assert_allclose(r_in[j], np.sum((ytil - a.T @ direct) ** 2), rtol=1e-8, atol=1e-12)


def test_simulation_helper_shapes_reproducibility_and_standard_errors():
    a = simulate_ridge_risk(20, 30, [0.1, 1.0], 0.5, 1.0, num_draws=4, rng=3)
    b = simulate_ridge_risk(20, 30, [0.1, 1.0], 0.5, 1.0, num_draws=4, rng=np.random.default_rng(3))
    np.testing.assert_array_equal(a.out_of_sample_draws, b.out_of_sample_draws)
    assert a.out_of_sample_draws.shape == (4, 2) and a.num_draws == 4
    np.testing.assert_allclose(a.out_of_sample_se, a.out_of_sample_draws.std(axis=0, ddof=1) / 2)
    one = simulate_ridge_risk(20, 30, 0.1, num_draws=1, rng=0)
    assert isinstance(one.out_of_sample, float) and np.isnan(one.out_of_sample_se)
    assert np.all(a.out_of_sample_draws >= 0.5) and np.all(a.in_sample_draws >= 0)


def test_population_diagonal_counts():
    d = population_diagonal(10, [1.0, 2.0, 5.0], [0.33, 0.33, 0.34])
    assert d.shape == (10,) and sorted(np.unique(d, return_counts=True)[1].tolist()) == [3, 3, 4]
    np.testing.assert_array_equal(population_diagonal(4), np.ones(4))
    d = population_diagonal(7, [1.0, 3.0], [0.5, 0.5])
    assert d.size == 7 and abs(np.mean(d == 1.0) - 0.5) <= 1 / 7


def test_exported_from_package():
    for name in ("ridge_risk", "ridge_risk_isotropic", "simulate_ridge_risk", "effective_ridge",
                 "optimal_ridge", "population_diagonal", "RidgeRisk", "SimulatedRidgeRisk"):
        assert hasattr(rmtbook, name)


# ------------------------------------------------------------------------------------------
# input errors
# ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "kwargs, exc, match",
    [
        (dict(ratio=0.0, ridge=0.1), ValueError, r"ratio.*\(0, inf\)"),
        (dict(ratio=-1.0, ridge=0.1), ValueError, "ratio"),
        (dict(ratio=0.5, ridge=-0.1), ValueError, r"ridge.*\[0, inf\)"),
        (dict(ratio=0.5, ridge=np.nan), ValueError, "ridge"),
        (dict(ratio=0.5, ridge=np.inf), ValueError, "ridge"),
        (dict(ratio=0.5, ridge=0.1, noise_var=-1.0), ValueError, "noise_var"),
        (dict(ratio=0.5, ridge=0.1, signal_norm2=-1.0), ValueError, "signal_norm2"),
        (dict(ratio="a", ridge=0.1), TypeError, "ratio"),
        (dict(ratio=0.5, ridge=0.1, population_eigs=[1.0, 0.0]), ValueError, r"population_eigs.*\(0, inf\)"),
        (dict(ratio=0.5, ridge=0.1, population_eigs=[1.0, 2.0], weights=[1.0]), ValueError, "weights"),
        (dict(ratio=0.5, ridge=0.1, population_eigs=[1.0, 2.0], weights=[1.0, -1.0]), ValueError, "weights"),
        (dict(ratio=0.5, ridge=0.1, weights=[1.0]), ValueError, "weights"),
    ],
)
def test_ridge_risk_input_errors(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        ridge_risk(**kwargs)


def test_other_input_errors():
    with pytest.raises(ValueError, match="ratio"):
        ridge_risk_isotropic(0.0, 1.0)
    with pytest.raises(ValueError, match="ridge"):
        effective_ridge(0.5, -1.0)
    with pytest.raises(ValueError, match="signal_norm2"):
        optimal_ridge(0.5, 1.0, 0.0)
    with pytest.raises(ValueError, match="p must be an integer in"):
        simulate_ridge_risk(0, 10, 0.1)
    with pytest.raises(TypeError, match="n must be an integer"):
        simulate_ridge_risk(10, 10.5, 0.1)
    with pytest.raises(ValueError, match="num_draws"):
        simulate_ridge_risk(10, 10, 0.1, num_draws=0)
    with pytest.raises(ValueError, match="noise_var"):
        simulate_ridge_risk(10, 10, 0.1, noise_var=[0.1, 0.2])
    with pytest.raises(TypeError, match="rng"):
        simulate_ridge_risk(10, 10, 0.1, rng="seed")
    with pytest.raises(ValueError, match="p must be"):
        population_diagonal(0)


def test_simulate_ridge_risk_rng_is_keyword_only_and_results_are_frozen():
    import dataclasses

    with pytest.raises(TypeError, match="positional"):
        simulate_ridge_risk(10, 20, 0.1, 0.0, 1.0, None, None, 2, 0)
    sim = simulate_ridge_risk(10, 20, 0.1, num_draws=2, rng=0)
    risk = ridge_risk(0.5, 0.1)
    for result in (sim, risk):
        with pytest.raises(dataclasses.FrozenInstanceError):
            result.in_sample = 0.0


@pytest.mark.parametrize("block", [0, 1])
def test_deterministic_signal_risk_against_simulation(block):
    """beta* on one eigen-block of C (issue #17): the bias depends on where beta* lies in the
    spectrum, not only on its norm. The deterministic-beta* formula matches a simulation with that
    fixed beta* within 4 standard errors plus the O(1/n) finite-size bias (4/n relative); the
    uniformly-random-direction formula (the nearest wrong variant) misses by many standard errors."""
    p, n, ridge, noise = 200, 400, 1.0, 0.25
    t = np.repeat([0.25, 4.0], p // 2)
    beta = np.zeros(p)
    beta[block * p // 2:(block + 1) * p // 2] = 1 / np.sqrt(p / 2)  # ||beta*|| = 1
    theory = ridge_risk(p / n, ridge, noise_var=noise, population_eigs=t, signal=beta)
    random_direction = ridge_risk(p / n, ridge, noise_var=noise, population_eigs=t)
    sim = simulate_ridge_risk(p, n, ridge, noise_var=noise, population_eigs=t, num_draws=60,
                              signal=beta, rng=2)
    for key in ("out_of_sample", "in_sample"):
        mean, se = getattr(sim, key), getattr(sim, key + "_se")
        tol = 4 * se + 4 / n * mean
        assert abs(getattr(theory, key) - mean) < tol, key
        assert abs(getattr(random_direction, key) - mean) > tol, key
    # a beta* of uniformly spread squared coordinates is the random-direction formula, exactly
    flat = ridge_risk(p / n, ridge, noise_var=noise, population_eigs=t, signal=np.full(p, 1 / np.sqrt(p)))
    assert flat.out_of_sample == pytest.approx(random_direction.out_of_sample, rel=1e-13)


def test_signal_argument_refusals():
    with pytest.raises(ValueError, match="signal needs population_eigs"):
        ridge_risk(0.5, 0.1, signal=[1.0])
    with pytest.raises(ValueError, match="not both"):
        ridge_risk(0.5, 0.1, signal_norm2=2.0, population_eigs=[1.0, 2.0], signal=[1.0, 0.0])
    with pytest.raises(ValueError, match="signal must have one entry"):
        ridge_risk(0.5, 0.1, population_eigs=[1.0, 2.0], signal=[1.0])
    with pytest.raises(ValueError, match="signal"):
        simulate_ridge_risk(4, 8, 0.1, signal=[1.0, 2.0], rng=0)
