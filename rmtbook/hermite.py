"""Gaussian analysis of activations: Hermite coefficients, Stein's lemma and Mehler's formula.

An activation ``phi`` with ``E[phi(xi)^2] < inf`` for ``xi ~ N(0, 1)`` expands in the
orthonormal basis of normalized probabilists' Hermite polynomials
``h_k = He_k / sqrt(k!)`` of ``L^2(N(0, 1))``:

    phi = sum_k a_k h_k,    a_k = E[phi(xi) He_k(xi)] / sqrt(k!),    nu = E[phi(xi)^2] = sum_k a_k^2.

This module computes the ``a_k`` and ``nu``, at any variance of the Gaussian argument (closed
forms where they exist, otherwise the adaptive composite Gauss-Legendre rule of
:mod:`rmtbook._quadrature`), Monte Carlo estimates of them with standard errors, the truncated Mehler series
``sum_k a_k^2 rho^k = E[phi(u) phi(v)]`` for standard Gaussians ``(u, v)`` with correlation
``rho``, and the registry of named activations (with derivatives) used across the package.

Layer 2 of the package: imports only the shared toolkits (:mod:`rmtbook._quadrature`,
:mod:`rmtbook._validation`, :mod:`rmtbook._rng`, :mod:`rmtbook._typing`).
Used in :doc:`/chapters/06_hermite` and, through the registry, in the kernel, random
feature and deep network chapters.

References
----------
- C. M. Stein, "Estimation of the mean of a multivariate normal distribution",
  Ann. Statist. 9 (1981) :cite:p:`stein1981estimation`.
- F. G. Mehler, "Ueber die Entwicklung einer Function von beliebig vielen
  Variablen nach Laplaceschen Functionen hoeherer Ordnung", J. reine angew. Math. 66 (1866)
  :cite:p:`mehler1866ueber`.
- Z. Liao and M. W. Mahoney, "Random Matrix Theory for Deep Learning: Beyond
  Eigenvalues of Linear Models", arXiv 2506.13139 :cite:p:`liao2025rmtdl`.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Optional

import numpy as np
from scipy import special

from ._quadrature import gaussian_hermite_moments, hermite_rows, hermite_table, mehler_sum
from ._rng import RngLike, as_generator
from ._typing import Activation as ActivationLike  # a name or a callable (an Activation is one)
from ._typing import ArrayLike
from ._validation import check_array, check_choice, check_int, check_scalar, check_vectorized_callable

__all__ = [
    "ACTIVATIONS",
    "MAX_DEGREE",
    "Activation",
    "MonteCarloCoefficients",
    "MonteCarloEstimate",
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
_SQRT_2PI = math.sqrt(2.0 * math.pi)

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
    activation: ActivationLike,
    *,
    derivative: Optional[Fn] = None,
    breakpoints: Sequence[float] = (),
) -> Activation:
    """Look up a named activation (or wrap a callable) with its derivatives.

    Parameters
    ----------
    activation : str, callable or Activation
        One of :data:`ACTIVATIONS` (case-insensitive), an :class:`Activation` (returned as is)
        or a vectorized callable ``phi(x)``.
    derivative : callable, optional
        For a callable: its derivative. If omitted, a central finite difference is used
        (see :class:`Activation`). Ignored for names.
    breakpoints : sequence of float
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
    Used in :doc:`/chapters/06_hermite`, :doc:`/chapters/07_kernels`, :doc:`/chapters/08_random_features`,
    ``09_deep_conjugate_kernels`` and ``10_ntk``.

    Examples
    --------
    >>> import numpy as np
    >>> from rmtbook import get_activation
    >>> act = get_activation("tanh")
    >>> float(act(0.5)), float(act.derivative(0.0))
    (0.46211715726000974, 1.0)
    >>> hard_tanh = get_activation(lambda x: np.clip(x, -1, 1), breakpoints=(-1, 1))
    >>> hard_tanh.breakpoints
    (-1.0, 1.0)
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


def _registered_name(activation: object) -> Optional[str]:
    """The registry name if ``activation`` designates a registered activation, else None."""
    if isinstance(activation, str):
        return check_choice("activation", activation, ACTIVATIONS)
    if isinstance(activation, Activation) and _REGISTRY.get(activation.name) is activation:
        return activation.name
    return None


def _as_function(activation: object) -> Fn:
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
    degree : int
        Highest degree, an integer in ``[0, 50]``.
    x : array_like
        Points (any shape, finite reals).

    Returns
    -------
    numpy.ndarray
        Shape ``(degree + 1,) + x.shape``; entry ``k`` is ``h_k(x)``.

    References
    ----------
    :doc:`/chapters/06_hermite`.

    Examples
    --------
    >>> from rmtbook import hermite_polynomials
    >>> hermite_polynomials(3, 1.0)  # h_0..h_3 at 1: 1, 1, 0, -2/sqrt(6)
    array([ 1.        ,  1.        ,  0.        , -0.81649658])
    """
    degree = check_int("degree", degree, low=0, high=MAX_DEGREE)
    return hermite_table(degree, check_array("x", x))


def hermite_polynomial(k: int, x: ArrayLike) -> np.ndarray:
    """Normalized probabilists' Hermite polynomial ``h_k(x) = He_k(x) / sqrt(k!)``.

    Parameters
    ----------
    k : int
        Degree, an integer in ``[0, 50]``.
    x : array_like
        Points (any shape).

    Returns
    -------
    numpy.ndarray
        ``h_k(x)`` with the shape of ``x``.

    Examples
    --------
    >>> import numpy as np
    >>> from rmtbook import hermite_polynomial
    >>> x = np.array([0.0, 1.0, 2.0])
    >>> bool(np.allclose(hermite_polynomial(2, x), (x**2 - 1) / np.sqrt(2)))
    True

    References
    ----------
    :doc:`/chapters/06_hermite`.
    """
    k = check_int("k", k, low=0, high=MAX_DEGREE)
    return hermite_polynomials(k, x)[k]


def hermite_series(coefficients: ArrayLike, x: ArrayLike) -> np.ndarray:
    """Evaluate the truncated expansion ``sum_k a_k h_k(x)``.

    Parameters
    ----------
    coefficients : array_like
        ``a_0..a_K`` (one-dimensional, at most 51 entries), e.g. from
        :func:`hermite_coefficients`.
    x : array_like
        Points (any shape).

    Returns
    -------
    numpy.ndarray
        The series at ``x``, with the shape of ``x``.

    References
    ----------
    :doc:`/chapters/06_hermite` (the explorer plots an activation against this series).

    Examples
    --------
    >>> from rmtbook import hermite_coefficients, hermite_series
    >>> float(hermite_series(hermite_coefficients("square", 2), 3.0))  # x^2 = h_0 + sqrt(2) h_2
    9.0
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


def _homogeneous_coefficients(name: str, degree: int) -> np.ndarray:
    """``a_0..a_degree`` at variance 1 of the positively homogeneous names (see :data:`_HOMOGENEOUS`)."""
    k = np.arange(degree + 1)
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
    if name == "square":  # x^2 = He_2 + He_0
        a[0] = 1.0
        if degree >= 2:
            a[2] = math.sqrt(2.0)
        return a
    if name == "linear":
        if degree >= 1:
            a[1] = 1.0
        return a
    raise KeyError(name)  # pragma: no cover - guarded by _HOMOGENEOUS


#: Positively homogeneous names, phi(s x) = s^d phi(x) for s > 0, their degree d and nu at var = 1.
_HOMOGENEOUS = {"relu": (1.0, 0.5), "abs": (1.0, 1.0), "sign": (0.0, 1.0), "linear": (1.0, 1.0), "square": (2.0, 3.0)}


def _closed_form_moments(name: str, degree: int, var: float) -> Optional[tuple[np.ndarray, float]]:
    """``(a, nu)`` of ``x -> phi(sqrt(var) x)`` in closed form (``var > 0``), or None.

    Homogeneous names: ``a_k(var) = var^{d/2} a_k(1)``, ``nu(var) = var^d nu(1)``. ``exp``,
    ``cos``, ``sin``: ``E[e^{s xi} He_k(xi)] = s^k e^{s^2/2}`` with ``s = sqrt(var)``, resp.
    ``i sqrt(var)`` (real and imaginary parts). ``erf``: by Stein's lemma ``k`` times,
    ``E[erf(r xi) He_k(xi)] = r^k E[erf^{(k)}(r xi)]``, and the Gaussian integral of
    ``erf^{(k)}(y) = (2 / sqrt(pi)) (-1)^{k-1} H_{k-1}(y) e^{-y^2}`` (physicists' ``H``) gives,
    for odd ``k = m + 1``, ``a_k = (2 / sqrt(pi)) (-1)^{m/2} r^k (1 + 2 r^2)^{-k/2} 2^{m/2}
    (m - 1)!! / sqrt(k!)``; ``nu = (2 / pi) arcsin(2 var / (1 + 2 var))``.
    """
    k = np.arange(degree + 1)
    if name in _HOMOGENEOUS:
        d, nu1 = _HOMOGENEOUS[name]
        if var == 1.0:
            return _homogeneous_coefficients(name, degree), nu1
        return var ** (d / 2) * _homogeneous_coefficients(name, degree), var**d * nu1
    if name in ("exp", "cos", "sin"):
        scaled = np.exp(0.5 * k * math.log(var) - 0.5 * special.gammaln(k + 1.0))  # var^{k/2} / sqrt(k!)
        if name == "exp":
            return math.exp(0.5 * var) * scaled, math.exp(2.0 * var)
        phase = np.array([1.0, 0.0, -1.0, 0.0] if name == "cos" else [0.0, 1.0, 0.0, -1.0])[k % 4]
        sign = 1.0 if name == "cos" else -1.0
        return math.exp(-0.5 * var) * phase * scaled, 0.5 * (1.0 + sign * math.exp(-2.0 * var))
    if name == "erf":
        a = np.zeros(degree + 1)
        kk = k[1::2]  # odd k, m = k - 1 even
        m = kk - 1
        log_mag = (
            math.log(2.0 / math.sqrt(math.pi))
            + 0.5 * kk * (math.log(var) - math.log1p(2.0 * var))
            + special.gammaln(m + 1.0)
            - special.gammaln(m / 2.0 + 1.0)
            - 0.5 * special.gammaln(kk + 1.0)
        )  # m! / (m/2)! = 2^{m/2} (m - 1)!!
        a[1::2] = (-1.0) ** (m // 2) * np.exp(log_mag)
        return a, 2.0 / math.pi * math.asin(2.0 * var / (1.0 + 2.0 * var))
    return None


def _all_breakpoints(activation: ActivationLike, breakpoints: Sequence[float]) -> tuple[float, ...]:
    """The user's ``breakpoints`` and those carried by an :class:`Activation`."""
    own = activation.breakpoints if isinstance(activation, Activation) else ()
    return tuple(own) + _check_breakpoints(breakpoints)


def _quadrature_moments(fn: Fn, degree: int, var: float, breaks: Sequence[float]) -> tuple[np.ndarray, float]:
    """``a_0..a_degree`` and ``nu`` of ``x -> fn(sqrt(var) x)`` by the adaptive panel rule of
    :func:`rmtbook._quadrature.gaussian_hermite_moments` on ``[-40, 40]``."""
    with np.errstate(over="raise", invalid="raise"):
        try:
            coef, same, _ = gaussian_hermite_moments(
                fn, np.array([var]), degree, breaks=tuple(breaks), radius=_CUTOFF, adaptive=True
            )
        except FloatingPointError as exc:
            raise ValueError(
                "activation overflowed or returned NaN on [-40, 40]; it must be square "
                "integrable against the standard Gaussian and finite on [-40, 40]"
            ) from exc
    a, nu = coef[0], float(same[0])
    if not (np.all(np.isfinite(a)) and math.isfinite(nu)):
        raise ValueError("activation must be finite on [-40, 40]; the quadrature returned non-finite values")
    return a, nu


@functools.lru_cache(maxsize=256)
def _named_moments(name: str, degree: int, var: float) -> tuple[np.ndarray, float]:
    closed = _closed_form_moments(name, degree, var)
    a, nu = closed if closed is not None else _quadrature_moments(_REGISTRY[name].fn, degree, var, ())
    a = np.array(a, dtype=float)
    a.setflags(write=False)
    return a, float(nu)


def _moments(activation: ActivationLike, degree: int, var: float, breakpoints: Sequence[float]) -> tuple[np.ndarray, float]:
    """``(a, nu)`` of ``x -> phi(sqrt(var) x)``: closed forms (cached) for names, else quadrature."""
    name = _registered_name(activation)
    if var == 0.0:  # the constant phi(0)
        fn = _REGISTRY[name].fn if name is not None else _as_function(activation)
        phi0 = float(np.asarray(fn(np.zeros(1)), dtype=float).reshape(-1)[0])
        if not math.isfinite(phi0):
            raise ValueError("activation must be finite at 0 (var = 0 gives the constant phi(0))")
        a = np.zeros(degree + 1)
        a[0] = phi0
        return a, phi0**2
    if name is not None:
        if _check_breakpoints(breakpoints):  # the rule of get_activation
            raise ValueError(f"breakpoints are for callables: the kinks of the named activation {name!r} are at 0")
        return _named_moments(name, degree, var)
    fn = _as_function(activation)
    return _quadrature_moments(fn, degree, var, _all_breakpoints(activation, breakpoints))


def _check_var(var: float) -> float:
    return check_scalar("var", var, low=0.0)


def hermite_coefficients(
    activation: ActivationLike,
    degree: int = 4,
    *,
    var: float = 1.0,
    breakpoints: Sequence[float] = (),
) -> np.ndarray:
    """Normalized Hermite coefficients ``a_0..a_degree`` of an activation at variance ``var``.

    ``a_k = E[phi(sqrt(var) xi) He_k(xi)] / sqrt(k!)`` for ``xi ~ N(0, 1)``, with ``He_k`` the
    probabilists' Hermite polynomials: the coefficients of ``x -> phi(sqrt(var) x)``, so that
    ``phi(sqrt(var) x) = sum_k a_k He_k(x) / sqrt(k!)`` in ``L^2(N(0, 1))``.

    Parameters
    ----------
    activation : str, callable or Activation
        A name from :data:`ACTIVATIONS`, an :class:`Activation`, or a vectorized callable.
    degree : int
        Highest degree, an integer in ``[0, 50]``.
    var : float
        Variance of the Gaussian argument, ``>= 0`` (default 1). At ``var = 0`` the function
        is the constant ``phi(0)``: ``a_0 = phi(0)``, the others vanish.
    breakpoints : sequence of float
        For callables: points in ``[-40, 40]`` where the activation has a kink or a jump (0 is
        always a panel edge; giving them with a name is an error, as in :func:`get_activation`). With them the rule converges geometrically at once; without, the
        adaptive bisection finds them (slower, same accuracy).

    Returns
    -------
    numpy.ndarray
        The ``degree + 1`` coefficients (a fresh, writable array).

    Notes
    -----
    Closed forms (exact to rounding), at every ``var``: ``relu`` (at ``var = 1``,
    ``a_0 = 1/sqrt(2 pi)``, ``a_1 = 1/2``, ``a_k = He_{k-2}(0) / sqrt(2 pi k!)`` for ``k >= 2``),
    ``abs``, ``sign``, ``square``, ``linear`` (positively homogeneous of degree d:
    ``a_k(var) = var^{d/2} a_k(1)``), ``erf`` (``a_k = 0`` for even k and, for odd
    ``k = m + 1``, ``a_k = 2 (-1)^{m/2} r^k (1 + 2 r^2)^{-k/2} 2^{m/2} (m-1)!! / sqrt(pi k!)``
    with ``r = sqrt(var)``, so ``a_1 = 2 / sqrt(3 pi)`` at ``var = 1``), ``exp``
    (``a_k = r^k e^{var/2} / sqrt(k!)``), ``cos`` and ``sin`` (the same with ``r -> i r``). Otherwise a
    composite 16-point Gauss-Legendre rule (:mod:`rmtbook._quadrature`) on ``[-40, 40]``
    with panels of width ``min(1/2, 1/sqrt(var))``, edges at 0 and at the declared
    ``breakpoints / sqrt(var)``, each panel bisected until it agrees with its halves to
    ``1e-14`` relative: about ``1e-15`` for smooth and kinked activations alike, ``1e-12``
    for a jump away from the edges. Results for names are cached.

    Raises
    ------
    ValueError
        Unknown name; degree outside ``[0, 50]``; negative or non-finite ``var``; an
        activation that overflows or returns NaN.
    TypeError
        ``activation`` neither a string nor a callable; non-integer ``degree``.

    References
    ----------
    :doc:`/chapters/06_hermite`; Liao & Mahoney :cite:p:`liao2025rmtdl`, high-dimensional
    linearization; Couillet & Liao :cite:p:`couillet2022rmt`.

    Examples
    --------
    >>> import numpy as np
    >>> from rmtbook import hermite_coefficients
    >>> np.round(hermite_coefficients("relu", 2), 6)
    array([0.398942, 0.5     , 0.282095])
    >>> np.round(hermite_coefficients("relu", 2, var=4.0), 6)  # relu(2 x) = 2 relu(x)
    array([0.797885, 1.      , 0.56419 ])
    """
    degree = check_int("degree", degree, low=0, high=MAX_DEGREE)
    _check_breakpoints(breakpoints)  # validated even where a closed form makes them unused
    var = _check_var(var)
    return np.array(_moments(activation, degree, var, breakpoints)[0])


def second_moment(
    activation: ActivationLike,
    *,
    var: float = 1.0,
    breakpoints: Sequence[float] = (),
) -> float:
    """Gaussian second moment ``nu = E[phi(sqrt(var) xi)^2]``, ``xi ~ N(0, 1)``.

    By Parseval, ``nu = sum_k a_k^2``; ``nu - a_0^2 - a_1^2`` is the nonlinear ("noise") part
    that reappears in the linearization of kernel and random feature matrices.

    Parameters
    ----------
    activation : str, callable or Activation
        A name from :data:`ACTIVATIONS`, an :class:`Activation`, or a vectorized callable.
    var : float
        Variance of the Gaussian argument, ``>= 0`` (default 1).
    breakpoints : sequence of float
        For callables: kinks or jumps (see :func:`hermite_coefficients`).

    Returns
    -------
    float
        ``nu``. Closed forms for the names listed in :func:`hermite_coefficients`; at
        ``var = 1``: ``relu`` (1/2), ``abs``, ``sign`` (1), ``erf`` (``(2/pi) arcsin(2/3)``),
        ``cos`` (``(1 + e^{-2})/2``), ``sin`` (``(1 - e^{-2})/2``), ``exp`` (``e^2``),
        ``square`` (3), ``linear`` (1). The same quadrature otherwise.

    References
    ----------
    :doc:`/chapters/06_hermite`.

    Examples
    --------
    >>> from rmtbook import second_moment
    >>> second_moment("relu"), second_moment("relu", var=2.0)
    (0.5, 1.0)
    """
    _check_breakpoints(breakpoints)  # validated even where a closed form makes them unused
    var = _check_var(var)
    return float(_moments(activation, 0, var, breakpoints)[1])


# ---------------------------------------------------------------------------------------------
# Mehler's formula
# ---------------------------------------------------------------------------------------------
def mehler_kernel(
    activation: ActivationLike,
    rho: ArrayLike,
    degree: int = 30,
    *,
    other: Optional[ActivationLike] = None,
) -> np.ndarray:
    """Truncated Mehler series ``sum_{k <= degree} a_k b_k rho^k``.

    For standard Gaussians ``(u, v)`` with correlation ``rho``, Mehler's formula gives
    ``E[phi(u) psi(v)] = sum_k a_k(phi) a_k(psi) rho^k``; with ``psi = phi`` the series is
    ``sum_k a_k^2 rho^k``, which equals ``nu`` at ``rho = 1``. The truncation error is at most
    ``sqrt(sum_{k > degree} a_k^2) sqrt(sum_{k > degree} b_k^2) |rho|^{degree + 1}``.
    (General variances and covariances: :mod:`rmtbook.kernels`.)

    Parameters
    ----------
    activation : str, callable or Activation
        ``phi``: a name from :data:`ACTIVATIONS`, an :class:`Activation` or a callable.
    rho : array_like
        Correlations in ``[-1, 1]`` (any shape).
    degree : int
        Truncation degree in ``[0, 50]``.
    other : str, callable, Activation or None
        ``psi`` (defaults to ``phi``).

    Returns
    -------
    numpy.ndarray
        The series at each ``rho`` (shape of ``rho``).

    References
    ----------
    Mehler :cite:p:`mehler1866ueber`; :doc:`/chapters/06_hermite`.

    Examples
    --------
    >>> from rmtbook import mehler_kernel
    >>> float(mehler_kernel("linear", 0.3, degree=5))  # E[u v] = rho
    0.3
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
    return mehler_sum(a, b, rho)


# ---------------------------------------------------------------------------------------------
# Monte Carlo
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class MonteCarloCoefficients:
    """Monte Carlo estimates of ``a_0..a_K`` and their standard errors.

    Attributes
    ----------
    coefficients : numpy.ndarray
        Sample means of ``phi(xi) h_k(xi)``, length ``K + 1``.
    standard_errors : numpy.ndarray
        Their standard errors ``std / sqrt(N)``.
    """

    coefficients: np.ndarray
    standard_errors: np.ndarray


@dataclass(frozen=True)
class MonteCarloEstimate:
    """A Monte Carlo estimate and its standard error (both floats).

    Attributes
    ----------
    estimate : float
        The sample mean.
    standard_error : float
        ``std / sqrt(N)`` (``ddof = 1``).
    """

    estimate: float
    standard_error: float


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
    activation: ActivationLike,
    degree: int,
    num_samples: int,
    *,
    rng: RngLike = None,
) -> MonteCarloCoefficients:
    """Monte Carlo estimates of the Hermite coefficients with standard errors.

    Draws ``xi_1..xi_N ~ N(0, 1)`` and returns the sample means of ``phi(xi) h_k(xi)`` and
    their standard errors ``std / sqrt(N)`` (``ddof = 1``): the estimate of ``a_k`` is within a
    few standard errors of ``a_k`` (central limit theorem, fluctuations ``O(N^{-1/2})``).

    Parameters
    ----------
    activation : str, callable or Activation
        A name from :data:`ACTIVATIONS`, an :class:`Activation`, or a vectorized callable.
    degree : int
        Highest degree, an integer in ``[0, 50]``.
    num_samples : int
        Number of Gaussian draws ``N >= 2``.
    rng : None, int or numpy.random.Generator
        Keyword-only: ``None``, a seed or a Generator.

    Returns
    -------
    MonteCarloCoefficients
        ``coefficients`` and ``standard_errors``, each of length ``degree + 1``.

    References
    ----------
    :doc:`/chapters/06_hermite` (validation table).

    Examples
    --------
    >>> from rmtbook import monte_carlo_coefficients
    >>> mc = monte_carlo_coefficients("relu", 1, 100_000, rng=0)
    >>> bool(abs(mc.coefficients[1] - 0.5) < 4 * mc.standard_errors[1])
    True
    """
    degree = check_int("degree", degree, low=0, high=MAX_DEGREE)
    fn = get_activation(activation).fn
    xi = _mc_samples(num_samples, rng)
    values = _values_at_samples(fn, xi)
    est = np.empty(degree + 1)
    se = np.empty(degree + 1)
    n = xi.size
    for k, h in enumerate(hermite_rows(degree, xi)):  # one degree at a time: memory O(N)
        prod = values * h
        est[k] = prod.mean()
        se[k] = prod.std(ddof=1) / math.sqrt(n)
    return MonteCarloCoefficients(est, se)


def monte_carlo_second_moment(
    activation: ActivationLike,
    num_samples: int,
    *,
    rng: RngLike = None,
) -> MonteCarloEstimate:
    """Monte Carlo estimate of ``nu = E[phi(xi)^2]`` and its standard error.

    Parameters
    ----------
    activation : str, callable or Activation
        A name from :data:`ACTIVATIONS`, an :class:`Activation`, or a vectorized callable.
    num_samples : int
        Number of Gaussian draws ``N >= 2``.
    rng : None, int or numpy.random.Generator
        Keyword-only: ``None``, a seed or a Generator.

    Returns
    -------
    MonteCarloEstimate
        ``estimate`` and ``standard_error``.

    References
    ----------
    :doc:`/chapters/06_hermite`.

    Examples
    --------
    >>> from rmtbook import monte_carlo_second_moment
    >>> mc = monte_carlo_second_moment("relu", 100_000, rng=0)
    >>> bool(abs(mc.estimate - 0.5) < 4 * mc.standard_error)
    True
    """
    fn = get_activation(activation).fn
    xi = _mc_samples(num_samples, rng)
    values = _values_at_samples(fn, xi)
    sq = values**2
    return MonteCarloEstimate(float(sq.mean()), float(sq.std(ddof=1) / math.sqrt(xi.size)))
