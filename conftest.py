"""Run the book's MyST Markdown chapters through nbval.

nbval collects only ``.ipynb`` files. This hook collects every ``chapters/*.md`` and
``appendices/*.md`` that carries a jupytext header, reads it with jupytext and hands the notebook to nbval's own collector, so
plain ``pytest`` executes every chapter in a fresh kernel: a failing cell or assertion fails
the run. Each chapter kernel first turns Python warnings into errors (numpy's floating-point
warnings included), so a chapter that warns fails; a chapter that expects a warning catches it
explicitly. With pytest-xdist, use ``--dist loadfile`` so the cells of one chapter stay in one
worker.
"""

from __future__ import annotations

import os

# Tests run two workers on two cores (pytest -n 2): one BLAS thread per process avoids
# oversubscription, which slows dense linear algebra by an order of magnitude. Chapter kernels
# and the book build started by the tests inherit this.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

from pathlib import Path  # noqa: E402
from unittest import mock  # noqa: E402

import jupytext  # noqa: E402
from hypothesis import settings  # noqa: E402
import nbformat  # noqa: E402
import pytest  # noqa: E402
from nbval.plugin import IPyNbFile  # noqa: E402

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


class MystNotebook(IPyNbFile):
    """An nbval notebook read from a MyST Markdown file through jupytext."""

    def collect(self):  # type: ignore[override]
        def read(path, as_version=4, **kwargs):  # noqa: ARG001 - nbformat's signature
            return jupytext.read(path)

        with mock.patch.object(nbformat, "read", read):
            yield from super().collect()

    def setup(self) -> None:
        super().setup()
        msg_id = self.kernel.execute_cell_input(KERNEL_PRELUDE, allow_stdin=False)
        self.kernel.await_reply(msg_id, timeout=60)
        while True:  # drain the prelude's iopub messages, failing loudly on an error
            msg = self.kernel.get_message(stream="iopub", timeout=60)
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            if msg["msg_type"] == "error":
                raise RuntimeError(f"chapter kernel prelude failed: {msg['content']['evalue']}")
            if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                break


def pytest_collect_file(file_path: Path, parent: pytest.Collector):
    opt = parent.config.option
    if (getattr(opt, "nbval", False) or getattr(opt, "nbval_lax", False)) and _is_chapter(file_path):
        return MystNotebook.from_parent(parent, path=file_path)
    return None
