"""Deterministic equivalents for the resolvent of a sample covariance matrix.

For data ``X = C^{1/2} Z`` (``p x n``, ``Z`` with i.i.d. standardized entries) the sample
covariance ``Chat = X X^T / n`` has resolvent ``Q(z) = (Chat - z I_p)^{-1}``. In the proportional
regime (``p, n -> inf``, ``p / n = c``) the random matrix ``Q(z)`` is, for bilinear forms and
normalized traces, close to the deterministic matrix

.. math::

    \\bar Q(z) = \\Big(-z I_p + \\frac{C}{1 + \\delta(z)}\\Big)^{-1}, \\qquad
    \\delta(z) = \\frac1n \\operatorname{tr} C \\bar Q(z).

Writing ``u = z (1 + delta)`` (the "effective spectral parameter", ``u = -1/mu`` with ``mu``
the companion Stieltjes transform) turns the fixed point into Silverstein's scalar equation
``z = u (1 - c s(u))``, ``s(u) = int t / (t - u) H(dt)``, and ``Qbar = (u / z) (C - u I)^{-1}``.
The equation is solved by the package's one solver, :mod:`rmtbook._silverstein`, shared with
the law objects of :mod:`rmtbook.laws`: the functions here are thin wrappers, and
``deterministic_stieltjes(z, t, c, w)`` *is* ``sample_covariance_law(t, c, w).stieltjes(z)``.

Behaviour, decided once for the package: values are complex (``complex`` or complex arrays)
for every ``z``; at a real ``z`` off the support they are real-valued (zero imaginary part),
at a real ``z`` on the support they are the upper boundary values ``z + i0`` (the limit of the
deterministic equivalent, which approximates ``Q`` only at a distance from the spectrum);
``Im z < 0`` gives the conjugate of the value at ``conj z``. Zero population eigenvalues are
accepted everywhere.

This module is in the third layer: it imports :mod:`rmtbook._validation` only.
Used in :doc:`/chapters/03_marchenko_pastur` and by the
chapters on spiked models and ridge regression.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence

import numpy as np

from ._silverstein import Silverstein, make_population, merge_atoms
from ._typing import ArrayLike
from ._validation import check_array, check_int, check_vectorized_callable

__all__ = [
    "deterministic_delta",
    "deterministic_stieltjes",
    "deterministic_resolvent",
    "bilinear_form_equivalent",
    "trace_equivalent",
    "linear_spectral_statistic",
]


def _check_z(z: ArrayLike) -> np.ndarray:
    return check_array("z", z, allow_complex=True).astype(complex)


def _check_matrix_population(C: ArrayLike, n: int) -> tuple[np.ndarray, np.ndarray, int]:
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


def _solver(population_eigs: ArrayLike, ratio: float, weights: ArrayLike | None) -> Silverstein:
    return Silverstein(make_population(population_eigs, ratio, weights))


def _effective(z: np.ndarray, solver: Silverstein) -> tuple[np.ndarray, np.ndarray]:
    """``u(z)`` and ``u / z = 1 + delta(z)``, with its limit at ``z = 0``.

    At ``z = 0``: ``u = 0`` and ``u / z -> 1 / (1 - c (1 - w_0))`` when ``c (1 - w_0) < 1``;
    otherwise 0 carries an atom of the positive part or its hard edge, ``delta`` is infinite
    there and a :class:`RuntimeWarning` says so (the package's rule for singular points).
    """
    pop = solver.pop
    shape = z.shape
    z = z.ravel()
    zero = z == 0
    u = np.empty(z.shape, dtype=complex)
    u_over_z = np.empty(z.shape, dtype=complex)
    if np.any(~zero):
        u[~zero], u_over_z[~zero] = solver.u_over_z(z[~zero])
    if np.any(zero):
        u[zero] = solver.u(z[zero])
        if pop.c < 1.0:
            u_over_z[zero] = 1.0 / (1.0 - pop.c)
        else:
            _singular_warning()
            u_over_z[zero] = np.inf
    return u.reshape(shape), u_over_z.reshape(shape)


def _singular_warning() -> None:
    warnings.warn(
        "z = 0 is a singular point of the limiting law (an atom at zero or the hard edge, "
        "ratio >= 1): delta and Qbar are infinite there; returning inf",
        RuntimeWarning,
        stacklevel=4,
    )


def _as_output(values: np.ndarray):
    """A Python complex for a 0-d result, the complex array otherwise."""
    values = np.asarray(values, dtype=complex)
    return complex(values) if values.ndim == 0 else values


# --------------------------------------------------------------------------------------------
# public API: population given by its spectrum
# --------------------------------------------------------------------------------------------
def deterministic_delta(
    z: ArrayLike, population_eigs: ArrayLike, ratio: float, weights: ArrayLike | None = None
) -> complex | np.ndarray:
    """Solution ``delta(z)`` of ``delta = (1/n) tr C Qbar(z)``, ``Qbar = (-z I + C/(1 + delta))^{-1}``.

    Parameters
    ----------
    z
        Spectral parameter(s), real or complex, any shape, off the support of the limiting
        spectral law of ``Chat = C^{1/2} Z Z^T C^{1/2} / n`` (negative reals are the typical
        use: ``z = -gamma`` in ridge regression); a real ``z`` on the support gives the upper
        boundary value at ``z + i0``. At ``z = 0``, ``delta(0) = c' / (1 - c')`` with
        ``c' = ratio (1 - w_0)`` when ``c' < 1``; otherwise ``inf`` with a RuntimeWarning.
    population_eigs
        Eigenvalues ``t_k >= 0`` of the population covariance ``C`` (not all zero).
    ratio
        Dimension ratio ``c = p / n > 0``.
    weights
        Masses ``w_k`` of the population spectral measure ``H = sum_k w_k delta_{t_k}``
        (normalized to sum 1; uniform when ``None``).

    Returns
    -------
    delta : complex or complex ndarray of z's shape
        Zero imaginary part at real ``z`` off the support; ``Im delta > 0`` when ``Im z > 0``.

    Raises
    ------
    ValueError
        For invalid arguments.
    RuntimeError
        If a root fails verification on every path (never observed; please report it).

    Examples
    --------
    >>> d = deterministic_delta(-1.0, [1.0, 3.0, 7.0], 0.1)
    >>> round(d.real, 7), d.imag
    (0.074697, 0.0)

    Notes
    -----
    ``delta = c s(u) / (1 - c s(u))`` with ``s(u) = sum_k w_k t_k / (t_k - u)`` and ``u`` the
    root of ``z = u (1 - c s(u))`` described in the module docstring. Check value: eigenvalues
    ``{1, 3, 7}``, equal weights, ``c = 0.1``: ``delta(-1) = 0.0746970``.

    References
    ----------
    :cite:p:`silverstein1995empirical`; :cite:p:`couillet2022rmt`, Thm. 2.6.
    Used in :doc:`/chapters/03_marchenko_pastur`.
    """
    z = _check_z(z)
    solver = _solver(population_eigs, ratio, weights)
    pop = solver.pop
    u, u_over_z = _effective(z, solver)
    # delta = c s(u) (u / z): no cancellation at small |z| or large c
    t = pop.t * pop.scale
    s = ((1.0 / (t[None, :] - u.ravel()[:, None])) @ (pop.w * t)).reshape(u.shape)
    inf = np.isinf(u_over_z)
    with np.errstate(invalid="ignore"):  # complex inf * finite: handled below
        delta = np.where(inf, np.inf, pop.c * s * np.where(inf, 0.0, u_over_z))
    return _as_output(delta)


def deterministic_stieltjes(
    z: ArrayLike, population_eigs: ArrayLike, ratio: float, weights: ArrayLike | None = None
) -> complex | np.ndarray:
    """Limiting Stieltjes transform ``m(z) = (1/p) tr Qbar(z)`` of ``Chat = X X^T / n``.

    ``m(z) = int (x - z)^{-1} mu(dx)`` for the limiting spectral law ``mu`` of ``Chat``
    (its atom at zero included when ``ratio > 1``); equal to ``(1 + delta) sum_k w_k / (t_k - u)``.
    Parameters, returns and errors as in :func:`deterministic_delta`; the same function as
    ``sample_covariance_law(population_eigs, ratio, weights).stieltjes`` (one solver), so a
    real ``z`` on the support gives ``m(z + i0)``, whose imaginary part is ``pi`` times the
    density. At ``z = 0``: ``E_H[1/t] / (1 - ratio)`` when ``ratio < 1`` and no eigenvalue is
    0, else ``inf`` with a RuntimeWarning.

    Examples
    --------
    >>> round(deterministic_stieltjes(-1.0, [1.0, 3.0, 7.0], 0.1).real, 7)
    0.3049484
    >>> m = deterministic_stieltjes(1.0, [1.0], 0.5)  # on the support: density = Im m / pi
    >>> round(m.imag / 3.141592653589793, 6)
    0.421084

    References
    ----------
    :cite:p:`marchenko1967distribution`; :cite:p:`silverstein1995empirical`.
    Used in :doc:`/chapters/03_marchenko_pastur`.
    """
    z = _check_z(z)
    out = _solver(population_eigs, ratio, weights).stieltjes(z)
    if np.any(np.isinf(out)):
        _singular_warning()
    return _as_output(out)


# --------------------------------------------------------------------------------------------
# public API: population given by its covariance matrix
# --------------------------------------------------------------------------------------------
def _resolvent_diagonal(z: np.ndarray, t: np.ndarray, n: int) -> np.ndarray:
    """Eigenvalues ``(1 + delta) / (t_i - u)`` of ``Qbar(z)``, shape ``z.shape + (p,)``."""
    p = t.size
    atoms, w = merge_atoms(t, np.full(p, 1.0 / p))
    u, u_over_z = _effective(z, _solver(atoms, p / n, w))
    inf = np.isinf(u_over_z)[..., None] | (t == u[..., None])
    with np.errstate(divide="ignore", invalid="ignore"):  # 1/(t - u) at t = u = 0: inf, said once
        d = np.where(inf, np.inf, u_over_z[..., None] / np.where(inf, 1.0, t - u[..., None]))
    if np.any(np.isinf(d)) and not np.any(np.isinf(u_over_z)):
        _singular_warning()
    return d


def deterministic_resolvent(z: complex, C: ArrayLike, n: int) -> np.ndarray:
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
    :cite:p:`couillet2022rmt`, Thm. 2.6; :cite:p:`liao2025rmtdl`.
    Used in :doc:`/chapters/03_marchenko_pastur`.

    Examples
    --------
    >>> import numpy as np
    >>> Q = deterministic_resolvent(-1.0, np.diag([1.0, 3.0]), 20)  # complex, real-valued here
    >>> np.round(Q.real, 6)
    array([[0.515759, 0.      ],
           [0.      , 0.262009]])
    """
    z = _check_z(z)
    if z.ndim != 0:
        raise ValueError(f"z must be a scalar, got shape {z.shape}")
    t, V, n = _check_matrix_population(C, n)
    g = _resolvent_diagonal(z, t, n)
    return (V * g) @ V.T


def bilinear_form_equivalent(
    a: ArrayLike, b: ArrayLike, z: ArrayLike, C: ArrayLike, n: int
) -> complex | np.ndarray:
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
    :cite:p:`couillet2022rmt`, Thm. 2.6.
    Used in :doc:`/chapters/03_marchenko_pastur`.

    Examples
    --------
    >>> import numpy as np
    >>> round(bilinear_form_equivalent(np.ones(2), np.ones(2), -1.0, np.diag([1.0, 3.0]), 20).real, 6)
    0.777768
    """
    z = _check_z(z)
    t, V, n = _check_matrix_population(C, n)
    a = check_array("a", a, ndim=1, shape=(t.size,))
    b = check_array("b", b, ndim=1, shape=(t.size,))
    g = _resolvent_diagonal(z, t, n)
    return _as_output(g @ ((V.T @ a) * (V.T @ b)))


def trace_equivalent(A: ArrayLike | None, z: ArrayLike, C: ArrayLike, n: int) -> complex | np.ndarray:
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
    :cite:p:`couillet2022rmt`, Thm. 2.6.
    Used in :doc:`/chapters/03_marchenko_pastur`.

    Examples
    --------
    >>> import numpy as np
    >>> round(trace_equivalent(None, -1.0, np.diag([1.0, 3.0, 7.0] * 100), 3000).real, 7)
    0.3049484
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
    return _as_output(g @ d / p)


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
    f: Callable[[np.ndarray], np.ndarray],
    population_eigs: ArrayLike,
    ratio: float,
    weights: ArrayLike | None = None,
    *,
    singularities: Sequence[complex] = (),
    num_points: int | None = None,
) -> float | complex:
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
    :cite:p:`bai2004clt`; :cite:p:`couillet2022rmt`, Sec. 2.
    Used in :doc:`/chapters/03_marchenko_pastur`.

    Examples
    --------
    >>> import numpy as np
    >>> # int log x dMP_c(x) = -1 - ((1 - c)/c) log(1 - c): -0.3068528 at c = 1/2
    >>> round(linear_spectral_statistic(np.log, [1.0], 0.5, singularities=[0.0]), 7)
    -0.3068528
    """
    f = check_vectorized_callable("f", f, allow_complex=True)
    pop = make_population(population_eigs, ratio, weights)
    t, w, c = pop.eigs, pop.weights, pop.ratio
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
