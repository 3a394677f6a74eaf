"""Shared toolkit: the Silverstein (generalized Marchenko-Pastur) equation, solved in one place.

For a population spectral measure ``H = w_0 delta_0 + sum_k w_k delta_{t_k}`` (``t_k > 0``) and a
ratio ``c = p / n``, the limiting spectral law of ``Chat = C^{1/2} Z Z^T C^{1/2} / n`` is
described by the *effective spectral parameter* ``u(z) = z (1 + delta(z)) = -1 / mu(z)`` (``mu``
the companion Stieltjes transform, ``delta`` the fixed point of the deterministic equivalent),
the root of

.. math::

    x(u) := u \\Big(1 - c \\sum_k \\frac{w_k t_k}{t_k - u}\\Big) = z,
    \\qquad x'(u) = 1 - h(u), \\quad h(u) = c \\sum_k \\frac{w_k t_k^2}{(t_k - u)^2},

with ``Im u > 0`` when ``Im z > 0`` (Silverstein & Bai 1995). Every public function of the
package that needs this equation (the law objects of :mod:`rmtbook.laws`, the deterministic
equivalents of :mod:`rmtbook.resolvents`, the effective ridge of :mod:`rmtbook.linear` and the
outlier threshold of :mod:`rmtbook.spiked`) calls this module; nothing else solves it.

Decisions, taken here once for every caller:

* *Zero population eigenvalues* are accepted: they do not enter ``x(u)`` (``t / (t - u) = 0``)
  and add ``w_0`` to the atom at 0; the positive part is the law of ratio ``c (1 - w_0)``.
* *Scale*: the population is divided by its largest eigenvalue, so the solver sees a spectrum
  in ``(0, 1]`` whatever the units; populations spanning many decades are handled by per-point
  tolerances (relative to ``|z|``), never by absolute ones.
* *Real z*: off the support ``u`` is real and is found by a monotone or bracketed Newton
  method on the branch where ``x`` increases (Silverstein & Choi 1995), which cannot pick the
  wrong root; on the support the upper boundary value ``u(x + i0)`` is returned. Values for
  ``Im z < 0`` are ``conj(u(conj z))``.
* *Verification*: every accepted root is checked (finite, ``Im u >= 0``, residual at rounding
  level of the equation's terms); a root that fails falls back to a guarded path, and a point
  where every path fails raises ``RuntimeError`` instead of returning garbage.

References
----------
Silverstein & Bai (1995); Silverstein & Choi (1995); Bai & Silverstein (2010), Ch. 4 and 6;
Couillet & Liao (2022), Thm 2.6.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np

from ._validation import check_array, check_scalar, check_weights

__all__: list[str] = []

_EPS = np.finfo(float).eps
#: entries per block of the (points x atoms) temporaries
_BLOCK = 1 << 17
#: geometric ratio between consecutive levels of Im z in the continuation
_LEVEL_FACTOR = 10.0
#: lowest level of the continuation, relative to max(|z|, scale of the positive spectrum near z)
_FLOOR = 1e-10
#: below this many real points inside the support, no warm starts
_WARM_MIN_POINTS = 64
#: fewest anchors per support interval in the warm-started solve
_WARM_ANCHORS = 8
#: |z| (scaled units, the largest population eigenvalue being 1) below which u = z / (1 - c)
_TINY = 1e-200
#: a root is accepted when |x(u) - z| <= _RESIDUAL * (size of the terms of x(u) and of z)
_RESIDUAL = 1e-10


# ------------------------------------------------------------------------------------------------
# the population
# ------------------------------------------------------------------------------------------------
def merge_atoms(t: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Drop zero weights, merge equal eigenvalues (adding their weights), sort increasingly."""
    keep = w > 0
    values, inverse = np.unique(t[keep], return_inverse=True)
    return values, np.bincount(inverse.ravel(), weights=w[keep], minlength=values.size)


@dataclass(frozen=True)
class Population:
    """A validated population spectral measure and ratio, split into its zero and positive parts.

    Attributes
    ----------
    eigs, weights
        Distinct eigenvalues (zero included if present) and their normalized weights.
    ratio
        ``c = p / n``.
    zero_weight
        ``w_0``, the mass of ``H`` at 0.
    t, w, c
        The positive part in scaled units: ``t = eigs_+ / scale`` (largest 1), ``w`` normalized
        over the positive part, ``c = ratio (1 - w_0)``.
    scale
        The largest eigenvalue.
    """

    eigs: np.ndarray
    weights: np.ndarray
    ratio: float
    zero_weight: float
    t: np.ndarray = field(repr=False)
    w: np.ndarray = field(repr=False)
    c: float = field(repr=False)
    scale: float = field(repr=False)


def make_population(population_eigs, ratio, weights=None, *, name: str = "population_eigs") -> Population:
    """Validate and split a population (``population_eigs >= 0``, not all 0; ``ratio > 0``)."""
    t = check_array(name, population_eigs, ndim=(0, 1), low=0.0).ravel()
    w = check_weights("weights", weights, t.size, of=name)
    c = check_scalar("ratio", ratio, low=0.0, low_open=True)
    eigs, wts = merge_atoms(t, w)
    if eigs.size == 0 or eigs[-1] <= 0:
        raise ValueError(f"{name} must contain at least one positive eigenvalue with positive weight")
    zero = float(wts[0]) if eigs[0] == 0 else 0.0
    pos = eigs > 0
    scale = float(eigs[-1])
    wp = wts[pos] / wts[pos].sum()
    return Population(eigs, wts, c, zero, eigs[pos] / scale, wp, c * (1.0 - zero), scale)


# ------------------------------------------------------------------------------------------------
# the map x(u) and its derivatives (scaled units), chunked over rows
# ------------------------------------------------------------------------------------------------
def _sums(u: np.ndarray, t: np.ndarray, coefs: list[np.ndarray], powers: list[int]) -> list[np.ndarray]:
    """``sum_k coef_k / (t_k - u)^power`` for each (coef, power), vectorized over ``u``."""
    dtype = complex if np.iscomplexobj(u) else float
    out = [np.empty(u.shape, dtype=dtype) for _ in coefs]
    flat = u.ravel()
    res = [o.reshape(-1) for o in out]
    rows = max(1, _BLOCK // t.size)
    for s in range(0, flat.size, rows):
        r = 1.0 / (t[None, :] - flat[s : s + rows, None])
        cache = {1: r}
        for i, (coef, pw) in enumerate(zip(coefs, powers)):
            if pw not in cache:
                cache[pw] = cache[pw - 1] * r
            if cache[pw].size >= 1 << 14:
                res[i][s : s + rows] = cache[pw] @ coef
            else:  # tiny BLAS calls are slow under thread contention
                res[i][s : s + rows] = np.einsum("ij,j->i", cache[pw], coef)
    return out


def x_of_u(u: np.ndarray, t: np.ndarray, w: np.ndarray, c: float) -> np.ndarray:
    """``x(u) = u (1 - c sum w t / (t - u))`` (the outlier map ``psi`` of spiked models).

    Evaluated as ``u ((1 - c) - c u sum w / (t - u))`` (``t / (t - u) = 1 + u / (t - u)``): the
    same value without the cancellation of ``1 - c s(u)`` at small ``|u|``, where ``x`` is
    ``O(u)`` (or ``O(u^2)`` at ``c = 1``, the hard edge).
    """
    s0, s1 = _sums(u, t, [w, w * t], [1, 1])
    return u * np.where(np.abs(u) <= 1.0, (1.0 - c) - c * u * s0, 1.0 - c * s1)


def h_of_u(u: np.ndarray, t: np.ndarray, w: np.ndarray, c: float, order: int = 0) -> list[np.ndarray]:
    """``h(u) = c sum w t^2 / (t - u)^2`` and its first ``order`` derivatives (``order <= 2``)."""
    a = c * w * t * t
    coefs = [a, 2.0 * a, 6.0 * a][: order + 1]
    return _sums(u, t, coefs, [2, 3, 4][: order + 1])


def _residual(u: np.ndarray, z: np.ndarray, t: np.ndarray, w: np.ndarray, c: float):
    """``F = x(u) - z``, ``F' = 1 - h(u)`` and the size of the terms of ``F`` (for tolerances)."""
    # c may be an array broadcast with u (effective ridges over many ratios): coefficients per atom
    s0, s1, s2, d1, d0 = _sums(u, t, [w, w * t, w * t * t, w * t, w], [1, 1, 2, 2, 2])
    s2 = c * s2
    small = np.abs(u) <= 1.0  # the two forms of x_of_u
    with np.errstate(over="ignore", invalid="ignore"):
        a = np.where(small, (1.0 - c) * u, u)
        b = np.where(small, c * u * u * s0, c * u * s1)
        # x'(u) = 1 - h(u), written (1 - c) - c u sum w (2 t - u) / (t - u)^2 for small |u|
        fp = np.where(small, (1.0 - c) - c * u * (2.0 * d1 - u * d0), 1.0 - s2)
    size = np.abs(a) + np.abs(b) + np.abs(z)
    return a - b - z, fp, size


# ------------------------------------------------------------------------------------------------
# safeguarded Newton on brackets (vectorized)
# ------------------------------------------------------------------------------------------------
def bracketed_newton(fun, lo: np.ndarray, hi: np.ndarray, x0: np.ndarray, lo_negative: np.ndarray,
                     rtol: float = 0.0, maxit: int = 400) -> np.ndarray:
    """Zeros of functions with one sign change on ``(lo, hi)``, all at once (rtsafe, vectorized).

    ``fun(x, idx)`` returns ``(f, f')`` at the points ``x`` of indices ``idx``; ``lo_negative`` says whether ``f < 0`` near ``lo``. A Newton
    step is taken when it stays inside the current bracket and shrinks fast enough; otherwise
    the bracket is bisected. A point stops when its step is at the rounding level of ``x``
    (relative, so roots near 0 keep full relative accuracy), ``f == 0``, or the bracket is below
    ``rtol`` times its initial width (``rtol = 0``: rounding level).
    """
    lo, hi, x = lo.astype(float).copy(), hi.astype(float).copy(), x0.astype(float).copy()
    dx_old = hi - lo
    floor = rtol * (hi - lo)
    active = np.arange(x.size)
    for _ in range(maxit):
        if active.size == 0:
            break
        xa, la, ha = x[active], lo[active], hi[active]
        f, fp = fun(xa, active)
        below = (f < 0) == lo_negative[active]  # the zero lies to the right of xa
        la = np.where(below, xa, la)
        ha = np.where(below, ha, xa)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            newton = xa - f / fp
        slow = np.abs(2.0 * f) > np.abs(dx_old[active] * fp)
        ok = np.isfinite(newton) & (newton > la) & (newton < ha) & ~slow
        new = np.where(ok, newton, 0.5 * (la + ha))
        new = np.where(f == 0, xa, new)
        tol = 4.0 * _EPS * np.maximum(np.abs(new), np.finfo(float).tiny)
        step = np.abs(new - xa)
        x[active], lo[active], hi[active], dx_old[active] = new, la, ha, step
        width = ha - la
        done = (step <= tol) | (f == 0) | (width <= np.maximum(floor[active], 4.0 * _EPS * np.maximum(np.abs(la), np.abs(ha))))
        active = active[~done]
    return x


def _monotone_newton(z: np.ndarray, u0: np.ndarray, t: np.ndarray, w: np.ndarray, c, maxit: int = 500) -> np.ndarray:
    """Newton on ``x(u) = z`` from a start where the iterates are monotone (convex/concave branch).

    On ``(-inf, u_lower)`` ``x`` is increasing and concave, so Newton from a point left of the
    root increases monotonically to it; on ``(u_upper, inf)`` it is increasing and convex, and
    Newton from the right decreases to it. ``c`` may be an array broadcast with ``z``.
    """
    u = u0.astype(float).copy()
    c = np.broadcast_to(np.asarray(c, dtype=float), u.shape)
    active = np.arange(u.size)
    wt = w * t
    for _ in range(maxit):
        if active.size == 0:
            break
        ua, ca = u[active], c[active]
        f, fp, _ = _residual(ua, z[active], t, w, ca)
        with np.errstate(divide="ignore", invalid="ignore"):
            step = f / fp
        bad = ~np.isfinite(step) | (fp <= 0)
        step = np.where(bad, 0.0, step)
        new = ua - step
        u[active] = new
        done = bad | (np.abs(step) <= 4.0 * _EPS * np.maximum(np.abs(new), np.finfo(float).tiny)) | (f == 0)
        active = active[~done]
    return u


def lower_branch_u(z, t: np.ndarray, w: np.ndarray, c) -> np.ndarray:
    """Real root ``u`` of ``x(u) = z`` on the branch left of the lower edge, for real ``z <= 0``.

    Vectorized over ``z`` and ``c`` (broadcast together; scaled units). With ``m1 = sum w t``,
    ``x(u) <= u + c m1`` for ``u < 0`` gives a start ``z - c m1`` left of the root, from which
    Newton is monotone (``x`` is concave there). At ``z = 0`` this is ``u = 0`` for ``c <= 1``
    and ``-kappa_0 < 0`` (``c sum w t / (t + kappa_0) = 1``) for ``c > 1``. This is the
    effective ridge: ``kappa(gamma) = -u(-gamma)``.
    """
    z, c = np.broadcast_arrays(np.asarray(z, dtype=float), np.asarray(c, dtype=float))
    z, c = z.ravel(), c.ravel()
    out = np.zeros(z.size)
    todo = (z < 0) | (c > 1)
    if np.any(todo):
        m1 = float(np.sum(w * t))
        start = z[todo] - c[todo] * m1 * (1.0 + 4.0 * _EPS) - 4.0 * _EPS * np.abs(z[todo])
        out[todo] = _monotone_newton(z[todo], start, t, w, c[todo])
    return out.reshape(np.broadcast(z, c).shape)


# ------------------------------------------------------------------------------------------------
# the solver
# ------------------------------------------------------------------------------------------------
class Silverstein:
    """The equation ``x(u) = z`` of one population and ratio, with its support and roots.

    Every method takes and returns values in the original units.

    Parameters
    ----------
    population : Population
        From :func:`make_population`.
    """

    def __init__(self, population: Population) -> None:
        self.pop = population
        self._support: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None = None

    # -- support (Silverstein & Choi 1995) ---------------------------------------------------------
    def _support_scaled(self):
        """Intervals ``[a_j, b_j]`` (scaled) and the ``u`` values of their edges.

        ``h`` is convex between consecutive poles ``t_k < u < t_{k+1}`` and monotone on the two
        unbounded intervals, so ``h = 1`` has one root left of ``t_min`` (the lower edge), one
        right of ``t_max`` (the upper edge) and zero or two between consecutive poles (a gap
        ``(x(u_1), x(u_2))`` where ``x`` increases). Intervals whose closed-form lower bound of
        ``h``, ``(a_k^{1/3} + a_{k+1}^{1/3})^3 / width^2`` with ``a_k = c w_k t_k^2``, exceeds 1
        hold no gap and are skipped.
        """
        if self._support is not None:
            return self._support
        t, w, c = self.pop.t, self.pop.w, self.pop.c
        a = c * w * t * t
        spread = np.sqrt(c * np.sum(w * t * t))  # h(u) < 1 once |t_k - u| > spread for every k

        def g_fun(u, _idx):  # h^{-1/2} - 1: nearly linear near a pole, zero where h = 1
            with np.errstate(divide="ignore", invalid="ignore", over="ignore"):  # u on a pole: h = inf
                h, dh = h_of_u(u, t, w, c, 1)
                g, dg = h ** -0.5 - 1.0, -0.5 * dh * h ** -1.5
            return np.where(np.isfinite(h), g, -1.0), np.where(np.isfinite(dg), dg, 0.0)

        # lower edge: h increases on (-inf, t_min); upper edge: h decreases on (t_max, inf); the
        # brackets are at least a few ulps wide (a tiny ratio puts the edges within rounding of
        # the atoms)
        lo = np.array([min(t[0] - 2.0 * spread, t[0] * (1.0 - 16.0 * _EPS)), t[-1]])
        hi = np.array([t[0], max(t[-1] + 2.0 * spread, t[-1] * (1.0 + 16.0 * _EPS))])
        # g = h^{-1/2} - 1 is positive far away, negative near the pole
        roots = bracketed_newton(g_fun, lo, hi, 0.5 * (lo + hi), np.array([False, True]))
        u_low, u_up = float(roots[0]), float(roots[1])
        if c == 1.0:
            u_low = 0.0  # h(0) = c = 1 exactly: the hard edge at 0
        gap_lo_u = [-np.inf]  # u brackets of the real branches, one per gap (sorted by x)
        gap_hi_u = [u_low]
        edges = [(float(x_of_u(np.array([u_low]), t, w, c)[0]) if c != 1.0 else 0.0)]
        inner = []
        if t.size > 1:
            left, right = t[:-1], t[1:]
            width = right - left
            a_l, a_r = np.cbrt(a[:-1]), np.cbrt(a[1:])
            cand = np.flatnonzero((a_l + a_r) ** 3 < width**2)
            if cand.size:
                lo, hi = left[cand], right[cand]
                x0 = lo + width[cand] * a_l[cand] / (a_l[cand] + a_r[cand])
                x0 = np.clip(x0, lo + 0.25 * width[cand], hi - 0.25 * width[cand])

                def dh_fun(u, _idx):
                    _, dh, d2h = h_of_u(u, t, w, c, 2)
                    return dh, d2h

                umin = bracketed_newton(dh_fun, lo, hi, x0, np.ones(cand.size, dtype=bool), rtol=1e-7)
                gap = h_of_u(umin, t, w, c)[0] < 1.0
                if np.any(gap):
                    lo, hi, um = lo[gap], hi[gap], umin[gap]
                    m = um.size
                    r = bracketed_newton(
                        g_fun,
                        np.concatenate([lo, um]),
                        np.concatenate([um, hi]),
                        np.concatenate([0.5 * (lo + um), 0.5 * (um + hi)]),
                        np.concatenate([np.ones(m, dtype=bool), np.zeros(m, dtype=bool)]),
                    )
                    u1, u2 = r[:m], r[m:]
                    x1, x2 = x_of_u(u1, t, w, c), x_of_u(u2, t, w, c)
                    inner = sorted(zip(x1, x2, u1, u2))
        upper = float(x_of_u(np.array([u_up]), t, w, c)[0])
        # assemble: support intervals between consecutive gaps
        a_edges, b_edges, glo, ghi = [edges[0]], [], [], []
        for x1, x2, u1, u2 in inner:
            if x2 - x1 <= 1e-13 * upper or x1 <= a_edges[-1]:
                continue  # a gap of zero width, or one hidden in the previous interval
            b_edges.append(float(x1))
            a_edges.append(float(x2))
            glo.append(u1)
            ghi.append(u2)
        b_edges.append(upper)
        a_arr = np.maximum(np.array(a_edges), 0.0)
        b_arr = np.array(b_edges)
        self._support = (a_arr, b_arr, np.array(gap_lo_u + glo + [u_up]), np.array(gap_hi_u + ghi + [np.inf]))
        return self._support

    def support(self) -> list[tuple[float, float]]:
        """Support intervals of the law of the positive part (original units)."""
        a, b, _, _ = self._support_scaled()
        s = self.pop.scale
        return [(float(x * s), float(y * s)) for x, y in zip(a, b)]

    def upper_edge_u(self) -> float:
        """``u`` at the upper edge (original units): the outlier threshold of spiked models."""
        return float(self._support_scaled()[2][-1] * self.pop.scale)

    def in_support(self, x: np.ndarray) -> np.ndarray:
        """Whether real points (original units) lie strictly inside a support interval (by 4 ulps)."""
        a, b, _, _ = self._support_scaled()
        xs = np.asarray(x, dtype=float) / self.pop.scale
        j = np.searchsorted(b, xs, side="left")
        jj = np.minimum(j, b.size - 1)
        # the edges are exact to a few ulps: closer points count as edges (density 0)
        margin = 4.0 * _EPS
        return (j < b.size) & (xs > a[jj] + margin * a[jj]) & (xs < b[jj] - margin * b[jj])

    # -- roots ---------------------------------------------------------------------------------
    def u(self, z) -> np.ndarray:
        """Effective parameter ``u(z)`` (complex array of ``z``'s shape, original units).

        Real ``z`` off the support gives a real ``u`` (zero imaginary part); real ``z`` inside
        the support the upper boundary value. ``z = 0`` with ``c (1 - w_0) < 1`` gives 0.
        """
        z = np.asarray(z, dtype=complex)
        s = self.pop.scale
        flat = z.ravel() / s
        lower = flat.imag < 0
        zu = np.where(lower, np.conj(flat), flat)
        out = self._u_scaled(zu)
        out = np.where(lower, np.conj(out), out)
        return (out * s).reshape(z.shape)

    def u_over_z(self, z) -> tuple[np.ndarray, np.ndarray]:
        """``u(z)`` and ``u(z) / z = 1 + delta(z)`` (complex arrays, original units), ``z != 0``.

        For ``|z|`` so small that ``z`` underflows in scaled units the ratio is its limit
        ``1 / (1 - c)`` (``c < 1``); where the true ratio exceeds the double range (``c >= 1``,
        ``|u(0)| / |z| > 1e308``) it is ``inf`` and a RuntimeWarning says so.
        """
        z = np.asarray(z, dtype=complex)
        u = self.u(z)
        tiny = np.abs(z) < _TINY * self.pop.scale
        with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
            ratio = u / np.where(z == 0, 1.0, z)
        if self.pop.c < 1.0 and np.any(tiny):
            ratio = np.where(tiny, 1.0 / (1.0 - self.pop.c), ratio)
        # (c = 1: u / z = i / sqrt(z sum w / t) is computed, not a limit)
        bad = ~np.isfinite(ratio)
        if np.any(bad):
            warnings.warn(
                "u(z) / z = 1 + delta(z) exceeds the double range at |z| = "
                f"{np.abs(z[bad]).min():.3g} (an atom or the hard edge at 0); returning inf",
                RuntimeWarning,
                stacklevel=3,
            )
            ratio = np.where(bad, np.inf, ratio)
        return u, ratio

    def stieltjes(self, z) -> np.ndarray:
        """``m(z) = -w_0/z + (1 - w_0)(u/z) sum_k w_k/(t_k - u)`` (complex, original units).

        Free of the cancellation of ``(mu + (1 - c)/z)/c`` at small ``|z|`` and large ``c``. At
        ``z = 0``: the finite limit ``E[1/t] / (1 - c)`` when ``c < 1`` and ``w_0 = 0``, else
        ``inf`` (an atom or the hard edge; callers warn or refuse).
        """
        z = np.asarray(z, dtype=complex)
        pop = self.pop
        out = np.empty(z.shape, dtype=complex)
        zero = z == 0
        if np.any(zero):
            finite = pop.c < 1.0 and pop.zero_weight == 0.0
            out[zero] = np.sum(pop.w / pop.t) / (pop.scale * (1.0 - pop.c)) if finite else np.inf
        nz = ~zero
        if np.any(nz):
            zn = z[nz]
            u, ratio = self.u_over_z(zn)
            t = pop.t * pop.scale
            with np.errstate(over="ignore", invalid="ignore"):
                r = ratio * ((1.0 / (t[None, :] - u.ravel()[:, None])) @ pop.w).reshape(u.shape)
                m = r if pop.zero_weight == 0.0 else (1.0 - pop.zero_weight) * r - pop.zero_weight / zn
            m = np.where(np.isfinite(m), m, -np.inf + 0j)  # beyond the double range (warned)
            real = zn.imag == 0
            m[real] = m[real].real + 1j * np.maximum(m[real].imag, 0.0)
            out[nz] = m
        return out

    def _u_scaled(self, z: np.ndarray) -> np.ndarray:
        c = self.pop.c
        tiny = np.abs(z) < _TINY
        if c <= 1.0 and np.any(tiny):
            # u(0) = 0 and, to first order (exact here, |z| << every t_k), u = z / (1 - c); at
            # c = 1 (the hard edge) x(u) = -u^2 sum w / t + O(u^3): u = i sqrt(z / sum w / t), the
            # root in the upper half-plane. Newton's stopping rule cannot resolve roots this small.
            out = np.empty(z.shape, dtype=complex)
            if c < 1.0:
                out[tiny] = z[tiny] / (1.0 - c)
            else:
                out[tiny] = 1j * np.sqrt(z[tiny] / np.sum(self.pop.w / self.pop.t))
            if not np.all(tiny):
                out[~tiny] = self._u_scaled(z[~tiny])
            return out
        out = np.empty(z.shape, dtype=complex)
        real = z.imag == 0
        x = z.real
        inside = real & self.in_support(x * self.pop.scale)
        off = real & ~inside
        if np.any(off):
            out[off] = self._u_real_off(x[off])
        if np.any(inside):
            out[inside] = self._u_inside(x[inside])
        cplx = ~real
        if np.any(cplx):
            out[cplx] = self._u_complex(z[cplx])
        return out

    def _u_real_off(self, x: np.ndarray) -> np.ndarray:
        """Real roots for real ``x`` off the support: monotone or bracketed Newton per gap."""
        t, w, c = self.pop.t, self.pop.w, self.pop.c
        a, b, ulo, uhi = self._support_scaled()
        m1 = float(np.sum(w * t))
        u = np.empty(x.size)
        # gap j lies between b_{j-1} and a_j; a point within the edge margin of b_j (see
        # in_support) belongs to the gap on its right
        gap = np.searchsorted(b, x, side="left")
        jj = np.minimum(gap, b.size - 1)
        gap = gap + ((gap < b.size) & (x >= b[jj] - 4.0 * _EPS * b[jj]))
        at_lower = gap == 0
        at_upper = gap == b.size
        mid = ~at_lower & ~at_upper
        if np.any(at_lower):
            xl = x[at_lower]
            start = xl - c * m1 * (1.0 + 4.0 * _EPS) - 4.0 * _EPS * np.abs(xl)
            u[at_lower] = np.minimum(_monotone_newton(xl, start, t, w, c), uhi[0])
        if np.any(at_upper):
            xu = x[at_upper]
            start = np.maximum(xu - c * m1 + 4.0 * _EPS * np.abs(xu), ulo[-1])
            u[at_upper] = np.maximum(_monotone_newton(xu, start, t, w, c), ulo[-1])
        if np.any(mid):
            xm, j = x[mid], gap[mid]

            def fun(uu, idx):
                f, fp, _ = _residual(uu, xm[idx], t, w, c)
                return f, fp

            u[mid] = bracketed_newton(fun, ulo[j], uhi[j], 0.5 * (ulo[j] + uhi[j]), np.ones(xm.size, dtype=bool))
        return u + 0j

    def _distance(self, x: np.ndarray) -> np.ndarray:
        """Distance (scaled units) from real points to the support (0 inside)."""
        a, b, _, _ = self._support_scaled()
        return np.min(np.maximum(np.maximum(a[None, :] - x[:, None], x[:, None] - b[None, :]), 0.0), axis=1)

    def _u_complex(self, z: np.ndarray) -> np.ndarray:
        """Roots for ``Im z > 0``: continuation in ``Im z`` with a guard keeping ``Im u > 0``.

        Points much closer to the real axis than to 0 and to the support (``Im z`` below
        ``1e-10 max(|x|, dist)``) start from the root at ``x`` instead, the two differing by
        ``O(Im z)``; a continuation down to such heights would take hundreds of levels.
        """
        t, w, c = self.pop.t, self.pop.w, self.pop.c
        x, eta = z.real, z.imag
        near = eta < _FLOOR * np.maximum(np.abs(x), self._distance(x))
        out = np.empty(z.shape, dtype=complex)
        if np.any(~near):
            out[~near] = self._continuation(x[~near], eta[~near])
        if np.any(near):
            u0 = self._u_scaled(x[near] + 0j)
            u0 = u0.real + 1j * np.maximum(u0.imag, 1e-300)
            u = _guarded_newton(u0, z[near], t, w, c, maxit=60, tol=4e-15)
            if not np.all(_verified(u, z[near], t, w, c) & (u.imag > 0)):
                u = self._continuation(x[near], eta[near])
            out[near] = u
        return out

    def _continuation(self, x: np.ndarray, eta: np.ndarray, finish_real: bool = False) -> np.ndarray:
        t, w, c = self.pop.t, self.pop.w, self.pop.c
        m1 = float(np.sum(w * t))
        _, b, _, _ = self._support_scaled()
        top = float(b[-1])
        eta0 = 4.0 * (top + c * m1) + 1.0
        # per-point floor: relative to |x| (and to the target eta), so small scales keep accuracy
        local = np.maximum(np.abs(x), 1e-300)
        floor = np.minimum(_FLOOR * local, eta0)
        target = np.where(eta > 0, eta, floor)
        level = np.maximum(target, eta0)
        zz = x + 1j * level
        u = _guarded_newton(zz - c * m1, zz, t, w, c, maxit=100, tol=1e-12)
        while True:
            pending = level > target * (1.0 + 1e-12)
            if not np.any(pending):
                break
            level = np.where(pending, np.maximum(level / _LEVEL_FACTOR, target), level)
            sel = np.flatnonzero(pending)
            final = level[sel] <= target[sel] * (1.0 + 1e-12)
            u[sel] = _guarded_newton(u[sel], x[sel] + 1j * level[sel], t, w, c, maxit=100,
                                     tol=np.where(final, 4e-15, 1e-9))
        bad = ~_verified(u, x + 1j * target, t, w, c) | ~(u.imag > 0)
        if np.any(bad):
            raise RuntimeError(
                "the Silverstein equation did not converge at z = "
                f"{(x[bad][0] + 1j * eta[bad][0]) * self.pop.scale!r}; please report this case"
            )
        return u

    def _u_inside(self, x: np.ndarray) -> np.ndarray:
        """Upper boundary values at real points strictly inside the support."""
        t, w, c = self.pop.t, self.pop.w, self.pop.c
        if x.size > _WARM_MIN_POINTS:
            return self._u_inside_warm(x)
        u_eta = self._continuation(x, np.zeros(x.size))
        return _finish_on_axis(u_eta, x, t, w, c)

    def _u_inside_warm(self, x: np.ndarray) -> np.ndarray:
        """Many real points inside the support: anchors solved first, the others warm-started.

        Within each support interval, with ``theta`` the angle variable
        (``x = a + (b - a) sin^2(theta/2)``), ``u(x + i0)`` is analytic in ``theta``. Anchors,
        about one point in eight spread evenly in ``theta``, are solved first (recursively);
        ``u`` interpolated between anchors starts Newton at ``Im z = 1e-10 |x|``, where the root
        in the upper half-plane is unique, so any iterate that converges with ``Im u > 0`` is
        the right one. The finish on the real axis is verified; points that fail any check
        take the continuation path.
        """
        t, w, c = self.pop.t, self.pop.w, self.pop.c
        a_all, b_all, _, _ = self._support_scaled()
        iv = np.searchsorted(b_all, x, side="left")
        a, b = a_all[iv], b_all[iv]
        theta = theta_of_x(x, a, b)
        counts = np.bincount(iv, minlength=a_all.size)
        few = counts[iv] <= 2 * _WARM_ANCHORS
        if np.any(few):
            out = np.empty(x.size, dtype=complex)
            out[few] = _finish_on_axis(self._continuation(x[few], np.zeros(int(few.sum()))), x[few], t, w, c)
            if not np.all(few):
                out[~few] = self._u_inside_warm(x[~few])
            return out
        used = np.flatnonzero(counts)
        n_anchor = np.maximum(counts[used] // 8, _WARM_ANCHORS)
        anchor_iv = np.repeat(used, n_anchor)
        first = np.repeat(np.cumsum(n_anchor) - n_anchor, n_anchor)
        j = np.arange(anchor_iv.size) - first
        half = (j + 0.5) / np.repeat(n_anchor, n_anchor)
        anchor_theta = np.pi * half
        anchor_x = x_of_theta(anchor_theta, np.pi * (1.0 - half), a_all[anchor_iv], b_all[anchor_iv])
        anchor_u = self._u_inside(anchor_x)
        start, last = np.cumsum(n_anchor) - n_anchor, np.cumsum(n_anchor) - 1
        key = np.concatenate([used * 4.0, anchor_iv * 4.0 + anchor_theta, used * 4.0 + np.pi])
        val = np.concatenate([anchor_u[start], anchor_u, anchor_u[last]])
        order = np.argsort(key, kind="stable")
        key, val = key[order], val[order]
        target = iv * 4.0 + theta
        guess = np.interp(target, key, val.real) + 1j * np.maximum(np.interp(target, key, val.imag), 1e-300)
        eta = _FLOOR * np.maximum(np.abs(x), 1e-300)
        zz = x + 1j * eta
        u = _guarded_newton(guess, zz, t, w, c, maxit=30, tol=1e-9)
        ok = _verified(u, zz, t, w, c) & (u.imag > 0)
        out = np.empty(x.size, dtype=complex)
        if np.any(ok):
            out[ok] = _finish_on_axis(u[ok], x[ok], t, w, c)
        if not np.all(ok):
            rest = ~ok
            out[rest] = _finish_on_axis(self._continuation(x[rest], np.zeros(int(rest.sum()))), x[rest], t, w, c)
        return out


def _guarded_newton(u: np.ndarray, z: np.ndarray, t, w, c, *, maxit: int, tol) -> np.ndarray:
    """Newton on ``x(u) = z`` (``Im z > 0``) keeping ``Im u > 0`` by step halving."""
    u = u.astype(complex).copy()
    tol = np.broadcast_to(np.asarray(tol, dtype=float), u.shape)
    active = np.arange(u.size)
    prev = np.full(u.size, np.inf)
    for _ in range(maxit):
        if active.size == 0:
            break
        ua = u[active]
        f, fp, _ = _residual(ua, z[active], t, w, c)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            step = f / fp
        bad = ~np.isfinite(step)
        step[bad] = 0.0
        new = ua - step
        scale = np.ones(new.size)
        for _h in range(60):
            out = ~(new.imag > 0)
            if not np.any(out):
                break
            scale[out] *= 0.5
            new[out] = ua[out] - scale[out] * step[out]
        new.imag = np.maximum(new.imag, 1e-300)
        u[active] = new
        size = np.abs(step)
        rel = size / np.maximum(np.abs(new), 1e-300)
        stalled = (size >= 0.7 * prev[active]) & (rel < 1e-7)
        prev[active] = size
        done = (rel <= tol[active]) | bad | stalled
        active = active[~done]
    return u


def _verified(u: np.ndarray, z: np.ndarray, t, w, c, tol: float = _RESIDUAL) -> np.ndarray:
    """Finite roots whose residual is at rounding level of the equation's terms."""
    with np.errstate(all="ignore"):
        f, _, size = _residual(u, z, t, w, c)
        return np.isfinite(u) & (np.abs(f) <= tol * size)


def _finish_on_axis(u_eta: np.ndarray, x: np.ndarray, t, w, c) -> np.ndarray:
    """From roots at ``x + i eta`` (small eta) to the boundary values at ``x + i0``, verified.

    Newton at ``Im z = 0`` converges to the root in the upper half-plane from such a start
    except near an edge, where the root is nearly double; a result that is not finite, has
    ``Im u < 0`` or a residual above rounding level is rejected and the value at ``eta``
    (accurate to ``O(eta)``, ``eta = 1e-10 |x|``) is kept.
    """
    u = u_eta.copy()
    active = np.arange(u.size)
    prev = np.full(u.size, np.inf)
    for _ in range(12):
        if active.size == 0:
            break
        ua = u[active]
        f, fp, _ = _residual(ua, x[active] + 0j, t, w, c)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            step = f / fp
        new = ua - step
        good = np.isfinite(new)
        u[active[good]] = new[good]
        size = np.abs(step)
        rel = size / np.maximum(np.abs(new), 1e-300)
        # converged, or stalled at rounding level (a near-double root at an edge)
        stalled = (size >= 0.5 * prev[active]) & (rel < 1e-7)
        prev[active] = size
        done = ~good | ~(rel > 1e-14) | stalled
        active = active[~done]
    ok = _verified(u, x + 0j, t, w, c, tol=1e-12) & (u.imag >= -1e-12 * np.abs(u))
    u = np.where(ok, u.real + 1j * np.abs(u.imag), u_eta)
    return u


# ------------------------------------------------------------------------------------------------
# the angle variable of a support interval
# ------------------------------------------------------------------------------------------------
def x_of_theta(theta: np.ndarray, comp: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``x = a + (b - a) sin^2(theta / 2)`` from ``theta`` and ``comp = pi - theta``.

    Both angles are passed (each accurate near its own end), so points close to either edge
    keep their distance to that edge to full relative accuracy.
    """
    return np.where(theta <= comp, a + (b - a) * np.sin(theta / 2.0) ** 2, b - (b - a) * np.sin(comp / 2.0) ** 2)


def theta_of_x(x: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Inverse of :func:`x_of_theta` on ``[a, b]``."""
    return 2.0 * np.arctan2(np.sqrt(np.clip(x - a, 0.0, None)), np.sqrt(np.clip(b - x, 0.0, None)))
