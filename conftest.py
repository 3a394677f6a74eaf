"""Run the book's MyST Markdown chapters as tests, and keep their outputs for the build.

This hook collects every ``chapters/*.md`` and ``appendices/*.md`` that carries a jupytext
header and executes it with nbclient -- the executor the book build uses -- in a fresh kernel,
one test item per code cell (like nbval in its lax mode): a failing cell or assertion fails the
run. Each chapter kernel first turns Python warnings into errors (numpy's floating-point
warnings included), so a chapter that warns fails; a chapter that expects a warning catches it
explicitly. With pytest-xdist, use ``--dist loadfile`` so the cells of one chapter stay in one
worker.

A chapter whose every cell passed is stored, with its outputs, in the book's execution cache
(``_build/.jupyter_cache``, stamped by ``tools/build_book.py`` with the package's sources): the
build then reuses it instead of executing the chapter a second time, and the reproducibility
test compares a fresh execution against it. Chapter items run before the other tests, and the
tests that build the site or re-execute chapters run last, so that the cache is full by then.
"""

from __future__ import annotations

import os

# Tests run two workers on two cores (pytest -n 2): one BLAS thread per process avoids
# oversubscription, which slows dense linear algebra by an order of magnitude. Chapter kernels
# and the book build started by the tests inherit this.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import contextlib  # noqa: E402
import re  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import jupytext  # noqa: E402
from hypothesis import settings  # noqa: E402
import pytest  # noqa: E402
from nbclient import NotebookClient  # noqa: E402
from nbclient.exceptions import CellExecutionError, CellTimeoutError  # noqa: E402

# Property-based tests explore a fixed, seeded set of examples: the same inputs every run, so a
# failure is reproducible and CI cannot flake on a rare draw (set HYPOTHESIS_PROFILE=explore
# locally to search new examples).
settings.register_profile("rmtbook", derandomize=True, deadline=None, print_blob=True)
settings.register_profile("explore", deadline=None, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "rmtbook"))

ROOT = Path(__file__).parent
NOTEBOOK_DIRS = (ROOT / "chapters", ROOT / "appendices")

#: Run in every chapter kernel before its first cell.
KERNEL_PRELUDE = """
import os as _os, warnings as _warnings
_os.environ.setdefault("MPLBACKEND", "Agg")
_warnings.simplefilter("error")
# Third-party deprecations are not the chapter's fault; the chapter's own code is checked.
_warnings.filterwarnings("default", category=DeprecationWarning, module=r"(?!__main__)")
_warnings.filterwarnings("default", category=PendingDeprecationWarning)
"""


def _is_chapter(path: Path) -> bool:
    if path.suffix != ".md" or path.parent.resolve() not in {d.resolve() for d in NOTEBOOK_DIRS}:
        return False
    with open(path, encoding="utf-8") as handle:
        head = handle.read(600)
    return head.startswith("---") and "jupytext" in head


#: Seconds a single cell may run (the chapter standard asks for 60 s per chapter).
CELL_TIMEOUT = 300

#: Test files run after everything else: they build the site or re-execute chapters, and reuse
#: the chapter outputs that the chapter items stored in the execution cache.
RUN_LAST = ("test_browser.py", "test_reproducibility.py")


def _build_tools():
    """``tools/build_book.py`` as a module, or ``None`` outside the book's own checkout.

    The temporary books of the infrastructure tests have no ``tools/``: their chapters are then
    executed but not cached.
    """
    tools = ROOT / "tools"
    if not (tools / "build_book.py").exists():
        return None
    if str(tools) not in sys.path:
        sys.path.insert(0, str(tools))
    import build_book

    return build_book


class ChapterCellError(Exception):
    """A chapter cell raised: the message holds the cell's source and traceback."""


class MystNotebook(pytest.File):
    """A MyST Markdown chapter executed by nbclient in one kernel; one item per code cell."""

    def collect(self):
        self.nb = jupytext.read(self.path)
        number = 0
        for index, cell in enumerate(self.nb.cells):
            if cell.cell_type == "code":
                item = ChapterCell.from_parent(self, name=f"Cell {number}", index=index, cell=cell)
                item.add_marker(pytest.mark.slow)  # a chapter takes seconds: not in the quick subset
                yield item
                number += 1

    def setup(self) -> None:
        self.executed = 0  # code cells run, in order, without an error
        self.failed = self.timed_out = False
        self._kernel = contextlib.ExitStack()  # pytest tears down even when setup fails
        self.started = time.perf_counter()
        self.client = NotebookClient(self.nb, timeout=CELL_TIMEOUT, kernel_name="python3", allow_errors=False,
                                     record_timing=False,  # as the build: cell metadata is hashed
                                     resources={"metadata": {"path": str(self.path.parent)}})
        self._kernel.enter_context(self.client.setup_kernel())
        info = self.client.wait_for_reply(self.client.kc.kernel_info())
        self.nb.metadata["language_info"] = info["content"]["language_info"]
        # not a cell of the notebook: its outputs are ignored, an error in it fails loudly
        reply = self.client.wait_for_reply(self.client.kc.execute(KERNEL_PRELUDE, store_history=False))
        if reply is None or reply["content"]["status"] != "ok":
            raise RuntimeError(f"chapter kernel prelude failed: {reply and reply['content']}")

    def teardown(self) -> None:
        try:
            seconds = time.perf_counter() - self.started
            ran_all = self.executed == sum(cell.cell_type == "code" for cell in self.nb.cells)
            if ran_all and not self.failed:
                self._cache_outputs(seconds)
        finally:
            self._kernel.close()

    def _cache_outputs(self, seconds: float) -> None:
        """Put the executed chapter in the build's execution cache, as the build would."""
        tools = _build_tools()
        if tools is None:
            return
        from jupyter_cache.base import CacheBundleIn

        self.client.set_widgets_metadata()
        with tools.cache_lock(ROOT):
            tools.execution_cache(ROOT).cache_notebook_bundle(
                CacheBundleIn(self.nb, str(self.path), data={"execution_seconds": seconds}),
                check_validity=False, overwrite=True)


class ChapterCell(pytest.Item):
    """One code cell of a chapter, run in the chapter's kernel after the cells before it."""

    def __init__(self, *, index: int, cell, **kwargs):
        super().__init__(**kwargs)
        self.index, self.cell = index, cell

    def runtest(self) -> None:
        chapter = self.parent
        if chapter.timed_out:  # the kernel is still busy with that cell: each cell would time out
            pytest.skip("an earlier cell of this chapter timed out")
        try:
            chapter.client.execute_cell(self.cell, self.index, execution_count=chapter.executed + 1)
        except CellExecutionError as error:
            chapter.failed = True
            raise ChapterCellError(re.sub(r"\x1b\[[0-9;]*m", "", str(error))) from None  # no colour codes
        except CellTimeoutError:
            chapter.failed = chapter.timed_out = True
            raise
        except BaseException:
            chapter.failed = True
            raise
        if chapter.executed == sum(c.cell_type == "code" for c in chapter.nb.cells[:self.index]):
            chapter.executed += 1  # this cell and every one before it ran, in order

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, ChapterCellError):
            return f"{self.path.name}, {self.name}: {excinfo.value}"
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self):
        return self.path, None, f"{self.path.name}::{self.name}"


def _missing(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is None


#: Package modules whose doctests need an optional dependency (an extra of pyproject.toml):
#: without it they are not collected, rather than failing on import.
collect_ignore_glob = [
    *(["rmtbook/plotting.py", "rmtbook/widgets/*"] if _missing("matplotlib") else []),
    *(["rmtbook/widgets/*"] if _missing("ipywidgets") else []),
    *(["rmtbook/datasets.py"] if _missing("sklearn") else []),
]


@pytest.fixture(autouse=True)
def _doctest_numpy_printing(request):
    """Doctests print numpy values the same way on every numpy: 8 digits, scalars as plain
    numbers (``0.5``, not ``np.float64(0.5)``), no scientific notation for tiny noise."""
    from _pytest.doctest import DoctestItem

    if not isinstance(request.node, DoctestItem):
        yield
        return
    import numpy as np

    legacy = "1.25" if int(np.__version__.split(".")[0]) >= 2 else False  # numpy 1 prints plainly
    with np.printoptions(precision=8, suppress=True, legacy=legacy):
        yield


def pytest_configure(config: pytest.Config) -> None:
    # chapter cells carry it; registered here too for books that copy this conftest alone
    config.addinivalue_line("markers", "slow: takes more than about 2 s (see pyproject.toml)")


def pytest_collect_file(file_path: Path, parent: pytest.Collector):
    if _is_chapter(file_path):
        return MystNotebook.from_parent(parent, path=file_path)
    return None


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Chapters first, the tests that build the site or re-execute chapters last (stable order)."""
    def rank(item: pytest.Item) -> int:
        if isinstance(item, ChapterCell):
            return 0
        return 2 if item.path.name in RUN_LAST else 1

    items.sort(key=rank)
