"""Training dynamics of linear models: gradient flow on least squares in the proportional regime.

Setting (:doc:`/chapters/05b_training_dynamics`), the model and conventions of
:func:`rmtbook.ridge_risk`: data ``X = C^{1/2} Z`` in ``R^{p x n}`` (columns are samples),
``y = X^T beta* + eps`` with ``eps ~ N(0, sigma^2 I_n)`` and ``beta*`` of squared norm
``signal_norm2`` in a uniformly random direction; ``c = p / n``. Gradient flow on
``L(beta) = ||y - X^T beta||^2 / (2 n)`` from ``beta(0) = 0``, ::

    d beta / dt = X (y - X^T beta) / n,

has the solution ``beta(t) = g_t(Chat) X y / n`` with ``Chat = X X^T / n`` and the spectral
filter ``g_t(x) = (1 - exp(-t x)) / x``. Then ::

    beta(t) - beta* = -exp(-t Chat) beta* + g_t(Chat) X eps / n,
    y - X^T beta(t) = X^T exp(-t Chat) beta* + exp(-t X^T X / n) eps,

and the two risks are, up to terms that vanish as ``n, p -> infinity`` with ``p / n -> c``, ::

    R_in(t)  = signal_norm2 int x e^{-2 t x} mu(dx) + sigma^2 (1 - c + c int e^{-2 t x} mu(dx)),
    R_out(t) = sigma^2 + signal_norm2 int e^{-2 t x} nu_C(dx)
               + sigma^2 c int (1 - e^{-t x})^2 / x nu_C(dx),

where ``mu`` is the limiting eigenvalue law of ``Chat`` (:func:`rmtbook.sample_covariance_law`,
atom at 0 included) and ``nu_C`` is the limit of ``(1/p) sum_i (v_i^T C v_i) delta_{lambda_i}``
over the eigenpairs of ``Chat``: the eigenvalue law *weighted by the population covariance*. It
is the only new object. Its Stieltjes transform is ``(1/p) tr C Q(z) -> delta(z) / c``, and
with the effective parameter ``u(z) = z (1 + delta(z)) = -1 / m_tilde(z)`` of
:mod:`rmtbook._silverstein` (``m_tilde`` the companion transform) ::

    nu_C(dx) = Im u(x + i0) / (pi c x) dx  on the support,   nu_C({0}) = kappa_0 / c  (c > 1),

with ``kappa_0`` the ridgeless effective regularization (:func:`rmtbook.effective_ridge` at
ridge 0). For ``C = I``, ``nu_C = mu`` (the Marchenko-Pastur law).

This module sits in the ``linear`` layer; it calls the laws of :mod:`rmtbook.laws` (hence the
package's one Silverstein solver) and :func:`rmtbook.effective_ridge`.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Optional

import numpy as np

from . import _quadrature
from ._results import mean_and_se
from ._rng import as_generator
from ._silverstein import x_of_theta
from ._typing import ArrayLike, RngLike, ScalarOrArray
from ._validation import check_array, check_int, check_scalar, check_weights
from .laws import sample_covariance_law
from .linear import effective_ridge, population_diagonal

__all__ = [
    "GradientFlowRisk",
    "SimulatedGradientFlowRisk",
    "gradient_flow_risk",
    "simulate_gradient_flow_risk",
]

#: target absolute accuracy of the quadrature, relative to sigma^2 + signal_norm2 E_H[t]
_QUAD_TOL = 1e-10
#: panels (16 Gauss-Legendre nodes each) in the angle variable of each support interval:
#: first and largest tries of the doubling
_PANELS_START, _PANELS_MAX = 16, 512
#: geometric refinement of the first panel towards the lower edge (e^{-t x} at large t)
_GRADING = 24


@dataclass(frozen=True)
class GradientFlowRisk:
    """Limiting risks of gradient flow on least squares (floats for scalar inputs, else arrays).

    Attributes
    ----------
    in_sample
        ``R_in(t) = (1/n) ||y - X^T beta(t)||^2``.
    out_of_sample
        ``R_out(t) = sigma^2 + (beta(t) - beta*)^T C (beta(t) - beta*)`` (noise included).
    bias
        Signal part of ``R_out - sigma^2``: ``signal_norm2 int e^{-2tx} nu_C(dx)``.
    variance
        Noise part of ``R_out - sigma^2``: ``sigma^2 c int (1 - e^{-tx})^2 / x nu_C(dx)``.
    quadrature_error
        A posteriori bound on the absolute quadrature error of the risks (the change between
        the last two panel doublings, at least the rounding level).
    """

    in_sample: ScalarOrArray
    out_of_sample: ScalarOrArray
    bias: ScalarOrArray
    variance: ScalarOrArray
    quadrature_error: float


@dataclass(frozen=True)
class SimulatedGradientFlowRisk:
    """Empirical risks along simulated gradient flow (or gradient descent), over independent draws.

    Attributes
    ----------
    in_sample, out_of_sample
        Means over the draws (floats for a scalar time, else arrays of the time's shape).
    in_sample_se, out_of_sample_se
        Standard errors of the means (NaN when ``num_draws = 1``).
    in_sample_draws, out_of_sample_draws
        The individual draws, shape ``(num_draws,) + time.shape``.
    num_draws
        Number of independent draws of ``(Z, beta*, eps)``.
    in_sample_given_x, bias_given_x, variance_given_x
        For each draw of ``X``, the exact averages over ``beta*`` (uniform direction) and
        ``eps`` in closed form: ``E[R_in | X] = (r^2/p) tr Chat f(Chat)^2 + (sigma^2/n) tr
        f(K)^2``, ``bias = (r^2/p) tr C f(Chat)^2``, ``variance = (sigma^2/n) tr C Chat
        g(Chat)^2``, with ``f = 1 - x g(x)`` the residual filter (``e^{-t x}`` for the flow).
        Shape ``(num_draws,) + time.shape``; ``E[R_out | X] = noise_var + bias + variance``.
        NaN with ``signal_weights`` (the normalized structured signal has no closed-form
        second moment).
    """

    in_sample: ScalarOrArray
    out_of_sample: ScalarOrArray
    in_sample_se: ScalarOrArray
    out_of_sample_se: ScalarOrArray
    in_sample_draws: np.ndarray
    out_of_sample_draws: np.ndarray
    num_draws: int
    in_sample_given_x: np.ndarray
    bias_given_x: np.ndarray
    variance_given_x: np.ndarray


def _out(x: np.ndarray) -> ScalarOrArray:
    """A Python float for 0-d arrays, the array otherwise."""
    return float(x) if np.ndim(x) == 0 else x


def _population(
    population_eigs: Optional[ArrayLike], weights: Optional[ArrayLike]
) -> tuple[np.ndarray, np.ndarray]:
    """Positive population eigenvalues and normalized weights (default ``C = I``)."""
    if population_eigs is None:
        if weights is not None:
            raise ValueError("weights were given without population_eigs; pass both or neither")
        return np.ones(1), np.ones(1)
    t = check_array("population_eigs", population_eigs, ndim=(0, 1), low=0.0, low_open=True)
    t = np.atleast_1d(t)
    return t, check_weights("weights", weights, t.size, of="population_eigs")


def _signal(signal_weights: Optional[ArrayLike], w: np.ndarray) -> Optional[np.ndarray]:
    """``w_k b_k`` normalized to sum 1, or ``None`` for the uniform signal."""
    if signal_weights is None:
        return None
    b = np.atleast_1d(check_array("signal_weights", signal_weights, ndim=(0, 1), low=0.0))
    if b.size != w.size:
        raise ValueError(
            f"signal_weights must have one entry per population eigenvalue ({w.size}), got {b.size}"
        )
    wb = w * b
    if not np.sum(wb) > 0:
        raise ValueError("signal_weights must put positive weight on some population eigenvalue")
    return wb / np.sum(wb)


# ------------------------------------------------------------------------------------------
# the two spectral measures on quadrature nodes
# ------------------------------------------------------------------------------------------
def _nodes(law, panels: int) -> tuple[np.ndarray, np.ndarray]:
    """Nodes ``x`` and weights ``dx`` of a composite rule on the support of ``law``.

    Each interval ``[a, b]`` is mapped to the angle ``theta in [0, pi]``,
    ``x = a + (b - a) sin^2(theta / 2)`` (square-root edges become smooth), split into
    ``panels`` equal panels, the first of them refined geometrically towards ``a`` (the filters
    ``e^{-t x}`` vary on the scale ``1/t`` there), with 16 Gauss-Legendre nodes per panel.
    """
    width = np.pi / panels
    edges = np.unique(np.concatenate([[0.0], width * 2.0 ** -np.arange(_GRADING, 0, -1),
                                      np.linspace(width, np.pi, panels)]))
    theta, wt = _quadrature.panel_nodes(edges)
    xs, ws = [], []
    for a, b in law.support():
        aa, bb = np.full(theta.shape, a), np.full(theta.shape, b)
        xs.append(x_of_theta(theta, np.pi - theta, aa, bb))
        ws.append(0.5 * (b - a) * np.sin(theta) * wt)
    return np.concatenate(xs), np.concatenate(ws)


def _measures(law, ratio: float, panels: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Nodes and the weights of ``mu`` and ``nu_C`` there (continuous parts only)."""
    x, dx = _nodes(law, panels)
    m_tilde = law.companion_stieltjes(x + 0j)  # companion transform at x + i0
    u = -1.0 / m_tilde  # effective parameter u = z (1 + delta)
    d_mu = np.maximum(m_tilde.imag, 0.0) / (np.pi * ratio) * dx  # density Im m_tilde / (pi c)
    d_nu = np.maximum(u.imag, 0.0) / (np.pi * ratio * x) * dx  # density Im u / (pi c x)
    return x, d_mu, d_nu


def _risks(x, d_mu, d_nu, atom_mu, atom_nu, c, t, s2, r2):
    """The four spectral integrals at times ``t`` (1-D) for the given measures."""
    tt = t[:, None]
    with np.errstate(invalid="ignore", over="ignore"):
        decay2 = np.exp(-2.0 * tt * x)  # exp(-inf * x) = 0 for x > 0: the ridgeless limit
        rise = -np.expm1(-tt * x)  # 1 - e^{-t x}, accurate at small t x
    bias = r2 * (decay2 @ d_nu + atom_nu)
    variance = s2 * c * ((rise**2 / x) @ d_nu)
    in_sample = r2 * ((x * decay2) @ d_mu) + s2 * ((1.0 - c) + c * (decay2 @ d_mu + atom_mu))
    return in_sample, bias, variance


def gradient_flow_risk(
    ratio: float,
    time: ArrayLike,
    noise_var: ArrayLike = 0.0,
    signal_norm2: ArrayLike = 1.0,
    population_eigs: Optional[ArrayLike] = None,
    weights: Optional[ArrayLike] = None,
) -> GradientFlowRisk:
    """Limiting in-sample and out-of-sample risks of gradient flow on least squares at time ``t``.

    Gradient flow ``d beta / dt = X (y - X^T beta) / n`` from ``beta(0) = 0`` in the model of
    :func:`rmtbook.ridge_risk`. With ``mu`` the limiting eigenvalue law of ``X X^T / n`` and
    ``nu_C`` the same law weighted by ``C`` (density ``Im u(x + i0) / (pi c x)``, atom
    ``kappa_0 / c`` at 0 when ``c > 1``; see the module docstring):

    * ``bias = signal_norm2 int e^{-2 t x} nu_C(dx)``,
    * ``variance = noise_var c int (1 - e^{-t x})^2 / x nu_C(dx)``,
    * ``out_of_sample = noise_var + bias + variance``,
    * ``in_sample = signal_norm2 int x e^{-2 t x} mu(dx)
      + noise_var (1 - c + c int e^{-2 t x} mu(dx))``.

    At ``t = 0`` the estimator is 0 (``out_of_sample = noise_var + signal_norm2 E_H[t]``); as
    ``t -> inf`` the risks tend to the ridgeless limits of :func:`rmtbook.ridge_risk`
    (``time = inf`` is accepted and gives them; at ``ratio = 1`` the out-of-sample risk is then
    infinite when ``noise_var > 0``, with a :class:`RuntimeWarning`).

    Numerics: a composite Gauss-Legendre rule in the angle variable of each support interval
    (square-root edges made smooth, the first panel refined towards the lower edge), the
    number of panels doubled until two successive rules agree to ``1e-10 (noise_var +
    signal_norm2 E_H[t])`` at every time (the reached accuracy is returned as
    ``quadrature_error``); one solve of the Silverstein equation per node, shared by all times.

    Parameters
    ----------
    ratio
        ``c = p / n > 0`` (a scalar).
    time
        ``t >= 0`` (scalar or array; ``inf`` allowed).
    noise_var
        ``sigma^2 >= 0`` (broadcast with ``time``).
    signal_norm2
        ``||beta*||^2 >= 0`` (broadcast with ``time``).
    population_eigs, weights
        Positive eigenvalues of ``C`` and their weights (fractions of the ``p`` coordinates;
        default ``C = I``).
    Returns
    -------
    GradientFlowRisk
        ``.in_sample``, ``.out_of_sample``, ``.bias``, ``.variance`` (floats for
        scalar inputs, else arrays of the broadcast shape) and ``.quadrature_error``.

    References
    ----------
    :cite:p:`advani2020high,ali2019continuous` (gradient flow and its risk);
    :cite:p:`hastie2022surprises,liao2025rmtdl` (the ridgeless limit, the model).
    Derived and checked in :doc:`/chapters/05b_training_dynamics`.

    Examples
    --------
    >>> from rmtbook import gradient_flow_risk, ridge_risk
    >>> gf = gradient_flow_risk(0.5, [0.0, 2.0, float("inf")], noise_var=0.25)
    >>> [round(float(v), 6) for v in gf.out_of_sample]  # from 1 + sigma^2 to the ridgeless limit
    [1.25, 0.460761, 0.5]
    >>> round(ridge_risk(0.5, 0.0, noise_var=0.25).out_of_sample, 6)
    0.5
    """
    c = check_scalar("ratio", ratio, low=0.0, low_open=True)
    t = check_array("time", time, low=0.0, allow_inf=True)
    s2 = check_array("noise_var", noise_var, low=0.0)
    r2 = check_array("signal_norm2", signal_norm2, low=0.0)
    eigs, w = _population(population_eigs, weights)
    t, s2, r2 = np.broadcast_arrays(t, s2, r2)
    shape = t.shape
    t, s2, r2 = (a.ravel().astype(float) for a in (t, s2, r2))

    law = sample_covariance_law(eigs, c, w)
    atom_mu = law.atom
    kappa0 = effective_ridge(c, 0.0, eigs, w) if c > 1.0 else 0.0
    atom_nu = kappa0 / c  # nu_C({0}): the part of C's trace in the kernel of Chat
    m1 = float(np.dot(w, eigs))  # the risk at t = 0 is s2 + r2 m1
    scale = np.maximum(s2 + r2 * m1, np.finfo(float).tiny)

    panels = _PANELS_START
    previous = None
    error = np.inf
    while True:
        meas = _measures(law, c, panels)
        current = np.stack(_risks(*meas, atom_mu, atom_nu, c, t, s2, r2))
        if previous is not None:
            with np.errstate(invalid="ignore"):
                diff = np.abs(current - previous)
            diff = np.where(np.isfinite(diff), diff, 0.0)
            error = float(np.max(diff / scale, initial=0.0))
            if error <= _QUAD_TOL or panels >= _PANELS_MAX:
                break
        previous = current
        panels *= 2
    in_sample, bias, variance = current
    error = float(max(error, 4.0 * np.finfo(float).eps) * np.max(scale))

    # ridgeless limit at c = 1: int nu_C(dx) / x diverges (hard edge), the quadrature cannot see it
    singular = np.isinf(t) & (c == 1.0) & (s2 > 0)
    if np.any(singular):
        variance = np.where(singular, np.inf, variance)
        warnings.warn(
            "ridgeless (time = inf) out-of-sample risk is infinite at ratio = 1 when noise_var > 0",
            RuntimeWarning,
            stacklevel=2,
        )
    out = s2 + bias + variance
    return GradientFlowRisk(
        in_sample=_out(in_sample.reshape(shape)),
        out_of_sample=_out(out.reshape(shape)),
        bias=_out(bias.reshape(shape)),
        variance=_out(variance.reshape(shape)),
        quadrature_error=error,
    )


# ------------------------------------------------------------------------------------------
# simulation
# ------------------------------------------------------------------------------------------
def _filters(lam: np.ndarray, t: np.ndarray, step: Optional[float]) -> np.ndarray:
    """``g(lambda)`` for every time (rows) and eigenvalue (columns).

    Gradient flow: ``(1 - e^{-t lambda}) / lambda`` (``t`` at ``lambda = 0``). Gradient descent
    with step ``eta`` after ``k = round(t / eta)`` steps:
    ``(1 - (1 - eta lambda)^k) / lambda`` (``k eta`` at ``lambda = 0``).
    """
    tt = t[:, None]
    lam = lam[None, :]
    pos = lam > 0
    lp = np.where(pos, lam, 1.0)
    if step is None:
        with np.errstate(invalid="ignore"):
            g = np.where(pos, -np.expm1(-tt * lp) / lp, tt)
        return np.where(np.isinf(tt) & pos, 1.0 / lp, np.where(np.isinf(tt), 0.0, g))
    k = np.round(tt / step)
    if np.any(step * lam >= 2.0) and np.any(k > 0):
        warnings.warn(
            "gradient descent diverges: step_size * largest eigenvalue = "
            f"{step * lam.max():.3g} >= 2",
            RuntimeWarning,
            stacklevel=3,
        )
    with np.errstate(invalid="ignore", over="ignore"):
        g = np.where(pos, (1.0 - np.power(1.0 - step * lp, k)) / lp, k * step)
    return g


def _given_x(a, lam, vec, diag, t, step, r2, s2, primal):
    """Exact averages over ``beta*`` and ``eps`` of ``R_in``, bias and variance given ``X``.

    ``E[beta* beta*^T] = (r2 / p) I`` and ``E[eps eps^T] / n = (s2 / n) I_n`` turn the risks into
    weighted sums over the eigenpairs of ``Chat`` (``primal``: ``lam, vec`` from ``A A^T``) or
    of ``K`` (``A^T A``; the ``p - n`` null directions of ``Chat`` have residual filter 1 and
    carry the rest of ``tr C``).
    """
    p, n = a.shape
    with np.errstate(over="ignore", invalid="ignore"):
        g = _filters(lam, t, step)  # times x eigenvalues
        resid = 1.0 - lam[None, :] * g  # f(lambda): e^{-t lambda} for the flow
    if primal:  # v_i^T C v_i over the eigenvectors of Chat; K has n - p extra zeros (f = 1)
        cw = diag @ vec**2
        f_k = np.sum(resid**2, axis=1) + (n - p)
    else:  # Chat's eigenvectors A u_i / sqrt(l_i) for l_i > 0, the null space carries the rest
        pos = lam > 1e-12 * max(lam.max(), 1.0)
        cw = np.where(pos, diag @ (a @ vec) ** 2 / np.where(pos, lam, 1.0), 0.0)
        f_k = np.sum(resid**2, axis=1)
        null_c = diag.sum() - cw.sum()  # tr C on the null space of Chat, residual filter 1
    with np.errstate(over="ignore", invalid="ignore"):
        bias = r2 / p * ((resid**2) @ cw)
        in_sample = r2 / p * ((resid**2) @ lam) + s2 / n * f_k
        variance = s2 / n * ((lam * g**2) @ cw)
    if not primal:
        bias = bias + r2 / p * null_c
    return in_sample, bias, variance


def simulate_gradient_flow_risk(
    p: int,
    n: int,
    time: ArrayLike,
    noise_var: float = 0.0,
    signal_norm2: float = 1.0,
    population_eigs: Optional[ArrayLike] = None,
    weights: Optional[ArrayLike] = None,
    num_draws: int = 1,
    step_size: Optional[float] = None,
    *,
    signal_weights: Optional[ArrayLike] = None,
    rng: RngLike = None,
) -> SimulatedGradientFlowRisk:
    """Draw least-squares problems, run gradient flow (or descent) and return the empirical risks.

    Each draw samples ``Z`` (``p x n``), ``beta*`` uniform on the sphere of squared radius
    ``signal_norm2`` and ``eps ~ N(0, noise_var I_n)``, with
    ``C = diag(population_diagonal(p, population_eigs, weights))`` and ``X = C^{1/2} Z``. The
    iterate is computed exactly from one eigendecomposition of ``K = X^T X / n``:
    ``beta(t) = X g(K) y / n`` with ``g(x) = (1 - e^{-t x}) / x`` for gradient flow, or, when
    ``step_size = eta`` is given, ``g(x) = (1 - (1 - eta x)^k) / x``, the iterate of gradient
    descent ``beta_{j+1} = beta_j + eta X (y - X^T beta_j) / n`` after ``k = round(t / eta)``
    steps from 0. Then ``R_in = (1/n) ||y - X^T beta||^2`` and, exactly given ``beta``,
    ``R_out = noise_var + (beta - beta*)^T C (beta - beta*)``. The same eigendecomposition
    gives, per draw, the exact averages of the risks over ``beta*`` and ``eps`` given ``X``
    (normalized traces; see :class:`SimulatedGradientFlowRisk`): they separate the
    fluctuation of the quadratic forms, of order ``n^{-1/2}``, from that of the spectrum,
    of order ``1/n``.

    Parameters
    ----------
    p, n
        Dimension and sample size (``>= 1``).
    time
        ``t >= 0``, scalar or array (all times use the same draws; ``inf`` allowed for the flow).
    noise_var, signal_norm2
        ``sigma^2 >= 0`` and ``||beta*||^2 >= 0``.
    population_eigs, weights
        Positive eigenvalues of ``C`` and their weights (default ``C = I``).
    num_draws
        Number of independent draws (``>= 1``).
    step_size
        ``None`` (gradient flow) or the step ``eta > 0`` of gradient descent.
    signal_weights
        Relative signal energies per population eigenvalue, as :func:`gradient_flow_risk`:
        coordinate ``i`` of ``beta*`` is ``sqrt(b_k)`` times a standard Gaussian before the
        normalization to ``||beta*||^2 = signal_norm2``. (Outside the model of
        :func:`gradient_flow_risk` when the ``b_k`` differ: the out-of-sample bias is then
        ``beta*^T e^{-t Chat} C e^{-t Chat} beta*``, a two-resolvent quantity that the
        eigenvalue law weighted by ``C`` does not determine.)
    rng
        ``None``, a seed or a :class:`numpy.random.Generator`.

    Returns
    -------
    SimulatedGradientFlowRisk
        Means, standard errors (NaN for a single draw) and the individual draws.

    References
    ----------
    :cite:p:`ali2019continuous,advani2020high`. Used in :doc:`/chapters/05b_training_dynamics`.

    Examples
    --------
    >>> from rmtbook import gradient_flow_risk, simulate_gradient_flow_risk
    >>> sim = simulate_gradient_flow_risk(200, 400, 2.0, noise_var=0.25, num_draws=4, rng=0)
    >>> theory = gradient_flow_risk(0.5, 2.0, noise_var=0.25).out_of_sample
    >>> bool(abs(sim.out_of_sample - theory) < 4 * sim.out_of_sample_se + 0.02)
    True
    """
    p = check_int("p", p, low=1)
    n = check_int("n", n, low=1)
    tim = check_array("time", time, low=0.0, allow_inf=step_size is None)
    s2 = float(check_array("noise_var", noise_var, ndim=0, low=0.0))
    r2 = float(check_array("signal_norm2", signal_norm2, ndim=0, low=0.0))
    num_draws = check_int("num_draws", num_draws, low=1)
    step = None
    if step_size is not None:
        step = check_scalar("step_size", step_size, low=0.0, low_open=True)
    gen = as_generator(rng)
    diag = population_diagonal(p, population_eigs, weights)
    root = np.sqrt(diag)
    eigs, w = _population(population_eigs, weights)
    wb = _signal(signal_weights, w)
    if wb is None:
        amplitude = np.ones(p)
    else:  # population_diagonal repeats t_k in the given order: the same counts for b_k
        b = np.where(w > 0, wb / np.where(w > 0, w, 1.0), 0.0)
        amplitude = np.sqrt(population_diagonal(p, b + 1.0, weights) - 1.0)
    tflat = tim.ravel().astype(float)
    r_in = np.empty((num_draws, tflat.size))
    r_out = np.empty((num_draws, tflat.size))
    given = np.full((3, num_draws, tflat.size), np.nan)  # E[R_in | X], bias, variance
    for d in range(num_draws):  # loop over independent draws, not over grid points
        a = root[:, None] * gen.standard_normal((p, n)) / np.sqrt(n)  # A = X / sqrt(n)
        direction = amplitude * gen.standard_normal(p)
        beta = np.sqrt(r2) * direction / np.linalg.norm(direction)
        ytil = a.T @ beta + np.sqrt(s2 / n) * gen.standard_normal(n)  # y / sqrt(n)
        if p <= n:  # beta(t) = V g(L) V^T A ytil with A A^T = V L V^T
            lam, vec = np.linalg.eigh(a @ a.T)
            lam = np.clip(lam, 0.0, None)
            with np.errstate(over="ignore", invalid="ignore"):
                coef = _filters(lam, tflat, step) * (vec.T @ (a @ ytil))[None, :]
                betas = vec @ coef.T  # p x T
        else:  # beta(t) = A U g(L) U^T ytil with A^T A = U L U^T (push-through)
            lam, vec = np.linalg.eigh(a.T @ a)
            lam = np.clip(lam, 0.0, None)
            with np.errstate(over="ignore", invalid="ignore"):
                coef = _filters(lam, tflat, step) * (vec.T @ ytil)[None, :]
                betas = a @ (vec @ coef.T)
        if wb is None:
            given[:, d] = _given_x(a, lam, vec, diag, tflat, step, r2, s2, p <= n)
        with np.errstate(over="ignore", invalid="ignore"):  # divergent descent (warned): inf
            r_in[d] = np.sum((ytil[:, None] - a.T @ betas) ** 2, axis=0)
            err = betas - beta[:, None]
            r_out[d] = s2 + np.sum(diag[:, None] * err**2, axis=0)
        if step is not None and step * lam.max() >= 2.0:
            r_in[d] = np.where(np.isnan(r_in[d]), np.inf, r_in[d])
            r_out[d] = np.where(np.isnan(r_out[d]), np.inf, r_out[d])
    mean_in, se_in = mean_and_se(r_in)
    mean_out, se_out = mean_and_se(r_out)
    shape = tim.shape
    return SimulatedGradientFlowRisk(
        in_sample=_out(mean_in.reshape(shape)),
        out_of_sample=_out(mean_out.reshape(shape)),
        in_sample_se=_out(se_in.reshape(shape)),
        out_of_sample_se=_out(se_out.reshape(shape)),
        in_sample_draws=r_in.reshape((num_draws,) + shape),
        out_of_sample_draws=r_out.reshape((num_draws,) + shape),
        num_draws=num_draws,
        in_sample_given_x=given[0].reshape((num_draws,) + shape),
        bias_given_x=given[1].reshape((num_draws,) + shape),
        variance_given_x=given[2].reshape((num_draws,) + shape),
    )
