"""Benchmark of rmtbook.laws: support edges, density solver, and theory vs the simulation it predicts.

Run:  /work/venv/bin/python benchmarks/bench_laws.py  [--quick]
Prints times and errors measured in this process (ratios are what matter: absolute times depend
on the machine and its load); nothing is asserted (correctness is tested in tests/test_laws.py).

1) Support edges (Silverstein-Choi): the package's vectorized safeguarded Newton in u = 1/v
   (one row of a (intervals x atoms) matrix product per interval and iteration, intervals that
   cannot hold a gap discarded by a closed-form lower bound) against the previous method, a
   256-point grid on every inter-pole interval refined by bisection (quadratic in the number of
   atoms), kept here as the reference.
2) Density on 4000 points: the package's Newton (warm starts interpolated in the angle variable
   from recursively solved anchors, see rmtbook._silverstein.Silverstein._u_inside_warm) vs the same
   Newton with continuation in Im z for every point, and vs a damped fixed point at Im z = 1e-3.
3) Theory vs the simulation it predicts: a histogram of eigenvalues averaged over draws at
   p = 2000. The theory gives the bin masses (differences of the closed-form cdf) to ~1e-14;
   the simulation's L1 error over the bins is measured for 1, 2, 4, ... draws, and the cost of
   the number of draws reaching a stated accuracy is compared with the theory's.
4) Many narrow bulks (hundreds of atoms at c = 0.01): the closed-form cdf against the adaptive
   piecewise Chebyshev model (quadrature of the density), which moments and sampling use.
"""

from __future__ import annotations

import sys

import numpy as np
from _timing import timed

from rmtbook.ensembles import empirical_spectrum, sample_covariance
from rmtbook.laws import sample_covariance_law


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


def grid_bisection_support(t, w, c, npts=256):
    """Reference (the package's previous method): zeros of x'(v) bracketed on a grid of every
    interval between consecutive poles {0, -1/t_k}, refined by vectorized bisection; the support
    is the complement of the images of the segments where x increases."""
    t, w = np.asarray(t, float), np.asarray(w, float)

    def x_of_v(v):
        return -1.0 / v + (1.0 / (1.0 + v[:, None] * t[None, :])) @ (c * w * t)

    def dx_of_v(v):
        inv = 1.0 / (1.0 + v[:, None] * t[None, :])
        return 1.0 / v**2 - (inv * inv) @ (c * w * t * t)

    poles = np.sort(np.concatenate([-1.0 / t, [0.0]]))
    s = (1.0 - np.cos(np.pi * (np.arange(1, npts) / npts))) / 2.0
    pieces = [lo + (hi - lo) * s for lo, hi in zip(poles[:-1], poles[1:])]
    length = 1.0 / t.min()
    pieces.insert(0, poles[0] - length * s[::-1] / (1.0 - s[::-1]))
    pieces.append(length * s / (1.0 - s))
    grid = np.concatenate(pieces)
    piece_id = np.concatenate([np.full(p.size, i) for i, p in enumerate(pieces)])
    dx = dx_of_v(grid)
    change = (np.sign(dx[:-1]) != np.sign(dx[1:])) & (piece_id[:-1] == piece_id[1:])
    lo_v, hi_v, f_lo = grid[:-1][change], grid[1:][change], dx[:-1][change]
    for _ in range(200):
        mid = 0.5 * (lo_v + hi_v)
        same = np.sign(dx_of_v(mid)) == np.sign(f_lo)
        lo_v, hi_v = np.where(same, mid, lo_v), np.where(same, hi_v, mid)
    zeros_v = 0.5 * (lo_v + hi_v)
    complement = []
    for i in range(len(pieces)):
        left = -np.inf if i == 0 else poles[i - 1]
        right = poles[i] if i < poles.size else np.inf
        bounds = np.concatenate([[left], np.sort(zeros_v[(zeros_v > left) & (zeros_v < right)]), [right]])
        for vl, vr in zip(bounds[:-1], bounds[1:]):
            vm = vr - max(1.0, abs(vr)) if np.isinf(vl) else (vl + max(1.0, abs(vl)) if np.isinf(vr) else 0.5 * (vl + vr))
            if dx_of_v(np.array([vm]))[0] <= 0:
                continue
            ends = []
            for v, is_right in ((vl, True), (vr, False)):
                if np.isinf(v):
                    ends.append(0.0)
                elif v == 0.0 or np.any(v == poles):
                    ends.append(-np.inf if is_right else np.inf)
                else:
                    ends.append(float(x_of_v(np.array([v]))[0]))
            complement.append(tuple(ends))
    complement.sort()
    support, cursor = [], -np.inf
    for lo, hi in complement:
        if lo > cursor:
            support.append((cursor, lo))
        cursor = max(cursor, hi)
    scale = max(abs(b) for a, b in support if np.isfinite(b))
    return [(max(a, 0.0), b) for a, b in support if np.isfinite(a) and b - max(a, 0.0) > 1e-13 * scale]


def bench_support(quick: bool) -> None:
    print("1) support edges: vectorized safeguarded Newton in u = 1/v vs grid + bisection (previous)")
    print(f"{'population':40s} {'atoms':>6s} {'bulks':>6s} {'new [s]':>9s} {'grid [s]':>9s} {'ratio':>7s} {'max rel diff':>13s}")
    rng = np.random.default_rng(0)
    sizes = (200, 600) if quick else (200, 600, 1500, 4000)
    for k in sizes:
        for name, t, c in (
            ("uniform on [0.5, 5], c = 0.5", rng.uniform(0.5, 5.0, k), 0.5),
            ("log-uniform on [1e-3, 1e3], c = 0.01", 10 ** rng.uniform(-3, 3, k), 0.01),
        ):
            w = np.full(k, 1.0 / k)
            t_new, sup = timed(lambda: sample_covariance_law(t, c).support(), repeat=1)
            if k <= 600:
                t_old, ref = timed(lambda: grid_bisection_support(np.sort(t), w, c), repeat=1)
                same = len(ref) == len(sup)
                diff = (np.max(np.abs(np.array(ref) - np.array(sup)) / np.abs(np.array(ref)).clip(1e-300))
                        if same else np.nan)
                old_txt, ratio_txt = f"{t_old:9.3f}", f"{t_old / t_new:7.0f}"
                diff_txt = f"{diff:13.1e}" if same else f"{'#bulks differ':>13s}"
            else:
                old_txt, ratio_txt, diff_txt = f"{'-':>9s}", f"{'-':>7s}", f"{'-':>13s}"
            print(f"{name:40s} {k:6d} {len(sup):6d} {t_new:9.3f} {old_txt} {ratio_txt} {diff_txt}")
    print("(the grid method's time grows like atoms^2 x 256; it is skipped above 600 atoms)")
    print()


def main() -> None:
    quick = "--quick" in sys.argv
    bench_support(quick)

    rng = np.random.default_rng(0)
    k, c = 200, 0.5
    t = rng.uniform(0.5, 5.0, k)
    w = np.full(k, 1.0 / k)
    law = sample_covariance_law(t, c)
    support = law.support()
    hi = support[-1][1]
    x = np.linspace(0.0, 1.05 * hi, 4000)
    eta = 1e-3

    t_newton, dens = timed(lambda: sample_covariance_law(t, c).pdf(x))  # support included
    inside = law._in_support(x) & (x > 0)
    def robust(xs, k=64):  # blocks at or below the warm-start threshold: continuation for every point
        fresh = sample_covariance_law(t, c)
        return np.concatenate([fresh._companion(xs[i:i + k] + 0j) for i in range(0, xs.size, k)])

    t_robust, mu_robust = timed(lambda: robust(x[inside]))
    dens_robust = np.zeros_like(dens)
    dens_robust[inside] = mu_robust.imag / (np.pi * c)
    t_newton_eta, mu_eta = timed(lambda: law.companion_stieltjes(x + 1j * eta))
    t_fp, (mu_fp, sweeps) = timed(lambda: damped_fixed_point(x + 1j * eta, t, w, c), repeat=1)
    z = x + 1j * eta
    # density of Chat at finite eta: Im m / pi with m = (mu + (1 - c)/z) / c (this removes the
    # companion's atom 1 - c at 0, whose Cauchy tail Im mu / (pi c) would otherwise carry)
    dens_fp = ((mu_fp + (1 - c) / z) / c).imag / np.pi
    dens_eta = ((mu_eta + (1 - c) / z) / c).imag / np.pi
    peak = dens.max()

    print(f"2) density: population of {k} atoms uniform on [0.5, 5], c = {c}, {x.size} points on [0, {1.05 * hi:.3f}]")
    print(f"{'method':48s} {'time [s]':>10s} {'max err vs x+i0':>16s} {'max err vs x+i1e-3':>19s}")
    print(f"{'Newton, warm starts in theta (law.pdf)':48s} {t_newton:10.3f} {0.0:16.2e} {'-':>19s}")
    print(f"{'Newton + continuation in Im z, every point':48s} {t_robust:10.3f} "
          f"{np.max(np.abs(dens_robust - dens)):16.2e} {'-':>19s}")
    print(f"{'Newton + continuation, Im z = 1e-3':48s} {t_newton_eta:10.3f} "
          f"{np.max(np.abs(dens_eta - dens)):16.2e} {0.0:19.2e}")
    print(f"{f'damped fixed point (a = 0.5, {sweeps} sweeps), Im z = 1e-3':48s} {t_fp:10.3f} "
          f"{np.max(np.abs(dens_fp - dens)):16.2e} {np.max(np.abs(dens_fp - dens_eta)):19.2e}")
    print(f"speed ratio fixed point / Newton (same Im z = 1e-3): {t_fp / t_newton_eta:8.1f}")
    print(f"speed ratio fixed point / Newton (Newton to Im z = 0): {t_fp / t_newton:8.1f}")
    print(f"speed ratio continuation / warm starts (both to Im z = 0): {t_robust / t_newton:8.1f}")
    print(f"(peak density {peak:.3f}; the fixed point's error vs x+i0 includes the O(eta) smoothing"
          " bias it cannot remove, plus O(sqrt(eta)) at the edges)")
    print()

    # 3) theory vs the simulation it predicts: a histogram averaged over draws
    p = 2000
    n = int(p / c)
    pop = np.repeat(t, p // k)
    bins = 50
    edges_x = np.linspace(0.0, 1.05 * hi, bins + 1)
    t_theory, masses = timed(lambda: np.diff(sample_covariance_law(t, c).cdf(edges_x)), repeat=3)
    t_density = t_newton
    draws_max = 4 if quick else 16
    target = 0.01
    sims, counts = [], np.zeros(bins)
    l1_by_draws = {}
    for d in range(1, draws_max + 1):
        t_sim, eigs = timed(lambda: empirical_spectrum(sample_covariance(pop, n, rng=d)), repeat=1)
        sims.append(t_sim)
        counts += np.histogram(eigs, bins=edges_x)[0]
        if d & (d - 1) == 0:  # powers of two
            l1_by_draws[d] = float(np.sum(np.abs(counts / (d * p) - masses)))
    t_sim = float(np.median(sims))
    print(f"3) theory vs dense simulation (p = {p}, n = {n}; histogram with {bins} bins on [0, {1.05 * hi:.3f}])")
    print(f"{'(a) theory: 4000-point density (support included)':58s} {t_density:10.4f} s")
    print(f"{f'    theory: the {bins} bin masses (support + closed-form cdf)':58s} {t_theory:10.4f} s")
    print(f"{'(b) simulation: one draw of X, X X^T / n, eigvalsh':58s} {t_sim:10.4f} s")
    print(f"    one draw / 4000-point density: {t_sim / t_density:8.1f}x;  one draw / bin masses: {t_sim / t_theory:8.1f}x")
    print("(c) L1 error of the averaged histogram's bin masses vs the theory's (theory error ~1e-14):")
    for d, l1 in l1_by_draws.items():
        print(f"    {d:3d} draw(s): L1 = {l1:.4f}   cost {d * t_sim:7.2f} s = {d * t_sim / t_density:6.0f}x the density"
              f" = {d * t_sim / t_theory:7.0f}x the bin masses")
    reached = [d for d, l1 in l1_by_draws.items() if l1 <= target]
    if reached:
        d = reached[0]
        print(f"    draws needed for L1 <= {target:.0%} at {bins} bins: {d}; cost ratio simulation / theory: "
              f"{d * t_sim / t_theory:.0f}x (same {bins}-bin output), {d * t_sim / t_density:.0f}x (4000-point density)")
    else:
        print(f"    L1 <= {target:.0%} not reached with {draws_max} draws: cost ratio > {draws_max * t_sim / t_theory:.0f}x"
              f" (same {bins}-bin output), > {draws_max * t_sim / t_density:.0f}x (4000-point density)")
    print("    (finite-p bias is O(1/p) and does not average out: no number of draws at p = 2000 reaches"
          " the theory's accuracy)")
    print()
    bench_many_bulks(quick)


def bench_many_bulks(quick: bool) -> None:
    from rmtbook.laws import SpectralLaw

    print("4) many narrow bulks: closed-form cdf vs the adaptive piecewise model (quadrature of pdf)")
    print(f"{'population':44s} {'bulks':>5s} {'pieces':>6s} {'cdf@1000 [s]':>12s} {'model [s]':>10s}"
          f" {'ratio':>6s} {'max |F - F_model|':>18s} {'|mass - 1|':>11s}")
    cases = [("600 atoms uniform on [0.5, 5], c = 0.01", np.random.default_rng(1).uniform(0.5, 5.0, 600))]
    if not quick:
        cases.append(("600 atoms log-uniform on [1e-3, 1e3], c = 0.01", 10 ** np.random.default_rng(2).uniform(-3, 3, 600)))
    for name, t in cases:
        x = None
        def closed():
            law = sample_covariance_law(t, 0.01)
            nonlocal x
            x = np.linspace(0.0, 1.02 * law.support()[-1][1], 1000)
            return law.cdf(x)
        t_cdf, f_closed = timed(closed, repeat=1)
        law = sample_covariance_law(t, 0.01)
        law.support()
        t_model, model = timed(law._model, repeat=1)
        diff = np.max(np.abs(SpectralLaw.cdf(law, x) - f_closed))
        print(f"{name:44s} {len(law.support()):5d} {model.masses.size:6d} {t_cdf:12.3f} {t_model:10.3f}"
              f" {t_model / t_cdf:6.0f} {diff:18.1e} {abs(model.masses.sum() - 1):11.1e}")
    print("(the cdf needs mu at the requested points only; the model needs the density everywhere, and is"
          " built once per law for moments and sampling)")


if __name__ == "__main__":
    main()
