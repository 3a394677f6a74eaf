"""Format the code cells of every chapter to the book's line length, in place.

Every MyST notebook of the book (``chapters/*.md`` and ``appendices/*.md`` with a jupytext
header: chapters added later are found by the glob) is read with jupytext; its code cells go
through ``ruff format`` as one temporary notebook (ruff knows notebooks: magics, a trailing
``;`` that hides a cell's value), and the formatted sources replace the cells' bodies in the
Markdown file. Everything else in the file (text, cell options, captions) is left as it is, so
running the tool twice changes nothing the second time.

The line length, ``LINE_LENGTH`` = 84 characters, is what a code block holds in the book's
content column from 1024 px up, in a theorem or solution box too (``_static/rmtbook.css``;
CONTRIBUTING.md). The formatter does not wrap comments and long strings: the tool reports
every line of a code cell that is still longer, and such a line is wrapped by hand.

Usage::

    python tools/format_chapters.py            # format in place; exit 1 if long lines remain
    python tools/format_chapters.py --check    # change nothing; exit 1 if a file would change
                                               # or a code line is longer than LINE_LENGTH
    python tools/format_chapters.py FILE ...   # only these files

``tests/test_chapter_format.py`` runs the check, so CI enforces it.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: The book's code line length (CONTRIBUTING.md, "Code cells").
LINE_LENGTH = 84
#: The MyST notebooks of the book.
PATTERNS = ("chapters/*.md", "appendices/*.md")

_FENCE = re.compile(r"^(?P<fence>`{3,}|~{3,})\{code-cell\}[^\n]*\n", re.MULTILINE)


@dataclass(frozen=True)
class Cell:
    """A code cell's body in the Markdown text: ``text[start:end]`` is its source."""

    start: int
    end: int


def notebooks(root: Path = ROOT) -> list[Path]:
    """Every MyST notebook of the book (a Markdown file with a jupytext header)."""
    found = []
    for pattern in PATTERNS:
        for path in sorted(root.glob(pattern)):
            if "jupytext" in path.read_text()[:600]:
                found.append(path)
    return found


def code_cells(text: str) -> list[Cell]:
    """The bodies of the ``{code-cell}`` blocks, after their options (YAML or ``:key:``)."""
    cells = []
    pos = 0
    while True:
        match = _FENCE.search(text, pos)
        if match is None:
            return cells
        fence = match.group("fence")
        body = match.end()
        close = re.compile(rf"^{re.escape(fence)}[ \t]*$", re.MULTILINE).search(text, body)
        if close is None:
            raise ValueError(f"unclosed code cell at character {match.start()}")
        start = body
        if text.startswith("---\n", start):  # a YAML block of options
            end_options = text.find("\n---\n", start + 3)
            if end_options < 0 or end_options > close.start():
                raise ValueError(f"unclosed options of the code cell at character {match.start()}")
            start = end_options + len("\n---\n")
        else:  # short options, one ':key: value' a line
            while re.match(r":[\w-]+:", text[start:close.start()]):
                start = text.index("\n", start) + 1
        cells.append(Cell(start, close.start()))
        pos = close.end()


def _ruff() -> list[str]:
    try:
        from ruff.__main__ import find_ruff_bin
    except ImportError as exc:  # pragma: no cover - ruff is in requirements.txt
        raise SystemExit("ruff is not installed: pip install -r requirements.txt") from exc
    return [str(find_ruff_bin())]


def format_sources(sources: list[str], line_length: int = LINE_LENGTH) -> list[str]:
    """Format code-cell sources with ``ruff format`` as the cells of one notebook."""
    if not sources:
        return []
    notebook = {
        "cells": [
            {"cell_type": "code", "execution_count": None, "id": f"c{i}", "metadata": {},
             "outputs": [], "source": src}
            for i, src in enumerate(sources)
        ],
        "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python",
                                    "name": "python3"},
                     "language_info": {"name": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "cells.ipynb"
        path.write_text(json.dumps(notebook))
        command = _ruff() + ["format", "--isolated", "--line-length", str(line_length),
                             "--quiet", str(path)]
        result = subprocess.run(command, capture_output=True, text=True, cwd=tmp)
        if result.returncode != 0:
            raise ValueError(f"ruff format failed:\n{result.stderr or result.stdout}")
        formatted = json.loads(path.read_text())["cells"]
    out = []
    for cell in formatted:
        src = cell["source"]
        out.append("".join(src) if isinstance(src, list) else src)
    return out


def format_text(text: str, line_length: int = LINE_LENGTH) -> str:
    """The Markdown text with every code cell formatted (the rest unchanged)."""
    cells = code_cells(text)
    sources = [text[c.start:c.end] for c in cells]
    bodies = [s[:-1] if s.endswith("\n") else s for s in sources]
    formatted = format_sources(bodies, line_length)
    pieces, last = [], 0
    for cell, new in zip(cells, formatted):
        pieces.append(text[last:cell.start])
        pieces.append(new.rstrip("\n") + "\n" if new.strip() else "")
        last = cell.end
    pieces.append(text[last:])
    return "".join(pieces)


def long_lines(text: str, line_length: int = LINE_LENGTH) -> list[tuple[int, str]]:
    """``(line number, line)`` of every code-cell line longer than ``line_length``."""
    found = []
    for cell in code_cells(text):
        first = text.count("\n", 0, cell.start) + 1
        for k, line in enumerate(text[cell.start:cell.end].splitlines()):
            if len(line) > line_length:
                found.append((first + k, line))
    return found


def _same_cells(path: Path, text: str) -> None:
    """Check with jupytext that the cells found here are the notebook's code cells."""
    import jupytext

    notebook = jupytext.reads(text, fmt="md:myst")
    expected = [c.source.rstrip("\n") for c in notebook.cells if c.cell_type == "code"]
    found = [text[c.start:c.end].rstrip("\n") for c in code_cells(text)]
    if expected != found:
        raise ValueError(f"{path}: the code cells found differ from jupytext's reading")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="*", type=Path, help="MyST notebooks (default: all)")
    parser.add_argument("--check", action="store_true", help="report, change nothing")
    parser.add_argument("--line-length", type=int, default=LINE_LENGTH)
    args = parser.parse_args(argv)
    files = [p.resolve() for p in args.files] or notebooks()
    status = 0
    for path in files:
        text = path.read_text()
        _same_cells(path, text)
        new = format_text(text, args.line_length)
        _same_cells(path, new)
        name = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
        if new != text:
            if args.check:
                print(f"{name}: code cells are not formatted (run tools/format_chapters.py)")
                status = 1
            else:
                path.write_text(new)
                print(f"{name}: formatted")
        for number, line in long_lines(new, args.line_length):
            print(f"{name}:{number}: {len(line)} > {args.line_length} characters: {line.strip()}")
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
