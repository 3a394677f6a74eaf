"""Fluctuation laws at the edge of the spectrum: the Tracy-Widom distributions.

The largest eigenvalue of a GOE (``beta = 1``) or GUE (``beta = 2``) matrix, and of a real or
complex Wishart matrix, centred at the edge of the limiting law and scaled by ``n^{-2/3}``,
converges to the Tracy-Widom law ``F_beta`` (Tracy & Widom 1994, 1996; Johnstone 2001 for
Wishart matrices). Its distribution function is a Fredholm determinant on ``L^2(s, inf)``:

* ``F_2(s) = det(I - K_Ai)``, ``K_Ai(x, y) = (Ai(x) Ai'(y) - Ai'(x) Ai(y)) / (x - y)``;
* ``F_1(s) = det(I - A_s)``, ``A_s(x, y) = Ai((x + y) / 2) / 2`` (Ferrari & Spohn 2005;
  Sasamoto 2005).

It is computed as Bornemann (2010) recommends: Gauss-Legendre quadrature of the operator on
``(s, max(s, 0) + 16)`` (the kernels decay like ``exp(-(2/3) x^{3/2})``: nothing is left beyond)
(upper end ``max(s, 0) + 16``) and the determinant of the ``m x m`` matrix ``I - W^{1/2} K W^{1/2}``, which converges
exponentially in ``m``. On ``[-10, 14]`` (outside of which ``F`` is 0 or 1 to rounding) the
distribution function is then interpolated by a Chebyshev series, from which the density, the
quantiles, the moments and samples follow.

Used in :doc:`/chapters/03_marchenko_pastur`.

References
----------
:cite:p:`tracy1994level`; :cite:p:`tracy1996orthogonal`; :cite:p:`johnstone2001distribution`;
:cite:p:`bornemann2010numerical`.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import numpy as np
from numpy.polynomial import chebyshev as _cheb
from scipy.special import airy

from ._chebyshev import cheb1_coefficients, cheb1_points
from ._quadrature import gauss_legendre
from ._rng import RngLike, as_generator
from ._typing import ArrayLike
from ._validation import check_array, check_int

__all__ = ["TracyWidomLaw", "tracy_widom"]

_LO, _HI = -10.0, 14.0  # F_beta(-10) < 1e-18 and 1 - F_1(14) < 1e-16 (right tail exp(-(2/3) s^1.5))
_UPPER = 16.0  # the Fredholm operators on (s, max(s, 0) + 16): the kernels beyond are below 1e-30
_NODES = 96  # Gauss-Legendre nodes of the Fredholm quadrature (Bornemann: exponential)
_CHEB = 160  # Chebyshev points of the interpolant of F on [_LO, _HI]


def _fredholm_cdf(s: np.ndarray, beta: int, nodes: int = _NODES) -> np.ndarray:
    """``F_beta(s)`` by the Gauss-Legendre Nystrom discretization of the Fredholm determinant."""
    x0, w0 = gauss_legendre(nodes)
    out = np.empty(s.size)
    for i, si in enumerate(s):  # one small determinant per point (vectorizing gains nothing)
        length = max(si, 0.0) + _UPPER - si
        x = si + length * (x0 + 1.0) / 2.0
        w = w0 * length / 2.0
        r = np.sqrt(w)
        if beta == 1:
            ai = airy((x[:, None] + x[None, :]) / 2.0)[0]
            k = ai / 2.0
        else:
            ai, aip = airy(x)[:2]
            dx = x[:, None] - x[None, :]
            with np.errstate(divide="ignore", invalid="ignore"):
                k = (ai[:, None] * aip[None, :] - aip[:, None] * ai[None, :]) / dx
            # the diagonal: Ai'(x)^2 - x Ai(x)^2 (the limit y -> x)
            k[np.diag_indices(nodes)] = aip**2 - x * ai**2
        out[i] = np.linalg.det(np.eye(nodes) - r[:, None] * k * r[None, :])
    return np.clip(out, 0.0, 1.0)


@functools.lru_cache(maxsize=2)
def _cdf_coefficients(beta: int) -> np.ndarray:
    """Chebyshev coefficients of ``F_beta`` on ``[-10, 14]`` (computed once per ``beta``)."""
    pts = cheb1_points(_CHEB)
    s = _LO + (_HI - _LO) * (pts + 1.0) / 2.0
    coef = cheb1_coefficients(_fredholm_cdf(s, beta))
    coef.flags.writeable = False
    return coef


@dataclass(frozen=True)
class TracyWidomLaw:
    """The Tracy-Widom law ``F_beta`` (``beta`` = 1 or 2), with the scipy.stats verbs.

    Attributes
    ----------
    beta : int
        1 (real symmetric / real Wishart) or 2 (Hermitian / complex Wishart).

    Examples
    --------
    >>> law = tracy_widom(1)
    >>> round(law.mean(), 6), round(law.var(), 6)   # -1.2065335746, 1.6077810345
    (-1.206534, 1.607781)
    >>> round(float(law.cdf(-1.2065335746)), 4)  # the mean lies just above the median
    0.5197
    """

    beta: int
    _coef: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_coef", _cdf_coefficients(self.beta))

    # -- distribution --------------------------------------------------------------------------
    def _local(self, x: np.ndarray) -> np.ndarray:
        return 2.0 * (x - _LO) / (_HI - _LO) - 1.0

    def cdf(self, x: ArrayLike):
        """Distribution function (vectorized): the Chebyshev interpolant of the Fredholm determinant."""
        xs = check_array("x", x, min_size=0, allow_inf=True)
        inside = np.clip(xs, _LO, _HI)
        out = np.clip(_cheb.chebval(self._local(inside), self._coef), 0.0, 1.0)
        out = np.where(xs <= _LO, 0.0, np.where(xs >= _HI, 1.0, out))
        return float(out) if out.ndim == 0 else out

    def pdf(self, x: ArrayLike):
        """Density: the derivative of the interpolant (0 outside ``[-10, 14]``)."""
        xs = check_array("x", x, min_size=0, allow_inf=True)
        d = _cheb.chebder(self._coef) * 2.0 / (_HI - _LO)
        out = np.where((xs > _LO) & (xs < _HI), _cheb.chebval(self._local(np.clip(xs, _LO, _HI)), d), 0.0)
        out = np.maximum(out, 0.0)
        return float(out) if out.ndim == 0 else out

    def ppf(self, q: ArrayLike):
        """Quantile function, by bisection on the (monotone) interpolant."""
        qs = check_array("q", q, min_size=0, low=0.0, high=1.0)
        flat = qs.ravel()
        lo, hi = np.full(flat.size, _LO), np.full(flat.size, _HI)
        for _ in range(60):
            mid = 0.5 * (lo + hi)
            below = np.asarray(self.cdf(mid)) < flat
            lo, hi = np.where(below, mid, lo), np.where(below, hi, mid)
        out = (0.5 * (lo + hi)).reshape(qs.shape)
        return float(out) if out.ndim == 0 else out

    def support(self) -> list[tuple[float, float]]:
        """The whole real line (the density is below rounding level outside ``[-10, 14]``)."""
        return [(-np.inf, np.inf)]

    def moment(self, k: int) -> float:
        """``E[X^k]`` by Gauss-Legendre quadrature of the density on ``[-10, 14]``."""
        k = check_int("k", k, low=0, high=16)
        x, w = gauss_legendre(200)
        s = _LO + (_HI - _LO) * (x + 1.0) / 2.0
        return float(np.sum(w * (_HI - _LO) / 2.0 * np.asarray(self.pdf(s)) * s**k))

    def mean(self) -> float:
        """Mean (``-1.2065335746`` for ``beta = 1``, ``-1.7710868074`` for ``beta = 2``)."""
        return self.moment(1)

    def var(self) -> float:
        """Variance (``1.6077810345`` for ``beta = 1``, ``0.8131947928`` for ``beta = 2``)."""
        return self.moment(2) - self.mean() ** 2

    def std(self) -> float:
        """Standard deviation."""
        return float(np.sqrt(self.var()))

    def sample(self, size: int, *, rng: RngLike = None) -> np.ndarray:
        """``size`` i.i.d. draws by inverse transform."""
        size = check_int("size", size, low=0)
        return np.asarray(self.ppf(as_generator(rng).random(size)), dtype=float).reshape(size)


def tracy_widom(beta: int = 1) -> TracyWidomLaw:
    """The Tracy-Widom law ``F_beta`` of the rescaled largest eigenvalue.

    Parameters
    ----------
    beta : int
        1 (GOE, real Wishart: real data) or 2 (GUE, complex Wishart).

    Returns
    -------
    TracyWidomLaw

    References
    ----------
    :cite:p:`tracy1994level,tracy1996orthogonal,bornemann2010numerical`. Used in
    :doc:`/chapters/03_marchenko_pastur`.

    Examples
    --------
    >>> round(tracy_widom(2).mean(), 6)
    -1.771087
    """
    if isinstance(beta, (bool, np.bool_)) or not isinstance(beta, (int, np.integer)):
        raise TypeError(f"beta must be the integer 1 or 2, got {beta!r}")
    if beta not in (1, 2):
        raise ValueError(f"beta must be 1 (real) or 2 (complex), got {beta}")
    return TracyWidomLaw(int(beta))
