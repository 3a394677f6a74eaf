"""Seeded samplers of the random matrix ensembles used throughout the book.

Conventions: data ``X`` is ``p x n`` (columns are samples), ``c = p / n``, the sample
covariance is ``X X^T / n``. Every sampler takes ``rng`` (``None``, a seed or a
:class:`numpy.random.Generator`) and never touches numpy's global random state.

Functions
---------
``gaussian_data(p, n, population_eigs=None, *, rng=None)``
    ``X = C^{1/2} Z`` with ``C = diag(population_eigs)`` (``p x n``).
``sample_covariance(population, n, *, rng=None)``
    ``Chat = C^{1/2} Z Z^T C^{1/2} / n`` for a population given by its eigenvalues (diagonal
    ``C``) or as a full symmetric positive semi-definite matrix.
``sample_covariance_data(population, n, *, rng=None)``
    the same draw, returned with its data ``X`` as a :class:`SampleCovarianceDraw`.
``wigner_matrix(n, var=1.0, *, rng=None)``
    symmetric ``n x n`` Gaussian (GOE-type) matrix whose spectrum tends to ``semicircle(var)``.
``empirical_spectrum(M)``
    sorted eigenvalues of a symmetric matrix (``numpy.linalg.eigvalsh``).

Used by :doc:`/chapters/02_resolvents`, :doc:`/chapters/03_marchenko_pastur` and every chapter
that simulates.

References
----------
:cite:p:`wigner1955characteristic,marchenko1967distribution,bai2010spectral`; :cite:p:`couillet2022rmt`,
Ch. 2.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from ._typing import ArrayLike, RealArray, RngLike
from ._results import TupleLike
from ._rng import as_generator
from ._validation import check_array, check_bool, check_int, check_positive, renamed_kwargs

__all__ = [
    "gaussian_data",
    "sample_covariance",
    "sample_covariance_data",
    "SampleCovarianceDraw",
    "wigner_matrix",
    "empirical_spectrum",
]


@dataclass(frozen=True)
class SampleCovarianceDraw(TupleLike):
    """A sample covariance matrix together with the data it was computed from.

    Unpacks and indexes like the former tuple: ``Chat, X = draw``.

    Attributes
    ----------
    covariance : numpy.ndarray
        ``Chat = X X^T / n``, ``p x p`` and symmetric.
    X : numpy.ndarray
        The data ``X = C^{1/2} Z``, ``p x n`` (columns are samples).
    """

    covariance: RealArray
    X: RealArray


@renamed_kwargs(cov_eigs="population_eigs")
def gaussian_data(
    p: int, n: int, population_eigs: ArrayLike | None = None, *, rng: RngLike = None
) -> RealArray:
    """Gaussian data ``X = C^{1/2} Z`` of shape ``p x n`` (columns are i.i.d. ``N(0, C)`` samples).

    Parameters
    ----------
    p, n
        Dimension and number of samples (``>= 1``).
    population_eigs
        Diagonal of ``C`` (length ``p``, entries ``>= 0``); ``None`` for ``C = I_p``. For a
        non-diagonal population use :func:`sample_covariance` with a matrix, or rotate ``X``.
        (Formerly ``cov_eigs``: that keyword still works, with a DeprecationWarning.)
    rng
        ``None``, a seed or a :class:`numpy.random.Generator` (keyword-only).

    Returns
    -------
    numpy.ndarray
        ``X`` of shape ``(p, n)``; ``X X^T / n`` is the sample covariance.

    References
    ----------
    :cite:p:`couillet2022rmt`, Ch. 2. :doc:`/chapters/02_resolvents`, :doc:`/chapters/03_marchenko_pastur`.

    Examples
    --------
    >>> from rmtbook import gaussian_data
    >>> X = gaussian_data(3, 1000, [1.0, 2.0, 4.0], rng=0)
    >>> X.shape
    (3, 1000)
    >>> [round(float(v), 1) for v in (X**2).mean(axis=1)]  # population eigenvalues, up to O(n^{-1/2})
    [1.0, 2.1, 3.9]
    """
    p = check_int("p", p, low=1)
    n = check_int("n", n, low=1)
    gen = as_generator(rng)
    z = gen.standard_normal((p, n))
    if population_eigs is None:
        return z
    d = check_array("population_eigs", population_eigs, ndim=1, shape=(p,), low=0.0)
    return np.sqrt(d)[:, None] * z


def _population_root(population: ArrayLike) -> tuple[np.ndarray, bool]:
    """Return ``(root, is_diagonal)``: ``sqrt`` of the eigenvalues or a symmetric square root."""
    arr = check_array("population", population, ndim=(1, 2))
    if arr.ndim == 1:
        check_array("population", arr, low=0.0)
        return np.sqrt(arr), True
    if arr.shape[0] != arr.shape[1]:
        raise ValueError(f"population must be a square matrix or a vector of eigenvalues, got shape {arr.shape}")
    if not np.allclose(arr, arr.T, rtol=1e-10, atol=1e-12 * max(1.0, np.abs(arr).max())):
        raise ValueError("population must be a symmetric matrix")
    evals, evecs = np.linalg.eigh(arr)
    if evals.min() < -1e-10 * max(1.0, abs(evals.max())):
        raise ValueError(f"population must be positive semi-definite, smallest eigenvalue {evals.min():g}")
    root = (evecs * np.sqrt(np.clip(evals, 0.0, None))) @ evecs.T
    return root, False


def _draw_covariance(population: ArrayLike, n: int, rng: RngLike) -> SampleCovarianceDraw:
    root, diagonal = _population_root(population)
    n = check_int("n", n, low=1)
    gen = as_generator(rng)
    p = root.shape[0]
    z = gen.standard_normal((p, n))
    x = root[:, None] * z if diagonal else root @ z
    chat = x @ x.T / n
    return SampleCovarianceDraw(covariance=0.5 * (chat + chat.T), X=x)


def sample_covariance(
    population: ArrayLike, n: int, *, rng: RngLike = None, return_data: bool | None = None
) -> RealArray:
    """Sample covariance ``Chat = X X^T / n`` with ``X = C^{1/2} Z``, ``Z`` ``p x n`` standard Gaussian.

    Parameters
    ----------
    population
        Either a vector of population eigenvalues (``C`` is then diagonal; ``p`` = its length)
        or a ``p x p`` symmetric positive semi-definite matrix ``C``.
    n
        Number of samples (``c = p / n``).
    rng
        ``None``, a seed or a :class:`numpy.random.Generator` (keyword-only).
    return_data
        Deprecated: ``return_data=True`` returns the tuple ``(Chat, X)`` with a
        DeprecationWarning. Use :func:`sample_covariance_data`, which returns both as a
        :class:`SampleCovarianceDraw`.

    Returns
    -------
    numpy.ndarray
        ``Chat``, ``p x p`` and symmetric; its spectrum tends to
        ``rmtbook.sample_covariance_law(eigenvalues of C, p / n)``.

    References
    ----------
    :cite:p:`silverstein1995empirical`; :cite:p:`couillet2022rmt`, Thm 2.6.
    :doc:`/chapters/02_resolvents`, :doc:`/chapters/03_marchenko_pastur`.

    Examples
    --------
    >>> from rmtbook import sample_covariance
    >>> Chat = sample_covariance([1.0, 1.0, 4.0], 2000, rng=0)
    >>> Chat.shape
    (3, 3)
    >>> round(float(Chat[2, 2]), 1)  # 4, up to O(n^{-1/2})
    3.9
    """
    if return_data is not None:
        return_data = check_bool("return_data", return_data)
        warnings.warn(
            "sample_covariance(return_data=...) is deprecated and will be removed in the next "
            "release; use sample_covariance_data(population, n, rng=rng), which returns a "
            "SampleCovarianceDraw with .covariance and .X",
            DeprecationWarning,
            stacklevel=2,
        )
        draw = _draw_covariance(population, n, rng)
        return (draw.covariance, draw.X) if return_data else draw.covariance  # type: ignore[return-value]
    return _draw_covariance(population, n, rng).covariance


def sample_covariance_data(population: ArrayLike, n: int, *, rng: RngLike = None) -> SampleCovarianceDraw:
    """Draw data ``X = C^{1/2} Z`` and return it with its sample covariance ``X X^T / n``.

    The same draw as :func:`sample_covariance` with the same ``rng`` (the covariances agree
    exactly), for when the data themselves are needed.

    Parameters
    ----------
    population, n, rng
        As in :func:`sample_covariance`.

    Returns
    -------
    SampleCovarianceDraw
        ``.covariance`` (``p x p``) and ``.X`` (``p x n``); unpacks as ``Chat, X``.

    References
    ----------
    :doc:`/chapters/02_resolvents`.

    Examples
    --------
    >>> import numpy as np
    >>> from rmtbook import sample_covariance_data
    >>> draw = sample_covariance_data([1.0, 2.0], 50, rng=1)
    >>> draw.X.shape, draw.covariance.shape
    ((2, 50), (2, 2))
    >>> bool(np.allclose(draw.covariance, draw.X @ draw.X.T / 50))
    True
    """
    return _draw_covariance(population, n, rng)


def wigner_matrix(n: int, var: float = 1.0, *, rng: RngLike = None) -> RealArray:
    """Symmetric Gaussian Wigner matrix ``W`` of size ``n``, spectrum ``-> semicircle(var)``.

    Off-diagonal entries ``W_ij = W_ji ~ N(0, var / n)`` and diagonal entries
    ``W_ii ~ N(0, 2 var / n)`` (the GOE normalization, ``W = sqrt(var / (2 n)) (G + G^T)``),
    all independent up to symmetry.

    Parameters
    ----------
    n
        Size (``>= 1``).
    var
        Variance parameter ``> 0`` (the semicircle's support is ``[-2 sqrt(var), 2 sqrt(var)]``).
    rng
        ``None``, a seed or a :class:`numpy.random.Generator` (keyword-only).

    Returns
    -------
    numpy.ndarray
        The symmetric ``n x n`` matrix ``W``.

    References
    ----------
    :cite:p:`wigner1955characteristic`; :cite:p:`anderson2010introduction`, Ch. 2.
    :doc:`/chapters/02_resolvents`.

    Examples
    --------
    >>> import numpy as np
    >>> from rmtbook import wigner_matrix
    >>> W = wigner_matrix(400, rng=0)
    >>> bool(np.allclose(W, W.T))
    True
    >>> round(float(np.linalg.eigvalsh(W).max()), 1)  # near the semicircle edge 2
    2.0
    """
    n = check_int("n", n, low=1)
    var = check_positive("var", var)
    gen = as_generator(rng)
    g = gen.standard_normal((n, n))
    return np.sqrt(var / (2.0 * n)) * (g + g.T)


def empirical_spectrum(matrix: ArrayLike) -> RealArray:
    """Sorted eigenvalues of a real symmetric matrix (``numpy.linalg.eigvalsh``).

    Parameters
    ----------
    matrix
        Square symmetric matrix (the upper/lower triangles must agree to 1e-8 relative).

    Returns
    -------
    numpy.ndarray
        Eigenvalues in increasing order.

    References
    ----------
    :doc:`/chapters/02_resolvents`.

    Examples
    --------
    >>> from rmtbook import empirical_spectrum
    >>> empirical_spectrum([[2.0, 1.0], [1.0, 2.0]])
    array([1., 3.])
    """
    m = check_array("matrix", matrix, ndim=2)
    if m.shape[0] != m.shape[1]:
        raise ValueError(f"matrix must be square, got shape {m.shape}")
    if not np.allclose(m, m.T, rtol=1e-8, atol=1e-12 * max(1.0, np.abs(m).max())):
        raise ValueError("matrix must be symmetric (use numpy.linalg.eigvals for non-symmetric matrices)")
    return np.linalg.eigvalsh(m)
