"""The chapters' code is formatted to the book's line length (issue 20, CONTRIBUTING.md).

``tools/format_chapters.py --check`` runs over every MyST notebook (``chapters/*.md`` and
``appendices/*.md``, globbed: chapters added later are checked too): it fails when ``ruff
format`` would change a code cell or a code line is longer than ``LINE_LENGTH``.
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

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


#: TeX left as plain text: a control word, a braced sub/superscript, x^2 or K_L outside dollars.
RAW_TEX = re.compile(r"\\[A-Za-z]+|[\^_]\{|[A-Za-z0-9)\]]\^[-+A-Za-z0-9(]|\b[A-Za-z]_[A-Za-z0-9]")


def _captions(text: str) -> list[str]:
    found = []
    pattern = r"^(`{3,})\{code-cell\}[^\n]*\n---\n(.*?)\n---\n"
    for match in re.finditer(pattern, text, re.M | re.S):
        options = yaml.safe_load(match.group(2)) or {}
        figure = (options.get("mystnb") or {}).get("figure") or {}
        if "caption" in figure:
            found.append(str(figure["caption"]))
    return found


def _outside_math(caption: str) -> str:
    """The caption without its $...$ math and its `code`."""
    return re.sub(r"`[^`]*`", "", re.sub(r"\$[^$]*\$", "", caption))


def test_captions_hold_math_only_between_dollars():
    """Captions are Markdown: math between $...$, typeset like the text (CONTRIBUTING)."""
    bad = []
    for path in fc.notebooks():
        for caption in _captions(path.read_text()):
            outside = _outside_math(caption)
            if RAW_TEX.search(outside) or "$" in outside:
                bad.append(f"{path.name}: {caption.strip()[:120]}")
    assert not bad, "raw TeX in a caption (put math between $...$):\n" + "\n".join(bad)


def test_the_caption_check_finds_raw_tex():
    text = (
        "```{code-cell} ipython3\n---\nmystnb:\n  figure:\n"
        "    caption: the rate d^{-1/2}\n---\nx\n```\n"
    )
    (caption,) = _captions(text)
    assert RAW_TEX.search(caption)
    assert not RAW_TEX.search(_outside_math("the rate $d^{-1/2}$ of `f_q`"))
