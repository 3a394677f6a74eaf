"""Measuring how well the book's predictions hold at finite size and beyond their assumptions.

Chapter 11 (:doc:`/chapters/11_finite_n`) asks how large ``n`` must be for the deterministic
equivalents of Parts I-IV to be accurate, and what breaks when the data are not Gaussian. This
module holds the small reusable tools of that chapter:

* :func:`fit_power_law` fits ``error ~ constant * n**slope`` on a log-log scale, with a standard
  error of the slope, and :meth:`PowerLawFit.required_size` inverts the fit ("how large must
  ``n`` be for 5% accuracy");
* :func:`root_mean_square` summarizes the errors of several independent draws per size by their
  root mean square and the standard error of its logarithm (the weights of the fit);
* :func:`standardized_entries` draws i.i.d. entries of mean 0 and variance 1 from light-tailed
  (Gaussian, Rademacher, uniform) or heavy-tailed (Student-t) laws, and
  :func:`entry_fourth_moment` gives their fourth moment, which controls the ``1/n`` corrections
  and the fate of the largest eigenvalue;
* :func:`ks_distance` is the Kolmogorov-Smirnov distance between an empirical spectrum and a
  spectral law of :mod:`rmtbook.laws`.

Layer 4 of the package (with ``linear``, ``shallow``, ``deep``): it imports only the bottom
layer.

References
----------
:cite:p:`bai2010spectral`, *Spectral Analysis of Large Dimensional Random Matrices*
:cite:p:`bai2010spectral,couillet2022rmt` :cite:p:`couillet2022rmt`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, Union

import numpy as np

from ._results import TupleLike
from ._rng import as_generator
from ._typing import ArrayLike, RealArray, RngLike, ScalarOrArray
from ._validation import check_array, check_choice, check_int, check_scalar

__all__ = [
    "ENTRY_DISTRIBUTIONS",
    "PowerLawFit",
    "fit_power_law",
    "root_mean_square",
    "RootMeanSquare",
    "standardized_entries",
    "entry_fourth_moment",
    "ks_distance",
]

#: Names accepted by :func:`standardized_entries` and :func:`entry_fourth_moment`.
ENTRY_DISTRIBUTIONS: tuple[str, ...] = ("gaussian", "rademacher", "uniform", "student-t")


class HasCdf(Protocol):
    """Anything with a vectorized ``cdf`` (every law of :mod:`rmtbook.laws`)."""

    def cdf(self, x: ArrayLike) -> ScalarOrArray: ...  # pragma: no cover - protocol


# ---------------------------------------------------------------------------------------------
# Power-law fits
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PowerLawFit:
    """Least-squares fit of ``log error = log constant + slope * log n``.

    Attributes
    ----------
    slope
        Fitted exponent (``-1/2`` for fluctuations of bilinear forms, ``-1`` for normalized
        traces and for the bias of averaged statistics).
    slope_se
        Standard error of the slope.
    constant
        Prefactor: ``error ~ constant * n**slope``.
    log_constant_se
        Standard error of ``log(constant)``.
    num_points
        Number of sizes in the fit.
    """

    slope: float
    slope_se: float
    constant: float
    log_constant_se: float
    num_points: int

    def predict(self, sizes: ArrayLike) -> ScalarOrArray:
        """The fitted error ``constant * sizes**slope`` (float for a scalar input)."""
        n = check_array("sizes", sizes, low=0.0, low_open=True)
        out = self.constant * n**self.slope
        return float(out) if out.ndim == 0 else out

    def required_size(self, accuracy: ArrayLike) -> ScalarOrArray:
        """Size ``n`` at which the fitted error equals ``accuracy``: ``(accuracy / constant)**(1/slope)``.

        Parameters
        ----------
        accuracy
            Target error (``> 0``), e.g. ``0.05`` for 5% when the errors are relative.

        Returns
        -------
        float or numpy.ndarray
            The (real-valued) size; ``inf`` when the fitted error does not decrease
            (``slope >= 0``) and the target is below the current error.

        Notes
        -----
        This extrapolates the power law beyond the fitted sizes; it is meaningful only as far
        as the fitted order holds (no plateau from a non-vanishing error).
        """
        acc = check_array("accuracy", accuracy, low=0.0, low_open=True)
        if self.slope >= 0:
            out = np.full(acc.shape, np.inf)
        else:
            out = (acc / self.constant) ** (1.0 / self.slope)
        return float(out) if out.ndim == 0 else out


def fit_power_law(sizes: ArrayLike, errors: ArrayLike, log_se: ArrayLike | None = None) -> PowerLawFit:
    """Fit ``errors ~ constant * sizes**slope`` by least squares on a log-log scale.

    Without ``log_se``, ordinary least squares; the standard errors come from the residual
    variance (``num_points - 2`` degrees of freedom, so at least three sizes are needed). With
    ``log_se`` (standard errors of ``log(errors)``, e.g. from :func:`root_mean_square`),
    weighted least squares with weights ``1 / log_se**2``; the standard errors then come from
    these known variances (at least two sizes).

    Parameters
    ----------
    sizes
        Positive sizes ``n`` (at least two distinct values).
    errors
        Positive errors, one per size.
    log_se
        Optional positive standard errors of ``log(errors)``.

    Returns
    -------
    PowerLawFit

    Raises
    ------
    ValueError
        For non-positive sizes or errors, mismatched lengths, fewer than the required points,
        or all sizes equal.

    References
    ----------
    Used in :doc:`/chapters/11_finite_n` for the measured orders of the
    finite-size corrections; the expected orders are those of :cite:p:`couillet2022rmt`, Ch. 2.

    Examples
    --------
    >>> import numpy as np
    >>> from rmtbook import fit_power_law
    >>> sizes = np.array([100, 200, 400, 800])
    >>> fit = fit_power_law(sizes, 3.0 / np.sqrt(sizes) * np.array([1.01, 0.99, 1.0, 1.02]))
    >>> round(fit.slope, 2), round(fit.constant, 1)
    (-0.49, 2.9)
    >>> round(float(fit.required_size(0.05)))  # n for a 5% error
    3745
    """
    n = check_array("sizes", sizes, ndim=1, low=0.0, low_open=True)
    e = check_array("errors", errors, ndim=1, low=0.0, low_open=True)
    if e.size != n.size:
        raise ValueError(f"errors must have one entry per entry of sizes ({n.size}), got {e.size}")
    x, y = np.log(n), np.log(e)
    if log_se is None:
        if n.size < 3:
            raise ValueError(f"sizes must have at least 3 entries for an unweighted fit, got {n.size}")
        w = np.ones(n.size)
    else:
        s = check_array("log_se", log_se, ndim=1, low=0.0, low_open=True)
        if s.size != n.size:
            raise ValueError(f"log_se must have one entry per entry of sizes ({n.size}), got {s.size}")
        if n.size < 2:
            raise ValueError(f"sizes must have at least 2 entries, got {n.size}")
        # weights relative to the smallest standard error: 1 / s^2 over- or underflowed for
        # log_se near 1e-+300 (nan slope); the variances are scaled back by s_min^2 below
        s_min = float(s.min())
        w = (s_min / s) ** 2
    xbar = np.sum(w * x) / np.sum(w)
    ybar = np.sum(w * y) / np.sum(w)
    sxx = np.sum(w * (x - xbar) ** 2)
    # log sizes closer than ~1e-8 (relative) leave a slope made of rounding noise (a fit on
    # nearly equal sizes returned 5e11): refuse instead
    spread = np.sqrt(sxx / np.sum(w))
    if spread <= 1e-8 * max(1.0, abs(float(xbar))):
        raise ValueError(
            f"sizes must span a resolvable range: their logarithms differ by about {spread:.1e}, "
            "too little to fit a slope (all sizes (nearly) equal)"
        )
    slope = np.sum(w * (x - xbar) * (y - ybar)) / sxx
    intercept = ybar - slope * xbar
    if log_se is None:
        resid = y - intercept - slope * x
        sigma2 = np.sum(resid**2) / (n.size - 2)
        var_slope = sigma2 / sxx
        var_icpt = sigma2 * (1.0 / n.size + xbar**2 / sxx)
    else:
        var_slope = 1.0 / sxx  # in units of s_min^2
        var_icpt = 1.0 / np.sum(w) + xbar**2 / sxx
    unit = 1.0 if log_se is None else s_min  # standard errors scale with s_min (weighted fit)
    return PowerLawFit(
        slope=float(slope),
        slope_se=float(np.sqrt(var_slope) * unit),
        constant=float(np.exp(intercept)),
        log_constant_se=float(np.sqrt(var_icpt) * unit),
        num_points=int(n.size),
    )


@dataclass(frozen=True)
class RootMeanSquare(TupleLike):
    """Root mean square of independent draws and the standard error of its logarithm.

    Unpacks and indexes like the former tuple: ``rms, log_se = root_mean_square(errors)``.

    Attributes
    ----------
    rms : float or numpy.ndarray
        ``sqrt(mean(e**2))`` over the draws.
    log_se : float or numpy.ndarray
        Standard error of ``log(rms)`` (the weights :func:`fit_power_law` expects).
    """

    rms: ScalarOrArray
    log_se: ScalarOrArray


def root_mean_square(errors: ArrayLike, axis: int = -1) -> RootMeanSquare:
    """Root mean square of independent errors and the standard error of its logarithm.

    For ``m`` draws ``e_1, ..., e_m`` the mean square ``M = mean(e**2)`` has standard error
    ``std(e**2) / sqrt(m)``, so by the delta method ``log sqrt(M)`` has standard error
    ``std(e**2) / (2 sqrt(m) M)`` (sample standard deviation, ``ddof = 1``). These are the
    weights that :func:`fit_power_law` expects.

    Parameters
    ----------
    errors
        Array of errors; the draws run along ``axis`` (at least two draws).
    axis
        Axis of the draws.

    Returns
    -------
    RootMeanSquare
        ``.rms`` and ``.log_se``: arrays (floats for a one-dimensional input); unpacks as
        ``rms, log_se``.

    References
    ----------
    Used in :doc:`/chapters/11_finite_n`.

    Examples
    --------
    >>> from rmtbook import root_mean_square
    >>> rms, log_se = root_mean_square([1.0, -1.0, 1.0, -1.0])
    >>> rms, log_se
    (1.0, 0.0)
    """
    e = check_array("errors", errors)
    if e.ndim == 0:
        raise ValueError("errors must have at least one dimension (the draws)")
    axis = check_int("axis", axis, low=-e.ndim, high=e.ndim - 1)
    m = e.shape[axis]
    if m < 2:
        raise ValueError(f"errors must hold at least 2 draws along axis {axis}, got {m}")
    # squares of errors scaled by their largest modulus along the draws: e^2 over- or underflowed
    # for errors near 1e+-160 (an infinite RMS, or "all zero"); the standard error of log RMS is
    # scale-invariant and the RMS is scaled back
    top = np.max(np.abs(e), axis=axis, keepdims=True)
    if np.any(top <= 0):
        raise ValueError("errors must not be all zero along the draws (the log of the RMS is undefined)")
    sq = (e / top) ** 2
    ms = sq.mean(axis=axis)
    se = sq.std(axis=axis, ddof=1) / (2.0 * np.sqrt(m) * ms)
    rms = np.squeeze(top, axis=axis) * np.sqrt(ms)
    if rms.ndim == 0:
        return RootMeanSquare(rms=float(rms), log_se=float(se))
    return RootMeanSquare(rms=rms, log_se=se)


# ---------------------------------------------------------------------------------------------
# Entry distributions
# ---------------------------------------------------------------------------------------------
def _check_df(distribution: str, df: float) -> float:
    if distribution != "student-t":
        return 0.0
    return check_scalar("df", df, low=2.0, low_open=True, allow_inf=False)


def standardized_entries(
    distribution: str, size: Union[int, tuple[int, ...]], *, df: float = 3.0, rng: RngLike = None
) -> RealArray:
    """I.i.d. entries of mean 0 and variance 1 from a named law.

    * ``"gaussian"``: standard normal (fourth moment 3);
    * ``"rademacher"``: ``+1`` or ``-1`` with probability 1/2 (fourth moment 1);
    * ``"uniform"``: uniform on ``[-sqrt 3, sqrt 3]`` (fourth moment 9/5);
    * ``"student-t"``: Student's t with ``df > 2`` degrees of freedom, scaled by
      ``sqrt((df - 2) / df)`` to unit variance. Its tails decay like ``|x|^{-df - 1}``: the
      fourth moment is infinite for ``df <= 4``.

    Parameters
    ----------
    distribution
        One of :data:`ENTRY_DISTRIBUTIONS`.
    size
        Shape of the output (an int or a tuple of ints), e.g. ``(p, n)``.
    df
        Degrees of freedom of the Student-t law (``> 2``, so that the variance is finite);
        ignored for the other laws.
    rng
        ``None``, a seed or a :class:`numpy.random.Generator`.

    Returns
    -------
    numpy.ndarray
        Float array of the given shape.

    References
    ----------
    :cite:p:`bai2010spectral`, Thm 3.6 (the Marchenko-Pastur law needs only i.i.d. entries of
    finite variance); :cite:p:`bai1988note` (the largest eigenvalue converges to the
    edge if and only if the fourth moment is finite). Used in :doc:`/chapters/11_finite_n`.

    Examples
    --------
    >>> from rmtbook import standardized_entries
    >>> x = standardized_entries("rademacher", (2, 3), rng=0)
    >>> x.shape, sorted(set(x.ravel().tolist()))
    ((2, 3), [-1.0, 1.0])
    """
    distribution = check_choice("distribution", distribution, ENTRY_DISTRIBUTIONS)
    dfv = _check_df(distribution, df)
    if np.isscalar(size):
        shape = (size,)
    else:
        try:
            shape = tuple(size)
        except TypeError as exc:  # None, objects
            raise TypeError(f"size must be an integer or a tuple of integers, got {size!r}") from exc
    shape = tuple(check_int("size", s, low=0) for s in shape)
    gen = as_generator(rng)
    if distribution == "gaussian":
        return gen.standard_normal(shape)
    if distribution == "rademacher":
        return 2.0 * gen.integers(0, 2, size=shape).astype(float) - 1.0
    if distribution == "uniform":
        return gen.uniform(-np.sqrt(3.0), np.sqrt(3.0), size=shape)
    return gen.standard_t(dfv, size=shape) * np.sqrt((dfv - 2.0) / dfv)


def entry_fourth_moment(distribution: str, df: float = 3.0) -> float:
    """Fourth moment ``E x^4`` of the standardized law of :func:`standardized_entries`.

    Gaussian 3, Rademacher 1, uniform 9/5, Student-t ``3 (df - 2) / (df - 4)`` for ``df > 4``
    and ``inf`` for ``2 < df <= 4``.

    Parameters
    ----------
    distribution
        One of :data:`ENTRY_DISTRIBUTIONS`.
    df
        Degrees of freedom of the Student-t law (``> 2``); ignored for the other laws.

    Returns
    -------
    float
        ``E x^4`` (``inf`` for a Student-t law with ``df <= 4``).

    References
    ----------
    Used in :doc:`/chapters/11_finite_n`: the ``1/n`` bias of ``(1/p) tr Chat^2`` is
    ``(E x^4 - 2) / n``.

    Examples
    --------
    >>> from rmtbook import entry_fourth_moment
    >>> entry_fourth_moment("gaussian"), entry_fourth_moment("student-t", df=6.0)
    (3.0, 6.0)
    """
    distribution = check_choice("distribution", distribution, ENTRY_DISTRIBUTIONS)
    dfv = _check_df(distribution, df)
    if distribution == "gaussian":
        return 3.0
    if distribution == "rademacher":
        return 1.0
    if distribution == "uniform":
        return 9.0 / 5.0
    return float(np.inf) if dfv <= 4.0 else 3.0 * (dfv - 2.0) / (dfv - 4.0)


# ---------------------------------------------------------------------------------------------
# Spectral distances
# ---------------------------------------------------------------------------------------------
def ks_distance(eigenvalues: ArrayLike, law: HasCdf) -> float:
    """Kolmogorov-Smirnov distance ``sup_x |F_p(x) - F(x)|`` between a spectrum and a law.

    ``F_p`` is the empirical distribution of ``eigenvalues`` and ``F = law.cdf`` (any law of
    :mod:`rmtbook.laws`; its atom at zero, ``law.atom``, is taken into account). Eigenvalues
    below ``1e-9`` times the largest absolute eigenvalue are set to zero when the law has an
    atom (they are the numerically zero eigenvalues of a rank-deficient matrix).

    Parameters
    ----------
    eigenvalues
        One-dimensional array of real eigenvalues.
    law
        An object with a vectorized ``cdf`` method (and optionally an ``atom`` attribute).

    Returns
    -------
    float
        The distance, in ``[0, 1]``.

    References
    ----------
    For the Marchenko-Pastur law, the distance of a Gaussian sample covariance is
    ``O(log(n) / n)`` by eigenvalue rigidity (:cite:p:`pillai2014universality`). Used in :doc:`/chapters/11_finite_n`.

    Examples
    --------
    >>> import numpy as np
    >>> from rmtbook import ks_distance, marchenko_pastur, sample_covariance
    >>> eigs = np.linalg.eigvalsh(sample_covariance(np.ones(200), 400, rng=0))
    >>> bool(ks_distance(eigs, marchenko_pastur(0.5)) < 0.05)
    True
    """
    lam = np.sort(check_array("eigenvalues", eigenvalues, ndim=1))
    cdf = getattr(law, "cdf", None)
    if not callable(cdf):
        raise TypeError(f"law must have a cdf method (a law of rmtbook.laws), got {type(law).__name__}")
    atom = float(getattr(law, "atom", 0.0))
    if atom > 0:
        scale = max(np.max(np.abs(lam)), 1e-300)
        lam = np.where(np.abs(lam) < 1e-9 * scale, 0.0, lam)
    F = np.asarray(cdf(lam), dtype=float)
    if F.shape != lam.shape or not np.isfinite(F).all():
        raise ValueError("law: its cdf must return one finite value per eigenvalue (got NaN, inf or a wrong shape)")
    # left limit of F at each eigenvalue: F(x-) = F(x) except at an atom
    F_left = np.where((lam == 0.0) & (atom > 0), F - atom, F)
    i = np.arange(1, lam.size + 1)
    return float(max(np.max(i / lam.size - F), np.max(F_left - (i - 1) / lam.size), 0.0))
