"""Seeded samplers of the random matrix ensembles used throughout the book.

Conventions: data ``X`` is ``p x n`` (columns are samples), ``c = p / n``, the sample
covariance is ``X X^T / n``. Every sampler takes ``rng`` (``None``, a seed or a
:class:`numpy.random.Generator`) and never touches numpy's global random state.

Functions
---------
``gaussian_data(p, n, cov_eigs=None, rng=None)``
    ``X = C^{1/2} Z`` with ``C = diag(cov_eigs)`` (``p x n``).
``sample_covariance(population, n, rng=None, return_data=False)``
    ``Chat = C^{1/2} Z Z^T C^{1/2} / n`` for a population given by its eigenvalues (diagonal
    ``C``) or as a full symmetric positive semi-definite matrix.
``wigner_matrix(n, var=1.0, rng=None)``
    symmetric ``n x n`` Gaussian (GOE-type) matrix whose spectrum tends to ``semicircle(var)``.
``empirical_spectrum(M)``
    sorted eigenvalues of a symmetric matrix (``numpy.linalg.eigvalsh``).

Used by chapters 2 (``chapters/02_resolvents.md``), 3 and every chapter that simulates.

References
----------
Wigner (1955); Marchenko & Pastur (1967); Bai & Silverstein (2010); Couillet & Liao (2022),
Ch. 2.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._rng import RngLike, as_generator
from ._validation import check_array, check_bool, check_int, check_positive

__all__ = ["gaussian_data", "sample_covariance", "wigner_matrix", "empirical_spectrum"]


def gaussian_data(p: int, n: int, cov_eigs: Any = None, rng: RngLike = None) -> np.ndarray:
    """Gaussian data ``X = C^{1/2} Z`` of shape ``p x n`` (columns are i.i.d. ``N(0, C)`` samples).

    Parameters
    ----------
    p, n
        Dimension and number of samples (``>= 1``).
    cov_eigs
        Diagonal of ``C`` (length ``p``, entries ``>= 0``); ``None`` for ``C = I_p``. For a
        non-diagonal population use :func:`sample_covariance` with a matrix, or rotate ``X``.
    rng
        ``None``, a seed or a :class:`numpy.random.Generator`.

    Returns
    -------
    numpy.ndarray
        ``X`` of shape ``(p, n)``; ``X X^T / n`` is the sample covariance.

    References
    ----------
    Couillet & Liao (2022), Ch. 2. Chapters 2 and 3.
    """
    p = check_int("p", p, low=1)
    n = check_int("n", n, low=1)
    gen = as_generator(rng)
    z = gen.standard_normal((p, n))
    if cov_eigs is None:
        return z
    d = check_array("cov_eigs", cov_eigs, ndim=1, shape=(p,), low=0.0)
    return np.sqrt(d)[:, None] * z


def _population_root(population: Any) -> tuple[np.ndarray, bool]:
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


def sample_covariance(
    population: Any, n: int, rng: RngLike = None, *, return_data: bool = False
) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """Sample covariance ``Chat = X X^T / n`` with ``X = C^{1/2} Z``, ``Z`` ``p x n`` standard Gaussian.

    Parameters
    ----------
    population
        Either a vector of population eigenvalues (``C`` is then diagonal; ``p`` = its length)
        or a ``p x p`` symmetric positive semi-definite matrix ``C``.
    n
        Number of samples (``c = p / n``).
    rng
        ``None``, a seed or a :class:`numpy.random.Generator`.
    return_data
        Also return the data ``X`` (``p x n``).

    Returns
    -------
    Chat or (Chat, X)
        ``Chat`` is ``p x p`` and symmetric; its spectrum tends to
        ``rmtbook.sample_covariance_law(eigenvalues of C, p / n)``.

    References
    ----------
    Silverstein & Bai (1995); Couillet & Liao (2022), Thm 2.6. Chapters 2 and 3.
    """
    root, diagonal = _population_root(population)
    n = check_int("n", n, low=1)
    gen = as_generator(rng)
    p = root.shape[0]
    z = gen.standard_normal((p, n))
    x = root[:, None] * z if diagonal else root @ z
    chat = x @ x.T / n
    chat = 0.5 * (chat + chat.T)
    return (chat, x) if check_bool("return_data", return_data) else chat


def wigner_matrix(n: int, var: float = 1.0, rng: RngLike = None) -> np.ndarray:
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
        ``None``, a seed or a :class:`numpy.random.Generator`.

    References
    ----------
    Wigner (1955); Anderson, Guionnet & Zeitouni (2010), Ch. 2. Chapter 2.
    """
    n = check_int("n", n, low=1)
    var = check_positive("var", var)
    gen = as_generator(rng)
    g = gen.standard_normal((n, n))
    return np.sqrt(var / (2.0 * n)) * (g + g.T)


def empirical_spectrum(matrix: Any) -> np.ndarray:
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
    Chapter 2.
    """
    m = check_array("matrix", matrix, ndim=2)
    if m.shape[0] != m.shape[1]:
        raise ValueError(f"matrix must be square, got shape {m.shape}")
    if not np.allclose(m, m.T, rtol=1e-8, atol=1e-12 * max(1.0, np.abs(m).max())):
        raise ValueError("matrix must be symmetric (use numpy.linalg.eigvals for non-symmetric matrices)")
    return np.linalg.eigvalsh(m)
