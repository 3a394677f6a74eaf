"""Matrix-free spectra: stochastic Lanczos quadrature against dense eigendecomposition.

Run: ``python benchmarks/bench_spectra.py [--quick]``. Prints, for growing p at c = p/n = 1/2,
the time of ``stochastic_lanczos_density`` on the implicit sample covariance and of
``numpy.linalg.eigvalsh`` on the formed matrix (dense only while affordable), their ratio, the
L1 distance of the Lanczos density to Marchenko-Pastur, and the fitted growth exponents
(expected: about 1 for Lanczos at a fixed number of steps and probes, about 3 for eigvalsh).
All numbers come from one process; nothing is asserted on time.
"""

from __future__ import annotations

import sys
import time

import numpy as np

from rmtbook.spectra import sample_covariance_operator, stochastic_lanczos_density


def mp_density(x: np.ndarray, c: float) -> np.ndarray:
    a, b = (1 - np.sqrt(c)) ** 2, (1 + np.sqrt(c)) ** 2
    out = np.zeros_like(x)
    inside = (x > a) & (x < b)
    out[inside] = np.sqrt((b - x[inside]) * (x[inside] - a)) / (2 * np.pi * c * x[inside])
    return out


def timed(fn, *args, **kwargs):
    start = time.perf_counter()
    value = fn(*args, **kwargs)
    return value, time.perf_counter() - start


def main(quick: bool) -> None:
    c = 0.5
    sizes = [500, 1000, 2000, 4000] if quick else [500, 1000, 2000, 4000, 8000, 16000]
    dense_limit = 2000 if quick else 4000
    x = np.linspace(0, 3.5, 2000)
    rng = np.random.default_rng(0)
    print(f"{'p':>7} {'SLQ s':>8} {'eigvalsh s':>11} {'ratio':>8} {'L1 to MP':>9}")
    rows = []
    for p in sizes:
        n = int(p / c)
        # sparse-free implicit data: generated in float32 halves the memory at large p
        X = rng.standard_normal((p, n))
        density, t_slq = timed(stochastic_lanczos_density, sample_covariance_operator(X), x,
                               num_probes=16, num_steps=60, rng=1)
        l1 = np.trapezoid(np.abs(density - mp_density(x, c)), x)
        t_dense = np.nan
        if p <= dense_limit:
            _, t_dense = timed(np.linalg.eigvalsh, X @ X.T / n)
        rows.append((p, t_slq, t_dense))
        ratio = t_dense / t_slq if np.isfinite(t_dense) else np.nan
        print(f"{p:>7} {t_slq:>8.2f} {t_dense:>11.2f} {ratio:>8.2f} {l1:>9.4f}")
        del X
    ps = np.array([r[0] for r in rows], dtype=float)
    ts = np.array([r[1] for r in rows])
    td = np.array([r[2] for r in rows])
    # the data matrix has p * n = 2 p^2 entries: one product costs O(p^2) here, O(nnz) in general
    print(f"growth exponent of SLQ time in p (dense implicit data, O(p n) per product): "
          f"{np.polyfit(np.log(ps), np.log(ts), 1)[0]:.2f} (theory 2)")
    ok = np.isfinite(td)
    if ok.sum() >= 2:
        print(f"growth exponent of eigvalsh time in p: {np.polyfit(np.log(ps[ok]), np.log(td[ok]), 1)[0]:.2f} (theory 3)")


if __name__ == "__main__":
    main(quick="--quick" in sys.argv)
