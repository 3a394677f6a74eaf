"""Deterministic equivalents for the resolvent of a sample covariance matrix.

For data ``X = C^{1/2} Z`` (``p x n``, ``Z`` with i.i.d. standardized entries) the sample
covariance ``Chat = X X^T / n`` has resolvent ``Q(z) = (Chat - z I_p)^{-1}``. In the proportional
regime (``p, n -> inf``, ``p / n = c``) the random matrix ``Q(z)`` is, for bilinear forms and
normalized traces, close to the deterministic matrix

.. math::

    \\bar Q(z) = \\Big(-z I_p + \\frac{C}{1 + \\delta(z)}\\Big)^{-1}, \\qquad
    \\delta(z) = \\frac1n \\operatorname{tr} C \\bar Q(z).

Writing ``u = z (1 + delta)`` (an "effective spectral parameter") gives
``Qbar = (1 + delta) (C - u I)^{-1}``, and the fixed point becomes the scalar equation

.. math::

    z = u \\,\\big(1 - c\\, s(u)\\big), \\qquad s(u) = \\int \\frac{t}{t - u}\\, H(dt),

for the population spectral measure ``H``; ``delta = c s / (1 - c s)``. In terms of the
companion Stieltjes transform ``mu`` (of ``X^T X / n``) this is ``u = -1/mu``, i.e. Silverstein's
equation ``z = -1/mu + c int t / (1 + t mu) H(dt)``. For ``Im z > 0`` the equation has exactly
one root with ``Im u > 0``; for real ``z`` off the support its root is the unique real ``u``
(away from the atoms of ``H``) at which ``z(u)`` is increasing (Silverstein & Bai 1995;
Silverstein & Choi 1995). The solver below follows that root
by Newton's method along a path ``z + i y`` with ``y`` decreasing geometrically to ``Im z``,
each level warm-started from the previous one, with a guard keeping ``Im u > 0``.

This module is in the third layer: it imports :mod:`rmtbook._validation` only.
Used in the chapter *Deterministic equivalents and the Marchenko-Pastur law* and by the
chapters on spiked models and ridge regression.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ._validation import (
    check_array,
    check_int,
    check_positive,
    check_scalar,
    check_vectorized_callable,
    check_weights,
)

__all__ = [
    "deterministic_delta",
    "deterministic_stieltjes",
    "deterministic_resolvent",
    "bilinear_form_equivalent",
    "trace_equivalent",
    "linear_spectral_statistic",
]

# Solver constants (scaled units: the support of the limiting law lies in [0, 1]).
_Y_START = 2.0          # imaginary part added at the start of the continuation path
_Y_RATIO = 0.3          # geometric decrease of the added imaginary part per level
_N_LEVELS = 28          # 2 * 0.3**27 ~ 1e-14: the last level before the target
_MAX_NEWTON = 60        # Newton iterations per level (quadratic convergence needs ~5)
_MAX_HALVINGS = 50      # step halvings of the guard keeping Im u > 0
_LEVEL_TOL = 1e-8       # relative Newton step at convergence on the intermediate levels
_STEP_TOL = 1e-14       # relative Newton step at convergence at the target
_RESIDUAL_TOL = 1e-9    # accepted residual |z(u) - z| at the end (scaled units)
_BLOCK = 1 << 16         # entries per block of the (points x atoms) arrays
_REAL_TOL = 1e-7        # |Im u| below which the root at a real z is real (off the support)


# --------------------------------------------------------------------------------------------
# validation helpers
# --------------------------------------------------------------------------------------------
def _check_population(population_eigs: Any, weights: Any) -> tuple[np.ndarray, np.ndarray]:
    t = check_array("population_eigs", population_eigs, ndim=1, low=0.0)
    if t.max() <= 0:
        raise ValueError("population_eigs must contain at least one positive eigenvalue")
    w = check_weights("weights", weights, t.size)
    return _merge_atoms(t, w)


def _merge_atoms(t: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Drop zero weights and merge equal eigenvalues (summing their weights)."""
    keep = w > 0
    values, inverse = np.unique(t[keep], return_inverse=True)
    return values, np.bincount(inverse.ravel(), weights=w[keep], minlength=values.size)


def _check_z(z: Any) -> np.ndarray:
    return check_array("z", z, allow_complex=True)


def _check_matrix_population(C: Any, n: Any) -> tuple[np.ndarray, np.ndarray, int]:
    """Eigen-decomposition of a symmetric PSD population covariance ``C``."""
    C = check_array("C", C, ndim=2)
    p = C.shape[0]
    if C.shape[1] != p:
        raise ValueError(f"C must be a square p x p matrix, got shape {C.shape}")
    n = check_int("n", n, low=1)
    scale = max(float(np.abs(C).max()), np.finfo(float).tiny)
    if np.abs(C - C.T).max() > 1e-10 * scale:
        raise ValueError("C must be symmetric (a population covariance)")
    t, V = np.linalg.eigh((C + C.T) / 2)
    if t.min() < -1e-10 * scale * p:
        raise ValueError(f"C must be positive semi-definite, got an eigenvalue {t.min():g}")
    if t.max() <= 0:
        raise ValueError("C must have at least one positive eigenvalue")
    return np.clip(t, 0.0, None), V, n


# --------------------------------------------------------------------------------------------
# the scalar equation
# --------------------------------------------------------------------------------------------
def _equation(u: np.ndarray, z: np.ndarray, t: np.ndarray, wt: np.ndarray, c: float) -> tuple[np.ndarray, np.ndarray]:
    """Residual ``F(u) = u (1 - c s(u)) - z`` and its derivative, ``wt = w * t``.

    ``s(u) = sum_k wt_k / (t_k - u)`` and ``s'(u) = sum_k wt_k / (t_k - u)^2``, evaluated in real
    arithmetic (``1 / (a - i b) = (a + i b) / (a^2 + b^2)``), several times faster than complex.
    """
    s = np.empty(u.shape, dtype=complex)
    ds = np.empty(u.shape, dtype=complex)
    rows = max(1, _BLOCK // t.size)  # blocks of rows small enough to stay in cache
    for start in range(0, u.size, rows):
        sl = slice(start, start + rows)
        a = t[None, :] - u.real[sl, None]
        b = u.imag[sl]
        r = 1.0 / (a * a + (b * b)[:, None])
        ar = a * r
        s[sl] = ar @ wt + 1j * b * (r @ wt)
        ds[sl] = (ar * ar) @ wt - (b * b) * ((r * r) @ wt) + 2j * b * ((ar * r) @ wt)
    return u * (1.0 - c * s) - z, 1.0 - c * s - c * u * ds


def _newton(
    u: np.ndarray, z: np.ndarray, t: np.ndarray, wt: np.ndarray, c: float, guard: np.ndarray, tol: float
) -> np.ndarray:
    """Newton iterations on ``F(u) = 0`` from ``u``, keeping ``Im u > 0`` where ``guard``."""
    u = u.copy()
    active = np.ones(u.shape, dtype=bool)
    for _ in range(_MAX_NEWTON):
        idx = np.flatnonzero(active)
        if idx.size == 0:
            break
        F, dF = _equation(u[idx], z[idx], t, wt, c)
        dF = np.where(dF == 0, 1e-300, dF)
        step = F / dF
        new = u[idx] - step
        g = guard[idx]
        for _ in range(_MAX_HALVINGS):
            bad = g & ~(new.imag > 0)
            if not bad.any():
                break
            step = np.where(bad, step / 2, step)
            new = np.where(bad, u[idx] - step, new)
        converged = np.abs(step) <= tol * (1.0 + np.abs(new))
        converged |= ~np.isfinite(new)  # left for the final residual check to report
        u[idx] = new
        active[idx[converged]] = False
    return u


def _solve_u(z: np.ndarray, t: np.ndarray, w: np.ndarray, c: float) -> np.ndarray:
    """Root ``u`` of ``u (1 - c s(u)) = z`` for ``z`` (complex, ``Im z >= 0``) in scaled units.

    Raises ``ValueError`` for real ``z`` in the support, ``RuntimeError`` if Newton fails.
    """
    wt = w * t
    y = z.imag
    is_real = y == 0
    u = z + 1j * (y + _Y_START)  # ~ the root far from the support (u ~ z at infinity)
    for k in range(_N_LEVELS):
        added = _Y_START * _Y_RATIO**k
        # a level whose added height is small against Im z changes nothing: skip it
        idx = np.flatnonzero(added >= 1e-3 * y)
        if idx.size == 0:
            break
        guard = np.ones(idx.size, dtype=bool)
        u[idx] = _newton(u[idx], z[idx] + 1j * added, t, wt, c, guard, _LEVEL_TOL)
    u = _newton(u, z, t, wt, c, ~is_real, _STEP_TOL)
    F, dF = _equation(u, z, t, wt, c)
    bad = ~np.isfinite(u) | ~(np.abs(F) <= _RESIDUAL_TOL * (1.0 + np.abs(z)))
    if bad.any():
        raise RuntimeError(
            "the deterministic-equivalent equation did not converge at z = "
            f"{z[bad][0]!r} (scaled); the point may be too close to an edge of the support"
        )
    on_support = is_real & ((np.abs(u.imag) > _REAL_TOL) | ~(dF.real > 0))
    if on_support.any():
        raise ValueError(
            "z must lie off the support of the limiting spectral law (or have Im z != 0); "
            "a real z given lies in the support"
        )
    u = np.where(is_real, u.real + 0j, u)
    return u


def _effective(z: np.ndarray, t: np.ndarray, w: np.ndarray, c: float) -> tuple[np.ndarray, float]:
    """Effective parameter ``u(z)`` for every ``z`` (any shape) and the scale used.

    Returns ``u`` in original units (complex array of ``z``'s shape).
    """
    zero = z == 0
    if zero.any() and (c >= 1 or t.min() <= 0):
        raise ValueError(
            "z = 0 lies in the support of the limiting law (an atom at zero or the hard edge) "
            "when ratio >= 1 or the population has a zero eigenvalue; use z != 0"
        )
    scale = float(t.max()) * (1.0 + np.sqrt(c)) ** 2  # the support lies in [0, scale]
    zs = (z.astype(complex) / scale).ravel()
    lower = zs.imag < 0
    zs = np.where(lower, np.conj(zs), zs)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        u = _solve_u(zs, t / scale, w, c)
    u = np.where(lower, np.conj(u), u)
    return (u * scale).reshape(z.shape), scale


def _delta_from_u(u: np.ndarray, t: np.ndarray, w: np.ndarray, c: float) -> np.ndarray:
    s = (1.0 / (t[None, :] - u.ravel()[:, None])) @ (w * t)
    return (c * s / (1.0 - c * s)).reshape(u.shape)


def _as_output(values: np.ndarray, z: np.ndarray) -> Any:
    """Real output for real ``z``; a scalar for a 0-d ``z``."""
    if not np.iscomplexobj(z):
        values = values.real
    return values[()] if values.ndim == 0 else values


# --------------------------------------------------------------------------------------------
# public API: population given by its spectrum
# --------------------------------------------------------------------------------------------
def deterministic_delta(z: Any, population_eigs: Any, ratio: float, weights: Any = None) -> Any:
    """Solution ``delta(z)`` of ``delta = (1/n) tr C Qbar(z)``, ``Qbar = (-z I + C/(1 + delta))^{-1}``.

    Parameters
    ----------
    z
        Spectral parameter(s), real or complex, any shape, off the support of the limiting
        spectral law of ``Chat = C^{1/2} Z Z^T C^{1/2} / n`` (negative reals are the typical
        use: ``z = -gamma`` in ridge regression). ``z = 0`` is accepted when ``ratio < 1`` and
        every population eigenvalue is positive (then ``delta(0) = ratio / (1 - ratio)``).
    population_eigs
        Eigenvalues ``t_k >= 0`` of the population covariance ``C`` (not all zero).
    ratio
        Dimension ratio ``c = p / n > 0``.
    weights
        Masses ``w_k`` of the population spectral measure ``H = sum_k w_k delta_{t_k}``
        (normalized to sum 1; uniform when ``None``).

    Returns
    -------
    delta : float or complex, or ndarray of z's shape
        Real for real ``z``; ``Im delta > 0`` when ``Im z > 0``.

    Raises
    ------
    ValueError
        For invalid arguments or a real ``z`` in the support of the limiting law.
    RuntimeError
        If the Newton continuation fails to converge (not observed off the support).

    Notes
    -----
    ``delta = c s(u) / (1 - c s(u))`` with ``s(u) = sum_k w_k t_k / (t_k - u)`` and ``u`` the
    root of ``z = u (1 - c s(u))`` described in the module docstring. Check value: eigenvalues
    ``{1, 3, 7}``, equal weights, ``c = 0.1``: ``delta(-1) = 0.0746970``.

    References
    ----------
    Silverstein & Bai (1995); Couillet & Liao (2022), Thm. 2.6.
    Used in the chapter *Deterministic equivalents and the Marchenko-Pastur law*.
    """
    z = _check_z(z)
    t, w = _check_population(population_eigs, weights)
    c = check_positive("ratio", ratio)
    u, _ = _effective(z, t, w, c)
    return _as_output(_delta_from_u(u, t, w, c), z)


def deterministic_stieltjes(z: Any, population_eigs: Any, ratio: float, weights: Any = None) -> Any:
    """Limiting Stieltjes transform ``m(z) = (1/p) tr Qbar(z)`` of ``Chat = X X^T / n``.

    ``m(z) = int (x - z)^{-1} mu(dx)`` for the limiting spectral law ``mu`` of ``Chat``
    (its atom at zero included when ``ratio > 1``); equal to ``(1 + delta) sum_k w_k / (t_k - u)``.
    Parameters, returns and errors as in :func:`deterministic_delta`.

    References
    ----------
    Marchenko & Pastur (1967); Silverstein & Bai (1995).
    Used in the chapter *Deterministic equivalents and the Marchenko-Pastur law*.
    """
    z = _check_z(z)
    t, w = _check_population(population_eigs, weights)
    c = check_positive("ratio", ratio)
    u, _ = _effective(z, t, w, c)
    delta = _delta_from_u(u, t, w, c)
    mh = ((1.0 / (t[None, :] - u.ravel()[:, None])) @ w).reshape(u.shape)
    return _as_output((1.0 + delta) * mh, z)


# --------------------------------------------------------------------------------------------
# public API: population given by its covariance matrix
# --------------------------------------------------------------------------------------------
def _resolvent_diagonal(z: np.ndarray, t: np.ndarray, n: int) -> np.ndarray:
    """Eigenvalues ``1 / (t_i / (1 + delta) - z)`` of ``Qbar(z)``, shape ``z.shape + (p,)``."""
    p = t.size
    atoms, w = _merge_atoms(t, np.full(p, 1.0 / p))
    u, _ = _effective(z, atoms, w, p / n)
    delta = _delta_from_u(u, atoms, w, p / n)
    return (1.0 + delta)[..., None] / (t - u[..., None])


def deterministic_resolvent(z: Any, C: Any, n: int) -> np.ndarray:
    """The matrix ``Qbar(z) = (-z I_p + C / (1 + delta(z)))^{-1}`` for a population covariance ``C``.

    Parameters
    ----------
    z
        A real or complex scalar off the support of the limiting law of ``Chat``.
    C
        Symmetric positive semi-definite ``p x p`` population covariance.
    n
        Number of samples; ``delta`` is computed at ratio ``p / n`` with ``H`` the spectral
        measure of ``C``.

    Returns
    -------
    Qbar : ndarray, shape (p, p)
        Real for real ``z``, complex otherwise.

    References
    ----------
    Couillet & Liao (2022), Thm. 2.6; Liao & Mahoney (2025).
    Used in the chapter *Deterministic equivalents and the Marchenko-Pastur law*.
    """
    z = _check_z(z)
    if z.ndim != 0:
        raise ValueError(f"z must be a scalar, got shape {z.shape}")
    t, V, n = _check_matrix_population(C, n)
    g = _resolvent_diagonal(z, t, n)
    Q = (V * g) @ V.T
    return Q if np.iscomplexobj(z) else Q.real


def bilinear_form_equivalent(a: Any, b: Any, z: Any, C: Any, n: int) -> Any:
    """Deterministic equivalent ``a^T Qbar(z) b`` of the bilinear form ``a^T Q(z) b``.

    Parameters
    ----------
    a, b
        Deterministic vectors of length ``p`` (no complex conjugation is applied).
    z
        Spectral parameter(s) off the support, any shape.
    C, n
        Population covariance (``p x p``, symmetric PSD) and number of samples.

    Returns
    -------
    float or complex, or ndarray of z's shape.

    References
    ----------
    Couillet & Liao (2022), Thm. 2.6.
    Used in the chapter *Deterministic equivalents and the Marchenko-Pastur law*.
    """
    z = _check_z(z)
    t, V, n = _check_matrix_population(C, n)
    a = check_array("a", a, ndim=1, shape=(t.size,))
    b = check_array("b", b, ndim=1, shape=(t.size,))
    g = _resolvent_diagonal(z, t, n)
    return _as_output(g @ ((V.T @ a) * (V.T @ b)), z)


def trace_equivalent(A: Any, z: Any, C: Any, n: int) -> Any:
    """Deterministic equivalent ``(1/p) tr A Qbar(z)`` of the normalized trace ``(1/p) tr A Q(z)``.

    Parameters
    ----------
    A
        Deterministic ``p x p`` matrix, or ``None`` for the identity.
    z
        Spectral parameter(s) off the support, any shape.
    C, n
        Population covariance (``p x p``, symmetric PSD) and number of samples.

    Returns
    -------
    float or complex, or ndarray of z's shape. For ``A = I`` and ``C`` with eigenvalues
    ``{1, 3, 7}`` equally represented, ``c = 0.1``, ``z = -1``: ``0.3049484``.

    References
    ----------
    Couillet & Liao (2022), Thm. 2.6.
    Used in the chapter *Deterministic equivalents and the Marchenko-Pastur law*.
    """
    z = _check_z(z)
    t, V, n = _check_matrix_population(C, n)
    p = t.size
    if A is None:
        d = np.ones(p)
    else:
        A = check_array("A", A, ndim=2, shape=(p, p))
        d = np.einsum("ij,ik,kj->j", V, A, V)  # diag(V^T A V)
    g = _resolvent_diagonal(z, t, n)
    return _as_output(g @ d / p, z)


# --------------------------------------------------------------------------------------------
# linear spectral statistics by contour integration
# --------------------------------------------------------------------------------------------
def _support_hull(t: np.ndarray, c: float) -> tuple[float, float]:
    """An interval ``[lo, hi]`` containing the support of the limiting law (atom included)."""
    hi = float(t.max()) * (1.0 + np.sqrt(c)) ** 2
    lo = float(t.min()) * (1.0 - np.sqrt(c)) ** 2 if c < 1 else 0.0
    return lo, hi


def _ellipse_level(points: np.ndarray, mid: float, half: float) -> np.ndarray:
    """Bernstein parameter ``rho >= 1`` of the ellipse with foci ``mid +- half`` through ``points``."""
    wz = (points - mid) / half
    root = np.sqrt(wz - 1 + 0j) * np.sqrt(wz + 1 + 0j)
    return np.maximum(np.abs(wz + root), np.abs(wz - root))


def linear_spectral_statistic(
    f: Callable[[np.ndarray], Any],
    population_eigs: Any,
    ratio: float,
    weights: Any = None,
    *,
    singularities: Sequence[complex] = (),
    num_points: int | None = None,
) -> Any:
    """Limit of ``(1/p) sum_i f(lambda_i(Chat))`` by contour integration of the Stieltjes transform.

    Computes ``int f d mu = -(1 / (2 pi i)) oint f(z) m(z) dz`` on an ellipse that encloses the
    support of the limiting law ``mu`` of ``Chat`` (and its atom at zero when ``ratio >= 1``),
    with the trapezoid rule, which converges geometrically for integrands analytic near the
    contour.

    Parameters
    ----------
    f
        Vectorized callable, analytic on a neighbourhood of the support, evaluated at complex
        arrays (e.g. ``np.log``, ``lambda x: x**2``).
    population_eigs, ratio, weights
        Population spectral measure and ratio ``c = p / n`` (as :func:`deterministic_delta`).
    singularities
        Points where ``f`` is not analytic (poles, branch points such as ``0`` for ``np.log``
        or ``np.sqrt``); branch cuts must run away from the support, like the principal
        branches along ``(-inf, 0]``. ``()`` (default) declares ``f`` entire. A singular point
        inside the hull of the support (for example ``0`` when ``ratio >= 1``) is refused.
    num_points
        Quadrature nodes on the contour; by default chosen from the contour geometry for about
        13 digits (between 64 and 8192).

    Returns
    -------
    float or complex
        A float when the imaginary part vanishes to rounding (``f`` real on the real axis).

    Raises
    ------
    ValueError
        For invalid arguments, or a singularity of ``f`` inside the support's hull.
    RuntimeError
        If the quadrature has not converged (compared with the rule on every other node),
        which signals a singularity of ``f`` near the contour that was not declared.

    References
    ----------
    Bai & Silverstein (2004); Couillet & Liao (2022), Sec. 2.
    Used in the chapter *Deterministic equivalents and the Marchenko-Pastur law*.
    """
    f = check_vectorized_callable("f", f, allow_complex=True)
    t, w = _check_population(population_eigs, weights)
    c = check_positive("ratio", ratio)
    try:
        sing_in = np.atleast_1d(np.asarray(singularities))
    except (ValueError, TypeError) as exc:  # ragged nested sequences
        raise TypeError(f"singularities must be a sequence of numbers, got {singularities!r:.60}") from exc
    sing = (check_array("singularities", sing_in, ndim=1, allow_complex=True) if sing_in.size
            else np.zeros(0, dtype=complex))
    lo, hi = _support_hull(t, c)
    mid, half = (lo + hi) / 2, (hi - lo) / 2
    rho_max = 2.0
    if sing.size:
        rho_s = _ellipse_level(sing, mid, half)
        if rho_s.min() <= 1 + 1e-12:
            raise ValueError(
                f"singularities must lie outside the hull [{lo:g}, {hi:g}] of the support of the "
                "limiting law (f must be analytic on a neighbourhood of the support and of the "
                "atom at zero when ratio >= 1)"
            )
        rho = min(float(np.sqrt(rho_s.min())), rho_max)
    else:
        rho = rho_max
    chosen = num_points is not None
    if num_points is None:
        num_points = int(np.clip(np.ceil(30.0 / np.log(rho)), 64, 8192))
    num_points = check_int("num_points", num_points, low=8, high=65536)
    num_points += num_points % 2
    theta = 2 * np.pi * (np.arange(num_points // 2) + 0.5) / num_points  # upper half, no real node
    a_ax, b_ax = half * (rho + 1 / rho) / 2, half * (rho - 1 / rho) / 2
    z_up = mid + a_ax * np.cos(theta) + 1j * b_ax * np.sin(theta)
    dz_up = -a_ax * np.sin(theta) + 1j * b_ax * np.cos(theta)
    m_up = deterministic_stieltjes(z_up, t, c, w)
    z_all = np.concatenate([z_up, np.conj(z_up[::-1])])
    dz_all = np.concatenate([dz_up, -np.conj(dz_up[::-1])])  # dz(2 pi - theta) = -conj dz(theta)
    m_all = np.concatenate([m_up, np.conj(m_up[::-1])])
    with np.errstate(all="ignore"):
        fz = np.asarray(f(z_all))
    if fz.shape != z_all.shape:
        raise ValueError(f"f must be vectorized (return an array of its input's shape), got shape {fz.shape}")
    if not np.all(np.isfinite(fz)):
        raise ValueError(
            "f must be finite on the contour around the support of the law of population_eigs and "
            "ratio; declare its singularities (or, at extreme scales of population_eigs or ratio, "
            "f over- or underflows there)"
        )
    terms = fz * m_all * dz_all
    h = 2 * np.pi / num_points
    value = -(h * terms.sum()) / (2j * np.pi)
    coarse = -(2 * h * terms[::2].sum()) / (2j * np.pi)
    size = 1.0 + abs(value)
    if abs(value - coarse) > 1e-5 * size and chosen:  # the caller's num_points is too small
        raise ValueError(
            f"num_points = {num_points} is too few: the contour quadrature did not converge "
            f"(difference {abs(value - coarse):.2g} with half the nodes); leave num_points=None to "
            "size it from the singularities, or increase it"
        )
    if abs(value - coarse) > 1e-5 * size:
        raise RuntimeError(
            "the contour quadrature did not converge (difference "
            f"{abs(value - coarse):.2g} with half the nodes); declare the singularities of f "
            "or increase num_points"
        )
    if abs(value.imag) <= 1e-10 * size:
        return float(value.real)
    return complex(value)
