"""Build the book with warnings as errors, reusing the execution cache safely.

jupyter-cache keys a notebook's cached outputs on the notebook's own content, so it does not
notice when the ``rmtbook`` package changes underneath a chapter. This script hashes the
package's sources and clears the execution cache when they changed, then runs
``jupyter-book build . -W -n --keep-going`` and prints where the HTML is.

Usage: ``python tools/build_book.py [extra jupyter-book arguments]``.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "_build"
CACHE = BUILD / ".jupyter_cache"
STAMP = BUILD / ".rmtbook-sources.sha256"


def package_hash() -> str:
    """SHA-256 over the package's Python sources (paths and contents), in sorted order."""
    digest = hashlib.sha256()
    for path in sorted((ROOT / "rmtbook").rglob("*.py")):
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def main(argv: list[str]) -> int:
    current = package_hash()
    if CACHE.exists() and (not STAMP.exists() or STAMP.read_text().strip() != current):
        print("rmtbook sources changed since the last build: clearing the execution cache")
        shutil.rmtree(CACHE)
    # whatever the build's outcome, every notebook cached from now on ran against these sources
    BUILD.mkdir(exist_ok=True)
    STAMP.write_text(current + "\n")
    cmd = [str(Path(sys.executable).with_name("jupyter-book")), "build", str(ROOT), "-W", "-n", "--keep-going", *argv]
    code = subprocess.call(cmd, cwd=ROOT)
    if code == 0:
        print(f"The book is at {BUILD / 'html' / 'index.html'}")
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
