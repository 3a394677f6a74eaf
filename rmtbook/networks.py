"""Finite-width random networks: features, empirical kernels, gradients and training.

A fully connected network without biases, with i.i.d. standard Gaussian weights and the
*fan-in* (NTK) scaling, acting on the columns of a data matrix ``X`` (``p x n``):

.. math::

    Z_1 = W_1 X,\\qquad
    Z_\\ell = \\frac{1}{\\sqrt{d_{\\ell-1}}} W_\\ell \\Sigma_{\\ell-1}\\ (\\ell \\ge 2),\\qquad
    \\Sigma_\\ell = \\varphi_\\ell(Z_\\ell),\\qquad
    f(X) = \\frac{1}{\\sqrt{d_L}} v^\\top \\Sigma_L,

with ``W_l`` of shape ``d_l x d_{l-1}`` (``d_0 = p``) and ``v`` of length ``d_L``.

**Scaling convention.** The first layer carries no ``1/sqrt(p)``: the data's own norm sets the
scale, so that the pre-activations of layer 1 have covariance ``K_0 = X^T X`` across samples
(unit-variance pre-activations for unit-norm columns). Every later layer divides by the square
root of its fan-in, so that conditionally on ``Sigma_{l-1}`` the pre-activations of layer ``l``
have covariance ``Sigma_{l-1}^T Sigma_{l-1} / d_{l-1}``. As the widths grow, the empirical
conjugate kernel ``Sigma_L^T Sigma_L / d_L`` tends to the infinite-width recursion
``K_l(i, j) = E[phi_l(u) phi_l(v)]``, ``(u, v) ~ N(0, K_{l-1}[{i, j}])`` started at
``K_0 = X^T X`` (:func:`rmtbook.deep.conjugate_kernel`), and the empirical neural tangent kernel
``J J^T`` (``J`` the Jacobian of the outputs with respect to all weights, readout included) tends
to ``Theta_L`` with ``Theta_0 = K_0`` and ``Theta_l = K_l + Theta_{l-1} * Kdot_l``
(:func:`rmtbook.deep.neural_tangent_kernel`). Both limits fluctuate at order ``d^{-1/2}`` entrywise.

Gradients are computed by explicit back-propagation, vectorized over samples: with
``Delta_L = (v / sqrt(d_L)) * phi_L'(Z_L)`` and
``Delta_{l-1} = s_{l-1} (W_l^T Delta_l) * phi_{l-1}'(Z_{l-1})`` (``s_0 = 1``,
``s_l = d_l^{-1/2}``), the gradient of ``f(x_i)`` with respect to ``W_l`` is
``s_{l-1} Delta_l[:, i] Sigma_{l-1}[:, i]^T``, so that

.. math::

    \\Theta = \\frac{1}{d_L}\\Sigma_L^\\top\\Sigma_L
      + \\sum_{\\ell=1}^{L} s_{\\ell-1}^2\\,(\\Delta_\\ell^\\top\\Delta_\\ell)\\odot
        (\\Sigma_{\\ell-1}^\\top\\Sigma_{\\ell-1}).

Used in :doc:`/chapters/09_deep_conjugate_kernels` and :doc:`/chapters/10_ntk`. Layer 4: imports
:mod:`rmtbook.hermite` (activations) and the bottom layer only.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Optional, Union

import numpy as np

from . import hermite as _hermite
from ._results import TupleLike
from ._rng import as_generator
from ._typing import Activation, ArrayLike, RealArray, RngLike
from ._validation import (
    check_array,
    check_bool,
    check_int,
    check_positive,
    check_scalar,
    check_vectorized_callable,
    deprecated_alias,
)

__all__ = [
    "MLPParams",
    "ForwardPass",
    "LinearizedPredictions",
    "TrainingHistory",
    "init_mlp",
    "mlp_forward",
    "mlp_output",
    "mlp_jacobian",
    "mlp_ntk",
    "random_network_features",
    "empirical_conjugate_kernel",
    "empirical_ntk",
    "linearized_gd_predictions",
    "train_mlp_gd",
]

ActivationLike = Activation
Activations = Union[Activation, Sequence[Activation]]
Widths = Union[int, Sequence[int]]

_MAX_JACOBIAN_ENTRIES = 50_000_000


@dataclass(frozen=True)
class MLPParams(TupleLike):
    """Weights of a bias-free fully connected network with a linear readout.

    A frozen dataclass (formerly a named tuple): it still unpacks as ``weights, readout =
    params``.

    Attributes
    ----------
    weights : tuple of numpy.ndarray
        ``(W_1, ..., W_L)``; ``W_l`` has shape ``d_l x d_{l-1}`` with ``d_0 = p``.
    readout : numpy.ndarray
        The readout vector ``v`` of length ``d_L``.
    """

    weights: tuple[np.ndarray, ...]
    readout: np.ndarray

    @property
    def widths(self) -> tuple[int, ...]:
        """Hidden widths ``(d_1, ..., d_L)``."""
        return tuple(w.shape[0] for w in self.weights)

    @property
    def input_dim(self) -> int:
        """Input dimension ``p``."""
        return self.weights[0].shape[1]

    @property
    def num_params(self) -> int:
        """Total number of parameters (weights and readout)."""
        return int(sum(w.size for w in self.weights) + self.readout.size)

    @property
    def n_params(self) -> int:
        """Deprecated spelling of :attr:`num_params` (the package spells counts ``num_*``)."""
        deprecated_alias("MLPParams.n_params", "MLPParams.num_params")
        return self.num_params


@dataclass(frozen=True)
class ForwardPass(TupleLike):
    """Pre- and post-activations of a forward pass. Unpacks as ``Z, S = forward``.

    Attributes
    ----------
    Z : list of numpy.ndarray
        Pre-activations ``[Z_1, ..., Z_L]`` (``d_l x n`` each).
    S : list of numpy.ndarray
        Post-activations ``[X, Sigma_1, ..., Sigma_L]`` (the input first).
    """

    Z: list[RealArray]
    S: list[RealArray]


@dataclass(frozen=True)
class LinearizedPredictions(TupleLike):
    """Predictions of the linearized network along training. Unpacks as ``train, test``.

    Attributes
    ----------
    train : numpy.ndarray
        ``len(times) x n`` predictions on the training data.
    test : numpy.ndarray or None
        ``len(times) x m`` predictions on the test data (``None`` without test data).
    """

    train: RealArray
    test: Optional[RealArray]


@dataclass(frozen=True)
class TrainingHistory:
    """Recorded predictions of a network trained by gradient descent (:func:`train_mlp_gd`).

    Attributes
    ----------
    steps : numpy.ndarray
        The recorded step counts (sorted, distinct).
    train : numpy.ndarray
        ``len(steps) x n`` predictions on the training data.
    test : numpy.ndarray or None
        ``len(steps) x m`` predictions on the test data (``None`` without ``X_test``).
    params : MLPParams
        The final weights.

    Notes
    -----
    This replaces the dict that :func:`train_mlp_gd` returned; ``history["train"]`` still
    works for one release, with a DeprecationWarning (use ``history.train``).
    """

    steps: np.ndarray
    train: RealArray
    test: Optional[RealArray]
    params: MLPParams

    def __getitem__(self, key: str) -> object:
        if key not in ("steps", "train", "test", "params"):
            raise KeyError(key)
        deprecated_alias(f"history[{key!r}]", f"history.{key}")
        return getattr(self, key)


# -- helpers ----------------------------------------------------------------------------------
def _activation_pair(act: ActivationLike, name: str) -> tuple[Callable, Callable]:
    """Return ``(phi, phi')`` for a name or callable through :func:`rmtbook.hermite.get_activation`."""
    if not (isinstance(act, str) or callable(act)):
        raise TypeError(f"{name} must be an activation name or a callable, got {type(act).__name__}")
    if callable(act) and not isinstance(act, _hermite.Activation):
        check_vectorized_callable(name, act)
    phi, dphi = _hermite.get_activation(act)  # an Activation unpacks to (fn, derivative)
    return phi, dphi


def _activation_list(activations: Activations, depth: int | None) -> list[tuple[Callable, Callable]]:
    """Turn ``activations`` (one, or one per layer) into a list of ``(phi, phi')`` pairs."""
    if isinstance(activations, str) or callable(activations):
        if depth is None:
            depth = 1
        acts = [activations] * depth
    else:
        try:
            acts = list(activations)
        except TypeError as exc:
            raise TypeError(
                "activations must be a name, a callable or a sequence of them (one per layer)"
            ) from exc
        if len(acts) == 0:
            raise ValueError("activations must name at least one layer, got an empty sequence")
        if depth is not None and len(acts) != depth:
            raise ValueError(
                f"activations must have one entry per hidden layer ({depth}), got {len(acts)}"
            )
    return [_activation_pair(a, f"activations[{i}]") for i, a in enumerate(acts)]


def _widths_list(widths: Widths, depth: int | None) -> list[int]:
    """Validate hidden widths (an int broadcast to ``depth`` layers, or a sequence of ints)."""
    if isinstance(widths, (int, np.integer)) and not isinstance(widths, bool):
        return [check_int("widths", widths, low=1)] * (depth or 1)
    if isinstance(widths, (str, bytes)) or widths is None:
        raise TypeError(f"widths must be a positive integer or a sequence of them, got {widths!r}")
    try:
        items = list(widths)
    except TypeError as exc:
        raise TypeError(f"widths must be a positive integer or a sequence of them, got {widths!r}") from exc
    if len(items) == 0:
        raise ValueError("widths must list at least one hidden width, got an empty sequence")
    return [check_int(f"widths[{i}]", w, low=1) for i, w in enumerate(items)]


def _layers(activations: Activations, widths: Widths) -> tuple[list[tuple[Callable, Callable]], list[int]]:
    """Consistent activation pairs and widths (either may be broadcast from a single value)."""
    single_act = isinstance(activations, str) or callable(activations)
    single_width = isinstance(widths, (int, np.integer)) and not isinstance(widths, bool)
    if single_width and not single_act:
        acts = _activation_list(activations, None)
        return acts, _widths_list(widths, len(acts))
    ws = _widths_list(widths, None)
    return _activation_list(activations, len(ws)), ws


def _check_data(name: str, X: ArrayLike, p: int | None = None) -> np.ndarray:
    X = check_array(name, X, ndim=2)
    if p is not None and X.shape[0] != p:
        raise ValueError(f"{name} must have {p} rows (the network's input dimension), got {X.shape[0]}")
    return X


def _check_params(params: MLPParams) -> MLPParams:
    if not isinstance(params, MLPParams):
        raise TypeError(f"params must be an MLPParams (see rmtbook.init_mlp), got {type(params).__name__}")
    prev = params.weights[0].shape[1]
    for i, w in enumerate(params.weights):
        if w.ndim != 2 or w.shape[1] != prev:
            raise ValueError(f"params.weights[{i}] must have {prev} columns, got shape {w.shape}")
        prev = w.shape[0]
    if params.readout.shape != (prev,):
        raise ValueError(f"params.readout must have shape ({prev},), got {params.readout.shape}")
    return params


def _scales(params: MLPParams) -> list[float]:
    """``s_{l-1}`` for l = 1..L: 1 for the first layer, ``d_{l-1}^{-1/2}`` after."""
    return [1.0] + [1.0 / np.sqrt(w.shape[1]) for w in params.weights[1:]]


# -- parameters and forward pass ---------------------------------------------------------------
def init_mlp(p: int, widths: Widths, *, rng: RngLike = None) -> MLPParams:
    """Draw the weights of a random network with i.i.d. standard Gaussian entries.

    Parameters
    ----------
    p
        Input dimension.
    widths
        Hidden widths ``(d_1, ..., d_L)`` (a single int means one hidden layer).
    rng
        ``None``, a seed or a :class:`numpy.random.Generator` (keyword-only).

    Returns
    -------
    MLPParams
        ``weights = (W_1, ..., W_L)`` and ``readout = v``, all entries ``N(0, 1)``; the fan-in
        scaling lives in the forward pass (NTK parametrization).

    References
    ----------
    :cite:p:`jacot2018neural`, NTK parametrization. Used in :doc:`/chapters/09_deep_conjugate_kernels` and :doc:`/chapters/10_ntk`.

    Examples
    --------
    >>> from rmtbook import init_mlp
    >>> params = init_mlp(3, [5, 4], rng=0)
    >>> params.widths, params.input_dim, params.num_params
    ((5, 4), 3, 39)
    """
    p = check_int("p", p, low=1)
    ws = _widths_list(widths, None)
    gen = as_generator(rng)
    dims = [p] + ws
    weights = tuple(gen.standard_normal((dims[i + 1], dims[i])) for i in range(len(ws)))
    return MLPParams(weights, gen.standard_normal(ws[-1]))


def mlp_forward(params: MLPParams, X: ArrayLike, activations: Activations) -> ForwardPass:
    """Forward pass: pre-activations ``Z_l`` and post-activations ``Sigma_l``.

    Parameters
    ----------
    params
        Network weights (:func:`init_mlp`).
    X
        Data, ``p x n`` (columns are samples).
    activations
        One activation (name or callable) for every layer, or a list with one per layer.

    Returns
    -------
    ForwardPass
        ``.Z = [Z_1, ..., Z_L]`` and ``.S = [X, Sigma_1, ..., Sigma_L]`` (``d_l x n`` each);
        unpacks as ``Z, S``.

    References
    ----------
    Used in :doc:`/chapters/09_deep_conjugate_kernels` and :doc:`/chapters/10_ntk`.

    Examples
    --------
    >>> import numpy as np
    >>> from rmtbook import init_mlp, mlp_forward
    >>> params = init_mlp(3, [5, 4], rng=0)
    >>> Z, S = mlp_forward(params, np.eye(3), "relu")
    >>> [z.shape for z in Z], [s.shape for s in S]
    ([(5, 3), (4, 3)], [(3, 3), (5, 3), (4, 3)])
    """
    params = _check_params(params)
    X = _check_data("X", X, params.input_dim)
    Z, S = _forward(params, X, _activation_list(activations, len(params.weights)))
    return ForwardPass(Z=Z, S=S)


def _forward(params: MLPParams, X: np.ndarray, acts: list[tuple[Callable, Callable]]) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Forward pass with validated inputs and resolved activation pairs."""
    Z: list[np.ndarray] = []
    S: list[np.ndarray] = [X]
    for W, s, (phi, _) in zip(params.weights, _scales(params), acts):
        z = s * (W @ S[-1])
        Z.append(z)
        S.append(np.asarray(phi(z), dtype=float))
    return Z, S


def mlp_output(params: MLPParams, X: ArrayLike, activations: Activations) -> RealArray:
    """Network outputs ``f(X) = v^T Sigma_L / sqrt(d_L)`` (length n).

    Parameters
    ----------
    params
        Network weights (:func:`init_mlp`).
    X
        Data, ``p x n`` (columns are samples).
    activations
        One activation (name or callable) for every layer, or a list with one per layer.

    Returns
    -------
    numpy.ndarray
        The ``n`` outputs.

    References
    ----------
    Used in :doc:`/chapters/10_ntk`.

    Examples
    --------
    >>> import numpy as np
    >>> from rmtbook import init_mlp, mlp_output
    >>> mlp_output(init_mlp(3, [5], rng=0), np.eye(3), "tanh").shape
    (3,)
    """
    _, S = mlp_forward(params, X, activations)
    return params.readout @ S[-1] / np.sqrt(params.readout.size)


def _backward(params: MLPParams, Z: list[np.ndarray], acts: list[tuple[Callable, Callable]]) -> list[np.ndarray]:
    """Back-propagated signals ``Delta_l = d f / d Z_l`` (``d_l x n``), l = 1..L."""
    dL = params.readout.size
    scales = _scales(params)
    deltas = [None] * len(Z)
    deltas[-1] = (params.readout / np.sqrt(dL))[:, None] * np.asarray(acts[-1][1](Z[-1]), dtype=float)
    for l in range(len(Z) - 1, 0, -1):
        back = scales[l] * (params.weights[l].T @ deltas[l])
        deltas[l - 1] = back * np.asarray(acts[l - 1][1](Z[l - 1]), dtype=float)
    return deltas  # type: ignore[return-value]


def mlp_jacobian(params: MLPParams, X: ArrayLike, activations: Activations) -> RealArray:
    """Jacobian of the outputs with respect to all parameters, ``n x P``.

    The parameters are flattened as ``W_1.ravel(), ..., W_L.ravel(), v`` (row-major). Meant for
    small networks (it stores ``n P`` numbers); :func:`mlp_ntk` computes ``J J^T`` without it.

    Parameters
    ----------
    params
        Network weights (:func:`init_mlp`).
    X
        Data, ``p x n`` (columns are samples).
    activations
        One activation (name or callable) for every layer, or a list with one per layer.

    Returns
    -------
    numpy.ndarray
        ``J`` of shape ``(n, params.num_params)``.

    Raises
    ------
    ValueError
        If ``J`` would hold more than 5e7 entries (use :func:`mlp_ntk`).

    References
    ----------
    Used in :doc:`/chapters/10_ntk` and to check :func:`mlp_ntk` against finite differences.

    Examples
    --------
    >>> import numpy as np
    >>> from rmtbook import init_mlp, mlp_jacobian, mlp_ntk
    >>> params = init_mlp(3, [5], rng=0)
    >>> J = mlp_jacobian(params, np.eye(3), "tanh")
    >>> J.shape
    (3, 20)
    >>> bool(np.allclose(J @ J.T, mlp_ntk(params, np.eye(3), "tanh")))
    True
    """
    params = _check_params(params)
    X = _check_data("X", X, params.input_dim)
    n = X.shape[1]
    if n * params.num_params > _MAX_JACOBIAN_ENTRIES:
        raise ValueError(
            f"the Jacobian would hold n * P = {n * params.num_params} entries (limit "
            f"{_MAX_JACOBIAN_ENTRIES}); use mlp_ntk for large networks"
        )
    acts = _activation_list(activations, len(params.weights))
    Z, S = _forward(params, X, acts)
    deltas = _backward(params, Z, acts)
    blocks = [
        s * np.einsum("ai,bi->iab", D, Sp).reshape(n, -1)
        for s, D, Sp in zip(_scales(params), deltas, S[:-1])
    ]
    blocks.append(S[-1].T / np.sqrt(params.readout.size))
    return np.concatenate(blocks, axis=1)


def mlp_ntk(
    params: MLPParams, X: ArrayLike, activations: Activations, Y: ArrayLike | None = None
) -> RealArray:
    """Empirical neural tangent kernel ``J(X) J(Y)^T`` of a given network.

    Parameters
    ----------
    params
        Network weights.
    X
        Data, ``p x n``.
    activations
        One activation or one per layer.
    Y
        Optional second data matrix ``p x m`` (cross kernel ``n x m``); ``None`` means ``Y = X``.

    Returns
    -------
    numpy.ndarray
        ``sum_l s_{l-1}^2 (Delta_l(X)^T Delta_l(Y)) * (Sigma_{l-1}(X)^T Sigma_{l-1}(Y))
        + Sigma_L(X)^T Sigma_L(Y) / d_L``.

    References
    ----------
    :cite:p:`jacot2018neural`. Used in :doc:`/chapters/10_ntk`.

    Examples
    --------
    >>> import numpy as np
    >>> from rmtbook import init_mlp, mlp_ntk
    >>> theta = mlp_ntk(init_mlp(3, [50], rng=0), np.eye(3), "relu")
    >>> theta.shape, bool(np.allclose(theta, theta.T))
    ((3, 3), True)
    """
    params = _check_params(params)
    acts = _activation_list(activations, len(params.weights))
    X = _check_data("X", X, params.input_dim)
    Y = None if Y is None else _check_data("Y", Y, params.input_dim)
    return _ntk(params, acts, X, Y)


def _ntk(params: MLPParams, acts: list[tuple[Callable, Callable]], X: np.ndarray, Y: np.ndarray | None) -> np.ndarray:
    """Empirical NTK with validated inputs (see :func:`mlp_ntk`)."""
    ZX, SX = _forward(params, X, acts)
    DX = _backward(params, ZX, acts)
    if Y is None:
        SY, DY = SX, DX
    else:
        ZY, SY = _forward(params, Y, acts)
        DY = _backward(params, ZY, acts)
    with np.errstate(over="ignore", invalid="ignore"):
        theta = SX[-1].T @ SY[-1] / params.readout.size
        for s, Dx, Dy, Sx, Sy in zip(_scales(params), DX, DY, SX[:-1], SY[:-1]):
            theta += s**2 * (Dx.T @ Dy) * (Sx.T @ Sy)
    if not np.isfinite(theta).all():  # inner products of features beyond the double range (inf - inf = nan)
        raise ValueError("X (or Y): the network kernel overflows at this data scale; rescale the data")
    return theta


# -- random features and empirical kernels -----------------------------------------------------
def random_network_features(
    X: ArrayLike, activations: Activations, widths: Widths, *, rng: RngLike = None
) -> list[RealArray]:
    """Post-activation features of a random bias-free network.

    Parameters
    ----------
    X
        Data, ``p x n`` (columns are samples; unit-norm columns give ``K_0 = X^T X`` unit diagonal).
    activations
        One activation (name or callable) for every layer, or one per layer.
    widths
        Hidden widths ``(d_1, ..., d_L)``; an int with a list of activations is broadcast.
    rng
        ``None``, a seed or a :class:`numpy.random.Generator` (keyword-only).

    Returns
    -------
    list of numpy.ndarray
        ``[Sigma_1, ..., Sigma_L]`` with ``Sigma_l`` of shape ``d_l x n``, where
        ``Sigma_1 = phi_1(W_1 X)`` and ``Sigma_l = phi_l(W_l Sigma_{l-1} / sqrt(d_{l-1}))``.

    References
    ----------
    :cite:p:`neal1996bayesian,fan2020spectra`. Used in :doc:`/chapters/09_deep_conjugate_kernels`.

    Examples
    --------
    >>> import numpy as np
    >>> from rmtbook import random_network_features
    >>> feats = random_network_features(np.eye(3), ["relu", "tanh"], [6, 4], rng=0)
    >>> [f.shape for f in feats]
    [(6, 3), (4, 3)]
    """
    X = _check_data("X", X)
    acts, ws = _layers(activations, widths)
    gen = as_generator(rng)
    feats: list[np.ndarray] = []
    prev, d_prev, scale = X, X.shape[0], 1.0
    for d, (phi, _) in zip(ws, acts):
        W = gen.standard_normal((d, d_prev))
        prev = np.asarray(phi(scale * (W @ prev)), dtype=float)
        feats.append(prev)
        d_prev, scale = d, 1.0 / np.sqrt(d)
    return feats


def empirical_conjugate_kernel(
    X: ArrayLike, activations: Activations, widths: Widths, *, rng: RngLike = None
) -> RealArray:
    """Finite-width conjugate kernel ``Sigma_L^T Sigma_L / d_L`` (``n x n``).

    Converges entrywise to :func:`rmtbook.deep.conjugate_kernel` as the widths grow, with
    fluctuations of order ``d^{-1/2}``.

    Parameters
    ----------
    X, activations, widths
        As in :func:`random_network_features`.
    rng
        ``None``, a seed or a :class:`numpy.random.Generator` (keyword-only).

    Returns
    -------
    numpy.ndarray
        The ``n x n`` kernel of the last layer's features.

    References
    ----------
    :cite:p:`neal1996bayesian,fan2020spectra`. Used in :doc:`/chapters/09_deep_conjugate_kernels`.

    Examples
    --------
    >>> import numpy as np
    >>> from rmtbook import empirical_conjugate_kernel
    >>> K = empirical_conjugate_kernel(np.eye(2), "relu", 20000, rng=0)
    >>> np.round(K, 2)  # arc-cosine kernel: 1/2 on the diagonal, 1/(2 pi) off it, up to O(d^{-1/2})
    array([[0.51, 0.16],
           [0.16, 0.5 ]])
    """
    S = random_network_features(X, activations, widths, rng=rng)[-1]
    return S.T @ S / S.shape[0]


def empirical_ntk(
    X: ArrayLike, activations: Activations, widths: Widths, *, rng: RngLike = None
) -> RealArray:
    """Empirical NTK ``J J^T`` of a freshly drawn random network (``n x n``).

    Converges entrywise to :func:`rmtbook.deep.neural_tangent_kernel` as the widths grow, with
    fluctuations of order ``d^{-1/2}``.

    Parameters
    ----------
    X, activations, widths
        As in :func:`random_network_features`.
    rng
        ``None``, a seed or a :class:`numpy.random.Generator` (keyword-only).

    Returns
    -------
    numpy.ndarray
        The ``n x n`` kernel ``J J^T`` at a random initialization (:func:`init_mlp`).

    References
    ----------
    :cite:p:`jacot2018neural,lee2019wide`. Used in :doc:`/chapters/10_ntk`.

    Examples
    --------
    >>> import numpy as np
    >>> from rmtbook import empirical_ntk
    >>> empirical_ntk(np.eye(2), "relu", 100, rng=0).shape
    (2, 2)
    """
    X = _check_data("X", X)
    acts, ws = _layers(activations, widths)
    params = init_mlp(X.shape[0], ws, rng=rng)
    return _ntk(params, acts, X, None)


# -- training ------------------------------------------------------------------------------------
def _check_kernel_pair(Theta_train: ArrayLike, Theta_test_train: ArrayLike | None, n: int) -> tuple[np.ndarray, np.ndarray | None]:
    K = check_array("Theta_train", Theta_train, ndim=2)
    if K.shape != (n, n):
        raise ValueError(f"Theta_train must have shape (n, n) with n = {n} entries of y, got {K.shape}")
    scale = max(float(np.abs(K).max()), 1e-300)
    if not np.allclose(K, K.T, rtol=0, atol=1e-8 * scale):
        raise ValueError("Theta_train must be symmetric")
    Kt = None
    if Theta_test_train is not None:
        Kt = check_array("Theta_test_train", Theta_test_train, ndim=2, shape=(None, n))
    return K, Kt


def linearized_gd_predictions(
    Theta_train: ArrayLike,
    Theta_test_train: ArrayLike | None,
    y: ArrayLike,
    times: ArrayLike,
    *,
    f0_train: ArrayLike | None = None,
    f0_test: ArrayLike | None = None,
    lr: float | None = None,
) -> LinearizedPredictions:
    """Predictions of the linearized network trained by gradient descent on the square loss.

    For the loss ``(1/2) ||f(X) - y||^2`` and a constant kernel ``Theta``, gradient flow gives on
    the training data ``f_t = y - exp(-t Theta) (y - f_0)`` and on test data
    ``f_t(Xhat) = f_0(Xhat) + Theta_{test,train} Theta^{-1} (I - exp(-t Theta)) (y - f_0)``
    (kernel regression reached as ``t -> inf``). With ``lr`` given, ``times`` count gradient
    steps and ``exp(-t Theta)`` becomes ``(I - lr Theta)^t``.

    Parameters
    ----------
    Theta_train
        Symmetric positive semi-definite ``n x n`` kernel on the training data.
    Theta_test_train
        ``m x n`` kernel between test and training data, or ``None``.
    y
        Targets, length n.
    times
        Non-negative times (gradient-flow time ``lr * steps``), or step counts when ``lr`` is set.
    f0_train, f0_test
        Outputs at initialization (zero by default, as for a centred network).
    lr
        Learning rate of discrete gradient descent; ``None`` for gradient flow. A learning rate
        above ``2 / lambda_max(Theta)`` makes gradient descent diverge: a RuntimeWarning says so.

    Returns
    -------
    LinearizedPredictions
        ``.train`` (``len(times) x n``) and ``.test`` (``len(times) x m``, ``None`` without test
        data); unpacks as ``f_train, f_test``.

    References
    ----------
    :cite:p:`jacot2018neural,lee2019wide`. Used in :doc:`/chapters/10_ntk`.

    Examples
    --------
    >>> import numpy as np
    >>> from rmtbook import linearized_gd_predictions
    >>> K, y = np.array([[2.0, 0.5], [0.5, 1.0]]), np.array([1.0, -1.0])
    >>> pred = linearized_gd_predictions(K, None, y, [0.0, 50.0])
    >>> np.round(pred.train, 6)  # from f_0 = 0 to the interpolant y
    array([[ 0.,  0.],
           [ 1., -1.]])
    >>> pred.test is None
    True
    """
    y = check_array("y", y, ndim=1)
    n = y.size
    K, Kt = _check_kernel_pair(Theta_train, Theta_test_train, n)
    t = check_array("times", times, ndim=(0, 1), low=0.0).ravel()
    f0 = np.zeros(n) if f0_train is None else check_array("f0_train", f0_train, shape=(n,))
    lam, U = np.linalg.eigh(K)
    tol = 1e-10 * max(abs(lam).max(), 1e-300)
    if lam.min() < -tol * n:
        raise ValueError(f"Theta_train must be positive semi-definite, smallest eigenvalue {lam.min():g}")
    lam = np.clip(lam, 0.0, None)
    pos = lam > tol
    if lr is None:
        decay = np.exp(-np.outer(t, lam))                       # exp(-t lam)
        gain = np.where(pos, -np.expm1(-np.outer(t, lam)) / np.where(pos, lam, 1.0), t[:, None])
    else:
        lr = check_positive("lr", lr)
        if lr * lam.max() >= 2.0:
            warnings.warn(
                f"lr = {lr:g} is at least 2 / lambda_max(Theta_train) = {2.0 / lam.max():g}: "
                "gradient descent on the linearized network diverges",
                RuntimeWarning,
                stacklevel=2,
            )
        if not np.allclose(t, np.round(t)):
            raise ValueError("times must be whole step counts when lr is given")
        base = 1.0 - lr * lam
        decay = base[None, :] ** t[:, None]
        gain = np.where(pos, (1.0 - decay) / np.where(pos, lam, 1.0), lr * t[:, None])
    r0 = U.T @ (y - f0)                                         # residual in the eigenbasis
    f_train = y[None, :] - (decay * r0[None, :]) @ U.T
    f_test = None
    if Kt is not None:
        m = Kt.shape[0]
        g0 = np.zeros(m) if f0_test is None else check_array("f0_test", f0_test, shape=(m,))
        f_test = g0[None, :] + (gain * r0[None, :]) @ (Kt @ U).T
    return LinearizedPredictions(train=f_train, test=f_test)


def train_mlp_gd(
    params: MLPParams,
    X: ArrayLike,
    y: ArrayLike,
    activations: Activations,
    lr: float,
    steps: int,
    *,
    X_test: ArrayLike | None = None,
    record: ArrayLike | None = None,
    centered: bool = True,
) -> TrainingHistory:
    """Full-batch gradient descent of a finite network on the square loss ``(1/2)||f - y||^2``.

    Parameters
    ----------
    params
        Initial weights (not modified).
    X, y
        Training data ``p x n`` and targets (length n).
    activations
        One activation or one per layer.
    lr
        Learning rate (compare ``2 / lambda_max`` of the NTK).
    steps
        Number of gradient steps.
    X_test
        Optional test data ``p x m`` whose predictions are recorded.
    record
        Step counts (in ``[0, steps]``) at which predictions are recorded; default every step.
    centered
        Train ``g(x; w) = f(x; w) - f(x; w_0)`` (zero output at initialization, same gradients),
        as the kernel-regression limit with ``f_0 = 0`` assumes.

    Returns
    -------
    TrainingHistory
        ``.steps`` (recorded step counts), ``.train`` (``len(steps) x n`` predictions),
        ``.test`` (``len(steps) x m`` or ``None``) and ``.params`` (the final weights). (Formerly
        a dict: ``history["train"]`` still works, with a DeprecationWarning.)

    References
    ----------
    :cite:p:`lee2019wide`. Used in :doc:`/chapters/10_ntk`.

    Examples
    --------
    >>> import numpy as np
    >>> from rmtbook import init_mlp, train_mlp_gd
    >>> X, y = np.eye(3), np.array([1.0, -1.0, 0.5])
    >>> hist = train_mlp_gd(init_mlp(3, [200], rng=0), X, y, "relu", lr=0.5, steps=200, record=[0, 200])
    >>> hist.steps
    array([  0, 200])
    >>> bool(np.abs(hist.train[-1] - y).max() < 1e-3)
    True
    """
    params = _check_params(params)
    X = _check_data("X", X, params.input_dim)
    y = check_array("y", y, ndim=1, shape=(X.shape[1],))
    acts = _activation_list(activations, len(params.weights))
    lr = check_positive("lr", lr)
    steps = check_int("steps", steps, low=0)
    if record is None:
        rec = np.arange(steps + 1)
    else:
        rec = check_array("record", record, ndim=1)
        if rec.min() < 0 or rec.max() > steps:
            raise ValueError(
                f"entries of record must be steps in [0, steps] = [0, {steps}], got {rec.min():g} to {rec.max():g}"
            )
        rec = np.unique(rec).astype(int)
    Xt = None if X_test is None else _check_data("X_test", X_test, params.input_dim)
    weights = [w.copy() for w in params.weights]
    v = params.readout.copy()
    scales = _scales(params)
    dL = v.size

    def outputs(ws: list[np.ndarray], vv: np.ndarray, data: np.ndarray) -> tuple[list, list, np.ndarray]:
        Z, S = _forward(MLPParams(tuple(ws), vv), data, acts)
        return Z, S, vv @ S[-1] / np.sqrt(dL)

    centered = check_bool("centered", centered)
    off_train = outputs(weights, v, X)[2] if centered else np.zeros(X.shape[1])
    off_test = (outputs(weights, v, Xt)[2] if centered else np.zeros(Xt.shape[1])) if Xt is not None else None
    rec_set = set(rec.tolist())
    train_rec, test_rec = [], []
    for k in range(steps + 1):
        try:
            with np.errstate(over="raise", invalid="raise"):
                Z, S, f = outputs(weights, v, X)
                g = f - off_train
                if k in rec_set:
                    train_rec.append(g)
                    if Xt is not None:
                        test_rec.append(outputs(weights, v, Xt)[2] - off_test)
                if k == steps:
                    break
                r = g - y
                deltas = _backward(MLPParams(tuple(weights), v), Z, acts)
                grads = [s * (D * r[None, :]) @ Sp.T for s, D, Sp in zip(scales, deltas, S[:-1])]
                gv = S[-1] @ r / np.sqrt(dL)
                weights = [w - lr * gw for w, gw in zip(weights, grads)]
                v = v - lr * gv
        except FloatingPointError as exc:
            raise FloatingPointError(
                f"gradient descent diverged (overflow) at step {k}; lower lr (got {lr:g}, "
                "compare 2 / lambda_max of the NTK)"
            ) from exc
    return TrainingHistory(
        steps=rec,
        train=np.array(train_rec),
        test=np.array(test_rec) if Xt is not None else None,
        params=MLPParams(tuple(weights), v),
    )
