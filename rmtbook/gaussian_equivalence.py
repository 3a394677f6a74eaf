"""Random features ridge regression on random data: closed-form asymptotics, Gaussian equivalence.

Model (the one of :mod:`rmtbook.shallow`, on random data). ``X`` is ``p x n`` with i.i.d.
``N(0, 1/p)`` entries, targets ``y_i = sqrt(p) <beta*, x_i> + eps_i`` with ``beta*`` uniform on
the sphere of radius ``sqrt(signal_norm2)`` and ``eps_i ~ N(0, noise_var)``; features
``Sigma = phi(W X)`` with ``W`` (``N x p``) i.i.d. ``N(0, 1)``, second layer
``beta = Sigma (Sigma^T Sigma / n + gamma I_n)^{-1} y / n``. Ratios ``c = p / n``,
``alpha = N / n``.

Asymptotics (derived in :doc:`/chapters/08b_gaussian_equivalence`). With the Hermite
coefficients ``a_0, a_1`` and ``nu = E phi(xi)^2`` of the activation, the errors depend on
``phi`` only through ``a_1^2`` and ``v = nu - a_0^2 - a_1^2`` (the Gaussian equivalent features
``a_0 + a_1 W X + sqrt(v) Z`` have the same limits), and scale out as follows: replacing
``phi`` by ``s phi`` is the same as dividing ``gamma`` by ``s^2``. Write
``a = a_1^2 / (a_1^2 + v)``,
``v <- v / (a_1^2 + v)``, ``gamma <- gamma / (a_1^2 + v)`` and ``mu`` for the Marchenko-Pastur law
of ``X^T X`` (ratio ``r = 1 / c``). The chapter-8 fixed point ``t = 1 + delta`` solves

    t - 1 = int phi(l) q(l) dmu(l),  phi(l) = a l + v,  q(l) = t / (alpha phi(l) + gamma t),

and the errors are rational integrals against ``mu`` (and against the law of ``X X^T``) of
``1 / (1 + tau l)`` with ``tau = alpha a / (alpha v + gamma t)``; all of them are closed forms
of the Marchenko-Pastur Stieltjes transform, written below without cancellation.

References
----------
- S. Mei and A. Montanari, "The generalization error of random features regression: precise
  asymptotics and the double descent curve", CPAM 75 (2022) :cite:p:`mei2022generalization`.
- C. Louart, Z. Liao and R. Couillet, "A random matrix approach to neural networks",
  Ann. Appl. Probab. 28 (2018) :cite:p:`louart2018random`.
- H. Hu and Y. M. Lu, "Universality laws for high-dimensional learning with random features",
  IEEE Trans. Inf. Theory (2023) :cite:p:`hu2022universality`.
- S. Goldt, B. Loureiro, G. Reeves, F. Krzakala, M. Mezard and L. Zdeborova, "The Gaussian
  equivalence of generative models for learning with shallow neural networks", MSML (2022)
  :cite:p:`goldt2022gaussian`.

Layer 4 of the package: imports :mod:`rmtbook.hermite` (layer 2) and the bottom layer.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Optional

import numpy as np

from ._results import mean_and_se
from ._rng import as_generator
from ._typing import Activation, ArrayLike, RealArray, RngLike, ScalarOrArray
from ._validation import check_array, check_choice, check_int
from .hermite import get_activation, hermite_coefficients, second_moment
from .kernels import random_features_coefficients, random_features_kernel

__all__ = [
    "RandomFeaturesAsymptoticErrors",
    "SimulatedRandomFeaturesModel",
    "random_features_asymptotic_errors",
    "simulate_random_features_model",
]

_MAX_ITER = 500
_RTOL = 1e-13
_EPS = np.finfo(float).eps
#: accepted range of ridge / (nu - a_0^2): beyond it the errors are their ridgeless or
#: infinite-ridge limits to many digits
_RIDGE_RANGE = (1e-10, 1e10)
#: accepted range of the ratios p/n and N/n
_RATIO_RANGE = (1e-6, 1e6)


# ---------------------------------------------------------------------------------------------
# results
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RandomFeaturesAsymptoticErrors:
    """Limits of the training and test MSE of random features ridge on random data.

    Attributes
    ----------
    train : float or numpy.ndarray
        Limit of the training MSE ``(1/n) ||y - Sigma^T beta||^2``.
    test : float or numpy.ndarray
        Limit of the test MSE on fresh samples of the same model, noise included;
        ``test = bias + variance + noise_var``.
    bias : float or numpy.ndarray
        The part of ``test`` proportional to ``signal_norm2`` (the test MSE at
        ``noise_var = 0``): the bias of :cite:t:`mei2022generalization`.
    variance : float or numpy.ndarray
        The part of ``test - noise_var`` proportional to ``noise_var``: their variance term.
    delta : float or numpy.ndarray
        The fixed point ``delta`` of :func:`rmtbook.shallow.random_features_delta`, in the limit.
    """

    train: ScalarOrArray
    test: ScalarOrArray
    bias: ScalarOrArray
    variance: ScalarOrArray
    delta: ScalarOrArray


@dataclass(frozen=True)
class SimulatedRandomFeaturesModel:
    """Empirical errors of random features ridge on freshly drawn random data, over draws.

    Attributes
    ----------
    train, train_se, test, test_se : float or numpy.ndarray
        Means over draws of the training and test MSE and their standard errors (sample
        standard deviation over ``sqrt(num_draws)``); shape of ``ridge``.
    train_draws, test_draws : numpy.ndarray
        All draws, shape ``(num_draws,) + ridge.shape``.
    """

    train: ScalarOrArray
    train_se: ScalarOrArray
    test: ScalarOrArray
    test_se: ScalarOrArray
    train_draws: RealArray
    test_draws: RealArray


# ---------------------------------------------------------------------------------------------
# Marchenko-Pastur transforms in closed form, without cancellation
# ---------------------------------------------------------------------------------------------
def _mp_transforms(tau: np.ndarray, r: np.ndarray) -> tuple[np.ndarray, ...]:
    """``F_k(tau) = int f_k(l) dmu_r(l)`` for the Marchenko-Pastur law of ratio ``r``, variance 1.

    ``f_0 = 1/(1 + tau l)``, ``f_1 = l/(1 + tau l)``, ``f_2 = 1/(1 + tau l)^2``,
    ``f_3 = l/(1 + tau l)^2``, ``f_4 = l^2/(1 + tau l)^2`` (the atom ``max(0, 1 - 1/r)`` at 0
    included). With ``w = 1 + tau (1 - r)``, ``E = sqrt(w^2 + 4 r tau)`` and
    ``S = 1 + tau (1 + r) + E``: ``F_1 = 2/S``, ``F_3 = 2/(E S)``, ``F_4 = 2 S'/S^2``,
    ``F_0 = 2/(E + w)`` (``r < 1``) or ``(E + 2 - w)/S`` (``r >= 1``), ``F_2 = F_0 - tau F_3``,
    each arranged so that every sum has terms of one sign. ``tau`` may be ``inf``-free arrays
    of any size; ``r > 0``.
    """
    tau, r = np.broadcast_arrays(np.asarray(tau, float), np.asarray(r, float))
    w = 1.0 + tau * (1.0 - r)
    E = np.hypot(w, 2.0 * np.sqrt(r * tau))
    S = 1.0 + tau * (1.0 + r) + E
    F1 = 2.0 / S
    F3 = 2.0 / E / S
    # S' E = (1 + r) E + (1 - r) w + 2 r; the first two terms rewritten when of opposite sign
    direct = (1.0 + r) * E + (1.0 - r) * w
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        den = (1.0 + r) * E - (1.0 - r) * w
        alt = 4.0 * r * (w * (w / den) + tau * (1.0 + r) * ((1.0 + r) / den))
    sum_part = np.where((1.0 - r) * w >= 0.0, direct, alt)
    F4 = 2.0 * ((sum_part + 2.0 * r) / E) / S / S
    small = r < 1.0
    # r < 1: F0 = 2/(E + w) (w > 0), F2 = (2/T)(S/(E T)); r >= 1: F0 = U/S, F2 = (E U - 2 tau)/(E S)
    T = E + np.where(small, w, 0.0)
    U = E + 2.0 - w
    F0 = np.where(small, 2.0 / np.where(small, T, 1.0), U / S)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        # w (w - E) / E without cancellation: -4 r tau w / (E (E + w)) when w > 0
        wwE = np.where(w > 0.0, -4.0 * r * tau * (w / E) / (E + w), w * (w / E - 1.0))
        F2_big = (2.0 + wwE + 2.0 * tau * (2.0 * r - 1.0) / E) / S
        F2_small = (2.0 / T) * (S / (E * T))
    F2 = np.where(small, F2_small, F2_big)
    return F0, F1, F2, F3, F4


# ---------------------------------------------------------------------------------------------
# the fixed point
# ---------------------------------------------------------------------------------------------
def _solve_t(
    a: np.ndarray, v: np.ndarray, alpha: np.ndarray, gamma: np.ndarray, r: np.ndarray
) -> np.ndarray:
    """``t = 1 + delta`` solving ``G(t) = t - 1 - t (a F_1 + v F_0)(tau) / D = 0``.

    Here ``D = alpha v + gamma t``.

    ``G`` is convex (the integral is concave in ``t``), ``G(1) < 0`` and ``G(t0) >= 0`` at the
    upper bound ``t0 = 1 + min(1/gamma, 1/(alpha - 1))`` of the root (the integral is at most
    ``min(t / gamma, t / alpha)`` since ``int phi dmu = a + v = 1``): Newton's method from
    ``t0`` decreases monotonically to the unique root, as in :mod:`rmtbook.shallow`.
    """
    with np.errstate(divide="ignore", over="ignore"):
        bound = np.where(alpha > 1.0, 1.0 / (alpha - 1.0), np.inf)
        t = 1.0 + np.minimum(1.0 / gamma, bound)
    converged = np.zeros(t.shape, dtype=bool)
    for _ in range(_MAX_ITER):
        D = alpha * v + gamma * t
        tau = alpha * a / D
        F0, F1, F2, F3, F4 = _mp_transforms(tau, r)
        G = t - 1.0 - t * ((a * F1 + v * F0) / D)
        dG = 1.0 - alpha * ((a * a * F4 + 2.0 * a * v * F3 + v * v * F2) / D) / D
        t_new = np.maximum(t - G / dG, 1.0)
        # converged: a relative step below _RTOL, or a residual at the rounding level of its terms
        converged = (np.abs(t_new - t) <= _RTOL * t_new) | (np.abs(G) <= 64 * _EPS * t)
        t_new = np.where(np.abs(G) <= 64 * _EPS * t, t, t_new)
        t = t_new
        if converged.all():
            break
    if not converged.all():
        warnings.warn(
            f"the fixed point delta did not converge in {_MAX_ITER} Newton steps for "
            f"{int((~converged).sum())} parameter value(s); results may be inaccurate",
            RuntimeWarning,
            stacklevel=3,
        )
    return t


def _activation_constants(activation: Activation) -> tuple[float, float, float]:
    """``(a_0, a_1, nu)`` of the activation at unit variance."""
    act = get_activation(activation)
    a0, a1 = hermite_coefficients(act, degree=1)
    nu = second_moment(act)
    return float(a0), float(a1), float(nu)


def _shaped(values: np.ndarray) -> ScalarOrArray:
    return float(values) if values.ndim == 0 else values


def random_features_asymptotic_errors(
    activation: Activation,
    ratio: ArrayLike,
    width_ratio: ArrayLike,
    ridge: ArrayLike,
    noise_var: ArrayLike = 0.0,
    signal_norm2: ArrayLike = 1.0,
) -> RandomFeaturesAsymptoticErrors:
    """Limits of the training and test MSE of random features ridge regression on random data.

    The model of :func:`rmtbook.shallow.random_features_ridge_errors` (features ``phi(W X)``,
    ``W`` i.i.d. ``N(0, 1)``, ``beta = Sigma (Sigma^T Sigma / n + ridge I_n)^{-1} y / n``) with
    ``X`` (``p x n``) i.i.d. ``N(0, 1/p)``, ``y_i = sqrt(p) <beta*, x_i> + eps_i``, ``beta*``
    uniform on the sphere of radius ``sqrt(signal_norm2)``, ``eps_i ~ N(0, noise_var)``, as
    ``n, p, N -> infinity`` with ``p / n = ratio`` and ``N / n = width_ratio``. The test MSE is
    on fresh samples of the same model, noise included.

    Parameters
    ----------
    activation : str or callable
        A name from :data:`rmtbook.hermite.ACTIVATIONS` or a vectorized callable; it enters
        through ``a_0``, ``a_1`` and ``nu`` only (Gaussian equivalence).
    ratio : float or array_like
        ``c = p / n``, in ``[1e-6, 1e6]``.
    width_ratio : float or array_like
        ``alpha = N / n``, in ``[1e-6, 1e6]``.
    ridge : float or array_like
        ``gamma > 0``, in ``[1e-10, 1e10]`` times ``nu - a_0^2`` (the errors depend on the
        ridge through ``gamma / (nu - a_0^2)``; outside this range they equal their ridgeless
        or infinite-ridge limits to many digits).
    noise_var : float or array_like
        ``sigma^2 >= 0``.
    signal_norm2 : float or array_like
        ``||beta*||^2 >= 0``, the variance of the noiseless target.

    All numerical arguments broadcast together; the computation is vectorized over them.

    Returns
    -------
    RandomFeaturesAsymptoticErrors
        ``.train``, ``.test``, ``.bias``, ``.variance``, ``.delta`` (floats for scalar
        inputs, else arrays of the broadcast shape).

    Raises
    ------
    ValueError
        An argument out of its range (named), or an activation refused by
        :func:`rmtbook.hermite.get_activation`.

    Notes
    -----
    The deterministic equivalents of :mod:`rmtbook.shallow` with the linearized kernel
    ``a_1^2 X^T X + v I_n`` (plus a rank-one ``a_0^2 1 1^T`` that drops out), averaged over
    ``X``, ``beta*`` and ``eps``: every trace is an integral against the Marchenko-Pastur law
    and is evaluated in closed form. A constant activation part ``a_0`` does not change the
    limits; an activation with ``nu = a_0^2`` (a constant) gives the null predictor.

    References
    ----------
    :cite:p:`mei2022generalization,louart2018random,hu2022universality,goldt2022gaussian`.
    Derived and checked in :doc:`/chapters/08b_gaussian_equivalence`.

    Examples
    --------
    >>> from rmtbook import random_features_asymptotic_errors
    >>> err = random_features_asymptotic_errors("relu", ratio=0.5, width_ratio=[0.5, 1.0, 4.0],
    ...                                         ridge=1e-4, noise_var=0.1)
    >>> bool(err.test[1] > err.test[0] > err.test[2])  # the interpolation peak at N = n
    True
    >>> round(float(err.test[2] - err.bias[2] - err.variance[2]), 12)  # test = bias + var + noise
    0.1
    """
    a0, a1, nu = _activation_constants(activation)
    lo, hi = _RATIO_RANGE
    c = check_array("ratio", ratio, low=lo, high=hi)
    alpha = check_array("width_ratio", width_ratio, low=lo, high=hi)
    gam = check_array("ridge", ridge, low=0.0, low_open=True)
    s2n = check_array("noise_var", noise_var, low=0.0)
    s2s = check_array("signal_norm2", signal_norm2, low=0.0)
    arrays = np.broadcast_arrays(c, alpha, gam, s2n, s2s)
    c, alpha, gam, sig2, s2 = (np.asarray(x, dtype=float) for x in arrays)
    # phi and s phi give the same errors at ridges gamma and s^2 gamma: normalize a_1^2 + v to 1
    scale = nu - a0 * a0
    if not scale > 1e-14 * max(nu, 1e-300):  # a constant activation: the null predictor
        zero = np.zeros(c.shape)
        return RandomFeaturesAsymptoticErrors(
            train=_shaped(s2 + sig2), test=_shaped(s2 + sig2), bias=_shaped(s2),
            variance=_shaped(zero), delta=_shaped(zero))
    a = min(a1 * a1 / scale, 1.0)
    v = 1.0 - a
    with np.errstate(over="ignore", under="ignore"):
        gamma = gam / scale
    lo_r, hi_r = _RIDGE_RANGE
    if not np.all(np.isfinite(gamma) & (gamma >= lo_r) & (gamma <= hi_r)):
        raise ValueError(
            f"ridge must be in [{lo_r:g}, {hi_r:g}] times nu - a_0^2 = {scale:g} (the activation's "
            f"nonconstant power); got ridge in [{gam.min():g}, {gam.max():g}]"
        )
    r = 1.0 / c
    t = _solve_t(a, v, alpha, gamma, r)
    g = gamma * t
    D = alpha * v + g
    tau = alpha * a / D
    F0, F1, F2, F3, F4 = _mp_transforms(tau, r)
    _, _, F2c, F3c, _ = _mp_transforms(tau / c, c)       # the law of X X^T (ratio c)
    X1 = a * F3 + v * F2                                  # int psi q^2 = alpha t X1 / D^2
    X2 = a * F4 + v * F3                                  # int psi l q^2 = alpha t X2 / D^2
    with np.errstate(under="ignore"):
        theta = 1.0 / t + g * X1 / D / D                  # 1 - (1/N) tr (Psi Qbar)^2, > 0
        gD = g / D
        corr = alpha * gD * gD * X1 / (D * D * theta)     # gamma^2 kappa (1/alpha) P1 -> per unit
        train = s2 * (gD * gD * F3 + corr * X2) + sig2 * (gD * gD * F2 + corr * X1)
        tau2F3 = 2.0 * (tau / _e_of(tau, r)) * (tau / _s_of(tau, r))   # tau^2 F_3 without overflow
        bracket = v + a * F2c + a * (alpha * v / D) * (tau / c) * F3c
        common = alpha * bracket / (D * D * theta)
        bias = s2 * (F2c + common * X2)
        variance = sig2 * (r * tau2F3 + common * X1)
    test = bias + variance + sig2
    return RandomFeaturesAsymptoticErrors(
        train=_shaped(train), test=_shaped(test), bias=_shaped(bias), variance=_shaped(variance),
        delta=_shaped(t - 1.0),
    )


def _e_of(tau: np.ndarray, r: np.ndarray) -> np.ndarray:
    """``E = sqrt(w^2 + 4 r tau)`` of :func:`_mp_transforms`."""
    return np.hypot(1.0 + tau * (1.0 - r), 2.0 * np.sqrt(r * tau))


def _s_of(tau: np.ndarray, r: np.ndarray) -> np.ndarray:
    """``S = 1 + tau (1 + r) + E`` of :func:`_mp_transforms`."""
    return 1.0 + tau * (1.0 + r) + _e_of(tau, r)


# ---------------------------------------------------------------------------------------------
# simulation
# ---------------------------------------------------------------------------------------------
#: Feature maps of :func:`simulate_random_features_model`.
FEATURE_MAPS = ("activation", "gaussian_equivalent", "linear_part")
#: Data laws of :func:`simulate_random_features_model`.
DATA_LAWS = ("gaussian", "rademacher", "student")
#: Targets of :func:`simulate_random_features_model`.
TARGETS = ("linear", "neuron")
#: Estimators of :func:`simulate_random_features_model`.
ESTIMATORS = ("sample", "conditional")


def _draw_data(gen: np.random.Generator, law: str, p: int, m: int) -> np.ndarray:
    """``p x m`` data with i.i.d. columns of covariance ``I_p / p``."""
    if law == "gaussian":
        return gen.standard_normal((p, m)) / np.sqrt(p)
    if law == "rademacher":
        return gen.choice([-1.0, 1.0], size=(p, m)) / np.sqrt(p)
    # multivariate Student t with 3 degrees of freedom (covariance 3 I before rescaling)
    scale = np.sqrt(3.0 / gen.chisquare(3.0, size=m))
    return gen.standard_normal((p, m)) * scale / np.sqrt(3.0 * p)


def _ridge_fit(
    S: np.ndarray, St: np.ndarray, y: np.ndarray, gam: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Training residuals ``(G, n)`` and test predictions ``(G, nhat)`` of ridge for every ridge."""
    N, n = S.shape
    if N < n:  # primal: beta = (S S^T / n + gamma)^{-1} S y / n
        mu, U = np.linalg.eigh(S @ S.T / n)
        coef = U.T @ (S @ y / n)
        beta = (coef[None, :] / (np.clip(mu, 0.0, None)[None, :] + gam[:, None])) @ U.T   # (G, N)
        return y[None, :] - beta @ S, beta @ St
    mu, U = np.linalg.eigh(S.T @ S / n)   # dual: alpha = (S^T S / n + gamma)^{-1} y
    coef = U.T @ y
    alpha = (coef[None, :] / (np.clip(mu, 0.0, None)[None, :] + gam[:, None])) @ U.T    # (G, n)
    return gam[:, None] * alpha, alpha @ (S.T @ St) / n


def _population_moments(
    act: Activation, kind: str, W: np.ndarray, a0: float, a1: float, v: float
) -> tuple[np.ndarray, np.ndarray]:
    """``K = E[s(x) s(x)^T]`` and ``B = E[s(x) sqrt(p) x^T]`` for ``x ~ N(0, I_p / p)``.

    ``s(x) = phi(W x)``: ``K`` is the random-features kernel of the columns ``w_j / sqrt(p)``
    and, by Stein's lemma, ``B_j = a_1(q_j) w_j / sqrt(p q_j)`` with ``q_j = ||w_j||^2 / p``
    and ``a_1(q)`` the first Hermite coefficient of ``phi(sqrt(q) .)``. The Gaussian
    equivalent ``a_0 + a_1 W x + sqrt(v) z``: ``K = a_0^2 1 1^T + a_1^2 W W^T / p + v I``,
    ``B = a_1 W / sqrt(p)`` (``v = 0`` for the linear part).
    """
    N, p = W.shape
    if kind == "activation":
        Wn = W.T / np.sqrt(p)
        q = np.einsum("ij,ij->j", Wn, Wn)
        a1q = random_features_coefficients(Wn, act).a1
        return random_features_kernel(Wn, act), W * (a1q / np.sqrt(p * q))[:, None]
    noise = v if kind == "gaussian_equivalent" else 0.0
    K = a0 * a0 + a1 * a1 * (W @ W.T) / p + noise * np.eye(N)
    return K, a1 * W / np.sqrt(p)


def _conditional_errors(
    S: np.ndarray, X: np.ndarray, K: np.ndarray, B: np.ndarray, s2: float, sig2: float,
    gam: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Training and test MSE averaged exactly over ``beta*``, ``eps`` and the test sample.

    Given the training features ``S`` (``N x n``), the data ``X`` (``p x n``), the population
    second moments ``K = E[s(x) s(x)^T]`` (``N x N``) and ``B = E[s(x) sqrt(p) x^T]``
    (``N x p``) of the feature map ``s`` under ``x ~ N(0, I_p / p)``: with ``theta = M y``,
    ``M = S A / n``, ``A = (S^T S / n + gamma)^{-1}`` and ``C = E[y y^T] = s2 X^T X + sig2 I``,
    the test MSE is ``s2 - 2 (s2 / sqrt(p)) tr(X M^T B) + tr(M^T K M C) + sig2`` and the
    training MSE ``(gamma^2 / n) tr(A C A)``.
    """
    N, n = S.shape
    p = X.shape[0]
    C = s2 * (X.T @ X) + sig2 * np.eye(n)
    lam, U = np.linalg.eigh(S.T @ S / n)
    lam = np.clip(lam, 0.0, None)
    SU = S @ U / n                                  # M = SU diag(1/(lam + gamma)) U^T
    CU = U.T @ C @ U
    KSU = SU.T @ K @ SU                             # U^T (S^T K S / n^2) U
    XB = U.T @ (X.T @ B.T) @ SU                     # U^T X^T B^T S U / n
    train = np.empty(gam.size)
    test = np.empty(gam.size)
    for i, g in enumerate(gam):  # a few ridges, each an O(n^2) contraction
        d = 1.0 / (lam + g)
        train[i] = g * g * np.einsum("i,ii->", d * d, CU) / n
        quad = np.einsum("i,ij,j,ji->", d, KSU, d, CU)
        cross = np.einsum("ii,i->", XB, d)
        test[i] = s2 - 2.0 * s2 * cross / np.sqrt(p) + quad + sig2
    return train, test


def simulate_random_features_model(
    activation: Activation,
    p: int,
    n: int,
    width: int,
    ridge: ArrayLike,
    noise_var: float = 0.0,
    signal_norm2: float = 1.0,
    *,
    features: str = "activation",
    data: str = "gaussian",
    target: str = "linear",
    n_test: Optional[int] = None,
    estimator: str = "sample",
    num_draws: int = 5,
    rng: RngLike = None,
) -> SimulatedRandomFeaturesModel:
    """Simulate random features ridge on random data, redrawing data, target, noise and ``W``.

    Each draw: ``X`` (``p x n``) and ``Xhat`` (``p x n_test``) with i.i.d. columns of
    covariance ``I_p / p`` (law ``data``), ``beta*`` uniform on the sphere of radius
    ``sqrt(signal_norm2)``, targets ``y = sqrt(p) X^T beta* + eps`` (``target="linear"``),
    ``W`` (``width x p``) i.i.d. ``N(0, 1)``; features ``F = phi(W X)``
    (``features="activation"``), their Gaussian equivalent ``a_0 + a_1 W X + sqrt(nu - a_0^2
    - a_1^2) Z`` with ``Z`` i.i.d. ``N(0, 1)`` drawn afresh for train and test
    (``"gaussian_equivalent"``) or the same without the noise term (``"linear_part"``); the
    second layer ``beta = F (F^T F / n + ridge I_n)^{-1} y / n`` of
    :func:`rmtbook.shallow.simulate_random_features_ridge`.

    Parameters
    ----------
    activation : str or callable
        The activation ``phi``.
    p, n, width : int
        Dimension, number of training samples and number of features ``N`` (positive).
    ridge : float or array_like
        Ridges ``> 0``; all ridges share the draws.
    noise_var, signal_norm2 : float
        ``sigma^2 >= 0`` and ``||beta*||^2 >= 0``.
    features : {"activation", "gaussian_equivalent", "linear_part"}
        The feature map.
    data : {"gaussian", "rademacher", "student"}
        Law of the columns: Gaussian, i.i.d. signs, or multivariate Student t with 3 degrees of
        freedom (heavy-tailed norms), each with covariance ``I_p / p``.
    target : {"linear", "neuron"}
        ``"linear"`` as above; ``"neuron"``: ``y_i = sqrt(signal_norm2 / (nu - a_0^2))
        (phi(w_1^T x_i) - a_0) + eps_i`` with ``w_1`` the first row of ``W`` (a target built
        from one of the network's own features; its variance is also ``signal_norm2``).
    n_test : int, optional
        Number of test samples (default ``n``); unused by ``estimator="conditional"``.
    estimator : {"sample", "conditional"}
        ``"sample"``: the empirical MSE on the drawn training and test samples.
        ``"conditional"``: given ``X``, ``W`` (and ``Z``), both errors averaged exactly over
        ``beta*``, ``eps`` and the test sample, through the population moments
        ``E[s(x) s(x)^T]`` (:func:`rmtbook.random_features_kernel` of ``W^T / sqrt(p)``) and
        ``E[s(x) x^T]`` (Stein's lemma with :func:`rmtbook.random_features_coefficients`):
        the same mean, without the fluctuations of the target, the noise and the test set.
        Requires ``data="gaussian"`` and ``target="linear"``.
    num_draws : int
        Independent draws (at least 2).
    rng : None, int or numpy.random.Generator
        Source of randomness.

    Returns
    -------
    SimulatedRandomFeaturesModel
        Means, standard errors and all draws of the training and test MSE.

    References
    ----------
    :cite:p:`mei2022generalization,goldt2022gaussian,hu2022universality`.
    Used in :doc:`/chapters/08b_gaussian_equivalence`.

    Examples
    --------
    >>> from rmtbook import simulate_random_features_model
    >>> sim = simulate_random_features_model("relu", 50, 100, 200, 1e-2, noise_var=0.1,
    ...                                      num_draws=2, rng=0)
    >>> sim.train_draws.shape, bool(0.0 < sim.train < sim.test)
    ((2,), True)
    """
    act = get_activation(activation)
    p = check_int("p", p, low=1)
    n = check_int("n", n, low=1)
    N = check_int("width", width, low=1)
    n_test = n if n_test is None else check_int("n_test", n_test, low=1)
    gammas = check_array("ridge", ridge, low=0.0, low_open=True)
    shape = gammas.shape
    gam = gammas.ravel()
    sig2 = float(check_array("noise_var", noise_var, low=0.0, shape=()))
    s2 = float(check_array("signal_norm2", signal_norm2, low=0.0, shape=()))
    kind = check_choice("features", features, FEATURE_MAPS)
    law = check_choice("data", data, DATA_LAWS)
    tgt = check_choice("target", target, TARGETS)
    num_draws = check_int("num_draws", num_draws, low=2)
    est = check_choice("estimator", estimator, ESTIMATORS)
    if est == "conditional" and (law != "gaussian" or tgt != "linear"):
        raise ValueError(
            "estimator: 'conditional' needs data='gaussian' and target='linear'; "
            f"got data={law!r}, target={tgt!r}"
        )
    if max(p, n, N, n_test) * max(n, N) > 5e7:
        raise ValueError(
            f"p, n, width, n_test = {p}, {n}, {N}, {n_test}: too large to simulate here"
        )
    a0, a1, nu = _activation_constants(act)
    v = max(nu - a0 * a0 - a1 * a1, 0.0)
    gen = as_generator(rng)
    train = np.empty((num_draws, gam.size))
    test = np.empty((num_draws, gam.size))
    for draw in range(num_draws):  # independent experiments, not grid points
        X = _draw_data(gen, law, p, n)
        Xt = _draw_data(gen, law, p, n_test)
        W = gen.standard_normal((N, p))
        G, Gt = W @ X, W @ Xt
        if tgt == "linear":
            b = gen.standard_normal(p)
            b *= np.sqrt(s2) / max(np.linalg.norm(b), 1e-300)
            f, ft = np.sqrt(p) * (X.T @ b), np.sqrt(p) * (Xt.T @ b)
        else:
            k = np.sqrt(s2 / max(nu - a0 * a0, 1e-300))
            with np.errstate(over="ignore", invalid="ignore"):
                f, ft = k * (act.fn(G[0]) - a0), k * (act.fn(Gt[0]) - a0)
        y = f + np.sqrt(sig2) * gen.standard_normal(n)
        yt = ft + np.sqrt(sig2) * gen.standard_normal(n_test)
        if kind == "activation":
            with np.errstate(over="ignore", invalid="ignore"):
                S, St = np.asarray(act.fn(G), float), np.asarray(act.fn(Gt), float)
        else:
            S, St = a0 + a1 * G, a0 + a1 * Gt
            if kind == "gaussian_equivalent":
                S = S + np.sqrt(v) * gen.standard_normal(S.shape)
                St = St + np.sqrt(v) * gen.standard_normal(St.shape)
        if not (np.isfinite(S).all() and np.isfinite(St).all() and np.isfinite(y).all()):
            raise ValueError("activation: its features or targets are not finite on this data")
        if est == "conditional":
            K, B = _population_moments(activation, kind, W, a0, a1, v)
            train[draw], test[draw] = _conditional_errors(S, X, K, B, s2, sig2, gam)
            continue
        residual, pred = _ridge_fit(S, St, y, gam)
        train[draw] = (residual**2).mean(axis=1)
        test[draw] = ((yt[None, :] - pred) ** 2).mean(axis=1)

    def summary(values: np.ndarray) -> tuple[ScalarOrArray, ScalarOrArray, np.ndarray]:
        mean, se = mean_and_se(values)
        return _shaped(mean.reshape(shape)), _shaped(se.reshape(shape)), values.reshape((num_draws,) + shape)

    tr, tr_se, tr_all = summary(train)
    te, te_se, te_all = summary(test)
    return SimulatedRandomFeaturesModel(tr, tr_se, te, te_se, tr_all, te_all)
