"""The one place where :mod:`rmtbook` turns an ``rng`` argument into a random generator.

Every function that draws random numbers takes ``rng: None | int | numpy.random.Generator``
and passes it through :func:`as_generator`; nothing in the package touches numpy's global
random state, so a chapter that seeds ``np.random.default_rng(<int>)`` redraws the same figure.
"""

from __future__ import annotations

import numbers
from typing import Union

import numpy as np

__all__: list[str] = []

RngLike = Union[None, int, np.random.Generator]


def as_generator(rng: RngLike, name: str = "rng") -> np.random.Generator:
    """Return a :class:`numpy.random.Generator` for ``rng``.

    Parameters
    ----------
    rng
        ``None`` (fresh entropy), a non-negative integer seed, or a Generator (returned as is,
        so that successive calls share its stream).
    name
        Argument name used in error messages.

    Raises
    ------
    TypeError
        If ``rng`` is of another type (a legacy ``RandomState`` included).
    ValueError
        If ``rng`` is a negative integer.
    """
    if rng is None:
        return np.random.default_rng()
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, numbers.Integral) and not isinstance(rng, (bool, np.bool_)):
        if int(rng) < 0:
            raise ValueError(f"{name} must be a non-negative integer seed, got {int(rng)}")
        return np.random.default_rng(int(rng))
    raise TypeError(
        f"{name} must be None, a non-negative int or a numpy.random.Generator, got {type(rng).__name__}"
    )
