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

This is layer 3 of the package: it imports :mod:`rmtbook.hermite` (Hermite coefficients and the
activation table). Used in the chapter *Linear equivalents of nonlinear kernel matrices*
(chapters/07_kernels.md) and, through :mod:`rmtbook.deep`, in chapters 9 and 10.

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
one-dimensional Gauss-Legendre rule (a matrix product with a table of Hermite polynomials;
declared breaks handled panel by panel), and the entries with abs(rho) <= 0.9 are Mehler's
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
from typing import Any, NamedTuple

import numpy as np
from scipy import fft as _fft

from . import hermite as _hermite
from ._rng import RngLike, as_generator
from ._validation import check_array, check_bool, check_data_scale, check_int, check_scalar, check_vectorized_callable

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
CLOSED_FORM_ACTIVATIONS: tuple[str, ...] = (
    "relu", "abs", "sign", "erf", "linear", "square", "cos", "sin", "exp",
)

#: Positively homogeneous activations phi(s x) = s^d phi(x) (s > 0) and their degree d.
_HOMOGENEOUS: dict[str, float] = {"relu": 1.0, "abs": 1.0, "sign": 0.0, "linear": 1.0, "square": 2.0}

_SQRT2PI = np.sqrt(2.0 * np.pi)
_DEFAULT_ORDER: int | None = None  # automatic, see _auto_orders
_CHUNK = 2_000_000  # number of integrand evaluations per vectorized block of the quadrature


# ---------------------------------------------------------------------------------------------
# activations
# ---------------------------------------------------------------------------------------------
class _Activation(NamedTuple):
    """An activation resolved once: its name (``None`` for a callable), phi, phi' and phi''."""

    key: str | None
    phi: Callable[[np.ndarray], np.ndarray]
    dphi: Callable[[np.ndarray], np.ndarray]
    d2phi: Callable[[np.ndarray], np.ndarray] | None
    breaks: tuple[float, ...] = ()  # kinks or jumps away from 0 (Activation.breakpoints)


def _resolve(activation: Any, name: str = "activation") -> _Activation:
    """Turn a name or a callable into an :class:`_Activation` through :func:`rmtbook.get_activation`."""
    if isinstance(activation, _Activation):
        return activation
    if isinstance(activation, str):
        key = activation.lower()
        if key not in _hermite.ACTIVATIONS:
            raise ValueError(
                f"unknown {name} {activation!r}; valid names are {sorted(_hermite.ACTIVATIONS)} or a callable"
            )
    elif isinstance(activation, _hermite.Activation):
        key = None
        if _hermite._REGISTRY.get(activation.name) is not activation:
            check_vectorized_callable(name, activation.fn)
    elif callable(activation):
        key = None
        check_vectorized_callable(name, activation)
    else:
        raise TypeError(f"{name} must be an activation name or a callable, got {type(activation).__name__}")
    act = _hermite.get_activation(activation)
    if key is None and act.name in _hermite.ACTIVATIONS and _hermite.get_activation(act.name) is act:
        key = act.name  # a registered Activation object counts as its name
    return _Activation(key, act.fn, act.derivative, act.second_derivative, tuple(act.breakpoints))


# ---------------------------------------------------------------------------------------------
# closed forms
# ---------------------------------------------------------------------------------------------
def _correlation(q1: np.ndarray, q2: np.ndarray, k: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """sqrt(q1 q2) and the correlation clipped to [-1, 1] (0 when a variance vanishes)."""
    with np.errstate(over="ignore", under="ignore"):
        s = np.sqrt(q1 * q2)  # exact rho = 1 on the diagonal (q1 = q2) in the normal range
    # where q1 q2 under- or overflows (variances beyond 1e+-154), the product of the roots
    out_of_range = ~np.isfinite(s) | ((s == 0) & (q1 > 0) & (q2 > 0))
    if np.any(out_of_range):
        s = np.where(out_of_range, np.sqrt(q1) * np.sqrt(q2), s)
    safe = np.where(s > 0, s, 1.0)
    rho = np.where(s > 0, np.clip(k / safe, -1.0, 1.0), 0.0)
    return s, rho


def _closed_form(key: str, q1: np.ndarray, q2: np.ndarray, k: np.ndarray, derivative: bool) -> np.ndarray:
    """E[phi(u) phi(v)] (or E[phi'(u) phi'(v)]) for the activations of CLOSED_FORM_ACTIVATIONS."""
    s, rho = _correlation(q1, q2, k)
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


# ---------------------------------------------------------------------------------------------
# quadrature
# ---------------------------------------------------------------------------------------------
_CUTOFF = float(np.sqrt(2 * np.log(1e17)))  # Gaussian tail beyond it: below 1e-17


def _gaussian_nodes(order: int) -> tuple[np.ndarray, np.ndarray]:
    """Trapezoidal nodes on [-L, L] with normalized Gaussian weights (a probability measure).

    For integrands analytic in a strip |Im z| < d the trapezoidal rule converges like
    exp(-2 pi d / h) (h = 2L/(order - 1)), much faster than Gauss-Hermite at equal cost when
    the activation has complex singularities near the real axis (tanh: d = pi / (2 sqrt q)).
    """
    z = np.linspace(-_CUTOFF, _CUTOFF, order)
    w = np.exp(-z * z / 2)
    return z, w / w.sum()


_ORDER_BUCKETS = np.array([48, 64, 96, 128, 192, 256, 384, 512])


def _auto_orders(qmax: np.ndarray) -> np.ndarray:
    """Nodes per dimension for each pair: the smallest bucket >= 48 sqrt(max(q, 1)), at most 512.

    The node spacing in the argument of phi scales like sqrt(q) h, so h must shrink like
    1/sqrt(q) to keep the geometric accuracy; pairs are grouped by bucket so that one column of
    large norm does not slow down the whole matrix.
    """
    need = np.ceil(48 * np.sqrt(np.maximum(qmax, 1.0)))
    idx = np.minimum(np.searchsorted(_ORDER_BUCKETS, need), _ORDER_BUCKETS.size - 1)
    return _ORDER_BUCKETS[idx]


def _quadrature(
    phi: Callable, psi: Callable, q1: np.ndarray, q2: np.ndarray, k: np.ndarray, order: int | None
) -> np.ndarray:
    """E[phi(u) psi(v)] by a tensor trapezoidal rule, vectorized over flat arrays.

    ``order=None`` chooses the number of nodes per pair (see :func:`_auto_orders`).
    """
    if order is not None:
        return _quadrature_fixed(phi, psi, q1, q2, k, order)
    orders = _auto_orders(np.maximum(q1, q2))
    out = np.empty(q1.shape[0])
    for o in np.unique(orders):
        sel = orders == o
        out[sel] = _quadrature_fixed(phi, psi, q1[sel], q2[sel], k[sel], int(o))
    return out


def _quadrature_fixed(
    phi: Callable, psi: Callable, q1: np.ndarray, q2: np.ndarray, k: np.ndarray, order: int
) -> np.ndarray:
    """E[phi(u) psi(v)] with ``order`` trapezoidal nodes per dimension.

    Cholesky parametrization: u = sqrt(q1) z1, v = a z1 + b z2, a = k / sqrt(q1),
    b = sqrt(q2 - a^2) >= 0, so perfectly correlated pairs (b = 0) are integrated exactly in
    z2 and no square root of a negative number occurs.
    """
    z, w = _gaussian_nodes(order)
    r1 = np.sqrt(q1)
    a = np.where(r1 > 0, k / np.where(r1 > 0, r1, 1.0), 0.0)
    b = np.sqrt(np.maximum(q2 - a**2, 0.0))
    out = np.empty(q1.shape[0])
    step = max(1, _CHUNK // (order * order))
    for start in range(0, q1.shape[0], step):  # blocks of pairs, each block fully vectorized
        sl = slice(start, start + step)
        pu = np.asarray(phi(r1[sl, None] * z[None, :]), dtype=float)  # (m, N)
        v = a[sl, None, None] * z[None, :, None] + b[sl, None, None] * z[None, None, :]
        pv = np.asarray(psi(v), dtype=float) @ w  # (m, N): inner integral over z2
        out[sl] = (pu * pv) @ w
    return out


# ---------------------------------------------------------------------------------------------
# accurate path: polar Gauss-Legendre quadrature and Chebyshev interpolation in the angle
# ---------------------------------------------------------------------------------------------
_POLAR_RADIUS = 9.3  # int_R^inf r exp(-r^2/2) dr = exp(-R^2/2) < 2e-19
_GL_NODES, _GL_WEIGHTS = np.polynomial.legendre.leggauss(16)
_POLAR_SCALE_CAP = 8.0  # panels grow like sqrt(max(q, 1)) up to q = 64
_POLAR_R_PANELS, _POLAR_A_PANELS = 5, 12  # radial panels on [0, 9.3], angular panels on [0, 2 pi] (q <= 1);
# measured: 4 and 10 still give 1e-14 relative for tanh, sigmoid, gelu, silu, softplus, a centred
# ReLU and tanh' at q in [0.3, 25]; 3 and 8 give 4e-12, 2 and 6 give 1e-9.
_POLAR_BLOCK = 2_000_000  # integrand evaluations per vectorized block
_CHEB_START, _CHEB_MAX = 16, 256  # Chebyshev-Lobatto sizes in the angle (doubling)
_CHEB_TOL = 1e-14  # relative size of the discarded Chebyshev tail
_GRID_MIN = 48  # entries sharing a variance pair from which a Chebyshev table pays off
_DIRECT_MAX = 256  # entries evaluated one by one by the polar rule when not tabulated
_CLUSTER_RTOL = 1e-12  # variances closer than this (relative) are treated as equal
# Mehler's series sum_k a_k(q1) a_k(q2) rho^k for pairs with distinct variances and abs(rho) <= 0.9,
# truncated at the degree K where rho_max^(K+1) < 1e-17 (the tail is below sqrt(nu1 nu2) times
# that, by Cauchy-Schwarz); K <= 372
_MEHLER_RHO = 0.9
_MEHLER_TAIL = 1e-17


def _panel_nodes(edges: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Gauss-Legendre nodes and weights (16 per panel) for panels given by sorted ``edges``.

    ``edges`` has shape (..., P + 1); the result has shape (..., 16 P). Zero-width panels
    (repeated edges) get zero weights.
    """
    half = np.diff(edges, axis=-1) / 2
    mid = (edges[..., :-1] + edges[..., 1:]) / 2
    nodes = mid[..., None] + half[..., None] * _GL_NODES
    weights = half[..., None] * _GL_WEIGHTS
    shape = edges.shape[:-1] + (-1,)
    return nodes.reshape(shape), weights.reshape(shape)


def _polar_expectation(
    phi: Callable, psi: Callable, q1: float, q2: float, theta: np.ndarray, breaks: tuple[float, ...] = ()
) -> np.ndarray:
    """E[phi(u) psi(v)] at variances q1, q2 and angles theta = arccos(corr(u, v)), in polar coordinates.

    With (z1, z2) standard Gaussian in polar form (r cos a, r sin a), u = sqrt(q1) r cos a and
    v = sqrt(q2) r cos(a - theta), and the Gaussian measure is r exp(-r^2/2) dr da / (2 pi).
    An activation with a kink or jump at 0 makes the integrand piecewise analytic with breaks at
    r = 0 and at the four angles a = pi/2, 3 pi/2, theta + pi/2, theta + 3 pi/2, which are
    panel edges here: composite Gauss-Legendre (16 nodes per panel) then converges
    geometrically, for every theta (including theta -> 0 and pi), to about 1e-14. Panels have
    widths proportional to 1/sqrt(max(q1, q2, 1)) (up to q = 64) so that the complex
    singularities of phi(sqrt(q) .) (tanh: at distance pi / (2 sqrt q)) stay resolved.

    ``breaks``: kinks or jumps of phi away from 0. Along the ray of angle a, u crosses a break
    b at r = b / (sqrt(q1) cos a) (and v at b / (sqrt(q2) cos(a - theta))); these radii are
    added to the radial panel edges of every angle node, so each ray is integrated piecewise
    analytically, and the radial integral is an analytic function of a (the crossing radius
    moves analytically with a): geometric convergence again.
    """
    breaks = tuple(b for b in breaks if b != 0.0)  # a break at 0 is already an angular edge
    s = min(np.sqrt(max(q1, q2, 1.0)), _POLAR_SCALE_CAP)
    n_r, n_a = int(np.ceil(_POLAR_R_PANELS * s)), int(np.ceil(_POLAR_A_PANELS * s))
    if breaks:  # twice finer angular panels: E[clip(u)^2] (theta = 0) goes from 2e-11 to 1e-16
        n_a *= 2
    r, wr = _panel_nodes(np.linspace(0.0, _POLAR_RADIUS, n_r + 1))
    wr = wr * r * np.exp(-r * r / 2) / (2 * np.pi)
    r1, r2 = np.sqrt(q1) * r, np.sqrt(q2) * r
    base = np.linspace(0.0, 2 * np.pi, n_a + 1)
    theta = np.asarray(theta, dtype=float)
    out = np.empty(theta.size)
    per_theta = (n_a + 4) * 16 * (r.size + 32 * len(breaks))
    step = max(1, _POLAR_BLOCK // per_theta)
    r_edges = np.linspace(0.0, _POLAR_RADIUS, n_r + 1)
    b = np.asarray(breaks, dtype=float)
    for start in range(0, theta.size, step):  # blocks of angles, each block fully vectorized
        t = theta[start:start + step, None]
        kinks = np.mod(np.hstack([np.full_like(t, np.pi / 2), np.full_like(t, 1.5 * np.pi),
                                  t + np.pi / 2, t + 1.5 * np.pi]), 2 * np.pi)
        if b.size:
            kinks = np.hstack([kinks, _crossing_angles(b, q1, q2, t)])
        edges = np.sort(np.hstack([np.broadcast_to(base, (t.shape[0], base.size)), kinks]), axis=1)
        a, wa = _panel_nodes(edges)  # (m, n_alpha)
        if b.size == 0:
            pu = np.asarray(phi(np.cos(a)[:, :, None] * r1), dtype=float)  # (m, n_alpha, n_r)
            pv = np.asarray(psi(np.cos(a - t)[:, :, None] * r2), dtype=float)
            out[start:start + step] = np.einsum("mar,ma,r->m", pu * pv, wa, wr)
            continue
        cu, cv = np.cos(a)[:, :, None], np.cos(a - t)[:, :, None]
        with np.errstate(divide="ignore", invalid="ignore"):
            cross = np.concatenate([b / (np.sqrt(q1) * cu), b / (np.sqrt(q2) * cv)], axis=-1)
        cross = np.where((cross > 0) & (cross < _POLAR_RADIUS), cross, _POLAR_RADIUS)  # else a zero-width panel
        base_r = np.broadcast_to(r_edges, a.shape + r_edges.shape)
        rr, wrr = _panel_nodes(np.sort(np.concatenate([base_r, cross], axis=-1), axis=-1))  # (m, n_alpha, n_r')
        wrr = wrr * rr * np.exp(-rr * rr / 2) / (2 * np.pi)
        pu = np.asarray(phi(cu * (np.sqrt(q1) * rr)), dtype=float)
        pv = np.asarray(psi(cv * (np.sqrt(q2) * rr)), dtype=float)
        out[start:start + step] = np.einsum("mar,ma,mar->m", pu * pv, wa, wrr)
    return out


def _crossing_angles(b: np.ndarray, q1: float, q2: float, t: np.ndarray) -> np.ndarray:
    """Polar angles of the points where the lines u = b_i and v = b_j meet (inside the disk).

    There the two breaks of a ray merge and the radial integral is not analytic in the angle:
    these angles must be panel edges. ``t`` has shape (m, 1); returns (m, len(b)^2) angles in
    [0, 2 pi) (0, an edge already, where the lines do not meet inside the disk).
    """
    bi, bj = np.meshgrid(b, b, indexing="ij")
    big_a = (bi * np.sqrt(q2)).ravel()[None, :]  # the point: A cos(a - t) = B cos a, r > 0
    big_b = (bj * np.sqrt(q1)).ravel()[None, :]
    ang = np.arctan2(big_b - big_a * np.cos(t), big_a * np.sin(t))
    ang = np.where(np.cos(ang) * big_a < 0, ang + np.pi, ang)  # r = b_i / (sqrt(q1) cos a) > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        r = (bi.ravel()[None, :] / np.sqrt(q1)) / np.cos(ang)
    inside = np.isfinite(r) & (r > 0) & (r < _POLAR_RADIUS)
    return np.where(inside, np.mod(ang, 2 * np.pi), 0.0)


def _chebyshev_coefficients(values: np.ndarray) -> np.ndarray:
    """Chebyshev coefficients of the interpolant at the Lobatto points cos(j pi / N), j = 0..N."""
    n = values.size - 1
    c = _fft.dct(values, type=1) / n
    c[0] /= 2
    c[-1] /= 2
    return c


def _theta_of_x(x: np.ndarray) -> np.ndarray:
    """Angle theta in [0, pi] of the Chebyshev variable x in [-1, 1] (x = 1 is theta = 0, rho = 1)."""
    return np.pi * (1 - x) / 2


def _angle_table(phi: Callable, q1: float, q2: float, breaks: tuple[float, ...] = ()) -> np.ndarray:
    """Chebyshev coefficients of theta -> E[phi(u) phi(v)] on [0, pi], to relative 1e-14.

    The function of the angle theta (rather than of rho = cos theta) is analytic up to the
    endpoints even for kinked activations (ReLU: (sin theta + (pi - theta) cos theta) / (2 pi)),
    whereas f(rho) has a (1 - rho)^{3/2} singularity at rho = 1: Chebyshev interpolation in
    theta converges geometrically (measured: 16 nodes for a centred ReLU, 64 for tanh at q = 4,
    about 100 at q = 16). The Lobatto grid is doubled (reusing the old values) until the last
    quarter of the coefficients falls below 1e-14 of the largest, until it stops decreasing
    (quadrature noise: activations with kinks away from 0), or up to 256 intervals.
    """
    n = _CHEB_START
    x = np.cos(np.arange(n + 1) * np.pi / n)
    values = _polar_expectation(phi, phi, q1, q2, _theta_of_x(x), breaks)
    previous = np.inf
    while True:
        c = _chebyshev_coefficients(values)
        scale = max(np.abs(c).max(), np.finfo(float).tiny)
        tail = np.abs(c[-(n // 4 + 1):]).max()
        if tail <= _CHEB_TOL * scale or n >= _CHEB_MAX or (n >= 64 and tail > 0.1 * previous):
            big = np.nonzero(np.abs(c) > 1e-17 * scale)[0]  # chop the negligible tail (speed)
            return c[: big[-1] + 1] if big.size else c[:1]
        previous = tail
        new_x = np.cos(np.arange(1, 2 * n, 2) * np.pi / (2 * n))  # the odd nodes of the 2n grid
        new_values = _polar_expectation(phi, phi, q1, q2, _theta_of_x(new_x), breaks)
        merged = np.empty(2 * n + 1)
        merged[0::2], merged[1::2] = values, new_values
        values, n = merged, 2 * n


def _clenshaw(x: np.ndarray, c: np.ndarray, block: int = 16384) -> np.ndarray:
    """sum_k c_k T_k(x) by Clenshaw's recurrence, in cache-sized blocks without temporaries."""
    out = np.empty(x.shape)
    for start in range(0, x.size, block):
        xs = x[start:start + block]
        x2 = 2 * xs
        b1, b2, tmp = np.zeros_like(xs), np.zeros_like(xs), np.empty_like(xs)
        for ck in c[:0:-1]:  # b_k = 2 x b_{k+1} - b_{k+2} + c_k, k = N..1
            np.multiply(x2, b1, out=tmp)
            tmp -= b2
            tmp += ck
            b2, b1, tmp = b1, tmp, b2
        out[start:start + block] = xs * b1 - b2 + c[0]
    return out


def _cluster(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Labels of values equal up to a relative 1e-12, and one representative per label."""
    uniq, inverse = np.unique(values, return_inverse=True)
    gap = np.diff(uniq) > _CLUSTER_RTOL * np.maximum(np.abs(uniq[1:]), np.abs(uniq[:-1]))
    label_of_uniq = np.concatenate(([0], np.cumsum(gap)))
    first = np.concatenate(([True], gap))
    return label_of_uniq[inverse.ravel()], uniq[first]


def _accurate_quadrature(
    phi: Callable, q1: np.ndarray, q2: np.ndarray, k: np.ndarray, breaks: tuple[float, ...] = ()
) -> np.ndarray:
    """E[phi(u) phi(v)] for flat arrays, grouping the entries by their variance pair (q1, q2).

    A group of at least 48 entries (every pair of a Gram matrix of equal-norm columns: one group,
    detected without sorting) is tabulated once in the angle (:func:`_angle_table`) and
    interpolated (Clenshaw). If more than 256 entries remain (many distinct norms), those with
    abs(rho) <= 0.9 use Mehler's series with per-variance Hermite coefficients
    (:func:`_variance_rules`, :func:`_mehler_sum`) and those at rho = +-1 with equal variances
    a one-dimensional rule. Up to 256 entries left are computed one by one by the polar rule;
    beyond that they use the tensor trapezoidal rule with the automatic order.
    """
    if q1.size == 0:
        return np.empty(0)
    qall = np.concatenate([q1, q2])
    qmin, qmax = qall.min(), qall.max()
    if q1.size >= _GRID_MIN and qmax - qmin <= _CLUSTER_RTOL * qmax:  # one variance (common case)
        _, rho = _correlation(q1, q2, k)
        out = _clenshaw(1 - 2 * np.arccos(rho) / np.pi, _angle_table(phi, float(qmin), float(qmin), breaks))
        return _check_finite(out)
    labels, reps = _cluster(qall)
    l1, l2 = labels[: q1.size], labels[q1.size:]
    key = np.minimum(l1, l2) * reps.size + np.maximum(l1, l2)  # phi(u) phi(v) is symmetric
    groups, inverse, counts = np.unique(key, return_inverse=True, return_counts=True)
    inverse = inverse.ravel()
    _, rho = _correlation(q1, q2, k)
    theta = np.arccos(rho)
    out = np.empty(q1.size)
    big = np.flatnonzero(counts >= _GRID_MIN)
    tabulated = np.isin(inverse, big)
    for g in big:  # groups sharing a variance pair: one angle table each
        sel = inverse == g
        gkey = groups[g]
        qa, qb = float(reps[gkey // reps.size]), float(reps[gkey % reps.size])
        out[sel] = _clenshaw(1 - 2 * theta[sel] / np.pi, _angle_table(phi, qa, qb, breaks))
    rest = np.flatnonzero(~tabulated)
    if rest.size > _DIRECT_MAX:
        # many distinct variance pairs: one-dimensional rules per distinct variance, exact at
        # rho = +-1 and by Mehler's series where |rho| is small (most pairs of high-dimensional data)
        one_d = rest[(l1[rest] == l2[rest]) & (np.abs(rho[rest]) >= 1 - 1e-15)]
        mehler = rest[np.abs(rho[rest]) <= _MEHLER_RHO]
        used = np.unique(np.concatenate([l1[one_d], l1[mehler], l2[mehler]]))
        if used.size:
            rho_max = max(float(np.abs(rho[mehler]).max()) if mehler.size else 0.0, 0.05)
            degree = int(np.ceil(np.log(_MEHLER_TAIL) / np.log(rho_max)))
            coef, same, opposite = _variance_rules(phi, reps[used], degree, breaks)
            where = np.zeros(reps.size, dtype=int)
            where[used] = np.arange(used.size)  # row of a variance label in the rules
            row = where[l1[one_d]]
            out[one_d] = np.where(rho[one_d] > 0, same[row], opposite[row])
            out[mehler] = _mehler_sum(coef[where[l1[mehler]]], coef[where[l2[mehler]]], rho[mehler])
        rest = np.setdiff1d(rest, np.concatenate([one_d, mehler]))
    if rest.size and rest.size <= _DIRECT_MAX:
        for g in np.unique(inverse[rest]):
            sel = rest[inverse[rest] == g]
            gkey = groups[g]
            qa, qb = float(reps[gkey // reps.size]), float(reps[gkey % reps.size])
            out[sel] = _polar_expectation(phi, phi, qa, qb, theta[sel], breaks)
    elif rest.size:
        out[rest] = _quadrature(phi, phi, q1[rest], q2[rest], k[rest], None)
    return _check_finite(out)


def _variance_rules(
    phi: Callable, qs: np.ndarray, degree: int, breaks: tuple[float, ...] = ()
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per variance q: the Hermite coefficients a_k(q) of x -> phi(sqrt(q) x) (k <= ``degree``),
    E[phi(u)^2] and E[phi(u) phi(-u)] for u ~ N(0, q), by composite Gauss-Legendre rules.

    The rule covers |x| <= sqrt(4 degree + 2) + 9 (the Hermite functions of degree <= ``degree``
    have their turning point at sqrt(4 degree + 2) and decay like a Gaussian beyond it) with
    16-node panels of width min(1/2, 1/s), s = sqrt(max(q, 1)) up to 8 (measured: width 1/2
    gives 1e-16 up to degree 372), 0 being an edge. The nodes are shared by all variances, so
    the coefficients are one matrix product with the table of normalized Hermite polynomials
    (three-term recurrence). A declared break b puts a kink of phi(sqrt(q) x) at b / sqrt(q):
    the panel holding it is integrated separately, cut there, for that variance only.
    """
    radius = np.sqrt(4.0 * degree + 2.0) + 9.0
    s = min(np.sqrt(max(float(qs.max()), 1.0)), _POLAR_SCALE_CAP)
    half = int(np.ceil(radius * max(2.0, s)))
    edges = np.linspace(-radius, radius, 2 * half + 1)  # 0 is an edge
    x, w = _panel_nodes(edges)
    w = w * np.exp(-x * x / 2) / np.sqrt(2 * np.pi)
    table = _hermite._hermite_values(degree, x).T  # (nodes, degree + 1)
    root = np.sqrt(qs)[:, None]
    weighted = w * np.asarray(phi(root * x), dtype=float)  # (variances, nodes)
    b = np.asarray([c for c in breaks if c != 0.0], dtype=float)
    if b.size == 0:
        coef = weighted @ table
        same = np.sum(weighted * np.asarray(phi(root * x), dtype=float), axis=1)
        opposite = np.sum(weighted * np.asarray(phi(-root * x), dtype=float), axis=1)
        return coef, same, opposite
    # panels holding a cut (for some variance) are removed from the shared rule and redone
    with np.errstate(divide="ignore"):
        cuts = np.where(root > 0, b[None, :] / np.where(root > 0, root, 1.0), np.inf)  # (variances, breaks)
    cuts = np.concatenate([cuts, -cuts], axis=1)  # phi(-sqrt(q) x) breaks at -b / sqrt(q)
    inside = np.abs(cuts) < radius
    panel = np.clip(np.searchsorted(edges, cuts, side="right") - 1, 0, edges.size - 2)
    hit = np.zeros((qs.size, edges.size - 1), dtype=bool)
    rows = np.broadcast_to(np.arange(qs.size)[:, None], cuts.shape)
    hit[rows[inside], panel[inside]] = True
    node_panel = np.repeat(np.arange(edges.size - 1), _GL_NODES.size)
    weighted = np.where(hit[:, node_panel], 0.0, weighted)
    coef = weighted @ table
    same = np.sum(weighted * np.asarray(phi(root * x), dtype=float), axis=1)
    opposite = np.sum(weighted * np.asarray(phi(-root * x), dtype=float), axis=1)
    # the removed panels, cut at every cut they hold: (variances, cut panels, sub-panels)
    lo = edges[panel]
    hi = edges[panel + 1]
    inner = np.where(inside[:, :, None] & (cuts[:, None, :] > lo[:, :, None]) & (cuts[:, None, :] < hi[:, :, None]),
                     cuts[:, None, :], hi[:, :, None])  # cuts inside each panel, else its right end
    # a panel hit by several cuts appears once per cut: keep only its first occurrence
    first = np.ones(panel.shape, dtype=bool)
    for j in range(1, panel.shape[1]):
        first[:, j] = ~np.any((panel[:, :j] == panel[:, j : j + 1]) & inside[:, :j], axis=1)
    keep = inside & first
    sub_edges = np.sort(np.concatenate([lo[:, :, None], inner, hi[:, :, None]], axis=2), axis=2)
    xs, ws = _panel_nodes(sub_edges)  # (variances, cut panels, nodes)
    ws = ws * np.exp(-xs * xs / 2) / np.sqrt(2 * np.pi) * keep[:, :, None]
    f_plus = np.asarray(phi(root[:, :, None] * xs), dtype=float)
    wf = ws * f_plus
    same += np.sum(wf * f_plus, axis=(1, 2))
    opposite += np.sum(wf * np.asarray(phi(-root[:, :, None] * xs), dtype=float), axis=(1, 2))
    # the recurrence of _hermite._hermite_values, streamed: the nodes differ per variance here, and
    # a (degree x variances x nodes) table would be hundreds of MB at degree 372
    h_prev, h = np.zeros_like(xs), np.ones_like(xs)
    for deg in range(degree + 1):
        coef[:, deg] += np.sum(wf * h, axis=(1, 2))
        h_prev, h = h, (xs * h - np.sqrt(deg) * h_prev) / np.sqrt(deg + 1)
    return coef, same, opposite


def _mehler_sum(a1: np.ndarray, a2: np.ndarray, rho: np.ndarray) -> np.ndarray:
    """sum_k a1[:, k] a2[:, k] rho^k (Horner): E[phi(u) phi(v)] by Mehler's formula."""
    out = a1[:, -1] * a2[:, -1]
    for deg in range(a1.shape[1] - 2, -1, -1):
        out = out * rho + a1[:, deg] * a2[:, deg]
    return out


def _check_finite(out: np.ndarray) -> np.ndarray:
    if not np.all(np.isfinite(out)):
        raise ValueError(
            "activation must be finite on the Gaussian range of its arguments (|x| <= 9.3 sqrt(q)); "
            "the quadrature returned non-finite values"
        )
    return out


# ---------------------------------------------------------------------------------------------
# public: pair expectations and dual activations
# ---------------------------------------------------------------------------------------------
def _pair_values(act: _Activation, q1: np.ndarray, q2: np.ndarray, k: np.ndarray, derivative: bool, order: int | None) -> np.ndarray:
    """Flat-array core shared by the public functions (inputs already validated and clipped)."""
    if act.key in CLOSED_FORM_ACTIVATIONS:
        return _closed_form(act.key, q1, q2, k, derivative)
    f = act.dphi if derivative else act.phi
    return _expectation(f, q1, q2, k, order, act.breaks)


def _expectation(
    f: Callable, q1: np.ndarray, q2: np.ndarray, k: np.ndarray, order: int | None, breaks: tuple[float, ...] = ()
) -> np.ndarray:
    """E[f(u) f(v)] without closed form: trapezoidal rule at a given ``order``, else the accurate path."""
    if order is not None:
        return _quadrature(f, f, q1, q2, k, order)
    return _accurate_quadrature(f, q1, q2, k, breaks)


def gaussian_pair_expectation(
    activation: str | Callable[[np.ndarray], np.ndarray],
    q1: Any,
    q2: Any,
    k: Any,
    *,
    derivative: bool = False,
    order: int | None = _DEFAULT_ORDER,
) -> np.ndarray:
    """Gaussian-pair expectation E[phi(u) phi(v)] for (u, v) ~ N(0, [[q1, k], [k, q2]]).

    Parameters
    ----------
    activation
        A name of ``rmtbook.hermite.ACTIVATIONS`` or a vectorized callable.
    q1, q2
        Variances (>= 0), array-likes broadcast together with ``k``.
    k
        Covariances, with ``k^2 <= q1 q2`` (checked up to a relative 1e-6, then clipped, so
        that a Gram matrix of repeated columns never produces the NaN of ``arccos(1 + eps)``).
    derivative
        If True, return E[phi'(u) phi'(v)] (Price's theorem: the k-derivative of the kernel).
    order
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
    Cho & Saul (2009) {cite}`cho2009kernel`; Williams (1997) {cite}`williams1997computing`.
    Used in chapters 7, 9 and 10.
    """
    act = _resolve(activation)
    order = _check_order(order)
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
    return _pair_values(act, q1f, q2f, kf, check_bool("derivative", derivative), order).reshape(shape)


def dual_activation(
    activation: str | Callable[[np.ndarray], np.ndarray],
    rho: Any,
    *,
    q: float = 1.0,
    derivative_order: int = 0,
    order: int | None = _DEFAULT_ORDER,
) -> np.ndarray:
    """Dual activation f_q(rho) = E[phi(u) phi(v)] at variance q and correlation rho, and its derivatives.

    Parameters
    ----------
    activation
        A name or a callable.
    rho
        Correlations in [-1, 1] (array-like).
    q
        Common variance of u and v (> 0).
    derivative_order
        0, 1 or 2: f_q, f_q' = q E[phi'(u) phi'(v)] (Price), or f_q''.

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
    Daniely et al.'s dual activations; Poole et al. (2016) {cite}`poole2016exponential`.
    Used in chapters 7 and 9 (curse of depth) through :mod:`rmtbook.deep`.
    """
    act = _resolve(activation)
    rho = check_array("rho", rho, low=-1.0, high=1.0)
    q = check_scalar("q", q, low=0.0, low_open=True)
    m = check_int("derivative_order", derivative_order, low=0, high=2)
    order = _check_order(order)
    return _dual(act, q, rho.ravel(), m, order).reshape(rho.shape)


def _dual(act: _Activation, q: float, rho: np.ndarray, m: int, order: int | None) -> np.ndarray:
    """Core of :func:`dual_activation` (validated inputs, flat ``rho``)."""
    qa = np.full(rho.shape, q)
    if m == 0:
        return _pair_values(act, qa, qa, q * rho, False, order)
    if m == 1:
        if act.key == "sign":
            with np.errstate(divide="ignore"):
                return (2 / np.pi) / np.sqrt(1 - rho**2)
        return q * _pair_values(act, qa, qa, q * rho, True, order)
    with np.errstate(divide="ignore", invalid="ignore"):
        closed = _dual_second_derivative(act.key, q, rho)
    if closed is not None:
        return closed
    if act.d2phi is not None:  # f'' = q^2 E[phi''(u) phi''(v)] (Price's theorem twice)
        return q**2 * _expectation(act.d2phi, qa, qa, q * rho, order, act.breaks)
    h = 1e-4
    lo = np.clip(rho - h, -1.0, 1.0)
    hi = np.clip(rho + h, -1.0, 1.0)
    f_hi = q * _pair_values(act, qa, qa, q * hi, True, order)
    f_lo = q * _pair_values(act, qa, qa, q * lo, True, order)
    return (f_hi - f_lo) / (hi - lo)


def _dual_second_derivative(key: str | None, q: float, rho: np.ndarray) -> np.ndarray | None:
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


# ---------------------------------------------------------------------------------------------
# kernel matrices
# ---------------------------------------------------------------------------------------------
def _kernel_matrix(act: _Activation, K: np.ndarray, derivative: bool, order: int | None) -> np.ndarray:
    """Entrywise Gaussian-pair kernel of a symmetric PSD covariance matrix K (no validation)."""
    d = np.maximum(np.diag(K), 0.0)
    n = K.shape[0]
    if act.key in CLOSED_FORM_ACTIVATIONS:
        q1 = np.broadcast_to(d[:, None], K.shape).ravel()
        q2 = np.broadcast_to(d[None, :], K.shape).ravel()
        bound = np.sqrt(q1 * q2)
        k = np.clip(K.ravel(), -bound, bound)
        out = _closed_form(act.key, q1, q2, k, derivative).reshape(K.shape)
        return (out + out.T) / 2
    iu, ju = np.triu_indices(n)  # quadrature on the upper triangle only, then mirrored
    bound = np.sqrt(d[iu] * d[ju])
    vals = _pair_values(act, d[iu], d[ju], np.clip(K[iu, ju], -bound, bound), derivative, order)
    out = np.empty((n, n))
    out[iu, ju] = vals
    out[ju, iu] = vals
    return out


def kernel_from_covariance(
    K: Any,
    activation: str | Callable[[np.ndarray], np.ndarray],
    *,
    derivative: bool = False,
    order: int | None = _DEFAULT_ORDER,
) -> np.ndarray:
    """The matrix [E phi(u_i) phi(u_j)]_{ij} for a Gaussian vector u ~ N(0, K).

    Parameters
    ----------
    K
        Symmetric positive semi-definite n x n covariance matrix (symmetry checked to 1e-8
        relative; entries with k^2 slightly above q1 q2 from rounding are clipped).
    activation
        A name or a callable.
    derivative
        Return [E phi'(u_i) phi'(u_j)] instead.
    order
        Trapezoidal nodes per dimension when there is no closed form; None (default): the
        accurate polar rule with Chebyshev tabulation (see :mod:`rmtbook.kernels`).

    Returns
    -------
    numpy.ndarray
        Symmetric n x n matrix. One layer of the infinite-width recursion of
        :func:`rmtbook.conjugate_kernel`.

    References
    ----------
    Neal (1996) {cite}`neal1996bayesian`; Cho & Saul (2009) {cite}`cho2009kernel`.
    Used in chapters 7, 9 and 10.
    """
    act = _resolve(activation)
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
    order = _check_order(order)
    return _kernel_matrix(act, (K + K.T) / 2, derivative, order)


def _check_order(order: Any) -> int | None:
    """``None`` (automatic) or an integer number of nodes per dimension in [8, 1000]."""
    return None if order is None else check_int("order", order, low=8, high=1000)


def _check_data(X: Any) -> np.ndarray:
    return check_data_scale("X", check_array("X", X, ndim=2))


def random_features_kernel(
    X: Any, activation: str | Callable[[np.ndarray], np.ndarray], *, order: int | None = _DEFAULT_ORDER
) -> np.ndarray:
    """Exact random-features (conjugate) kernel Phi = E_w[phi(X^T w) phi(w^T X)], w ~ N(0, I_p).

    Parameters
    ----------
    X
        Data matrix, p x n (columns are samples), of any column norms: the pair
        (x_i^T w, x_j^T w) is Gaussian with covariance given by the entries of X^T X.
    activation
        A name of ``rmtbook.hermite.ACTIVATIONS`` or a vectorized callable.
    order
        Trapezoidal nodes per dimension when there is no closed form; None (default): the
        accurate polar rule with Chebyshev tabulation (see :mod:`rmtbook.kernels`).

    Returns
    -------
    numpy.ndarray
        The symmetric positive semi-definite n x n matrix Phi.

    References
    ----------
    Louart, Liao & Couillet (2018) {cite}`louart2018random`; Cho & Saul (2009)
    {cite}`cho2009kernel`; Williams (1997) {cite}`williams1997computing`. Used in chapters 7 and 8.
    """
    act = _resolve(activation)
    X = _check_data(X)
    order = _check_order(order)
    return _kernel_matrix(act, X.T @ X, False, order)


def random_features_kernel_monte_carlo(
    X: Any,
    activation: str | Callable[[np.ndarray], np.ndarray],
    n_features: int,
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
    X
        Data, p x n.
    activation
        A name or a callable.
    n_features
        Number N of random features (>= 1).
    rng
        ``None``, a seed or a :class:`numpy.random.Generator`.
    batch
        Features drawn per block (memory control only; the result does not depend on it
        for a given generator state up to the block boundaries).

    References
    ----------
    Rahimi & Recht (2007) {cite}`rahimi2007random`. Used in chapters 7 and 8.
    """
    act = _resolve(activation)
    X = _check_data(X)
    N = check_int("n_features", n_features, low=1)
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


class RandomFeaturesCoefficients(NamedTuple):
    """Per-sample Hermite data of phi(sqrt(q_i) .): a_0, a_1, a_2 and nu, arrays of length n."""

    a0: np.ndarray
    a1: np.ndarray
    a2: np.ndarray
    nu: np.ndarray


def _coefficients_at_variance(act: _Activation, q: np.ndarray) -> RandomFeaturesCoefficients:
    """a_0, a_1, a_2 and nu of x -> phi(sqrt(q) x), vectorized over an array of variances q.

    A zero variance gives the constant phi(0): a_0 = phi(0), a_1 = a_2 = 0, nu = phi(0)^2.
    """
    coef = _coefficients_at_positive_variance(act, q)
    zero = q == 0
    if not zero.any():
        return coef
    phi0 = float(np.asarray(act.phi(np.zeros(1)), dtype=float)[0])
    a0, a1, a2, nu = (np.array(c, dtype=float, copy=True) for c in coef)
    a0[zero], a1[zero], a2[zero], nu[zero] = phi0, 0.0, 0.0, phi0**2
    return RandomFeaturesCoefficients(a0, a1, a2, nu)


def _coefficients_at_positive_variance(act: _Activation, q: np.ndarray) -> RandomFeaturesCoefficients:
    """Core of :func:`_coefficients_at_variance`."""
    r = np.sqrt(q)
    key = act.key
    if key in _HOMOGENEOUS:
        a = np.asarray(_hermite.hermite_coefficients(key, degree=2), dtype=float)
        nu1 = float(_hermite.second_moment(key))
        s = q ** (_HOMOGENEOUS[key] / 2)
        return RandomFeaturesCoefficients(s * a[0], s * a[1], s * a[2], s**2 * nu1)
    if key == "erf":
        return RandomFeaturesCoefficients(
            np.zeros_like(q), 2 * r / np.sqrt(np.pi * (1 + 2 * q)), np.zeros_like(q),
            (2 / np.pi) * np.arcsin(2 * q / (1 + 2 * q)),
        )
    e = np.exp(-q / 2)
    if key == "cos":  # E cos(r z) He_k(z) from the characteristic function
        return RandomFeaturesCoefficients(e, np.zeros_like(q), -q * e / np.sqrt(2), (1 + np.exp(-2 * q)) / 2)
    if key == "sin":
        return RandomFeaturesCoefficients(np.zeros_like(q), r * e, np.zeros_like(q), (1 - np.exp(-2 * q)) / 2)
    if key == "exp":  # a_k = q^{k/2} e^{q/2} / sqrt(k!)
        g = np.exp(q / 2)
        return RandomFeaturesCoefficients(g, r * g, q * g / np.sqrt(2), np.exp(2 * q))
    if key is not None:  # bounded-growth smooth names: 1-D trapezoidal rule, 1000 nodes
        z, w = _gaussian_nodes(1000)
        vals = np.asarray(act.phi(r[:, None] * z[None, :]), dtype=float)
        return RandomFeaturesCoefficients(
            vals @ w, (vals * z) @ w, (vals * (z**2 - 1)) @ w / np.sqrt(2), (vals**2) @ w
        )
    # callables: adaptive quadrature of rmtbook.hermite, once per distinct variance
    uniq, inverse = np.unique(q, return_inverse=True)
    table = np.empty((uniq.size, 4))
    for i, qi in enumerate(uniq):
        ri = float(np.sqrt(qi))

        def scaled(x: np.ndarray, ri: float = ri) -> np.ndarray:
            return np.asarray(act.phi(ri * np.asarray(x, dtype=float)), dtype=float)

        a = np.asarray(_hermite.hermite_coefficients(scaled, degree=2), dtype=float)
        table[i, :3] = a[:3]
        table[i, 3] = float(_hermite.second_moment(scaled))
    t = table[inverse]
    return RandomFeaturesCoefficients(t[:, 0], t[:, 1], t[:, 2], t[:, 3])


def random_features_coefficients(
    X: Any, activation: str | Callable[[np.ndarray], np.ndarray]
) -> RandomFeaturesCoefficients:
    """Hermite coefficients a_0, a_1, a_2 and nu of phi(||x_i|| .) for every column x_i of X.

    For unit-norm columns these are the constants a_0, a_1, a_2, nu of :mod:`rmtbook.hermite`.
    Closed forms for homogeneous activations (a_k(q) = q^{d/2} a_k(1)) and ``erf``; 1-D
    trapezoidal quadrature (1000 nodes) for the other named (smooth) activations; adaptive quadrature of
    :func:`rmtbook.hermite_coefficients` once per distinct norm for callables.

    References
    ----------
    Liao & Couillet (2018) {cite}`liao2018spectrum`. Used in chapter 7.
    """
    act = _resolve(activation)
    X = _check_data(X)
    return _coefficients_at_variance(act, np.einsum("ij,ij->j", X, X))


def random_features_kernel_linear_equivalent(
    X: Any, activation: str | Callable[[np.ndarray], np.ndarray]
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
    X
        Data, p x n.
    activation
        A name or a callable.

    Returns
    -------
    numpy.ndarray
        The n x n linear equivalent.

    References
    ----------
    Louart, Liao & Couillet (2018) {cite}`louart2018random`; Liao & Couillet (2018)
    {cite}`liao2018spectrum`; Mei & Montanari (2022) {cite}`mei2022generalization`.
    Used in chapters 7 and 8.
    """
    act = _resolve(activation)
    X = _check_data(X)
    p = X.shape[0]
    q = np.einsum("ij,ij->j", X, X)
    a0, a1, a2, nu = _coefficients_at_variance(act, q)
    r = np.sqrt(q)
    dscale = np.where(r > 0, a1 / np.where(r > 0, r, 1.0), 0.0)
    out = np.outer(a0, a0) + np.outer(a2, a2) / p + (dscale[:, None] * (X.T @ X)) * dscale[None, :]
    out = (out + out.T) / 2
    out[np.diag_indices_from(out)] = nu
    return out


# ---------------------------------------------------------------------------------------------
# inner-product kernels (El Karoui 2010)
# ---------------------------------------------------------------------------------------------
def _resolve_function(f: Any) -> Callable[[np.ndarray], np.ndarray]:
    if isinstance(f, str):
        return _resolve(f, "f").phi
    return check_vectorized_callable("f", f)


def inner_product_kernel(X: Any, f: str | Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """Inner-product kernel matrix K = f(X^T X / p), f applied entrywise.

    Parameters
    ----------
    X
        Data, p x n; the normalization assumes entries of unit variance (x_i^T x_j / p is then
        about N(0, 1/p) off the diagonal and about 1 on it).
    f
        Vectorized callable (or an activation name).

    References
    ----------
    El Karoui (2010) {cite}`elkaroui2010spectrum`. Used in chapter 7.
    """
    g = _resolve_function(f)
    X = _check_data(X)
    out = np.asarray(g((X.T @ X) / X.shape[0]), dtype=float)
    if not np.all(np.isfinite(out)):
        raise ValueError("f must be finite on the entries of X^T X / p")
    return out


def inner_product_kernel_linear_equivalent(
    X: Any,
    f: str | Callable[[np.ndarray], np.ndarray],
    *,
    derivatives: tuple[float, float] | None = None,
) -> np.ndarray:
    """El Karoui's linear equivalent of f(X^T X / p) for X with i.i.d. standardized entries.

    Off the diagonal, t_ij = x_i^T x_j / p is O(p^{-1/2}): f(t) = f(0) + f'(0) t + f''(0) t^2 / 2
    + O(p^{-3/2}) and t_ij^2 has mean 1/p, while the centred rest has vanishing operator norm.
    Hence, in operator norm,

    .. math:: K \\approx (f(0) + f''(0)/(2p)) 1 1^T + f'(0) X^T X / p + \\mathrm{diag}(f(t_{ii})
              - f(0) - f''(0)/(2p) - f'(0) t_{ii}),

    where the diagonal correction makes the diagonal exactly that of K; since t_ii = 1 +
    O(p^{-1/2}) it equals (f(1) - f(0) - f'(0)) I_n up to o(1) in operator norm (El Karoui's form).

    Parameters
    ----------
    X
        Data, p x n, entries i.i.d. with mean 0 and variance 1.
    f
        Vectorized callable (or an activation name), C^3 near 0 and continuous near 1.
    derivatives
        ``(f'(0), f''(0))``; by default central differences with step 1e-3 (relative error
        about 1e-7, far below the O(p^{-1/2}) error of the equivalent).

    References
    ----------
    El Karoui (2010) {cite}`elkaroui2010spectrum`. Used in chapter 7.
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
