"""Matrix-free spectral densities: stochastic Lanczos quadrature.

Dense eigendecomposition costs O(p^3) time and O(p^2) memory, out of reach at p = 10^5. The
spectral density of a symmetric matrix only needs products ``A @ V``: for a random unit probe
``v``, ``v^T f(A) v`` is the integral of ``f`` against a measure whose average over probes is the
empirical spectral measure, and ``k`` Lanczos steps give a ``k``-node Gauss quadrature of it
(Golub & Meurant; :cite:t:`ubaru2017fast`; :cite:t:`lin2016approximating`). Probes are run as one
block through matrix-matrix products, so a call costs ``num_steps`` products with a
``p x num_probes`` block: O(p * num_steps * num_probes) for an implicit sample covariance with a
fixed aspect ratio, against O(p^3) for ``eigvalsh``.

Used in :doc:`/chapters/03_marchenko_pastur` (spectra at scale) and by the benchmarks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union

import numpy as np
import scipy.sparse.linalg as spla

from ._rng import as_generator
from ._typing import ArrayLike, RealArray, RngLike
from ._validation import check_array, check_int, check_positive

#: A symmetric matrix given densely, as a scipy sparse matrix, or as a linear operator.
MatrixLike = Union[ArrayLike, spla.LinearOperator]

__all__ = [
    "LanczosQuadrature",
    "lanczos_quadrature",
    "stochastic_lanczos_density",
    "sample_covariance_operator",
]


_DEFAULT_STEPS = 60  # Lanczos steps when num_steps is not given (capped at p)


@dataclass(frozen=True)
class LanczosQuadrature:
    """Gauss quadrature nodes and weights of the spectral measure, one row per probe.

    Attributes
    ----------
    nodes : ndarray, shape (num_probes, num_steps)
        Ritz values of each probe's Lanczos tridiagonal matrix.
    weights : ndarray, shape (num_probes, num_steps)
        Squared first components of the Ritz vectors; each row sums to 1.
    """

    nodes: np.ndarray
    weights: np.ndarray

    def moment(self, k: int) -> float:
        """Estimate of ``(1/p) tr A^k`` (exact for ``k < 2 * num_steps`` in expectation)."""
        k = check_int("k", k, low=0)
        return float(np.mean(np.sum(self.weights * self.nodes**k, axis=1)))


def _check_sparse_entries(name: str, A: MatrixLike) -> None:
    """Refuse a scipy sparse matrix with NaN, infinite or non-real stored entries."""
    data = np.asarray(A.tocsr().data)
    if not (np.issubdtype(data.dtype, np.integer) or np.issubdtype(data.dtype, np.floating)):
        raise TypeError(f"{name} must have real entries, got dtype {data.dtype}")
    if not np.isfinite(data).all():
        raise ValueError(f"{name} must contain only finite numbers (no NaN or inf)")


def _as_operator(A: MatrixLike) -> spla.LinearOperator:
    if isinstance(A, spla.LinearOperator):
        if A.shape[0] != A.shape[1]:
            raise ValueError(f"A must be square, got shape {A.shape}")
        return A
    if hasattr(A, "tocsr") and hasattr(A, "shape"):  # scipy sparse matrix or array
        if len(A.shape) != 2 or A.shape[0] != A.shape[1]:
            raise ValueError(f"A must be square, got shape {A.shape}")
        _check_sparse_entries("A", A)
        return spla.aslinearoperator(A)
    M = check_array("A", A, ndim=2)
    if M.shape[0] != M.shape[1]:
        raise ValueError(f"A must be square, got shape {M.shape}")
    if not np.allclose(M, M.T, rtol=1e-10, atol=1e-12 * max(1.0, float(np.abs(M).max()))):
        raise ValueError("A must be symmetric")
    return spla.aslinearoperator(M)


def lanczos_quadrature(
    A: MatrixLike, *, num_probes: int = 16, num_steps: int | None = None, rng: RngLike = None
) -> LanczosQuadrature:
    """Run block stochastic Lanczos from Rademacher probes and return the quadrature rules.

    Parameters
    ----------
    A
        Symmetric ``p x p`` matrix: a numpy array, a scipy sparse matrix or a
        :class:`scipy.sparse.linalg.LinearOperator` (only ``A @ V`` is used; symmetry of an
        operator is the caller's promise).
    num_probes
        Number of random probe vectors, run together as one ``p x num_probes`` block.
    num_steps
        Lanczos steps per probe (quadrature nodes per probe), at most ``p``; default
        ``min(60, p)``.
    rng
        ``None``, a seed or a Generator (the probes).

    Returns
    -------
    LanczosQuadrature

    Notes
    -----
    No reorthogonalization is done: loss of orthogonality duplicates converged Ritz values
    ("ghosts") but leaves the quadrature of smooth functions accurate, which is what density
    estimation needs :cite:p:`ubaru2017fast`. Breakdown (an invariant subspace found before
    ``num_steps``) is handled by giving the remaining nodes zero weight.

    References
    ----------
    :cite:p:`ubaru2017fast,lin2016approximating`. Used in :doc:`/chapters/03_marchenko_pastur`.

    Examples
    --------
    >>> import numpy as np
    >>> from rmtbook import lanczos_quadrature
    >>> A = np.diag(np.arange(1.0, 101.0))
    >>> quad = lanczos_quadrature(A, num_probes=4, num_steps=20, rng=0)
    >>> quad.nodes.shape  # one Gauss rule per probe
    (4, 20)
    >>> round(quad.moment(1), 6)  # (1/p) tr A; exact here, Rademacher probes of a diagonal matrix
    50.5
    """
    op = _as_operator(A)
    p = op.shape[0]
    if p < 1:
        raise ValueError(f"A must be at least 1 x 1, got shape {op.shape}")
    num_probes = check_int("num_probes", num_probes, low=1, high=10_000)
    num_steps = min(_DEFAULT_STEPS, p) if num_steps is None else check_int("num_steps", num_steps, low=1, high=p)
    gen = as_generator(rng)
    V = gen.choice(np.array([-1.0, 1.0]), size=(p, num_probes)) / np.sqrt(p)
    alphas = np.zeros((num_probes, num_steps))
    betas = np.zeros((num_probes, num_steps))
    V_prev = np.zeros_like(V)
    beta_prev = np.zeros(num_probes)
    active = np.ones(num_probes, dtype=bool)
    scale = 0.0
    for j in range(num_steps):
        W = np.asarray(op.matmat(V))
        if W.shape != V.shape:
            raise ValueError(f"A @ V must have shape {V.shape} (A is {p} x {p}), got {W.shape}")
        if np.iscomplexobj(W) or not np.isfinite(W).all():
            raise ValueError("A must be a real finite operator: A @ V returned NaN, inf or complex values")
        W = W.astype(float)
        alpha = np.einsum("ij,ij->j", V, W)
        W -= V * alpha + V_prev * beta_prev
        beta = np.linalg.norm(W, axis=0)
        scale = max(scale, float(np.max(np.abs(alpha))), float(np.max(beta)))
        alphas[:, j] = np.where(active, alpha, 0.0)
        broke = beta <= 1e-12 * max(scale, 1e-300)
        active &= ~broke
        betas[:, j] = np.where(active, beta, 0.0)
        V_prev, beta_prev = V, np.where(active, beta, 0.0)
        V = np.where(active, W / np.where(beta > 0, beta, 1.0), 0.0)
    nodes = np.empty((num_probes, num_steps))
    weights = np.empty((num_probes, num_steps))
    # one small tridiagonal eigenproblem per probe (num_steps x num_steps): batched with eigh
    T = np.zeros((num_probes, num_steps, num_steps))
    idx = np.arange(num_steps)
    T[:, idx, idx] = alphas
    T[:, idx[:-1], idx[1:]] = betas[:, :-1]
    T[:, idx[1:], idx[:-1]] = betas[:, :-1]
    theta, U = np.linalg.eigh(T)
    nodes[:] = theta
    weights[:] = U[:, 0, :] ** 2
    # after a breakdown the trailing block is decoupled (zero beta): its first components vanish
    return LanczosQuadrature(nodes=nodes, weights=weights / weights.sum(axis=1, keepdims=True))


def stochastic_lanczos_density(
    A: MatrixLike,
    x: ArrayLike,
    *,
    num_probes: int = 16,
    num_steps: int | None = None,
    bandwidth: float | None = None,
    rng: RngLike = None,
) -> RealArray:
    """Spectral density of a symmetric matrix on the grid ``x``, matrix-free.

    The Gauss quadrature measures of :func:`lanczos_quadrature`, averaged over probes, are
    smoothed with a Gaussian kernel of width ``bandwidth``.

    Parameters
    ----------
    A
        Symmetric matrix, sparse matrix or :class:`scipy.sparse.linalg.LinearOperator`.
    x
        Grid of points (1-D array) where the density is evaluated.
    num_probes, num_steps
        Probes and Lanczos steps (cost: ``num_steps`` products ``A @ V`` with ``V`` of shape
        ``p x num_probes``); ``num_steps`` defaults to ``min(60, p)``.
    bandwidth
        Width of the Gaussian smoothing; by default ``(max - min of the Ritz values) / num_steps``,
        the resolution of a ``num_steps``-node quadrature, over the Ritz values that carry weight
        (after a breakdown the zero-weight padding nodes are ignored). When they all coincide (a
        multiple of the identity) the default is the median spacing of the sorted grid ``x``, so
        that the point mass integrates to 1 on that grid (``1e-8 (1 + |node|)`` for a one-point
        grid).
    rng
        ``None``, a seed or a Generator.

    Returns
    -------
    ndarray
        Density values on ``x`` (non-negative; integrates to about 1 over a grid covering the
        spectrum, point masses included as narrow bumps).

    References
    ----------
    :cite:p:`ubaru2017fast,lin2016approximating`. Used in :doc:`/chapters/03_marchenko_pastur`.

    Examples
    --------
    >>> import numpy as np
    >>> from rmtbook import marchenko_pastur, sample_covariance_operator, stochastic_lanczos_density
    >>> X = np.random.default_rng(0).standard_normal((400, 800))
    >>> x = np.array([0.5, 1.0, 1.5])
    >>> dens = stochastic_lanczos_density(sample_covariance_operator(X), x, rng=1)
    >>> bool(np.all(np.abs(dens - marchenko_pastur(0.5).pdf(x)) < 0.1))
    True
    """
    grid = check_array("x", x, ndim=1)
    quad = lanczos_quadrature(A, num_probes=num_probes, num_steps=num_steps, rng=rng)
    if bandwidth is None:
        # only nodes that carry weight: after a breakdown the padding nodes (zero weight, at 0)
        # would inflate the spread of a matrix far from 0 (1000 I) and blur its mass off the grid
        carried = quad.nodes[quad.weights > 1e-12 * quad.weights.max()]
        spread = float(carried.max() - carried.min())
        scale = float(np.abs(carried).max())
        if spread > 1e-12 * max(scale, np.finfo(float).tiny):
            bw = spread / quad.nodes.shape[1]
        elif grid.size > 1:
            steps = np.diff(np.sort(grid))
            steps = steps[steps > 0]
            bw = float(np.median(steps)) if steps.size else 1e-8 * (1.0 + scale)
        else:
            bw = 1e-8 * (1.0 + scale)
    else:
        bw = check_positive("bandwidth", bandwidth)
    nodes = quad.nodes.ravel()
    weights = quad.weights.ravel() / quad.nodes.shape[0]
    z = (grid[:, None] - nodes[None, :]) / bw
    return np.exp(-0.5 * z**2) @ weights / (bw * np.sqrt(2 * np.pi))


def sample_covariance_operator(X: ArrayLike) -> spla.LinearOperator:
    """The sample covariance ``X X^T / n`` as a LinearOperator, never formed.

    Parameters
    ----------
    X
        Data matrix ``p x n`` (columns are samples), dense or scipy sparse.

    Returns
    -------
    LinearOperator
        ``p x p`` symmetric operator; a product costs two multiplications by ``X``.

    References
    ----------
    Used in :doc:`/chapters/03_marchenko_pastur` and ``benchmarks/``.

    Examples
    --------
    >>> import numpy as np
    >>> from rmtbook import sample_covariance_operator
    >>> X = np.random.default_rng(0).standard_normal((3, 5))
    >>> op = sample_covariance_operator(X)
    >>> bool(np.allclose(op @ np.eye(3), X @ X.T / 5))
    True
    """
    if hasattr(X, "tocsr"):
        data = X.tocsr()
        if data.ndim != 2:
            raise ValueError("X must be a 2-D matrix")
        _check_sparse_entries("X", data)
    else:
        data = check_array("X", X, ndim=2)
    p, n = data.shape

    def matmat(V: np.ndarray) -> np.ndarray:
        return data @ (data.T @ V) / n

    return spla.LinearOperator((p, p), matvec=lambda v: matmat(v.reshape(-1, 1)).ravel(), matmat=matmat,
                               dtype=float)
