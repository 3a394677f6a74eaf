"""The package's one typing module: aliases used in signatures across :mod:`rmtbook`.

``ArrayLike`` is numpy's own alias (anything :func:`numpy.asarray` accepts); ``RealArray`` and
``ComplexArray`` name the float and complex arrays the numerics return; ``RngLike`` is the
``rng`` argument every random function takes (see :mod:`rmtbook._rng`); ``Activation`` is an
activation given by name or as a vectorized callable.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Union

import numpy as np
import numpy.typing as npt

from ._rng import RngLike

__all__: list[str] = []

ArrayLike = npt.ArrayLike
RealArray = npt.NDArray[np.float64]
ComplexArray = npt.NDArray[np.complex128]
ScalarOrArray = Union[float, RealArray]
Activation = Union[str, Callable[[np.ndarray], np.ndarray]]

__all__ = ["ArrayLike", "RealArray", "ComplexArray", "ScalarOrArray", "Activation", "RngLike"]
