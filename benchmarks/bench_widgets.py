"""Redraw cost of every explorer, against a trivial explorer in the same process.

Run: ``python benchmarks/bench_widgets.py``. For each explorer in ``rmtbook.widgets`` it times
construction (the default view) and one redraw plus PNG, repeats, and prints the median and the
ratio to a one-line explorer drawn the same way. Readers move sliders: the goal is a redraw
under about a second on one core. Nothing is asserted.
"""

from __future__ import annotations

import inspect
import statistics
import time

import ipywidgets as ipw
import numpy as np

import rmtbook.widgets as W


def _median_time(fn, repeats: int = 3) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _baseline() -> W.Explorer:
    def draw(fig, *, slope):
        fig.axes[0].plot(np.linspace(0, 1, 50), slope * np.linspace(0, 1, 50))

    return W.Explorer(draw, {"slope": ipw.FloatSlider(value=1.0, min=0, max=2)})


def main() -> None:
    base = _baseline()
    t_base = _median_time(lambda: (base.redraw(), base.png()))
    print(f"{'explorer':38s} {'default s':>10s} {'redraw s':>9s} {'ratio':>7s}")
    for name in sorted(W.__all__):
        obj = getattr(W, name)
        if name == "Explorer" or not name.endswith("_explorer") or not inspect.isfunction(obj):
            continue
        start = time.perf_counter()
        ex = obj()
        t_default = time.perf_counter() - start
        t_redraw = _median_time(lambda: (ex.redraw(), ex.png()))
        print(f"{name:38s} {t_default:>10.2f} {t_redraw:>9.2f} {t_redraw / t_base:>7.1f}")
    print(f"{'(baseline: one-line explorer)':38s} {'':>10s} {t_base:>9.3f} {1.0:>7.1f}")


if __name__ == "__main__":
    main()
