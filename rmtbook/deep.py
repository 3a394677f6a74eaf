"""Infinite-width kernels of deep networks (conjugate kernel and NTK) and their linear equivalents.

A fully connected network without biases, with fan-in scaled Gaussian weights and activations
``phi_1, ..., phi_L``, has at infinite width the conjugate kernel (CK) recursion

    K_0 = X^T X,   K_l(i, j) = E[phi_l(u) phi_l(v)],   (u, v) ~ N(0, K_{l-1} on {i, j}),

and the neural tangent kernel (NTK) recursion

    Theta_0 = K_0,   Theta_l = K_l + Theta_{l-1} * Kdot_l,   Kdot_l(i, j) = E[phi_l'(u) phi_l'(v)]

(entrywise product ``*``). **Readout convention**: Theta_L is the NTK of the scalar network
f(x) = v^T phi_L(...) / sqrt(width) *including* its linear readout layer v: the readout's
gradient contributes the term K_L, and the hidden layers contribute Theta_{L-1} * Kdot_L. This
is the convention of the standard infinite-width libraries for ``serial(Dense, phi_1, ...,
Dense, phi_L, Dense)`` with unit weight variance and no bias; for L = 1,
Theta_1 = K_1 + K_0 * Kdot_1.

For data with unit-norm columns, each kernel is equivalent in operator norm to
A 1 1^T + B X^T X + C I_n, with scalar recursions in the layer index (see
:func:`conjugate_kernel_coefficients` and :func:`neural_tangent_kernel_coefficients`).

Activations without a closed form (tanh, gelu, callables, ...) use the accurate path of
:mod:`rmtbook.kernels` (about 1e-14, also for callables with a kink at 0): when the columns of X
have equal norms, every layer's kernel has a constant diagonal and is computed from one
Chebyshev table of the dual activation in the angle arccos(rho), so a layer costs about as much
as a closed form (the tanh NTK with 10 layers at n = 1024: about 1.5 s).

This is layer 4 of the package (imports the private shared module :mod:`rmtbook._kernel_core`,
also behind :mod:`rmtbook.kernels`). Used in chapters 9 (deep
conjugate kernels, curse of depth) and 10 (NTK).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Optional, Union

import numpy as np

from . import hermite as _hermite
from ._typing import Activation, ArrayLike
from ._validation import check_array, check_bool, check_data_scale, check_int, check_scalar
from ._kernel_core import ResolvedActivation, check_order, dual, kernel_matrix, resolve

__all__ = [
    "KernelCoefficients",
    "LayerKernels",
    "conjugate_kernel",
    "conjugate_kernel_layers",
    "neural_tangent_kernel",
    "neural_tangent_kernel_layers",
    "conjugate_kernel_coefficients",
    "neural_tangent_kernel_coefficients",
    "conjugate_kernel_linear_equivalent",
    "neural_tangent_kernel_linear_equivalent",
]

_ORDER: Optional[int] = None  # automatic number of quadrature nodes (see rmtbook.kernels)

#: One activation per layer, or a single activation repeated over ``depth`` layers.
Activations = Union[Activation, Sequence[Activation]]


@dataclass(frozen=True)
class KernelCoefficients:
    """Coefficients of ``A 1 1^T + B X^T X + C I_n`` per layer ``l = 0, ..., L``.

    ``q = A + B * norm2 + C`` is the common diagonal (``norm2`` = squared column norm, 1 for
    unit-norm data).

    Attributes
    ----------
    A, B, C : numpy.ndarray
        Arrays of length ``L + 1`` (index = layer; layer 0 is ``X^T X``).
    """

    A: np.ndarray
    B: np.ndarray
    C: np.ndarray

    def diagonal(self, norm2: float = 1.0) -> np.ndarray:
        """The diagonal ``q_l = A_l + B_l norm2 + C_l`` of the kernel at each layer."""
        return self.A + self.B * norm2 + self.C


@dataclass(frozen=True)
class LayerKernels:
    """The kernels of every layer of the infinite-width recursion.

    Attributes
    ----------
    kernels : tuple of numpy.ndarray
        ``(K_0, K_1, ..., K_L)`` (or ``(Theta_0, ..., Theta_L)`` for the NTK), ``K_0 = X^T X``;
        each a symmetric PSD ``n x n`` matrix.
    """

    kernels: tuple[np.ndarray, ...]

    @property
    def depth(self) -> int:
        """The number ``L`` of layers."""
        return len(self.kernels) - 1


def _activations(activations: Activations, depth: Optional[int] = None) -> list[ResolvedActivation]:
    """One resolved activation per layer. The package's one rule: a single activation (name,
    callable or :class:`rmtbook.Activation`) is repeated over the layers when the depth is given
    (``depth`` here, the number of widths in :mod:`rmtbook.networks`), and refused otherwise."""
    if depth is not None:
        depth = check_int("depth", depth, low=1)
    if isinstance(activations, (str, _hermite.Activation)) or callable(activations):
        if depth is None:
            raise TypeError(
                "activations must be a list of activation names or callables (one per layer), "
                f"e.g. ['relu', 'relu'], or a single activation with depth=L to repeat it; got {activations!r}"
            )
        activations = [activations] * depth
    if not isinstance(activations, Sequence) or len(activations) == 0:
        raise ValueError("activations must be a non-empty list (one activation per layer)")
    if depth is not None and len(activations) != depth:
        raise ValueError(f"depth={depth} but {len(activations)} activations were given (one per layer)")
    return [resolve(a, f"activations[{i}]") for i, a in enumerate(activations)]


def _data(X: ArrayLike) -> np.ndarray:
    return check_data_scale("X", check_array("X", X, ndim=2))


def _deprecated_return_all(name: str) -> None:
    warnings.warn(
        f"{name}(..., return_all=True) is deprecated (its return type changed with the flag): "
        f"use {name}_layers(...).kernels",
        DeprecationWarning,
        stacklevel=3,
    )


def _layers(recursion, X: ArrayLike, activations: Activations, depth: Optional[int], order: Optional[int]) -> list[np.ndarray]:
    """Validate the arguments of the public kernel functions and run ``recursion`` (one of the two below)."""
    acts = _activations(activations, depth)
    return recursion(_data(X), acts, check_order(order))


def _conjugate_layers(X: np.ndarray, acts: list[ResolvedActivation], order: Optional[int]) -> list[np.ndarray]:
    K = X.T @ X
    out = [K]
    for act in acts:
        K = kernel_matrix(act, K, False, order)
        out.append(K)
    return out


def _ntk_layers(X: np.ndarray, acts: list[ResolvedActivation], order: Optional[int]) -> list[np.ndarray]:
    K = X.T @ X
    theta = K
    out = [theta]
    for act in acts:
        kdot = kernel_matrix(act, K, True, order)
        K = kernel_matrix(act, K, False, order)
        theta = K + theta * kdot
        out.append(theta)
    return out


def conjugate_kernel(
    X: ArrayLike,
    activations: Activations,
    *,
    depth: Optional[int] = None,
    return_all: bool = False,
    order: Optional[int] = _ORDER,
) -> np.ndarray:
    """Exact infinite-width conjugate kernel K_L of a fully connected network without bias.

    Parameters
    ----------
    X : array_like
        Data, p x n (any column norms).
    activations : str, callable, Activation or sequence of them
        One activation (name or callable) per layer, or a single activation repeated over
        ``depth`` layers (the package's one rule, as in :func:`rmtbook.empirical_conjugate_kernel`).
    depth : int, optional
        Number of layers L >= 1: required with a single activation; with a list, it must equal
        its length.
    return_all : bool
        Deprecated (the return type changed with it): use :func:`conjugate_kernel_layers`.
    order : int, optional
        Trapezoidal nodes per dimension for activations without a closed form; None (default):
        the accurate polar rule, tabulated once per layer in the angle when the columns have
        equal norms (see :mod:`rmtbook.kernels` for speed and accuracy).

    Returns
    -------
    numpy.ndarray
        The symmetric PSD n x n matrix K_L. Closed forms (exact to rounding) for the activations
        of ``rmtbook.CLOSED_FORM_ACTIVATIONS``.

    References
    ----------
    Neal :cite:p:`neal1996bayesian`; Cho & Saul :cite:p:`cho2009kernel`;
    Fan & Wang :cite:p:`fan2020spectra`. Used in :doc:`/chapters/09_deep_conjugate_kernels`.

    Examples
    --------
    >>> import numpy as np
    >>> from rmtbook import conjugate_kernel
    >>> X = np.eye(3)  # orthonormal inputs
    >>> K = conjugate_kernel(X, "relu", depth=2)
    >>> bool(np.allclose(K, conjugate_kernel(X, ["relu", "relu"]))), K.shape
    (True, (3, 3))
    """
    layers = _layers(_conjugate_layers, X, activations, depth, order)
    if check_bool("return_all", return_all):
        _deprecated_return_all("conjugate_kernel")
        return layers
    return layers[-1]


def conjugate_kernel_layers(
    X: ArrayLike,
    activations: Activations,
    *,
    depth: Optional[int] = None,
    order: Optional[int] = _ORDER,
) -> LayerKernels:
    """The conjugate kernels K_0 = X^T X, K_1, ..., K_L of every layer.

    Parameters and accuracy as :func:`conjugate_kernel`.

    Returns
    -------
    LayerKernels
        ``kernels = (K_0, ..., K_L)``.

    References
    ----------
    :doc:`/chapters/09_deep_conjugate_kernels` (the curse of depth).

    Examples
    --------
    >>> import numpy as np
    >>> from rmtbook import conjugate_kernel_layers
    >>> layers = conjugate_kernel_layers(np.eye(3), "relu", depth=2)
    >>> layers.depth, round(float(layers.kernels[1][0, 0]), 6)  # E[relu(u)^2] = 1/2
    (2, 0.5)
    """
    return LayerKernels(tuple(_layers(_conjugate_layers, X, activations, depth, order)))


def neural_tangent_kernel(
    X: ArrayLike,
    activations: Activations,
    *,
    depth: Optional[int] = None,
    return_all: bool = False,
    order: Optional[int] = _ORDER,
) -> np.ndarray:
    """Exact infinite-width NTK Theta_L (readout layer included) of a network without bias.

    Theta_0 = X^T X and Theta_l = K_l + Theta_{l-1} * Kdot_l, with K_l the conjugate kernel
    and Kdot_l(i, j) = E[phi_l'(u) phi_l'(v)], (u, v) ~ N(0, K_{l-1} on {i, j}). The term K_L
    is the contribution of the linear readout (see the module notes).

    Parameters
    ----------
    X : array_like
        Data, p x n.
    activations : str, callable, Activation or sequence of them
        One activation per layer, or one repeated over ``depth`` layers (``'sign'`` has no
        derivative kernel and is refused).
    depth : int, optional
        Number of layers: required with a single activation (see :func:`conjugate_kernel`).
    return_all : bool
        Deprecated: use :func:`neural_tangent_kernel_layers`.
    order : int, optional
        Trapezoidal nodes per dimension when there is no closed form; None (default): the
        accurate polar rule with Chebyshev tabulation (see :mod:`rmtbook.kernels`).

    Returns
    -------
    numpy.ndarray
        The symmetric PSD n x n matrix Theta_L.

    References
    ----------
    Jacot, Gabriel & Hongler :cite:p:`jacot2018neural`; Lee et al. :cite:p:`lee2019wide`.
    Used in :doc:`/chapters/10_ntk`.

    Examples
    --------
    >>> import numpy as np
    >>> from rmtbook import neural_tangent_kernel
    >>> T = neural_tangent_kernel(np.eye(2), ["relu"])  # K_1 + K_0 * Kdot_1: 1/2 + 1/2 on the diagonal
    >>> round(float(T[0, 0]), 6)
    1.0
    """
    layers = _layers(_ntk_layers, X, activations, depth, order)
    if check_bool("return_all", return_all):
        _deprecated_return_all("neural_tangent_kernel")
        return layers
    return layers[-1]


def neural_tangent_kernel_layers(
    X: ArrayLike,
    activations: Activations,
    *,
    depth: Optional[int] = None,
    order: Optional[int] = _ORDER,
) -> LayerKernels:
    """The NTKs Theta_0 = X^T X, Theta_1, ..., Theta_L of every depth (readout included).

    Parameters and accuracy as :func:`neural_tangent_kernel`.

    Returns
    -------
    LayerKernels
        ``kernels = (Theta_0, ..., Theta_L)``.

    References
    ----------
    :doc:`/chapters/10_ntk`.

    Examples
    --------
    >>> import numpy as np
    >>> from rmtbook import neural_tangent_kernel_layers
    >>> [round(float(T[0, 0]), 6) for T in neural_tangent_kernel_layers(np.eye(2), "relu", depth=2).kernels]
    [1.0, 1.0, 0.75]
    """
    return LayerKernels(tuple(_layers(_ntk_layers, X, activations, depth, order)))


def _layer_step(act: ResolvedActivation, A: float, B: float, q: float, p: int, norm2: float, order: Optional[int]):
    """Dual-activation Taylor data at rho_0 = A/q for one layer (value, slope, curvature, f(1))."""
    rho0 = np.clip(A / q, -1.0, 1.0)
    rho = np.array([rho0, 1.0])
    try:
        with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
            f0, f_one = dual(act, q, rho, 0, order)
            f1 = float(dual(act, q, rho[:1], 1, order)[0])
            f2 = float(dual(act, q, rho[:1], 2, order)[0])
    except (OverflowError, ZeroDivisionError) as exc:  # Python float arithmetic
        raise ValueError(
            f"norm2 or activations: the dual activation at the layer variance q = {q:g} leaves the "
            f"double range ({exc}); rescale the data (norm2) or change activations"
        ) from exc
    if not np.isfinite([f0, f1, f2, f_one]).all():  # numpy overflow (silenced above): refuse
        raise ValueError(
            f"norm2 or activations: the dual activation at the layer variance q = {q:g} leaves the "
            "double range; rescale the data (norm2) or change activations"
        )
    return float(f0), f1, f2, float(f_one)


def _check_layer_scale(q: float, layer: int, what: str = "conjugate kernel") -> None:
    """Refuse a layer whose kernel diagonal left (0, inf): the recursion divides by it."""
    if not (np.isfinite(q) and q > 0):
        raise ValueError(
            f"activations: the {what} diagonal entering layer {layer + 1} is {q:g}; the recursion "
            "needs it in (0, inf) (an activation that vanishes, or so many layers of a contracting "
            "or expanding activation, e.g. ~1100 ReLU layers, that it under- or overflows); "
            "change activations or norm2"
        )


def _finite_coefficients(coef: "KernelCoefficients") -> "KernelCoefficients":
    """Return ``coef`` if every coefficient is finite, else refuse (never a silent inf or nan)."""
    if not all(np.isfinite(a).all() for a in (coef.A, coef.B, coef.C)):
        raise ValueError(
            "norm2 or activations: the kernel coefficients left the double range (inf or nan); "
            "rescale the data (norm2) or use fewer layers"
        )
    return coef


def _check_recursion_args(activations: Activations, depth: Optional[int], p: int, norm2: float, order: Optional[int]):
    acts = _activations(activations, depth)
    p = check_int("p", p, low=1)
    norm2 = check_scalar("norm2", norm2, low=0.0, low_open=True)
    order = check_order(order)
    return acts, p, norm2, order


def conjugate_kernel_coefficients(
    activations: Activations,
    p: int,
    *,
    depth: Optional[int] = None,
    norm2: float = 1.0,
    order: Optional[int] = _ORDER,
) -> KernelCoefficients:
    """Scalar recursion (A_l, B_l, C_l) of the linear equivalent K_l ~ A_l 1 1^T + B_l X^T X + C_l I.

    Derivation (columns of common squared norm ``norm2``, nearly isotropic, so that
    t_ij = x_i^T x_j is O(p^{-1/2}) with E t_ij^2 = norm2^2 / p): all diagonals of K_{l-1} equal
    q = A + B norm2 + C and its off-diagonals are A + B t_ij up to centred O(1/p) terms. With the
    dual activation f_q(rho) and rho_0 = A/q,

        K_l(i, j) = f_q(rho_0) + f_q'(rho_0) (B/q) t_ij + f_q''(rho_0) (B/q)^2 t_ij^2 / 2 + ...,

    so  A_l = f_q(rho_0) + f_q''(rho_0) (B/q)^2 norm2^2 / (2p),  B_l = f_q'(rho_0) B / q,
    and C_l = f_q(1) - A_l - B_l norm2 (the exact diagonal). Both the O(1) constant (a mean
    term carried from layer to layer by ReLU-like activations) and its 1/p part matter in
    operator norm (a constant c 1 1^T has norm c n). Starting values A_0 = 0, B_0 = 1, C_0 = 0.

    Parameters
    ----------
    activations : str, callable, Activation or sequence of them
        One activation per layer, or one repeated over ``depth`` layers.
    p : int
        Data dimension (enters through the 1/p term).
    depth : int, optional
        Number of layers: required with a single activation (see :func:`conjugate_kernel`).
    norm2 : float
        Common squared column norm of the data (1 for unit-norm data).
    order : int, optional
        Trapezoidal nodes for activations without closed forms; None (default): the accurate
        polar rule of :mod:`rmtbook.kernels`.

    Returns
    -------
    KernelCoefficients
        Arrays A, B, C of length L + 1 (index l = layer, l = 0 is X^T X).

    References
    ----------
    Fan & Wang :cite:p:`fan2020spectra`; Liao & Mahoney :cite:p:`liao2025rmtdl`;
    Poole et al. :cite:p:`poole2016exponential`. Used in :doc:`/chapters/09_deep_conjugate_kernels`
    (B_L against depth).

    Examples
    --------
    >>> from rmtbook import conjugate_kernel_coefficients
    >>> c = conjugate_kernel_coefficients("linear", p=100, depth=3)  # linear layers keep X^T X
    >>> c.B.tolist(), c.C.tolist()
    ([1.0, 1.0, 1.0, 1.0], [0.0, 0.0, 0.0, 0.0])
    """
    acts, p, norm2, order = _check_recursion_args(activations, depth, p, norm2, order)
    A, B, C = [0.0], [1.0], [0.0]
    for layer, act in enumerate(acts):
        q = A[-1] + B[-1] * norm2 + C[-1]
        _check_layer_scale(q, layer)
        f0, f1, f2, f_one = _layer_step(act, A[-1], B[-1], q, p, norm2, order)
        beta_n = B[-1] * norm2 / q  # beta norm2 = B norm2 / q, in [0, 1]: no overflow of norm2^2
        a_new = f0 + 0.5 * f2 * beta_n**2 / p
        beta = B[-1] / q
        b_new = f1 * beta
        A.append(a_new)
        B.append(b_new)
        C.append(f_one - a_new - b_new * norm2)
    return _finite_coefficients(KernelCoefficients(np.array(A), np.array(B), np.array(C)))


def neural_tangent_kernel_coefficients(
    activations: Activations,
    p: int,
    *,
    depth: Optional[int] = None,
    norm2: float = 1.0,
    order: Optional[int] = _ORDER,
) -> KernelCoefficients:
    """Scalar recursion of the NTK linear equivalent Theta_l ~ A 1 1^T + B X^T X + C I.

    With the CK coefficients (A, B, q) of layer l - 1, g(rho) = f_q'(rho) / q the dual of phi'
    (so Kdot_l(i, j) = g(rho_0) + g'(rho_0) beta t + g''(rho_0) beta^2 t^2 / 2, beta = B/q) and
    the NTK coefficients (A^T, B^T, diagonal q^T) of layer l - 1, the entrywise product
    Theta_{l-1} * Kdot_l has off-diagonal mean
    A^T g + (A^T g'' beta^2 / 2 + B^T g' beta) norm2^2 / p and slope A^T g' beta + B^T g
    in front of t_ij, and diagonal q^T g(1). Adding the CK coefficients of layer l gives
    Theta_l; C is fixed by the exact diagonal.

    Parameters and returns as :func:`conjugate_kernel_coefficients`.

    References
    ----------
    Jacot, Gabriel & Hongler :cite:p:`jacot2018neural`; Fan & Wang :cite:p:`fan2020spectra`.
    Used in :doc:`/chapters/10_ntk`.

    Examples
    --------
    >>> from rmtbook import neural_tangent_kernel_coefficients
    >>> neural_tangent_kernel_coefficients("linear", p=100, depth=3).B.tolist()  # B_l = l + 1
    [1.0, 2.0, 3.0, 4.0]
    """
    acts, p, norm2, order = _check_recursion_args(activations, depth, p, norm2, order)
    for layer, act in enumerate(acts):
        if act.key == "sign":  # as neural_tangent_kernel: g(1) = f'(1) / q is infinite
            raise ValueError(
                f"activations[{layer}] = 'sign' has no derivative kernel (its derivative is 2 delta_0); "
                "use a smooth activation such as 'erf' for derivative kernels and the NTK"
            )
    ck = conjugate_kernel_coefficients(acts, p, norm2=norm2, order=order)
    qs = ck.diagonal(norm2)
    At, Bt, Ct = [0.0], [1.0], [0.0]
    for layer, act in enumerate(acts, start=1):
        q = qs[layer - 1]
        _check_layer_scale(q, layer - 1)
        rho0 = np.clip(ck.A[layer - 1] / q, -1.0, 1.0)
        beta = ck.B[layer - 1] / q
        try:
            with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
                g0, g_one = (dual(act, q, np.array([rho0, 1.0]), 1, order) / q)
                g1 = float(dual(act, q, np.array([rho0]), 2, order)[0]) / q
                # g'' = f''' / q: central difference of f'' (closed form or itself a difference)
                h = 1e-4
                lo, hi = max(rho0 - h, -1.0), min(rho0 + h, 1.0)
                f2 = dual(act, q, np.array([lo, hi]), 2, order)
                g2 = float(f2[1] - f2[0]) / (hi - lo) / q
        except (OverflowError, ZeroDivisionError) as exc:  # Python float arithmetic
            raise ValueError(
                f"norm2 or activations: the derivative kernel at the layer variance q = {q:g} leaves "
                f"the double range ({exc}); rescale the data (norm2) or change activations"
            ) from exc
        qt = At[-1] + Bt[-1] * norm2 + Ct[-1]
        _check_layer_scale(qt, layer - 1, "neural tangent kernel")
        beta_n = beta * norm2  # in [0, 1]; norm2^2 alone overflows for norm2 ~ 1e155
        a_new = ck.A[layer] + At[-1] * g0 + (0.5 * At[-1] * g2 * beta_n**2 + Bt[-1] * norm2 * g1 * beta_n) / p
        b_new = ck.B[layer] + At[-1] * g1 * beta + Bt[-1] * g0
        diag = qs[layer] + qt * g_one
        At.append(float(a_new))
        Bt.append(float(b_new))
        Ct.append(float(diag - a_new - b_new * norm2))
    return _finite_coefficients(KernelCoefficients(np.array(At), np.array(Bt), np.array(Ct)))


def _common_norm(X: np.ndarray) -> float:
    norms = np.einsum("ij,ij->j", X, X)
    m = norms.mean()
    if not np.isfinite(m):
        raise ValueError("X: the squared column norms overflow (entries around 1e154 or more); rescale X")
    if m <= 0 or np.abs(norms - m).max() > 1e-6 * m:
        raise ValueError(
            "X must have columns of equal norm for the deep linear equivalents (unit-norm data, "
            "e.g. X / np.linalg.norm(X, axis=0)); got squared norms in "
            f"[{norms.min():.4g}, {norms.max():.4g}]"
        )
    return float(m)


def _assemble(X: np.ndarray, coef: KernelCoefficients) -> np.ndarray:
    A, B, C = coef.A[-1], coef.B[-1], coef.C[-1]
    G = X.T @ X
    out = B * (G + G.T) / 2 + A
    out[np.diag_indices_from(out)] += C
    return out


def conjugate_kernel_linear_equivalent(
    X: ArrayLike,
    activations: Activations,
    *,
    depth: Optional[int] = None,
    order: Optional[int] = _ORDER,
) -> np.ndarray:
    """Linear equivalent A_L 1 1^T + B_L X^T X + C_L I_n of the conjugate kernel K_L.

    Valid in operator norm for columns of a common norm (unit-norm data; checked to 1e-6
    relative) that are nearly isotropic; the diagonal equals the exact diagonal of K_L. The
    error relative to the diagonal is a few percent at n = p = 400 and shrinks with n.

    Parameters
    ----------
    X : array_like
        Data, p x n, columns of equal norm.
    activations : str, callable, Activation or sequence of them
        One activation per layer, or one repeated over ``depth`` layers.
    depth : int, optional
        Number of layers: required with a single activation (see :func:`conjugate_kernel`).
    order : int, optional
        As in :func:`conjugate_kernel`.

    Returns
    -------
    numpy.ndarray
        The n x n matrix A_L 1 1^T + B_L X^T X + C_L I_n.

    References
    ----------
    Fan & Wang :cite:p:`fan2020spectra`; Liao & Mahoney :cite:p:`liao2025rmtdl`.
    Used in :doc:`/chapters/09_deep_conjugate_kernels`.

    Examples
    --------
    >>> import numpy as np
    >>> from rmtbook import conjugate_kernel, conjugate_kernel_linear_equivalent
    >>> X = np.random.default_rng(0).standard_normal((400, 200))
    >>> X /= np.linalg.norm(X, axis=0)
    >>> K, K_lin = conjugate_kernel(X, "relu", depth=2), conjugate_kernel_linear_equivalent(X, "relu", depth=2)
    >>> bool(np.linalg.norm(K - K_lin, 2) / K[0, 0] < 0.05)
    True
    """
    X = _data(X)
    norm2 = _common_norm(X)
    coef = conjugate_kernel_coefficients(activations, X.shape[0], depth=depth, norm2=norm2, order=order)
    return _assemble(X, coef)


def neural_tangent_kernel_linear_equivalent(
    X: ArrayLike,
    activations: Activations,
    *,
    depth: Optional[int] = None,
    order: Optional[int] = _ORDER,
) -> np.ndarray:
    """Linear equivalent A 1 1^T + B X^T X + C I_n of the NTK Theta_L (readout included).

    Same validity and parameters as :func:`conjugate_kernel_linear_equivalent`; coefficients from
    :func:`neural_tangent_kernel_coefficients`.

    Returns
    -------
    numpy.ndarray
        The n x n linear equivalent of Theta_L.

    References
    ----------
    Jacot, Gabriel & Hongler :cite:p:`jacot2018neural`; Fan & Wang :cite:p:`fan2020spectra`.
    Used in :doc:`/chapters/10_ntk`.

    Examples
    --------
    >>> import numpy as np
    >>> from rmtbook import neural_tangent_kernel, neural_tangent_kernel_linear_equivalent
    >>> X = np.random.default_rng(0).standard_normal((400, 200))
    >>> X /= np.linalg.norm(X, axis=0)
    >>> T, T_lin = neural_tangent_kernel(X, ["relu"]), neural_tangent_kernel_linear_equivalent(X, ["relu"])
    >>> bool(np.linalg.norm(T - T_lin, 2) / T[0, 0] < 0.05)
    True
    """
    X = _data(X)
    norm2 = _common_norm(X)
    coef = neural_tangent_kernel_coefficients(activations, X.shape[0], depth=depth, norm2=norm2, order=order)
    return _assemble(X, coef)
