"""Shared base of the package's result types: frozen dataclasses that replaced bare tuples.

A function that used to return a tuple now returns a frozen dataclass with named fields; the
mixin :class:`TupleLike` keeps the old tuple protocol (unpacking ``a, b = f(...)`` and
indexing ``f(...)[0]``) working, so that the change breaks no caller. This is a bottom-layer
module: it imports nothing from :mod:`rmtbook`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

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
