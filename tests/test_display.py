"""rmtbook.display: printed results as aligned tables, never numpy reprs (issue 20)."""

from __future__ import annotations

import io

import numpy as np
import pytest

from rmtbook.display import format_number, format_table, print_table


@pytest.mark.parametrize(
    "value, text",
    [
        (np.float64(0.0011234), "0.001123"),
        (np.float32(0.5), "0.5"),
        (np.int64(256), "256"),
        (np.array(3.25), "3.25"),
        (None, ""),
        (np.bool_(True), "yes"),
        (False, "no"),
        (2.5e-7, "2.500e-07"),
        (-1.5e7, "-1.500e+07"),
        (0.0, "0"),
        (float("nan"), "nan"),
        (1 - 2j, "1-2j"),
        ("Student-t, df = 3", "Student-t, df = 3"),
    ],
)
def test_format_number_prints_no_numpy_repr(value, text):
    assert format_number(value) == text
    assert "np." not in format_number(value) and "array" not in format_number(value)


def test_format_number_uses_significant_digits():
    assert format_number(np.pi, digits=3) == "3.14"
    assert format_number(1234.5678, digits=6) == "1234.57"


def test_table_columns_are_aligned_numbers_right_text_left():
    rows = [("tanh", 1, np.float64(0.0011)), ("relu relu", 12, np.float64(0.0265))]
    text = format_table(rows, ["activations", "depth", "error (rel.)"], title="T", note="N")
    lines = text.splitlines()
    assert lines[0] == "T" and lines[-1] == "N"
    body = lines[1:-1]
    # every line of the table proper ends its last column at the same place (right-aligned)
    assert len({len(line) for line in body}) == 1
    assert body[2].startswith("tanh ") and body[3].startswith("relu relu")
    assert body[2].endswith("0.0011") and body[3].endswith("0.0265")
    assert "np.float64" not in text


def test_print_table_writes_the_formatted_table():
    buffer = io.StringIO()
    print_table([(1, 2.0)], ["a", "b"], file=buffer)
    assert buffer.getvalue() == format_table([(1, 2.0)], ["a", "b"]) + "\n"


@pytest.mark.parametrize(
    "rows, columns, exc, word",
    [
        ([(1, 2)], ["a"], ValueError, "rows"),
        ([(1,)], [], ValueError, "columns"),
        ([(1,)], "a", TypeError, "columns"),
        ([(1,)], [1], TypeError, "columns"),
        ("ab", ["a"], TypeError, "rows"),
        ([3], ["a"], TypeError, "rows"),
    ],
)
def test_bad_input_is_refused_by_name(rows, columns, exc, word):
    with pytest.raises(exc, match=word):
        format_table(rows, columns)


def test_digits_out_of_range_is_refused_by_name():
    with pytest.raises(ValueError, match="digits"):
        format_table([(1.0,)], ["a"], digits=0)
    with pytest.raises((ValueError, TypeError), match="digits"):
        format_number(1.0, digits=2.5)
