"""The book's plumbing: a failing cell fails both the build and the chapter tests (conftest.py);
a passing chapter's test outputs serve the build; README, CI and the requirements agree."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from booktools import HEADER, ROOT, build, make_book

CHAPTER = HEADER + """
# A chapter

```{code-cell} ipython3
import numpy as np
value = float(np.sqrt(4.0))
```

```{code-cell} ipython3
BODY
```
"""


def _make_book(tmp: Path, body: str) -> Path:
    """A temporary book with one chapter whose second cell is ``body`` (or a broken chapter 1)."""
    if body == "COPY OF CHAPTER 1":
        # a temporary copy of a real chapter with one wrong assertion injected after its imports
        text = (ROOT / "chapters" / "01_concentration.md").read_text()
        marker = "rng = np.random.default_rng(20261128)\n```\n"
        assert marker in text
        text = text.replace(marker, marker + "\n```{code-cell} ipython3\nassert 1 + 1 == 3\n```\n", 1)
    else:
        text = CHAPTER.replace("BODY", body)
    book = make_book(tmp, {"bad": text})
    shutil.copy(ROOT / "notation.md", book / "notation.md")
    shutil.copy(ROOT / "conftest.py", book / "conftest.py")
    (book / "tools").mkdir()
    shutil.copy(ROOT / "tools" / "build_book.py", book / "tools" / "build_book.py")
    (book / "pytest.ini").write_text("[pytest]\naddopts = -p no:cacheprovider\n")
    return book


def _build(book: Path) -> subprocess.CompletedProcess:
    return build(book)


def _nbval(book: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, MPLBACKEND="Agg")
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "chapters/bad.md"],
                          capture_output=True, text=True, cwd=book, timeout=600, env=env)


@pytest.mark.slow
@pytest.mark.parametrize(
    "body, fails",
    [
        ("assert value == 2.0", False),          # control: a good chapter passes both
        ("assert value == 3.0, 'wrong'", True),  # a failing assertion
        ("np.log(-value)", True),                # a warning is an error in chapters
        ("COPY OF CHAPTER 1", True),             # a real chapter with a failing cell
    ],
    ids=["good", "failing-assert", "warning", "chapter-copy"],
)
def test_failing_cell_fails_build_and_nbval(tmp_path, body, fails):
    book = _make_book(tmp_path, body)
    nbval = _nbval(book)
    assert (nbval.returncode != 0) == fails, nbval.stdout[-2000:]
    if fails:
        assert "failed" in nbval.stdout
        if body == "COPY OF CHAPTER 1":
            assert "1 + 1 == 3" in nbval.stdout  # it is the injected cell that fails
    else:
        assert "2 passed" in nbval.stdout
    if body.startswith("np.log"):
        return  # the build's treatment of stderr warnings is checked by the failing-assert case
    build = _build(book)
    assert (build.returncode != 0) == fails, (build.stdout[-2000:], build.stderr[-2000:])
    if not fails:
        assert (book / "_build" / "html" / "chapters" / "bad.html").exists()
        # the chapter test stored its outputs: the build reuses them instead of executing again
        assert "Using cached notebook" in build.stdout + build.stderr, build.stdout[-2000:]
        assert "Executing notebook" not in build.stdout + build.stderr


def _readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text()
    return re.findall(r"```bash\n\s*(.+?)\n\s*```", text)


def test_readme_has_exactly_two_one_line_commands_and_ci_runs_the_test_one():
    commands = [c.strip() for c in _readme_commands()]
    assert len(commands) == 2 and all("\n" not in c for c in commands)
    build, test = commands
    assert "build_book.py" in build and "pytest" in test
    ci = (ROOT / ".ci" / "run").read_text()
    assert test in ci, "the CI script must run the README's test command verbatim"
    assert "build_book.py" in ci


def test_toc_and_chapters_agree_and_no_outputs_are_committed():
    toc = (ROOT / "_toc.yml").read_text()
    files = re.findall(r"file:\s*(\S+)", toc)
    for f in files:
        assert (ROOT / f"{f}.md").exists(), f
    chapters = sorted(p.relative_to(ROOT).with_suffix("").as_posix() for p in (ROOT / "chapters").glob("*.md"))
    assert set(chapters) <= set(files), "every chapter must be in the table of contents"
    assert not list((ROOT / "chapters").glob("*.ipynb")), "chapters are MyST .md, no committed notebooks"
    for path in (ROOT / "chapters").glob("*.md"):
        head = path.read_text().split("---")[1]
        assert "jupytext" in head and "kernelspec" in head, path


def test_execution_cache_is_cleared_when_the_package_changes(tmp_path):
    sys.path.insert(0, str(ROOT / "tools"))
    import build_book

    (tmp_path / "rmtbook").mkdir()
    module = tmp_path / "rmtbook" / "laws.py"
    module.write_text("x = 1\n")
    cache = tmp_path / "_build" / ".jupyter_cache"
    cache.mkdir(parents=True)
    assert build_book.refresh_cache(tmp_path)          # no stamp yet: the cache is not trusted
    cache.mkdir()
    assert not build_book.refresh_cache(tmp_path)      # unchanged sources keep the cache
    assert cache.exists()
    module.write_text("x = 2\n")
    assert build_book.refresh_cache(tmp_path)          # an edit to the package clears it
    assert not cache.exists()


def test_colab_notebook_copies_are_in_sync():
    """notebooks/*.ipynb are the chapters as output-free notebooks (for Colab's launch button)."""
    sys.path.insert(0, str(ROOT / "tools"))
    import sync_notebooks
    from student_edition import chapter_files

    expected = {f"{p.stem}.ipynb" for p in chapter_files()}
    present = {p.name for p in (ROOT / "notebooks").glob("*.ipynb")}
    assert present == expected, "run: python tools/sync_notebooks.py"
    for path in chapter_files():
        committed = (ROOT / "notebooks" / f"{path.stem}.ipynb").read_text()
        assert committed == sync_notebooks.notebook_text(path), (
            f"notebooks/{path.stem}.ipynb is out of date: run python tools/sync_notebooks.py")


def _names(requirements) -> set[str]:
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    return {canonicalize_name(Requirement(r).name) for r in requirements}


def test_requirements_are_a_short_input_and_its_pip_compile_lock():
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = _names(project["dependencies"])
    for extra in ("book", "data", "test", "docs"):
        declared |= _names(project["optional-dependencies"][extra])
    lines = [line.split("#")[0].strip() for line in (ROOT / "requirements.in").read_text().splitlines()]
    inputs = [line for line in lines if line and not line.startswith("-")]
    assert "-e file:." in lines, "requirements.in installs the package itself (editable)"
    assert len(inputs) <= 30, "requirements.in lists top-level requirements only"
    assert declared <= _names(inputs), f"declared in pyproject.toml, missing from requirements.in: {declared - _names(inputs)}"

    lock = (ROOT / "requirements.txt").read_text()
    assert "autogenerated by pip-compile" in lock and "requirements.in" in lock
    entries = [line.strip() for line in lock.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    assert "-e file:." in entries
    pins = dict(entry.split("==") for entry in entries if entry != "-e file:.")
    assert all("==" not in v and v for v in pins.values()), "every locked requirement is one exact version"
    locked = _names(pins)
    assert _names(inputs) <= locked, f"not in the lock (run pip-compile): {_names(inputs) - locked}"
    assert pins["jupyter-book"] == "1.0.4.post1"


API_MODULE = '''"""A module documented like the package."""

from __future__ import annotations

from rmtbook._rng import RngLike
from rmtbook._typing import ArrayLike


def spread(values: ArrayLike, scale: float = 1.0, *, rng: RngLike = None) -> float:
    """The spread of ``values``, after :cite:p:`cho2009kernel`.

    Parameters
    ----------
    values
        The samples.
    scale
        A factor.
    rng
        Random generator.

    Returns
    -------
    float
        The spread.

    Examples
    --------
    >>> spread([1.0, 2.0])
    1.0
    """
    return 1.0
'''

API_PAGE = """# API

```{eval-rst}
.. automodule:: demo_api
```
"""


@pytest.mark.slow
def test_api_page_shows_types_and_renders_docstring_citations(tmp_path):
    """Docstrings as the package writes them: typed, with reST citations (``:cite:p:``)."""
    from bs4 import BeautifulSoup

    book = make_book(tmp_path, {"api": API_PAGE})
    shutil.copy(ROOT / "bibliography.md", book / "bibliography.md")
    with open(book / "_toc.yml", "a") as toc:
        toc.write("  - file: bibliography\n")
    (book / "demo_api.py").write_text(API_MODULE)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(book), str(ROOT)]))
    result = build(book, env=env)
    assert result.returncode == 0, (result.stdout[-3000:], result.stderr[-3000:])
    html = (book / "_build" / "html" / "chapters" / "api.html").read_text()
    text = BeautifulSoup(html, "html.parser").get_text(" ")
    assert ":cite:" not in text and "{cite}" not in text, "the citation shows as literal text"
    soup = BeautifulSoup(html, "html.parser")
    citation = soup.find("a", href=re.compile(r"bibliography\.html#"))
    assert citation is not None and "Cho" in citation.get_text(), "the citation does not link"
    fields = soup.find("dl", class_="field-list").get_text(" ")
    for name, kind in (("values", "ArrayLike"), ("scale", "float"), ("rng", "RngLike")):
        assert re.search(rf"{name}\s*\(\s*{kind}\s*\)", fields), (name, kind, fields)


def test_notebook_copies_carry_no_myst_syntax_and_keep_their_math():
    """Colab and plain Jupyter do not render MyST: the copies are plain Markdown (issue #18)."""
    import re

    import jupytext
    import nbformat

    sys.path.insert(0, str(ROOT / "tools"))
    from student_edition import chapter_files

    directive = re.compile(r"^\s*(`{3,}|:{3,})\{(?!code-cell)[A-Za-z0-9:_-]+\}", re.M)
    role = re.compile(r"\{[A-Za-z0-9:_-]+\}`")
    for path in chapter_files():
        copy = nbformat.read(ROOT / "notebooks" / f"{path.stem}.ipynb", as_version=4)
        md = "\n".join(c.source for c in copy.cells if c.cell_type == "markdown")
        assert not directive.search(md), (path.name, directive.search(md).group(0))
        assert not role.search(md), (path.name, role.search(md).group(0))
        # every display formula of the chapter is still there, character for character, and no
        # inline one is lost (roles may add some: {math} becomes $...$)
        source = "\n".join(c.source for c in jupytext.read(path).cells if c.cell_type == "markdown")
        for formula in re.findall(r"\$\$.+?\$\$", source, flags=re.S):
            assert formula in md, (path.name, formula[:80])
        assert md.count("$") >= source.count("$"), path.name
