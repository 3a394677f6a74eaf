"""Same seed, same numbers: a chapter executed twice prints and draws exactly the same.

The first execution is, when available, the one the chapter's own test items just stored in the
book's execution cache (conftest.py: chapters run before this file); otherwise the chapter is
executed twice here.
"""

import hashlib
import os
import sys
from pathlib import Path

import jupytext
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]


def _cached(path: Path):
    """The chapter's executed notebook from the execution cache, or ``None`` when absent or stale."""
    sys.path.insert(0, str(ROOT / "tools"))
    import build_book

    with build_book.cache_lock():
        cache = build_book.execution_cache()
        try:
            record = cache.match_cache_notebook(jupytext.read(path))
        except KeyError:
            return None
        return cache.get_cache_bundle(record.pk).nb


def _execute(path: Path):
    nb = jupytext.read(path)
    env_backup = os.environ.get("MPLBACKEND")
    os.environ["MPLBACKEND"] = "Agg"
    try:
        NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
    finally:
        if env_backup is None:
            os.environ.pop("MPLBACKEND", None)
        else:
            os.environ["MPLBACKEND"] = env_backup
    return nb


def _record(nb) -> list[tuple[str, str]]:
    """The outputs to compare. Consecutive stream outputs of a cell are joined: how a kernel
    splits one cell's printed text into chunks depends on flush timing, not on the numbers."""
    record = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.output_type == "stream":
                if record and record[-1][0] == "stream" and record[-1][2] is cell:
                    record[-1] = ("stream", record[-1][1] + out.text, cell)
                else:
                    record.append(("stream", out.text, cell))
            elif "data" in out:
                for mime in ("text/plain", "image/png", "text/html"):
                    if mime in out.data and "widget" not in str(out.data.get("text/plain", "")):
                        value = out.data[mime]
                        if mime == "text/plain" and "object at 0x" in value:
                            continue
                        if mime == "image/png":
                            value = hashlib.sha256(value.encode()).hexdigest()
                        record.append((mime, value, cell))
    return [(kind, value) for kind, value, _ in record]


@pytest.mark.slow
@pytest.mark.parametrize("chapter", ["chapters/01_concentration.md", "chapters/06_hermite.md"])
def test_chapter_executes_identically_twice(chapter):
    path = ROOT / chapter
    cached = _cached(path)
    origin = "the chapter test's execution (cache)" if cached is not None else "a first fresh execution"
    first = _record(cached if cached is not None else _execute(path))
    second = _record(_execute(path))
    assert any(kind == "stream" for kind, _ in first), "the chapter prints nothing to compare"
    assert len(first) == len(second), origin
    for (kind_a, a), (kind_b, b) in zip(first, second):
        assert kind_a == kind_b and a == b, (origin, kind_a, a[:200], b[:200])
