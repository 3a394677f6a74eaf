"""Benchmark of rmtbook.laws: Newton with continuation vs a damped fixed point; theory vs simulation.

Run:  /work/venv/bin/python benchmarks/bench_laws.py
Prints times and errors measured in this process (ratios are what matter: absolute times depend
on the machine and its load); nothing is asserted (correctness is tested in tests/test_laws.py).
"""

from __future__ import annotations

import time

import numpy as np

from rmtbook.ensembles import empirical_spectrum, sample_covariance
from rmtbook.laws import sample_covariance_law


def timed(fn, repeat: int = 3):
    """Best wall-clock time over ``repeat`` runs, and the last result."""
    best, out = np.inf, None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def damped_fixed_point(z, t, w, c, *, damping=0.5, tol=1e-12, maxit=20000):
    """The textbook alternative: mu <- (1 - a) mu + a / (-z + c sum w t / (1 + t mu)), vectorized.

    Returns mu and the number of sweeps used (all points iterate until the slowest converges).
    """
    mu = -1.0 / z
    for it in range(1, maxit + 1):
        new = 1.0 / (-z + np.einsum("ij,j->i", 1.0 / (1.0 + mu[:, None] * t[None, :]), c * w * t))
        new = (1.0 - damping) * mu + damping * new
        if np.max(np.abs(new - mu) / np.abs(new)) < tol:
            return new, it
        mu = new
    return mu, maxit


def main() -> None:
    rng = np.random.default_rng(0)
    k, c = 200, 0.5
    t = rng.uniform(0.5, 5.0, k)
    w = np.full(k, 1.0 / k)
    law = sample_covariance_law(t, c)
    t_support, support = timed(lambda: sample_covariance_law(t, c).support(), repeat=1)
    hi = support[-1][1]
    x = np.linspace(0.0, 1.05 * hi, 4000)
    eta = 1e-3

    t_newton, dens = timed(lambda: law.pdf(x))
    t_newton_eta, mu_eta = timed(lambda: law.companion_stieltjes(x + 1j * eta))
    t_fp, (mu_fp, sweeps) = timed(lambda: damped_fixed_point(x + 1j * eta, t, w, c), repeat=1)
    z = x + 1j * eta
    # density of Chat at finite eta: Im m / pi with m = (mu + (1 - c)/z) / c (this removes the
    # companion's atom 1 - c at 0, whose Cauchy tail Im mu / (pi c) would otherwise carry)
    dens_fp = ((mu_fp + (1 - c) / z) / c).imag / np.pi
    dens_eta = ((mu_eta + (1 - c) / z) / c).imag / np.pi
    peak = dens.max()

    print(f"Population: {k} atoms uniform on [0.5, 5], c = {c}, {x.size} points on [0, {1.05 * hi:.3f}]")
    print(f"support: {len(support)} interval(s), edges found in {t_support * 1e3:.1f} ms")
    print()
    print("1) density: Newton with continuation (to Im z = 0) vs damped fixed point at Im z = 1e-3")
    print(f"{'method':48s} {'time [s]':>10s} {'max err vs x+i0':>16s} {'max err vs x+i1e-3':>19s}")
    print(f"{'Newton + continuation, Im z -> 0 (law.pdf)':48s} {t_newton:10.3f} {0.0:16.2e} {'-':>19s}")
    print(f"{'Newton + continuation, Im z = 1e-3':48s} {t_newton_eta:10.3f} "
          f"{np.max(np.abs(dens_eta - dens)):16.2e} {0.0:19.2e}")
    print(f"{f'damped fixed point (a = 0.5, {sweeps} sweeps), Im z = 1e-3':48s} {t_fp:10.3f} "
          f"{np.max(np.abs(dens_fp - dens)):16.2e} {np.max(np.abs(dens_fp - dens_eta)):19.2e}")
    print(f"speed ratio fixed point / Newton (same Im z = 1e-3): {t_fp / t_newton_eta:8.1f}")
    print(f"speed ratio fixed point / Newton (Newton to Im z = 0): {t_fp / t_newton:8.1f}")
    print(f"(peak density {peak:.3f}; the fixed point's error vs x+i0 includes the O(eta) smoothing"
          " bias it cannot remove, plus O(sqrt(eta)) at the edges)")
    print()

    p = 2000
    n = int(p / c)
    pop = np.repeat(t, p // k)
    t_sim, eigs = timed(lambda: empirical_spectrum(sample_covariance(pop, n, rng=1)), repeat=1)
    t_theory, _ = timed(lambda: (sample_covariance_law(t, c).support(), sample_covariance_law(t, c).pdf(x),
                                 law.cdf(x)), repeat=1)
    grid = np.sort(eigs)
    ks = np.max(np.abs(law.cdf(grid) - np.arange(1, p + 1) / p))
    print(f"2) theory vs dense simulation (p = {p}, n = {n})")
    print(f"{'theory: support + pdf + cdf on 4000 points':48s} {t_theory:10.3f} s")
    print(f"{'simulation: draw X, form X X^T / n, eigvalsh':48s} {t_sim:10.3f} s")
    print(f"cost ratio simulation / theory: {t_sim / t_theory:8.1f}; KS distance of the draw to the law: {ks:.4f}")


if __name__ == "__main__":
    main()
