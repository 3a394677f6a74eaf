"""Private toolkit: the Gaussian-pair quadrature behind :mod:`rmtbook.kernels` and :mod:`rmtbook.deep`.

``E[phi(u) psi(v)]`` for ``(u, v) ~ N(0, [[q1, k], [k, q2]])`` when no closed form exists:

* :func:`polar_expectation`: the accurate rule, polar coordinates with Gauss-Legendre panels
  whose edges include the zeros of u and v and the declared breakpoints (about 1e-14);
* :func:`angle_table`: its Chebyshev-Lobatto table in the angle ``theta = arccos(rho)``
  (:mod:`rmtbook._chebyshev`), for many entries sharing their variances;
* :func:`accurate_expectation`: the dispatcher over flat arrays (tables, Mehler's series with the
  per-variance Hermite coefficients of :func:`rmtbook._quadrature.gaussian_hermite_moments`,
  entry-by-entry polar rule);
* :func:`trapezoid_expectation`: the older tensor trapezoidal rule (explicit ``order``).

Accuracy and speed are described in the notes of :mod:`rmtbook.kernels`. Layer 1 (a shared
toolkit): imports only :mod:`rmtbook._quadrature` and :mod:`rmtbook._chebyshev`.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ._chebyshev import cheb2_coefficients, cheb2_points, clenshaw
from ._quadrature import SCALE_CAP, gaussian_hermite_moments, mehler_sum, panel_nodes

__all__: list[str] = []

_CUTOFF = float(np.sqrt(2 * np.log(1e17)))  # Gaussian tail beyond it: below 1e-17
_CHUNK = 2_000_000  # number of integrand evaluations per vectorized block of the quadrature

_POLAR_RADIUS = 9.3  # int_R^inf r exp(-r^2/2) dr = exp(-R^2/2) < 2e-19
_POLAR_SCALE_CAP = SCALE_CAP  # panels grow like sqrt(max(q, 1)) up to q = 64
_POLAR_R_PANELS, _POLAR_A_PANELS = 5, 12  # radial panels on [0, 9.3], angular panels on [0, 2 pi] (q <= 1);
# measured: 4 and 10 still give 1e-14 relative for tanh, sigmoid, gelu, silu, softplus, a centred
# ReLU and tanh' at q in [0.3, 25]; 3 and 8 give 4e-12, 2 and 6 give 1e-9.
_POLAR_BLOCK = 2_000_000  # integrand evaluations per vectorized block
_CHEB_START, _CHEB_MAX = 16, 256  # Chebyshev-Lobatto sizes in the angle (doubling)
_CHEB_TOL = 1e-14  # relative size of the discarded Chebyshev tail
_GRID_MIN = 48  # entries sharing a variance pair from which a Chebyshev table pays off
_DIRECT_MAX = 256  # entries evaluated one by one by the polar rule when not tabulated
_CLUSTER_RTOL = 1e-12  # variances closer than this (relative) are treated as equal
# Mehler's series sum_k a_k(q1) a_k(q2) rho^k for pairs with distinct variances and abs(rho) <= 0.9,
# truncated at the degree K where rho_max^(K+1) < 1e-17 (the tail is below sqrt(nu1 nu2) times
# that, by Cauchy-Schwarz); K <= 372
_MEHLER_RHO = 0.9
_MEHLER_TAIL = 1e-17


def correlation(q1: np.ndarray, q2: np.ndarray, k: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """sqrt(q1 q2) and the correlation clipped to [-1, 1] (0 when a variance vanishes)."""
    with np.errstate(over="ignore", under="ignore"):
        s = np.sqrt(q1 * q2)  # exact rho = 1 on the diagonal (q1 = q2) in the normal range
    # where q1 q2 under- or overflows (variances beyond 1e+-154), the product of the roots
    out_of_range = ~np.isfinite(s) | ((s == 0) & (q1 > 0) & (q2 > 0))
    if np.any(out_of_range):
        s = np.where(out_of_range, np.sqrt(q1) * np.sqrt(q2), s)
    safe = np.where(s > 0, s, 1.0)
    rho = np.where(s > 0, np.clip(k / safe, -1.0, 1.0), 0.0)
    return s, rho


def _gaussian_nodes(order: int) -> tuple[np.ndarray, np.ndarray]:
    """Trapezoidal nodes on [-L, L] with normalized Gaussian weights (a probability measure).

    For integrands analytic in a strip |Im z| < d the trapezoidal rule converges like
    exp(-2 pi d / h) (h = 2L/(order - 1)), much faster than Gauss-Hermite at equal cost when
    the activation has complex singularities near the real axis (tanh: d = pi / (2 sqrt q)).
    """
    z = np.linspace(-_CUTOFF, _CUTOFF, order)
    w = np.exp(-z * z / 2)
    return z, w / w.sum()


_ORDER_BUCKETS = np.array([48, 64, 96, 128, 192, 256, 384, 512])


def _auto_orders(qmax: np.ndarray) -> np.ndarray:
    """Nodes per dimension for each pair: the smallest bucket >= 48 sqrt(max(q, 1)), at most 512.

    The node spacing in the argument of phi scales like sqrt(q) h, so h must shrink like
    1/sqrt(q) to keep the geometric accuracy; pairs are grouped by bucket so that one column of
    large norm does not slow down the whole matrix.
    """
    need = np.ceil(48 * np.sqrt(np.maximum(qmax, 1.0)))
    idx = np.minimum(np.searchsorted(_ORDER_BUCKETS, need), _ORDER_BUCKETS.size - 1)
    return _ORDER_BUCKETS[idx]


def trapezoid_expectation(
    phi: Callable, psi: Callable, q1: np.ndarray, q2: np.ndarray, k: np.ndarray, order: int | None
) -> np.ndarray:
    """E[phi(u) psi(v)] by a tensor trapezoidal rule, vectorized over flat arrays.

    ``order=None`` chooses the number of nodes per pair (see :func:`_auto_orders`).
    """
    if order is not None:
        return _quadrature_fixed(phi, psi, q1, q2, k, order)
    orders = _auto_orders(np.maximum(q1, q2))
    out = np.empty(q1.shape[0])
    for o in np.unique(orders):
        sel = orders == o
        out[sel] = _quadrature_fixed(phi, psi, q1[sel], q2[sel], k[sel], int(o))
    return out


def _quadrature_fixed(
    phi: Callable, psi: Callable, q1: np.ndarray, q2: np.ndarray, k: np.ndarray, order: int
) -> np.ndarray:
    """E[phi(u) psi(v)] with ``order`` trapezoidal nodes per dimension.

    Cholesky parametrization: u = sqrt(q1) z1, v = a z1 + b z2, a = k / sqrt(q1),
    b = sqrt(q2 - a^2) >= 0, so perfectly correlated pairs (b = 0) are integrated exactly in
    z2 and no square root of a negative number occurs.
    """
    z, w = _gaussian_nodes(order)
    r1 = np.sqrt(q1)
    a = np.where(r1 > 0, k / np.where(r1 > 0, r1, 1.0), 0.0)
    b = np.sqrt(np.maximum(q2 - a**2, 0.0))
    out = np.empty(q1.shape[0])
    step = max(1, _CHUNK // (order * order))
    for start in range(0, q1.shape[0], step):  # blocks of pairs, each block fully vectorized
        sl = slice(start, start + step)
        pu = np.asarray(phi(r1[sl, None] * z[None, :]), dtype=float)  # (m, N)
        v = a[sl, None, None] * z[None, :, None] + b[sl, None, None] * z[None, None, :]
        pv = np.asarray(psi(v), dtype=float) @ w  # (m, N): inner integral over z2
        out[sl] = (pu * pv) @ w
    return out


def polar_expectation(
    phi: Callable, psi: Callable, q1: float, q2: float, theta: np.ndarray, breaks: tuple[float, ...] = ()
) -> np.ndarray:
    """E[phi(u) psi(v)] at variances q1, q2 and angles theta = arccos(corr(u, v)), in polar coordinates.

    With (z1, z2) standard Gaussian in polar form (r cos a, r sin a), u = sqrt(q1) r cos a and
    v = sqrt(q2) r cos(a - theta), and the Gaussian measure is r exp(-r^2/2) dr da / (2 pi).
    An activation with a kink or jump at 0 makes the integrand piecewise analytic with breaks at
    r = 0 and at the four angles a = pi/2, 3 pi/2, theta + pi/2, theta + 3 pi/2, which are
    panel edges here: composite Gauss-Legendre (16 nodes per panel) then converges
    geometrically, for every theta (including theta -> 0 and pi), to about 1e-14. Panels have
    widths proportional to 1/sqrt(max(q1, q2, 1)) (up to q = 64) so that the complex
    singularities of phi(sqrt(q) .) (tanh: at distance pi / (2 sqrt q)) stay resolved.

    ``breaks``: kinks or jumps of phi away from 0. Along the ray of angle a, u crosses a break
    b at r = b / (sqrt(q1) cos a) (and v at b / (sqrt(q2) cos(a - theta))); these radii are
    added to the radial panel edges of every angle node, so each ray is integrated piecewise
    analytically, and the radial integral is an analytic function of a (the crossing radius
    moves analytically with a): geometric convergence again.
    """
    breaks = tuple(b for b in breaks if b != 0.0)  # a break at 0 is already an angular edge
    s = min(np.sqrt(max(q1, q2, 1.0)), _POLAR_SCALE_CAP)
    n_r, n_a = int(np.ceil(_POLAR_R_PANELS * s)), int(np.ceil(_POLAR_A_PANELS * s))
    if breaks:  # twice finer angular panels: E[clip(u)^2] (theta = 0) goes from 2e-11 to 1e-16
        n_a *= 2
    r, wr = panel_nodes(np.linspace(0.0, _POLAR_RADIUS, n_r + 1))
    wr = wr * r * np.exp(-r * r / 2) / (2 * np.pi)
    r1, r2 = np.sqrt(q1) * r, np.sqrt(q2) * r
    base = np.linspace(0.0, 2 * np.pi, n_a + 1)
    theta = np.asarray(theta, dtype=float)
    out = np.empty(theta.size)
    per_theta = (n_a + 4) * 16 * (r.size + 32 * len(breaks))
    step = max(1, _POLAR_BLOCK // per_theta)
    r_edges = np.linspace(0.0, _POLAR_RADIUS, n_r + 1)
    b = np.asarray(breaks, dtype=float)
    for start in range(0, theta.size, step):  # blocks of angles, each block fully vectorized
        t = theta[start:start + step, None]
        kinks = np.mod(np.hstack([np.full_like(t, np.pi / 2), np.full_like(t, 1.5 * np.pi),
                                  t + np.pi / 2, t + 1.5 * np.pi]), 2 * np.pi)
        if b.size:
            kinks = np.hstack([kinks, _crossing_angles(b, q1, q2, t)])
        edges = np.sort(np.hstack([np.broadcast_to(base, (t.shape[0], base.size)), kinks]), axis=1)
        a, wa = panel_nodes(edges)  # (m, n_alpha)
        if b.size == 0:
            pu = np.asarray(phi(np.cos(a)[:, :, None] * r1), dtype=float)  # (m, n_alpha, n_r)
            pv = np.asarray(psi(np.cos(a - t)[:, :, None] * r2), dtype=float)
            out[start:start + step] = np.einsum("mar,ma,r->m", pu * pv, wa, wr)
            continue
        cu, cv = np.cos(a)[:, :, None], np.cos(a - t)[:, :, None]
        with np.errstate(divide="ignore", invalid="ignore"):
            cross = np.concatenate([b / (np.sqrt(q1) * cu), b / (np.sqrt(q2) * cv)], axis=-1)
        cross = np.where((cross > 0) & (cross < _POLAR_RADIUS), cross, _POLAR_RADIUS)  # else a zero-width panel
        base_r = np.broadcast_to(r_edges, a.shape + r_edges.shape)
        rr, wrr = panel_nodes(np.sort(np.concatenate([base_r, cross], axis=-1), axis=-1))  # (m, n_alpha, n_r')
        wrr = wrr * rr * np.exp(-rr * rr / 2) / (2 * np.pi)
        pu = np.asarray(phi(cu * (np.sqrt(q1) * rr)), dtype=float)
        pv = np.asarray(psi(cv * (np.sqrt(q2) * rr)), dtype=float)
        out[start:start + step] = np.einsum("mar,ma,mar->m", pu * pv, wa, wrr)
    return out


def _crossing_angles(b: np.ndarray, q1: float, q2: float, t: np.ndarray) -> np.ndarray:
    """Polar angles of the points where the lines u = b_i and v = b_j meet (inside the disk).

    There the two breaks of a ray merge and the radial integral is not analytic in the angle:
    these angles must be panel edges. ``t`` has shape (m, 1); returns (m, len(b)^2) angles in
    [0, 2 pi) (0, an edge already, where the lines do not meet inside the disk).
    """
    bi, bj = np.meshgrid(b, b, indexing="ij")
    big_a = (bi * np.sqrt(q2)).ravel()[None, :]  # the point: A cos(a - t) = B cos a, r > 0
    big_b = (bj * np.sqrt(q1)).ravel()[None, :]
    ang = np.arctan2(big_b - big_a * np.cos(t), big_a * np.sin(t))
    ang = np.where(np.cos(ang) * big_a < 0, ang + np.pi, ang)  # r = b_i / (sqrt(q1) cos a) > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        r = (bi.ravel()[None, :] / np.sqrt(q1)) / np.cos(ang)
    inside = np.isfinite(r) & (r > 0) & (r < _POLAR_RADIUS)
    return np.where(inside, np.mod(ang, 2 * np.pi), 0.0)


def _theta_of_x(x: np.ndarray) -> np.ndarray:
    """Angle theta in [0, pi] of the Chebyshev variable x in [-1, 1] (x = 1 is theta = 0, rho = 1)."""
    return np.pi * (1 - x) / 2


def angle_table(phi: Callable, q1: float, q2: float, breaks: tuple[float, ...] = ()) -> np.ndarray:
    """Chebyshev coefficients of theta -> E[phi(u) phi(v)] on [0, pi], to relative 1e-14.

    The function of the angle theta (rather than of rho = cos theta) is analytic up to the
    endpoints even for kinked activations (ReLU: (sin theta + (pi - theta) cos theta) / (2 pi)),
    whereas f(rho) has a (1 - rho)^{3/2} singularity at rho = 1: Chebyshev interpolation in
    theta converges geometrically (measured: 16 nodes for a centred ReLU, 64 for tanh at q = 4,
    about 100 at q = 16). The Lobatto grid is doubled (reusing the old values) until the last
    quarter of the coefficients falls below 1e-14 of the largest, until it stops decreasing
    (quadrature noise: activations with kinks away from 0), or up to 256 intervals.
    """
    n = _CHEB_START
    x = cheb2_points(n)
    values = polar_expectation(phi, phi, q1, q2, _theta_of_x(x), breaks)
    previous = np.inf
    while True:
        c = cheb2_coefficients(values)
        scale = max(np.abs(c).max(), np.finfo(float).tiny)
        tail = np.abs(c[-(n // 4 + 1):]).max()
        if tail <= _CHEB_TOL * scale or n >= _CHEB_MAX or (n >= 64 and tail > 0.1 * previous):
            big = np.nonzero(np.abs(c) > 1e-17 * scale)[0]  # chop the negligible tail (speed)
            return c[: big[-1] + 1] if big.size else c[:1]
        previous = tail
        new_x = np.cos(np.arange(1, 2 * n, 2) * np.pi / (2 * n))  # the odd nodes of the 2n grid
        new_values = polar_expectation(phi, phi, q1, q2, _theta_of_x(new_x), breaks)
        merged = np.empty(2 * n + 1)
        merged[0::2], merged[1::2] = values, new_values
        values, n = merged, 2 * n


def _cluster(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Labels of values equal up to a relative 1e-12, and one representative per label."""
    uniq, inverse = np.unique(values, return_inverse=True)
    gap = np.diff(uniq) > _CLUSTER_RTOL * np.maximum(np.abs(uniq[1:]), np.abs(uniq[:-1]))
    label_of_uniq = np.concatenate(([0], np.cumsum(gap)))
    first = np.concatenate(([True], gap))
    return label_of_uniq[inverse.ravel()], uniq[first]


def accurate_expectation(
    phi: Callable, q1: np.ndarray, q2: np.ndarray, k: np.ndarray, breaks: tuple[float, ...] = ()
) -> np.ndarray:
    """E[phi(u) phi(v)] for flat arrays, grouping the entries by their variance pair (q1, q2).

    A group of at least 48 entries (every pair of a Gram matrix of equal-norm columns: one group,
    detected without sorting) is tabulated once in the angle (:func:`angle_table`) and
    interpolated (Clenshaw). If more than 256 entries remain (many distinct norms), those with
    abs(rho) <= 0.9 use Mehler's series with per-variance Hermite coefficients
    (:func:`rmtbook._quadrature.gaussian_hermite_moments`, :func:`rmtbook._quadrature.mehler_sum`) and those at rho = +-1 with equal variances
    a one-dimensional rule. Up to 256 entries left are computed one by one by the polar rule;
    beyond that they use the tensor trapezoidal rule with the automatic order.
    """
    if q1.size == 0:
        return np.empty(0)
    qall = np.concatenate([q1, q2])
    qmin, qmax = qall.min(), qall.max()
    if q1.size >= _GRID_MIN and qmax - qmin <= _CLUSTER_RTOL * qmax:  # one variance (common case)
        _, rho = correlation(q1, q2, k)
        out = clenshaw(1 - 2 * np.arccos(rho) / np.pi, angle_table(phi, float(qmin), float(qmin), breaks))
        return check_finite(out)
    labels, reps = _cluster(qall)
    l1, l2 = labels[: q1.size], labels[q1.size:]
    key = np.minimum(l1, l2) * reps.size + np.maximum(l1, l2)  # phi(u) phi(v) is symmetric
    groups, inverse, counts = np.unique(key, return_inverse=True, return_counts=True)
    inverse = inverse.ravel()
    _, rho = correlation(q1, q2, k)
    theta = np.arccos(rho)
    out = np.empty(q1.size)
    big = np.flatnonzero(counts >= _GRID_MIN)
    tabulated = np.isin(inverse, big)
    for g in big:  # groups sharing a variance pair: one angle table each
        sel = inverse == g
        gkey = groups[g]
        qa, qb = float(reps[gkey // reps.size]), float(reps[gkey % reps.size])
        out[sel] = clenshaw(1 - 2 * theta[sel] / np.pi, angle_table(phi, qa, qb, breaks))
    rest = np.flatnonzero(~tabulated)
    if rest.size > _DIRECT_MAX:
        # many distinct variance pairs: one-dimensional rules per distinct variance, exact at
        # rho = +-1 and by Mehler's series where |rho| is small (most pairs of high-dimensional data)
        one_d = rest[(l1[rest] == l2[rest]) & (np.abs(rho[rest]) >= 1 - 1e-15)]
        mehler = rest[np.abs(rho[rest]) <= _MEHLER_RHO]
        used = np.unique(np.concatenate([l1[one_d], l1[mehler], l2[mehler]]))
        if used.size:
            rho_max = max(float(np.abs(rho[mehler]).max()) if mehler.size else 0.0, 0.05)
            degree = int(np.ceil(np.log(_MEHLER_TAIL) / np.log(rho_max)))
            coef, same, opposite = gaussian_hermite_moments(phi, reps[used], degree, breaks=breaks)
            where = np.zeros(reps.size, dtype=int)
            where[used] = np.arange(used.size)  # row of a variance label in the rules
            row = where[l1[one_d]]
            out[one_d] = np.where(rho[one_d] > 0, same[row], opposite[row])
            out[mehler] = mehler_sum(coef[where[l1[mehler]]], coef[where[l2[mehler]]], rho[mehler])
        rest = np.setdiff1d(rest, np.concatenate([one_d, mehler]))
    if rest.size and rest.size <= _DIRECT_MAX:
        for g in np.unique(inverse[rest]):
            sel = rest[inverse[rest] == g]
            gkey = groups[g]
            qa, qb = float(reps[gkey // reps.size]), float(reps[gkey % reps.size])
            out[sel] = polar_expectation(phi, phi, qa, qb, theta[sel], breaks)
    elif rest.size:
        out[rest] = trapezoid_expectation(phi, phi, q1[rest], q2[rest], k[rest], None)
    return check_finite(out)


def check_finite(out: np.ndarray) -> np.ndarray:
    if not np.all(np.isfinite(out)):
        raise ValueError(
            "activation must be finite on the Gaussian range of its arguments (|x| <= 9.3 sqrt(q)); "
            "the quadrature returned non-finite values"
        )
    return out

