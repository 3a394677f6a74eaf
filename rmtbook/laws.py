"""Limiting spectral laws: Wigner semicircle, Marchenko-Pastur and general sample covariances.

Every law is an object with the same interface:

``pdf(x)``
    density of the absolutely continuous part (vectorized, finite everywhere, 0 off the
    support);
``atom``
    mass of the point mass at 0 (``max(0, 1 - 1/c)`` for sample covariances, 0 for the
    semicircle);
``support()``
    list of intervals ``(a, b)`` carrying the continuous part;
``stieltjes(z)``
    Stieltjes transform ``m(z) = int (t - z)^{-1} mu(dt)`` of the whole law (atom included),
    the limit of ``(1/p) tr (M - z I)^{-1}``; for real ``z`` on the support the upper limit
    ``m(x + i0)`` is returned; for ``Im z < 0`` the value ``conj(m(conj z))``;
``cdf(x)``
    distribution function, atom included (``F(0) >= atom``);
``mean()``, ``var()``, ``moment(k)``, ``sample(size, rng)``
    moments and exact sampling of i.i.d. draws from the law (inverse transform).

The general sample-covariance law is computed from the Silverstein equation for the companion
transform by a vectorized Newton method (no per-point loops, no damped fixed point): with
continuation in ``Im z`` for a few points, and for many real points with warm starts
interpolated in the angle variable ``x = a + (b - a)(1 - cos theta)/2`` of each support
interval. The support comes from the Silverstein-Choi characterization, and the distribution
function in closed form from ``mu(x + i0)`` (a log-potential that is stationary in ``mu``, so
it is accurate to rounding level even at the edges). Moments and sampling use an adaptive
piecewise Chebyshev model of the density in the angle variable, which removes the square-root
behaviour at soft edges and the inverse square root at the hard edge; pieces are halved
where the density has near-gaps.

Used by chapters 2 (``chapters/02_resolvents.md``) and 3 (``chapters/03_marchenko_pastur.md``)
and by every later chapter that draws a spectrum.

References
----------
Wigner (1955); Marchenko & Pastur (1967); Silverstein & Bai (1995); Silverstein & Choi (1995);
Bai & Silverstein (1999); Dobriban (2015); Couillet & Liao (2022), Thms 2.4-2.6.
"""

from __future__ import annotations

import functools
import warnings
from typing import Any

import numpy as np
from scipy.special import roots_legendre

from ._rng import RngLike, as_generator
from ._validation import check_array, check_int, check_positive, check_scalar, check_weights

__all__ = [
    "SpectralLaw",
    "SemicircleLaw",
    "SampleCovarianceLaw",
    "MarchenkoPasturLaw",
    "semicircle",
    "marchenko_pastur",
    "sample_covariance_law",
]

#: most (and fewest) Chebyshev points per piece of the adaptive model of a density (see ``SpectralLaw._cheb_model``)
_PIECE_DEG = 128
_PIECE_MIN_DEG = 32
#: tolerance on the discarded Chebyshev tail of a piece (absolute, per unit of pi in theta)
_PIECE_TOL = 1e-14
#: a piece is not halved further than pi / 2**_PIECE_MAX_DEPTH in theta
_PIECE_MAX_DEPTH = 30
#: ratio between consecutive levels of Im z in the Newton continuation
_LEVEL_FACTOR = 10.0
#: below this many real points inside the support, mu is computed without warm starts
_WARM_MIN_POINTS = 64
#: fewest anchors per support interval in the warm-started solve
_WARM_ANCHORS = 8
#: (rows x atoms) sizes from which the Silverstein sums use BLAS matrix-vector products
_MATVEC_MIN = 1 << 16


@functools.lru_cache(maxsize=16)
def _gauss_legendre(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Gauss-Legendre nodes and weights on [-1, 1] (cached)."""
    return roots_legendre(n)


def _as_real_points(name: str, x: Any) -> np.ndarray:
    """Validate finite real evaluation points (any shape, scalars included)."""
    return check_array(name, x, min_size=0)


def _as_complex_points(name: str, z: Any) -> np.ndarray:
    """Validate finite complex evaluation points (any shape, scalars included)."""
    return check_array(name, z, allow_complex=True, min_size=0).astype(complex)


def _return_like(values: np.ndarray, original: Any) -> Any:
    """Return a scalar for scalar input, else the array."""
    if np.ndim(original) == 0:
        return values.reshape(()).item() if isinstance(values, np.ndarray) else values
    return values


class SpectralLaw:
    """Base class of the spectral laws of :mod:`rmtbook.laws`.

    A subclass implements ``pdf``, ``stieltjes``, ``support``, sets ``atom``
    (mass at 0) and may override the generic numerical :meth:`cdf`, :meth:`moment` and
    ``sample``, which integrate ``pdf`` on each support interval with a piecewise Chebyshev
    expansion in the angle variable ``theta``, ``x = a + (b - a)(1 - cos theta) / 2``. The
    integrand ``pdf(x) dx/dtheta`` is smooth (analytic) in ``theta`` for square-root soft edges
    and for the inverse-square-root hard edge, so the expansion converges geometrically; pieces
    are halved adaptively where it does not (near-gaps inside an interval).

    References
    ----------
    Chapter 2 (``chapters/02_resolvents.md``).
    """

    atom: float = 0.0

    # -- to implement --------------------------------------------------------------------------
    def pdf(self, x: Any) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def stieltjes(self, z: Any) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def support(self) -> list[tuple[float, float]]:  # pragma: no cover - abstract
        raise NotImplementedError

    # -- Chebyshev model of the continuous part ------------------------------------------------
    @staticmethod
    def _x_of_theta(theta: np.ndarray, comp: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """``x = a + (b - a) sin^2(theta / 2)`` from ``theta`` and ``comp = pi - theta``.

        Both angles are passed (each accurate near its own end), so points close to either
        edge keep their distance to that edge to full relative accuracy.
        """
        return np.where(theta <= comp, a + (b - a) * np.sin(theta / 2.0) ** 2, b - (b - a) * np.sin(comp / 2.0) ** 2)

    @staticmethod
    def _theta_of_x(x: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return 2.0 * np.arctan2(np.sqrt(np.clip(x - a, 0.0, None)), np.sqrt(np.clip(b - x, 0.0, None)))

    def _cheb_model(self) -> dict[str, np.ndarray]:
        """Piecewise Chebyshev model of the continuous part, adaptive in the angle variable.

        Each support interval ``[a, b]`` is parametrized by ``theta`` in ``[0, pi]``,
        ``x = a + (b - a) sin^2(theta / 2)``, and cut into pieces ``[t0, t1]`` of ``theta``; on
        a piece, ``g(s) = pdf(x) dx/ds`` with ``theta = t0 + (t1 - t0)(s + 1)/2`` is expanded on
        ``_PIECE_DEG`` Chebyshev points of the first kind (no edge is ever evaluated). A piece
        whose expansion has not converged is halved, so a density with near-gaps (a dip almost
        to zero between clusters of population eigenvalues) or an edge whose square-root regime
        is tiny is resolved by local refinement instead of one very high degree. All pieces of
        one refinement level are evaluated in a single vectorized call of :meth:`pdf`.

        Returns a dict of per-piece arrays sorted by (interval, ``t0``): ``interval``, ``a``,
        ``b``, ``t0``, ``t1``, ``coef`` (Chebyshev coefficients of ``g``), ``integ`` (of its
        antiderivative vanishing at ``s = -1``), ``masses``.
        """
        cached = getattr(self, "_cheb_cache", None)
        if cached is not None:
            return cached
        intervals = np.array(self.support(), dtype=float).reshape(-1, 2)
        iv = np.arange(len(intervals))
        t0, t1 = np.zeros(iv.size), np.full(iv.size, np.pi)
        depth = np.zeros(iv.size, dtype=int)
        deg = np.full(iv.size, _PIECE_MIN_DEG)
        keep: list[tuple[np.ndarray, ...]] = []
        while iv.size:
            # evaluate every pending piece (grouped by degree) in one call of pdf
            xs, dxs, groups = [], [], []
            for d in np.unique(deg):
                sel = np.flatnonzero(deg == d)
                phi = np.pi * (np.arange(d) + 0.5) / d  # s = cos(phi)
                span = (t1 - t0)[sel, None]
                theta = t0[sel, None] + span * np.cos(phi / 2.0)[None, :] ** 2  # (1 + s)/2 exactly near s = -1
                comp = (np.pi - t1)[sel, None] + span * np.sin(phi / 2.0)[None, :] ** 2  # pi - theta
                aa, bb = intervals[iv[sel], 0][:, None], intervals[iv[sel], 1][:, None]
                xs.append(self._x_of_theta(theta, comp, aa, bb).ravel())
                dxs.append(((bb - aa) * np.sin(np.minimum(theta, comp)) / 2.0 * (span / 2.0)).ravel())
                groups.append((sel, int(d)))
            values = np.asarray(self.pdf(np.concatenate(xs)), dtype=float) * np.concatenate(dxs)
            coef = np.zeros((iv.size, _PIECE_DEG))
            tail = np.empty(iv.size)
            offset = 0
            for sel, d in groups:
                g = values[offset : offset + sel.size * d].reshape(sel.size, d)
                offset += sel.size * d
                j = np.arange(d)
                cf = (2.0 / d) * (g @ np.cos(np.pi * np.outer(j, j + 0.5) / d).T)
                cf[:, 0] /= 2.0
                coef[sel, :d] = cf
                tail[sel] = np.abs(cf[:, -8:]).max(axis=1)
            top = np.abs(coef).max(axis=1)
            span = t1 - t0
            # converged: the discarded tail is negligible in absolute terms (its share of the
            # tolerance is the piece's share of theta) or relative to the piece itself
            ok = (tail <= _PIECE_TOL * span / np.pi) | (tail <= _PIECE_TOL * top) | (depth >= _PIECE_MAX_DEPTH)
            keep.append((iv[ok], t0[ok], t1[ok], coef[ok]))
            # not converged: a higher degree on the same piece, or two halves from the lowest degree
            more = ~ok & (deg < _PIECE_DEG)
            split = ~ok & ~more
            mid = 0.5 * (t0[split] + t1[split])
            iv = np.concatenate([iv[more], np.repeat(iv[split], 2)])
            new_t0 = np.concatenate([t0[more], np.column_stack([t0[split], mid]).ravel()])
            t1 = np.concatenate([t1[more], np.column_stack([mid, t1[split]]).ravel()])
            t0 = new_t0
            depth = np.concatenate([depth[more], np.repeat(depth[split] + 1, 2)])
            deg = np.concatenate([2 * deg[more], np.full(2 * np.count_nonzero(split), _PIECE_MIN_DEG)])
        piece_iv = np.concatenate([k[0] for k in keep])
        piece_t0 = np.concatenate([k[1] for k in keep])
        piece_t1 = np.concatenate([k[2] for k in keep])
        coef = np.concatenate([k[3] for k in keep]).reshape(-1, _PIECE_DEG)
        order = np.lexsort((piece_t0, piece_iv))
        piece_iv, piece_t0, piece_t1, coef = piece_iv[order], piece_t0[order], piece_t1[order], coef[order]
        integ = np.polynomial.chebyshev.chebint(coef, lbnd=-1.0, axis=1)
        masses = np.atleast_1d(np.polynomial.chebyshev.chebval(1.0, integ.T))
        self._cheb_cache = {
            "interval": piece_iv,
            "a": intervals[piece_iv, 0],
            "b": intervals[piece_iv, 1],
            "t0": piece_t0,
            "t1": piece_t1,
            "coef": coef,
            "integ": integ,
            "masses": masses,
            "interval_a": intervals[:, 0],
            "interval_b": intervals[:, 1],
        }
        return self._cheb_cache

    def continuous_mass(self) -> float:
        """Numerically integrated mass of the continuous part (``1 - atom`` up to ~1e-12)."""
        return float(self._cheb_model()["masses"].sum())

    @staticmethod
    def _chebval_rows(s: np.ndarray, coef_rows: np.ndarray) -> np.ndarray:
        """Evaluate a different Chebyshev series (row of ``coef_rows``) at each ``s``."""
        k = np.arange(coef_rows.shape[1])
        tk = np.cos(k[None, :] * np.arccos(np.clip(s, -1.0, 1.0))[:, None])
        return np.einsum("ij,ij->i", tk, coef_rows)

    def _locate(self, x: np.ndarray, model: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """Piece index and local variable ``s`` of points ``x`` inside the support intervals."""
        iv = np.searchsorted(model["interval_b"], x, side="left")
        theta = self._theta_of_x(x, model["interval_a"][iv], model["interval_b"][iv])
        key = model["interval"] * 4.0 + model["t0"]  # theta < 4: sorted by (interval, t0)
        piece = np.clip(np.searchsorted(key, iv * 4.0 + theta, side="right") - 1, 0, key.size - 1)
        s = 2.0 * (theta - model["t0"][piece]) / (model["t1"][piece] - model["t0"][piece]) - 1.0
        return piece, s

    def cdf(self, x: Any) -> Any:
        """Distribution function ``F(x) = mu((-inf, x])``, atom at 0 included (vectorized).

        The continuous part is integrated on each support interval from the piecewise Chebyshev
        model of the density (accuracy about 1e-12); the result is clipped to ``[0, 1]``.
        :class:`SampleCovarianceLaw` overrides it with a closed form.
        """
        xs = _as_real_points("x", x)
        flat = xs.ravel()
        model = self._cheb_model()
        a, b = model["interval_a"], model["interval_b"]
        before = np.concatenate([[0.0], np.cumsum(model["masses"])])  # mass of the pieces before
        first_piece = np.searchsorted(model["interval"], np.arange(a.size + 1), side="left")
        left = np.searchsorted(b, flat, side="right")  # intervals entirely to the left of x
        out = before[first_piece[left]] + self.atom * (flat >= 0.0)
        inside = (left < a.size) & (flat > a[np.minimum(left, a.size - 1)])
        if np.any(inside):
            piece, s = self._locate(flat[inside], model)
            out[inside] += before[piece] - before[first_piece[left[inside]]] + self._chebval_rows(s, model["integ"][piece])
        out = np.clip(out, 0.0, 1.0).reshape(xs.shape)
        return _return_like(out, x)

    def _piece_x(self, s: np.ndarray, model: dict[str, np.ndarray], piece: np.ndarray) -> np.ndarray:
        """``x`` at local variable ``s`` of the given pieces (broadcasting)."""
        t0, t1 = model["t0"][piece], model["t1"][piece]
        theta = t0 + (t1 - t0) * (1.0 + s) / 2.0
        comp = (np.pi - t1) + (t1 - t0) * (1.0 - s) / 2.0
        return self._x_of_theta(theta, comp, model["a"][piece], model["b"][piece])

    def moment(self, k: int) -> float:
        """``k``-th moment ``int x^k mu(dx)`` (atom included), by Gauss-Legendre quadrature."""
        k = check_int("k", k, low=0, high=64)
        model = self._cheb_model()
        nodes, wts = _gauss_legendre(_PIECE_DEG + k + 32)
        pieces = np.arange(model["masses"].size)
        g = np.polynomial.chebyshev.chebval(nodes, model["coef"].T)  # (pieces, nodes)
        xk = self._piece_x(nodes[None, :], model, pieces[:, None]) ** k
        return float(self.atom * (1.0 if k == 0 else 0.0) + np.sum(g * xk * wts[None, :]))

    def mean(self) -> float:
        """Mean of the law."""
        return self.moment(1)

    def var(self) -> float:
        """Variance of the law."""
        return self.moment(2) - self.mean() ** 2

    def sample(self, size: int, rng: RngLike = None) -> np.ndarray:
        """Draw ``size`` i.i.d. values from the law (atom included) by inverse transform.

        Parameters
        ----------
        size
            Number of draws.
        rng
            ``None``, a seed or a :class:`numpy.random.Generator`.
        """
        size = check_int("size", size, low=0)
        gen = as_generator(rng)
        u = gen.random(size)
        out = np.zeros(size)
        model = self._cheb_model()
        masses = model["masses"]
        cont = u >= self.atom
        if not np.any(cont):
            return out
        # target mass within the continuous part, mapped onto the numerical masses
        target = (u[cont] - self.atom) / max(1.0 - self.atom, 1e-300) * masses.sum()
        cum = np.cumsum(masses)
        idx = np.minimum(np.searchsorted(cum, target, side="right"), masses.size - 1)
        target = target - np.concatenate([[0.0], cum])[idx]
        rows = model["integ"][idx]
        lo = -np.ones(idx.size)
        hi = np.ones(idx.size)
        for _ in range(55):  # bisection on s, vectorized over the draws
            mid = 0.5 * (lo + hi)
            below = self._chebval_rows(mid, rows) < target
            lo = np.where(below, mid, lo)
            hi = np.where(below, hi, mid)
        out[cont] = self._piece_x(0.5 * (lo + hi), model, idx)
        return out

    def __repr__(self) -> str:  # pragma: no cover - cosmetic
        return f"{type(self).__name__}(support={self.support()}, atom={self.atom:g})"


def _singular_warning(what: str) -> None:
    warnings.warn(
        f"stieltjes: z = 0 is a singular point of this law ({what}); returning inf",
        RuntimeWarning,
        stacklevel=3,
    )


# ------------------------------------------------------------------------------------------------
# Semicircle
# ------------------------------------------------------------------------------------------------
class SemicircleLaw(SpectralLaw):
    """Wigner semicircle law of variance ``var``: density ``sqrt(4 var - x^2) / (2 pi var)``.

    Its Stieltjes transform solves ``var m^2 + z m + 1 = 0``, i.e. ``m = -1/(z + var m)``:
    ``m(z) = (-z + sqrt(z - 2 s) sqrt(z + 2 s)) / (2 var)`` with ``s = sqrt(var)``, the
    product of principal square roots being analytic off ``[-2 s, 2 s]`` and ``~ z`` at
    infinity.

    Parameters
    ----------
    var
        Variance of the law (``var > 0``): the limit of ``(1/n) tr W^2`` for a Wigner matrix
        whose entries have variance ``var / n``.

    References
    ----------
    Wigner (1955); Anderson, Guionnet & Zeitouni (2010), Ch. 2. Chapter 2
    (``chapters/02_resolvents.md``).
    """

    def __init__(self, var: float = 1.0) -> None:
        self.variance = check_positive("var", var)
        self.radius = 2.0 * np.sqrt(self.variance)
        self.atom = 0.0

    def support(self) -> list[tuple[float, float]]:
        """The single interval ``[-2 sqrt(var), 2 sqrt(var)]``."""
        return [(-self.radius, self.radius)]

    def pdf(self, x: Any) -> Any:
        """Density ``sqrt(4 var - x^2) / (2 pi var)`` on the support, 0 elsewhere."""
        xs = _as_real_points("x", x)
        out = np.sqrt(np.clip(self.radius**2 - xs**2, 0.0, None)) / (2.0 * np.pi * self.variance)
        return _return_like(out, x)

    def stieltjes(self, z: Any) -> Any:
        """Stieltjes transform; ``m(x + i0)`` on the support, ``conj(m(conj z))`` below."""
        zs = _as_complex_points("z", z)
        lower = zs.imag < 0
        zu = zs.real + 1j * np.abs(zs.imag)  # +0.0 imaginary part on the real axis
        r = self.radius
        out = (-zu + np.sqrt(zu - r) * np.sqrt(zu + r)) / (2.0 * self.variance)
        # far from the support the subtraction above cancels: use m = -2 / (z + sqrt(...))
        alt = -2.0 / (zu + np.sqrt(zu - r) * np.sqrt(zu + r))
        far = np.abs(zu) > 2.0 * r
        out = np.where(far, alt, out)
        out = np.where(lower, np.conj(out), out)
        return _return_like(out, z)

    def cdf(self, x: Any) -> Any:
        """Closed form ``1/2 + x sqrt(4 var - x^2) / (4 pi var) + arcsin(x / (2 sqrt var)) / pi``."""
        xs = _as_real_points("x", x)
        u = np.clip(xs, -self.radius, self.radius)
        out = 0.5 + u * np.sqrt(self.radius**2 - u**2) / (4.0 * np.pi * self.variance)
        out = out + np.arcsin(u / self.radius) / np.pi
        return _return_like(np.clip(out, 0.0, 1.0), x)

    def moment(self, k: int) -> float:
        """``var^{k/2}`` times the Catalan number ``C_{k/2}`` for even ``k``, 0 for odd ``k``."""
        k = check_int("k", k, low=0, high=64)
        if k % 2:
            return 0.0
        j = k // 2
        catalan = 1.0
        for i in range(j):  # C_{i+1} = C_i * 2(2i + 1)/(i + 2)
            catalan = catalan * 2.0 * (2 * i + 1) / (i + 2)
        return catalan * self.variance**j

    def mean(self) -> float:
        """0."""
        return 0.0

    def var(self) -> float:
        """``var``."""
        return self.variance

    def __repr__(self) -> str:  # pragma: no cover - cosmetic
        return f"SemicircleLaw(var={self.variance:g})"


def semicircle(var: float = 1.0) -> SemicircleLaw:
    """Wigner semicircle law of variance ``var`` (support ``[-2 sqrt(var), 2 sqrt(var)]``).

    The limiting eigenvalue distribution of an ``n x n`` symmetric matrix with independent
    centered entries of variance ``var / n`` (see :func:`rmtbook.wigner_matrix`).

    Parameters
    ----------
    var
        Variance ``> 0``.

    Returns
    -------
    SemicircleLaw

    References
    ----------
    Wigner (1955); Anderson, Guionnet & Zeitouni (2010). Chapter 2.
    """
    return SemicircleLaw(var)


# ------------------------------------------------------------------------------------------------
# General sample covariance (Silverstein equation)
# ------------------------------------------------------------------------------------------------
class SampleCovarianceLaw(SpectralLaw):
    """Limiting spectral law of ``Chat = C^{1/2} Z Z^T C^{1/2} / n`` (``Z`` is ``p x n``).

    With ``c = p / n`` and the population spectral measure ``H = sum_k w_k delta_{t_k}``
    (``t_k > 0``), the companion transform ``mu(z)`` (Stieltjes transform of the spectrum of
    ``X^T X / n``) is the unique solution in the upper half-plane of

    ``z = -1/mu + c sum_k w_k t_k / (1 + t_k mu)``,

    and ``m(z) = (mu(z) + (1 - c)/z) / c``. The density at ``x > 0`` is
    ``Im mu(x + i0) / (pi c)``; the law has an atom ``1 - 1/c`` at 0 when ``c > 1``.

    Numerics: ``mu`` is computed by Newton's method on
    ``G(mu) = -z - 1/mu + c sum w t / (1 + t mu)``, vectorized over all points, with
    continuation in ``Im z`` from a scale ``eta_0`` (above the spectrum) down to ``1e-10``
    times the scale of the spectrum (a warm start from each level), a guard keeping
    ``Im mu > 0``, and for real ``z`` a final Newton solve at ``Im z = 0`` (whose two complex
    roots are conjugate; the one in the upper half-plane is kept). At a soft edge the root is
    double and its accuracy is about ``sqrt(machine epsilon)`` relative, i.e. ~1e-8. For more
    than 64 real points inside the support, anchors are solved first (recursively) and the
    other points start Newton at ``Im z = 1e-10 * scale`` from ``mu`` interpolated in the angle
    variable; the root in the upper half-plane being unique there, a converged iterate is the
    right one, and points that do not converge take the robust path (about ten times fewer
    Newton sweeps than continuation for every point).

    Distribution function: in closed form from ``mu(x + i0)`` (see :meth:`cdf`), exact in the
    gaps (a sum of population weights) and accurate to rounding level at the edges.

    Support (Silverstein & Choi, 1995): with ``x(v) = -1/v + c sum w t / (1 + t v)`` on the
    real line minus the poles ``{0, -1/t_k}``, the complement of the support is the union of
    the images ``x(I)`` of the intervals ``I`` on which ``x`` is increasing. In ``u = 1/v``,
    ``x'(v) = u^2 (1 - h(u))`` with ``h(u) = c sum w t^2 / (u + t)^2``, convex between
    consecutive poles ``-t_{k+1} < u < -t_k``: there ``h = 1`` has zero or two roots, one on each
    side of the minimum of ``h``; on the two unbounded intervals it has one root (the outer
    edges). Intervals whose closed-form lower bound ``(a_k^{1/3} + a_{k+1}^{1/3})^3 / width^2``
    (``a_k = c w_k t_k^2``) exceeds 1 hold no gap and are skipped; for the others the minimum
    and the two roots are found by safeguarded Newton (bisection fallback), vectorized over all
    intervals, so the edges ``x(v*)`` are accurate to machine precision (they are stationary
    values of ``x``). At ``c = 1`` the support starts at the hard edge 0.

    Parameters
    ----------
    population_eigs
        Eigenvalues ``t_k > 0`` of the population covariance ``C`` (repeated values are merged
        and their weights added). Zero eigenvalues are refused: remove them and rescale the
        ratio instead (a zero eigenvalue adds to the atom at 0).
    ratio
        ``c = p / n > 0``.
    weights
        Weights ``w_k >= 0`` of the eigenvalues (normalized to sum 1); uniform by default.

    References
    ----------
    Silverstein & Bai (1995); Silverstein & Choi (1995); Dobriban (2015); Bai & Silverstein
    (2010), Ch. 4; Couillet & Liao (2022), Thm 2.6. Chapters 2 and 3.
    """

    def __init__(self, population_eigs: Any, ratio: float, weights: Any = None) -> None:
        t = check_array("population_eigs", population_eigs, ndim=(0, 1), low=0.0, low_open=True).ravel()
        w = check_weights("weights", weights, t.size)
        self.ratio = check_scalar("ratio", ratio, low=0.0, low_open=True)
        keep = w > 0
        t, w = t[keep], w[keep]
        uniq, inv = np.unique(t, return_inverse=True)
        self.population_eigs = uniq
        self.weights = np.bincount(inv, weights=w, minlength=uniq.size)
        self.atom = max(0.0, 1.0 - 1.0 / self.ratio)
        self._support: list[tuple[float, float]] | None = None

    # -- companion transform -------------------------------------------------------------------
    def _g_and_dg(self, mu: np.ndarray, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``G(mu) = -z - 1/mu + c sum w t / (1 + t mu)`` and ``G'(mu)``, in chunks of rows."""
        t = self.population_eigs
        wt = (self.ratio * self.weights * t).astype(complex)
        wtt = wt * t
        s1 = np.empty(mu.shape, dtype=complex)
        s2 = np.empty(mu.shape, dtype=complex)
        step = max(1, self._ROWS_PER_CHUNK // t.size)
        for s in range(0, mu.size, step):
            d = np.multiply.outer(mu[s : s + step], t)
            d += 1.0
            inv = np.reciprocal(d, out=d)  # in place: one (rows x atoms) temporary
            if d.size >= _MATVEC_MIN:
                s1[s : s + step] = inv @ wt
                np.multiply(inv, inv, out=inv)
                s2[s : s + step] = inv @ wtt
            else:  # tiny BLAS calls are slow under thread contention
                s1[s : s + step] = np.einsum("ij,j->i", inv, wt)
                np.multiply(inv, inv, out=inv)
                s2[s : s + step] = np.einsum("ij,j->i", inv, wtt)
        return -z - 1.0 / mu + s1, 1.0 / mu**2 - s2

    def _newton(
        self, mu: np.ndarray, z: np.ndarray, *, guard: bool, maxit: int, tol: float = 4e-15
    ) -> np.ndarray:
        """Newton iterations on ``G(mu) = 0`` for the points not yet converged.

        A point stops when its relative step is below ``tol``, or when it stagnates at
        rounding level (the step no longer shrinks and is below ``1e-7`` relative; this is
        where a near-double root at a soft edge ends).
        """
        mu = mu.copy()
        active = np.arange(mu.size)
        prev = np.full(mu.size, np.inf)
        for _ in range(maxit):
            if active.size == 0:
                break
            m_a = mu[active]
            g, dg = self._g_and_dg(m_a, z[active])
            with np.errstate(divide="ignore", invalid="ignore"):
                step = g / dg
            bad = ~np.isfinite(step)
            step[bad] = 0.0
            new = m_a - step
            if guard:
                # halve the step until the iterate stays in the upper half-plane
                scale = np.ones(new.size)
                for _h in range(60):
                    out = new.imag <= 0
                    if not np.any(out):
                        break
                    scale[out] *= 0.5
                    new[out] = m_a[out] - scale[out] * step[out]
                new.imag = np.maximum(new.imag, 1e-300)
            mu[active] = new
            size = np.abs(step)
            rel = size / np.maximum(np.abs(new), 1e-300)
            stalled = (size >= 0.7 * prev[active]) & (rel < 1e-7)
            prev[active] = size
            done = (rel <= tol) | bad | stalled
            active = active[~done]
        return mu

    def _scale(self) -> float:
        return float(max(self.support()[-1][1], 1e-12))

    def companion_stieltjes(self, z: Any) -> Any:
        """Companion Stieltjes transform ``mu(z)`` (spectrum of ``X^T X / n``), vectorized.

        For real ``z`` the limit ``mu(x + i0)`` is returned (real off the support); for
        ``Im z < 0`` the value ``conj(mu(conj z))``. ``z = 0`` is refused when ``c <= 1``
        (``mu`` has a pole there) and allowed when ``c > 1``.
        """
        zs = _as_complex_points("z", z)
        flat = zs.ravel()
        if self.ratio <= 1.0 and np.any(flat == 0):
            raise ValueError("z must be nonzero: the companion transform has a pole at 0 when ratio <= 1")
        out = self._companion(flat).reshape(zs.shape)
        return _return_like(out, z)

    def _companion(self, z: np.ndarray) -> np.ndarray:
        """``mu(z)``: real points strictly inside the support by warm starts, others robustly."""
        real_inside = (z.imag == 0) & self._in_support(z.real)
        if np.count_nonzero(real_inside) <= _WARM_MIN_POINTS:
            return self._companion_robust(z)
        out = np.empty(z.shape, dtype=complex)
        out[real_inside] = self._companion_inside(z.real[real_inside])
        if not np.all(real_inside):
            out[~real_inside] = self._companion_robust(z[~real_inside])
        return out

    def _companion_inside(self, x: np.ndarray) -> np.ndarray:
        """``mu(x + i0)`` at real points strictly inside the support, by multilevel warm starts.

        Within each support interval, with ``theta`` the angle variable
        (``x = a + (b - a) sin^2(theta/2)``), the boundary value ``mu`` is an analytic function of
        ``theta`` (the square root at a soft edge becomes ``sin(theta/2)``). Anchors, about one
        point in eight spread evenly in ``theta``, are solved first (recursively, down to a
        robust solve of at most ``_WARM_MIN_POINTS`` points); ``mu`` interpolated between anchors
        then starts Newton directly at ``Im z = 1e-10 * scale``. There the solution in the upper
        half-plane is unique (Silverstein & Bai, 1995), so any iterate that converges with
        ``Im mu > 0`` is the right root. Two Newton steps at ``Im z = 0`` follow, the second at
        rounding level proving convergence; points near an edge (small ``Im mu``) finish with
        the robust path's last solve, and points that do not converge take the robust
        continuation in ``Im z``.
        """
        if x.size <= _WARM_MIN_POINTS:
            return self._companion_robust(x + 0j)
        sup = np.array(self.support(), dtype=float)
        iv = np.searchsorted(sup[:, 1], x, side="left")
        a, b = sup[iv, 0], sup[iv, 1]
        theta = self._theta_of_x(x, a, b)
        counts = np.bincount(iv, minlength=len(sup))
        # intervals holding few points are solved robustly; the others get at most half as
        # many anchors as points, so the recursion ends
        few = counts[iv] <= 2 * _WARM_ANCHORS
        if np.any(few):
            out = np.empty(x.size, dtype=complex)
            out[few] = self._companion_robust(x[few] + 0j)
            if not np.all(few):
                out[~few] = self._companion_inside(x[~few])
            return out
        used = np.flatnonzero(counts)
        n_anchor = np.maximum(counts[used] // 8, _WARM_ANCHORS)
        anchor_iv = np.repeat(used, n_anchor)
        first = np.repeat(np.cumsum(n_anchor) - n_anchor, n_anchor)
        j = np.arange(anchor_iv.size) - first  # rank of the anchor within its interval
        kk = np.repeat(n_anchor, n_anchor)
        half = (j + 0.5) / kk  # anchors at theta = pi (j + 1/2) / K, none on an edge
        anchor_theta = np.pi * half
        anchor_x = self._x_of_theta(anchor_theta, np.pi * (1.0 - half), sup[anchor_iv, 0], sup[anchor_iv, 1])
        anchor_mu = self._companion_inside(anchor_x)
        # interpolate in the key interval * 4 + theta (theta < 4), with the first and last anchor
        # of each interval repeated at theta = 0 and theta = pi so that no point borrows a value
        # from a neighbouring interval
        start, last = np.cumsum(n_anchor) - n_anchor, np.cumsum(n_anchor) - 1
        key = np.concatenate([used * 4.0, anchor_iv * 4.0 + anchor_theta, used * 4.0 + np.pi])
        val = np.concatenate([anchor_mu[start], anchor_mu, anchor_mu[last]])
        order = np.argsort(key, kind="stable")
        key, val = key[order], val[order]
        target = iv * 4.0 + theta
        guess = np.interp(target, key, val.real) + 1j * np.maximum(np.interp(target, key, val.imag), 1e-300)
        scale = self._scale()
        zz = x + 1j * (1e-10 * scale)
        mu = self._newton(guess, zz, guard=True, maxit=30, tol=1e-9)
        out = np.empty(x.size, dtype=complex)
        # two Newton steps at Im z = 0 (the roots at Im z = eta and 0 differ by ~eta / |G'|);
        # a second step at rounding level proves convergence, for the points where the first
        # was small
        fast = np.zeros(x.size, dtype=bool)
        cur = mu
        cand = np.arange(x.size)
        for limit in (1e-6, 1e-13):
            g, dg = self._g_and_dg(cur, x[cand] + 0j)
            with np.errstate(divide="ignore", invalid="ignore"):
                step = g / dg
                rel = np.abs(step) / np.abs(cur)
            cur = cur - step
            good = np.isfinite(rel) & (rel < limit) & (cur.imag > 1e-6 * np.abs(cur))
            cand, cur = cand[good], cur[good]
        fast[cand] = True
        out[cand] = cur
        slow = np.flatnonzero(~fast)  # near an edge (Im mu small) or not converged
        if slow.size:
            g, dg = self._g_and_dg(mu[slow], zz[slow])
            with np.errstate(divide="ignore", invalid="ignore"):
                rel = np.abs(g / dg) / np.abs(mu[slow])
            ok = np.isfinite(rel) & (rel < 1e-10) & (mu[slow].imag > 0)
            if np.any(ok):
                mr = self._newton(mu[slow[ok]], x[slow[ok]] + 0j, guard=False, maxit=200)
                out[slow[ok]] = mr.real + 1j * np.abs(mr.imag)
            if not np.all(ok):
                out[slow[~ok]] = self._companion_robust(x[slow[~ok]] + 0j)
        return out

    def _companion_robust(self, z: np.ndarray) -> np.ndarray:
        lower = z.imag < 0
        x, eta = z.real, np.abs(z.imag)
        scale = self._scale()
        eta0 = 4.0 * scale + 1.0
        floor = 1e-10 * scale
        zz = x + 1j * np.maximum(eta, eta0)
        mu = self._newton(-1.0 / zz, zz, guard=True, maxit=100)  # exact for eta >= eta0
        level = eta0
        while level > floor:
            level = max(level / _LEVEL_FACTOR, floor)
            sel = eta < level * _LEVEL_FACTOR  # points whose target is below the last level
            if not np.any(sel):
                continue
            zz_sel = x[sel] + 1j * np.maximum(eta[sel], level)
            tol = 4e-15 if level == floor else 1e-9  # warm starts need not be exact
            mu[sel] = self._newton(mu[sel], zz_sel, guard=True, maxit=100, tol=tol)
        tiny = (eta > 0) & (eta < floor)
        if np.any(tiny):
            mu[tiny] = self._newton(mu[tiny], z.real[tiny] + 1j * eta[tiny], guard=True, maxit=200)
        real = eta == 0
        if np.any(real):
            z_real = x[real] + 0j
            mr = self._newton(mu[real], z_real, guard=False, maxit=200)
            mr = mr.real + 1j * np.abs(mr.imag)
            outside = ~self._in_support(x[real])
            mr[outside] = mr[outside].real + 0j
            mu[real] = mr
        return np.where(lower, np.conj(mu), mu)

    def _in_support(self, x: np.ndarray) -> np.ndarray:
        inside = np.zeros(x.shape, dtype=bool)
        for a, b in self.support():
            inside |= (x > a) & (x < b)
        return inside

    # -- law interface -------------------------------------------------------------------------
    def pdf(self, x: Any) -> Any:
        """Density of the continuous part, ``Im mu(x + i0) / (pi c)`` on the support, else 0.

        At the hard edge ``x = 0`` (``c = 1``), where the density behaves like ``x^{-1/2}``,
        the value 0 is returned (the density is defined on ``x > 0``).
        """
        xs = _as_real_points("x", x)
        flat = xs.ravel()
        out = np.zeros(flat.shape)
        inside = self._in_support(flat) & (flat > 0)
        if np.any(inside):
            mu = self._companion(flat[inside] + 0j)
            out[inside] = np.maximum(mu.imag, 0.0) / (np.pi * self.ratio)
        return _return_like(out.reshape(xs.shape), x)

    def cdf(self, x: Any) -> Any:
        """Distribution function ``F(x)``, atom at 0 included, in closed form from ``mu(x + i0)``.

        With ``L(z) = int log(t - z) mu(dt)``, ``F(x) = -Im L(x + i0) / pi``, and ``L`` is the
        stationary value of ``sum_k w_k log(1 + t_k mu) - z mu / c - log(mu) / c -
        ((1 - c)/c) log(-z) - 1/c`` in ``mu`` (its ``mu``-derivative is the Silverstein equation
        divided by ``c``; the constant follows from ``z -> -infinity``). Taking imaginary parts,
        for ``x > 0``,

        ``F(x) = 1 - (1/pi) [sum_k w_k arg(1 + t_k mu) - x Im(mu) / c + arg(-conj mu) / c]``.

        Because the expression is stationary in ``mu``, an error ``d`` in ``mu`` changes ``F``
        by ``O(d^2)``: the result is accurate to rounding level (about ``1e-14 / c``) even at
        soft edges, where ``mu`` itself is only accurate to ~1e-8. In a gap ``mu`` is real and
        the formula returns the exact mass to the left, a sum of population weights (exact
        separation, Bai & Silverstein 1999). No quadrature is involved and the cost is that of
        ``mu`` at the requested points.
        """
        xs = _as_real_points("x", x)
        flat = xs.ravel()
        out = np.zeros(flat.shape)
        out[flat >= 0.0] = self.atom
        sup = self.support()
        lo, hi = sup[0][0], sup[-1][1]
        out[flat >= hi] = 1.0
        mid = (flat > 0.0) & (flat > lo) & (flat < hi)
        if np.any(mid):
            xm = flat[mid]
            mu = self._companion(xm + 0j)
            mr, mi = mu.real, np.abs(mu.imag)  # +0.0 imaginary part in the gaps: arguments in [0, pi]
            t, w, c = self.population_eigs, self.weights, self.ratio
            args = np.arctan2(mi[:, None] * t[None, :], 1.0 + mr[:, None] * t[None, :]) @ w
            val = 1.0 - (args - xm * mi / c + np.arctan2(mi, -mr) / c) / np.pi
            out[mid] = val
        out = np.clip(out, 0.0, 1.0).reshape(xs.shape)
        return _return_like(out, x)

    def stieltjes(self, z: Any) -> Any:
        """Stieltjes transform ``m(z) = (mu(z) + (1 - c)/z) / c`` of the whole law.

        ``m(x + i0)`` on the support (upper limit), ``conj(m(conj z))`` for ``Im z < 0``.
        At ``z = 0``: ``m(0) = E_H[1/t] / (1 - c)`` when ``c < 1``; when ``c >= 1`` the point
        is singular (atom or hard edge): a RuntimeWarning is emitted and ``inf`` returned.
        For ``0 < |z| << 1`` and ``c < 1`` the subtraction loses about ``eps / |z|`` relative
        accuracy.
        """
        zs = _as_complex_points("z", z)
        flat = zs.ravel()
        out = np.empty(flat.shape, dtype=complex)
        zero = flat == 0
        if np.any(zero):
            if self.ratio < 1.0:
                out[zero] = np.sum(self.weights / self.population_eigs) / (1.0 - self.ratio)
            else:
                _singular_warning("atom at 0" if self.ratio > 1.0 else "hard edge at 0")
                out[zero] = np.inf
        nz = ~zero
        if np.any(nz):
            mu = self._companion(flat[nz])
            m = (mu + (1.0 - self.ratio) / flat[nz]) / self.ratio
            real = flat[nz].imag == 0
            m[real] = m[real].real + 1j * np.maximum(m[real].imag, 0.0)
            out[nz] = m
        return _return_like(out.reshape(zs.shape), z)

    def support(self) -> list[tuple[float, float]]:
        """Support intervals of the continuous part (Silverstein-Choi), edges to ~1e-14."""
        if self._support is None:
            self._support = self._compute_support()
        return list(self._support)

    # -- support (Silverstein-Choi) --------------------------------------------------------------
    # In the variable u = 1/v the edge equation x'(v) = 0 reads h(u) = 1 with
    #   h(u) = c sum_k w_k t_k^2 / (u + t_k)^2,   x'(v) = u^2 (1 - h(u)),
    # and x(v) = u (-1 + c sum_k w_k t_k / (u + t_k)). h is a sum of convex functions: it is
    # convex between consecutive poles -t_{k+1} < u < -t_k (and infinite at both), so there it
    # has one minimum and h = 1 has zero or two roots, one on each side of the minimum (or a
    # double root: a gap of zero width); on (-inf, -t_max) it increases from 0 to inf and on
    # (-t_min, inf) it decreases from inf to 0 (one root each).
    _ROWS_PER_CHUNK = 1 << 21

    def _h_derivs(self, u: np.ndarray, order: int) -> list[np.ndarray]:
        """``h(u), h'(u), ..., h^{(order)}(u)`` (``order <= 2``), in chunks of rows."""
        t = self.population_eigs
        a = self.ratio * self.weights * t * t
        out = [np.empty(u.shape) for _ in range(order + 1)]
        step = max(1, self._ROWS_PER_CHUNK // t.size)
        for s in range(0, u.size, step):
            r = 1.0 / (u[s : s + step, None] + t[None, :])
            r2 = r * r
            out[0][s : s + step] = r2 @ a
            if order >= 1:
                r3 = r2 * r
                out[1][s : s + step] = -2.0 * (r3 @ a)
            if order >= 2:
                out[2][s : s + step] = 6.0 * ((r3 * r) @ a)
        return out

    def _x_of_u(self, u: np.ndarray) -> np.ndarray:
        """``x(v)`` at ``v = 1/u``: ``u (-1 + c sum_k w_k t_k / (u + t_k))``."""
        t = self.population_eigs
        b = self.ratio * self.weights * t
        return u * (-1.0 + (1.0 / (u[:, None] + t[None, :])) @ b)

    @staticmethod
    def _safe_newton(fun, lo: np.ndarray, hi: np.ndarray, x0: np.ndarray, lo_negative: np.ndarray,
                     rtol: float = 1e-10, maxit: int = 300) -> np.ndarray:
        """Zeros of monotone functions on brackets ``(lo, hi)``, all at once (rtsafe, vectorized).

        ``fun(x)`` returns ``(f, f')``; ``lo_negative`` says whether ``f < 0`` near ``lo``. A
        Newton step is taken when it stays inside the current bracket and at least halves the
        step before the previous one; otherwise the bracket is bisected. Iterations stop per
        bracket when the step is at the rounding level of ``x`` or the bracket is below ``rtol``
        times the initial one (or the smaller magnitude of its ends). (Edges are stationary values of ``x(u)``: an error ``d`` in
        the root moves an edge by ``O(d^2)``, so ``rtol = 1e-10`` gives edges to rounding level.)
        """
        lo, hi, x = lo.astype(float), hi.astype(float), x0.astype(float)
        dx_old = hi - lo
        # relative to the bracket and to the magnitude of its ends (an unbounded interval's
        # bracket can be much wider than the distance of its root to 0)
        floor = rtol * np.minimum(hi - lo, np.minimum(np.abs(lo), np.abs(hi)))
        active = np.arange(x.size)
        eps = np.finfo(float).eps
        for _ in range(maxit):
            if active.size == 0:
                break
            xa, la, ha = x[active], lo[active], hi[active]
            f, fp = fun(xa)
            below = (f < 0) == lo_negative[active]  # the zero lies to the right of xa
            la = np.where(below, xa, la)
            ha = np.where(below, ha, xa)
            with np.errstate(divide="ignore", invalid="ignore"):
                newton = xa - f / fp
            slow = np.abs(2.0 * f) > np.abs(dx_old[active] * fp)
            ok = np.isfinite(newton) & (newton > la) & (newton < ha) & ~slow
            new = np.where(ok, newton, 0.5 * (la + ha))
            new = np.where(f == 0, xa, new)
            tol = 4.0 * eps * np.maximum(np.abs(new), np.minimum(np.abs(la), np.abs(ha)))
            step = np.abs(new - xa)
            x[active], lo[active], hi[active], dx_old[active] = new, la, ha, step
            # a small step alone is no proof (Newton creeps near a pole): stop on a step at
            # rounding level or on a bracket below the requested width
            done = (step <= tol) | (ha - la <= np.maximum(tol, floor[active])) | (f == 0)
            active = active[~done]
        return x

    def _compute_support(self) -> list[tuple[float, float]]:
        t, w, c = self.population_eigs, self.weights, self.ratio
        a = c * w * t * t
        spread = np.sqrt(c * np.sum(w * t * t))  # h(u) < 1 once |u + t_k| > spread for all k
        gaps = []  # open x-intervals outside the support

        def g_fun(u):  # h^{-1/2} - 1: nearly linear near a pole, zero where h = 1
            h, dh = self._h_derivs(u, 1)
            return h ** -0.5 - 1.0, -0.5 * dh * h ** -1.5

        # upper edge: the root of h = 1 on (-inf, -t_max) (h increasing there)
        lo = np.array([-t[-1] - 2.0 * spread - 1e-300])
        hi = np.array([-t[-1]])
        ua = self._safe_newton(g_fun, lo, hi, 0.5 * (lo + hi), np.array([False]))
        # lower edge: the root on (-t_min, inf) (h decreasing; u = 0 is v = +-inf, h(0) = c)
        lo = np.array([-t[0]])
        hi = np.array([-t[0] + 2.0 * spread])
        ub = self._safe_newton(g_fun, lo, hi, 0.5 * (lo + hi), np.array([True]))
        upper = float(self._x_of_u(ua)[0])
        lower = 0.0 if c == 1.0 else float(self._x_of_u(ub)[0])
        gaps.append((-np.inf, lower))
        gaps.append((upper, np.inf))
        if t.size > 1:
            left, right = -t[1:], -t[:-1]  # interval k: (-t_{k+1}, -t_k)
            width = right - left
            a_l, a_r = np.cbrt(a[1:]), np.cbrt(a[:-1])
            # h >= a_{k+1}/(u + t_{k+1})^2 + a_k/(u + t_k)^2 >= (a_l + a_r)^3 / width^2
            cand = np.flatnonzero((a_l + a_r) ** 3 < width**2)
            if cand.size:
                lo, hi = left[cand], right[cand]
                x0 = lo + width[cand] * a_l[cand] / (a_l[cand] + a_r[cand])  # minimizer of the bound
                x0 = np.clip(x0, lo + 0.25 * width[cand], hi - 0.25 * width[cand])

                def dh_fun(u):
                    _, dh, d2h = self._h_derivs(u, 2)
                    return dh, d2h

                # only the sign of h(umin) - 1 matters (a point with h < 1 separates the roots)
                umin = self._safe_newton(dh_fun, lo, hi, x0, np.ones(cand.size, dtype=bool), rtol=1e-7)
                hmin = self._h_derivs(umin, 0)[0]
                gap = hmin < 1.0
                if np.any(gap):
                    lo, hi, um = lo[gap], hi[gap], umin[gap]
                    m = um.size
                    # left root on (lo, umin) where h decreases (g increases), right root on
                    # (umin, hi) where h increases (g decreases)
                    roots = self._safe_newton(
                        g_fun,
                        np.concatenate([lo, um]),
                        np.concatenate([um, hi]),
                        np.concatenate([0.5 * (lo + um), 0.5 * (um + hi)]),
                        np.concatenate([np.ones(m, dtype=bool), np.zeros(m, dtype=bool)]),
                    )
                    xs = self._x_of_u(roots)
                    # x decreases in u between the roots: the gap is (x(u_2), x(u_1))
                    gaps.extend(zip(xs[m:], xs[:m]))
        gaps.sort()
        support = []
        cursor = -np.inf
        for lo_x, hi_x in gaps:
            if lo_x > cursor:
                support.append((cursor, lo_x))
            cursor = max(cursor, hi_x)
        scale = max(abs(b) for _, b in support) if support else 1.0
        out = [(max(a_, 0.0), b) for a_, b in support if b - max(a_, 0.0) > 1e-13 * scale]
        return [(float(a_), float(b)) for a_, b in out]

    def mean(self) -> float:
        """``E_H[t]`` (the limit of ``(1/p) tr Chat``)."""
        return float(np.sum(self.weights * self.population_eigs))

    def var(self) -> float:
        """``E_H[t^2] + (c - 1) E_H[t]^2`` (from ``(1/p) tr Chat^2 -> E_H t^2 + c E_H[t]^2``)."""
        m1 = self.mean()
        m2 = float(np.sum(self.weights * self.population_eigs**2))
        return m2 + (self.ratio - 1.0) * m1**2

    def __repr__(self) -> str:  # pragma: no cover - cosmetic
        return (
            f"SampleCovarianceLaw({self.population_eigs.size} population eigenvalues, "
            f"ratio={self.ratio:g}, atom={self.atom:g})"
        )


def sample_covariance_law(population_eigs: Any, ratio: float, weights: Any = None) -> SampleCovarianceLaw:
    """Limiting spectral law of ``C^{1/2} Z Z^T C^{1/2} / n`` for a general population ``C``.

    Parameters
    ----------
    population_eigs
        Eigenvalues of ``C`` (all ``> 0``; zero eigenvalues are refused with a ValueError).
    ratio
        ``c = p / n > 0`` (``c = 1``: hard edge at 0; ``c > 1``: atom ``1 - 1/c`` at 0).
    weights
        Optional non-negative weights of the eigenvalues (normalized); uniform by default.

    Returns
    -------
    SampleCovarianceLaw
        With ``pdf``, ``atom``, ``support``, ``stieltjes``, ``companion_stieltjes``, ``cdf``,
        ``mean``, ``var``, ``moment``, ``sample``.

    Examples
    --------
    >>> law = sample_covariance_law([1.0, 3.0, 7.0], ratio=0.1)
    >>> round(law.stieltjes(-1.0).real, 7)
    0.3049484

    References
    ----------
    Silverstein & Bai (1995); Silverstein & Choi (1995); Couillet & Liao (2022), Thm 2.6.
    Chapters 2 and 3.
    """
    return SampleCovarianceLaw(population_eigs, ratio, weights)


# ------------------------------------------------------------------------------------------------
# Marchenko-Pastur (closed forms)
# ------------------------------------------------------------------------------------------------
class MarchenkoPasturLaw(SampleCovarianceLaw):
    """Marchenko-Pastur law: spectrum of ``X X^T / n`` for ``X`` with i.i.d. entries of variance ``var``.

    Edges ``E_pm = var (1 pm sqrt c)^2``; density ``sqrt((E_+ - x)(x - E_-)) / (2 pi var c x)``
    on ``[E_-, E_+]``; atom ``1 - 1/c`` at 0 when ``c > 1``; the Stieltjes transform solves
    ``var c z m^2 - (var (1 - c) - z) m + 1 = 0``, with the root
    ``m = (var (1 - c) - z + sqrt(z - E_+) sqrt(z - E_-)) / (2 var c z)`` (analytic off the
    support, ``~ -1/z`` at infinity), evaluated in the cancellation-free form ``2 / (A - s)``
    where appropriate.

    At ``c = 1`` the density behaves like ``x^{-1/2}`` at the hard edge 0; ``pdf(0)`` returns 0.

    Parameters
    ----------
    ratio
        ``c = p / n > 0``.
    var
        Population variance ``> 0``.

    References
    ----------
    Marchenko & Pastur (1967); Couillet & Liao (2022), Thm 2.4. Chapters 2 and 3.
    """

    def __init__(self, ratio: float, var: float = 1.0) -> None:
        self.variance = check_positive("var", var)
        super().__init__([self.variance], ratio)
        c = self.ratio
        self.lower_edge = self.variance * (1.0 - np.sqrt(c)) ** 2
        self.upper_edge = self.variance * (1.0 + np.sqrt(c)) ** 2
        if c == 1.0:
            self.lower_edge = 0.0
        self._support = [(float(self.lower_edge), float(self.upper_edge))]

    def pdf(self, x: Any) -> Any:
        """Closed-form density; 0 off ``(E_-, E_+)`` and at ``x = 0``."""
        xs = _as_real_points("x", x)
        lo, hi = self.lower_edge, self.upper_edge
        inside = (xs > lo) & (xs < hi) & (xs > 0)
        safe = np.where(inside, xs, 1.0)
        val = np.sqrt(np.clip((hi - safe) * (safe - lo), 0.0, None))
        out = np.where(inside, val / (2.0 * np.pi * self.variance * self.ratio * safe), 0.0)
        return _return_like(out, x)

    def stieltjes(self, z: Any) -> Any:
        """Closed-form Stieltjes transform (``m(x + i0)`` on the support; see the class)."""
        zs = _as_complex_points("z", z)
        flat = zs.ravel()
        out = np.empty(flat.shape, dtype=complex)
        zero = flat == 0
        if np.any(zero):
            if self.ratio < 1.0:
                out[zero] = 1.0 / (self.variance * (1.0 - self.ratio))
            else:
                _singular_warning("atom at 0" if self.ratio > 1.0 else "hard edge at 0")
                out[zero] = np.inf
        nz = ~zero
        if np.any(nz):
            zn = flat[nz]
            lower = zn.imag < 0
            zu = zn.real + 1j * np.abs(zn.imag)
            v, c = self.variance, self.ratio
            a_term = v * (1.0 - c) - zu
            s = np.sqrt(zu - self.upper_edge) * np.sqrt(zu - self.lower_edge)
            plus, minus = a_term + s, a_term - s
            use_minus = np.abs(minus) >= np.abs(plus)
            m = np.empty(zu.shape, dtype=complex)
            m[use_minus] = 2.0 / minus[use_minus]
            other = ~use_minus
            # plus / (2 v c z): the division by z last, by its real part on the real axis (a
            # complex division by a subnormal z would turn an overflow into nan)
            num = plus[other] / (2.0 * v * c)
            den = zu[other]
            on_axis = den.imag == 0
            quot = np.empty(num.shape, dtype=complex)
            with np.errstate(over="ignore"):
                r = den.real[on_axis]
                quot[on_axis] = num.real[on_axis] / r + 1j * (num.imag[on_axis] / r)
                quot[~on_axis] = num[~on_axis] / den[~on_axis]
            if not np.all(np.isfinite(quot)):
                # |z| below ~1e-308 with c > 1: |m| ~ (1 - 1/c) / |z| exceeds the double range
                _singular_warning("atom at 0, |z| too small for the double range")
                quot = np.where(np.isfinite(quot), quot, -np.inf + 0j)
            m[other] = quot
            out[nz] = np.where(lower, np.conj(m), m)
        return _return_like(out.reshape(zs.shape), z)

    def _companion(self, z: np.ndarray) -> np.ndarray:
        c = self.ratio
        zero = z == 0
        out = np.empty(z.shape, dtype=complex)
        if np.any(zero):  # only reached for c > 1, where mu(0) is finite: generic solver
            out[zero] = super()._companion(z[zero])
        if np.any(~zero):
            zn = z[~zero]
            out[~zero] = c * self.stieltjes(zn) - ((1.0 - c) / zn if c != 1.0 else 0.0)
        return out

    def __repr__(self) -> str:  # pragma: no cover - cosmetic
        return f"MarchenkoPasturLaw(ratio={self.ratio:g}, var={self.variance:g})"


def marchenko_pastur(ratio: float, var: float = 1.0) -> MarchenkoPasturLaw:
    """Marchenko-Pastur law of ratio ``c = p / n`` and population variance ``var``.

    The limiting spectral law of ``X X^T / n`` for a ``p x n`` matrix ``X`` with i.i.d.
    centered entries of variance ``var``: support ``[var (1 - sqrt c)^2, var (1 + sqrt c)^2]``,
    atom ``max(0, 1 - 1/c)`` at 0.

    Parameters
    ----------
    ratio
        ``c > 0``.
    var
        Population variance ``> 0``.

    Returns
    -------
    MarchenkoPasturLaw

    Examples
    --------
    >>> round(marchenko_pastur(0.5).stieltjes(-1.0).real, 7)
    0.5615528

    References
    ----------
    Marchenko & Pastur (1967); Couillet & Liao (2022), Thm 2.4. Chapters 2 and 3.
    """
    return MarchenkoPasturLaw(ratio, var)
