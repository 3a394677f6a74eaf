"""Feature learning after one gradient step: the rank-one spike of the first layer.

The model (Ba, Erdogdu, Suzuki, Wang, Wu & Yang 2022): a two-layer network
``f(x) = a^T sigma(W x) / N`` with ``W`` (``N x p``) of i.i.d. ``N(0, 1/p)`` entries and ``a``
of i.i.d. ``N(0, 1)`` entries, data ``X`` (``p x n``) of i.i.d. ``N(0, 1)`` entries and a
single-index target ``y = sigma_*(<beta_*, x>) + eps`` with ``||beta_*|| = 1`` and
``eps ~ N(0, noise_var)``. One gradient step on the squared loss
``L(W) = ||y - f(X)||^2 / (2 n)``, with learning rate ``eta sqrt(N)``, gives ::

    W_1 = W_0 + (eta / sqrt(N)) G,   G = (1/n) diag(a) [sigma'(W_0 X) o (1 r^T)] X^T,

with residual ``r = y - f_0(X)``. Splitting ``sigma' = a_1 + (sigma' - a_1)`` (Stein:
``E sigma'(xi) = a_1``), ``(eta / sqrt N) G = theta u vhat^T + Delta`` with ``u = a / ||a||``,
``vhat = X r / ||X r||`` and, in the proportional limit, ::

    theta = eta |a_1| sqrt(c_1^2 + (p/n)(nu_* + noise_var)),
    <vhat, beta_*>^2 -> c_1^2 / (c_1^2 + (p/n)(nu_* + noise_var)),   ||Delta|| = O(n^{-1/2}),

where ``a_1`` is the first Hermite coefficient of ``sigma``, ``c_1`` that of ``sigma_*`` and
``nu_* = E sigma_*(xi)^2``. The rows of ``W_0 + theta u vhat^T`` are Gaussian with
covariance ``(I + ell vhat vhat^T) / p``, ``ell = theta^2 p / N`` (independent up to the
normalization by ``||a||``): up to ``Delta``, ``(p/N) W_1^T W_1`` is a spiked sample covariance
matrix with ratio ``p / N`` (chapter 4), whose outlier and alignment are those of
:func:`rmtbook.spiked.spike_eigenvalue` and :func:`rmtbook.spiked.spike_alignment`. The limits are
stated for an activation with a Lipschitz derivative (not ReLU); the chapter checks them
numerically for the non-Lipschitz target ``sign``.

Layer 4 of the package, beside :mod:`rmtbook.shallow`: imports :mod:`rmtbook.spiked` (layer 4,
public names only), :mod:`rmtbook.hermite` (layer 2) and the private toolkits.

References
----------
- J. Ba, M. A. Erdogdu, T. Suzuki, Z. Wang, D. Wu and G. Yang, "High-dimensional asymptotics
  of feature learning: how one gradient step improves the representation", NeurIPS (2022)
  :cite:p:`ba2022high`.
- B. Moniri, D. Lee, H. Hassani and E. Dobriban, "A theory of non-linear feature learning with
  one gradient step in two-layer neural networks", ICML (2024) :cite:p:`moniri2023theory`.
- Y. Dandi, F. Krzakala, B. Loureiro, L. Pesce and L. Stephan, "How two-layer neural networks
  learn, one (giant) step at a time", JMLR (2024) :cite:p:`dandi2023twolayer`.

Used in :doc:`/chapters/10b_feature_learning`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import hermite as _hermite
from . import spiked as _spiked
from ._results import TupleLike
from ._rng import as_generator
from ._typing import Activation as ActivationLike
from ._typing import ArrayLike, RealArray, RngLike, ScalarOrArray
from ._validation import check_array, check_int, check_scalar

__all__ = [
    "OneStepSpike",
    "SingleIndexSample",
    "one_step_spike",
    "single_index_sample",
    "one_gradient_step",
    "ridge_test_error",
]


@dataclass(frozen=True)
class OneStepSpike:
    """Proportional limits of the rank-one spike created by one gradient step.

    Attributes
    ----------
    strength : float or numpy.ndarray
        ``theta``: the operator norm of the rank-one part of the step ``W_1 - W_0``.
    target_alignment : float
        ``<vhat, beta_*>^2``: squared cosine between the spike direction and the target.
    ell : float or numpy.ndarray
        ``theta^2 p / N``: the spike of the row covariance ``(I + ell vhat vhat^T) / p``.
    critical_learning_rate : float
        The learning rate at which ``ell`` reaches the BBP threshold ``sqrt(p / N)``.
    weight_outlier : float or numpy.ndarray
        Limit of the top eigenvalue of ``(p / N) W_1^T W_1`` (the bulk edge
        ``(1 + sqrt(p/N))^2`` below the threshold).
    weight_alignment : float or numpy.ndarray
        Limit of ``<w_top, beta_*>^2`` with ``w_top`` the top eigenvector of ``W_1^T W_1``
        (0 below the threshold).
    """

    strength: ScalarOrArray
    target_alignment: float
    ell: ScalarOrArray
    critical_learning_rate: float
    weight_outlier: ScalarOrArray
    weight_alignment: ScalarOrArray


@dataclass(frozen=True)
class SingleIndexSample(TupleLike):
    """A sample of the single-index model ``y = sigma_*(<beta_*, x>) + eps``.

    Attributes
    ----------
    X : numpy.ndarray
        ``p x n`` data, i.i.d. ``N(0, 1)`` entries (columns are samples).
    y : numpy.ndarray
        The ``n`` targets.
    direction : numpy.ndarray
        The unit vector ``beta_*`` (length ``p``).
    """

    X: RealArray
    y: RealArray
    direction: RealArray


def _named(name: str, call):
    """Run ``call()``, naming the argument ``name`` in the message of a ValueError/TypeError."""
    try:
        return call()
    except (ValueError, TypeError) as err:
        raise type(err)(f"{name}: {err}") from err


def _moments(target: ActivationLike) -> tuple[float, float]:
    """``(c_1, nu_*)`` of the target link function."""
    c1 = float(_named("target", lambda: _hermite.hermite_coefficients(target, 1))[1])
    nu = float(_named("target", lambda: _hermite.second_moment(target)))
    return c1, nu


def one_step_spike(
    activation: ActivationLike,
    target: ActivationLike,
    learning_rate: ArrayLike,
    ratio: float,
    width_ratio: float,
    noise_var: float = 0.0,
) -> OneStepSpike:
    """Size, direction and spectral signature of the spike added by one gradient step.

    With ``a_1`` the first Hermite coefficient of ``activation``, ``c_1`` that of ``target``,
    ``nu_* = E target(xi)^2``, ``psi = p / n`` and ``c = p / N``:

    .. math::
        \\theta = \\eta |a_1| \\sqrt{c_1^2 + \\psi(\\nu_* + \\tau^2)},\\quad
        \\langle \\hat v, \\beta_*\\rangle^2 = \\frac{c_1^2}{c_1^2 + \\psi(\\nu_* + \\tau^2)},\\quad
        \\ell = \\theta^2 c,

    the top eigenvalue of ``(p/N) W_1^T W_1`` tends to ``spike_eigenvalue(ell, c)`` and its
    eigenvector's squared overlap with ``beta_*`` to
    ``spike_alignment(ell, c) <vhat, beta_*>^2``; the transition ``ell = sqrt(c)`` happens at
    ``eta_c = c^{-1/4} / (|a_1| sqrt(c_1^2 + psi (nu_* + tau^2)))``.

    Parameters
    ----------
    activation : str, callable or Activation
        The student's activation ``sigma`` (see :func:`rmtbook.hermite.get_activation`).
    target : str, callable or Activation
        The link function ``sigma_*`` of the target.
    learning_rate : float or array_like
        ``eta >= 0`` (the step is ``W_1 = W_0 + eta G / sqrt(N)``), scalar or 1-d array.
    ratio : float
        ``psi = p / n > 0`` (``n`` the samples of the gradient step).
    width_ratio : float
        ``N / n > 0``.
    noise_var : float
        ``tau^2 >= 0``, the variance of the label noise.

    Returns
    -------
    OneStepSpike
        Scalars for a scalar ``learning_rate``, arrays of its shape otherwise.

    Raises
    ------
    ValueError
        For a negative or non-finite learning rate or noise variance, or a non-positive
        ratio; if ``a_1 = 0`` or ``c_1 = 0`` (no spike: the step has no rank-one part).

    References
    ----------
    :cite:p:`ba2022high` (the rank-one approximation); the spiked covariance
    limits are those of :cite:p:`baik2005phase,paul2007asymptotics`.
    :doc:`/chapters/10b_feature_learning`.

    Examples
    --------
    >>> from rmtbook import one_step_spike
    >>> s = one_step_spike("tanh", "linear", 2.0, ratio=0.5, width_ratio=1.0)
    >>> round(s.target_alignment, 4)  # 1 / (1 + 0.5 * 1)
    0.6667
    >>> bool(s.weight_outlier > (1 + 0.5 ** 0.5) ** 2)  # above the threshold: an outlier
    True
    """
    eta = check_array("learning_rate", learning_rate, ndim=(0, 1), low=0.0)
    psi = check_scalar("ratio", ratio, low=0.0, low_open=True)
    wr = check_scalar("width_ratio", width_ratio, low=0.0, low_open=True)
    tau2 = check_scalar("noise_var", noise_var, low=0.0)
    a1 = float(_named("activation", lambda: _hermite.hermite_coefficients(activation, 1))[1])
    c1, nu = _moments(target)
    if abs(a1) < 1e-12:
        raise ValueError("activation must have a nonzero first Hermite coefficient a_1 (got 0)")
    if abs(c1) < 1e-12:
        raise ValueError("target must have a nonzero first Hermite coefficient c_1 (got 0)")
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        norm_v2 = c1**2 + psi * (nu + tau2)
        c = psi / wr
        theta = eta * abs(a1) * np.sqrt(norm_v2)
        ell = theta**2 * c
        align = c1**2 / norm_v2
        critical = c ** (-0.25) / (abs(a1) * np.sqrt(norm_v2))
    finite = np.all(np.isfinite(ell)) and np.isfinite(critical) and c > 0 and np.isfinite(c)
    if not finite:
        raise ValueError("learning_rate, ratio, width_ratio or noise_var out of the representable "
                         "range: the spike ell = theta^2 p / N or eta_c over- or underflows")
    scalar = eta.ndim == 0

    def out(x):
        return float(x) if scalar else np.asarray(x, dtype=float)

    return OneStepSpike(
        strength=out(theta),
        target_alignment=float(align),
        ell=out(ell),
        critical_learning_rate=float(critical),
        weight_outlier=out(_spiked.spike_eigenvalue(ell, c)),
        weight_alignment=out(np.asarray(_spiked.spike_alignment(ell, c)) * align),
    )


def single_index_sample(
    p: int,
    n: int,
    target: ActivationLike,
    *,
    noise_var: float = 0.0,
    direction: ArrayLike | None = None,
    rng: RngLike = None,
) -> SingleIndexSample:
    """Draw ``n`` samples of ``y = target(<beta_*, x>) + eps``, ``x ~ N(0, I_p)``.

    Parameters
    ----------
    p, n : int
        Dimension and number of samples, ``>= 1``.
    target : str, callable or Activation
        The link function ``sigma_*``.
    noise_var : float
        Variance of the Gaussian label noise ``eps``, ``>= 0``.
    direction : array_like, optional
        ``beta_*`` (length ``p``, nonzero; normalized to unit norm). Drawn uniformly on the
        sphere when omitted.
    rng : None, int or numpy.random.Generator
        Source of randomness (keyword-only).

    Returns
    -------
    SingleIndexSample
        ``X`` (``p x n``), ``y`` (``n``), ``direction`` (unit, length ``p``).

    Raises
    ------
    ValueError
        For non-positive sizes, a negative noise variance, or a zero or wrongly sized
        ``direction``.

    References
    ----------
    :cite:p:`ba2022high`. :doc:`/chapters/10b_feature_learning`.

    Examples
    --------
    >>> from rmtbook import single_index_sample
    >>> s = single_index_sample(5, 8, "sign", noise_var=0.0, rng=0)
    >>> s.X.shape, s.y.shape
    ((5, 8), (8,))
    >>> bool(abs(abs(s.y).max() - 1.0) < 1e-12)  # sign(<beta_*, x>) is +-1
    True
    """
    p = check_int("p", p, low=1)
    n = check_int("n", n, low=1)
    tau2 = check_scalar("noise_var", noise_var, low=0.0)
    fn = _named("target", lambda: _hermite.get_activation(target)).fn
    gen = as_generator(rng)
    if direction is None:
        beta = gen.standard_normal(p)
    else:
        beta = check_array("direction", direction, shape=(p,))
    norm = np.linalg.norm(beta)
    if not norm > 0:
        raise ValueError("direction must be a nonzero vector of length p")
    beta = beta / norm
    X = gen.standard_normal((p, n))
    with np.errstate(all="ignore"):
        y = np.asarray(_named("target", lambda: fn(beta @ X)), dtype=float)
        y = y + np.sqrt(tau2) * gen.standard_normal(n)
    if y.shape != (n,) or not np.all(np.isfinite(y)):
        raise ValueError("target must be vectorized and return finite values "
                         "(or noise_var is too large)")
    return SingleIndexSample(X=X, y=y, direction=beta)


def one_gradient_step(
    W: ArrayLike,
    a: ArrayLike,
    X: ArrayLike,
    y: ArrayLike,
    activation: ActivationLike,
    learning_rate: float,
) -> RealArray:
    """First layer after one gradient step of the two-layer network ``a^T sigma(W x) / N``.

    ``W_1 = W - eta sqrt(N) grad_W L`` for ``L(W) = ||y - a^T sigma(W X) / N||^2 / (2n)``, i.e.

    .. math::
        W_1 = W + \\frac{\\eta}{\\sqrt N}\\,\\frac1n\\,\\mathrm{diag}(a)\\,
        \\big[\\sigma'(W X) \\circ \\mathbf 1 r^\\top\\big] X^\\top,
        \\qquad r = y - a^\\top \\sigma(W X) / N.

    The second layer ``a`` stays fixed.

    Parameters
    ----------
    W : array_like
        ``N x p`` first layer (the book draws i.i.d. ``N(0, 1/p)`` entries).
    a : array_like
        ``N`` second-layer weights (the book draws i.i.d. ``N(0, 1)``).
    X : array_like
        ``p x n`` training inputs (columns are samples).
    y : array_like
        ``n`` targets.
    activation : str, callable or Activation
        ``sigma``; its derivative comes from :func:`rmtbook.hermite.get_activation`.
    learning_rate : float
        ``eta >= 0``.

    Returns
    -------
    numpy.ndarray
        ``W_1``, ``N x p``.

    Raises
    ------
    ValueError
        For mismatched shapes, non-finite entries or a negative learning rate.

    References
    ----------
    :cite:p:`ba2022high`. :doc:`/chapters/10b_feature_learning`.

    Examples
    --------
    >>> import numpy as np
    >>> from rmtbook import one_gradient_step
    >>> gen = np.random.default_rng(0)
    >>> W, a = gen.standard_normal((3, 4)) / 2, gen.standard_normal(3)
    >>> X = gen.standard_normal((4, 6))
    >>> W1 = one_gradient_step(W, a, X, np.ones(6), "tanh", 0.5)
    >>> W1.shape
    (3, 4)
    >>> bool(np.array_equal(one_gradient_step(W, a, X, np.ones(6), "tanh", 0.0), W))
    True
    """
    W = check_array("W", W, ndim=2)
    N, p = W.shape
    a = check_array("a", a, shape=(N,))
    X = check_array("X", X, ndim=2)
    if X.shape[0] != p:
        raise ValueError(f"X must have p = {p} rows (the columns of W), got {X.shape[0]}")
    n = X.shape[1]
    y = check_array("y", y, shape=(n,))
    eta = check_scalar("learning_rate", learning_rate, low=0.0)
    act = _named("activation", lambda: _hermite.get_activation(activation))
    with np.errstate(all="ignore"):
        Z = W @ X
        residual = y - a @ act.fn(Z) / N
        G = (a[:, None] * act.derivative(Z) * residual[None, :]) @ X.T / n
        W1 = W + (eta / np.sqrt(N)) * G
    if not np.all(np.isfinite(W1)):
        raise ValueError("the step overflowed (non-finite W_1): W, a, X, y or learning_rate too "
                         "large, or an activation with non-finite values on W X")
    return W1


def ridge_test_error(
    F: ArrayLike, y: ArrayLike, F_test: ArrayLike, y_test: ArrayLike, ridge: ArrayLike
) -> ScalarOrArray:
    """Test MSE of ridge regression of ``y`` on given features (the second layer's fit).

    ``beta = F (F^T F / n + gamma I_n)^{-1} y / n`` (the normalization of
    :func:`rmtbook.shallow.random_features_ridge_errors`), test error
    ``||y_test - F_test^T beta||^2 / n_test``; vectorized over ridges through one
    eigendecomposition of the smaller of ``F^T F / n`` and ``F F^T / n``.

    Parameters
    ----------
    F : array_like
        ``N x n`` training features (columns are samples).
    y : array_like
        ``n`` training targets.
    F_test : array_like
        ``N x n_test`` test features.
    y_test : array_like
        ``n_test`` test targets.
    ridge : float or array_like
        ``gamma > 0`` (scalar or 1-d array).

    Returns
    -------
    float or numpy.ndarray
        The test MSE, one per ridge.

    Raises
    ------
    ValueError
        For mismatched shapes, non-finite entries or a non-positive ridge.

    References
    ----------
    :cite:p:`ba2022high` (ridge on the trained features); :cite:p:`louart2018random`.
    :doc:`/chapters/10b_feature_learning`.

    Examples
    --------
    >>> import numpy as np
    >>> from rmtbook import ridge_test_error
    >>> gen = np.random.default_rng(1)
    >>> F = gen.standard_normal((3, 50)); b = np.array([1.0, -2.0, 0.5])
    >>> float(ridge_test_error(F, F.T @ b, F, F.T @ b, 1e-8)) < 1e-10  # noiseless, tiny ridge
    True
    """
    F = check_array("F", F, ndim=2)
    N, n = F.shape
    y = check_array("y", y, shape=(n,))
    F_test = check_array("F_test", F_test, ndim=2)
    if F_test.shape[0] != N:
        raise ValueError(f"F_test must have N = {N} rows (as F), got {F_test.shape[0]}")
    y_test = check_array("y_test", y_test, shape=(F_test.shape[1],))
    gam = check_array("ridge", ridge, ndim=(0, 1), low=0.0, low_open=True)
    # the smaller Gram matrix: F^T F / n (n x n) or F F^T / n (N x N), same nonzero spectrum
    with np.errstate(all="ignore"):
        gram = F.T @ F / n if n <= N else F @ F.T / n
    if not np.all(np.isfinite(gram)):
        raise ValueError("F too large: its Gram matrix overflows")
    lam, V = np.linalg.eigh(gram)
    inv = 1.0 / (np.maximum(lam, 0.0)[:, None] + np.atleast_1d(gam)[None, :])
    with np.errstate(all="ignore"):
        if n <= N:  # beta = F V diag(1 / (lam + gamma)) V^T y / n
            beta = F @ (V @ ((V.T @ y)[:, None] * inv)) / n
        else:       # beta = V diag(1 / (lam + gamma)) V^T F y / n (push-through identity)
            beta = V @ ((V.T @ (F @ y / n))[:, None] * inv)
        err = np.mean((y_test[:, None] - F_test.T @ beta) ** 2, axis=0)
    if not np.all(np.isfinite(err)):
        raise ValueError("the test error overflows: F, y, F_test, y_test too large "
                         "or ridge too small")
    return float(err[0]) if gam.ndim == 0 else err
