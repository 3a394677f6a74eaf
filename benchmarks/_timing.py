"""Timing helper shared by the benchmark scripts (imported as ``_timing`` from this folder)."""

from __future__ import annotations

import time

import numpy as np


def timed(fn, repeat: int = 3):
    """Best wall-clock time over ``repeat`` runs, and the last result."""
    best, out = np.inf, None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out
