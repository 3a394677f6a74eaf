"""Benchmark of rmtbook.kernels: closed forms vs quadrature vs Monte Carlo, in one process.

Run:  /work/venv/bin/python benchmarks/bench_kernels.py
Prints ratios (time and error) measured here; nothing is asserted (see tests/test_kernels.py).
"""

from __future__ import annotations

import time

import numpy as np

import rmtbook as R
from rmtbook import kernels as K


def timed(fn, repeat: int = 3):
    best, out = np.inf, None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def main() -> None:
    rng = np.random.default_rng(0)
    n = p = 200
    X = rng.standard_normal((p, n))
    X /= np.linalg.norm(X, axis=0)
    G = X.T @ X
    iu = np.triu_indices(n)
    q1, q2, k = np.diag(G)[iu[0]], np.diag(G)[iu[1]], G[iu]

    print(f"1) exact kernel of n = {n} unit-norm points: closed form vs 2-D quadrature")
    for name in ["relu", "erf", "cos"]:
        act = K._resolve(name)
        t_cf, cf = timed(lambda: R.random_features_kernel(X, name))
        t_q, qd = timed(lambda: K._quadrature(act.phi, act.phi, q1, q2, k, None), repeat=1)
        t_q2, qd2 = timed(lambda: K._quadrature(act.phi, act.phi, q1, q2, k, 192), repeat=1)
        print(f"   {name:5s} closed form {t_cf * 1e3:7.1f} ms | quadrature (auto) {t_q * 1e3:8.1f} ms, "
              f"time ratio {t_q / t_cf:7.0f}, max error {np.abs(qd - cf[iu]).max():.1e} | "
              f"192 nodes: error {np.abs(qd2 - cf[iu]).max():.1e}")
    t_tanh, _ = timed(lambda: R.random_features_kernel(X, "tanh"), repeat=1)
    print(f"   tanh  (no closed form) quadrature {t_tanh * 1e3:.0f} ms")

    print("2) Hermite coefficients a_0..a_4 of tanh: adaptive quadrature vs Monte Carlo")
    t_ad, a = timed(lambda: R.hermite_coefficients(lambda x: np.tanh(x), 4))
    target = 1e-3  # Monte Carlo standard error to reach (the quadrature is at ~1e-13)
    mc = R.monte_carlo_coefficients("tanh", 4, num_samples=100_000, rng=1)
    se = float(np.max(mc.standard_errors))
    m_needed = int(100_000 * (se / target) ** 2)
    t_mc, mc = timed(lambda: R.monte_carlo_coefficients("tanh", 4, num_samples=m_needed, rng=2), repeat=1)
    print(f"   adaptive {t_ad * 1e3:.1f} ms (error ~1e-13) | Monte Carlo with {m_needed} samples for "
          f"se {target:g}: {t_mc * 1e3:.0f} ms, actual error {np.abs(mc.coefficients - a).max():.1e}, "
          f"time ratio {t_mc / t_ad:.0f}")
    per_sample = t_mc / m_needed
    m_equal = 100_000 * (se / 1e-9) ** 2
    print(f"   at equal accuracy 1e-9 Monte Carlo would need {m_equal:.1e} samples, about "
          f"{m_equal * per_sample:.1e} s: time ratio {m_equal * per_sample / t_ad:.1e}")

    print("3) random-features kernel vs the Monte Carlo average it predicts (ReLU, n = p = 200)")
    exact = R.random_features_kernel(X, "relu")
    for N in (1_000, 4_000, 16_000):
        t_m, est = timed(lambda: R.random_features_kernel_monte_carlo(X, "relu", N, rng=3), repeat=1)
        err = np.abs(np.linalg.eigvalsh(est - exact)).max()
        print(f"   N = {N:6d}: {t_m * 1e3:7.0f} ms, operator-norm error {err:.3f} "
              f"(x sqrt(N / n) = {err * np.sqrt(N / n):.2f}: O(sqrt(n / N)))")
    t_e, _ = timed(lambda: R.random_features_kernel(X, "relu"))
    print(f"   exact kernel: {t_e * 1e3:.1f} ms")


if __name__ == "__main__":
    main()
