"""Run every benchmark, one after the other, each in its own process.

Usage from the repository root: ``.venv/bin/python benchmarks/run_all.py [--quick]``. Each
script prints its own table of ratios measured within one process; nothing is asserted.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPTS = ["bench_laws.py", "bench_kernels.py", "bench_spectra.py", "bench_widgets.py"]
QUICK = {"bench_kernels.py", "bench_spectra.py", "bench_laws.py"}  # scripts that accept --quick


def main(argv: list[str]) -> int:
    failures = 0
    for script in SCRIPTS:
        print(f"\n=== {script} ===", flush=True)
        extra = ["--quick"] if "--quick" in argv and script in QUICK else []
        failures += subprocess.call([sys.executable, str(HERE / script), *extra]) != 0
    return int(failures > 0)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
