"""Argument validation shared by every public function of :mod:`rmtbook`.

Every check raises :class:`TypeError` for a value of the wrong kind and :class:`ValueError` for
a value of the right kind outside its accepted range; the message always names the argument
and states the accepted range, so that a reader's mistake never turns into a silent NaN.

This is the bottom layer of the package: it imports nothing from :mod:`rmtbook`.
"""

from __future__ import annotations

import numbers
import warnings
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np

__all__: list[str] = []  # internal module; nothing is re-exported


def _describe(value: Any) -> str:
    """Short description of a value for error messages."""
    if isinstance(value, np.ndarray):
        return f"array of shape {value.shape} and dtype {value.dtype}"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _range_text(low: float | None, high: float | None, low_open: bool, high_open: bool) -> str:
    """Human-readable interval such as ``(0, inf)`` or ``[0, 1]``."""
    left = "(" if low_open or low is None else "["
    right = ")" if high_open or high is None else "]"
    lo = "-inf" if low is None else f"{low:g}"
    hi = "inf" if high is None else f"{high:g}"
    return f"{left}{lo}, {hi}{right}"


def check_scalar(
    name: str,
    value: Any,
    *,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    high_open: bool = False,
    allow_inf: bool = False,
) -> float:
    """Validate a real scalar and return it as a Python float.

    Parameters
    ----------
    name
        Argument name used in the error message.
    value
        The value to check; Python and numpy real numbers (not bool) are accepted.
    low, high
        Bounds of the accepted interval (``None`` for unbounded).
    low_open, high_open
        Whether the corresponding bound is excluded.
    allow_inf
        Accept ``+inf``/``-inf`` (when within the bounds). NaN is never accepted.

    Raises
    ------
    TypeError
        If ``value`` is not a real number.
    ValueError
        If ``value`` is NaN, infinite (unless allowed) or outside the interval.
    """
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value[()]
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {_describe(value)}")
    x = float(value)
    interval = _range_text(low, high, low_open, high_open)
    if np.isnan(x):
        raise ValueError(f"{name} must be a real number in {interval}, got nan")
    if np.isinf(x) and not allow_inf:
        raise ValueError(f"{name} must be finite and in {interval}, got {x}")
    if low is not None and (x < low or (low_open and x == low)):
        raise ValueError(f"{name} must be in {interval}, got {x:g}")
    if high is not None and (x > high or (high_open and x == high)):
        raise ValueError(f"{name} must be in {interval}, got {x:g}")
    return x


def check_positive(name: str, value: Any, *, allow_zero: bool = False) -> float:
    """Validate a finite real scalar that is positive (or non-negative with ``allow_zero``)."""
    return check_scalar(name, value, low=0.0, low_open=not allow_zero)


def check_int(name: str, value: Any, *, low: int | None = None, high: int | None = None) -> int:
    """Validate an integer (Python or numpy, not bool) in ``[low, high]`` and return an ``int``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {_describe(value)}")
    v = int(value)
    interval = f"[{'-inf' if low is None else low}, {'inf' if high is None else high}]"
    if (low is not None and v < low) or (high is not None and v > high):
        raise ValueError(f"{name} must be an integer in {interval}, got {v}")
    return v


def check_array(
    name: str,
    value: Any,
    *,
    ndim: int | Sequence[int] | None = None,
    shape: tuple[int | None, ...] | None = None,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    high_open: bool = False,
    allow_inf: bool = False,
    allow_complex: bool = False,
    min_size: int = 1,
) -> np.ndarray:
    """Validate an array-like of real (or complex) numbers and return a float/complex array.

    Parameters
    ----------
    name
        Argument name used in the error message.
    value
        Array-like (lists, tuples, numpy arrays, scalars).
    ndim
        Accepted number(s) of dimensions, or ``None`` for any.
    shape
        Expected shape; ``None`` entries are free.
    low, high, low_open, high_open
        Bounds on every entry (real arrays only).
    allow_inf
        Accept infinite entries. NaN is never accepted.
    allow_complex
        Accept complex entries (bounds are then not checked).
    min_size
        Minimum number of entries (1 by default: empty arrays are refused).

    Raises
    ------
    TypeError
        If ``value`` is not numeric (strings, objects, booleans).
    ValueError
        For wrong dimensions or shape, too few entries, NaN/inf or out-of-range entries.
    """
    if isinstance(value, str) or value is None:
        raise TypeError(f"{name} must be an array of numbers, got {_describe(value)}")
    try:
        arr = np.asarray(value)
    except Exception as exc:  # ragged nested sequences and the like
        raise TypeError(f"{name} must be an array of numbers, got {_describe(value)}") from exc
    if arr.dtype == bool or not (
        np.issubdtype(arr.dtype, np.integer)
        or np.issubdtype(arr.dtype, np.floating)
        or (allow_complex and np.issubdtype(arr.dtype, np.complexfloating))
    ):
        kind = "real or complex numbers" if allow_complex else "real numbers"
        raise TypeError(f"{name} must be an array of {kind}, got {_describe(arr)}")
    if np.issubdtype(arr.dtype, np.complexfloating):
        arr = arr.astype(complex)
    else:
        arr = arr.astype(float)
    if ndim is not None:
        accepted = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if arr.ndim not in accepted:
            want = " or ".join(str(d) for d in accepted)
            raise ValueError(f"{name} must have {want} dimension(s), got shape {arr.shape}")
    if shape is not None:
        if arr.ndim != len(shape) or any(s is not None and s != a for s, a in zip(shape, arr.shape)):
            want = "(" + ", ".join("any" if s is None else str(s) for s in shape) + ")"
            raise ValueError(f"{name} must have shape {want}, got {arr.shape}")
    if arr.size < min_size:
        raise ValueError(f"{name} must have at least {min_size} entr{'y' if min_size == 1 else 'ies'}, got {arr.size}")
    if np.isnan(arr).any():
        raise ValueError(f"{name} must not contain NaN")
    if not allow_inf and not np.isfinite(arr).all():
        raise ValueError(f"{name} must contain only finite numbers")
    if not np.iscomplexobj(arr) and (low is not None or high is not None):
        interval = _range_text(low, high, low_open, high_open)
        bad = np.zeros(arr.shape, dtype=bool)
        if low is not None:
            bad |= arr < low if not low_open else arr <= low
        if high is not None:
            bad |= arr > high if not high_open else arr >= high
        if bad.any():
            first = arr[bad].flat[0]
            raise ValueError(f"entries of {name} must be in {interval}, got {first:g}")
    return arr


def check_matching_columns(name_a: str, a: np.ndarray, name_b: str, b: np.ndarray) -> None:
    """Check that ``b`` has one entry per column of ``a`` (``a`` is ``p x n``, ``b`` has length n)."""
    n = a.shape[-1]
    if b.shape[0] != n:
        raise ValueError(
            f"{name_b} must have one entry per column of {name_a} ({n}), got length {b.shape[0]}"
        )


def check_choice(name: str, value: Any, choices: Iterable[str]) -> str:
    """Validate a string option against a list of accepted values (listed in the message)."""
    options = sorted(choices)
    if not isinstance(value, str):
        raise TypeError(f"{name} must be one of {options}, got {_describe(value)}")
    key = value.lower()
    if key not in options:
        raise ValueError(f"unknown {name} {value!r}; valid values are {options}")
    return key


def check_callable(name: str, value: Any) -> Callable[..., Any]:
    """Validate a callable."""
    if not callable(value):
        raise TypeError(f"{name} must be callable, got {_describe(value)}")
    return value


#: Real probe of :func:`check_vectorized_callable`: a 2-D array (kernels evaluate activations on
#: grids) from 0 to +-40, the range of the package's Gaussian quadratures.
REAL_PROBE = np.array([[-40.0, -8.0, -2.0, -0.5, -1e-3, 0.0], [1e-3, 0.5, 1.0, 2.0, 8.0, 40.0]])
#: Complex probe (contour integrals): points of a circle of radius 2 around 1, as a 2-D array.
COMPLEX_PROBE = (1.0 + 2.0 * np.exp(2j * np.pi * np.arange(8) / 8)).reshape(2, 4)


def check_vectorized_callable(
    name: str, f: Any, probe: Any = None, *, allow_complex: bool = False
) -> Callable[..., Any]:
    """Validate a user callable meant to act elementwise on arrays, by one evaluation on a probe.

    The one place where every user callable (an activation, a kernel function ``f``, a test
    function of a spectral statistic) is checked, so that a callable that is not vectorized,
    returns the wrong shape, NaN, inf or complex values, or raises, gives a clear error naming
    the argument instead of an IndexError, einsum error or NaN deep inside.

    Parameters
    ----------
    name
        Argument name used in the error message (``"activation"``, ``"f"``, ...).
    f
        The callable.
    probe
        Array on which ``f`` is evaluated (default :data:`REAL_PROBE`, or :data:`COMPLEX_PROBE`
        with ``allow_complex``).
    allow_complex
        Accept complex output (analytic test functions on a contour).

    Returns
    -------
    callable
        ``f`` itself.

    Raises
    ------
    TypeError
        If ``f`` is not callable, or returns non-numeric values.
    ValueError
        If ``f`` raises on the probe, returns a shape other than the probe's, or non-finite
        (or, unless allowed, complex) values.
    """
    if not callable(f):
        raise TypeError(f"{name} must be callable, got {_describe(f)}")
    x = np.array((COMPLEX_PROBE if allow_complex else REAL_PROBE) if probe is None else probe)
    where = f"on a probe array of shape {x.shape}"
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            out = f(x.copy())
    except Exception as exc:  # the user's callable: any failure becomes a clear refusal
        raise ValueError(
            f"{name} must be a vectorized (elementwise) callable on numpy arrays; calling it {where} "
            f"raised {type(exc).__name__}: {exc}"
        ) from exc
    try:
        arr = np.asarray(out)
    except Exception as exc:
        raise TypeError(f"{name} must return an array of numbers, got {_describe(out)}") from exc
    if arr.shape != x.shape:
        raise ValueError(
            f"{name} must be vectorized: it must return an array of the input's shape {x.shape}, "
            f"got {'a scalar' if arr.ndim == 0 else f'shape {arr.shape}'} {where}"
        )
    if not (arr.dtype == bool or np.issubdtype(arr.dtype, np.number)):
        raise TypeError(f"{name} must return real numbers, got dtype {arr.dtype}")
    if np.iscomplexobj(arr) and not allow_complex:
        raise ValueError(f"{name} must return real values, got complex values {where}")
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} must return finite values, got NaN or inf {where}")
    return f


def check_data_scale(name: str, X: np.ndarray) -> np.ndarray:
    """Refuse data (columns are samples) whose Gram matrix ``X^T X`` leaves the double range.

    Kernels of data are functions of ``X^T X``: entries beyond about 1e154 make the squared column
    norms overflow, and the kernels would be inf - inf = NaN. Returns ``X``.
    """
    top = float(np.abs(X).max()) if X.size else 0.0
    if top > 0:
        with np.errstate(over="ignore"):
            largest = top * top * float(np.max(np.sum((X / top) ** 2, axis=0)))
        if not np.isfinite(largest):
            raise ValueError(
                f"{name}: its squared column norms overflow (entries up to {top:g}), so does the "
                f"Gram matrix {name}^T {name}; rescale {name}"
            )
    return X


def check_bool(name: str, value: Any) -> bool:
    """Validate a boolean flag (Python or numpy bool; strings such as ``'yes'`` are refused)."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {_describe(value)}")
    return bool(value)


def check_weights(name: str, weights: Any, size: int, *, of: str | None = None) -> np.ndarray:
    """Validate non-negative weights of a given length and return them normalized to sum 1.

    ``None`` gives uniform weights. ``of`` names the argument holding the weighted values, so that
    a length mismatch names both arguments.
    """
    if weights is None:
        return np.full(size, 1.0 / size)
    w = check_array(name, weights, ndim=1, low=0.0)
    if w.shape[0] != size:
        per = "eigenvalue" if of is None else f"entry of {of}"
        raise ValueError(f"{name} must have length {size} (one weight per {per}), got {w.shape[0]}")
    total = w.sum()
    if total <= 0:
        raise ValueError(f"{name} must have a positive sum, got {total:g}")
    return w / total


def renamed_kwargs(**renames: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorator keeping old keyword names of a function working, with a DeprecationWarning.

    ``@renamed_kwargs(bulk="population_eigs")`` lets callers still write ``f(bulk=...)`` for one
    release: the value is passed on as ``population_eigs`` and a :class:`DeprecationWarning`
    names both spellings. Giving both the old and the new name is a :class:`TypeError`.

    Parameters
    ----------
    **renames
        ``old_name="new_name"`` pairs.

    Returns
    -------
    callable
        A decorator; the decorated function keeps its signature (``functools.wraps``).
    """
    import functools

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            for old, new in renames.items():
                if old in kwargs:
                    if new in kwargs:
                        raise TypeError(
                            f"{func.__name__}() got both {old!r} (deprecated) and {new!r}; give only {new!r}"
                        )
                    warnings.warn(
                        f"{func.__name__}(): the keyword {old!r} is deprecated and will be removed in "
                        f"the next release; use {new!r}",
                        DeprecationWarning,
                        stacklevel=2,
                    )
                    kwargs[new] = kwargs.pop(old)
            return func(*args, **kwargs)

        return wrapper

    return decorate


def deprecated_alias(name: str, replacement: str) -> None:
    """Emit the DeprecationWarning of a renamed attribute or key ``name`` (use ``replacement``)."""
    warnings.warn(
        f"{name!r} is deprecated and will be removed in the next release; use {replacement!r}",
        DeprecationWarning,
        stacklevel=3,
    )
