"""Ridge regression in the proportional regime: deterministic equivalents and simulations.

Setting (:doc:`/chapters/05_ridge`). Data ``X = C^{1/2} Z`` in ``R^{p x n}`` (columns
are samples, ``Z`` has i.i.d. standard Gaussian entries), responses ``y = X^T beta* + eps`` with
``eps ~ N(0, sigma^2 I_n)`` and ``beta*`` of squared norm ``signal_norm2`` in a uniformly random
direction independent of ``C``. The ridge estimator is

    betahat = (X X^T / n + gamma I_p)^{-1} X y / n,

``c = p / n`` is the ratio, and the two risks are

    R_in  = (1/n) ||y - X^T betahat||^2,
    R_out = E[(y_new - x_new^T betahat)^2] = sigma^2 + (betahat - beta*)^T C (betahat - beta*).

Deterministic equivalents (derived in :doc:`/chapters/05_ridge`). Let ``kappa > 0`` solve

    gamma = kappa (1 - (1/n) tr C (C + kappa I)^{-1})            (kappa = gamma (1 + delta(-gamma))),

and ``df2 = tr C^2 (C + kappa I)^{-2}``. Then

    bias     = kappa^2 (signal_norm2 / p) tr C (C + kappa I)^{-2} / (1 - df2/n),
    variance = sigma^2 (df2/n) / (1 - df2/n),
    R_out    = sigma^2 + bias + variance,
    R_in     = (gamma / kappa)^2 R_out.

With population eigenvalues ``t_k`` of weights ``w_k`` (fractions of the ``p`` coordinates),
``(1/n) tr f(C) = c sum_k w_k f(t_k)`` and ``(1/p) tr f(C) = sum_k w_k f(t_k)``.

This module sits in the ``linear`` layer; it needs only numpy and the bottom layer.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Optional

import numpy as np

from . import _silverstein
from ._results import mean_and_se
from ._rng import as_generator
from ._typing import ArrayLike, RealArray, RngLike, ScalarOrArray
from ._validation import check_array, check_int, check_weights

__all__ = [
    "RidgeRisk",
    "SimulatedRidgeRisk",
    "effective_ridge",
    "ridge_risk",
    "ridge_risk_isotropic",
    "optimal_ridge",
    "population_diagonal",
    "simulate_ridge_risk",
]



@dataclass(frozen=True)
class RidgeRisk:
    """Limiting risks of ridge regression (floats for scalar inputs, else broadcast arrays).

    Attributes
    ----------
    in_sample
        ``R_in = (1/n) ||y - X^T betahat||^2``.
    out_of_sample
        ``R_out = sigma^2 + (betahat - beta*)^T C (betahat - beta*)`` (noise included).
    bias
        Signal part of the excess risk ``R_out - sigma^2``.
    variance
        Noise part of the excess risk ``R_out - sigma^2``.
    kappa
        Effective regularization ``kappa`` (0 in the ridgeless limit for ``c <= 1``).
    """

    in_sample: ScalarOrArray
    out_of_sample: ScalarOrArray
    bias: ScalarOrArray
    variance: ScalarOrArray
    kappa: ScalarOrArray


@dataclass(frozen=True)
class SimulatedRidgeRisk:
    """Empirical risks of ridge regression averaged over independent draws.

    Attributes
    ----------
    in_sample, out_of_sample
        Means over the draws (floats for a scalar ridge, else arrays of the ridge's shape).
    in_sample_se, out_of_sample_se
        Standard errors of the means (sample standard deviation over ``sqrt(num_draws)``);
        undefined, hence NaN, when ``num_draws = 1``.
    in_sample_draws, out_of_sample_draws
        The individual draws, shape ``(num_draws,) + ridge.shape``.
    num_draws
        Number of independent draws of ``(Z, beta*, eps)``.
    """

    in_sample: ScalarOrArray
    out_of_sample: ScalarOrArray
    in_sample_se: ScalarOrArray
    out_of_sample_se: ScalarOrArray
    in_sample_draws: np.ndarray
    out_of_sample_draws: np.ndarray
    num_draws: int


# ------------------------------------------------------------------------------------------
# validation helpers
# ------------------------------------------------------------------------------------------
def _population(population_eigs: Optional[ArrayLike], weights: Optional[ArrayLike]) -> tuple[np.ndarray, np.ndarray]:
    """Validated population eigenvalues (positive) and normalized weights."""
    if population_eigs is None:
        if weights is not None:
            raise ValueError("weights were given without population_eigs; pass both or neither")
        return np.ones(1), np.ones(1)
    t = check_array("population_eigs", population_eigs, ndim=(0, 1), low=0.0, low_open=True)
    t = np.atleast_1d(t)
    w = check_weights("weights", weights, t.size, of="population_eigs")
    return t, w


def _out(x: np.ndarray) -> ScalarOrArray:
    """Return a Python float for 0-d arrays, the array otherwise."""
    return float(x) if np.ndim(x) == 0 else x


# ------------------------------------------------------------------------------------------
# effective regularization
# ------------------------------------------------------------------------------------------
def _solve_kappa(c: np.ndarray, gamma: np.ndarray, t: np.ndarray, w: np.ndarray) -> np.ndarray:
    """``kappa = -u(-gamma)`` from the package's one Silverstein solver (1-D inputs).

    ``u`` is the effective spectral parameter of :mod:`rmtbook._silverstein`, real on the
    branch left of the spectrum, where ``gamma = kappa (1 - c sum_j w_j t_j / (t_j + kappa))``;
    the solver's monotone Newton method cannot pick the other root. Scale-free: the population
    is divided by its largest eigenvalue.
    """
    scale = float(t.max())
    with np.errstate(over="ignore"):
        g = gamma / scale
    return -_silverstein.lower_branch_u(-g, t / scale, w, c) * scale


def effective_ridge(
    ratio: ArrayLike, ridge: ArrayLike, population_eigs: Optional[ArrayLike] = None, weights: Optional[ArrayLike] = None
) -> ScalarOrArray:
    """Effective regularization ``kappa`` of ridge regression.

    ``kappa`` is the positive solution of
    ``ridge = kappa (1 - ratio sum_k w_k t_k / (t_k + kappa))``, i.e. of
    ``gamma = kappa (1 - (1/n) tr C (C + kappa I)^{-1})``; equivalently
    ``kappa = gamma (1 + delta(-gamma))`` with ``delta`` the Silverstein fixed point of the sample
    covariance. At ``ridge = 0`` it is 0 for ``ratio <= 1`` and, for ``ratio > 1``, the positive
    solution of ``1 = ratio sum_k w_k t_k / (t_k + kappa)``.

    Parameters
    ----------
    ratio
        ``c = p / n > 0`` (scalar or array).
    ridge
        ``gamma >= 0`` (scalar or array, broadcast against ``ratio``).
    population_eigs
        Positive eigenvalues ``t_k`` of ``C`` (default: ``C = I``).
    weights
        Their weights ``w_k`` (fractions of the ``p`` coordinates; normalized; default uniform).

    Returns
    -------
    float or numpy.ndarray
        ``kappa`` with the broadcast shape of ``ratio`` and ``ridge``.

    References
    ----------
    :cite:p:`dobriban2018high,hastie2022surprises,couillet2022rmt`.
    Used in :doc:`/chapters/05_ridge`.

    Examples
    --------
    >>> from rmtbook import effective_ridge
    >>> kappa = effective_ridge(0.5, 1.0)  # isotropic: kappa = gamma + c kappa / (1 + kappa)
    >>> round(kappa, 6)
    1.280776
    >>> round(1.0 + 0.5 * kappa / (1.0 + kappa), 6)
    1.280776
    """
    c = check_array("ratio", ratio, low=0.0, low_open=True)
    g = check_array("ridge", ridge, low=0.0)
    t, w = _population(population_eigs, weights)
    c, g = np.broadcast_arrays(c, g)
    kappa = _solve_kappa(c.ravel().astype(float), g.ravel().astype(float), t, w)
    return _out(kappa.reshape(c.shape))


# ------------------------------------------------------------------------------------------
# risks
# ------------------------------------------------------------------------------------------
def _warn_infinite() -> None:
    warnings.warn(
        "ridgeless (ridge = 0) out-of-sample risk is infinite at ratio = 1 when noise_var > 0",
        RuntimeWarning,
        stacklevel=3,
    )


def _signal_coordinates(
    signal: Optional[ArrayLike], population_eigs: Optional[ArrayLike], weights: Optional[ArrayLike],
    signal_norm2: ArrayLike, size: int,
) -> Optional[np.ndarray]:
    """Squared coordinates of a deterministic ``beta*`` (``None`` for a random direction)."""
    if signal is None:
        return None
    if population_eigs is None or weights is not None:
        raise ValueError(
            "signal needs population_eigs with one entry per coordinate of beta* (and weights=None)"
        )
    if not (np.ndim(signal_norm2) == 0 and float(signal_norm2) == 1.0):
        raise ValueError("give signal or signal_norm2, not both (signal carries the norm of beta*)")
    beta = check_array("signal", signal, ndim=1)
    if beta.size != size:
        raise ValueError(
            f"signal must have one entry per entry of population_eigs ({size}), got {beta.size}"
        )
    return beta**2


def ridge_risk(
    ratio: ArrayLike,
    ridge: ArrayLike,
    noise_var: ArrayLike = 0.0,
    signal_norm2: ArrayLike = 1.0,
    population_eigs: Optional[ArrayLike] = None,
    weights: Optional[ArrayLike] = None,
    *,
    signal: Optional[ArrayLike] = None,
) -> RidgeRisk:
    """Deterministic equivalents of the in-sample and out-of-sample risks of ridge regression.

    With ``kappa`` from :func:`effective_ridge`, ``df2/n = c sum w t^2 / (t + kappa)^2``,

    * ``bias = kappa^2 signal_norm2 sum w t / (t + kappa)^2 / (1 - df2/n)``,
    * ``variance = noise_var (df2/n) / (1 - df2/n)``,
    * ``out_of_sample = noise_var + bias + variance``,
    * ``in_sample = (ridge / kappa)^2 out_of_sample``, with
      ``ridge / kappa = (1 - c) + c sum w kappa / (t + kappa)``.

    ``ridge = 0`` is the ridgeless (minimum-norm interpolation for ``c > 1``) limit. At
    ``ratio = 1`` the ridgeless out-of-sample risk is infinite when ``noise_var > 0`` (a
    :class:`RuntimeWarning` is issued); for ``noise_var = 0`` its limit is finite (the excess risk
    tends to 0: noiseless interpolation with ``p = n`` recovers ``beta*``). The ridgeless
    in-sample risk is ``(1 - c) noise_var`` for ``c <= 1`` and 0 for ``c >= 1``.

    Parameters
    ----------
    ratio
        ``c = p / n > 0``.
    ridge
        ``gamma >= 0``.
    noise_var
        ``sigma^2 >= 0``.
    signal_norm2
        ``||beta*||^2 >= 0``.
    population_eigs, weights
        Positive eigenvalues of ``C`` and their weights (default ``C = I``).
    signal
        A deterministic ``beta*`` instead of a uniformly random direction (keyword only): its
        coordinates along the eigenvectors of ``C``, one per entry of ``population_eigs``
        (given with ``weights=None``, one entry per coordinate). The bias becomes
        ``kappa^2 sum_i t_i beta_i^2 / (t_i + kappa)^2 / (1 - df2/n)``, which depends on where
        ``beta*`` lies in the spectrum of ``C`` and not only on its norm
        (:cite:p:`hastie2022surprises`, Thm 5); ``signal_norm2`` must then be left at its default.

    All of ``ratio``, ``ridge``, ``noise_var`` and ``signal_norm2`` may be arrays; they are
    broadcast together.

    Returns
    -------
    RidgeRisk
        ``.in_sample``, ``.out_of_sample`` (and ``.bias``, ``.variance``, ``.kappa``), floats for
        scalar inputs, else arrays of the broadcast shape.

    References
    ----------
    :cite:p:`dobriban2018high` (isotropic data); :cite:p:`hastie2022surprises`
    (general ``C``, ridgeless limit); :cite:p:`couillet2022rmt,liao2025rmtdl`.
    Derived and checked in :doc:`/chapters/05_ridge`.

    Examples
    --------
    >>> from rmtbook import ridge_risk, ridge_risk_isotropic
    >>> risk = ridge_risk(0.5, 0.1, noise_var=0.25, population_eigs=[1.0, 2.0])
    >>> risk.out_of_sample > risk.in_sample
    True
    >>> iso = ridge_risk(0.5, 0.1, noise_var=0.25)
    >>> bool(abs(iso.out_of_sample - ridge_risk_isotropic(0.5, 0.1, noise_var=0.25).out_of_sample) < 1e-12)
    True
    """
    c = check_array("ratio", ratio, low=0.0, low_open=True)
    g = check_array("ridge", ridge, low=0.0)
    s2 = check_array("noise_var", noise_var, low=0.0)
    r2 = check_array("signal_norm2", signal_norm2, low=0.0)
    t, w = _population(population_eigs, weights)
    beta2 = _signal_coordinates(signal, population_eigs, weights, signal_norm2, t.size)
    c, g, s2, r2 = np.broadcast_arrays(c, g, s2, r2)
    shape = c.shape
    c, g, s2, r2 = (a.ravel().astype(float) for a in (c, g, s2, r2))

    kappa = _solve_kappa(c, g, t, w)
    singular = (g == 0) & (c == 1)
    k = kappa[:, None]
    frac = k / (t + k)  # kappa / (t + kappa)
    df = c * (((t / (t + k)) ** 2) @ w)  # df2/n, computed directly (accurate when small)
    # 1 - df2/n: (1 - c) + c sum w frac (2 - frac) is stable for c <= 1 but cancels like c for
    # large ratios (c = 1e100 gave 0, hence inf risks); 1 - df has no cancellation when df < 1/2
    one_minus_df = np.where(df < 0.5, 1.0 - df, (1.0 - c) + c * ((frac * (2.0 - frac)) @ w))
    # kappa^2 t / (t + kappa)^2 written as t frac^2: no overflow of kappa^2 at huge ridges
    # (the limit there is noise + signal, not inf * 0 = nan)
    bias_num = r2 * ((t * frac**2) @ w) if beta2 is None else (t * frac**2) @ beta2
    # gamma / kappa: directly when gamma > 0 (no cancellation); its limit (1 - c)_+ at gamma = 0
    with np.errstate(divide="ignore", invalid="ignore"):
        gamma_over_kappa = np.where(g > 0, g / np.where(kappa > 0, kappa, 1.0), np.clip(1.0 - c, 0.0, None))

    safe = np.where(singular, 1.0, one_minus_df)
    bias = np.where(singular, 0.0, bias_num / safe)
    variance = np.where(singular, np.where(s2 > 0, np.inf, 0.0), s2 * df / safe)
    out = s2 + bias + variance
    with np.errstate(invalid="ignore"):
        in_sample = np.where(singular, 0.0, gamma_over_kappa**2 * out)
    if np.any(singular & (s2 > 0)):
        _warn_infinite()
    return RidgeRisk(
        in_sample=_out(in_sample.reshape(shape)),
        out_of_sample=_out(out.reshape(shape)),
        bias=_out(bias.reshape(shape)),
        variance=_out(variance.reshape(shape)),
        kappa=_out(kappa.reshape(shape)),
    )


def ridge_risk_isotropic(
    ratio: ArrayLike, ridge: ArrayLike, noise_var: ArrayLike = 0.0, signal_norm2: ArrayLike = 1.0
) -> RidgeRisk:
    """Closed-form risks of ridge regression for ``C = I`` through the Marchenko-Pastur law.

    With ``m = m(-gamma)`` the Stieltjes transform of the Marchenko-Pastur law of ratio ``c``
    (unit variance) at ``z = -gamma``, i.e. the positive root of
    ``c gamma m^2 + (1 - c + gamma) m - 1 = 0``, and ``m' = m'(-gamma) = m (c m + 1) / s``
    with ``s = sqrt((1 - c + gamma)^2 + 4 c gamma)``:

    * ``out_of_sample = sigma^2 + r2 gamma^2 m' + sigma^2 c (m - gamma m')``,
    * ``in_sample = sigma^2 (1 - c + c gamma^2 m') + r2 gamma^2 (m - gamma m')``.

    These follow from ``betahat - beta* = -gamma Q beta* + Q X eps / n`` with
    ``Q = (X X^T/n + gamma I)^{-1}``, ``(1/p) tr Q = m(-gamma)`` and ``(1/p) tr Q^2 = m'(-gamma)``,
    independently of the ``kappa`` route of :func:`ridge_risk` (they serve as its test oracle).
    At ``ridge = 0`` the ridgeless limits are returned:
    ``out_of_sample - sigma^2 = sigma^2 c / (1 - c)`` for ``c < 1`` and
    ``r2 (1 - 1/c) + sigma^2 / (c - 1)`` for ``c > 1``; ``in_sample = (1 - c) sigma^2`` for
    ``c < 1`` and 0 for ``c >= 1``; at ``c = 1`` the out-of-sample risk is infinite when
    ``sigma^2 > 0`` (with a :class:`RuntimeWarning`).

    Parameters
    ----------
    ratio, ridge, noise_var, signal_norm2
        As :func:`ridge_risk` (broadcast together).

    Returns
    -------
    RidgeRisk
        With ``kappa = gamma (1 + c m)`` (the isotropic effective regularization); ``bias`` and
        ``variance`` are the signal and noise parts of ``out_of_sample - noise_var``.

    References
    ----------
    :cite:p:`marchenko1967distribution,dobriban2018high,hastie2022surprises`.
    Used in :doc:`/chapters/05_ridge`.

    Examples
    --------
    >>> from rmtbook import optimal_ridge, ridge_risk_isotropic
    >>> risks = ridge_risk_isotropic(2.0, [0.05, optimal_ridge(2.0, 0.5), 5.0], noise_var=0.5)
    >>> int(risks.out_of_sample.argmin())  # the optimal ridge wins
    1
    """
    c = check_array("ratio", ratio, low=0.0, low_open=True)
    g = check_array("ridge", ridge, low=0.0)
    s2 = check_array("noise_var", noise_var, low=0.0)
    r2 = check_array("signal_norm2", signal_norm2, low=0.0)
    c, g, s2, r2 = np.broadcast_arrays(c, g, s2, r2)
    shape = c.shape
    c, g, s2, r2 = (a.ravel().astype(float) for a in (c, g, s2, r2))

    pos = g > 0
    gp = np.where(pos, g, 1.0)  # placeholder value where ridge = 0 (overwritten below)
    b = 1.0 - c + gp
    # s = sqrt(b^2 + 4 c gamma) without squaring b (b^2 overflows for ridges above ~1e154)
    s = np.hypot(b, 2.0 * np.sqrt(c * gp))
    # Each quantity below has two algebraically equal forms; the branch taken avoids the
    # cancellation of the other (so the oracle keeps ~1e-13 relative accuracy down to tiny ridges).
    # Everything is written through gm = gamma m, which stays in [0, 1] at every scale (m itself
    # overflows for c > 1 and tiny ridges, gamma^2 over- or underflows at extreme ridges).
    d = 1.0 - c - gp
    a = c - 1.0
    # over: a^2 of the branch not taken (and of the rationalized form, then correctly 0) at c ~ 1e300
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        m_pos = 2.0 / (b + s)  # m itself, used only where d >= 0 (then b >= 0 and m <= 1 / (1 - c))
        gm = np.where(b >= 0, 2.0 * gp / (b + s), (s - b) / (2.0 * c))
        # m h with h = c gamma m + 1 - c, so that m - gamma m' = m h / s
        m_h = np.where(d >= 0, m_pos * 0.5 * (s + d), gm * (2.0 / (s - d)))
        gmh = np.where(d >= 0, gm * 0.5 * (s + d), gm * (2.0 * gp / (s - d)))  # gamma m h
        # numer = 2 s (1 - c + c gamma^2 m'), by rationalizing when c > 1
        numer = np.where(
            a <= 0,
            a**2 + gp * (1.0 + c) - s * a,
            4.0 * c * gp * (gp / (a**2 + gp * (1.0 + c) + s * a)),
        )
    bias = r2 * gm * ((c * gm + gp) / s)  # r2 gamma^2 m', m' = m (c m + 1) / s
    variance = s2 * c * (m_h / s)  # sigma^2 c (m - gamma m')
    # r2 gamma^2 (m - gamma m') = r2 (gamma m h) (gamma / s)
    in_sample = s2 * (numer / (2.0 * s)) + r2 * gmh * (gp / s)
    kappa = gp + c * gm  # gamma (1 + c m)

    # ridgeless closed forms
    below, above, one = (~pos) & (c < 1), (~pos) & (c > 1), (~pos) & (c == 1)
    cb = np.where(below, c, 0.5)
    ca = np.where(above, c, 2.0)
    bias = np.where(below, 0.0, np.where(above, r2 * (1.0 - 1.0 / ca), bias))
    variance = np.where(below, s2 * cb / (1.0 - cb), np.where(above, s2 / (ca - 1.0), variance))
    in_sample = np.where(below, (1.0 - cb) * s2, np.where(above | one, 0.0, in_sample))
    kappa = np.where(below | one, 0.0, np.where(above, ca - 1.0, kappa))
    bias = np.where(one, 0.0, bias)
    variance = np.where(one, np.where(s2 > 0, np.inf, 0.0), variance)
    if np.any(one & (s2 > 0)):
        _warn_infinite()
    out = s2 + bias + variance
    return RidgeRisk(
        in_sample=_out(in_sample.reshape(shape)),
        out_of_sample=_out(out.reshape(shape)),
        bias=_out(bias.reshape(shape)),
        variance=_out(variance.reshape(shape)),
        kappa=_out(kappa.reshape(shape)),
    )


def optimal_ridge(ratio: ArrayLike, noise_var: ArrayLike, signal_norm2: ArrayLike = 1.0) -> ScalarOrArray:
    """Optimal ridge ``gamma* = noise_var * ratio / signal_norm2``.

    It minimizes the limiting out-of-sample risk for ``C = I`` (chapter 5 derives
    ``dR/dgamma = (2 m' - gamma m'') (signal_norm2 gamma - noise_var c)``); it is also the
    Bayes-optimal ridge (posterior mean under a Gaussian prior of variance ``signal_norm2 / p``
    per coordinate), hence optimal for any ``C`` in this setting.

    Parameters
    ----------
    ratio
        ``c = p / n > 0``.
    noise_var
        ``sigma^2 >= 0``.
    signal_norm2
        ``||beta*||^2 > 0``.

    Returns
    -------
    float or numpy.ndarray

    References
    ----------
    :cite:p:`dobriban2018high,hastie2022surprises`. Used in :doc:`/chapters/05_ridge`.

    Examples
    --------
    >>> from rmtbook import optimal_ridge
    >>> optimal_ridge(2.0, 0.5, 1.0)  # c sigma^2 / r^2
    1.0
    """
    c = check_array("ratio", ratio, low=0.0, low_open=True)
    s2 = check_array("noise_var", noise_var, low=0.0)
    r2 = check_array("signal_norm2", signal_norm2, low=0.0, low_open=True)
    return _out(np.asarray(s2 * c / r2, dtype=float))


# ------------------------------------------------------------------------------------------
# simulation
# ------------------------------------------------------------------------------------------
def population_diagonal(
    p: int, population_eigs: Optional[ArrayLike] = None, weights: Optional[ArrayLike] = None
) -> RealArray:
    """Diagonal of a ``p x p`` population covariance with the given spectral weights.

    Eigenvalue ``t_k`` is repeated ``round(w_k p)`` times (largest-remainder rounding so that the
    counts sum to ``p``), in the order given. Since ``Z`` is rotation invariant and ``beta*`` has
    a uniform direction, a diagonal ``C`` loses no generality. For an exact comparison with the
    theory at finite ``p`` pass the returned diagonal itself as ``population_eigs``.

    Parameters
    ----------
    p
        Dimension (``>= 1``).
    population_eigs, weights
        As :func:`ridge_risk` (default ``C = I``).

    Returns
    -------
    numpy.ndarray
        Shape ``(p,)``.

    References
    ----------
    Used in :doc:`/chapters/05_ridge`.

    Examples
    --------
    >>> from rmtbook import population_diagonal
    >>> population_diagonal(4, [1.0, 3.0], [0.25, 0.75])
    array([1., 3., 3., 3.])
    """
    p = check_int("p", p, low=1)
    t, w = _population(population_eigs, weights)
    exact = w * p
    counts = np.floor(exact).astype(int)
    remainder = p - counts.sum()
    if remainder > 0:
        order = np.argsort(-(exact - counts), kind="stable")
        counts[order[:remainder]] += 1
    return np.repeat(t, counts)


def _fit_ridge(a: np.ndarray, ytil: np.ndarray, gammas: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Ridge estimates for every ``gamma`` and their in-sample risks, from ``A = X / sqrt(n)``.

    Works with the smaller Gram matrix: ``betahat = (A A^T + gamma)^{-1} A ytil`` when ``p <= n``,
    else ``betahat = A alpha`` with ``alpha = (A^T A + gamma)^{-1} ytil`` (push-through identity),
    whose residual is exactly ``ytil - A^T A alpha = gamma alpha``. A few ridges are solved
    directly (a batched LU costs ``~p^3/1.5`` each); many share one eigendecomposition.
    Returns ``betahat`` (``p x G``) and ``R_in`` (length ``G``).
    """
    p, n = a.shape
    primal = p <= n
    gram = a @ a.T if primal else a.T @ a
    rhs = a @ ytil if primal else ytil
    k = gram.shape[0]
    if gammas.size <= 3:
        mats = gram[None, :, :] + gammas[:, None, None] * np.eye(k)[None, :, :]
        sol = np.linalg.solve(mats, np.broadcast_to(rhs, (gammas.size, k))[..., None])[..., 0].T
    else:
        lam, vec = np.linalg.eigh(gram)
        lam = np.clip(lam, 0.0, None)
        proj = vec.T @ rhs
        denom = lam[:, None] + gammas
        with np.errstate(divide="ignore", invalid="ignore"):
            sol = vec @ np.where(denom > 0, proj[:, None] / denom, 0.0)  # k x G (pseudo-inverse)
    if primal:
        betahat = sol
        r_in = np.sum((ytil[:, None] - a.T @ betahat) ** 2, axis=0)
    else:
        betahat = a @ sol
        r_in = gammas**2 * np.sum(sol**2, axis=0)
    return betahat, r_in


def simulate_ridge_risk(
    p: int,
    n: int,
    ridge: ArrayLike,
    noise_var: float = 0.0,
    signal_norm2: float = 1.0,
    population_eigs: Optional[ArrayLike] = None,
    weights: Optional[ArrayLike] = None,
    num_draws: int = 1,
    *,
    signal: Optional[ArrayLike] = None,
    rng: RngLike = None,
) -> SimulatedRidgeRisk:
    """Draw ridge regression problems and return the empirical risks (means and standard errors).

    Each draw samples ``Z`` (``p x n``, i.i.d. N(0, 1)), ``beta*`` uniform on the sphere of
    squared radius ``signal_norm2`` and ``eps ~ N(0, noise_var I_n)``; with
    ``C = diag(population_diagonal(p, population_eigs, weights))`` and ``X = C^{1/2} Z`` it computes
    ``R_in = (1/n) ||y - X^T betahat||^2`` and, exactly given ``betahat``,
    ``R_out = noise_var + (betahat - beta*)^T C (betahat - beta*)``. One Gram matrix (the smaller
    of ``X X^T`` and ``X^T X``) per draw serves every value of ``ridge`` (solved directly for up to
    three ridges, through one eigendecomposition for more); ``ridge = 0`` gives the minimum-norm
    least-squares (interpolating when ``p >= n``) estimator.

    Parameters
    ----------
    p, n
        Dimension and sample size (``>= 1``).
    ridge
        ``gamma >= 0``, scalar or array (all values use the same draws).
    noise_var, signal_norm2
        ``sigma^2 >= 0`` and ``||beta*||^2 >= 0``.
    population_eigs, weights
        Positive eigenvalues of ``C`` and their weights (default ``C = I``).
    num_draws
        Number of independent draws (``>= 1``).
    signal
        A fixed ``beta*`` (length ``p``, in the coordinates where ``C`` is diagonal) instead of a
        uniformly random direction drawn anew each time (keyword only; ``signal_norm2`` is then
        unused and must be left at its default).
    rng
        ``None``, a seed or a :class:`numpy.random.Generator`.

    Returns
    -------
    SimulatedRidgeRisk
        Means, standard errors (NaN for a single draw) and the individual draws.

    References
    ----------
    :cite:p:`hastie2022surprises,liao2025rmtdl`. Used in :doc:`/chapters/05_ridge`.

    Examples
    --------
    >>> from rmtbook import ridge_risk, simulate_ridge_risk
    >>> sim = simulate_ridge_risk(100, 200, 0.5, noise_var=0.25, num_draws=10, rng=0)
    >>> theory = ridge_risk(0.5, 0.5, noise_var=0.25).out_of_sample
    >>> bool(abs(sim.out_of_sample - theory) < 4 * sim.out_of_sample_se + 0.05 * theory)
    True
    """
    p = check_int("p", p, low=1)
    n = check_int("n", n, low=1)
    gam = check_array("ridge", ridge, low=0.0)
    s2 = float(check_array("noise_var", noise_var, ndim=0, low=0.0))
    r2 = float(check_array("signal_norm2", signal_norm2, ndim=0, low=0.0))
    num_draws = check_int("num_draws", num_draws, low=1)
    fixed = None
    if signal is not None:
        if r2 != 1.0:
            raise ValueError("give signal or signal_norm2, not both (signal carries the norm of beta*)")
        fixed = check_array("signal", signal, ndim=1, shape=(p,))
    gen = as_generator(rng)
    diag = population_diagonal(p, population_eigs, weights)
    root = np.sqrt(diag)
    gflat = gam.ravel()
    r_in = np.empty((num_draws, gflat.size))
    r_out = np.empty((num_draws, gflat.size))
    for d in range(num_draws):  # loop over independent draws, not over grid points
        a = root[:, None] * gen.standard_normal((p, n)) / np.sqrt(n)  # A = X / sqrt(n)
        if fixed is None:
            direction = gen.standard_normal(p)
            beta = np.sqrt(r2) * direction / np.linalg.norm(direction)
        else:
            beta = fixed
        ytil = (a.T @ beta + np.sqrt(s2 / n) * gen.standard_normal(n))  # y / sqrt(n)
        betahat, r_in[d] = _fit_ridge(a, ytil, gflat)
        err = betahat - beta[:, None]
        r_out[d] = s2 + np.sum(diag[:, None] * err**2, axis=0)
    mean_in, se_in = mean_and_se(r_in)
    mean_out, se_out = mean_and_se(r_out)
    shape = gam.shape
    return SimulatedRidgeRisk(
        in_sample=_out(mean_in.reshape(shape)),
        out_of_sample=_out(mean_out.reshape(shape)),
        in_sample_se=_out(se_in.reshape(shape)),
        out_of_sample_se=_out(se_out.reshape(shape)),
        in_sample_draws=r_in.reshape((num_draws,) + shape),
        out_of_sample_draws=r_out.reshape((num_draws,) + shape),
        num_draws=num_draws,
    )
