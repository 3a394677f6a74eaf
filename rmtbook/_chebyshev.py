"""Shared toolkit: Chebyshev interpolation on points of the first kind (one implementation).

Used by the adaptive density models of :mod:`rmtbook.laws` and by the kernel tables of
:mod:`rmtbook.kernels`. Coefficients come from a DCT-II (:func:`scipy.fft.dct`), evaluation
from :mod:`numpy.polynomial.chebyshev` or, for one series per point, from the angle form.
"""

from __future__ import annotations

import functools

import numpy as np
from scipy import fft as _fft

__all__: list[str] = []


@functools.lru_cache(maxsize=32)
def cheb1_angles(n: int) -> np.ndarray:
    """Angles ``phi_j = pi (j + 1/2) / n`` of the Chebyshev points ``s_j = cos(phi_j)`` (cached)."""
    out = np.pi * (np.arange(n) + 0.5) / n
    out.flags.writeable = False
    return out


def cheb1_points(n: int) -> np.ndarray:
    """Chebyshev points of the first kind ``s_j = cos(pi (j + 1/2) / n)``, ``j = 0..n-1`` (decreasing)."""
    return np.cos(cheb1_angles(n))


def cheb1_coefficients(values: np.ndarray, axis: int = -1) -> np.ndarray:
    """Coefficients ``c_k`` of the interpolant ``sum_k c_k T_k`` of ``values`` at :func:`cheb1_points`.

    ``values`` holds the samples along ``axis`` in the order of :func:`cheb1_points`; the
    result has the same shape (one coefficient per sample). A DCT-II, ``O(n log n)``.
    """
    values = np.asarray(values, dtype=float)
    n = values.shape[axis]
    coef = _fft.dct(values, type=2, axis=axis) / n
    first = [slice(None)] * values.ndim
    first[axis] = 0
    coef[tuple(first)] /= 2.0
    return coef


def chebval_rows(s: np.ndarray, coef_rows: np.ndarray) -> np.ndarray:
    """Evaluate a different Chebyshev series at each point: row ``i`` of ``coef_rows`` at ``s[i]``.

    Uses ``T_k(cos phi) = cos(k phi)``; ``s`` is clipped to ``[-1, 1]``.
    """
    k = np.arange(coef_rows.shape[1])
    tk = np.cos(k[None, :] * np.arccos(np.clip(s, -1.0, 1.0))[:, None])
    return np.einsum("ij,ij->i", tk, coef_rows)
