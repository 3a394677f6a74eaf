"""The student edition: no solution text leaks, every exercise label survives."""

import re
import sys
from pathlib import Path

import jupytext
import pytest
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import student_edition  # noqa: E402
from booktools import HEADER, build, make_book  # noqa: E402

FRAGMENT = re.compile(r"[A-Za-z][A-Za-z ,;'()-]{28,}[A-Za-z)]")


def _solutions(text: str) -> list[str]:
    """The raw text of every solution (plain and gated) of a MyST chapter."""
    found = []
    for m in re.finditer(r"^(`{3,}|:{3,})\{solution\}[^\n]*\n(.*?)^\1\s*$", text, flags=re.S | re.M):
        found.append(m.group(2))
    for m in re.finditer(r"\{solution-start\}[^\n]*\n.*?^```\s*$(.*?)^```\{solution-end\}", text, flags=re.S | re.M):
        found.append(m.group(1))
    return found


def _fragments(solution: str) -> list[str]:
    body = "\n".join(l for l in solution.splitlines() if not l.strip().startswith(":"))
    body = re.sub(r"\$[^$]*\$", " ", body)  # math renders differently; keep words only
    return [f.strip() for f in FRAGMENT.findall(body)]


def _labels(text: str) -> list[str]:
    return re.findall(r"\{exercise\}[^\n]*\n:label:\s*(\S+)", text)


@pytest.mark.parametrize("path", student_edition.chapter_files(), ids=lambda p: p.stem)
def test_student_notebooks_hide_solutions_keep_exercises(path):
    text = path.read_text()
    nb, removed = student_edition.student_notebook(path)
    student_text = "\n".join(cell.source for cell in nb.cells)
    labels = _labels(text)
    solutions = _solutions(text)
    assert removed == len(solutions)
    for label in labels:
        assert label in student_text, label
    outside = text
    for solution in solutions:
        outside = outside.replace(solution, "")
    for solution in solutions:
        for fragment in _fragments(solution):
            if fragment in outside:  # the same words also stand in the chapter's own text
                continue
            assert fragment not in student_text, (path.name, fragment)
    # the notebook keeps all non-solution code
    source = jupytext.read(path)
    kept_code = {c.source for c in nb.cells if c.cell_type == "code"}
    solution_code = "\n".join(solutions)
    for cell in source.cells:
        if cell.cell_type == "code" and cell.source not in solution_code:
            assert cell.source in kept_code


SMALL_CHAPTER = HEADER + """
# Exercises only

````{exercise} Plain
:label: ex-small-plain

Compute the answer by hand.
````

````{solution} ex-small-plain
:class: dropdown

The hidden reasoning goes through the secret lemma of the plain solution.
````

````{exercise} Gated
:label: ex-small-gated

Compute it numerically.
````

```{solution-start} ex-small-gated
:class: dropdown
```

The gated solution explains the secret computation step by step.

```{code-cell} ipython3
secret_numerical_answer = 6 * 7
assert secret_numerical_answer == 42
```

```{solution-end}
```
"""


@pytest.mark.slow
def test_student_site_hides_solutions_that_the_teacher_site_shows(tmp_path):
    book = make_book(tmp_path, {"small": SMALL_CHAPTER})
    secrets = ["secret lemma of the plain solution", "secret computation step by step",
               "secret_numerical_answer = 6 * 7"]

    def page_text(out: Path) -> str:
        html = (out / "_build" / "html" / "chapters" / "small.html").read_text()
        return " ".join(BeautifulSoup(html, "html.parser").get_text(" ").split())

    teacher = tmp_path / "teacher"
    assert build(book, "--path-output", str(teacher)).returncode == 0
    text = page_text(teacher)
    assert all(" ".join(s.split()) in text for s in secrets), "control: the teacher edition shows solutions"

    student = tmp_path / "student"
    assert student_edition.build_site(student, book=book) == 0
    text = page_text(student)
    for s in secrets:
        assert " ".join(s.split()) not in text, s
    for label in ("ex-small-plain", "ex-small-gated"):
        html = (student / "_build" / "html" / "chapters" / "small.html").read_text()
        assert f'id="{label}"' in html, label


def test_student_notebooks_are_plain_markdown(tmp_path):
    """The downloaded student notebooks render in any Jupyter: no MyST directive is left, the
    exercise labels and the math stay (issue #18)."""
    import re

    import nbformat

    sys.path.insert(0, str(ROOT / "tools"))
    import student_edition

    for dest in student_edition.write_notebooks(tmp_path):
        md = "\n".join(c.source for c in nbformat.read(dest, as_version=4).cells if c.cell_type == "markdown")
        assert not re.search(r"^\s*(`{3,}|:{3,})\{[A-Za-z0-9:_-]+\}", md, re.M), dest.name
        assert not re.search(r"\{[A-Za-z0-9:_-]+\}`", md), dest.name
