"""Benchmark of rmtbook.kernels: closed forms vs quadrature vs Monte Carlo, in one process.

Run:  OPENBLAS_NUM_THREADS=1 /work/venv/bin/python benchmarks/bench_kernels.py [--quick]
Prints ratios (time and error) measured here; nothing is asserted (see tests/test_kernels.py).
Section 4 compares the tabulated (Chebyshev-in-the-angle) path of the exact kernels with the
per-pair 2-D trapezoidal path it replaces for equal-norm data (tanh, n = 256 and 512; the tanh
NTK with 10 layers), and the accuracy of both for a kinked callable (a centred ReLU).
"""

from __future__ import annotations

import sys
import warnings

import numpy as np
from _timing import timed
from scipy import integrate, special
from sklearn.datasets import load_digits

import rmtbook as R
from rmtbook import _kernel_core as KC
from rmtbook import _pair_quadrature as PQ


def per_pair_kernel(act, G: np.ndarray, derivative: bool = False) -> np.ndarray:
    """The former path of rmtbook.kernels: the 2-D trapezoidal rule (automatic order) per pair."""
    n = G.shape[0]
    d = np.diag(G)
    iu, ju = np.triu_indices(n)
    bound = np.sqrt(d[iu] * d[ju])
    f = act.dphi if derivative else act.phi
    vals = PQ.trapezoid_expectation(f, f, d[iu], d[ju], np.clip(G[iu, ju], -bound, bound), None)
    out = np.empty((n, n))
    out[iu, ju] = vals
    out[ju, iu] = vals
    return out


def per_pair_ntk(X: np.ndarray, names: list[str]) -> np.ndarray:
    Kl = X.T @ X
    theta = Kl
    for name in names:
        act = KC.resolve(name)
        kdot = per_pair_kernel(act, Kl, True)
        Kl = per_pair_kernel(act, Kl, False)
        theta = Kl + theta * kdot
    return theta


def section_fast_path(quick: bool) -> None:
    print("4) exact kernels without closed form, equal-norm data: tabulated fast path vs per-pair path")
    rng = np.random.default_rng(5)
    act = KC.resolve("tanh")
    for n in (256,) if quick else (256, 512):
        X = rng.standard_normal((n, n))
        X /= np.linalg.norm(X, axis=0)
        G = X.T @ X
        t_fast, fast = timed(lambda: R.random_features_kernel(X, "tanh"), repeat=3)
        t_slow, slow = timed(lambda: per_pair_kernel(act, G), repeat=1)
        iu = np.triu_indices(n)
        sub = rng.choice(iu[0].size, 1000, replace=False)
        i, j = iu[0][sub], iu[1][sub]
        ref = PQ.trapezoid_expectation(act.phi, act.phi, np.ones(i.size), np.ones(i.size), np.clip(G[i, j], -1, 1), 600)
        print(f"   tanh n = {n}: per-pair {t_slow:6.2f} s | tabulated {t_fast * 1e3:6.1f} ms | speed-up "
              f"{t_slow / t_fast:5.0f}x | error vs 600-node rule: per-pair {np.abs(slow[i, j] - ref).max():.1e}, "
              f"tabulated {np.abs(fast[i, j] - ref).max():.1e}")
    n, L = (128, 10) if quick else (256, 10)
    X = rng.standard_normal((n, n))
    X /= np.linalg.norm(X, axis=0)
    t_fast, fast = timed(lambda: R.neural_tangent_kernel(X, ["tanh"] * L), repeat=2)
    t_slow, slow = timed(lambda: per_pair_ntk(X, ["tanh"] * L), repeat=1)
    print(f"   tanh NTK, {L} layers, n = {n}: per-pair {t_slow:6.2f} s | tabulated {t_fast:6.2f} s | "
          f"speed-up {t_slow / t_fast:5.0f}x | max difference {np.abs(fast - slow).max():.1e}")
    c = 1 / np.sqrt(2 * np.pi)
    crelu = lambda x: np.maximum(x, 0) - c  # noqa: E731
    n = 256
    X = rng.standard_normal((n, n))
    X /= np.linalg.norm(X, axis=0)
    G = X.T @ X
    exact = R.random_features_kernel(X, "relu") - c * c  # closed form of the centred ReLU kernel
    t_fast, fast = timed(lambda: R.random_features_kernel(X, crelu), repeat=3)
    t_slow, slow = timed(lambda: per_pair_kernel(KC.resolve(crelu), G), repeat=1)
    nu = 0.5 - c * c
    print(f"   centred ReLU callable, n = {n}: per-pair {t_slow:5.2f} s, max error {np.abs(slow - exact).max():.1e} "
          f"(E phi^2 / nu = {slow[0, 0] / nu:.6f}) | tabulated {t_fast * 1e3:5.1f} ms, max error "
          f"{np.abs(fast - exact).max():.1e} (E phi^2 / nu = {fast[0, 0] / nu:.15f})")


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
        act = KC.resolve(name)
        t_cf, cf = timed(lambda: R.random_features_kernel(X, name))
        t_q, qd = timed(lambda: PQ.trapezoid_expectation(act.phi, act.phi, q1, q2, k, None), repeat=1)
        t_q2, qd2 = timed(lambda: PQ.trapezoid_expectation(act.phi, act.phi, q1, q2, k, 192), repeat=1)
        print(f"   {name:5s} closed form {t_cf * 1e3:7.1f} ms | quadrature (auto) {t_q * 1e3:8.1f} ms, "
              f"time ratio {t_q / t_cf:7.0f}, max error {np.abs(qd - cf[iu]).max():.1e} | "
              f"192 nodes: error {np.abs(qd2 - cf[iu]).max():.1e}")
    t_tanh, _ = timed(lambda: R.random_features_kernel(X, "tanh"), repeat=1)
    print(f"   tanh  (no closed form) tabulated polar quadrature {t_tanh * 1e3:.0f} ms (see section 4)")

    print("2) Hermite coefficients a_0..a_4 of tanh: adaptive quadrature vs Monte Carlo")
    t_ad, a = timed(lambda: R.hermite_coefficients(lambda x: np.tanh(x), 4))
    target = 1e-3  # Monte Carlo standard error to reach (the adaptive panel rule is at ~1e-16)
    mc = R.monte_carlo_coefficients("tanh", 4, num_samples=100_000, rng=1)
    se = float(np.max(mc.standard_errors))
    m_needed = int(100_000 * (se / target) ** 2)
    t_mc, mc = timed(lambda: R.monte_carlo_coefficients("tanh", 4, num_samples=m_needed, rng=2), repeat=1)
    print(f"   adaptive {t_ad * 1e3:.1f} ms (error ~1e-16) | Monte Carlo with {m_needed} samples for "
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

    section_fast_path("--quick" in sys.argv[1:])
    section_breakpoints()
    section_distinct_norms()


def hardtanh_reference(q1: float, q2: float, k: float) -> float:
    """E[clip(u) clip(v)] by a 1-D integral over u of clip(u) E[clip(v) | u] (closed form)."""
    s = np.sqrt(max(q2 - k * k / q1, 0.0))

    def f(z):
        u = np.sqrt(q1) * z
        m = k / q1 * u
        a, b = (-1 - m) / s, (1 - m) / s
        inner = (special.ndtr(-b) - special.ndtr(a) + m * (special.ndtr(b) - special.ndtr(a))
                 + s * (np.exp(-a * a / 2) - np.exp(-b * b / 2)) / np.sqrt(2 * np.pi))
        return np.clip(u, -1, 1) * inner * np.exp(-z * z / 2) / np.sqrt(2 * np.pi)

    cuts = [-12.0, -1 / np.sqrt(q1), 1 / np.sqrt(q1), 12.0]
    return sum(integrate.quad(f, lo, hi, epsabs=1e-16, epsrel=1e-13, limit=400)[0] for lo, hi in zip(cuts[:-1], cuts[1:]))


def section_breakpoints() -> None:
    print("5) hard tanh clip(x, -1, 1): kinks at +-1 declared (get_activation(fn, breakpoints=(-1, 1))) or not")
    hard = lambda x: np.clip(x, -1.0, 1.0)  # noqa: E731
    declared = R.get_activation(hard, breakpoints=(-1, 1))
    rng = np.random.default_rng(11)
    q1, q2 = rng.uniform(0.2, 4.0, 20), rng.uniform(0.2, 4.0, 20)
    k = rng.uniform(-0.99, 0.99, 20) * np.sqrt(q1 * q2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = np.array([hardtanh_reference(*args) for args in zip(q1, q2, k)])
    for label, act in (("declared", declared), ("undeclared", hard)):
        t, vals = timed(lambda: np.array([R.gaussian_pair_expectation(act, a, b, c, order=None) for a, b, c in zip(q1, q2, k)]), repeat=1)
        print(f"   {label:10s}: 20 random pairs, max error vs 1-D reference {np.abs(vals - ref).max():.1e}, "
              f"{t / 20 * 1e3:.1f} ms per pair")
    rho = np.linspace(-1, 1, 201)
    for label, act in (("declared", declared), ("undeclared", hard)):
        t, _ = timed(lambda: R.dual_activation(act, rho, q=1.5, order=None), repeat=1)
        print(f"   {label:10s}: dual activation on 201 correlations (angle table) {t:.2f} s")


def section_distinct_norms() -> None:
    print("6) data with distinct column norms, leaky ReLU callable: Mehler path vs tensor trapezoidal rule")
    leaky = lambda x: np.where(x > 0, x, 0.1 * x)  # noqa: E731
    act = KC.resolve(leaky)
    rng = np.random.default_rng(12)
    digits = load_digits().data.T[:, :400].astype(float)
    for label, X in (
        ("isotropic Gaussian, p = 200, n = 300, norms in [0.5, 2]", rng.standard_normal((200, 300)) * rng.uniform(0.5, 2.0, 300)),
        ("digits (centred), p = 64, n = 400", digits - digits.mean(axis=1, keepdims=True)),
    ):
        G = X.T @ X / X.shape[0]
        n = G.shape[0]
        t_new, new = timed(lambda: R.kernel_from_covariance(G, leaky), repeat=1)
        iu = np.triu_indices(n)
        d = np.diag(G)
        t_old, old_vals = timed(lambda: PQ.trapezoid_expectation(act.phi, act.phi, d[iu[0]], d[iu[1]], G[iu], None), repeat=1)
        pick = rng.choice(iu[0].size, 100, replace=False)
        i, j = iu[0][pick], iu[1][pick]
        theta = np.arccos(np.clip(G[i, j] / np.sqrt(d[i] * d[j]), -1, 1))
        ref = np.array([PQ.polar_expectation(act.phi, act.phi, d[a], d[b], np.array([t]))[0] for a, b, t in zip(i, j, theta)])
        print(f"   {label}: Mehler path {t_new:5.2f} s, max error {np.abs(new[i, j] - ref).max():.1e} | "
              f"trapezoidal {t_old:5.2f} s, max error {np.abs(old_vals[pick] - ref).max():.1e}")


if __name__ == "__main__":
    main()
