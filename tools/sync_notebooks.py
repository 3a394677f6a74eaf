"""Write ``notebooks/<chapter>.ipynb``: output-free notebook copies of the MyST chapters.

Colab opens notebooks from GitHub only as ``.ipynb``; the chapters are MyST Markdown. The
book's Colab buttons therefore point at these copies (rewritten by ``_ext/rmtbook_refs.py``).
Run ``python tools/sync_notebooks.py`` after editing a chapter; a test fails while a copy is
out of date. The copies carry no outputs: they are generated sources, never edited by hand.
Their Markdown is plain (``tools/plain_markdown.py``): proofs, exercises and solutions render in
any Jupyter and in Colab, which do not render MyST directives.
"""

from __future__ import annotations

import sys
from pathlib import Path

import jupytext
import nbformat

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
from plain_markdown import plain_notebook  # noqa: E402
from student_edition import chapter_files  # noqa: E402

OUT = ROOT / "notebooks"


def notebook_text(path: Path) -> str:
    """The .ipynb text (no outputs, stable ids) for one MyST chapter."""
    nb = plain_notebook(jupytext.read(path))  # MyST directives as plain Markdown (Colab, Jupyter)
    for index, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{index}"
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    nb.metadata.pop("jupytext", None)
    nb.metadata["colab"] = {"name": path.stem}
    preamble = nbformat.v4.new_markdown_cell(
        "In Colab, first install the package: run `!pip install -q "
        "git+https://github.com/rmtbook/rmtbook` (the book's repository), then run the cells in order."
    )
    preamble["id"] = "setup-note"
    nb.cells.insert(0, preamble)
    return nbformat.writes(nb) + "\n"


def main() -> int:
    OUT.mkdir(exist_ok=True)
    for path in chapter_files():
        (OUT / f"{path.stem}.ipynb").write_text(notebook_text(path))
    print(f"wrote {len(chapter_files())} notebooks to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
