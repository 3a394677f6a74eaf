"""Shared toolkit: Chebyshev interpolation on points of the first and second kind (one implementation).

Used by the adaptive density models of :mod:`rmtbook.laws` (first kind: DCT-II) and by the
kernel tables of the pair quadrature behind :mod:`rmtbook.kernels` (second kind,
Chebyshev-Lobatto, which contain the endpoints: DCT-I). Coefficients come from
:func:`scipy.fft.dct`; evaluation from :mod:`numpy.polynomial.chebyshev`, from a blocked
Clenshaw recurrence (:func:`clenshaw`, one series at many points) or, for one series per point,
from the angle form (:func:`chebval_rows`).
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


def cheb2_points(n: int) -> np.ndarray:
    """Chebyshev-Lobatto points (second kind) ``s_j = cos(pi j / n)``, ``j = 0..n`` (decreasing)."""
    return np.cos(np.arange(n + 1) * np.pi / n)


def cheb2_coefficients(values: np.ndarray) -> np.ndarray:
    """Coefficients ``c_k`` (``k = 0..n``) of the interpolant of ``values`` at :func:`cheb2_points`.

    ``values`` (one-dimensional, ``n + 1`` samples in the order of :func:`cheb2_points`); a DCT-I,
    ``O(n log n)``. Used where the endpoints must be interpolated exactly (the kernel tables).
    """
    values = np.asarray(values, dtype=float)
    n = values.size - 1
    c = _fft.dct(values, type=1) / n
    c[0] /= 2
    c[-1] /= 2
    return c


def clenshaw(x: np.ndarray, c: np.ndarray, block: int = 16384) -> np.ndarray:
    """``sum_k c_k T_k(x)`` at many points by Clenshaw's recurrence, in cache-sized blocks.

    Same values as :func:`numpy.polynomial.chebyshev.chebval` for a flat ``x``, without its
    temporaries (the kernel tables evaluate one series at millions of points).
    """
    x = np.asarray(x, dtype=float)
    out = np.empty(x.shape)
    for start in range(0, x.size, block):
        xs = x[start:start + block]
        x2 = 2 * xs
        b1, b2, tmp = np.zeros_like(xs), np.zeros_like(xs), np.empty_like(xs)
        for ck in c[:0:-1]:  # b_k = 2 x b_{k+1} - b_{k+2} + c_k, k = N..1
            np.multiply(x2, b1, out=tmp)
            tmp -= b2
            tmp += ck
            b2, b1, tmp = b1, tmp, b2
        out[start:start + block] = xs * b1 - b2 + c[0]
    return out
