"""Shared toolkit: Gaussian quadrature and Hermite tools (one implementation of each, cached).

* :func:`gauss_legendre`: Gauss-Legendre nodes and weights on ``[-1, 1]``;
* :func:`panel_nodes`: composite Gauss-Legendre rules on panels (16 nodes per panel);
* :func:`hermite_rows` / :func:`hermite_table`: the normalized probabilists' Hermite
  polynomials ``h_k = He_k / sqrt(k!)`` by their three-term recurrence (the only place it is
  written);
* :func:`gaussian_hermite_moments`: ``E[f(sqrt(q) xi) h_k(xi)]``, ``E[f(sqrt(q) xi)^2]`` and
  ``E[f(sqrt(q) xi) f(-sqrt(q) xi)]`` for ``xi ~ N(0, 1)`` and many variances ``q`` at once, by a
  panel rule with declared breakpoints (optionally adaptive);
* :func:`mehler_sum`: Mehler's series ``sum_k a_k b_k rho^k``.

Used by :mod:`rmtbook.laws` (moments of densities), :mod:`rmtbook.hermite` (Hermite
coefficients, Mehler's formula) and the pair quadrature behind :mod:`rmtbook.kernels`.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterator, Sequence

import numpy as np
from scipy.special import roots_legendre

__all__: list[str] = []

#: Gauss-Legendre nodes per panel of the composite rules.
PANEL_ORDER = 16
#: Largest panel width scale: panels shrink like 1 / sqrt(max(q, 1)) up to q = 64.
SCALE_CAP = 8.0


@functools.lru_cache(maxsize=32)
def gauss_legendre(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Gauss-Legendre nodes and weights on ``[-1, 1]`` (cached, read-only arrays)."""
    x, w = roots_legendre(n)
    x.flags.writeable = False
    w.flags.writeable = False
    return x, w


def panel_nodes(edges: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Gauss-Legendre nodes and weights (16 per panel) for panels given by sorted ``edges``.

    ``edges`` has shape ``(..., P + 1)``; the result has shape ``(..., 16 P)``. Zero-width
    panels (repeated edges) get zero weights.
    """
    gl_x, gl_w = gauss_legendre(PANEL_ORDER)
    edges = np.asarray(edges, dtype=float)
    half = np.diff(edges, axis=-1) / 2
    mid = (edges[..., :-1] + edges[..., 1:]) / 2
    nodes = mid[..., None] + half[..., None] * gl_x
    weights = half[..., None] * gl_w
    shape = edges.shape[:-1] + (-1,)
    return nodes.reshape(shape), weights.reshape(shape)


def hermite_rows(degree: int, x: np.ndarray) -> Iterator[np.ndarray]:
    """Yield ``h_0(x), ..., h_degree(x)``, ``h_k = He_k / sqrt(k!)``, one degree at a time.

    The stable three-term recurrence ``sqrt(k + 1) h_{k+1} = x h_k - sqrt(k) h_{k-1}``, with
    memory ``O(x.size)`` (no degree cap: the Mehler series of the kernels goes to degree 372).
    """
    x = np.asarray(x, dtype=float)
    h_prev, h = np.zeros_like(x), np.ones_like(x)
    for k in range(degree + 1):
        yield h
        h_prev, h = h, (x * h - math.sqrt(k) * h_prev) / math.sqrt(k + 1)


def hermite_table(degree: int, x: np.ndarray) -> np.ndarray:
    """``h_0..h_degree`` at ``x`` (no validation): shape ``(degree + 1,) + x.shape``."""
    x = np.asarray(x, dtype=float)
    out = np.empty((degree + 1,) + x.shape)
    for k, h in enumerate(hermite_rows(degree, x)):
        out[k] = h
    return out


def mehler_sum(a: np.ndarray, b: np.ndarray, rho: np.ndarray) -> np.ndarray:
    """Mehler's series ``sum_k a[..., k] b[..., k] rho^k`` by Horner's rule.

    ``a`` and ``b`` hold the Hermite coefficients along their last axis; their leading axes
    broadcast with ``rho``. For standard Gaussians ``(u, v)`` with correlation ``rho`` this is
    ``E[phi(u) psi(v)]`` truncated at the degree ``a.shape[-1] - 1``.
    """
    ab = np.asarray(a, dtype=float) * np.asarray(b, dtype=float)
    rho = np.asarray(rho, dtype=float)
    out = np.broadcast_to(ab[..., -1], np.broadcast_shapes(ab.shape[:-1], rho.shape)).astype(float)
    for deg in range(ab.shape[-1] - 2, -1, -1):
        out = out * rho + ab[..., deg]
    return out


def _gaussian_weights(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    return w * np.exp(-x * x / 2) / math.sqrt(2 * math.pi)


def _evaluate(phi: Callable, x: np.ndarray) -> np.ndarray:
    """``phi(x)`` as a float array of the shape of ``x`` (else a ValueError naming the activation)."""
    out = np.asarray(phi(x), dtype=float)
    if out.shape != x.shape:
        raise ValueError(
            "activation must map a scalar to a scalar (vectorized elementwise), got output of "
            f"shape {out.shape} for input of shape {x.shape}"
        )
    return out


def gaussian_hermite_moments(
    phi: Callable[[np.ndarray], np.ndarray],
    variances: np.ndarray,
    degree: int,
    *,
    breaks: Sequence[float] = (),
    radius: float | None = None,
    adaptive: bool = False,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per variance q: ``a_k(q) = E[phi(sqrt(q) xi) h_k(xi)]`` (k <= ``degree``), ``E[phi(u)^2]``
    and ``E[phi(u) phi(-u)]`` for ``u = sqrt(q) xi``, ``xi ~ N(0, 1)``: composite Gauss-Legendre.

    The rule covers ``|x| <= radius`` (default ``sqrt(4 degree + 2) + 9``: the Hermite functions
    of degree <= ``degree`` turn at ``sqrt(4 degree + 2)`` and decay like a Gaussian beyond) with
    16-node panels of width ``min(1/2, 1/s)``, ``s = sqrt(max(q, 1))`` up to 8 (measured: width
    1/2 gives 1e-16 up to degree 372), 0 being an edge. A declared break ``b`` (a kink or jump
    of ``phi`` other than 0) puts one of ``x -> phi(sqrt(q) x)`` at ``b / sqrt(q)``.

    ``adaptive=False`` (many variances, the kernels): the nodes are shared by all variances, so
    the coefficients are one matrix product with the Hermite table; the panels holding a
    break of some variance are redone, cut there, for that variance. Nodes of zero Gaussian
    weight are kept (``phi`` must be finite there). ``adaptive=True`` (a few variances, the
    Hermite coefficients of one activation): per variance, panels cut at the breaks, each
    panel's rule compared with the rule on its two halves and with a Clenshaw-Curtis rule
    (whose nodes include the panel ends) and bisected until all three agree to ``1e-14`` of
    the size of each moment (at most 60 times), so that undeclared kinks and jumps converge too;
    nodes where the Gaussian weight underflows to 0 (``|x| > 38.6``) are not evaluated.

    Returns
    -------
    coef, same, opposite
        Arrays of shapes ``(len(variances), degree + 1)``, ``(len(variances),)`` twice.
    """
    qs = np.asarray(variances, dtype=float).reshape(-1)
    if radius is None:
        radius = math.sqrt(4.0 * degree + 2.0) + 9.0
    s = min(math.sqrt(max(float(qs.max()), 1.0)), SCALE_CAP)
    half = int(math.ceil(radius * max(2.0, s)))
    edges = np.linspace(-radius, radius, 2 * half + 1)  # 0 is an edge
    b = np.asarray([c for c in breaks if c != 0.0], dtype=float)
    if adaptive:
        return _adaptive_moments(phi, qs, degree, edges, b)
    x, w = panel_nodes(edges)
    w = _gaussian_weights(x, w)
    table = hermite_table(degree, x).T  # (nodes, degree + 1)
    root = np.sqrt(qs)[:, None]
    weighted = w * _evaluate(phi, root * x)  # (variances, nodes)
    if b.size == 0:
        coef = weighted @ table
        same = np.sum(weighted * _evaluate(phi, root * x), axis=1)
        opposite = np.sum(weighted * _evaluate(phi, -root * x), axis=1)
        return coef, same, opposite
    # panels holding a cut (for some variance) are removed from the shared rule and redone
    with np.errstate(divide="ignore"):
        cuts = np.where(root > 0, b[None, :] / np.where(root > 0, root, 1.0), np.inf)  # (variances, breaks)
    cuts = np.concatenate([cuts, -cuts], axis=1)  # phi(-sqrt(q) x) breaks at -b / sqrt(q)
    inside = np.abs(cuts) < radius
    panel = np.clip(np.searchsorted(edges, cuts, side="right") - 1, 0, edges.size - 2)
    hit = np.zeros((qs.size, edges.size - 1), dtype=bool)
    rows = np.broadcast_to(np.arange(qs.size)[:, None], cuts.shape)
    hit[rows[inside], panel[inside]] = True
    node_panel = np.repeat(np.arange(edges.size - 1), PANEL_ORDER)
    weighted = np.where(hit[:, node_panel], 0.0, weighted)
    coef = weighted @ table
    same = np.sum(weighted * _evaluate(phi, root * x), axis=1)
    opposite = np.sum(weighted * _evaluate(phi, -root * x), axis=1)
    # the removed panels, cut at every cut they hold: (variances, cut panels, sub-panels)
    lo = edges[panel]
    hi = edges[panel + 1]
    inner = np.where(inside[:, :, None] & (cuts[:, None, :] > lo[:, :, None]) & (cuts[:, None, :] < hi[:, :, None]),
                     cuts[:, None, :], hi[:, :, None])  # cuts inside each panel, else its right end
    # a panel hit by several cuts appears once per cut: keep only its first occurrence
    first = np.ones(panel.shape, dtype=bool)
    for j in range(1, panel.shape[1]):
        first[:, j] = ~np.any((panel[:, :j] == panel[:, j : j + 1]) & inside[:, :j], axis=1)
    keep = inside & first
    sub_edges = np.sort(np.concatenate([lo[:, :, None], inner, hi[:, :, None]], axis=2), axis=2)
    xs, ws = panel_nodes(sub_edges)  # (variances, cut panels, nodes)
    ws = _gaussian_weights(xs, ws) * keep[:, :, None]
    f_plus = _evaluate(phi, root[:, :, None] * xs)
    wf = ws * f_plus
    same += np.sum(wf * f_plus, axis=(1, 2))
    opposite += np.sum(wf * _evaluate(phi, -root[:, :, None] * xs), axis=(1, 2))
    # streamed: the nodes differ per variance here, and a (degree x variances x nodes) table
    # would be hundreds of MB at degree 372
    for deg, h in enumerate(hermite_rows(degree, xs)):
        coef[:, deg] += np.sum(wf * h, axis=(1, 2))
    return coef, same, opposite


_ADAPTIVE_RTOL = 1e-14
_ADAPTIVE_LEVELS = 60


@functools.lru_cache(maxsize=8)
def clenshaw_curtis(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Clenshaw-Curtis nodes ``cos(pi j / n)``, ``j = 0..n`` (``n`` even; the endpoints included)
    and weights on ``[-1, 1]`` (cached, read-only)."""
    theta = np.pi * np.arange(n + 1) / n
    k = np.arange(1, n // 2 + 1)
    b = np.where(k == n // 2, 1.0, 2.0)
    w = 1.0 - np.sum(b / (4.0 * k**2 - 1.0) * np.cos(2.0 * np.outer(theta, k)), axis=1)
    w *= np.where((np.arange(n + 1) == 0) | (np.arange(n + 1) == n), 1.0, 2.0) / n
    x = np.cos(theta)
    x.flags.writeable = False
    w.flags.writeable = False
    return x, w


def _panel_moments(
    phi: Callable, r: float, degree: int, lo: np.ndarray, hi: np.ndarray, endpoints: bool = False
) -> np.ndarray:
    """Moments (a_0..a_degree, E phi^2, E phi(u) phi(-u)) of each panel [lo, hi]: (panels, degree + 3).

    16-point Gauss-Legendre, or with ``endpoints`` the 17-point Clenshaw-Curtis rule (its nodes
    include the panel ends, so that it sees a jump that no Gauss node of the panel or its halves
    reaches: one in the last 0.3 percent of the panel)."""
    if endpoints:
        cx, cw = clenshaw_curtis(PANEL_ORDER)
        half, mid = (hi - lo)[:, None] / 2, (hi + lo)[:, None] / 2
        x, w = mid + half * cx, half * cw
    else:
        x, w = panel_nodes(np.stack([lo, hi], axis=-1))  # (panels, 16)
    w = _gaussian_weights(x, w)
    live = w > 0
    f_plus = np.zeros_like(x)
    f_minus = np.zeros_like(x)
    f_plus[live] = _evaluate(phi, r * x[live])
    f_minus[live] = _evaluate(phi, -r * x[live])
    wf = w * f_plus
    out = np.empty((lo.size, degree + 3))
    for k, h in enumerate(hermite_rows(degree, x)):
        out[:, k] = np.sum(wf * h, axis=1)
    out[:, degree + 1] = np.sum(wf * f_plus, axis=1)
    out[:, degree + 2] = np.sum(wf * f_minus, axis=1)
    return out


def _adaptive_moments(
    phi: Callable, qs: np.ndarray, degree: int, edges: np.ndarray, b: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The adaptive branch of :func:`gaussian_hermite_moments` (bisection per panel, per variance)."""
    result = np.empty((qs.size, degree + 3))
    for i, q in enumerate(qs):
        r = math.sqrt(q)
        cuts = (np.concatenate([b, -b]) / r) if (b.size and r > 0) else np.empty(0)
        cuts = cuts[np.abs(cuts) < edges[-1]]
        e = np.unique(np.concatenate([edges, cuts]))
        lo, hi = e[:-1], e[1:]
        coarse = _panel_moments(phi, r, degree, lo, hi)
        tol = _ADAPTIVE_RTOL * np.maximum(np.abs(coarse.sum(axis=0)), 1.0)
        total = np.zeros(degree + 3)
        for _ in range(_ADAPTIVE_LEVELS):
            mid = (lo + hi) / 2
            left = _panel_moments(phi, r, degree, lo, mid)
            right = _panel_moments(phi, r, degree, mid, hi)
            fine = left + right
            check = _panel_moments(phi, r, degree, lo, hi, endpoints=True)
            done = np.all((np.abs(fine - coarse) <= tol) & (np.abs(fine - check) <= tol), axis=1)
            total += fine[done].sum(axis=0)
            todo = ~done
            if not todo.any():
                break
            lo, hi = np.concatenate([lo[todo], mid[todo]]), np.concatenate([mid[todo], hi[todo]])
            coarse = np.concatenate([left[todo], right[todo]])
        else:
            total += coarse.sum(axis=0)  # bisection budget spent: best estimate
        result[i] = total
    return result[:, : degree + 1], result[:, degree + 1], result[:, degree + 2]
