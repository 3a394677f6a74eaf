"""Make the student edition: the site without solutions, and one notebook per chapter.

``python tools/student_edition.py [--out student] [--no-site]`` writes

- ``student/notebooks/<chapter>.ipynb``: each chapter as a notebook (no outputs) where every
  solution, plain (```` ```{solution} ````) or gated (``solution-start`` ... ``solution-end``,
  code cells included), is replaced by a placeholder inviting the student's own answer; the
  exercises and their labels stay;
- ``student/html/``: the book built with sphinx-exercise's ``hide_solutions`` (unless
  ``--no-site``), executed like the teacher's edition.

A lecturer hands out the ``student`` folder. ``tests/test_student_edition.py`` checks that no
solution text leaks and that every exercise label survives.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import jupytext
import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
from plain_markdown import plain_notebook  # noqa: E402
import yaml

ROOT = Path(__file__).resolve().parents[1]

PLACEHOLDER_TEXT = "*Solution removed in the student edition: write your own here.*"
PLACEHOLDER_CODE = "# Your solution here.\n"

_OPEN = re.compile(r"^(?P<fence>`{3,}|:{3,})\{solution\}")
_GATED_START = re.compile(r"^(`{3,}|:{3,})\{solution-start\}")
_GATED_END = re.compile(r"^(`{3,}|:{3,})\{solution-end\}")


def chapter_files(book: Path = ROOT) -> list[Path]:
    """The notebooks of the table of contents (MyST files with a jupytext header)."""
    toc = (book / "_toc.yml").read_text()
    files = [book / f"{name}.md" for name in re.findall(r"file:\s*(\S+)", toc)]
    return [f for f in files if f.exists() and "jupytext" in f.read_text()[:600]]


def _strip_plain_solutions(text: str) -> tuple[str, int]:
    """Replace every ```{solution} block of a markdown cell by the placeholder."""
    out: list[str] = []
    lines = text.split("\n")
    i, removed = 0, 0
    while i < len(lines):
        match = _OPEN.match(lines[i].strip())
        if match:
            fence = match.group("fence")
            j = i + 1
            while j < len(lines) and lines[j].strip() != fence:
                j += 1
            out.append(PLACEHOLDER_TEXT)
            removed += 1
            i = j + 1
            continue
        out.append(lines[i])
        i += 1
    return "\n".join(out), removed


def student_notebook(path: Path) -> tuple[nbformat.NotebookNode, int]:
    """The student version of one chapter and the number of solutions removed."""
    nb = jupytext.read(path)
    cells: list[nbformat.NotebookNode] = []
    removed = 0
    in_gated = False
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            if not in_gated:
                cells.append(cell)
            continue
        kept: list[str] = []
        lines = cell.source.split("\n")
        i = 0
        while i < len(lines):
            stripped = lines[i].strip()
            if not in_gated and _GATED_START.match(stripped):
                fence = _GATED_START.match(stripped).group(1)
                # skip the directive's own block (options) up to its closing fence
                j = i + 1
                while j < len(lines) and lines[j].strip() != fence:
                    j += 1
                in_gated, i = True, j + 1
                continue
            if in_gated:
                if _GATED_END.match(stripped):
                    fence = _GATED_END.match(stripped).group(1)
                    j = i + 1
                    while j < len(lines) and lines[j].strip() != fence:
                        j += 1
                    in_gated, i = False, j + 1
                    removed += 1
                    kept.append(PLACEHOLDER_TEXT)
                    cells_to_add = "\n".join(kept).strip()
                    kept = []
                    if cells_to_add:
                        cells.append(nbformat.v4.new_markdown_cell(cells_to_add))
                    cells.append(nbformat.v4.new_code_cell(PLACEHOLDER_CODE))
                    continue
                i += 1
                continue
            kept.append(lines[i])
            i += 1
        text, n_plain = _strip_plain_solutions("\n".join(kept))
        removed += n_plain
        if text.strip():
            cells.append(nbformat.v4.new_markdown_cell(text))
    if in_gated:
        raise ValueError(f"{path}: solution-start without solution-end")
    for cell in cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    nb.cells = cells
    nb.metadata.pop("jupytext", None)
    return nb, removed


def write_notebooks(out: Path) -> list[Path]:
    """Write one student notebook per chapter under ``out/notebooks``."""
    target = out / "notebooks"
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for path in chapter_files():
        nb, _ = student_notebook(path)
        plain_notebook(nb)  # MyST directives as plain Markdown: any Jupyter and Colab render them
        dest = target / f"{path.stem}.ipynb"
        nbformat.validate(nb)
        nbformat.write(nb, dest)
        written.append(dest)
    return written


def build_site(out: Path, book: Path = ROOT) -> int:
    """Build the student site of ``book`` into ``out/_build/html`` (warnings are errors).

    The site is built from a copy of the book whose chapters are the student notebooks (so
    gated solutions and their code cells are gone, not merely hidden), with sphinx-exercise's
    ``hide_solutions`` on as a second guard.
    """
    config = yaml.safe_load((book / "_config.yml").read_text())
    config.setdefault("sphinx", {}).setdefault("config", {})["hide_solutions"] = True
    config["title"] = config.get("title", "") + " (student edition)"
    ignore = shutil.ignore_patterns("_build", ".*", "student", "venv", "__pycache__", "*.egg-info")
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "book"
        shutil.copytree(book, copy, ignore=ignore)
        (copy / "_config.yml").write_text(yaml.safe_dump(config))
        for path in chapter_files(book):
            nb, _ = student_notebook(path)
            nb.metadata["jupytext"] = {"text_representation": {"extension": ".md", "format_name": "myst"}}
            jupytext.write(nb, copy / path.relative_to(book), fmt="md:myst")
        jb = str(Path(sys.executable).with_name("jupyter-book"))
        code = subprocess.call([jb, "build", str(copy), "--path-output", str(out), "-W", "-n", "--keep-going"],
                               cwd=copy)
    return code


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "student")
    parser.add_argument("--no-site", action="store_true", help="write the notebooks only")
    args = parser.parse_args(argv)
    written = write_notebooks(args.out)
    print(f"wrote {len(written)} student notebooks to {args.out / 'notebooks'}")
    if args.no_site:
        return 0
    code = build_site(args.out)
    if code == 0:
        print(f"student site: {args.out / '_build' / 'html' / 'index.html'}")
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
