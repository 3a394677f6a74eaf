"""Spiked covariance models: outlying eigenvalues and the eigenvectors that carry them.

Two models are covered.

*Isotropic spikes* (:func:`spiked_covariance_sample`): the population covariance is

.. math:: C = I_p + \\sum_{i=1}^k \\ell_i u_i u_i^T, \\qquad u_i^T u_j = \\delta_{ij},

data ``X = C^{1/2} Z`` (``Z`` standard Gaussian, ``p x n``), ``Chat = X X^T / n`` and
``c = p / n``. As ``p, n -> inf`` with ``p / n -> c``, a spike of strength ``ell`` produces a
sample eigenvalue that leaves the Marchenko-Pastur bulk if and only if ``ell > sqrt(c)``
(the BBP phase transition, :func:`bbp_threshold`); it then converges to
``(1 + ell)(1 + c / ell)`` (:func:`spike_eigenvalue`) and its eigenvector ``uhat`` keeps a
fraction ``|u^T uhat|^2 -> (1 - c / ell^2) / (1 + c / ell)`` of the spike direction
(:func:`spike_alignment`). Below the threshold the top eigenvalue sticks to the edge
``(1 + sqrt c)^2`` and the alignment vanishes.

*Spikes on a general bulk* (:func:`spiked_population_sample`): the population covariance has
``k`` eigenvalues ``theta_i`` (the spikes, eigenvectors ``u_i``) above ``p - k`` bulk
eigenvalues distributed as ``H = sum_j w_j delta_{t_j}``. With

.. math:: \\psi(\\theta) = \\theta \\Big(1 + c \\sum_j w_j \\frac{t_j}{\\theta - t_j}\\Big),

the spike ``theta`` produces an outlier at ``psi(theta)`` when ``psi'(theta) > 0`` and
``theta > max_j t_j`` (:func:`outlier_location`), with alignment
``theta psi'(theta) / psi(theta)`` (:func:`outlier_alignment`); the threshold
(:func:`outlier_threshold`) is the largest zero of ``psi'``, and ``psi`` of it is the right
edge of the bulk of ``Chat``. Equivalently the outlier solves ``1 + theta mu(lambda) = 0``,
with ``mu`` the Stieltjes transform of the companion matrix ``X^T X / n``. The isotropic
case is ``H = delta_1``, ``theta = 1 + ell``.

All limits are first-order (almost sure) limits; at finite ``n`` a supercritical outlier and
its alignment fluctuate at order ``n^{-1/2}``, a subcritical top eigenvalue at the
Tracy-Widom order ``n^{-2/3}``, and in the critical window ``|ell - sqrt c| = O(n^{-1/3})``
neither description is accurate.

Used by :doc:`/chapters/04_spiked`.

References
----------
:cite:p:`baik2005phase,paul2007asymptotics,benaych2011eigenvalues`;
:cite:p:`couillet2022rmt`, Ch. 2 (spiked models); :cite:p:`liao2025rmtdl`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._results import TupleLike
from . import _silverstein
from ._rng import as_generator
from ._typing import ArrayLike, RealArray, RngLike, ScalarOrArray
from ._validation import check_array, check_int, check_scalar, check_weights, renamed_kwargs

__all__ = [
    "bbp_threshold",
    "spike_eigenvalue",
    "spike_alignment",
    "spiked_covariance_sample",
    "outlier_threshold",
    "outlier_location",
    "outlier_alignment",
    "spiked_population_sample",
    "top_eigenpairs",
    "SpikedSample",
    "Eigenpairs",
]


@dataclass(frozen=True)
class SpikedSample(TupleLike):
    """Data drawn from a spiked model and the spike directions.

    Unpacks and indexes like the former tuple: ``X, U = sample``.

    Attributes
    ----------
    X : numpy.ndarray
        Data matrix, ``p x n`` (columns are samples).
    U : numpy.ndarray
        Spike directions, ``p x k`` with orthonormal columns.
    """

    X: RealArray
    U: RealArray


@dataclass(frozen=True)
class Eigenpairs(TupleLike):
    """Leading eigenvalues and unit eigenvectors.

    Unpacks and indexes like the former tuple: ``values, vectors = pairs``.

    Attributes
    ----------
    values : numpy.ndarray
        Shape ``(k,)``, in decreasing order.
    vectors : numpy.ndarray
        Shape ``(p, k)``, orthonormal columns (column ``i`` goes with ``values[i]``).
    """

    values: RealArray
    vectors: RealArray


def _as_output(values: np.ndarray, scalar_input: bool) -> float | np.ndarray:
    """Return a Python float for a scalar input, the array otherwise."""
    return float(values) if scalar_input else values


def _check_ratio(ratio: float) -> float:
    return check_scalar("ratio", ratio, low=0.0, low_open=True)


def _check_spikes(name: str, value: ArrayLike) -> tuple[np.ndarray, bool]:
    """Non-negative spike strengths: array and whether the input was a scalar."""
    arr = check_array(name, value, ndim=(0, 1), low=0.0)
    return arr, arr.ndim == 0


# --------------------------------------------------------------------------------------------
# Isotropic spikes: C = I + sum ell_i u_i u_i^T
# --------------------------------------------------------------------------------------------
def bbp_threshold(ratio: float) -> float:
    """BBP threshold ``sqrt(c)`` of the isotropic spiked covariance model.

    A spike ``C = I + ell u u^T`` is visible in the spectrum of ``Chat = X X^T / n`` (an
    eigenvalue separates from the Marchenko-Pastur bulk) if and only if ``ell > sqrt(c)``.

    Parameters
    ----------
    ratio
        Dimension ratio ``c = p / n > 0``.

    Returns
    -------
    float
        ``sqrt(ratio)``.

    Raises
    ------
    ValueError
        If ``ratio`` is not positive and finite.

    References
    ----------
    :cite:p:`baik2005phase,baik2006eigenvalues,paul2007asymptotics`.
    :doc:`/chapters/04_spiked`.

    Examples
    --------
    >>> from rmtbook import bbp_threshold
    >>> bbp_threshold(0.25)
    0.5
    """
    return float(np.sqrt(_check_ratio(ratio)))


def spike_eigenvalue(ell: ArrayLike, ratio: float) -> ScalarOrArray:
    """Limit of the sample eigenvalue carried by a spike of strength ``ell``.

    .. math::
        \\lambda(\\ell) = \\begin{cases} (1 + \\ell)(1 + c/\\ell), & \\ell > \\sqrt c,\\\\
        (1 + \\sqrt c)^2, & 0 \\le \\ell \\le \\sqrt c. \\end{cases}

    Both branches agree at ``ell = sqrt(c)`` (the function is continuous; at the threshold the
    edge is returned), and the supercritical branch is increasing in ``ell``.

    Parameters
    ----------
    ell
        Spike strength(s) ``>= 0`` (scalar or 1-d array; the function is vectorized).
    ratio
        ``c = p / n > 0``.

    Returns
    -------
    float or numpy.ndarray
        Same shape as ``ell``.

    Raises
    ------
    ValueError
        For negative or non-finite ``ell`` or a non-positive ``ratio``.

    References
    ----------
    :cite:p:`baik2005phase,paul2007asymptotics,benaych2011eigenvalues`.
    :doc:`/chapters/04_spiked`.

    Examples
    --------
    >>> from rmtbook import spike_eigenvalue
    >>> spike_eigenvalue(2.0, 0.5)  # (1 + 2)(1 + 0.5 / 2)
    3.75
    >>> spike_eigenvalue([0.1, 2.0], 0.5)  # a subcritical spike sticks to the edge (1 + sqrt c)^2
    array([2.91421356, 3.75      ])
    """
    ell_arr, scalar = _check_spikes("ell", ell)
    c = _check_ratio(ratio)
    edge = (1.0 + np.sqrt(c)) ** 2
    above = ell_arr > np.sqrt(c)
    safe = np.where(above, ell_arr, 1.0)  # avoid 0 division on the subcritical branch
    out = np.where(above, (1.0 + safe) * (1.0 + c / safe), edge)
    return _as_output(out, scalar)


def spike_alignment(ell: ArrayLike, ratio: float) -> ScalarOrArray:
    """Limit of ``|u^T uhat|^2`` between a spike direction and its sample eigenvector.

    .. math::
        \\alpha(\\ell) = \\begin{cases} \\dfrac{1 - c/\\ell^2}{1 + c/\\ell}, & \\ell > \\sqrt c,\\\\
        0, & 0 \\le \\ell \\le \\sqrt c, \\end{cases}

    continuous at ``ell = sqrt(c)`` (where 0 is returned) and increasing to 1 as
    ``ell -> inf`` (``1 - c/ell + O(ell^{-2})``).

    Parameters
    ----------
    ell
        Spike strength(s) ``>= 0`` (scalar or 1-d array).
    ratio
        ``c = p / n > 0``.

    Returns
    -------
    float or numpy.ndarray
        Same shape as ``ell``, values in ``[0, 1)``.

    Raises
    ------
    ValueError
        For negative or non-finite ``ell`` or a non-positive ``ratio``.

    References
    ----------
    :cite:p:`paul2007asymptotics,benaych2011eigenvalues`; :cite:p:`couillet2022rmt`, Ch. 2 (spiked models).
    :doc:`/chapters/04_spiked`.

    Examples
    --------
    >>> from rmtbook import spike_alignment
    >>> spike_alignment(2.0, 0.5)  # (1 - 0.5 / 4) / (1 + 0.5 / 2)
    0.7
    >>> spike_alignment(0.5, 0.5)  # below sqrt(0.5): no alignment
    0.0
    """
    ell_arr, scalar = _check_spikes("ell", ell)
    c = _check_ratio(ratio)
    above = ell_arr > np.sqrt(c)
    safe = np.where(above, ell_arr, 1.0)
    out = np.where(above, (1.0 - c / safe**2) / (1.0 + c / safe), 0.0)
    return _as_output(out, scalar)


def _random_orthonormal(p: int, k: int, gen: np.random.Generator) -> np.ndarray:
    """Haar-distributed ``p x k`` matrix with orthonormal columns (QR with sign fix)."""
    g = gen.standard_normal((p, k))
    q, r = np.linalg.qr(g)
    signs = np.sign(np.diag(r))
    signs[signs == 0] = 1.0
    return q * signs


def spiked_covariance_sample(p: int, n: int, spikes: ArrayLike, *, rng: RngLike = None) -> SpikedSample:
    """Draw ``X = C^{1/2} Z`` for the isotropic spiked covariance ``C = I + U diag(spikes) U^T``.

    The spike directions ``U`` (``p x k``, orthonormal columns) are drawn uniformly at random
    (Haar), then ``Z`` is standard Gaussian. Since ``C^{1/2} = I + U diag(sqrt(1 + ell) - 1) U^T``
    the draw costs ``O(p n k)`` beyond sampling ``Z``.

    Parameters
    ----------
    p, n
        Dimension and number of samples (``1 <= k <= p``).
    spikes
        Spike strengths ``ell_i >= 0`` (scalar or 1-d array of length ``k``).
    rng
        ``None``, a seed or a :class:`numpy.random.Generator` (keyword-only).

    Returns
    -------
    SpikedSample
        ``.X``, the data of shape ``(p, n)`` (columns are samples), and ``.U``, the spike
        directions of shape ``(p, k)``; unpacks as ``X, U``.

    Raises
    ------
    ValueError
        For non-positive sizes, negative spikes or more spikes than dimensions.

    References
    ----------
    :cite:p:`johnstone2001distribution,baik2005phase`. :doc:`/chapters/04_spiked`.

    Examples
    --------
    >>> from rmtbook import spiked_covariance_sample, top_eigenpairs
    >>> X, U = spiked_covariance_sample(200, 400, [3.0], rng=0)
    >>> X.shape, U.shape
    ((200, 400), (200, 1))
    >>> round(float(top_eigenpairs(X).values[0]), 1)  # near (1 + 3)(1 + 0.5 / 3) = 4.67, up to O(n^{-1/2})
    4.5
    """
    p = check_int("p", p, low=1)
    n = check_int("n", n, low=1)
    ell = np.atleast_1d(check_array("spikes", spikes, ndim=(0, 1), low=0.0))
    k = ell.size
    if k > p:
        raise ValueError(f"spikes must have at most p = {p} entries, got {k}")
    gen = as_generator(rng)
    u = _random_orthonormal(p, k, gen)
    z = gen.standard_normal((p, n))
    scale = np.sqrt(1.0 + ell) - 1.0
    x = z + u @ (scale[:, None] * (u.T @ z))
    return SpikedSample(X=x, U=u)


# --------------------------------------------------------------------------------------------
# Spikes above a general bulk H = sum_j w_j delta_{t_j}
# --------------------------------------------------------------------------------------------
def _check_population(population_eigs: ArrayLike, weights: ArrayLike | None) -> tuple[np.ndarray, np.ndarray]:
    t = check_array("population_eigs", population_eigs, ndim=(0, 1), low=0.0, low_open=True).ravel()
    w = check_weights("weights", weights, t.size)
    return t, w


def _psi(theta: np.ndarray, c: float, t: np.ndarray, w: np.ndarray) -> np.ndarray:
    """``psi(theta) = theta (1 + c sum_j w_j t_j / (theta - t_j))``: the map ``x(u)`` of the
    package's Silverstein solver at ``u = theta``."""
    return _silverstein.x_of_u(np.asarray(theta, dtype=float), t, w, c)


def _dpsi(theta: np.ndarray, c: float, t: np.ndarray, w: np.ndarray) -> np.ndarray:
    """``psi'(theta) = 1 - c sum_j w_j t_j^2 / (theta - t_j)^2 = 1 - h(theta)``."""
    return 1.0 - _silverstein.h_of_u(np.asarray(theta, dtype=float), t, w, c)[0]


@renamed_kwargs(bulk="population_eigs")
def outlier_threshold(ratio: float, population_eigs: ArrayLike, weights: ArrayLike | None = None) -> float:
    """Smallest population spike that produces an outlier above a general bulk.

    With ``psi`` as in the module docstring, ``psi'(theta) = 1 - c sum_j w_j t_j^2/(theta-t_j)^2``
    increases on ``(max t, inf)`` from ``-inf`` to 1; its unique zero ``theta*`` there is the
    threshold, lying in ``(max t, max t (1 + sqrt c)]``. A spike ``theta > theta*`` separates from
    the bulk; ``psi(theta*)`` is the right edge of the limiting spectrum of ``Chat``. For
    ``population_eigs = 1`` this is ``1 + sqrt(c)``, the BBP threshold ``ell = sqrt(c)`` with
    ``theta = 1 + ell``.

    Parameters
    ----------
    ratio
        ``c = p / n > 0``.
    population_eigs
        Distinct or repeated population eigenvalues ``t_j > 0`` of the non-spiked directions
        (the bulk; formerly ``bulk``, a keyword still accepted with a DeprecationWarning).
    weights
        Their masses ``w_j`` (normalized; uniform when ``None``).

    Returns
    -------
    float
        ``theta*``.

    References
    ----------
    :cite:p:`baik2006eigenvalues,bai2012sample`; :cite:p:`silverstein1995analysis` for the edge.
    :doc:`/chapters/04_spiked`.

    Examples
    --------
    >>> from rmtbook import outlier_threshold
    >>> outlier_threshold(0.25, [1.0])  # the isotropic case: 1 + sqrt(c)
    1.5
    >>> round(outlier_threshold(0.25, [1.0, 3.0], [0.5, 0.5]), 4)
    4.0678
    """
    c = _check_ratio(ratio)
    t, w = _check_population(population_eigs, weights)
    keep = w > 0
    t, w = t[keep], w[keep]
    tmax = t.max()
    upper = tmax * (1.0 + np.sqrt(c))

    # psi'(upper) >= 0 exactly (equality iff all the mass sits at max t, the isotropic case);
    # a value at rounding level means the root is upper itself.
    if _dpsi(np.array([upper]), c, t, w)[0] <= 1e-13:
        return float(upper)
    # otherwise the upper edge of the bulk's support, from the package's one solver
    solver = _silverstein.Silverstein(_silverstein.make_population(t, c, w))
    return solver.upper_edge_u()


@renamed_kwargs(bulk="population_eigs")
def outlier_location(
    theta: ArrayLike, ratio: float, population_eigs: ArrayLike = 1.0, weights: ArrayLike | None = None
) -> ScalarOrArray:
    """Limit of the sample eigenvalue carried by a population spike ``theta`` above a bulk ``H``.

    ``psi(theta) = theta (1 + c sum_j w_j t_j / (theta - t_j))`` when ``theta`` exceeds the
    threshold ``theta*`` of :func:`outlier_threshold`; otherwise the right edge ``psi(theta*)``
    of the bulk (continuous at ``theta*``). Equivalently, the outlier ``lambda`` solves
    ``1 + theta mu(lambda) = 0`` with ``mu`` the companion Stieltjes transform.

    Parameters
    ----------
    theta
        Population eigenvalue(s) of the spike direction(s), ``> 0`` (vectorized).
    ratio
        ``c = p / n > 0``.
    population_eigs, weights
        Population spectrum of the other directions (see :func:`outlier_threshold`); the
        default ``population_eigs = 1`` is the isotropic model, where this equals
        ``spike_eigenvalue(theta - 1, ratio)``.

    Returns
    -------
    float or numpy.ndarray
        Same shape as ``theta``.

    References
    ----------
    :cite:p:`baik2006eigenvalues,bai2012sample`; :cite:p:`couillet2022rmt`, Ch. 2 (spiked models).
    :doc:`/chapters/04_spiked`.

    Examples
    --------
    >>> import math
    >>> from rmtbook import outlier_location, spike_eigenvalue
    >>> math.isclose(outlier_location(3.0, 0.5), spike_eigenvalue(2.0, 0.5))  # isotropic bulk
    True
    >>> round(float(outlier_location(10.0, 0.25, [1.0, 3.0], [0.5, 0.5])), 4)
    10.6746
    """
    th = check_array("theta", theta, ndim=(0, 1), low=0.0, low_open=True)
    scalar = th.ndim == 0
    c = _check_ratio(ratio)
    t, w = _check_population(population_eigs, weights)
    star = outlier_threshold(c, t, w)
    eff = np.maximum(th, star)
    return _as_output(_psi(eff, c, t, w), scalar)


@renamed_kwargs(bulk="population_eigs")
def outlier_alignment(
    theta: ArrayLike, ratio: float, population_eigs: ArrayLike = 1.0, weights: ArrayLike | None = None
) -> ScalarOrArray:
    """Limit of ``|u^T uhat|^2`` for a population spike ``theta`` above a bulk ``H``.

    ``theta psi'(theta) / psi(theta)`` above the threshold ``theta*`` of
    :func:`outlier_threshold`, ``0`` at or below it (continuous). For ``population_eigs = 1`` it equals
    ``spike_alignment(theta - 1, ratio)``.

    Parameters
    ----------
    theta, ratio, population_eigs, weights
        As in :func:`outlier_location`.

    Returns
    -------
    float or numpy.ndarray
        Same shape as ``theta``, values in ``[0, 1)``.

    References
    ----------
    :cite:p:`paul2007asymptotics,bai2012sample`; :cite:p:`couillet2022rmt`, Ch. 2 (spiked models).
    :doc:`/chapters/04_spiked`.

    Examples
    --------
    >>> from rmtbook import outlier_alignment
    >>> round(float(outlier_alignment(3.0, 0.5)), 12)  # = spike_alignment(2.0, 0.5)
    0.7
    """
    th = check_array("theta", theta, ndim=(0, 1), low=0.0, low_open=True)
    scalar = th.ndim == 0
    c = _check_ratio(ratio)
    t, w = _check_population(population_eigs, weights)
    star = outlier_threshold(c, t, w)
    above = th > star
    eff = np.where(above, th, 2.0 * star)  # any point where psi is defined
    out = np.where(above, eff * _dpsi(eff, c, t, w) / _psi(eff, c, t, w), 0.0)
    return _as_output(out, scalar)


@renamed_kwargs(bulk="population_eigs")
def spiked_population_sample(
    p: int,
    n: int,
    thetas: ArrayLike,
    population_eigs: ArrayLike,
    weights: ArrayLike | None = None,
    *,
    rng: RngLike = None,
) -> SpikedSample:
    """Draw ``X = C^{1/2} Z`` with spikes ``thetas`` on top of a bulk population spectrum.

    ``C = O diag(thetas, b_1, ..., b_{p-k}) O^T`` with ``O`` Haar-orthogonal; the ``p - k`` bulk
    eigenvalues take the values ``population_eigs`` with counts proportional to ``weights`` (largest
    remainder rounding). The spike directions are the first ``k`` columns of ``O``. Because
    ``Z`` is rotation invariant, ``X = O diag(sqrt(eigs)) Z`` has the law of ``C^{1/2} Z``.

    Parameters
    ----------
    p, n
        Dimension and number of samples (``k < p``).
    thetas
        Population eigenvalues of the spike directions, ``> 0`` (scalar or 1-d array).
    population_eigs, weights
        Values ``t_j > 0`` and masses of the other population eigenvalues (the bulk; the
        keyword ``bulk`` still works, with a DeprecationWarning).
    rng
        ``None``, a seed or a :class:`numpy.random.Generator` (keyword-only).

    Returns
    -------
    SpikedSample
        ``.X`` of shape ``(p, n)`` and the spike directions ``.U`` of shape ``(p, k)``;
        unpacks as ``X, U``.

    References
    ----------
    :cite:p:`bai2012sample`; :cite:p:`couillet2022rmt`, Ch. 2 (spiked models).
    :doc:`/chapters/04_spiked`.

    Examples
    --------
    >>> from rmtbook import spiked_population_sample
    >>> X, U = spiked_population_sample(100, 200, [10.0], [1.0, 3.0], [0.5, 0.5], rng=0)
    >>> X.shape, U.shape
    ((100, 200), (100, 1))
    """
    p = check_int("p", p, low=2)
    n = check_int("n", n, low=1)
    th = np.atleast_1d(check_array("thetas", thetas, ndim=(0, 1), low=0.0, low_open=True))
    t, w = _check_population(population_eigs, weights)
    k = th.size
    if k >= p:
        raise ValueError(f"thetas must have fewer than p = {p} entries, got {k}")
    m = p - k
    raw = w * m
    counts = np.floor(raw).astype(int)
    short = m - counts.sum()
    if short > 0:
        counts[np.argsort(-(raw - counts), kind="stable")[:short]] += 1
    eigs = np.concatenate([th, np.repeat(t, counts)])
    gen = as_generator(rng)
    o = _random_orthonormal(p, p, gen)
    z = gen.standard_normal((p, n))
    x = o @ (np.sqrt(eigs)[:, None] * z)
    return SpikedSample(X=x, U=o[:, :k].copy())


def top_eigenpairs(x: ArrayLike, k: int = 1) -> Eigenpairs:
    """Top ``k`` eigenvalues and unit eigenvectors of ``Chat = X X^T / n``, the cheap way.

    When ``p > n`` the ``n x n`` Gram matrix ``X^T X / n`` is diagonalized instead: it has the
    same nonzero eigenvalues, and an eigenvector ``v`` (eigenvalue ``lambda > 0``) maps to the
    unit eigenvector ``X v / sqrt(n lambda)`` of ``Chat``. Eigenvector signs are arbitrary.

    Parameters
    ----------
    x
        Data matrix of shape ``(p, n)``.
    k
        Number of leading pairs, ``1 <= k <= min(p, n)``.

    Returns
    -------
    Eigenpairs
        ``.values`` of shape ``(k,)`` in decreasing order and ``.vectors`` of shape ``(p, k)``
        with orthonormal columns; unpacks as ``values, vectors``.

    References
    ----------
    :doc:`/chapters/04_spiked`.

    Examples
    --------
    >>> import numpy as np
    >>> from rmtbook import top_eigenpairs
    >>> X = np.diag([3.0, 2.0, 1.0]) @ np.ones((3, 4))
    >>> pairs = top_eigenpairs(X, k=1)
    >>> pairs.values
    array([14.])
    >>> pairs.vectors.shape
    (3, 1)
    """
    x = check_array("x", x, ndim=2)
    p, n = x.shape
    k = check_int("k", k, low=1, high=min(p, n))
    # work with x / max|x|: the Gram matrix of entries near 1e+-160 over- or underflows (eigh
    # then fails to converge, or the vectors divide by a zero eigenvalue); rescale the values
    scale = float(np.abs(x).max())
    if scale == 0.0:
        raise ValueError("x must not be the zero matrix (its eigenvectors are undefined)")
    y = x / scale
    with np.errstate(over="ignore", under="ignore"):
        if p <= n:
            vals, vecs = np.linalg.eigh(y @ y.T / n)
            vals, vecs = vals[::-1][:k].copy(), vecs[:, ::-1][:, :k].copy()
        else:
            vals, vecs = np.linalg.eigh(y.T @ y / n)
            vals, vecs = vals[::-1][:k].copy(), vecs[:, ::-1][:, :k]
            if np.any(vals <= 0):
                raise ValueError("x has fewer than k nonzero singular values; reduce k")
            vecs = (y @ vecs) / np.sqrt(n * vals)
        values = vals * scale * scale  # numpy arithmetic: inf (then refused), not OverflowError
    if not np.all(np.isfinite(values)):
        raise ValueError(f"x: the eigenvalues of x x^T / n exceed the double range (entries up to {scale:g})")
    return Eigenpairs(values=values, vectors=vecs)
