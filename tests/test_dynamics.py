"""Gradient flow on least squares (rmtbook.dynamics): oracles, limits and simulations."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.integrate import quad
from numpy.polynomial.legendre import leggauss

import rmtbook as r

POPS = [(None, None), ([1.0, 4.0], [0.5, 0.5]), ([0.1, 1.0, 10.0], [0.2, 0.5, 0.3])]


def _mp_oracle(c, t, s2, r2):
    """The isotropic risks from the closed-form Marchenko-Pastur density, by scipy's quad."""
    a, b = (1 - np.sqrt(c)) ** 2, (1 + np.sqrt(c)) ** 2
    atom = max(0.0, 1 - 1 / c)

    def integral(f):
        dens = lambda x: f(x) * np.sqrt((b - x) * (x - a)) / (2 * np.pi * c * x)  # noqa: E731
        return quad(dens, a, b, limit=200, epsabs=1e-13, epsrel=1e-13)[0]

    e2 = integral(lambda x: np.exp(-2 * t * x)) + atom
    var = s2 * c * integral(lambda x: np.expm1(-t * x) ** 2 / x)
    r_in = r2 * integral(lambda x: x * np.exp(-2 * t * x)) + s2 * (1 - c + c * e2)
    return s2 + r2 * e2 + var, r_in


@pytest.mark.parametrize("c", [0.3, 1.0, 2.5])
def test_isotropic_risks_match_the_marchenko_pastur_closed_form(c):
    times = np.array([0.0, 0.1, 1.0, 5.0, 40.0])
    gf = r.gradient_flow_risk(c, times, noise_var=0.3, signal_norm2=1.5)
    oracle = np.array([_mp_oracle(c, t, 0.3, 1.5) for t in times])
    assert np.allclose(gf.out_of_sample, oracle[:, 0], rtol=0, atol=1e-9)
    assert np.allclose(gf.in_sample, oracle[:, 1], rtol=0, atol=1e-9)
    assert gf.quadrature_error < 1e-9


@pytest.mark.parametrize("eigs,w", POPS)
@pytest.mark.parametrize("c", [0.5, 2.0])
def test_infinite_time_gives_the_ridgeless_limits_of_ridge_risk(eigs, w, c):
    ridgeless = r.ridge_risk(c, 0.0, 0.3, 1.5, eigs, w)
    gf = r.gradient_flow_risk(c, [1e3, 1e6, np.inf], 0.3, 1.5, eigs, w)
    assert np.allclose(gf.out_of_sample[1:], ridgeless.out_of_sample, rtol=1e-9)
    assert np.allclose(gf.in_sample[1:], ridgeless.in_sample, rtol=1e-9, atol=1e-12)
    assert np.allclose(gf.bias[2], ridgeless.bias, rtol=1e-9)
    assert np.allclose(gf.variance[2], ridgeless.variance)
    # a moderate time is still measurably away (the limit is not reached trivially)
    at_ten = r.gradient_flow_risk(c, 10.0, 0.3, 1.5, eigs, w).out_of_sample
    assert abs(at_ten - ridgeless.out_of_sample) > 1e-4


@pytest.mark.parametrize("eigs,w", POPS)
def test_time_zero_is_the_null_estimator(eigs, w):
    m1 = 1.0 if eigs is None else float(np.dot(eigs, w) / np.sum(w))
    gf = r.gradient_flow_risk(0.7, 0.0, 0.3, 1.5, eigs, w)
    assert gf.out_of_sample == pytest.approx(0.3 + 1.5 * m1, abs=1e-10)
    assert gf.in_sample == pytest.approx(0.3 + 1.5 * m1, abs=1e-10)


@pytest.mark.parametrize("eigs,w", POPS[1:])
@pytest.mark.parametrize("c", [0.5, 2.0])
def test_laplace_transform_in_time_is_the_ridge_resolvent(eigs, w, c):
    """2 int_0^inf e^{-2 gamma t} bias(t) dt = r2 int nu_C(dx) / (x + gamma)
    = r2 (kappa/gamma - 1)/c.

    The right side is the effective ridge of ridge regression (real-axis branch of the solver),
    the left side the on-support density of nu_C: two independent routes to the same measure.
    """
    gamma = 0.3
    # composite Gauss-Legendre in t on geometric panels up to e^{-2 gamma t} = e^{-120}
    edges = np.concatenate([[0.0], np.geomspace(1e-5, 60.0 / gamma, 60)])
    half, mid = np.diff(edges) / 2, (edges[:-1] + edges[1:]) / 2
    gx, gw = leggauss(24)
    t = (mid[:, None] + half[:, None] * gx).ravel()
    wt = (half[:, None] * gw).ravel()
    bias = r.gradient_flow_risk(c, t, 0.0, 1.0, eigs, w).bias
    laplace = 2.0 * np.dot(wt, np.exp(-2.0 * gamma * t) * bias)
    kappa = r.effective_ridge(c, gamma, eigs, w)
    assert laplace == pytest.approx((kappa / gamma - 1) / c, rel=1e-7)
    # the nearest wrong variant, nu_C replaced by m1 times the eigenvalue law, fails
    law = r.sample_covariance_law(eigs, c, w)
    m1 = float(np.dot(eigs, w) / np.sum(w))
    wrong = m1 * law.stieltjes(-gamma).real
    assert abs(wrong - (kappa / gamma - 1) / c) > 1e-2


def _tolerance(sim, n, which="out_of_sample"):
    # draws of normalized quadratic forms fluctuate at O(n^{-1/2}): 4 standard errors of the mean;
    # plus the O(1/n) finite-size bias of the trace approximations (3/n)
    return 4.0 * np.asarray(getattr(sim, f"{which}_se")) + 3.0 / n


@pytest.mark.parametrize("eigs,w", POPS)
@pytest.mark.parametrize("c", [0.5, 2.0])
def test_simulated_gradient_flow_matches_the_formula(eigs, w, c):
    n = 400
    times = np.array([0.5, 2.0, 8.0, 50.0])
    sim = r.simulate_gradient_flow_risk(int(c * n), n, times, 0.3, 1.0, eigs, w, num_draws=8, rng=7)
    gf = r.gradient_flow_risk(c, times, 0.3, 1.0, eigs, w)
    assert np.all(np.abs(sim.out_of_sample - gf.out_of_sample) < _tolerance(sim, n))
    assert np.all(np.abs(sim.in_sample - gf.in_sample) < _tolerance(sim, n, "in_sample"))


def test_wrong_variants_fail_the_simulation_check():
    """Ridge at lambda = 1/t (Ali et al.'s calibration read as an identity) and the infinite-time
    risk both miss the simulated trajectory by more than the tolerance."""
    n, c, eigs, w = 400, 0.5, [0.1, 1.0, 10.0], [0.2, 0.5, 0.3]
    times = np.array([1.0, 4.0])
    sim = r.simulate_gradient_flow_risk(int(c * n), n, times, 0.5, 1.0, eigs, w, num_draws=8, rng=3)
    tol = _tolerance(sim, n)
    gf = r.gradient_flow_risk(c, times, 0.5, 1.0, eigs, w).out_of_sample
    ridge = r.ridge_risk(c, 1.0 / times, 0.5, 1.0, eigs, w).out_of_sample
    ridgeless = r.ridge_risk(c, 0.0, 0.5, 1.0, eigs, w).out_of_sample
    assert np.all(np.abs(sim.out_of_sample - gf) < tol)
    assert np.any(np.abs(sim.out_of_sample - ridge) > tol)
    assert np.all(np.abs(sim.out_of_sample - ridgeless) > tol)


def test_gradient_descent_filter_equals_explicit_iterations():
    rng = np.random.default_rng(5)
    p, n, eta, steps = 30, 50, 0.2, 37
    sim = r.simulate_gradient_flow_risk(p, n, eta * steps, 0.4, 1.0, num_draws=1, step_size=eta,
                                        rng=11)
    # redo the same draw by explicit iterations
    gen = np.random.default_rng(11)
    a = gen.standard_normal((p, n)) / np.sqrt(n)
    direction = gen.standard_normal(p)
    beta_star = direction / np.linalg.norm(direction)
    ytil = a.T @ beta_star + np.sqrt(0.4 / n) * gen.standard_normal(n)
    beta = np.zeros(p)
    for _ in range(steps):
        beta = beta + eta * a @ (ytil - a.T @ beta)
    assert sim.out_of_sample == pytest.approx(0.4 + np.sum((beta - beta_star) ** 2), rel=1e-10)
    assert sim.in_sample == pytest.approx(np.sum((ytil - a.T @ beta) ** 2), rel=1e-10)
    del rng


def test_small_steps_converge_to_the_flow():
    kw = dict(noise_var=0.3, num_draws=1, rng=2)
    flow = r.simulate_gradient_flow_risk(100, 200, 3.0, **kw).out_of_sample
    errs = [abs(r.simulate_gradient_flow_risk(100, 200, 3.0, step_size=eta, **kw).out_of_sample
                - flow) for eta in (0.1, 0.05, 0.025)]
    assert errs[0] > errs[1] > errs[2]
    assert 1.6 < errs[0] / errs[1] < 2.4  # first order in the step


def test_structured_signal_simulation():
    """The simulator's signal_weights: uniform weights are the default model; in-sample risks of a
    structured signal follow tr(B Chat e^{-2t Chat}) (commuting), checked at large n by the law."""
    eigs, w = [1.0, 0.01], [0.8, 0.2]
    a = r.simulate_gradient_flow_risk(60, 100, [1.0, 10.0], 0.1, 1.0, eigs, w,
                                      signal_weights=[2.0, 2.0], rng=1)
    b = r.simulate_gradient_flow_risk(60, 100, [1.0, 10.0], 0.1, 1.0, eigs, w, rng=1)
    assert np.allclose(a.out_of_sample, b.out_of_sample) and np.allclose(a.in_sample, b.in_sample)
    # all the signal on the slow block: at t = 0 the out-of-sample risk is noise + 0.01 signal_norm2
    sim = r.simulate_gradient_flow_risk(60, 100, 0.0, 0.1, 1.0, eigs, w,
                                        signal_weights=[0.0, 1.0], rng=1)
    assert sim.out_of_sample == pytest.approx(0.1 + 0.01, rel=1e-12)


def test_ratio_one_infinite_time_warns():
    with pytest.warns(RuntimeWarning, match="infinite"):
        gf = r.gradient_flow_risk(1.0, [10.0, np.inf], noise_var=0.5)
    assert np.isfinite(gf.out_of_sample[0]) and np.isinf(gf.out_of_sample[1])
    noiseless = r.gradient_flow_risk(1.0, np.inf, noise_var=0.0).out_of_sample
    assert noiseless == pytest.approx(0.0, abs=1e-6)


def test_shapes_and_broadcast():
    gf = r.gradient_flow_risk(0.5, [[0.0], [1.0]], noise_var=[0.1, 0.2, 0.3])
    assert gf.out_of_sample.shape == (2, 3)
    assert isinstance(r.gradient_flow_risk(0.5, 1.0).out_of_sample, float)


@pytest.mark.parametrize("kwargs,match", [
    (dict(ratio=0.0, time=1.0), "ratio"),
    (dict(ratio=0.5, time=-1.0), "time"),
    (dict(ratio=0.5, time=1.0, noise_var=-1.0), "noise_var"),
    (dict(ratio=0.5, time=1.0, population_eigs=[1.0, -1.0]), "population_eigs"),
    (dict(ratio=0.5, time=1.0, weights=[1.0]), "weights"),
])
def test_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        r.gradient_flow_risk(**kwargs)


def test_gradient_descent_divergence_warns():
    with pytest.warns(RuntimeWarning, match="diverges"):
        r.simulate_gradient_flow_risk(20, 40, 10.0, step_size=5.0, rng=0)


def test_hard_edge_at_ratio_one_and_long_times():
    """c = 1: the variance grows like sqrt(t) (density ~ x^{-1/2} at the hard edge); checked at
    t = 1e6 against quad after the substitution x = s^2 that removes the singularity."""
    t = 1e6
    dens = lambda s: np.sqrt((4 - s * s) * s * s) / (2 * np.pi * s * s)  # noqa: E731
    f = lambda s: 2 * s * np.expm1(-t * s * s) ** 2 / (s * s) * dens(s)  # noqa: E731
    cuts = [0.0, 1 / np.sqrt(t), 10 / np.sqrt(t), 2.0]
    oracle = sum(quad(f, a, b, limit=400, epsabs=0, epsrel=1e-12)[0]
                 for a, b in zip(cuts, cuts[1:]))
    assert r.gradient_flow_risk(1.0, t, 1.0, 0.0).variance == pytest.approx(oracle, rel=1e-9)


@pytest.mark.parametrize("p,n", [(30, 60), (60, 30)])
def test_given_x_averages_equal_explicit_matrix_traces(p, n):
    """E[R | X] from the simulator's eigendecomposition equals the traces computed with expm."""
    from scipy.linalg import expm

    eigs, w, s2, r2, t = [0.5, 3.0], [0.5, 0.5], 0.4, 1.3, np.array([0.7, 5.0])
    sim = r.simulate_gradient_flow_risk(p, n, t, s2, r2, eigs, w, rng=np.random.default_rng(4))
    gen = np.random.default_rng(4)  # replay the draw of X
    diag = r.population_diagonal(p, eigs, w)
    a = np.sqrt(diag)[:, None] * gen.standard_normal((p, n)) / np.sqrt(n)
    chat, k = a @ a.T, a.T @ a
    for i, ti in enumerate(t):
        e_c, e_k = expm(-ti * chat), expm(-ti * k)
        g_chat = np.linalg.pinv(chat) @ (np.eye(p) - e_c)  # g_t(Chat) on the range of Chat
        bias = r2 / p * np.trace(np.diag(diag) @ e_c @ e_c)
        var = s2 / n * np.trace(np.diag(diag) @ chat @ g_chat @ g_chat)
        r_in = r2 / p * np.trace(chat @ e_c @ e_c) + s2 / n * np.trace(e_k @ e_k)
        assert np.isclose(sim.bias_given_x[0, i], bias, rtol=1e-8)
        assert np.isclose(sim.variance_given_x[0, i], var, rtol=1e-8)
        assert np.isclose(sim.in_sample_given_x[0, i], r_in, rtol=1e-8)


def test_given_x_is_nan_for_a_structured_signal():
    sim = r.simulate_gradient_flow_risk(20, 40, 1.0, 0.1, 1.0, [1.0, 0.1], [0.5, 0.5],
                                        signal_weights=[1.0, 2.0], rng=0)
    assert np.all(np.isnan(sim.bias_given_x)) and np.all(np.isnan(sim.in_sample_given_x))
