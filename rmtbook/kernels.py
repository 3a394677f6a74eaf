"""Nonlinear kernel matrices of high-dimensional data and their linear equivalents.

The central primitive is the Gaussian-pair expectation

.. math:: \\kappa_\\phi(q_1, q_2, k) = E[\\phi(u) \\phi(v)], \\qquad
   (u, v) \\sim \\mathcal N\\Big(0, \\begin{pmatrix} q_1 & k \\\\ k & q_2\\end{pmatrix}\\Big),

computed in closed form for the activations where one exists (arc-cosine kernels of ReLU and
``abs``, arcsine kernels of ``erf`` and ``sign``, and the moment-generating-function kernels of
``linear``, ``square``, ``cos``, ``sin`` and ``exp``) and otherwise by a polar Gauss-Legendre
rule that respects a kink at 0, tabulated in the angle arccos(rho) and interpolated when many
entries share their variances (see *Accuracy*). On top of it sit

* the random-features (conjugate) kernel ``Phi = E_w[phi(X^T w) phi(w^T X)]`` and its linear
  equivalent ``(a_0^2 + a_2^2/p) 1 1^T + a_1^2 X^T X + (nu - a_0^2 - a_1^2) I`` (unit-norm data);
* the inner-product kernel ``f(X^T X / p)`` of El Karoui (2010) and its linear equivalent.

This is layer 3 of the package: the public kernel functions. It imports :mod:`rmtbook.hermite`
(Hermite coefficients and the activation table), the private shared module
:mod:`rmtbook._kernel_core` (resolved activations, closed forms, dual activations, kernel
matrices; also used by :mod:`rmtbook.deep`) and, through it, the pair quadrature of
:mod:`rmtbook._pair_quadrature` described below. Used in :doc:`/chapters/07_kernels` and,
through :mod:`rmtbook.deep`, in :doc:`/chapters/09_deep_conjugate_kernels` and
:doc:`/chapters/10_ntk`.

Accuracy
--------
Closed forms are exact to rounding (1e-15 relative). Otherwise (``order=None``, the default) the
expectation is computed in polar coordinates, u = sqrt(q1) r cos a, v = sqrt(q2) r cos(a - theta)
with theta = arccos(rho), by composite Gauss-Legendre rules whose panel edges include r = 0 and
the four angles where u or v vanishes. An activation that is analytic except for a kink or a
jump at 0 (ReLU-like callables, leaky ReLU, step, a centred ReLU) is then integrated with
geometric convergence: measured errors about 1e-14 for smooth names (tanh, sigmoid, gelu, silu,
softplus; against a 1000-node trapezoidal rule, q from 0.01 to 200) and for kinked callables
against their closed forms (relu, abs, sign, step, leaky ReLU, centred ReLU). Kinks or jumps
away from 0 (e.g. ``np.clip(x, -1, 1)``) must be declared, ``get_activation(fn,
breakpoints=(-1, 1))``: the radii where each ray crosses them, and the rays through the points
where the lines u = b and v = b' meet, then become panel edges (with twice as many angular
panels), and the error is about 1e-15 again (checked against a 1-D reduction for the hard
tanh); undeclared, such kinks converge algebraically (1e-5 to 3e-4). Derivative kernels of
callables use the central difference of :func:`rmtbook.get_activation`, a ramp of width 2e-5
across a kink at 0 (about 1e-6 then) and one-sided at declared breakpoints.

Speed: the entries are grouped by their variance pair (q1, q2) (equal up to 1e-12 relative). A
group of at least 48 entries -- the whole matrix for columns of equal norm, and every deeper
layer of a network fed with equal-norm inputs -- is tabulated once as a function of the angle
theta on a Chebyshev-Lobatto grid (16 to 256 nodes, doubled until the Chebyshev tail is below
1e-14 of the largest coefficient) and interpolated to all entries. The dual activation is
analytic in theta on [0, pi] up to the endpoints even for kinked activations (for ReLU,
(sin theta + (pi - theta) cos theta) / (2 pi)), whereas in rho it has a (1 - rho)^{3/2}
singularity at rho = 1: interpolation in theta converges geometrically (16 nodes for a centred
ReLU, 64 for tanh at q = 4) and is exact at rho = +-1 (Lobatto endpoints).

Many distinct norms (unnormalized or real data): when more than 256 entries remain, each
distinct variance q gets the Hermite coefficients a_k(q) of x -> phi(sqrt(q) x) from one shared
one-dimensional Gauss-Legendre rule (:func:`rmtbook._quadrature.gaussian_hermite_moments`, the
rule behind :func:`rmtbook.hermite_coefficients` too: a matrix product with a table of Hermite
polynomials; declared breaks handled panel by panel), and the entries with abs(rho) <= 0.9 are Mehler's
series sum_k a_k(q1) a_k(q2) rho^k, truncated where rho_max^(K+1) < 1e-17 (K <= 372); entries
with rho = +-1 and equal variances are one-dimensional integrals. About 1e-14 for kinked
callables too (the trapezoidal rule gave 1e-4 to 1e-3), and faster. Up to 256 entries that are
left (abs(rho) > 0.9) are integrated one by one by the polar rule; beyond that they use the
older tensor trapezoidal rule below, as does any explicit ``order``.

Tensor trapezoidal rule (explicit ``order``, or more than 256 leftover pairs with
abs(rho) > 0.9): [-8.85, 8.85]^2 against the Gaussian weight in a Cholesky parametrization.
For smooth activations it converges geometrically, like exp(-2 pi d / h) with h the node
spacing and d the distance of the nearest
complex singularity of phi(sqrt(q) z) to the real axis (tanh: d = pi / (2 sqrt q)). The automatic
number of nodes per dimension, 48 sqrt(max(q, 1)) rounded up to a bucket in [48, 512], gives an
absolute error below 1e-9 for ``tanh``, ``sigmoid``, ``gelu``, ``silu`` and ``softplus`` at
variances 1 and 4 (about 2e-10 for tanh at q = 1, 1e-11 at q = 4). Kinked callables converge
only algebraically there (about 1e-4).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from . import hermite as _hermite
from ._kernel_core import (
    CLOSED_FORM_ACTIVATIONS,
    ResolvedActivation,
    check_order,
    dual,
    kernel_matrix,
    pair_values,
    resolve,
)
from ._quadrature import gaussian_hermite_moments
from ._rng import RngLike, as_generator
from ._typing import Activation, ArrayLike
from ._validation import (
    check_array,
    check_bool,
    check_data_scale,
    check_int,
    check_scalar,
    check_vectorized_callable,
    renamed_kwargs,
)

__all__ = [
    "CLOSED_FORM_ACTIVATIONS",
    "gaussian_pair_expectation",
    "dual_activation",
    "kernel_from_covariance",
    "random_features_kernel",
    "random_features_kernel_monte_carlo",
    "random_features_kernel_linear_equivalent",
    "RandomFeaturesCoefficients",
    "random_features_coefficients",
    "inner_product_kernel",
    "inner_product_kernel_linear_equivalent",
]

#: Activations whose Gaussian-pair kernel has a closed form (value; derivative except ``sign``).

_DEFAULT_ORDER: int | None = None  # automatic (see rmtbook._pair_quadrature)


# ---------------------------------------------------------------------------------------------
# public: pair expectations and dual activations
# ---------------------------------------------------------------------------------------------


def gaussian_pair_expectation(
    activation: Activation,
    q1: ArrayLike,
    q2: ArrayLike,
    k: ArrayLike,
    *,
    derivative: bool = False,
    order: int | None = _DEFAULT_ORDER,
) -> np.ndarray:
    """Gaussian-pair expectation E[phi(u) phi(v)] for (u, v) ~ N(0, [[q1, k], [k, q2]]).

    Parameters
    ----------
    activation : str, callable or Activation
        A name of ``rmtbook.hermite.ACTIVATIONS`` or a vectorized callable.
    q1, q2 : array_like
        Variances (>= 0), array-likes broadcast together with ``k``.
    k : array_like
        Covariances, with ``k^2 <= q1 q2`` (checked up to a relative 1e-6, then clipped, so
        that a Gram matrix of repeated columns never produces the NaN of ``arccos(1 + eps)``).
    derivative : bool
        If True, return E[phi'(u) phi'(v)] (Price's theorem: the k-derivative of the kernel).
    order : int, optional
        Trapezoidal nodes per dimension for activations without a closed form; None (default):
        the accurate polar rule with Chebyshev tabulation (see the module notes).

    Returns
    -------
    numpy.ndarray
        The expectations, with the broadcast shape of ``(q1, q2, k)``.

    Notes
    -----
    Closed forms (exact): ReLU and ``abs`` (arc-cosine kernels; a zero variance uses the
    symmetric convention relu'(0) = 1/2), ``erf`` and ``sign`` (arcsine kernels), ``linear``,
    ``square`` (Isserlis), ``cos``, ``sin``, ``exp`` (Gaussian moment generating function).
    Otherwise (``order=None``) a polar Gauss-Legendre rule with panel edges at the zeros of u and
    v (about 1e-14, also for callables with a kink or jump at 0, and at kinks elsewhere declared
    by ``get_activation(fn, breakpoints=...)``), tabulated in the angle
    arccos(rho) and interpolated when at least 48 entries share their variances; with an
    explicit ``order``, a 2-D trapezoidal rule. See the module notes for the accuracy.

    Raises
    ------
    ValueError
        For negative variances, ``k^2 > q1 q2``, an unknown name, or ``derivative=True`` with
        ``'sign'``.

    References
    ----------
    Cho & Saul :cite:p:`cho2009kernel`; Williams :cite:p:`williams1997computing`.
    Used in :doc:`/chapters/07_kernels`, :doc:`/chapters/09_deep_conjugate_kernels` and :doc:`/chapters/10_ntk`.

    Examples
    --------
    >>> from rmtbook import gaussian_pair_expectation
    >>> float(gaussian_pair_expectation("relu", 1.0, 1.0, 0.0))  # E[relu(u)] E[relu(v)] = 1 / (2 pi)
    0.15915494309189535
    >>> round(float(gaussian_pair_expectation("tanh", 1.0, 1.0, 1.0)), 8)  # E[tanh(u)^2]
    0.39429449
    """
    act = resolve(activation)
    order = check_order(order)
    q1 = check_array("q1", q1, low=0.0)
    q2 = check_array("q2", q2, low=0.0)
    k = check_array("k", k)
    try:
        q1, q2, k = np.broadcast_arrays(q1, q2, k)
    except ValueError as exc:
        raise ValueError(f"q1, q2 and k must broadcast together, got shapes {q1.shape}, {q2.shape}, {k.shape}") from exc
    bound = np.sqrt(q1 * q2)
    if np.any(np.abs(k) > bound * (1 + 1e-6) + 1e-12):
        raise ValueError("k must satisfy k^2 <= q1 q2 (the 2 x 2 matrix must be a covariance)")
    shape = k.shape
    q1f, q2f = q1.ravel().astype(float), q2.ravel().astype(float)
    kf = np.clip(k.ravel(), -bound.ravel(), bound.ravel())
    return pair_values(act, q1f, q2f, kf, check_bool("derivative", derivative), order).reshape(shape)


def dual_activation(
    activation: Activation,
    rho: ArrayLike,
    *,
    q: float = 1.0,
    derivative_order: int = 0,
    order: int | None = _DEFAULT_ORDER,
) -> np.ndarray:
    """Dual activation f_q(rho) = E[phi(u) phi(v)] at variance q and correlation rho, and its derivatives.

    Parameters
    ----------
    activation : str, callable or Activation
        A name or a callable.
    rho : array_like
        Correlations in [-1, 1] (array-like).
    q : float
        Common variance of u and v (> 0).
    derivative_order : int
        0, 1 or 2: f_q, f_q' = q E[phi'(u) phi'(v)] (Price), or f_q''.
    order : int, optional
        Trapezoidal nodes per dimension when there is no closed form; None (default): the
        accurate polar rule (see the module notes).

    Returns
    -------
    numpy.ndarray
        Values of the same shape as ``rho``. By Mehler's formula
        f_q(rho) = sum_k a_k(q)^2 rho^k with a_k(q) the Hermite coefficients of phi(sqrt(q) .),
        so f_q(0) = a_0(q)^2, f_q'(0) = a_1(q)^2, f_q''(0) = 2 a_2(q)^2.

    Notes
    -----
    f'' is in closed form for the closed-form activations (``inf`` at rho = +-1 for kinks),
    else q^2 E[phi''(u) phi''(v)] by quadrature when phi'' is known (named smooth
    activations), else a central difference of f' with step 1e-4 (error about 1e-8 for smooth
    phi).

    References
    ----------
    Daniely et al.'s dual activations; Poole et al. :cite:p:`poole2016exponential`.
    Used in :doc:`/chapters/07_kernels` and, through :mod:`rmtbook.deep`, :doc:`/chapters/09_deep_conjugate_kernels` (curse of depth).

    Examples
    --------
    >>> import numpy as np
    >>> from rmtbook import dual_activation
    >>> np.round(dual_activation("relu", [0.0, 1.0]), 6)  # 1/(2 pi) and E[relu^2] = 1/2
    array([0.159155, 0.5     ])
    """
    act = resolve(activation)
    rho = check_array("rho", rho, low=-1.0, high=1.0)
    q = check_scalar("q", q, low=0.0, low_open=True)
    m = check_int("derivative_order", derivative_order, low=0, high=2)
    order = check_order(order)
    return dual(act, q, rho.ravel(), m, order).reshape(rho.shape)


# ---------------------------------------------------------------------------------------------
# kernel matrices
# ---------------------------------------------------------------------------------------------


def kernel_from_covariance(
    K: ArrayLike,
    activation: Activation,
    *,
    derivative: bool = False,
    order: int | None = _DEFAULT_ORDER,
) -> np.ndarray:
    """The matrix [E phi(u_i) phi(u_j)]_{ij} for a Gaussian vector u ~ N(0, K).

    Parameters
    ----------
    K : array_like
        Symmetric positive semi-definite n x n covariance matrix (symmetry checked to 1e-8
        relative; entries with k^2 slightly above q1 q2 from rounding are clipped).
    activation : str, callable or Activation
        A name or a callable.
    derivative : bool
        Return [E phi'(u_i) phi'(u_j)] instead.
    order : int, optional
        Trapezoidal nodes per dimension when there is no closed form; None (default): the
        accurate polar rule with Chebyshev tabulation (see :mod:`rmtbook.kernels`).

    Returns
    -------
    numpy.ndarray
        Symmetric n x n matrix. One layer of the infinite-width recursion of
        :func:`rmtbook.conjugate_kernel`.

    References
    ----------
    Neal :cite:p:`neal1996bayesian`; Cho & Saul :cite:p:`cho2009kernel`.
    Used in :doc:`/chapters/07_kernels`, :doc:`/chapters/09_deep_conjugate_kernels` and :doc:`/chapters/10_ntk`.

    Examples
    --------
    >>> import numpy as np
    >>> from rmtbook import kernel_from_covariance
    >>> np.round(kernel_from_covariance(np.eye(2), "relu"), 6)
    array([[0.5     , 0.159155],
           [0.159155, 0.5     ]])
    """
    act = resolve(activation)
    K = check_array("K", K, ndim=2)
    if K.shape[0] != K.shape[1]:
        raise ValueError(f"K must be a square matrix, got shape {K.shape}")
    scale = max(np.abs(K).max(), 1e-300)
    if np.abs(K - K.T).max() > 1e-8 * scale:
        raise ValueError("K must be symmetric (a covariance matrix)")
    if np.diag(K).min() < 0:
        raise ValueError("K must have a non-negative diagonal (a covariance matrix)")
    # every 2 x 2 principal minor of a covariance is PSD: |K_ij| <= sqrt(K_ii K_jj); only a
    # rounding excess (relative 1e-8) is clipped later, anything more is refused, not clipped
    d = np.sqrt(np.diag(K))
    excess = np.abs(K) - (1.0 + 1e-8) * np.outer(d, d)
    if np.any(excess > 1e-300):
        i, j = np.unravel_index(int(np.argmax(excess)), K.shape)
        raise ValueError(
            f"K must be a covariance matrix: |K[{i}, {j}]| = {abs(K[i, j]):g} exceeds "
            f"sqrt(K[{i}, {i}] K[{j}, {j}]) = {d[i] * d[j]:g}"
        )
    derivative = check_bool("derivative", derivative)
    order = check_order(order)
    return kernel_matrix(act, (K + K.T) / 2, derivative, order)


def _check_data(X: ArrayLike) -> np.ndarray:
    return check_data_scale("X", check_array("X", X, ndim=2))


def random_features_kernel(
    X: ArrayLike, activation: Activation, *, order: int | None = _DEFAULT_ORDER
) -> np.ndarray:
    """Exact random-features (conjugate) kernel Phi = E_w[phi(X^T w) phi(w^T X)], w ~ N(0, I_p).

    Parameters
    ----------
    X : array_like
        Data matrix, p x n (columns are samples), of any column norms: the pair
        (x_i^T w, x_j^T w) is Gaussian with covariance given by the entries of X^T X.
    activation : str, callable or Activation
        A name of ``rmtbook.hermite.ACTIVATIONS`` or a vectorized callable.
    order : int, optional
        Trapezoidal nodes per dimension when there is no closed form; None (default): the
        accurate polar rule with Chebyshev tabulation (see :mod:`rmtbook.kernels`).

    Returns
    -------
    numpy.ndarray
        The symmetric positive semi-definite n x n matrix Phi.

    References
    ----------
    Louart, Liao & Couillet :cite:p:`louart2018random`; Cho & Saul :cite:p:`cho2009kernel`; Williams :cite:p:`williams1997computing`. Used in :doc:`/chapters/07_kernels` and :doc:`/chapters/08_random_features`.

    Examples
    --------
    >>> import numpy as np
    >>> from rmtbook import random_features_kernel
    >>> X = np.array([[1.0, 0.0], [0.0, 1.0]])  # two orthonormal samples
    >>> np.round(random_features_kernel(X, "erf"), 6)
    array([[0.464559, 0.      ],
           [0.      , 0.464559]])
    """
    act = resolve(activation)
    X = _check_data(X)
    order = check_order(order)
    return kernel_matrix(act, X.T @ X, False, order)


@renamed_kwargs(n_features="num_features")
def random_features_kernel_monte_carlo(
    X: ArrayLike,
    activation: Activation,
    num_features: int,
    *,
    rng: RngLike = None,
    batch: int = 2048,
) -> np.ndarray:
    """Monte Carlo estimate (1/N) sum_{l <= N} phi(X^T w_l) phi(w_l^T X), w_l ~ N(0, I_p).

    Equivalently Sigma^T Sigma / N with Sigma = phi(W X), W an N x p standard Gaussian matrix:
    the Gram matrix of N random features, whose expectation is :func:`random_features_kernel`
    and whose entries fluctuate at O(N^{-1/2}).

    Parameters
    ----------
    X : array_like
        Data, p x n.
    activation : str, callable or Activation
        A name or a callable.
    num_features : int
        Number N of random features (>= 1).
    rng : None, int or numpy.random.Generator
        ``None``, a seed or a :class:`numpy.random.Generator`.
    batch : int
        Features drawn per block (memory control only; the result does not depend on it
        for a given generator state up to the block boundaries).

    Returns
    -------
    numpy.ndarray
        The symmetric PSD n x n Monte Carlo estimate.

    References
    ----------
    Rahimi & Recht :cite:p:`rahimi2007random`. Used in :doc:`/chapters/07_kernels` and :doc:`/chapters/08_random_features`.

    Examples
    --------
    >>> import numpy as np
    >>> from rmtbook import random_features_kernel, random_features_kernel_monte_carlo
    >>> X = np.eye(3)
    >>> mc = random_features_kernel_monte_carlo(X, "relu", 20_000, rng=0)
    >>> bool(np.abs(mc - random_features_kernel(X, "relu")).max() < 0.03)
    True
    """
    act = resolve(activation)
    X = _check_data(X)
    N = check_int("num_features", num_features, low=1)
    batch = check_int("batch", batch, low=1)
    gen = as_generator(rng)
    p, n = X.shape
    out = np.zeros((n, n))
    done = 0
    while done < N:
        m = min(batch, N - done)
        S = np.asarray(act.phi(gen.standard_normal((m, p)) @ X), dtype=float)
        out += S.T @ S
        done += m
    return out / N


@dataclass(frozen=True)
class RandomFeaturesCoefficients:
    """Per-sample Hermite data of ``phi(sqrt(q_i) .)``: ``a_0``, ``a_1``, ``a_2`` and ``nu``.

    Attributes
    ----------
    a0, a1, a2 : numpy.ndarray
        Hermite coefficients of ``x -> phi(||x_i|| x)``, one per column ``x_i`` (length n).
    nu : numpy.ndarray
        The second moments ``E[phi(||x_i|| xi)^2]`` (length n).
    """

    a0: np.ndarray
    a1: np.ndarray
    a2: np.ndarray
    nu: np.ndarray


def _coefficients_at_variance(act: ResolvedActivation, q: np.ndarray) -> RandomFeaturesCoefficients:
    """a_0, a_1, a_2 and nu of x -> phi(sqrt(q) x), vectorized over an array of variances q.

    A zero variance gives the constant phi(0): a_0 = phi(0), a_1 = a_2 = 0, nu = phi(0)^2.
    """
    coef = _coefficients_at_positive_variance(act, q)
    zero = q == 0
    if not zero.any():
        return coef
    phi0 = float(np.asarray(act.phi(np.zeros(1)), dtype=float)[0])
    a0, a1, a2, nu = (np.array(c, dtype=float, copy=True) for c in (coef.a0, coef.a1, coef.a2, coef.nu))
    a0[zero], a1[zero], a2[zero], nu[zero] = phi0, 0.0, 0.0, phi0**2
    return RandomFeaturesCoefficients(a0, a1, a2, nu)


def _coefficients_at_positive_variance(act: ResolvedActivation, q: np.ndarray) -> RandomFeaturesCoefficients:
    """Core of :func:`_coefficients_at_variance`."""
    key = act.key
    uniq, inverse = np.unique(q, return_inverse=True)
    if key in CLOSED_FORM_ACTIVATIONS:  # closed forms at every variance, in rmtbook.hermite
        table = np.array([
            [*_hermite.hermite_coefficients(key, 2, var=float(qi)), _hermite.second_moment(key, var=float(qi))]
            for qi in uniq
        ])
    else:  # the panel rule of rmtbook._quadrature: shared nodes for names, adaptive for callables
        with np.errstate(over="raise", invalid="raise"):
            try:
                coef, same, _ = gaussian_hermite_moments(
                    act.phi, uniq, 2, breaks=act.breaks, radius=None if key is not None else 40.0,
                    adaptive=key is None,
                )
            except FloatingPointError as exc:
                raise ValueError("activation overflowed or returned NaN at the Gaussian nodes") from exc
        table = np.column_stack([coef, same])
    t = table[inverse.ravel()]
    return RandomFeaturesCoefficients(t[:, 0], t[:, 1], t[:, 2], t[:, 3])


def random_features_coefficients(
    X: ArrayLike, activation: Activation
) -> RandomFeaturesCoefficients:
    """Hermite coefficients a_0, a_1, a_2 and nu of phi(||x_i|| .) for every column x_i of X.

    For unit-norm columns these are the constants a_0, a_1, a_2, nu of :mod:`rmtbook.hermite`;
    in general those of :func:`rmtbook.hermite_coefficients` at ``var = ||x_i||^2``: closed forms
    for the names of ``CLOSED_FORM_ACTIVATIONS``; otherwise the panel Gauss-Legendre rule of :mod:`rmtbook.hermite` (about 1e-15), with nodes
    shared by all distinct norms for named activations and adaptive, once per distinct norm, for
    callables.

    Parameters
    ----------
    X : array_like
        Data, p x n.
    activation : str, callable or Activation
        A name or a callable.

    Returns
    -------
    RandomFeaturesCoefficients
        Arrays ``a0``, ``a1``, ``a2``, ``nu`` of length n.

    References
    ----------
    Liao & Couillet :cite:p:`liao2018spectrum`. Used in :doc:`/chapters/07_kernels`.

    Examples
    --------
    >>> import numpy as np
    >>> from rmtbook import random_features_coefficients
    >>> c = random_features_coefficients(np.diag([1.0, 2.0]), "relu")  # relu(2 x) = 2 relu(x)
    >>> np.round(c.a1, 6), np.round(c.nu, 6)
    (array([0.5, 1. ]), array([0.5, 2. ]))
    """
    act = resolve(activation)
    X = _check_data(X)
    return _coefficients_at_variance(act, np.einsum("ij,ij->j", X, X))


def random_features_kernel_linear_equivalent(
    X: ArrayLike, activation: Activation
) -> np.ndarray:
    """Linear equivalent of the random-features kernel Phi (operator norm, n, p -> inf, p/n fixed).

    For unit-norm columns,

    .. math:: \\tilde\\Phi = (a_0^2 + a_2^2/p) 1 1^T + a_1^2 X^T X + (\\nu - a_0^2 - a_1^2 - a_2^2/p) I_n,

    whose diagonal equals the exact diagonal nu of Phi (the textbook identity coefficient
    nu - a_0^2 - a_1^2 differs by a_2^2/p, an O(1/p) change in operator norm).

    General column norms q_i = ||x_i||^2: with a_k(q) the Hermite coefficients of
    phi(sqrt(q) .) (see :func:`random_features_coefficients`), ``alpha_k = (a_k(q_i))_i`` and
    D = diag(a_1(q_i) / sqrt(q_i)),

    .. math:: \\tilde\\Phi = \\alpha_0 \\alpha_0^T + \\tfrac1p \\alpha_2 \\alpha_2^T + D X^T X D
              + \\mathrm{diag}(\\nu(q_i) - a_0(q_i)^2 - a_1(q_i)^2 - a_2(q_i)^2/p),

    the first terms of Mehler's expansion Phi_ij = sum_k a_k(q_i) a_k(q_j) rho_ij^k with the
    mean 1/p of rho_ij^2 for nearly isotropic data. Keeping a_k(q_i) per column matters: for
    data with i.i.d. entries the norms fluctuate at O(p^{-1/2}), and replacing a_0(q_i) by a
    constant moves the operator norm by O(sqrt(n / p)) times sqrt(n). The diagonal is always the
    exact diagonal nu(q_i) of Phi. Columns of zero norm have a_1 = a_2 = 0 in D.

    Parameters
    ----------
    X : array_like
        Data, p x n.
    activation : str, callable or Activation
        A name or a callable.

    Returns
    -------
    numpy.ndarray
        The n x n linear equivalent.

    References
    ----------
    Louart, Liao & Couillet :cite:p:`louart2018random`; Liao & Couillet :cite:p:`liao2018spectrum`; Mei & Montanari :cite:p:`mei2022generalization`.
    Used in :doc:`/chapters/07_kernels` and :doc:`/chapters/08_random_features`.

    Examples
    --------
    >>> import numpy as np
    >>> from rmtbook import random_features_kernel, random_features_kernel_linear_equivalent
    >>> X = np.random.default_rng(0).standard_normal((400, 200))
    >>> X /= np.linalg.norm(X, axis=0)
    >>> Phi, Phi_lin = random_features_kernel(X, "relu"), random_features_kernel_linear_equivalent(X, "relu")
    >>> bool(np.linalg.norm(Phi - Phi_lin, 2) < 0.05)
    True
    """
    act = resolve(activation)
    X = _check_data(X)
    p = X.shape[0]
    q = np.einsum("ij,ij->j", X, X)
    coef = _coefficients_at_variance(act, q)
    a0, a1, a2, nu = coef.a0, coef.a1, coef.a2, coef.nu
    r = np.sqrt(q)
    dscale = np.where(r > 0, a1 / np.where(r > 0, r, 1.0), 0.0)
    out = np.outer(a0, a0) + np.outer(a2, a2) / p + (dscale[:, None] * (X.T @ X)) * dscale[None, :]
    out = (out + out.T) / 2
    out[np.diag_indices_from(out)] = nu
    return out


# ---------------------------------------------------------------------------------------------
# inner-product kernels (El Karoui 2010)
# ---------------------------------------------------------------------------------------------
def _resolve_function(f: Activation) -> Callable[[np.ndarray], np.ndarray]:
    if isinstance(f, str):
        return resolve(f, "f").phi
    return check_vectorized_callable("f", f)


def inner_product_kernel(X: ArrayLike, f: Activation) -> np.ndarray:
    """Inner-product kernel matrix K = f(X^T X / p), f applied entrywise.

    Parameters
    ----------
    X : array_like
        Data, p x n; the normalization assumes entries of unit variance (x_i^T x_j / p is then
        about N(0, 1/p) off the diagonal and about 1 on it).
    f : str or callable
        Vectorized callable (or an activation name).

    Returns
    -------
    numpy.ndarray
        The n x n matrix ``f(X^T X / p)``.

    References
    ----------
    El Karoui :cite:p:`elkaroui2010spectrum`. Used in :doc:`/chapters/07_kernels`.

    Examples
    --------
    >>> import numpy as np
    >>> from rmtbook import inner_product_kernel
    >>> inner_product_kernel(np.ones((4, 2)), np.exp)  # every x_i^T x_j / p is 1
    array([[2.71828183, 2.71828183],
           [2.71828183, 2.71828183]])
    """
    g = _resolve_function(f)
    X = _check_data(X)
    out = np.asarray(g((X.T @ X) / X.shape[0]), dtype=float)
    if not np.all(np.isfinite(out)):
        raise ValueError("f must be finite on the entries of X^T X / p")
    return out


def inner_product_kernel_linear_equivalent(
    X: ArrayLike,
    f: Activation,
    *,
    derivatives: tuple[float, float] | None = None,
) -> np.ndarray:
    """El Karoui's linear equivalent of f(X^T X / p) for X with i.i.d. standardized entries.

    Off the diagonal, t_ij = x_i^T x_j / p is O(p^{-1/2}): f(t) = f(0) + f'(0) t + f''(0) t^2 / 2
    + O(p^{-3/2}) and t_ij^2 has mean 1/p, while the centred rest has vanishing operator norm.
    Hence, in operator norm,

    .. math::

        K \\approx {} & (f(0) + f''(0)/(2p)) 1 1^T + f'(0) X^T X / p \\\\
        & + \\mathrm{diag}(f(t_{ii}) - f(0) - f''(0)/(2p) - f'(0) t_{ii}),

    where the diagonal correction makes the diagonal exactly that of K; since t_ii = 1 +
    O(p^{-1/2}) it equals (f(1) - f(0) - f'(0)) I_n up to o(1) in operator norm (El Karoui's form).

    Parameters
    ----------
    X : array_like
        Data, p x n, entries i.i.d. with mean 0 and variance 1.
    f : str or callable
        Vectorized callable (or an activation name), C^3 near 0 and continuous near 1.
    derivatives : tuple of float, optional
        ``(f'(0), f''(0))``; by default central differences with step 1e-3 (relative error
        about 1e-7, far below the O(p^{-1/2}) error of the equivalent).

    Returns
    -------
    numpy.ndarray
        The n x n linear equivalent (its diagonal is that of ``f(X^T X / p)``).

    References
    ----------
    El Karoui :cite:p:`elkaroui2010spectrum`. Used in :doc:`/chapters/07_kernels`.

    Examples
    --------
    >>> import numpy as np
    >>> from rmtbook import inner_product_kernel, inner_product_kernel_linear_equivalent
    >>> X = np.random.default_rng(0).standard_normal((800, 400))
    >>> K, K_lin = inner_product_kernel(X, np.tanh), inner_product_kernel_linear_equivalent(X, np.tanh)
    >>> bool(np.linalg.norm(K - K_lin, 2) < 0.1 * np.linalg.norm(K, 2))
    True
    """
    g = _resolve_function(f)
    X = _check_data(X)
    p = X.shape[0]
    f0 = float(np.asarray(g(np.array([0.0])), dtype=float)[0])
    if derivatives is None:
        h = 1e-3
        fp, fm = (float(np.asarray(g(np.array([s])), dtype=float)[0]) for s in (h, -h))
        d1, d2 = (fp - fm) / (2 * h), (fp - 2 * f0 + fm) / h**2
    else:
        if not isinstance(derivatives, (tuple, list)) or len(derivatives) != 2:
            raise TypeError("derivatives must be a pair (f'(0), f''(0))")
        d1 = check_scalar("derivatives[0]", derivatives[0])
        d2 = check_scalar("derivatives[1]", derivatives[1])
    if not np.isfinite([f0, d1, d2]).all():
        raise ValueError("f must be finite and twice differentiable at 0")
    T = (X.T @ X) / p
    T = (T + T.T) / 2
    const = f0 + d2 / (2 * p)
    out = const + d1 * T
    diag = np.diag(T)
    fdiag = np.asarray(g(diag), dtype=float)
    if not np.all(np.isfinite(fdiag)):
        raise ValueError("f must be finite on the diagonal entries of X^T X / p")
    out[np.diag_indices_from(out)] = fdiag
    return out
