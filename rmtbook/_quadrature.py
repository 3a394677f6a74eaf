"""Shared toolkit: Gaussian quadrature rules (one implementation, cached).

Used by :mod:`rmtbook.laws` (moments of densities) and the Gaussian integrals of
:mod:`rmtbook.hermite` and :mod:`rmtbook.kernels`.
"""

from __future__ import annotations

import functools

import numpy as np
from scipy.special import roots_legendre

__all__: list[str] = []


@functools.lru_cache(maxsize=32)
def gauss_legendre(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Gauss-Legendre nodes and weights on ``[-1, 1]`` (cached, read-only arrays)."""
    x, w = roots_legendre(n)
    x.flags.writeable = False
    w.flags.writeable = False
    return x, w
