"""Shared helpers for tests that build small temporary books with the book's configuration."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
JUPYTER_BOOK = str(Path(sys.executable).with_name("jupyter-book"))

#: The jupytext header every chapter starts with.
HEADER = """---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
    format_version: 0.13
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---
"""


def make_book(tmp: Path, chapters: dict[str, str]) -> Path:
    """A temporary book with the real configuration, bibliography and Sphinx extension.

    ``chapters`` maps a chapter name (file ``chapters/<name>.md``) to its full text; the table
    of contents lists them after a one-line preface.
    """
    book = tmp / "book"
    (book / "chapters").mkdir(parents=True)
    shutil.copy(ROOT / "_config.yml", book / "_config.yml")
    shutil.copy(ROOT / "references.bib", book / "references.bib")
    shutil.copytree(ROOT / "_ext", book / "_ext")
    toc = "format: jb-book\nroot: intro\nchapters:\n" + "".join(f"  - file: chapters/{name}\n" for name in chapters)
    (book / "_toc.yml").write_text(toc)
    (book / "intro.md").write_text("# Intro\n\nA test book.\n")
    for name, text in chapters.items():
        (book / "chapters" / f"{name}.md").write_text(text)
    return book


def build(book: Path, *extra: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """``jupyter-book build`` with warnings as errors; output captured (``env``: the environment)."""
    return subprocess.run([JUPYTER_BOOK, "build", str(book), "-W", "-n", "--keep-going", *extra],
                          capture_output=True, text=True, cwd=book, timeout=600, env=env)
