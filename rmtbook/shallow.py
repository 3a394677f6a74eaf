"""Random features ridge regression: a single-hidden-layer network with random first layer.

The model (Louart, Liao & Couillet 2018; Rahimi & Recht 2007): data ``X`` (``p x n``, columns
are samples, unit-norm columns in the book), a random first layer ``W`` (``N x p``, i.i.d.
``N(0, 1)``), features ``Sigma = phi(W X)`` (``N x n``) and a second layer trained by ridge
regression,

    beta = Sigma (Sigma^T Sigma / n + gamma I_n)^{-1} y / n,

with training error ``E_train = (1/n) ||y - Sigma^T beta||^2`` and, on new data ``Xhat``
(``nhat`` columns, features ``Sigmahat = phi(W Xhat)``), test error
``E_test = (1/nhat) ||yhat - Sigmahat^T beta||^2``.

With ``Phi = E_w[phi(X^T w) phi(w^T X)]`` (the random features kernel, ``w ~ N(0, I_p)``) the
errors are close, for ``n, N, p`` large and comparable, to deterministic equivalents built from
``Phi`` alone::

    delta = (1/n) tr Phi ((N/n) Phi / (1 + delta) + gamma I_n)^{-1},
    Psi = (N/n) Phi / (1 + delta),   Qbar = (Psi + gamma I_n)^{-1},
    E_train ~ (gamma^2/n) y^T Qbar [ theta Psi + I ] Qbar y,
    theta = (1/N) tr(Psi Qbar^2) / (1 - (1/N) tr((Psi Qbar)^2)),
    E_test  ~ (1/nhat) ||yhat - Psi_{X Xhat}^T Qbar y||^2
              + (1/N) y^T Qbar Psi Qbar y / (1 - (1/N) tr((Psi Qbar)^2))
                * [ (1/nhat) tr Psi_{Xhat Xhat}
                    - (1/nhat) tr (I + gamma Qbar) Qbar Psi_{X Xhat} Psi_{Xhat X} ],

where ``Psi_{AB} = (N/n) Phi_{AB} / (1 + delta)`` and ``Phi_{AB} = E_w[phi(A^T w) phi(w^T B)]``.
Everything is computed from one eigendecomposition of ``Phi``, vectorized over widths and
ridges (broadcast against each other).

Layer 4 of the package: imports :mod:`rmtbook.kernels` (layer 3), :mod:`rmtbook.hermite`
(layer 2), :mod:`rmtbook._validation` and :mod:`rmtbook._rng`.

References
----------
- C. Louart, Z. Liao and R. Couillet, "A random matrix approach to neural
  networks", Ann. Appl. Probab. 28 (2018), Thm 1 and Sec. 3 :cite:p:`louart2018random`.
- R. Couillet and Z. Liao, *Random Matrix Methods for Machine Learning*,
  Cambridge University Press (2022), Thm 5.1 :cite:p:`couillet2022rmt`.
- S. Mei and A. Montanari, "The generalization error of random features
  regression: precise asymptotics and the double descent curve", CPAM 75 (2022)
  :cite:p:`mei2022generalization`.
- A. Rahimi and B. Recht, "Random features for large-scale kernel machines",
  NeurIPS (2007) :cite:p:`rahimi2007random`.

Used in :doc:`/chapters/08_random_features`.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Optional

import numpy as np
from scipy import linalg

from . import kernels as _kernels
from ._results import TupleLike, mean_and_se
from . import _silverstein
from ._rng import as_generator
from ._typing import Activation, ArrayLike, RealArray, RngLike, ScalarOrArray
from ._validation import check_array, check_choice, check_data_scale, check_int, check_matching_columns
from .hermite import Activation as ActivationPair, get_activation

__all__ = [
    "RandomFeaturesErrors",
    "SimulatedRandomFeaturesErrors",
    "random_features_delta",
    "random_features_errors_from_kernel",
    "random_features_ridge_errors",
    "simulate_random_features_ridge",
    "random_features_train_test_kernels",
    "RandomFeaturesKernels",
]


# ---------------------------------------------------------------------------------------------
# Result containers
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RandomFeaturesErrors:
    """Deterministic equivalents of the training and test MSE of random features ridge.

    Attributes
    ----------
    train : float or numpy.ndarray
        Deterministic equivalent of ``E_train``; a float for scalar ``width`` and ``ridge``,
        otherwise an array of their broadcast shape.
    test : float, numpy.ndarray or None
        Deterministic equivalent of ``E_test`` (``None`` without test data).
    delta : float or numpy.ndarray
        The fixed point ``delta`` (same shape as ``train``).
    """

    train: ScalarOrArray
    test: Optional[ScalarOrArray]
    delta: ScalarOrArray


@dataclass(frozen=True)
class SimulatedRandomFeaturesErrors:
    """Empirical training and test MSE of random features ridge, over draws of ``W``.

    Attributes
    ----------
    train, train_se : float or numpy.ndarray
        Mean over draws of the training MSE and its standard error
        (sample standard deviation over ``sqrt(num_draws)``); shape of ``ridge``.
    test, test_se : float, numpy.ndarray or None
        The same for the test MSE (``None`` without test data).
    train_draws, test_draws : numpy.ndarray or None
        All draws, shape ``(num_draws,) + ridge.shape``.
    """

    train: ScalarOrArray
    train_se: ScalarOrArray
    test: Optional[ScalarOrArray]
    test_se: Optional[ScalarOrArray]
    train_draws: RealArray
    test_draws: Optional[RealArray]


@dataclass(frozen=True)
class RandomFeaturesKernels(TupleLike):
    """Kernel blocks of the random features equivalents (:func:`random_features_train_test_kernels`).

    Unpacks and indexes like the former tuple: ``Phi, Phi_cross, Phi_test_diag = kernels``.

    Attributes
    ----------
    Phi : numpy.ndarray
        ``n x n`` kernel of the training data.
    Phi_cross : numpy.ndarray or None
        ``n x nhat`` cross kernel ``Phi_{X Xhat}`` (``None`` without test data).
    Phi_test_diag : numpy.ndarray or None
        Diagonal of ``Phi_{Xhat Xhat}``, length ``nhat`` (``None`` without test data).
    """

    Phi: RealArray
    Phi_cross: Optional[RealArray]
    Phi_test_diag: Optional[RealArray]


# ---------------------------------------------------------------------------------------------
# Validation helpers
# ---------------------------------------------------------------------------------------------
def _targets(name: str, y: ArrayLike, n: int, x_name: str, X: np.ndarray) -> np.ndarray:
    """Targets as an ``n x k`` array (a vector becomes one column)."""
    arr = check_array(name, y, ndim=(1, 2))
    check_matching_columns(x_name, X, name, arr)
    return arr.reshape(n, -1)


def _widths_and_ridges(width: ArrayLike, ridge: ArrayLike) -> tuple[np.ndarray, np.ndarray, tuple[int, ...]]:
    w = check_array("width", width, low=0.0, low_open=True)
    r = check_array("ridge", ridge, low=0.0, low_open=True)
    try:
        shape = np.broadcast_shapes(w.shape, r.shape)
    except ValueError as exc:
        raise ValueError(f"width (shape {w.shape}) and ridge (shape {r.shape}) must broadcast together") from exc
    return np.broadcast_to(w, shape).ravel(), np.broadcast_to(r, shape).ravel(), shape


def _shaped(values: np.ndarray, shape: tuple[int, ...]) -> ScalarOrArray:
    out = values.reshape(shape)
    return float(out) if out.ndim == 0 else out


# ---------------------------------------------------------------------------------------------
# Fixed point
# ---------------------------------------------------------------------------------------------
def _solve_delta(lam: np.ndarray, n: int, alpha: np.ndarray, gamma: np.ndarray) -> np.ndarray:
    """Solve ``delta = (1/n) sum_k lam_k / (alpha lam_k / (1 + delta) + gamma)`` for each pair.

    This is the Silverstein equation of the package's one solver (:mod:`rmtbook._silverstein`):
    dividing by ``alpha``, ``delta = (n/N) (1/n) sum_k lam_k / (lam_k / (1 + delta) - z)`` with
    ``z = -gamma / alpha``, i.e. the deterministic-equivalent ``delta(z)`` of a population with
    spectrum ``lam`` at ratio ``n / N``; so ``1 + delta = u(z) / z`` with ``u`` the real root on
    the branch left of the spectrum (a monotone Newton method, vectorized over the pairs), and
    ``delta = (n/N) (u / z) sum_k w_k lam_k / (lam_k - u)`` is evaluated without cancellation.
    Zero eigenvalues (a rank-deficient kernel) do not enter the sum.
    """
    # delta is invariant under (lam, gamma) -> (lam, gamma) / s: solve at s = max lam, so that
    # kernels of any scale (1e+-300) give the same iteration (no inf / inf = nan)
    top = float(lam.max()) if lam.size and lam.max() > 0 else 1.0
    with np.errstate(over="ignore", under="ignore", divide="ignore"):
        g = gamma / top
        z = -g / alpha
    if not np.all(g > 0):
        raise ValueError(
            "ridge is too small relative to the kernel: ridge / (largest eigenvalue of Phi) "
            f"underflows (largest eigenvalue {top:g}); use ridge >= 1e-300 times it"
        )
    pos = lam[lam > 0] / top
    if pos.size == 0:
        return np.zeros(z.shape)
    # alpha lam / gamma below 1e-250 (a vanishing width): delta = tr(Phi) / (n gamma) to rounding
    far = ~(np.abs(z) < 1e250)
    if np.any(far):
        out = np.empty(z.shape)
        out[far] = np.sum(lam / top) / (lam.size * g[far])
        if not np.all(far):
            out[~far] = _solve_delta(lam, n, alpha[~far], gamma[~far])
        return out
    w0 = 1.0 - pos.size / lam.size  # zero eigenvalues: the positive part has ratio c (1 - w0)
    t, w = np.unique(pos, return_counts=True)
    w = w / w.sum()
    c = (1.0 / alpha) * (1.0 - w0)
    u = _silverstein.lower_branch_u(z, t, w, c)
    s = (1.0 / (t[None, :] - u[:, None])) @ (w * t)
    return c * s * (u / z)


def random_features_delta(eigenvalues: ArrayLike, width: ArrayLike, ridge: ArrayLike) -> ScalarOrArray:
    """The fixed point ``delta`` of random features ridge regression, from the spectrum of ``Phi``.

    Solves ``delta = (1/n) tr Phi ((N/n) Phi / (1 + delta) + gamma I_n)^{-1}`` with ``N = width``,
    ``gamma = ridge`` and ``n = len(eigenvalues)``: the Silverstein equation of a population
    with spectrum ``Phi`` at ratio ``n / N`` and ``z = -gamma N / n``, solved by the package's one
    solver (:mod:`rmtbook._silverstein`, a monotone Newton method on the real branch).

    Parameters
    ----------
    eigenvalues
        Eigenvalues of the ``n x n`` kernel ``Phi`` (non-negative; tiny negative values from
        rounding, down to ``-1e-10 max``, are set to zero).
    width, ridge
        Number of random features ``N > 0`` and ridge ``gamma > 0``; arrays broadcast together.

    Returns
    -------
    float or numpy.ndarray
        ``delta``, of the broadcast shape of ``width`` and ``ridge``.

    References
    ----------
    :cite:p:`louart2018random`, Thm 1. Used in :doc:`/chapters/08_random_features`.

    Examples
    --------
    >>> from rmtbook import random_features_delta
    >>> delta = random_features_delta([1.0, 1.0, 1.0, 1.0], width=4, ridge=1.0)
    >>> round(delta, 6)  # solves delta = 1 / (1 / (1 + delta) + 1)
    0.618034
    """
    lam = _clean_eigenvalues(check_array("eigenvalues", eigenvalues, ndim=1), "eigenvalues")
    widths, ridges, shape = _widths_and_ridges(width, ridge)
    n = lam.size
    return _shaped(_solve_delta(lam, n, widths / n, ridges), shape)


def _clean_eigenvalues(lam: np.ndarray, name: str) -> np.ndarray:
    top = max(float(np.max(np.abs(lam))), 1e-300)
    if lam.min() < -1e-10 * top:
        raise ValueError(
            f"{name}: the kernel matrix must be positive semi-definite; it has an eigenvalue {lam.min():g} "
            f"(largest in modulus {top:g})"
        )
    return np.clip(lam, 0.0, None)


# ---------------------------------------------------------------------------------------------
# Deterministic equivalents from kernel matrices
# ---------------------------------------------------------------------------------------------
def random_features_errors_from_kernel(
    Phi: ArrayLike,
    y: ArrayLike,
    width: ArrayLike,
    ridge: ArrayLike,
    *,
    Phi_cross: Optional[ArrayLike] = None,
    Phi_test_diag: Optional[ArrayLike] = None,
    y_test: Optional[ArrayLike] = None,
) -> RandomFeaturesErrors:
    """Deterministic equivalents of the train (and test) MSE of random features ridge from kernels.

    This is the formula layer of :func:`random_features_ridge_errors`: it takes the kernel
    matrices as inputs, so that any kernel (exact, linear equivalent, Monte Carlo estimate) can
    be plugged in.

    Parameters
    ----------
    Phi
        ``n x n`` kernel ``Phi = E_w[phi(X^T w) phi(w^T X)]`` of the training data (symmetric,
        positive semi-definite).
    y
        Training targets: length ``n``, or ``n x k`` for ``k`` outputs (the MSE then sums the
        outputs: ``(1/n) ||Y - Sigma^T B||_F^2``).
    width
        Number of random features ``N`` (``> 0``; need not be an integer in the formula).
    ridge
        Ridge ``gamma > 0``. ``width`` and ``ridge`` broadcast together; the formulas are
        vectorized over their broadcast shape.
    Phi_cross
        ``n x nhat`` cross kernel ``Phi_{X Xhat} = E_w[phi(X^T w) phi(w^T Xhat)]`` (test data).
    Phi_test_diag
        Diagonal of ``Phi_{Xhat Xhat}`` (length ``nhat``; only its trace enters).
    y_test
        Test targets, length ``nhat`` (or ``nhat x k``).

    Returns
    -------
    RandomFeaturesErrors
        ``.train``, ``.test`` (``None`` without test kernels), ``.delta``.

    Notes
    -----
    With ``Phi = U diag(lam) U^T``, ``Psi`` and ``Qbar`` are diagonal in the basis ``U``:
    ``psi_k = (N/n) lam_k / (1 + delta)``, ``Qbar_kk = 1 / (psi_k + gamma)``. The denominator
    ``1 - (1/N) tr((Psi Qbar)^2)`` is positive because ``(1/N) tr(Psi Qbar) = delta / (1 + delta)
    < 1`` by the fixed-point equation and ``0 <= psi_k / (psi_k + gamma) < 1``.

    References
    ----------
    :cite:p:`louart2018random`, Thm 1 and Sec. 3; :cite:p:`couillet2022rmt`, Thm 5.1.
    Used in :doc:`/chapters/08_random_features`.

    Examples
    --------
    >>> import numpy as np
    >>> from rmtbook import random_features_errors_from_kernel
    >>> Phi, y = np.eye(4), np.array([1.0, -1.0, 1.0, -1.0])
    >>> err = random_features_errors_from_kernel(Phi, y, width=[2.0, 8.0], ridge=0.1)
    >>> err.train.shape, bool(err.train[1] < err.train[0])  # more features fit better
    ((2,), True)
    >>> err.test is None
    True
    """
    K = check_array("Phi", Phi, ndim=2)
    n = K.shape[0]
    if K.shape != (n, n):
        raise ValueError(f"Phi must be a square n x n matrix, got shape {K.shape}")
    if not np.allclose(K, K.T, rtol=1e-10, atol=1e-12 * max(1.0, float(np.abs(K).max()))):
        raise ValueError("Phi must be symmetric")
    Y = _targets("y", y, n, "Phi", K)
    widths, ridges, shape = _widths_and_ridges(width, ridge)
    given = [v is not None for v in (Phi_cross, Phi_test_diag, y_test)]
    if any(given) and not all(given):
        raise ValueError("test errors need all of Phi_cross, Phi_test_diag and y_test")

    lam, U = np.linalg.eigh(0.5 * (K + K.T))
    lam = _clean_eigenvalues(lam, "Phi")
    # eigenvalues below eigh's rounding floor are 0: a rank-deficient kernel (identical samples)
    # then has a stable ridge -> 0 limit instead of drifting once the ridge passes the noise
    lam = np.where(lam <= _rounding_floor(lam, n), 0.0, lam)
    alpha = widths / n
    delta = _solve_delta(lam, n, alpha, ridges)
    scale = alpha / (1.0 + delta)                      # (G,)
    psi = scale[:, None] * lam[None, :]                # (G, n)
    g = psi + ridges[:, None]                          # (G, n): eigenvalues of Qbar^{-1}
    Yt = U.T @ Y                                       # (n, k)
    w = (Yt**2).sum(axis=1)                            # (n,)
    t1 = ((psi / g) / g).sum(axis=1) / widths          # (1/N) tr Psi Qbar^2 (no g^2 overflow)
    t2 = ((psi / g) ** 2).sum(axis=1) / widths         # (1/N) tr (Psi Qbar)^2
    denom = 1.0 - t2
    # (gamma / g)^2 in [0, 1] instead of gamma^2 / g^2: no overflow at huge ridges (inf * 0 = nan)
    rg = ridges[:, None] / g
    train = (w[None, :] * (1.0 + (t1 / denom)[:, None] * psi) * rg**2).sum(axis=1) / n

    test = None
    if all(given):
        C = check_array("Phi_cross", Phi_cross, ndim=2)
        if C.shape[0] != n:
            raise ValueError(f"Phi_cross must have shape (n, nhat) with n = {n} rows, got {C.shape}")
        nhat = C.shape[1]
        d = check_array("Phi_test_diag", Phi_test_diag, ndim=1, low=0.0)
        if d.shape[0] != nhat:
            raise ValueError(f"Phi_test_diag must have length nhat = {nhat} (columns of Phi_cross), got {d.shape[0]}")
        Yh = check_array("y_test", y_test, ndim=(1, 2))
        if Yh.shape[0] != nhat:
            raise ValueError(f"y_test must have one entry per test sample ({nhat}), got length {Yh.shape[0]}")
        Yh = Yh.reshape(nhat, -1)
        if Yh.shape[1] != Y.shape[1]:
            raise ValueError(f"y_test must have as many outputs as y ({Y.shape[1]}), got {Yh.shape[1]}")
        B = U.T @ C                                                   # (n, nhat)
        coeffs = Yt[None, :, :] / g[:, :, None]                       # (G, n, k): U^T Qbar y
        pred = scale[:, None, None] * np.matmul(B.T[None, :, :], coeffs)  # (G, nhat, k)
        bias = ((Yh[None, :, :] - pred) ** 2).sum(axis=(1, 2)) / nhat
        # energy = (1/N) y^T Qbar Psi Qbar y and the bracket below are written per unit of
        # scale = (N/n) / (1 + delta): scale^2 overflowed for huge widths (inf * 0 = nan)
        energy_per_scale = (w[None, :] * (psi / g) / g).sum(axis=1) / (n * (1.0 + delta))
        b = (B**2).sum(axis=1)                                        # (n,) diag of U^T Phi_c Phi_c^T U
        cross_per_scale = ((1.0 + ridges[:, None] / g) * (scale[:, None] / g) * b[None, :]).sum(axis=1) / nhat
        test = bias + energy_per_scale / denom * (d.mean() - cross_per_scale)
        test = _shaped(test, shape)
    return RandomFeaturesErrors(train=_shaped(train, shape), test=test, delta=_shaped(delta, shape))


# ---------------------------------------------------------------------------------------------
# From data and an activation
# ---------------------------------------------------------------------------------------------
def random_features_train_test_kernels(
    X: ArrayLike, activation: Activation, X_test: Optional[ArrayLike] = None, *, kernel: str = "exact"
) -> RandomFeaturesKernels:
    """Kernel blocks needed by the deterministic equivalents: ``Phi``, ``Phi_{X Xhat}``, ``diag Phi_{Xhat Xhat}``.

    The cross kernel ``Phi_{X Xhat} = E_w[phi(X^T w) phi(w^T Xhat)]`` is an off-diagonal block
    of the kernel of the concatenated data ``[X, Xhat]``: this function computes
    :func:`rmtbook.kernels.random_features_kernel` (or its linear equivalent) once on
    ``[X, Xhat]`` and slices it.

    Parameters
    ----------
    X
        ``p x n`` training data.
    activation
        Activation (name or callable, see :func:`rmtbook.hermite.get_activation`).
    X_test
        ``p x nhat`` test data, or ``None``.
    kernel
        ``"exact"`` (:func:`rmtbook.kernels.random_features_kernel`) or ``"linear"``
        (:func:`rmtbook.kernels.random_features_kernel_linear_equivalent`, whose linearization
        assumes unit-norm columns).

    Returns
    -------
    RandomFeaturesKernels
        ``.Phi``, ``.Phi_cross`` and ``.Phi_test_diag`` (the last two ``None`` without test
        data); unpacks as ``Phi, Phi_cross, Phi_test_diag``.

    References
    ----------
    :cite:p:`louart2018random,liao2025rmtdl`. Used in :doc:`/chapters/08_random_features`.

    Examples
    --------
    >>> import numpy as np
    >>> from rmtbook import random_features_train_test_kernels
    >>> X = np.eye(3)[:, :2]
    >>> Phi, Phi_cross, Phi_test_diag = random_features_train_test_kernels(X, "relu", np.eye(3)[:, 2:])
    >>> Phi.shape, Phi_cross.shape, Phi_test_diag.shape
    ((2, 2), (2, 1), (1,))
    >>> np.round(Phi, 4)  # the arc-cosine kernel of orthonormal points: 1/2 and 1/(2 pi)
    array([[0.5   , 0.1592],
           [0.1592, 0.5   ]])
    """
    kind = check_choice("kernel", kernel, ("exact", "linear"))
    X = check_array("X", X, ndim=2)
    fn = (
        _kernels.random_features_kernel
        if kind == "exact"
        else _kernels.random_features_kernel_linear_equivalent
    )
    if X_test is None:
        return RandomFeaturesKernels(Phi=_finite_kernel(fn(X, activation), "X"), Phi_cross=None, Phi_test_diag=None)
    Xt = check_data_scale("X_test", check_array("X_test", X_test, ndim=2))
    if Xt.shape[0] != X.shape[0]:
        raise ValueError(f"X_test must have p = {X.shape[0]} rows like X, got shape {Xt.shape}")
    n = X.shape[1]
    full = fn(np.concatenate([X, Xt], axis=1), activation)
    _finite_kernel(full[:n, :n], "X")
    _finite_kernel(full[:, n:], "X_test")
    return RandomFeaturesKernels(Phi=full[:n, :n], Phi_cross=full[:n, n:], Phi_test_diag=np.diag(full)[n:].copy())


def _finite_kernel(K: np.ndarray, name: str) -> np.ndarray:
    """Refuse a kernel block that over- or underflowed, naming the data it came from."""
    if not np.isfinite(K).all():
        raise ValueError(
            f"{name}: the random features kernel of this data is not finite (entries of {name} too "
            f"large for the activation: its Gaussian expectations overflow); rescale {name}"
        )
    return K


def _check_model_inputs(
    X: ArrayLike,
    y: ArrayLike,
    activation: Activation,
    X_test: Optional[ArrayLike],
    y_test: Optional[ArrayLike],
) -> tuple[np.ndarray, np.ndarray, ActivationPair, Optional[np.ndarray], Optional[np.ndarray]]:
    X = check_array("X", X, ndim=2)
    n = X.shape[1]
    Y = _targets("y", y, n, "X", X)
    act = get_activation(activation)
    if (X_test is None) != (y_test is None):
        raise ValueError("give both X_test and y_test, or neither")
    Xt = Yt = None
    if X_test is not None:
        Xt = check_array("X_test", X_test, ndim=2)
        if Xt.shape[0] != X.shape[0]:
            raise ValueError(f"X_test must have p = {X.shape[0]} rows like X, got shape {Xt.shape}")
        Yt = _targets("y_test", y_test, Xt.shape[1], "X_test", Xt)
        if Yt.shape[1] != Y.shape[1]:
            raise ValueError(f"y_test must have as many outputs as y ({Y.shape[1]}), got {Yt.shape[1]}")
    return X, Y, act, Xt, Yt


def random_features_ridge_errors(
    X: ArrayLike,
    y: ArrayLike,
    activation: Activation,
    width: ArrayLike,
    ridge: ArrayLike,
    X_test: Optional[ArrayLike] = None,
    y_test: Optional[ArrayLike] = None,
    *,
    kernel: str = "exact",
) -> RandomFeaturesErrors:
    """Deterministic equivalents of the training and test MSE of random features ridge regression.

    Model: ``Sigma = phi(W X)`` with ``W`` (``width x p``) i.i.d. ``N(0, 1)``,
    ``beta = Sigma (Sigma^T Sigma / n + ridge I_n)^{-1} y / n``; training MSE
    ``(1/n) ||y - Sigma^T beta||^2``, test MSE ``(1/nhat) ||y_test - phi(W X_test)^T beta||^2``.
    The equivalents (module docstring) depend on the data only through the random features
    kernel ``Phi``, computed once per call (on ``[X, X_test]`` when there is test data).

    Parameters
    ----------
    X
        ``p x n`` training data, columns are samples (unit-norm columns in the book; the formula
        with the exact kernel does not need it, the linear-equivalent kernel does).
    y
        Targets, length ``n`` (or ``n x k``).
    activation
        A name from :data:`rmtbook.hermite.ACTIVATIONS` or a callable.
    width
        Number of random features ``N > 0``.
    ridge
        Ridge ``gamma > 0``; ``width`` and ``ridge`` may be arrays that broadcast together.
    X_test, y_test
        Optional test data (``p x nhat``) and targets.
    kernel
        ``"exact"`` kernel or its ``"linear"`` equivalent (see
        :func:`random_features_train_test_kernels`).

    Returns
    -------
    RandomFeaturesErrors
        ``.train``, ``.test`` (``None`` without test data), ``.delta``.

    Raises
    ------
    ValueError
        Mismatched shapes, ``width <= 0``, ``ridge <= 0``, unknown activation or kernel, test
        data without targets.

    References
    ----------
    :cite:p:`louart2018random`, Thm 1 and Sec. 3; :cite:p:`couillet2022rmt`, Thm 5.1;
    :cite:p:`mei2022generalization`. Used in :doc:`/chapters/08_random_features`.

    Examples
    --------
    >>> import numpy as np
    >>> from rmtbook import random_features_ridge_errors
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((10, 40))
    >>> X /= np.linalg.norm(X, axis=0)
    >>> y = np.sign(X[0])
    >>> err = random_features_ridge_errors(X, y, "relu", width=80, ridge=0.1)
    >>> 0.0 < err.train < 1.0
    True
    """
    X, Y, act, Xt, Yt = _check_model_inputs(X, y, activation, X_test, y_test)
    _widths_and_ridges(width, ridge)  # fail early, before the kernel is computed
    Phi, Phi_c, d = random_features_train_test_kernels(X, act, Xt, kernel=kernel)
    return random_features_errors_from_kernel(
        Phi, Y if np.ndim(y) == 2 else Y[:, 0], width, ridge,
        Phi_cross=Phi_c, Phi_test_diag=d,
        y_test=None if Yt is None else (Yt if np.ndim(y_test) == 2 else Yt[:, 0]),
    )


# ---------------------------------------------------------------------------------------------
# Simulation
# ---------------------------------------------------------------------------------------------
def _rounding_floor(eigenvalues: np.ndarray, size: int) -> float:
    """Level below which eigenvalues of a computed PSD Gram matrix are rounding noise.

    ``eigh`` of a ``size x size`` symmetric matrix is accurate to about ``size * eps * ||M||``
    in absolute terms: eigenvalues below that are indistinguishable from 0. Treating them as 0
    makes the ridge -> 0 limit of a rank-deficient kernel (e.g. identical samples) stable.
    """
    top = float(np.max(np.abs(eigenvalues))) if eigenvalues.size else 0.0
    return size * np.finfo(float).eps * top


def _spectral_solve(M: np.ndarray, rhs: np.ndarray, gam: np.ndarray, *, in_range: bool) -> np.ndarray:
    """``(M + gamma I)^{-1} rhs`` for every ridge, through one eigendecomposition of the PSD ``M``.

    Eigenvalues below the rounding floor are set to 0; with ``in_range`` (``rhs`` lies in the
    range of ``M``) the components of ``rhs`` on those null directions are rounding noise and
    are dropped, so a ridge far below the floor does not amplify them. Returns ``(G, size, k)``.
    """
    mu, U = np.linalg.eigh(M)
    mu = np.where(mu <= _rounding_floor(mu, M.shape[0]), 0.0, mu)
    coef = U.T @ rhs                                                  # (size, k)
    if in_range:
        coef = np.where((mu > 0)[:, None], coef, 0.0)
    return np.matmul(U[None, :, :], coef[None, :, :] / (mu[None, :] + gam[:, None])[:, :, None])


def _fit_draw(
    S: np.ndarray, St: Optional[np.ndarray], Y: np.ndarray, gam: np.ndarray, n: int
) -> tuple[np.ndarray, Optional[np.ndarray]]:
    """Training residuals ``Y - S^T beta`` and test predictions ``St^T beta`` for every ridge.

    ``beta = (S S^T / n + gamma I_N)^{-1} S Y / n = S (S^T S / n + gamma I_n)^{-1} Y / n``: the
    smaller of the two Gram matrices is factorized (Cholesky for one ridge well above the
    rounding floor of the Gram matrix, one symmetric eigendecomposition shared by all ridges
    otherwise; a rank-deficient Gram matrix, e.g. from identical samples, with a ridge below
    its rounding floor takes the eigendecomposition path instead of a singular Cholesky).
    Returns arrays of shape ``(G, n, k)`` and ``(G, nhat, k)``.
    """
    N = S.shape[0]
    primal = N < n
    M = S @ S.T / n if primal else S.T @ S / n
    rhs = S @ Y / n if primal else Y                                  # beta or alpha system
    size = M.shape[0]
    solution = None
    if gam.size == 1 and gam[0] > 1e3 * size * np.finfo(float).eps * float(np.trace(M)):
        try:
            solution = linalg.solve(M + gam[0] * np.eye(size), rhs, assume_a="pos")[None, :, :]
        except linalg.LinAlgError:
            solution = None
    if solution is None:
        solution = _spectral_solve(M, rhs, gam, in_range=primal)
    if primal:
        beta = solution
        residual = Y[None, :, :] - np.matmul(S.T[None, :, :], beta)
        pred = None if St is None else np.matmul(St.T[None, :, :], beta)
        return residual, pred
    # dual: residual = gamma (S^T S / n + gamma I)^{-1} Y, without cancellation
    alpha = solution
    residual = gam[:, None, None] * alpha
    pred = None if St is None else np.matmul((St.T @ S)[None, :, :] / n, alpha)
    return residual, pred


def simulate_random_features_ridge(
    X: ArrayLike,
    y: ArrayLike,
    activation: Activation,
    width: int,
    ridge: ArrayLike,
    X_test: Optional[ArrayLike] = None,
    y_test: Optional[ArrayLike] = None,
    *,
    num_draws: int = 5,
    rng: RngLike = None,
) -> SimulatedRandomFeaturesErrors:
    """Empirical training and test MSE of random features ridge regression over draws of ``W``.

    For each draw of ``W`` (``width x p``, i.i.d. ``N(0, 1)``) the features ``Sigma = phi(W X)``
    are formed once and the smaller of ``Sigma Sigma^T / n`` (``N x N``) and
    ``Sigma^T Sigma / n`` (``n x n``) is factorized: a Cholesky solve for a single ridge, one
    eigendecomposition shared by all ridges otherwise (then every ridge costs matrix products
    only). For ``N >= n`` the training residual is computed as ``gamma (Sigma^T Sigma / n +
    gamma I_n)^{-1} y``, without cancellation even when it is tiny.

    Parameters
    ----------
    X, y, activation, X_test, y_test
        As in :func:`random_features_ridge_errors`.
    width
        Number of random features ``N``, a positive integer.
    ridge
        Ridge ``gamma > 0`` (scalar or array: every ridge uses the same draws).
    num_draws
        Number of independent draws of ``W`` (at least 2, for the standard error).
    rng
        ``None``, a seed or a :class:`numpy.random.Generator`.

    Returns
    -------
    SimulatedRandomFeaturesErrors
        Means over draws, standard errors, and all draws.

    References
    ----------
    :cite:p:`louart2018random,rahimi2007random`. Used in :doc:`/chapters/08_random_features`.

    Examples
    --------
    >>> import numpy as np
    >>> from rmtbook import random_features_ridge_errors, simulate_random_features_ridge
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((10, 40))
    >>> X /= np.linalg.norm(X, axis=0)
    >>> y = np.sign(X[0])
    >>> sim = simulate_random_features_ridge(X, y, "relu", 80, 0.1, num_draws=20, rng=1)
    >>> theory = random_features_ridge_errors(X, y, "relu", 80, 0.1).train
    >>> bool(abs(sim.train - theory) < 4 * sim.train_se + 0.1 * theory)  # within the fluctuations
    True
    """
    X, Y, act, Xt, Yt = _check_model_inputs(X, y, activation, X_test, y_test)
    N = check_int("width", width, low=1)
    gammas = check_array("ridge", ridge, low=0.0, low_open=True)
    shape = gammas.shape
    gam = gammas.ravel()
    num_draws = check_int("num_draws", num_draws, low=2)
    gen = as_generator(rng)
    p, n = X.shape
    train = np.empty((num_draws, gam.size))
    test = None if Xt is None else np.empty((num_draws, gam.size))
    nhat = None if Xt is None else Xt.shape[1]
    for draw in range(num_draws):  # loop over independent experiments, not over grid points
        W = gen.standard_normal((N, p))
        with np.errstate(over="ignore", invalid="ignore"):
            S = np.asarray(act.fn(W @ X), dtype=float)        # N x n
            St = None if Xt is None else np.asarray(act.fn(W @ Xt), dtype=float)  # N x nhat
        for name, F in (("X", S), ("X_test", St)):
            # features (or their Gram matrices) beyond the double range: refuse, naming the data
            if F is not None and not (np.isfinite(F).all() and np.abs(F).max() < 1e150):
                raise ValueError(
                    f"{name}: the random features phi(W {name}) are not finite or too large to square "
                    f"(|entries| of 1e150 or more); rescale {name}"
                )
        residual, pred = _fit_draw(S, St, Y, gam, n)
        train[draw] = (residual**2).sum(axis=(1, 2)) / n
        if Xt is not None:
            test[draw] = ((Yt[None, :, :] - pred) ** 2).sum(axis=(1, 2)) / nhat

    def summary(values: np.ndarray) -> tuple[ScalarOrArray, ScalarOrArray, np.ndarray]:
        mean, se = mean_and_se(values)
        return _shaped(mean, shape), _shaped(se, shape), values.reshape((num_draws,) + shape)

    tr_mean, tr_se, tr_all = summary(train)
    if test is None:
        return SimulatedRandomFeaturesErrors(tr_mean, tr_se, None, None, tr_all, None)
    te_mean, te_se, te_all = summary(test)
    return SimulatedRandomFeaturesErrors(tr_mean, tr_se, te_mean, te_se, tr_all, te_all)
