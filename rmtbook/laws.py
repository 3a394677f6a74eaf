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
``ppf(q)``
    quantile function (inverse of ``cdf``; the atom's quantiles are 0);
``mean()``, ``var()``, ``std()``, ``moment(k)``, ``sample(size, *, rng)``
    moments and exact sampling of i.i.d. draws from the law (inverse transform).

The names are those of :mod:`scipy.stats` distributions.

The general sample-covariance law is a thin layer over the package's one solver of the
Silverstein equation (:mod:`rmtbook._silverstein`: support, verified roots on and off the real
axis, scale-free), with the distribution function in closed form from ``mu(x + i0)`` (a
log-potential that is stationary in ``mu``, so it is accurate to rounding level even at the
edges). Moments, quantiles and sampling use the adaptive piecewise Chebyshev model of the
density of :mod:`rmtbook._density_model`.

Used by :doc:`/chapters/02_resolvents` and :doc:`/chapters/03_marchenko_pastur`, and by every
later chapter that draws a spectrum.

References
----------
:cite:p:`wigner1955characteristic`; :cite:p:`marchenko1967distribution`;
:cite:p:`silverstein1995empirical`; :cite:p:`silverstein1995analysis`; :cite:p:`bai1999exact`;
:cite:p:`dobriban2015efficient`; :cite:p:`couillet2022rmt`, Thms 2.4-2.6.
"""

from __future__ import annotations

import warnings

import numpy as np

from . import _density_model as _dm
from ._quantile_atoms import DEFAULT_ATOMS, is_law, quantile_atoms
from ._rng import RngLike, as_generator
from ._silverstein import Silverstein, make_population
from ._typing import ArrayLike
from ._validation import check_array, check_int, check_positive

__all__ = [
    "SpectralLaw",
    "SemicircleLaw",
    "SampleCovarianceLaw",
    "MarchenkoPasturLaw",
    "semicircle",
    "marchenko_pastur",
    "sample_covariance_law",
]


def _as_real_points(name: str, x: ArrayLike) -> np.ndarray:
    """Validate finite real evaluation points (any shape, scalars included)."""
    return check_array(name, x, min_size=0)


def _as_complex_points(name: str, z: ArrayLike) -> np.ndarray:
    """Validate finite complex evaluation points (any shape, scalars included)."""
    return check_array(name, z, allow_complex=True, min_size=0).astype(complex)


def _return_like(values: np.ndarray, original: ArrayLike):
    """Return a scalar for scalar input, else the array."""
    if np.ndim(original) == 0:
        return values.reshape(()).item() if isinstance(values, np.ndarray) else values
    return values


class SpectralLaw:
    """Base class of the spectral laws of :mod:`rmtbook.laws`.

    A subclass implements ``pdf``, ``stieltjes``, ``support``, sets ``atom`` (mass at 0) and
    may override the generic numerical :meth:`cdf`, :meth:`moment`, :meth:`ppf` and
    :meth:`sample`, which use the adaptive piecewise Chebyshev model of the density of
    :mod:`rmtbook._density_model` (geometric convergence in the angle variable of each support
    interval, pieces halved where needed, a budget on the refinement).

    References
    ----------
    Used in :doc:`/chapters/02_resolvents`.
    """

    atom: float = 0.0

    # -- to implement --------------------------------------------------------------------------
    def pdf(self, x: ArrayLike):  # pragma: no cover - abstract
        raise NotImplementedError

    def stieltjes(self, z: ArrayLike):  # pragma: no cover - abstract
        raise NotImplementedError

    def support(self) -> list[tuple[float, float]]:  # pragma: no cover - abstract
        raise NotImplementedError

    # -- model of the continuous part ----------------------------------------------------------
    def _model(self) -> _dm.DensityModel:
        cached = getattr(self, "_model_cache", None)
        if cached is None:
            cached = _dm.build(lambda x: np.asarray(self.pdf(x), dtype=float), np.array(self.support()))
            self._model_cache = cached
        return cached

    def continuous_mass(self) -> float:
        """Numerically integrated mass of the continuous part (``1 - atom`` up to ~1e-12)."""
        return float(self._model().masses.sum())

    def cdf(self, x: ArrayLike):
        """Distribution function ``F(x) = mu((-inf, x])``, atom at 0 included (vectorized).

        The continuous part is integrated on each support interval from the piecewise Chebyshev
        model of the density (accuracy about 1e-12); the result is clipped to ``[0, 1]``.
        :class:`SampleCovarianceLaw` and :class:`SemicircleLaw` override it with closed forms.
        """
        xs = _as_real_points("x", x)
        flat = xs.ravel()
        out = _dm.continuous_cdf(flat, self._model()) + self.atom * (flat >= 0.0)
        return _return_like(np.clip(out, 0.0, 1.0).reshape(xs.shape), x)

    def ppf(self, q: ArrayLike):
        """Quantile function ``inf {x : F(x) >= q}`` for ``q`` in ``[0, 1]`` (vectorized).

        ``ppf(0)`` and ``ppf(1)`` are the ends of the support (0 included when there is an
        atom); quantiles falling in the atom are 0. From the density model (about 1e-12).
        """
        qs = check_array("q", q, min_size=0, low=0.0, high=1.0)
        flat = qs.ravel()
        model = self._model()
        below0 = float(_dm.continuous_cdf(np.zeros(1), model)[0])  # continuous mass below 0
        scale = (1.0 - self.atom) / max(float(model.masses.sum()), 1e-300)  # mass normalization
        out = np.zeros(flat.shape)
        cont_lo = flat <= below0 * scale
        cont_hi = flat > below0 * scale + self.atom
        if np.any(cont_lo):
            out[cont_lo] = _dm.quantile(flat[cont_lo] / scale, model)
        if np.any(cont_hi):
            out[cont_hi] = _dm.quantile((flat[cont_hi] - self.atom) / scale, model)
        if self.atom > 0:
            out[~cont_lo & ~cont_hi] = 0.0
        return _return_like(out.reshape(qs.shape), q)

    def moment(self, k: int) -> float:
        """``k``-th moment ``int x^k mu(dx)`` (atom included), by Gauss-Legendre quadrature."""
        k = check_int("k", k, low=0, high=64)
        return float(self.atom * (1.0 if k == 0 else 0.0) + _dm.moment(self._model(), k))

    def mean(self) -> float:
        """Mean of the law."""
        return self.moment(1)

    def var(self) -> float:
        """Variance of the law."""
        return self.moment(2) - self.mean() ** 2

    def std(self) -> float:
        """Standard deviation of the law."""
        return float(np.sqrt(max(self.var(), 0.0)))

    def sample(self, size: int, *, rng: RngLike = None) -> np.ndarray:
        """Draw ``size`` i.i.d. values from the law (atom included) by inverse transform.

        Parameters
        ----------
        size : int
            Number of draws.
        rng : None, int or numpy.random.Generator
            Source of randomness (keyword only).

        Returns
        -------
        numpy.ndarray
            Shape ``(size,)``.
        """
        size = check_int("size", size, low=0)
        gen = as_generator(rng)
        u = gen.random(size)
        return np.asarray(self.ppf(u), dtype=float).reshape(size)

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
    :cite:p:`wigner1955characteristic`; :cite:p:`anderson2010introduction`, Ch. 2.
    Used in :doc:`/chapters/02_resolvents`.
    """

    def __init__(self, var: float = 1.0) -> None:
        self.variance = check_positive("var", var)
        self.radius = 2.0 * np.sqrt(self.variance)
        self.atom = 0.0

    def support(self) -> list[tuple[float, float]]:
        """The single interval ``[-2 sqrt(var), 2 sqrt(var)]``."""
        return [(-self.radius, self.radius)]

    def pdf(self, x: ArrayLike):
        """Density ``sqrt(4 var - x^2) / (2 pi var)`` on the support, 0 elsewhere."""
        xs = _as_real_points("x", x)
        out = np.sqrt(np.clip(self.radius**2 - xs**2, 0.0, None)) / (2.0 * np.pi * self.variance)
        return _return_like(out, x)

    def stieltjes(self, z: ArrayLike):
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

    def cdf(self, x: ArrayLike):
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
    :cite:p:`wigner1955characteristic`; :cite:p:`anderson2010introduction`.
    Used in :doc:`/chapters/02_resolvents`.

    Examples
    --------
    >>> law = semicircle(2.0)
    >>> law.support(), round(law.var(), 12), round(law.cdf(0.0), 12)
    ([(-2.8284271247461903, 2.8284271247461903)], 2.0, 0.5)
    """
    return SemicircleLaw(var)


# ------------------------------------------------------------------------------------------------
# General sample covariance (Silverstein equation)
# ------------------------------------------------------------------------------------------------
class SampleCovarianceLaw(SpectralLaw):
    """Limiting spectral law of ``Chat = C^{1/2} Z Z^T C^{1/2} / n`` (``Z`` is ``p x n``).

    With ``c = p / n`` and the population spectral measure ``H = sum_k w_k delta_{t_k}``, the
    companion transform ``mu(z)`` (Stieltjes transform of the spectrum of ``X^T X / n``) is the
    unique solution in the upper half-plane of

    ``z = -1/mu + c sum_k w_k t_k / (1 + t_k mu)``,

    and ``m(z) = (mu(z) + (1 - c)/z) / c``. The density at ``x > 0`` is
    ``Im mu(x + i0) / (pi c)``; the law has an atom at 0 of mass
    ``w_0 + (1 - w_0) max(0, 1 - 1/(c (1 - w_0)))``, ``w_0`` being the weight of zero
    population eigenvalues (their directions carry no variance).

    Numerics: the equation is solved by :mod:`rmtbook._silverstein`, the package's one solver
    (in the effective parameter ``u = -1/mu``; scale-free; verified roots; a monotone Newton
    method off the support, continuation in ``Im z`` and warm starts on it). The Stieltjes
    transform is computed as ``m = -w_0/z + (1 - w_0)(u/z) sum_k w'_k/(t_k - u)``, free of the
    cancellation of ``(mu + (1 - c)/z)/c`` at small ``|z|`` or large ``c``.

    A *law object* as population (anything with ``ppf``, ``support()`` and ``atom``, e.g. a law
    of this module, supported in ``[0, inf)``) gives Marchenko-Pastur's free multiplicative
    convolution with that law: it is replaced by its atom at 0 and ``K = 2000`` equal atoms at
    its midpoint quantiles ``F^{-1}(w_0 + (1 - w_0)(k - 1/2)/K)`` (:mod:`rmtbook._quantile_atoms`;
    midpoint-rule error ``O(K^{-5/3})`` or better: the Stieltjes transform is within about
    ``1e-6`` of the limit ``K -> infinity`` off the support and ``1e-5`` on the bulk, tested).

    Parameters
    ----------
    population_eigs : array_like or law
        Eigenvalues ``t_k >= 0`` of the population covariance ``C`` (not all 0; repeated
        values are merged and their weights added), or a law object on ``[0, inf)``.
    ratio : float
        ``c = p / n > 0``.
    weights : array_like, optional
        Weights ``w_k >= 0`` of the eigenvalues (normalized to sum 1); uniform by default.
        ``None`` when ``population_eigs`` is a law.

    Attributes
    ----------
    population_eigs, weights
        The atoms actually used (the quantile atoms for a law population).
    population_law
        The law given as population, or ``None``.

    References
    ----------
    :cite:p:`silverstein1995empirical`; :cite:p:`silverstein1995analysis`;
    :cite:p:`couillet2022rmt`, Thm 2.6. Used in :doc:`/chapters/02_resolvents` and
    :doc:`/chapters/03_marchenko_pastur`.
    """

    def __init__(self, population_eigs: ArrayLike, ratio: float, weights: ArrayLike | None = None) -> None:
        #: the population law when one was given (``None`` for atoms)
        self.population_law = None
        if is_law(population_eigs):
            if weights is not None:
                raise ValueError("weights must be None when population_eigs is a law object "
                                 "(its own masses are used)")
            self.population_law = population_eigs
            population_eigs, weights = quantile_atoms(population_eigs, DEFAULT_ATOMS)
        pop = make_population(population_eigs, ratio, weights)
        self._solver = Silverstein(pop)
        self.population_eigs = pop.eigs
        self.weights = pop.weights
        self.ratio = pop.ratio
        self._w0 = pop.zero_weight
        self.atom = self._w0 + (1.0 - self._w0) * max(0.0, 1.0 - 1.0 / pop.c)
        self._support: list[tuple[float, float]] | None = None

    # -- companion transform -------------------------------------------------------------------
    def companion_stieltjes(self, z: ArrayLike):
        """Companion Stieltjes transform ``mu(z)`` (spectrum of ``X^T X / n``), vectorized.

        Complex output. For real ``z`` the limit ``mu(x + i0)`` is returned (real off the
        support); for ``Im z < 0`` the value ``conj(mu(conj z))``. ``z = 0`` is refused when
        ``c (1 - w_0) <= 1`` (``mu`` has a pole there) and allowed otherwise.
        """
        zs = _as_complex_points("z", z)
        flat = zs.ravel()
        if self._solver.pop.c <= 1.0 and np.any(flat == 0):
            raise ValueError("z must be nonzero: the companion transform has a pole at 0 when ratio <= 1")
        out = self._companion(flat).reshape(zs.shape)
        return _return_like(out, z)

    def _companion(self, z: np.ndarray) -> np.ndarray:
        return -1.0 / self._solver.u(z)

    def _in_support(self, x: np.ndarray) -> np.ndarray:
        return self._solver.in_support(x)

    # -- law interface -------------------------------------------------------------------------
    def pdf(self, x: ArrayLike):
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

    def cdf(self, x: ArrayLike):
        """Distribution function ``F(x)``, atom at 0 included, in closed form from ``mu(x + i0)``.

        With ``L(z) = int log(t - z) mu(dt)``, ``F(x) = -Im L(x + i0) / pi``, and ``L`` is the
        stationary value of ``sum_k w_k log(1 + t_k mu) - z mu / c - log(mu) / c -
        ((1 - c)/c) log(-z) - 1/c`` in ``mu`` (its ``mu``-derivative is the Silverstein equation
        divided by ``c``; the constant follows from ``z -> -infinity``). Taking imaginary parts,
        for ``x > 0`` and positive population eigenvalues,

        ``F(x) = 1 - (1/pi) [sum_k w_k arg(1 + t_k mu) - x Im(mu) / c + arg(-conj mu) / c]``.

        Because the expression is stationary in ``mu``, an error ``d`` in ``mu`` changes ``F``
        by ``O(d^2)``: the result is accurate to rounding level even at soft edges. In a gap
        ``mu`` is real and the formula returns the exact mass to the left, a sum of population
        weights (exact separation, Bai & Silverstein 1999). Zero population eigenvalues add
        their weight ``w_0`` at 0 and scale the rest by ``1 - w_0``. The result is clipped to
        ``[0, 1]`` and made non-decreasing along sorted points is not needed: it is exact.
        """
        xs = _as_real_points("x", x)
        flat = xs.ravel()
        pop = self._solver.pop
        w0, c = pop.zero_weight, pop.c
        atom_pos = max(0.0, 1.0 - 1.0 / c)  # atom of the positive part's law
        out = np.zeros(flat.shape)
        out[flat >= 0.0] = atom_pos
        sup = self.support()
        lo, hi = sup[0][0], sup[-1][1]
        out[flat >= hi] = 1.0
        mid = (flat > 0.0) & (flat > lo) & (flat < hi)
        if np.any(mid):
            xm = flat[mid] / pop.scale  # scaled units: t in (0, 1]
            u = self._solver.u(flat[mid] + 0j) / pop.scale
            mu = -1.0 / u
            mr, mi = mu.real, np.abs(mu.imag)  # +0.0 imaginary part in the gaps: arguments in [0, pi]
            t, w = pop.t, pop.w
            args = np.arctan2(mi[:, None] * t[None, :], 1.0 + mr[:, None] * t[None, :]) @ w
            out[mid] = 1.0 - (args - xm * mi / c + np.arctan2(mi, -mr) / c) / np.pi
        out = w0 * (flat >= 0.0) + (1.0 - w0) * out
        return _return_like(np.clip(out, 0.0, 1.0).reshape(xs.shape), x)

    def stieltjes(self, z: ArrayLike):
        """Stieltjes transform ``m(z) = int (t - z)^{-1} mu(dt)`` of the whole law (complex).

        ``m(x + i0)`` on the support (upper limit), ``conj(m(conj z))`` for ``Im z < 0``. At
        ``z = 0``: ``m(0) = E_H[1/t] / (1 - c)`` when ``c < 1`` and no population eigenvalue is
        0; otherwise the point is singular (atom or hard edge): a RuntimeWarning is emitted and
        ``inf`` returned. Computed as ``(u/z) sum_k w_k / (t_k - u)`` (plus ``-w_0/z``), which
        keeps full relative accuracy at small ``|z|`` and large ratios.
        """
        zs = _as_complex_points("z", z)
        out = self._solver.stieltjes(zs)
        if np.any(np.isinf(out[zs == 0])):
            _singular_warning("atom at 0" if self.atom > 0 else "hard edge at 0")
        return _return_like(out, z)

    def support(self) -> list[tuple[float, float]]:
        """Support intervals of the continuous part (Silverstein-Choi), edges to ~1e-14."""
        if self._support is None:
            self._support = self._solver.support()
        return list(self._support)

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


def sample_covariance_law(
    population_eigs: ArrayLike, ratio: float, weights: ArrayLike | None = None
) -> SampleCovarianceLaw:
    """Limiting spectral law of ``C^{1/2} Z Z^T C^{1/2} / n`` for a general population ``C``.

    Parameters
    ----------
    population_eigs : array_like or law
        Eigenvalues of ``C`` (``>= 0``, not all 0; zero eigenvalues add to the atom at 0), or
        a law object on ``[0, inf)`` (``ppf``, ``support()``, ``atom``): the result is then the
        free multiplicative convolution of Marchenko-Pastur (ratio ``c``) with that law,
        computed from ``2000`` quantile atoms (see :class:`SampleCovarianceLaw`).
    ratio : float
        ``c = p / n > 0`` (``c = 1``: hard edge at 0; ``c > 1``: atom ``1 - 1/c`` at 0).
    weights : array_like, optional
        Non-negative weights of the eigenvalues (normalized); uniform by default.

    Returns
    -------
    SampleCovarianceLaw
        With ``pdf``, ``atom``, ``support``, ``stieltjes``, ``companion_stieltjes``, ``cdf``,
        ``ppf``, ``mean``, ``var``, ``std``, ``moment``, ``sample``.

    Examples
    --------
    >>> law = sample_covariance_law([1.0, 3.0, 7.0], ratio=0.1)
    >>> round(law.stieltjes(-1.0).real, 7)
    0.3049484

    A law as population: Marchenko-Pastur with a Marchenko-Pastur population (mean 1, variance
    ``c + c'``):

    >>> law = sample_covariance_law(marchenko_pastur(0.5), ratio=0.25)
    >>> round(law.mean(), 6), round(law.var(), 4)
    (1.0, 0.75)

    References
    ----------
    :cite:p:`silverstein1995empirical`; :cite:p:`silverstein1995analysis`;
    :cite:p:`couillet2022rmt`, Thm 2.6; :cite:p:`fan2020spectra` for its iteration through the
    layers of a network. Used in :doc:`/chapters/02_resolvents`,
    :doc:`/chapters/03_marchenko_pastur` and :doc:`/chapters/09b_proportional_width`.
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
    :cite:p:`marchenko1967distribution`; :cite:p:`couillet2022rmt`, Thm 2.4. Used in
    :doc:`/chapters/02_resolvents` and :doc:`/chapters/03_marchenko_pastur`.
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

    def pdf(self, x: ArrayLike):
        """Closed-form density; 0 off ``(E_-, E_+)`` and at ``x = 0``."""
        xs = _as_real_points("x", x)
        lo, hi = self.lower_edge, self.upper_edge
        inside = (xs > lo) & (xs < hi) & (xs > 0)
        safe = np.where(inside, xs, 1.0)
        val = np.sqrt(np.clip((hi - safe) * (safe - lo), 0.0, None))
        out = np.where(inside, val / (2.0 * np.pi * self.variance * self.ratio * safe), 0.0)
        return _return_like(out, x)

    def stieltjes(self, z: ArrayLike):
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
    :cite:p:`marchenko1967distribution`; :cite:p:`couillet2022rmt`, Thm 2.4. Used in
    :doc:`/chapters/02_resolvents` and :doc:`/chapters/03_marchenko_pastur`.
    """
    return MarchenkoPasturLaw(ratio, var)
