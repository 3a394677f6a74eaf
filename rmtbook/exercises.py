"""Self-checked numerical exercises.

A reader (or a student with the student edition, where solutions are removed) types
``rmtbook.exercises.check("ex-conc-chi2", 20000)`` and learns whether the answer is right within
the exercise's tolerance. The reference answer is *computed* (from a closed form or from the
package's own functions), never printed: the result says "correct" or "not yet", with the
exercise's hint, and no number that would give the answer away.

Chapters register nothing at run time; the registry below is the single list of self-checked
exercises, keyed by the exercise labels used in the chapters, so a test can check that every
label exists in the book.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ._validation import check_array, check_choice

__all__ = ["check", "available", "CheckResult"]


@dataclass(frozen=True)
class _Answer:
    compute: Callable[[], Any]
    rtol: float
    atol: float
    hint: str
    chapter: str


@dataclass(frozen=True)
class CheckResult:
    """Outcome of :func:`check`: truthy when the answer is right.

    Attributes
    ----------
    label : str
        The exercise label.
    correct : bool
        Whether every entry of the answer is within tolerance of the reference.
    message : str
        What to tell the reader (never the reference value).
    """

    label: str
    correct: bool
    message: str

    def __bool__(self) -> bool:
        return self.correct

    def __repr__(self) -> str:
        return self.message

    def _repr_markdown_(self) -> str:
        return ("**Correct.** " if self.correct else "**Not yet.** ") + self.message.split(": ", 1)[-1]


def _smallest_p_for_relative_fluctuation() -> int:
    # sqrt(2/p) <= 0.01  <=>  p >= 2 / 0.01**2
    return int(np.ceil(2 / 0.01**2))


def _rademacher_mean_trace(n: int = 200, p: int = 100) -> float:
    m4 = 1.0
    return 1 + p / n + (m4 - 2) / n


_REGISTRY: dict[str, _Answer] = {
    "ex-conc-chi2": _Answer(
        compute=_smallest_p_for_relative_fluctuation, rtol=0.0, atol=0.5,
        hint="the smallest integer p with std(||x||^2)/E||x||^2 <= 1%",
        chapter="chapters/01_concentration",
    ),
    "ex-conc-universality": _Answer(
        compute=_rademacher_mean_trace, rtol=1e-9, atol=1e-12,
        hint="E (1/p) tr C_hat^2 for Rademacher entries at n = 200, p = 100 (exact, not simulated)",
        chapter="chapters/01_concentration",
    ),
}


def available() -> dict[str, str]:
    """The self-checked exercises: label -> what the answer should be (no values)."""
    return {label: answer.hint for label, answer in sorted(_REGISTRY.items())}


def check(label: str, answer: Any) -> CheckResult:
    """Say whether ``answer`` solves the exercise ``label`` within its tolerance.

    Parameters
    ----------
    label
        An exercise label from the book, e.g. ``"ex-conc-chi2"``; :func:`available` lists them.
    answer
        A number or an array of numbers (same shape as the reference).

    Returns
    -------
    CheckResult
        Truthy when correct; its message never contains the reference value.

    Raises
    ------
    ValueError
        For an unknown label (the message lists the valid ones) or a non-finite answer.
    TypeError
        For a non-numeric answer.

    References
    ----------
    Used in the exercises of every chapter.
    """
    key = check_choice("label", label, _REGISTRY)
    spec = _REGISTRY[key]
    given = check_array("answer", answer)
    reference = np.asarray(spec.compute(), dtype=float)
    if given.shape != reference.shape and given.size != reference.size:
        return CheckResult(key, False, f"{key}: expected {reference.size} number(s), got {given.size}")
    ok = bool(np.allclose(given.reshape(reference.shape), reference, rtol=spec.rtol, atol=spec.atol))
    if ok:
        return CheckResult(key, True, f"{key}: correct.")
    return CheckResult(key, False, f"{key}: not within tolerance yet. Expected: {spec.hint}.")
