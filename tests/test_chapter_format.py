"""The chapters' code is formatted to the book's line length (issue 20, CONTRIBUTING.md).

``tools/format_chapters.py --check`` runs over every MyST notebook (``chapters/*.md`` and
``appendices/*.md``, globbed: chapters added later are checked too): it fails when ``ruff
format`` would change a code cell or a code line is longer than ``LINE_LENGTH``.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import format_chapters as fc  # noqa: E402

HAS_RUFF = importlib.util.find_spec("ruff") is not None
# CI installs requirements.txt, which locks ruff: there the check never skips.
needs_ruff = pytest.mark.skipif(
    not HAS_RUFF and not os.environ.get("CI"), reason="ruff is not installed (requirements.txt)"
)


def test_every_notebook_is_found_by_the_glob():
    found = {p.relative_to(ROOT).as_posix() for p in fc.notebooks()}
    chapters = {p.relative_to(ROOT).as_posix() for p in ROOT.glob("chapters/*.md")}
    assert chapters <= found and "appendices/errata.md" in found


def test_code_cells_are_found_with_their_options_left_out():
    text = (
        "# T\n\n```{code-cell} ipython3\n---\ntags: [hide-input]\n---\nx = 1\n```\n\n"
        "```{code-cell} ipython3\n:tags: [remove-output]\ny  =  2\n```\n\n```python\nz\n```\n"
    )
    cells = fc.code_cells(text)
    assert [text[c.start:c.end] for c in cells] == ["x = 1\n", "y  =  2\n"]


@needs_ruff
def test_formatting_changes_only_code_and_is_idempotent():
    text = (
        "---\njupytext: {}\n---\n# Title  with  spaces\n\n```{code-cell} ipython3\n---\n"
        "tags: [hide-input]\n---\nx=[1,2 ,3]\nassert x  # O(1)\n```\n\nText  $a^2$.\n"
    )
    once = fc.format_text(text)
    assert "x = [1, 2, 3]\n" in once and "# Title  with  spaces" in once
    assert "Text  $a^2$." in once and "tags: [hide-input]" in once
    assert fc.format_text(once) == once


@needs_ruff
def test_long_lines_are_reported():
    text = "```{code-cell} ipython3\n# " + "word " * 30 + "\nx = 1\n```\n"
    assert [n for n, _ in fc.long_lines(fc.format_text(text))] == [2]


@needs_ruff
def test_the_chapters_are_formatted():
    result = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "format_chapters.py"), "--check"],
        capture_output=True, text=True, cwd=ROOT,
    )
    assert result.returncode == 0, (
        "run `python tools/format_chapters.py` and wrap the long lines it reports by hand:\n"
        + result.stdout + result.stderr
    )
