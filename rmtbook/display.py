"""Printed results that read like a book's tables.

A chapter that prints what it checked prints a table: one row per case, aligned columns whose
headers carry the units, numbers with a fixed number of significant digits (never a numpy
repr such as ``np.float64(0.0011)``) and, where a row is checked by an assertion, the tolerance
it is checked against. Used by every chapter that prints results (for example
:doc:`/chapters/09_deep_conjugate_kernels` and :doc:`/chapters/11_finite_n`).

This module sits in the bottom layer: it imports only :mod:`rmtbook._validation` and numpy.
"""

from __future__ import annotations

import math
import numbers
import sys
from collections.abc import Sequence
from typing import Any, TextIO

import numpy as np

from ._validation import check_int

__all__ = ["format_number", "format_table", "print_table"]


def format_number(value: Any, digits: int = 4) -> str:
    """Format one table cell: a number with ``digits`` significant digits, else its text.

    Parameters
    ----------
    value : object
        A Python or numpy number (a 0-d array too), a string, a bool or ``None``. Integers are
        printed in full; real numbers with ``digits`` significant digits (scientific notation
        below 1e-4 or from 1e6 on); complex numbers as ``a+bj``; ``None`` as an empty cell;
        anything else as ``str(value)``.
    digits : int, default 4
        Significant digits of real numbers, from 1 to 17.

    Returns
    -------
    str
        The cell's text, with no numpy repr.

    Raises
    ------
    ValueError
        If ``digits`` is not an integer from 1 to 17.

    References
    ----------
    The book's convention for printed results, :doc:`/chapters/09_deep_conjugate_kernels`.

    Examples
    --------
    >>> import numpy as np
    >>> format_number(np.float64(0.0011234)), format_number(np.int64(256)), format_number(None)
    ('0.001123', '256', '')
    >>> format_number(2.5e-7, digits=2), format_number(True)
    ('2.5e-07', 'yes')
    """
    digits = check_int("digits", digits, low=1, high=17)
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value.item()
    if isinstance(value, np.generic):
        value = value.item()
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        x = float(value)
        if math.isnan(x) or math.isinf(x):
            return str(x)
        if x != 0.0 and (abs(x) < 1e-4 or abs(x) >= 1e6):
            return f"{x:.{digits - 1}e}"
        return f"{x:.{digits}g}" if abs(x) < 10**digits else f"{x:.0f}"
    if isinstance(value, numbers.Complex):
        z = complex(value)
        sign = "-" if z.imag < 0 else "+"
        return f"{format_number(z.real, digits)}{sign}{format_number(abs(z.imag), digits)}j"
    return str(value)


def _is_numeric(value: Any) -> bool:
    if isinstance(value, (bool, np.bool_)):
        return False
    return isinstance(value, (numbers.Number, np.generic))


def format_table(
    rows: Sequence[Sequence[Any]],
    columns: Sequence[str],
    *,
    title: str | None = None,
    digits: int = 4,
    note: str | None = None,
) -> str:
    """Lay out rows of results as an aligned text table.

    Parameters
    ----------
    rows : sequence of sequences
        One sequence of cells per row, as many cells as ``columns``. Cells are formatted by
        :func:`format_number`; numeric columns are right-aligned, text left-aligned.
    columns : sequence of str
        The column headers, with units where a column has them (``"error (rel.)"``,
        ``"time (s)"``, ``"tolerance"``).
    title : str, optional
        A line above the table (what the rows are, and how they are checked).
    digits : int, default 4
        Significant digits of real numbers (1 to 17).
    note : str, optional
        A line below the table (the fluctuation order behind the tolerance, say).

    Returns
    -------
    str
        The table: a header, a rule, one line per row, without a trailing newline.

    Raises
    ------
    TypeError
        If ``columns`` is not a sequence of strings or a row is not a sequence.
    ValueError
        If ``columns`` is empty, a row has a number of cells other than ``len(columns)``, or
        ``digits`` is out of range.

    References
    ----------
    The book's convention for printed results, :doc:`/chapters/11_finite_n`.

    Examples
    --------
    >>> import numpy as np
    >>> print(format_table([("tanh", 1, np.float64(0.0011)), ("relu", 2, 0.01234)],
    ...                    ["activation", "depth", "error (rel.)"]))
    activation  depth  error (rel.)
    ----------  -----  ------------
    tanh            1        0.0011
    relu            2       0.01234
    """
    if isinstance(columns, str) or not isinstance(columns, Sequence):
        raise TypeError(f"columns must be a sequence of strings, got {type(columns).__name__}")
    if not all(isinstance(c, str) for c in columns):
        raise TypeError("columns must be a sequence of strings (the column headers)")
    if len(columns) == 0:
        raise ValueError("columns must name at least one column, got an empty sequence")
    digits = check_int("digits", digits, low=1, high=17)
    if isinstance(rows, (str, bytes)) or not isinstance(rows, (Sequence, np.ndarray)):
        raise TypeError(f"rows must be a sequence of rows, got {type(rows).__name__}")
    cells: list[list[str]] = []
    numeric = [True] * len(columns)
    seen = [False] * len(columns)
    for i, row in enumerate(rows):
        if isinstance(row, (str, bytes)) or not isinstance(row, (Sequence, np.ndarray)):
            raise TypeError(f"rows[{i}] must be a sequence of cells, got {type(row).__name__}")
        if len(row) != len(columns):
            raise ValueError(
                f"rows[{i}] has {len(row)} cells; every row must have len(columns) = "
                f"{len(columns)} cells"
            )
        cells.append([format_number(v, digits) for v in row])
        for j, v in enumerate(row):
            if v is not None:
                seen[j] = True
                numeric[j] = numeric[j] and _is_numeric(v)
    numeric = [n and s for n, s in zip(numeric, seen)]
    widths = [max([len(h)] + [len(r[j]) for r in cells]) for j, h in enumerate(columns)]

    def line(texts: Sequence[str], align: Sequence[bool]) -> str:
        parts = [t.rjust(w) if right else t.ljust(w) for t, w, right in zip(texts, widths, align)]
        return "  ".join(parts).rstrip()

    lines = [] if title is None else [str(title)]
    lines.append(line(list(columns), numeric))
    lines.append("  ".join("-" * w for w in widths))
    lines.extend(line(r, numeric) for r in cells)
    if note is not None:
        lines.append(str(note))
    return "\n".join(lines)


def print_table(
    rows: Sequence[Sequence[Any]],
    columns: Sequence[str],
    *,
    title: str | None = None,
    digits: int = 4,
    note: str | None = None,
    file: TextIO | None = None,
) -> None:
    """Print rows of results as an aligned table (see :func:`format_table`).

    Parameters
    ----------
    rows, columns, title, digits, note
        As :func:`format_table`.
    file : text stream, optional
        Where to print; standard output by default.

    Raises
    ------
    TypeError, ValueError
        As :func:`format_table`.

    References
    ----------
    The book's convention for printed results, :doc:`/chapters/02_resolvents`.

    Examples
    --------
    >>> print_table([(0.1, 0.0155, 0.05), (0.01, 0.0016, 0.05)],
    ...             ["eta", "sup error", "tolerance"], title="Stieltjes inversion")
    Stieltjes inversion
     eta  sup error  tolerance
    ----  ---------  ---------
     0.1     0.0155       0.05
    0.01     0.0016       0.05
    """
    text = format_table(rows, columns, title=title, digits=digits, note=note)
    print(text, file=sys.stdout if file is None else file)
