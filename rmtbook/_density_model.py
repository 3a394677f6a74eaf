"""Shared toolkit: an adaptive piecewise Chebyshev model of a density on its support intervals.

Each support interval ``[a, b]`` is parametrized by the angle ``theta`` in ``[0, pi]``,
``x = a + (b - a) sin^2(theta / 2)``, and cut into pieces ``[t0, t1]`` of ``theta``; on a piece,
``g(s) = pdf(x) dx/ds`` with ``theta = t0 + (t1 - t0)(s + 1)/2`` is interpolated on Chebyshev
points of the first kind (no edge is ever evaluated). The integrand is analytic in ``theta``
for square-root soft edges and for the inverse-square-root hard edge, so the expansion converges
geometrically; a piece whose expansion has not converged is given more points, then halved, so
near-gaps (a dip almost to zero between clusters of population eigenvalues) and tiny square-root
regimes are resolved locally. Every level is one vectorized call of ``pdf``.

The refinement has a *budget*: at most ``MAX_PIECES`` pieces in all. A density that does not
converge within it (a density that is not what its law claims, or one finer than double
precision resolves) gives a :class:`RuntimeWarning` naming the accuracy reached, never an
endless loop.

Used by the law objects of :mod:`rmtbook.laws` for ``cdf`` (generic laws), ``moment``,
``sample``, ``ppf`` and ``continuous_mass``.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ._chebyshev import cheb1_angles, cheb1_coefficients, chebval_rows
from ._quadrature import gauss_legendre
from ._silverstein import theta_of_x, x_of_theta

__all__: list[str] = []

#: most (and fewest) Chebyshev points per piece
PIECE_DEG = 128
PIECE_MIN_DEG = 32
#: tolerance on the discarded Chebyshev tail of a piece (absolute, per unit of pi in theta)
PIECE_TOL = 1e-14
#: a piece is not halved further than pi / 2**MAX_DEPTH in theta
MAX_DEPTH = 30
#: at most this many pieces in the whole model
MAX_PIECES = 4096


@dataclass(frozen=True)
class DensityModel:
    """Per-piece arrays sorted by (interval, ``t0``), and the support intervals."""

    interval: np.ndarray
    a: np.ndarray
    b: np.ndarray
    t0: np.ndarray
    t1: np.ndarray
    coef: np.ndarray
    integ: np.ndarray
    masses: np.ndarray
    interval_a: np.ndarray
    interval_b: np.ndarray


#: a support interval [a, b] with 0 < a is cut at a r, a r^2, ... so that no piece spans more
#: than this ratio: a density that changes over decades of x is smooth on each part in its own
#: angle variable (where one angle map would need thousands of pieces)
SPAN_RATIO = 8.0


def split_geometrically(intervals: np.ndarray) -> np.ndarray:
    """Cut intervals ``[a, b]`` with ``0 < a`` and ``b / a > SPAN_RATIO`` at ``a r^j``."""
    out = []
    for a, b in np.asarray(intervals, dtype=float).reshape(-1, 2):
        if a > 0 and b / a > SPAN_RATIO:
            k = int(np.ceil(np.log(b / a) / np.log(SPAN_RATIO)))
            cuts = a * np.exp(np.log(b / a) * np.arange(k + 1) / k)  # k parts of equal log-ratio
            cuts[0], cuts[-1] = a, b
            out.extend(zip(cuts[:-1], cuts[1:]))
        else:
            out.append((a, b))
    return np.array(out, dtype=float).reshape(-1, 2)


def build(pdf: Callable[[np.ndarray], np.ndarray], intervals: np.ndarray) -> DensityModel:
    """Model of ``pdf`` on ``intervals`` (an ``(m, 2)`` array of ``[a, b]``), split by :func:`split_geometrically`."""
    intervals = split_geometrically(intervals)
    iv = np.arange(len(intervals))
    t0, t1 = np.zeros(iv.size), np.full(iv.size, np.pi)
    depth = np.zeros(iv.size, dtype=int)
    deg = np.full(iv.size, PIECE_MIN_DEG)
    keep: list[tuple[np.ndarray, ...]] = []
    total = iv.size
    worst = 0.0
    while iv.size:
        xs, dxs, groups = [], [], []
        for d in np.unique(deg):
            sel = np.flatnonzero(deg == d)
            phi = cheb1_angles(int(d))  # s = cos(phi)
            span = (t1 - t0)[sel, None]
            theta = t0[sel, None] + span * np.cos(phi / 2.0)[None, :] ** 2  # (1 + s)/2 exactly near s = -1
            comp = (np.pi - t1)[sel, None] + span * np.sin(phi / 2.0)[None, :] ** 2  # pi - theta
            aa, bb = intervals[iv[sel], 0][:, None], intervals[iv[sel], 1][:, None]
            xs.append(x_of_theta(theta, comp, aa, bb).ravel())
            dxs.append(((bb - aa) * np.sin(np.minimum(theta, comp)) / 2.0 * (span / 2.0)).ravel())
            groups.append((sel, int(d)))
        values = np.asarray(pdf(np.concatenate(xs)), dtype=float) * np.concatenate(dxs)
        coef = np.zeros((iv.size, PIECE_DEG))
        tail = np.empty(iv.size)
        offset = 0
        for sel, d in groups:
            g = values[offset : offset + sel.size * d].reshape(sel.size, d)
            offset += sel.size * d
            cf = cheb1_coefficients(g, axis=1)
            coef[sel, :d] = cf
            tail[sel] = np.abs(cf[:, -8:]).max(axis=1)
        top = np.abs(coef).max(axis=1)
        span = t1 - t0
        # converged: the discarded tail is negligible in absolute terms (its share of the
        # tolerance is the piece's share of theta) or relative to the piece itself
        ok = (tail <= PIECE_TOL * span / np.pi) | (tail <= PIECE_TOL * top) | (depth >= MAX_DEPTH)
        more = ~ok & (deg < PIECE_DEG)
        split = ~ok & ~more
        if total + np.count_nonzero(split) > MAX_PIECES:
            # over budget: keep what there is and say how far it is from converged
            worst = max(worst, float(np.max(tail[~ok] / np.maximum(span[~ok] / np.pi, 1e-300))))
            ok = np.ones(iv.size, dtype=bool)
            more[:] = False
            split[:] = False
        keep.append((iv[ok], t0[ok], t1[ok], coef[ok]))
        mid = 0.5 * (t0[split] + t1[split])
        total += np.count_nonzero(split)
        iv = np.concatenate([iv[more], np.repeat(iv[split], 2)])
        new_t0 = np.concatenate([t0[more], np.column_stack([t0[split], mid]).ravel()])
        t1 = np.concatenate([t1[more], np.column_stack([mid, t1[split]]).ravel()])
        t0 = new_t0
        depth = np.concatenate([depth[more], np.repeat(depth[split] + 1, 2)])
        deg = np.concatenate([2 * deg[more], np.full(2 * np.count_nonzero(split), PIECE_MIN_DEG)])
    if worst > 0:
        warnings.warn(
            f"the Chebyshev model of the density did not converge within {MAX_PIECES} pieces "
            f"(largest discarded coefficient {worst:.1e} per unit angle): moments, samples and "
            "quantiles are accurate to about that level",
            RuntimeWarning,
            stacklevel=3,
        )
    piece_iv = np.concatenate([k[0] for k in keep])
    piece_t0 = np.concatenate([k[1] for k in keep])
    piece_t1 = np.concatenate([k[2] for k in keep])
    coef = np.concatenate([k[3] for k in keep]).reshape(-1, PIECE_DEG)
    order = np.lexsort((piece_t0, piece_iv))
    piece_iv, piece_t0, piece_t1, coef = piece_iv[order], piece_t0[order], piece_t1[order], coef[order]
    integ = np.polynomial.chebyshev.chebint(coef, lbnd=-1.0, axis=1)
    masses = np.atleast_1d(np.polynomial.chebyshev.chebval(1.0, integ.T))
    return DensityModel(piece_iv, intervals[piece_iv, 0], intervals[piece_iv, 1], piece_t0, piece_t1,
                        coef, integ, masses, intervals[:, 0], intervals[:, 1])


def locate(x: np.ndarray, model: DensityModel) -> tuple[np.ndarray, np.ndarray]:
    """Piece index and local variable ``s`` of points ``x`` inside the support intervals."""
    iv = np.searchsorted(model.interval_b, x, side="left")
    theta = theta_of_x(x, model.interval_a[iv], model.interval_b[iv])
    key = model.interval * 4.0 + model.t0  # theta < 4: sorted by (interval, t0)
    piece = np.clip(np.searchsorted(key, iv * 4.0 + theta, side="right") - 1, 0, key.size - 1)
    s = 2.0 * (theta - model.t0[piece]) / (model.t1[piece] - model.t0[piece]) - 1.0
    return piece, s


def piece_x(s: np.ndarray, model: DensityModel, piece: np.ndarray) -> np.ndarray:
    """``x`` at local variable ``s`` of the given pieces (broadcasting)."""
    t0, t1 = model.t0[piece], model.t1[piece]
    theta = t0 + (t1 - t0) * (1.0 + s) / 2.0
    comp = (np.pi - t1) + (t1 - t0) * (1.0 - s) / 2.0
    return x_of_theta(theta, comp, model.a[piece], model.b[piece])


def continuous_cdf(x: np.ndarray, model: DensityModel) -> np.ndarray:
    """Mass of the modelled continuous part on ``(-inf, x]`` (1-D ``x``)."""
    a, b = model.interval_a, model.interval_b
    before = np.concatenate([[0.0], np.cumsum(model.masses)])
    first_piece = np.searchsorted(model.interval, np.arange(a.size + 1), side="left")
    left = np.searchsorted(b, x, side="right")  # intervals entirely to the left of x
    out = before[first_piece[left]].astype(float)
    inside = (left < a.size) & (x > a[np.minimum(left, a.size - 1)])
    if np.any(inside):
        piece, s = locate(x[inside], model)
        out[inside] += before[piece] - before[first_piece[left[inside]]] + chebval_rows(s, model.integ[piece])
    return out


def moment(model: DensityModel, k: int) -> float:
    """``int x^k`` of the modelled continuous part, by Gauss-Legendre quadrature per piece."""
    nodes, wts = gauss_legendre(PIECE_DEG + k + 32)
    pieces = np.arange(model.masses.size)
    g = np.polynomial.chebyshev.chebval(nodes, model.coef.T)  # (pieces, nodes)
    xk = piece_x(nodes[None, :], model, pieces[:, None]) ** k
    return float(np.sum(g * xk * wts[None, :]))


def quantile(q: np.ndarray, model: DensityModel) -> np.ndarray:
    """Points where the modelled continuous part reaches mass ``q`` (``0 <= q <= total``).

    Bisection on the local variable of the piece holding the target (vectorized); the result
    is monotone in ``q``.
    """
    masses = model.masses
    cum = np.cumsum(masses)
    q = np.clip(q, 0.0, cum[-1])
    idx = np.minimum(np.searchsorted(cum, q, side="right"), masses.size - 1)
    target = q - np.concatenate([[0.0], cum])[idx]
    rows = model.integ[idx]
    lo = -np.ones(idx.size)
    hi = np.ones(idx.size)
    for _ in range(55):
        mid = 0.5 * (lo + hi)
        below = chebval_rows(mid, rows) < target
        lo = np.where(below, mid, lo)
        hi = np.where(below, hi, mid)
    return piece_x(0.5 * (lo + hi), model, idx)
