"""Shared base of the package's result types: frozen dataclasses that replaced bare tuples.

A function that used to return a tuple now returns a frozen dataclass with named fields; the
mixin :class:`TupleLike` keeps the old tuple protocol (unpacking ``a, b = f(...)`` and
indexing ``f(...)[0]``) working, so that the change breaks no caller. This is a bottom-layer
module: it imports nothing from :mod:`rmtbook`. :func:`mean_and_se` is the one estimator of a
simulation's mean and standard error.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import numpy as np

__all__: list[str] = []


class TupleLike:
    """Mixin for a frozen dataclass result: iterates and indexes over its fields, in order."""

    __slots__ = ()

    def _as_tuple(self) -> tuple[Any, ...]:
        return tuple(getattr(self, f.name) for f in dataclasses.fields(self))  # type: ignore[arg-type]

    def __iter__(self) -> Iterator[Any]:
        return iter(self._as_tuple())

    def __getitem__(self, index: int | slice) -> Any:
        return self._as_tuple()[index]

    def __len__(self) -> int:
        return len(self._as_tuple())


def mean_and_se(draws: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean over independent draws (axis 0) and its standard error.

    The standard error is the sample standard deviation over ``sqrt(number of draws)``;
    undefined, hence NaN, for a single draw. Shared by the package's simulators.
    """
    draws = np.asarray(draws, dtype=float)
    k = draws.shape[0]
    if k > 1:
        return draws.mean(axis=0), draws.std(axis=0, ddof=1) / np.sqrt(k)
    return draws.mean(axis=0), np.full(draws.shape[1:], np.nan)
