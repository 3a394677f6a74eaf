"""Gaussian analysis of activations: Hermite coefficients, Stein's lemma and Mehler's formula.

An activation ``phi`` with ``E[phi(xi)^2] < inf`` for ``xi ~ N(0, 1)`` expands in the
orthonormal basis of normalized probabilists' Hermite polynomials
``h_k = He_k / sqrt(k!)`` of ``L^2(N(0, 1))``:

    phi = sum_k a_k h_k,    a_k = E[phi(xi) He_k(xi)] / sqrt(k!),    nu = E[phi(xi)^2] = sum_k a_k^2.

This module computes the ``a_k`` and ``nu`` (closed forms where they exist, adaptive quadrature
otherwise), Monte Carlo estimates of them with standard errors, the truncated Mehler series
``sum_k a_k^2 rho^k = E[phi(u) phi(v)]`` for standard Gaussians ``(u, v)`` with correlation
``rho``, and the registry of named activations (with derivatives) used across the package.

Layer 2 of the package: imports only :mod:`rmtbook._validation` and :mod:`rmtbook._rng`.
Used in chapter ``chapters/06_hermite`` and, through the registry, in the kernel, random
feature and deep network chapters.

References
----------
- C. M. Stein, "Estimation of the mean of a multivariate normal distribution",
  Ann. Statist. 9 (1981) (``stein1981estimation``).
- F. G. Mehler, "Ueber die Entwicklung einer Function von beliebig vielen
  Variablen nach Laplaceschen Functionen hoeherer Ordnung", J. reine angew. Math. 66 (1866)
  (``mehler1866ueber``).
- Z. Liao and M. W. Mahoney, "Random Matrix Theory for Deep Learning: Beyond
  Eigenvalues of Linear Models", arXiv 2506.13139 (``liao2025rmtdl``).
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, Optional, Union

import numpy as np
from scipy import integrate, special

from ._rng import RngLike, as_generator
from ._validation import check_array, check_choice, check_int, check_vectorized_callable

__all__ = [
    "ACTIVATIONS",
    "MAX_DEGREE",
    "Activation",
    "MonteCarloCoefficients",
    "get_activation",
    "hermite_polynomial",
    "hermite_polynomials",
    "hermite_series",
    "hermite_coefficients",
    "second_moment",
    "mehler_kernel",
    "monte_carlo_coefficients",
    "monte_carlo_second_moment",
]

#: Largest Hermite degree accepted by the public functions.
MAX_DEGREE = 50

#: Half-width of the integration interval: the Gaussian mass beyond it is ``< e^{-800}``.
_CUTOFF = 40.0
#: Fixed breakpoints that help the adaptive rule place nodes where the Gaussian mass is.
_DEFAULT_POINTS = (-20.0, -10.0, -5.0, 0.0, 5.0, 10.0, 20.0)
_SQRT_2PI = math.sqrt(2.0 * math.pi)

ArrayLike = Union[float, Sequence[float], np.ndarray]
Fn = Callable[[np.ndarray], np.ndarray]


# ---------------------------------------------------------------------------------------------
# Activation registry
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Activation:
    """A named activation with its first and second derivatives.

    Returned by :func:`get_activation`. Calling it evaluates the activation; unpacking it gives
    the pair ``(fn, derivative)``, so both styles work::

        act = get_activation("tanh"); act(x); act.derivative(x)
        phi, dphi = get_activation("tanh")

    Attributes
    ----------
    name : str
        Registry name (``"custom"``-like for user callables: the callable's ``__name__``).
    fn : callable
        The activation, vectorized over numpy arrays.
    derivative : callable
        Its derivative (almost everywhere for ``relu``, ``abs`` and ``sign``; see
        :func:`get_activation`). For user callables without a given derivative: a central
        finite difference (step ``1e-5 * max(1, |x|)``, error ``O(1e-10)`` on smooth
        functions, wrong at kinks and jumps).
    second_derivative : callable or None
        The second derivative where the activation is twice continuously differentiable
        (every name except ``relu``, ``abs`` and ``sign``); ``None`` otherwise.
    breakpoints : tuple of float
        Points other than 0 where the activation has a kink or a jump (``(-1.0, 1.0)`` for
        ``np.clip(x, -1, 1)``), given to :func:`get_activation`; empty for every name (their
        kinks are at 0). Hermite coefficients split their quadrature there, and the kernels of
        :mod:`rmtbook.kernels` (hence :mod:`rmtbook.deep`) integrate across them exactly.
    """

    name: str
    fn: Fn
    derivative: Fn
    second_derivative: Optional[Fn] = None
    breakpoints: tuple[float, ...] = ()

    def __call__(self, x: ArrayLike) -> np.ndarray:
        return self.fn(np.asarray(x, dtype=float))

    def __iter__(self) -> Iterator[Fn]:
        return iter((self.fn, self.derivative))


def _relu(x):
    return np.maximum(x, 0.0)


def _step(x):
    return (np.asarray(x) > 0).astype(float)


def _zero(x):
    return np.zeros_like(np.asarray(x, dtype=float))


def _one(x):
    return np.ones_like(np.asarray(x, dtype=float))


def _tanh_d(x):
    return 1.0 - np.tanh(x) ** 2


def _tanh_dd(x):
    t = np.tanh(x)
    return -2.0 * t * (1.0 - t**2)


def _sigmoid_d(x):
    return special.expit(x) * special.expit(-x)


def _sigmoid_dd(x):
    s = special.expit(x)
    return s * special.expit(-x) * (1.0 - 2.0 * s)


def _erf_d(x):
    return 2.0 / math.sqrt(math.pi) * np.exp(-np.square(x))


def _erf_dd(x):
    return -4.0 / math.sqrt(math.pi) * x * np.exp(-np.square(x))


def _gauss_density(x):
    return np.exp(-0.5 * np.square(x)) / _SQRT_2PI


def _gelu(x):
    return x * special.ndtr(x)


def _gelu_d(x):
    return special.ndtr(x) + x * _gauss_density(x)


def _gelu_dd(x):
    return (2.0 - np.square(x)) * _gauss_density(x)


def _silu(x):
    return x * special.expit(x)


def _silu_d(x):
    s = special.expit(x)
    return s + x * s * special.expit(-x)


def _silu_dd(x):
    s = special.expit(x)
    ds = s * special.expit(-x)
    return 2.0 * ds + x * ds * (1.0 - 2.0 * s)


def _softplus(x):
    return np.logaddexp(0.0, x)


def _neg_sin(x):
    return -np.sin(x)


def _neg_cos(x):
    return -np.cos(x)


def _square(x):
    return np.square(x)


def _double(x):
    return 2.0 * np.asarray(x, dtype=float)


def _two(x):
    return np.full_like(np.asarray(x, dtype=float), 2.0)


def _identity(x):
    return np.asarray(x, dtype=float) * 1.0


_REGISTRY: dict[str, Activation] = {
    a.name: a
    for a in (
        Activation("relu", _relu, _step, None),
        Activation("tanh", np.tanh, _tanh_d, _tanh_dd),
        Activation("sigmoid", special.expit, _sigmoid_d, _sigmoid_dd),
        Activation("erf", special.erf, _erf_d, _erf_dd),
        Activation("abs", np.abs, np.sign, None),
        Activation("sign", np.sign, _zero, None),
        Activation("gelu", _gelu, _gelu_d, _gelu_dd),
        Activation("silu", _silu, _silu_d, _silu_dd),
        Activation("softplus", _softplus, special.expit, _sigmoid_d),
        Activation("cos", np.cos, _neg_sin, _neg_cos),
        Activation("sin", np.sin, np.cos, _neg_sin),
        Activation("exp", np.exp, np.exp, np.exp),
        Activation("square", _square, _double, _two),
        Activation("linear", _identity, _one, _zero),
    )
}

#: Names accepted wherever an activation is expected.
ACTIVATIONS: tuple[str, ...] = tuple(_REGISTRY)


def _finite_difference(fn: Fn, breaks: tuple[float, ...] = ()) -> Fn:
    """Central difference of ``fn``; within a step of a declared break, a one-sided
    second-order difference on the far side, so the derivative jumps there instead of ramping."""

    def derivative(x):
        x = np.asarray(x, dtype=float)
        h = 1e-5 * np.maximum(1.0, np.abs(x))
        out = (np.asarray(fn(x + h), dtype=float) - np.asarray(fn(x - h), dtype=float)) / (2 * h)
        if breaks:
            dist = x[..., None] - np.asarray(breaks)  # (..., breaks)
            near = np.abs(dist) < h[..., None]
            if np.any(near):
                # the side of the nearest break the point lies on (x == b counts as its right)
                side = np.where(np.take_along_axis(dist, np.argmin(np.abs(dist), axis=-1)[..., None], -1)[..., 0] >= 0, 1.0, -1.0)
                sel = np.any(near, axis=-1)
                xs, hs = x[sel], side[sel] * h[sel]
                f0 = np.asarray(fn(xs), dtype=float)
                f1 = np.asarray(fn(xs + hs), dtype=float)
                f2 = np.asarray(fn(xs + 2 * hs), dtype=float)
                out = np.array(out, dtype=float)
                out[sel] = (-3 * f0 + 4 * f1 - f2) / (2 * hs)
        return out

    derivative.finite_difference_of = fn  # lets get_activation rebuild it with new breaks
    return derivative


def get_activation(
    activation: Union[str, Callable[..., Any], Activation],
    *,
    derivative: Optional[Callable[..., Any]] = None,
    breakpoints: Sequence[float] = (),
) -> Activation:
    """Look up a named activation (or wrap a callable) with its derivatives.

    Parameters
    ----------
    activation
        One of :data:`ACTIVATIONS` (case-insensitive), an :class:`Activation` (returned as is)
        or a vectorized callable ``phi(x)``.
    derivative
        For a callable: its derivative. If omitted, a central finite difference is used
        (see :class:`Activation`). Ignored for names.
    breakpoints
        For a callable (or to extend an :class:`Activation`): the points other than 0 where it
        has a kink or a jump, finite floats in ``[-40, 40]`` (see :class:`Activation`). With
        them, kernels of such activations reach about 1e-13 instead of about 1e-5. Names
        have their kinks at 0: giving breakpoints with a name is an error.

    Returns
    -------
    Activation
        ``.fn``, ``.derivative``, ``.second_derivative``, ``.name``; unpacks to
        ``(fn, derivative)``.

    Notes
    -----
    Derivatives of the names: ``relu' = 1[x > 0]``; ``tanh' = 1 - tanh^2``;
    ``sigmoid' = s (1 - s)``; ``erf' = (2 / sqrt(pi)) e^{-x^2}``; ``abs' = sign``;
    ``sign' = 0`` almost everywhere (its distributional derivative is ``2 delta_0``, so the
    NTK of ``sign`` is undefined and Stein's lemma does not apply to it); ``gelu(x) = x Phi(x)``,
    ``gelu' = Phi + x Phi'``; ``silu(x) = x s(x)``, ``silu' = s + x s (1 - s)``;
    ``softplus = log(1 + e^x)``, ``softplus' = s``; ``cos' = -sin``; ``sin' = cos``;
    ``exp' = exp``; ``square' = 2x``; ``linear' = 1``; here ``s`` is the logistic sigmoid and
    ``Phi`` the standard normal CDF.

    Every implementation is overflow-free on the whole real line (sigmoid via
    :func:`scipy.special.expit`, softplus via ``np.logaddexp(0, x)``), except ``exp`` and
    ``square`` which overflow (with a RuntimeWarning) for ``x > 709.78`` and
    ``|x| > 1.34e154`` respectively, far outside any Gaussian preactivation.

    Raises
    ------
    ValueError
        For an unknown name (the message lists :data:`ACTIVATIONS`).
    TypeError
        For anything that is neither a string nor a callable.

    References
    ----------
    Used in chapters ``06_hermite``, ``07_kernels``, ``08_random_features``,
    ``09_deep_conjugate_kernels`` and ``10_ntk``.
    """
    extra = _check_breakpoints(breakpoints)
    if isinstance(activation, Activation):
        if _REGISTRY.get(activation.name) is not activation:  # a user-built Activation
            check_vectorized_callable("activation", activation.fn)
        if not extra:
            return activation
        merged = tuple(sorted(set(activation.breakpoints) | set(extra)))
        deriv = activation.derivative
        if getattr(deriv, "finite_difference_of", None) is activation.fn:
            deriv = _finite_difference(activation.fn, merged)
        return dataclasses.replace(activation, derivative=deriv, breakpoints=merged)
    if isinstance(activation, str):
        name = check_choice("activation", activation, ACTIVATIONS)
        if extra:
            raise ValueError(
                f"breakpoints are for callables: the kinks of the named activation {name!r} are at 0"
            )
        return _REGISTRY[name]
    if not callable(activation):
        raise TypeError(
            f"activation must be one of {sorted(ACTIVATIONS)} or a callable, "
            f"got {type(activation).__name__}"
        )
    check_vectorized_callable("activation", activation)
    if derivative is not None:
        check_vectorized_callable("derivative", derivative)
    name = getattr(activation, "__name__", type(activation).__name__)
    return Activation(name, activation, derivative or _finite_difference(activation, extra), None, extra)


def _check_breakpoints(breakpoints: Sequence[float]) -> tuple[float, ...]:
    """Sorted distinct breakpoints other than 0, validated (finite, within [-40, 40])."""
    if isinstance(breakpoints, (str, bytes)):
        raise TypeError(f"breakpoints must be a sequence of numbers, got {breakpoints!r}")
    if breakpoints is None or (not isinstance(breakpoints, np.ndarray) and len(breakpoints) == 0):
        return ()
    pts = check_array("breakpoints", breakpoints, ndim=1, low=-_CUTOFF, high=_CUTOFF)
    return tuple(float(b) for b in np.unique(pts) if b != 0.0)


def _registered_name(activation: Any) -> Optional[str]:
    """The registry name if ``activation`` designates a registered activation, else None."""
    if isinstance(activation, str):
        return check_choice("activation", activation, ACTIVATIONS)
    if isinstance(activation, Activation) and _REGISTRY.get(activation.name) is activation:
        return activation.name
    return None


def _as_function(activation: Any) -> Fn:
    if isinstance(activation, Activation):
        return activation.fn
    if not callable(activation):
        raise TypeError(
            f"activation must be one of {sorted(ACTIVATIONS)} or a callable, "
            f"got {type(activation).__name__}"
        )
    return check_vectorized_callable("activation", activation)


# ---------------------------------------------------------------------------------------------
# Hermite polynomials
# ---------------------------------------------------------------------------------------------
def hermite_polynomials(degree: int, x: ArrayLike) -> np.ndarray:
    """Normalized probabilists' Hermite polynomials ``h_0..h_degree`` at ``x``.

    ``h_k = He_k / sqrt(k!)`` is orthonormal in ``L^2(N(0, 1))``; computed by the stable
    three-term recurrence ``sqrt(k + 1) h_{k+1}(x) = x h_k(x) - sqrt(k) h_{k-1}(x)``.

    Parameters
    ----------
    degree
        Highest degree, an integer in ``[0, 50]``.
    x
        Points (any shape, finite reals).

    Returns
    -------
    numpy.ndarray
        Shape ``(degree + 1,) + x.shape``; entry ``k`` is ``h_k(x)``.

    References
    ----------
    Chapter ``06_hermite``.
    """
    degree = check_int("degree", degree, low=0, high=MAX_DEGREE)
    return _hermite_values(degree, check_array("x", x))


def _hermite_values(degree: int, x: np.ndarray) -> np.ndarray:
    """Core of :func:`hermite_polynomials` without validation or degree cap (the Mehler series of
    :mod:`rmtbook.kernels` goes to degree 372): shape ``(degree + 1,) + x.shape``."""
    out = np.empty((degree + 1,) + x.shape)
    out[0] = 1.0
    if degree >= 1:
        out[1] = x
    for k in range(1, degree):  # loop over degrees, vectorized over points
        out[k + 1] = (x * out[k] - math.sqrt(k) * out[k - 1]) / math.sqrt(k + 1)
    return out


def hermite_polynomial(k: int, x: ArrayLike) -> np.ndarray:
    """Normalized probabilists' Hermite polynomial ``h_k(x) = He_k(x) / sqrt(k!)``.

    Parameters
    ----------
    k
        Degree, an integer in ``[0, 50]``.
    x
        Points (any shape).

    Returns
    -------
    numpy.ndarray
        ``h_k(x)`` with the shape of ``x``.

    Examples
    --------
    ``hermite_polynomial(2, x) == (x**2 - 1) / sqrt(2)``.

    References
    ----------
    Chapter ``06_hermite``.
    """
    k = check_int("k", k, low=0, high=MAX_DEGREE)
    return hermite_polynomials(k, x)[k]


def hermite_series(coefficients: ArrayLike, x: ArrayLike) -> np.ndarray:
    """Evaluate the truncated expansion ``sum_k a_k h_k(x)``.

    Parameters
    ----------
    coefficients
        ``a_0..a_K`` (one-dimensional, at most 51 entries), e.g. from
        :func:`hermite_coefficients`.
    x
        Points (any shape).

    Returns
    -------
    numpy.ndarray
        The series at ``x``, with the shape of ``x``.

    References
    ----------
    Chapter ``06_hermite`` (the explorer plots an activation against this series).
    """
    a = check_array("coefficients", coefficients, ndim=1)
    if a.size > MAX_DEGREE + 1:
        raise ValueError(f"coefficients must have at most {MAX_DEGREE + 1} entries, got {a.size}")
    h = hermite_polynomials(a.size - 1, x)
    return np.tensordot(a, h, axes=1)


# ---------------------------------------------------------------------------------------------
# Coefficients: closed forms
# ---------------------------------------------------------------------------------------------
def _h_at_zero(degree: int) -> np.ndarray:
    """``h_m(0)`` for ``m = 0..degree``: ``(-1)^{m/2} (m-1)!! / sqrt(m!)`` for even m, 0 odd."""
    out = np.zeros(degree + 1)
    out[0] = 1.0
    for m in range(2, degree + 1, 2):
        out[m] = -math.sqrt((m - 1) / m) * out[m - 2]
    return out


def _closed_form_coefficients(name: str, degree: int) -> Optional[np.ndarray]:
    k = np.arange(degree + 1)
    inv_sqrt_fact = np.exp(-0.5 * special.gammaln(k + 1.0))
    a = np.zeros(degree + 1)
    if name in ("relu", "abs", "sign"):
        # E[relu(xi) He_k] = He_{k-2}(0) phi(0) (k >= 2), E[1{xi>0} He_k] = He_{k-1}(0) phi(0)
        # (k >= 1), by He_k phi = (-1)^k phi^{(k)} and integration by parts on (0, inf).
        h0 = _h_at_zero(degree)
        if name == "sign":
            # sign = 2 * 1{x > 0} - 1: odd coefficients only.
            kk = k[1:]
            a[1:] = 2.0 * h0[kk - 1] / np.sqrt(kk) / _SQRT_2PI
            a[::2] = 0.0
            return a
        a[0] = 1.0 / _SQRT_2PI
        if degree >= 1:
            a[1] = 0.5
        if degree >= 2:
            kk = k[2:]
            a[2:] = h0[kk - 2] / np.sqrt(kk * (kk - 1.0)) / _SQRT_2PI
        if name == "abs":  # abs(x) = relu(x) + relu(-x): a_k (1 + (-1)^k)
            a *= 1.0 + (-1.0) ** k
        return a
    if name in ("cos", "sin", "exp"):
        # E[e^{s xi} He_k(xi)] = s^k e^{s^2 / 2}; s = i gives cos (real part), sin (imaginary).
        if name == "exp":
            return math.exp(0.5) * inv_sqrt_fact
        phase = np.array([1.0, 0.0, -1.0, 0.0])[k % 4] if name == "cos" else np.array(
            [0.0, 1.0, 0.0, -1.0]
        )[k % 4]
        return math.exp(-0.5) * phase * inv_sqrt_fact
    if name == "square":  # x^2 = He_2 + He_0
        a[0] = 1.0
        if degree >= 2:
            a[2] = math.sqrt(2.0)
        return a
    if name == "linear":
        if degree >= 1:
            a[1] = 1.0
        return a
    if name == "erf":
        # Stein: E[erf He_k] = E[erf^{(k)}] = (2/sqrt(pi)) E[e^{-xi^2} He_{k-1}(xi)], and
        # E[e^{-xi^2} He_m(xi)] = 3^{-1/2} E[He_m(xi / sqrt 3)] = 3^{-1/2} (m-1)!! (-2/3)^{m/2}.
        kk = k[1::2]  # odd k, m = k - 1 even
        m = kk - 1
        log_mag = (
            math.log(2.0 / math.sqrt(3.0 * math.pi))
            - 0.5 * m * math.log(3.0)
            + special.gammaln(m + 1.0)
            - special.gammaln(m / 2.0 + 1.0)
            - 0.5 * special.gammaln(kk + 1.0)
        )
        a[1::2] = (-1.0) ** (m // 2) * np.exp(log_mag)
        return a
    return None


_CLOSED_FORM_NU = {
    "relu": 0.5,
    "abs": 1.0,
    "sign": 1.0,
    "erf": 2.0 / math.pi * math.asin(2.0 / 3.0),
    "cos": 0.5 * (1.0 + math.exp(-2.0)),
    "sin": 0.5 * (1.0 - math.exp(-2.0)),
    "exp": math.exp(2.0),
    "square": 3.0,
    "linear": 1.0,
}


# ---------------------------------------------------------------------------------------------
# Coefficients: quadrature
# ---------------------------------------------------------------------------------------------
def _all_breakpoints(activation: Any, breakpoints: Sequence[float]) -> tuple[float, ...]:
    """The user's ``breakpoints`` and those carried by an :class:`Activation`."""
    own = activation.breakpoints if isinstance(activation, Activation) else ()
    return tuple(own) + _check_breakpoints(breakpoints)


def _breakpoints(breakpoints: Sequence[float]) -> np.ndarray:
    if breakpoints is None or len(breakpoints) == 0:
        extra = np.empty(0)
    else:
        extra = check_array("breakpoints", breakpoints, ndim=1)
    pts = np.concatenate(([-_CUTOFF, _CUTOFF], _DEFAULT_POINTS, extra))
    pts = np.unique(pts[(pts >= -_CUTOFF) & (pts <= _CUTOFF)])
    return pts


def _gaussian_quadrature(integrand: Callable[[float], np.ndarray], points: np.ndarray) -> np.ndarray:
    """``int integrand(x) dx`` over ``[-40, 40]``, adaptively, piece by piece between points.

    ``integrand`` already contains the Gaussian density; the mass outside ``[-40, 40]`` is
    below ``e^{-800}``, far below double precision.
    """
    total = 0.0
    for lo, hi in zip(points[:-1], points[1:]):
        value, _ = integrate.quad_vec(
            integrand, lo, hi, epsabs=1e-14, epsrel=1e-13, norm="max", limit=2000
        )
        total = total + value
    return np.asarray(total, dtype=float)


def _safe_values(fn: Fn, x: float) -> float:
    value = np.asarray(fn(np.asarray(x, dtype=float)), dtype=float)
    if value.size != 1:
        raise ValueError(
            f"activation must map a scalar to a scalar (vectorized elementwise), "
            f"got output of shape {value.shape}"
        )
    return float(value.reshape(()))


def _quadrature_coefficients(fn: Fn, degree: int, points: np.ndarray) -> np.ndarray:
    def integrand(x: float) -> np.ndarray:
        w = math.exp(-0.5 * x * x) / _SQRT_2PI
        if w == 0.0:
            return np.zeros(degree + 1)
        h = np.empty(degree + 1)
        h[0] = 1.0
        if degree >= 1:
            h[1] = x
        for k in range(1, degree):
            h[k + 1] = (x * h[k] - math.sqrt(k) * h[k - 1]) / math.sqrt(k + 1)
        return _safe_values(fn, x) * w * h

    with np.errstate(over="raise", invalid="raise"):
        try:
            a = _gaussian_quadrature(integrand, points)
        except FloatingPointError as exc:
            raise ValueError(
                "activation overflowed or returned NaN on [-40, 40]; it must be square "
                "integrable against the standard Gaussian and finite on [-40, 40]"
            ) from exc
    if not np.all(np.isfinite(a)):
        raise ValueError("activation must be finite on [-40, 40]; the quadrature returned non-finite values")
    return a


def _quadrature_second_moment(fn: Fn, points: np.ndarray) -> float:
    def integrand(x: float) -> np.ndarray:
        w = math.exp(-0.5 * x * x) / _SQRT_2PI
        if w == 0.0:
            return np.zeros(1)
        v = _safe_values(fn, x)
        return np.array([v * v * w])

    with np.errstate(over="raise", invalid="raise"):
        try:
            nu = float(_gaussian_quadrature(integrand, points)[0])
        except FloatingPointError as exc:
            raise ValueError(
                "activation overflowed or returned NaN on [-40, 40]; it must be square "
                "integrable against the standard Gaussian and finite on [-40, 40]"
            ) from exc
    if not math.isfinite(nu):
        raise ValueError("activation must be finite on [-40, 40]; the quadrature returned non-finite values")
    return nu


@functools.lru_cache(maxsize=64)
def _named_coefficients(name: str, degree: int) -> np.ndarray:
    a = _closed_form_coefficients(name, degree)
    if a is None:
        a = _quadrature_coefficients(_REGISTRY[name].fn, degree, _breakpoints(()))
    a.setflags(write=False)
    return a


@functools.lru_cache(maxsize=64)
def _named_second_moment(name: str) -> float:
    if name in _CLOSED_FORM_NU:
        return _CLOSED_FORM_NU[name]
    return _quadrature_second_moment(_REGISTRY[name].fn, _breakpoints(()))


def hermite_coefficients(
    activation: Union[str, Callable[..., Any], Activation],
    degree: int = 4,
    *,
    breakpoints: Sequence[float] = (),
) -> np.ndarray:
    """Normalized Hermite coefficients ``a_0..a_degree`` of an activation.

    ``a_k = E[phi(xi) He_k(xi)] / sqrt(k!)`` for ``xi ~ N(0, 1)``, with ``He_k`` the
    probabilists' Hermite polynomials; ``phi = sum_k a_k He_k / sqrt(k!)`` in
    ``L^2(N(0, 1))``.

    Parameters
    ----------
    activation
        A name from :data:`ACTIVATIONS`, an :class:`Activation`, or a vectorized callable.
    degree
        Highest degree, an integer in ``[0, 50]``.
    breakpoints
        For callables: points in ``[-40, 40]`` where the activation has a kink or a jump
        (0 and a few fixed points are always used). Not needed for accuracy, only speed.

    Returns
    -------
    numpy.ndarray
        The ``degree + 1`` coefficients (a fresh, writable array).

    Notes
    -----
    Closed forms (exact to rounding): ``relu`` (``a_0 = 1/sqrt(2 pi)``, ``a_1 = 1/2``,
    ``a_k = He_{k-2}(0) / sqrt(2 pi k!)`` for ``k >= 2``), ``abs``, ``sign``, ``erf``
    (``a_k = 0`` for even k and ``a_k = 2 (-1)^{(k-1)/2} (k-2)!! / (sqrt(3 pi) 3^{(k-1)/2} sqrt(k!))``
    for odd k, so ``a_1 = 2 / sqrt(3 pi)``), ``cos``, ``sin``, ``exp``
    (``a_k = e^{1/2} / sqrt(k!)``), ``square``, ``linear``. Otherwise, adaptive Gauss-Kronrod
    quadrature (:func:`scipy.integrate.quad_vec`, all degrees at once) of
    ``phi(x) h_k(x) e^{-x^2/2} / sqrt(2 pi)`` on ``[-40, 40]`` split at 0, at
    ``+-5, +-10, +-20`` and at the user's ``breakpoints``: absolute error about ``1e-13`` for
    named activations and for callables with kinks or jumps at the split points (``np.sign``,
    leaky ReLU); a jump elsewhere converges more slowly but adaptively (error ``< 1e-9``).
    Results for names are cached.

    Raises
    ------
    ValueError
        Unknown name; degree outside ``[0, 50]``; an activation that overflows or returns NaN.
    TypeError
        ``activation`` neither a string nor a callable; non-integer ``degree``.

    References
    ----------
    Chapter ``06_hermite``; Liao & Mahoney (2025, ``liao2025rmtdl``), high-dimensional
    linearization; Couillet & Liao (2022, ``couillet2022rmt``).
    """
    degree = check_int("degree", degree, low=0, high=MAX_DEGREE)
    _check_breakpoints(breakpoints)  # validated even where a closed form makes them unused
    name = _registered_name(activation)
    if name is not None:
        return np.array(_named_coefficients(name, degree))
    fn = _as_function(activation)
    return _quadrature_coefficients(fn, degree, _breakpoints(_all_breakpoints(activation, breakpoints)))


def second_moment(
    activation: Union[str, Callable[..., Any], Activation],
    *,
    breakpoints: Sequence[float] = (),
) -> float:
    """Gaussian second moment ``nu = E[phi(xi)^2]``, ``xi ~ N(0, 1)``.

    By Parseval, ``nu = sum_k a_k^2``; ``nu - a_0^2 - a_1^2`` is the nonlinear ("noise") part
    that reappears in the linearization of kernel and random feature matrices.

    Parameters
    ----------
    activation
        A name from :data:`ACTIVATIONS`, an :class:`Activation`, or a vectorized callable.
    breakpoints
        For callables: extra split points for the quadrature (see
        :func:`hermite_coefficients`).

    Returns
    -------
    float
        ``nu``. Closed forms for ``relu`` (1/2), ``abs``, ``sign`` (1), ``erf``
        (``(2/pi) arcsin(2/3)``), ``cos`` (``(1 + e^{-2})/2``), ``sin`` (``(1 - e^{-2})/2``),
        ``exp`` (``e^2``), ``square`` (3), ``linear`` (1); adaptive quadrature otherwise.

    References
    ----------
    Chapter ``06_hermite``.
    """
    _check_breakpoints(breakpoints)  # validated even where a closed form makes them unused
    name = _registered_name(activation)
    if name is not None:
        return float(_named_second_moment(name))
    return _quadrature_second_moment(_as_function(activation), _breakpoints(_all_breakpoints(activation, breakpoints)))


# ---------------------------------------------------------------------------------------------
# Mehler's formula
# ---------------------------------------------------------------------------------------------
def mehler_kernel(
    activation: Union[str, Callable[..., Any], Activation],
    rho: ArrayLike,
    degree: int = 30,
    *,
    other: Union[None, str, Callable[..., Any], Activation] = None,
) -> np.ndarray:
    """Truncated Mehler series ``sum_{k <= degree} a_k b_k rho^k``.

    For standard Gaussians ``(u, v)`` with correlation ``rho``, Mehler's formula gives
    ``E[phi(u) psi(v)] = sum_k a_k(phi) a_k(psi) rho^k``; with ``psi = phi`` the series is
    ``sum_k a_k^2 rho^k``, which equals ``nu`` at ``rho = 1``. The truncation error is at most
    ``sqrt(sum_{k > degree} a_k^2) sqrt(sum_{k > degree} b_k^2) |rho|^{degree + 1}``.
    (General variances and covariances: :mod:`rmtbook.kernels`.)

    Parameters
    ----------
    activation
        ``phi``: a name from :data:`ACTIVATIONS`, an :class:`Activation` or a callable.
    rho
        Correlations in ``[-1, 1]`` (any shape).
    degree
        Truncation degree in ``[0, 50]``.
    other
        ``psi`` (defaults to ``phi``).

    Returns
    -------
    numpy.ndarray
        The series at each ``rho`` (shape of ``rho``).

    References
    ----------
    Mehler (1866, ``mehler1866ueber``); chapter ``06_hermite``.
    """
    rho = check_array("rho", rho, low=-1.0, high=1.0)
    a = hermite_coefficients(activation, degree)
    if other is not None and callable(other) and not isinstance(other, Activation):
        check_vectorized_callable("other", other)
    if other is not None and not (isinstance(other, (str, Activation)) or callable(other)):
        raise TypeError(f"other must be None, an activation name or a callable, got {type(other).__name__}")
    if isinstance(other, str) and other.lower() not in ACTIVATIONS:
        raise ValueError(f"unknown other {other!r}; valid values are {sorted(ACTIVATIONS)}")
    b = a if other is None else hermite_coefficients(other, degree)
    powers = rho[None, ...] ** np.arange(degree + 1).reshape((-1,) + (1,) * rho.ndim)
    return np.tensordot(a * b, powers, axes=1)


# ---------------------------------------------------------------------------------------------
# Monte Carlo
# ---------------------------------------------------------------------------------------------
class MonteCarloCoefficients(NamedTuple):
    """Monte Carlo estimates of ``a_0..a_K`` and their standard errors."""

    coefficients: np.ndarray
    standard_errors: np.ndarray


def _mc_samples(num_samples: int, rng: RngLike) -> np.ndarray:
    num_samples = check_int("num_samples", num_samples, low=2)
    return as_generator(rng).standard_normal(num_samples)


def _values_at_samples(fn: Fn, xi: np.ndarray) -> np.ndarray:
    message = "activation must be vectorized and finite at Gaussian samples"
    with np.errstate(over="raise", invalid="raise"):
        try:
            values = np.asarray(fn(xi), dtype=float)
        except FloatingPointError as exc:
            raise ValueError(message + " (it overflowed or returned NaN)") from exc
    if values.shape != xi.shape or not np.all(np.isfinite(values)):
        raise ValueError(message)
    return values


def monte_carlo_coefficients(
    activation: Union[str, Callable[..., Any], Activation],
    degree: int,
    num_samples: int,
    rng: RngLike = None,
) -> MonteCarloCoefficients:
    """Monte Carlo estimates of the Hermite coefficients with standard errors.

    Draws ``xi_1..xi_N ~ N(0, 1)`` and returns the sample means of ``phi(xi) h_k(xi)`` and
    their standard errors ``std / sqrt(N)`` (``ddof = 1``): the estimate of ``a_k`` is within a
    few standard errors of ``a_k`` (central limit theorem, fluctuations ``O(N^{-1/2})``).

    Parameters
    ----------
    activation
        A name from :data:`ACTIVATIONS`, an :class:`Activation`, or a vectorized callable.
    degree
        Highest degree, an integer in ``[0, 50]``.
    num_samples
        Number of Gaussian draws ``N >= 2``.
    rng
        ``None``, a seed or a :class:`numpy.random.Generator`.

    Returns
    -------
    MonteCarloCoefficients
        ``(coefficients, standard_errors)``, each of length ``degree + 1``.

    References
    ----------
    Chapter ``06_hermite`` (validation table).
    """
    degree = check_int("degree", degree, low=0, high=MAX_DEGREE)
    fn = get_activation(activation).fn
    xi = _mc_samples(num_samples, rng)
    values = _values_at_samples(fn, xi)
    est = np.empty(degree + 1)
    se = np.empty(degree + 1)
    n = xi.size
    h_prev, h = np.zeros_like(xi), np.ones_like(xi)
    for k in range(degree + 1):  # one degree at a time: memory O(N), not O(N degree)
        prod = values * h
        est[k] = prod.mean()
        se[k] = prod.std(ddof=1) / math.sqrt(n)
        h_prev, h = h, (xi * h - math.sqrt(k) * h_prev) / math.sqrt(k + 1)
    return MonteCarloCoefficients(est, se)


def monte_carlo_second_moment(
    activation: Union[str, Callable[..., Any], Activation],
    num_samples: int,
    rng: RngLike = None,
) -> tuple[float, float]:
    """Monte Carlo estimate of ``nu = E[phi(xi)^2]`` and its standard error.

    Parameters
    ----------
    activation
        A name from :data:`ACTIVATIONS`, an :class:`Activation`, or a vectorized callable.
    num_samples
        Number of Gaussian draws ``N >= 2``.
    rng
        ``None``, a seed or a :class:`numpy.random.Generator`.

    Returns
    -------
    tuple of float
        ``(estimate, standard_error)``.

    References
    ----------
    Chapter ``06_hermite``.
    """
    fn = get_activation(activation).fn
    xi = _mc_samples(num_samples, rng)
    values = _values_at_samples(fn, xi)
    sq = values**2
    return float(sq.mean()), float(sq.std(ddof=1) / math.sqrt(xi.size))
