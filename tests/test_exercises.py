"""Self-checked exercises: right answers pass, wrong ones fail, no reference value leaks."""

import re
from pathlib import Path

import numpy as np
import pytest

from rmtbook import exercises

ROOT = Path(__file__).resolve().parents[1]


def test_right_and_wrong_answers():
    assert exercises.check("ex-conc-chi2", 20000)
    assert not exercises.check("ex-conc-chi2", 10000)
    result = exercises.check("ex-conc-universality", 1.495)
    assert result.correct and "correct" in repr(result)


def test_messages_never_reveal_the_reference():
    for label in exercises.available():
        reference = np.atleast_1d(exercises._REGISTRY[label].compute()).astype(float)
        result = exercises.check(label, reference * 1.5 + 7.0)
        other = exercises.check(label, reference * 3.0 - 11.0)
        assert not result and not other
        # the message does not depend on the answer given, so it cannot encode the reference
        assert result.message == other.message
        for value in reference:
            for text in {f"{value:.3f}", f"{value:.4g}", f"{value:.6g}", repr(float(value))}:
                if len(text.strip("-0.")) >= 2:  # short strings like "2" occur in any prose
                    assert text not in result.message, (label, text)


def test_bad_input():
    with pytest.raises(ValueError, match="valid values are"):
        exercises.check("ex-nope", 1)
    with pytest.raises(TypeError, match="answer"):
        exercises.check("ex-conc-chi2", "twenty thousand")
    with pytest.raises(ValueError, match="answer"):
        exercises.check("ex-conc-chi2", np.nan)


def test_every_registered_label_is_an_exercise_of_its_chapter():
    for label, spec in exercises._REGISTRY.items():
        text = (ROOT / f"{spec.chapter}.md").read_text()
        assert re.search(rf":label:\s*{re.escape(label)}\b", text), (label, spec.chapter)
