"""Same seed, same numbers: a chapter executed twice prints and draws exactly the same."""

import hashlib
import os
from pathlib import Path

import jupytext
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]


def _execute(path: Path) -> list[tuple[str, str]]:
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
    record = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.output_type == "stream":
                record.append(("stream", out.text))
            elif "data" in out:
                for mime in ("text/plain", "image/png", "text/html"):
                    if mime in out.data and "widget" not in str(out.data.get("text/plain", "")):
                        value = out.data[mime]
                        if mime == "text/plain" and "object at 0x" in value:
                            continue
                        if mime == "image/png":
                            value = hashlib.sha256(value.encode()).hexdigest()
                        record.append((mime, value))
    return record


@pytest.mark.slow
@pytest.mark.parametrize("chapter", ["chapters/01_concentration.md", "chapters/06_hermite.md"])
def test_chapter_executes_identically_twice(chapter):
    path = ROOT / chapter
    first, second = _execute(path), _execute(path)
    assert any(kind == "stream" for kind, _ in first), "the chapter prints nothing to compare"
    assert len(first) == len(second)
    for (kind_a, a), (kind_b, b) in zip(first, second):
        assert kind_a == kind_b and a == b, (kind_a, a[:200], b[:200])
