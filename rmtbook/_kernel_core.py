"""Private shared module: resolved activations and the Gaussian-pair kernels of a covariance.

The machinery shared by :mod:`rmtbook.kernels` (public kernel functions) and
:mod:`rmtbook.deep` (layer recursions): an activation resolved once
(:class:`ResolvedActivation`, through :func:`rmtbook.get_activation`), the closed forms of
:data:`CLOSED_FORM_ACTIVATIONS`, the dual activation and its derivatives (:func:`dual`) and the
entrywise kernel of a covariance matrix (:func:`kernel_matrix`); everything without a closed
form goes to :mod:`rmtbook._pair_quadrature`. Inputs are validated by the public callers.

Layer 3 (beside :mod:`rmtbook.kernels`): imports :mod:`rmtbook.hermite`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from . import hermite as _hermite
from ._pair_quadrature import accurate_expectation, correlation, trapezoid_expectation
from ._typing import Activation
from ._validation import check_int, check_vectorized_callable

__all__: list[str] = []

CLOSED_FORM_ACTIVATIONS: tuple[str, ...] = (
    "relu", "abs", "sign", "erf", "linear", "square", "cos", "sin", "exp",
)


class ResolvedActivation(NamedTuple):
    """An activation resolved once: its name (``None`` for a callable), phi, phi' and phi''."""

    key: str | None
    phi: Callable[[np.ndarray], np.ndarray]
    dphi: Callable[[np.ndarray], np.ndarray]
    d2phi: Callable[[np.ndarray], np.ndarray] | None
    breaks: tuple[float, ...] = ()  # kinks or jumps away from 0 (Activation.breakpoints)


def resolve(activation: Activation | ResolvedActivation, name: str = "activation") -> ResolvedActivation:
    """Turn a name or a callable into an :class:`ResolvedActivation` through :func:`rmtbook.get_activation`."""
    if isinstance(activation, ResolvedActivation):
        return activation
    if isinstance(activation, str):
        key = activation.lower()
        if key not in _hermite.ACTIVATIONS:
            raise ValueError(
                f"unknown {name} {activation!r}; valid names are {sorted(_hermite.ACTIVATIONS)} or a callable"
            )
    elif isinstance(activation, _hermite.Activation):
        key = None
        registered = activation.name in _hermite.ACTIVATIONS and _hermite.get_activation(activation.name) is activation
        if not registered:
            check_vectorized_callable(name, activation.fn)
    elif callable(activation):
        key = None
        check_vectorized_callable(name, activation)
    else:
        raise TypeError(f"{name} must be an activation name or a callable, got {type(activation).__name__}")
    act = _hermite.get_activation(activation)
    if key is None and act.name in _hermite.ACTIVATIONS and _hermite.get_activation(act.name) is act:
        key = act.name  # a registered Activation object counts as its name
    return ResolvedActivation(key, act.fn, act.derivative, act.second_derivative, tuple(act.breakpoints))


def check_order(order: object) -> int | None:
    """``None`` (automatic) or an integer number of nodes per dimension in [8, 1000]."""
    return None if order is None else check_int("order", order, low=8, high=1000)


def closed_form(key: str, q1: np.ndarray, q2: np.ndarray, k: np.ndarray, derivative: bool) -> np.ndarray:
    """E[phi(u) phi(v)] (or E[phi'(u) phi'(v)]) for the activations of CLOSED_FORM_ACTIVATIONS."""
    s, rho = correlation(q1, q2, k)
    if key == "relu":  # Cho & Saul (2009), arc-cosine kernels of order 1 and 0
        theta = np.arccos(rho)
        if derivative:
            return (np.pi - theta) / (2 * np.pi)
        return s * (np.sqrt(1.0 - rho**2) + (np.pi - theta) * rho) / (2 * np.pi)
    if key == "abs":  # |x| = relu(x) + relu(-x); derivative sign(x)
        if derivative:
            return (2 / np.pi) * np.arcsin(rho)
        return (2 * s / np.pi) * (np.sqrt(1.0 - rho**2) + rho * np.arcsin(rho))
    if key == "sign":
        if derivative:
            raise ValueError(
                "activation 'sign' has no derivative kernel (its derivative is 2 delta_0); "
                "use a smooth activation such as 'erf' for derivative kernels and the NTK"
            )
        return (2 / np.pi) * np.arcsin(rho)
    if key == "erf":  # Williams (1997)
        d = (1 + 2 * q1) * (1 + 2 * q2)
        if derivative:
            return (4 / np.pi) / np.sqrt(np.maximum(d - 4 * k**2, np.finfo(float).tiny))
        return (2 / np.pi) * np.arcsin(np.clip(2 * k / np.sqrt(d), -1.0, 1.0))
    k = np.clip(k, -s, s)
    if key == "linear":
        return np.ones_like(k) if derivative else k.copy()
    if key == "square":  # Isserlis: E[u^2 v^2] = q1 q2 + 2 k^2; phi' = 2x
        return 4 * k if derivative else q1 * q2 + 2 * k**2
    damp = np.exp(-(q1 + q2) / 2)
    if key == "cos":  # E cos(u -+ v) = exp(-Var(u -+ v)/2)
        return damp * (np.sinh(k) if derivative else np.cosh(k))
    if key == "sin":
        return damp * (np.cosh(k) if derivative else np.sinh(k))
    if key == "exp":  # E exp(u + v) = exp(Var(u + v)/2); phi' = phi
        return np.exp((q1 + q2) / 2 + k)
    raise KeyError(key)  # pragma: no cover - guarded by CLOSED_FORM_ACTIVATIONS


def pair_values(act: ResolvedActivation, q1: np.ndarray, q2: np.ndarray, k: np.ndarray, derivative: bool, order: int | None) -> np.ndarray:
    """Flat-array core shared by the public functions (inputs already validated and clipped)."""
    if act.key in CLOSED_FORM_ACTIVATIONS:
        return closed_form(act.key, q1, q2, k, derivative)
    f = act.dphi if derivative else act.phi
    return expectation(f, q1, q2, k, order, act.breaks)


def expectation(
    f: Callable, q1: np.ndarray, q2: np.ndarray, k: np.ndarray, order: int | None, breaks: tuple[float, ...] = ()
) -> np.ndarray:
    """E[f(u) f(v)] without closed form: trapezoidal rule at a given ``order``, else the accurate path."""
    if order is not None:
        return trapezoid_expectation(f, f, q1, q2, k, order)
    return accurate_expectation(f, q1, q2, k, breaks)


def dual(act: ResolvedActivation, q: float, rho: np.ndarray, m: int, order: int | None) -> np.ndarray:
    """Core of :func:`dual_activation` (validated inputs, flat ``rho``)."""
    qa = np.full(rho.shape, q)
    if m == 0:
        return pair_values(act, qa, qa, q * rho, False, order)
    if m == 1:
        if act.key == "sign":
            with np.errstate(divide="ignore"):
                return (2 / np.pi) / np.sqrt(1 - rho**2)
        return q * pair_values(act, qa, qa, q * rho, True, order)
    with np.errstate(divide="ignore", invalid="ignore"):
        closed = dual_second_derivative(act.key, q, rho)
    if closed is not None:
        return closed
    if act.d2phi is not None:  # f'' = q^2 E[phi''(u) phi''(v)] (Price's theorem twice)
        return q**2 * expectation(act.d2phi, qa, qa, q * rho, order, act.breaks)
    h = 1e-4
    lo = np.clip(rho - h, -1.0, 1.0)
    hi = np.clip(rho + h, -1.0, 1.0)
    f_hi = q * pair_values(act, qa, qa, q * hi, True, order)
    f_lo = q * pair_values(act, qa, qa, q * lo, True, order)
    return (f_hi - f_lo) / (hi - lo)


def dual_second_derivative(key: str | None, q: float, rho: np.ndarray) -> np.ndarray | None:
    """f_q''(rho) = q^2 E[phi''(u) phi''(v)] in closed form, or None."""
    root = np.sqrt(1 - rho**2)
    if key == "relu":  # phi'' = delta_0: q^2 p_{u,v}(0, 0)
        return q / (2 * np.pi * root)
    if key == "abs":  # phi'' = 2 delta_0
        return 2 * q / (np.pi * root)
    if key == "sign":
        return (2 / np.pi) * rho / root**3
    if key == "erf":
        c = 2 * q / (1 + 2 * q)
        s = c * rho
        return (2 / np.pi) * c**2 * s / (1 - s**2) ** 1.5
    if key == "linear":
        return np.zeros_like(rho)
    if key == "square":
        return np.full(rho.shape, 4 * q**2)
    if key == "cos":
        return q**2 * np.exp(-q) * np.cosh(q * rho)
    if key == "sin":
        return q**2 * np.exp(-q) * np.sinh(q * rho)
    if key == "exp":
        return q**2 * np.exp(q + q * rho)
    return None


def kernel_matrix(act: ResolvedActivation, K: np.ndarray, derivative: bool, order: int | None) -> np.ndarray:
    """Entrywise Gaussian-pair kernel of a symmetric PSD covariance matrix K (no validation)."""
    d = np.maximum(np.diag(K), 0.0)
    n = K.shape[0]
    if act.key in CLOSED_FORM_ACTIVATIONS:
        q1 = np.broadcast_to(d[:, None], K.shape).ravel()
        q2 = np.broadcast_to(d[None, :], K.shape).ravel()
        bound = np.sqrt(q1 * q2)
        k = np.clip(K.ravel(), -bound, bound)
        out = closed_form(act.key, q1, q2, k, derivative).reshape(K.shape)
        return (out + out.T) / 2
    iu, ju = np.triu_indices(n)  # quadrature on the upper triangle only, then mirrored
    bound = np.sqrt(d[iu] * d[ju])
    vals = pair_values(act, d[iu], d[ju], np.clip(K[iu, ju], -bound, bound), derivative, order)
    out = np.empty((n, n))
    out[iu, ju] = vals
    out[ju, iu] = vals
    return out

