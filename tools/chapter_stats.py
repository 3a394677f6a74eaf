"""Measure each chapter's execution: wall time and peak memory of its kernel.

``python tools/chapter_stats.py [--markdown]`` executes every notebook of the table of contents
in a fresh kernel, one at a time, sampling the kernel's resident memory every 50 ms, and prints
a table (Markdown with ``--markdown``, for the README). It reports; it asserts nothing: the
chapter standard (at most 60 s and 2 GB on 2 cores) is checked by reading the table.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from pathlib import Path

import jupytext
import psutil
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
from student_edition import chapter_files  # noqa: E402


def _peak_rss(client: NotebookClient, stop: threading.Event, out: list[int]) -> None:
    peak = 0
    while not stop.is_set():
        try:
            pid = client.km.provisioner.process.pid  # type: ignore[union-attr]
            proc = psutil.Process(pid)
            rss = proc.memory_info().rss + sum(c.memory_info().rss for c in proc.children(recursive=True))
            peak = max(peak, rss)
        except Exception:  # kernel not started yet, or gone
            pass
        time.sleep(0.05)
    out.append(peak)


def measure(path: Path) -> tuple[float, float]:
    nb = jupytext.read(path)
    os.environ.setdefault("MPLBACKEND", "Agg")
    client = NotebookClient(nb, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    stop, peaks = threading.Event(), []
    start = time.perf_counter()
    with client.setup_kernel():
        watcher = threading.Thread(target=_peak_rss, args=(client, stop, peaks), daemon=True)
        watcher.start()
        for index, cell in enumerate(nb.cells):
            client.execute_cell(cell, index)
        stop.set()
        watcher.join()
    return time.perf_counter() - start, peaks[0] / 2**30


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args(argv)
    rows = []
    total = 0.0
    for path in chapter_files():
        seconds, gib = measure(path)
        total += seconds
        rows.append((path.relative_to(ROOT).as_posix(), seconds, gib))
        if not args.markdown:
            print(f"{rows[-1][0]:45s} {seconds:7.1f} s {gib:6.2f} GiB", flush=True)
    if args.markdown:
        print("| notebook | seconds | peak memory (GiB) |\n| --- | ---: | ---: |")
        for name, seconds, gib in rows:
            print(f"| `{name}` | {seconds:.0f} | {gib:.2f} |")
        print(f"| **total** | **{total:.0f}** | |")
    else:
        print(f"total {total:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
