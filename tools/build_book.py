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


def package_hash(root: Path = ROOT) -> str:
    """SHA-256 over the package's Python sources (paths and contents), in sorted order."""
    digest = hashlib.sha256()
    for path in sorted((root / "rmtbook").rglob("*.py")):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def refresh_cache(root: Path = ROOT) -> bool:
    """Clear the execution cache if the package changed since it was filled; True if cleared.

    Whatever the build's outcome, every notebook cached after this call runs against the
    current sources, so the stamp is written now.
    """
    build = root / "_build"
    cache, stamp = build / ".jupyter_cache", build / ".rmtbook-sources.sha256"
    current = package_hash(root)
    cleared = False
    if cache.exists() and (not stamp.exists() or stamp.read_text().strip() != current):
        shutil.rmtree(cache)
        cleared = True
    build.mkdir(exist_ok=True)
    stamp.write_text(current + "\n")
    return cleared


def main(argv: list[str]) -> int:
    if refresh_cache():
        print("rmtbook sources changed since the last build: cleared the execution cache")
    cmd = [str(Path(sys.executable).with_name("jupyter-book")), "build", str(ROOT), "-W", "-n", "--keep-going", *argv]
    code = subprocess.call(cmd, cwd=ROOT)
    if code == 0:
        print(f"The book is at {BUILD / 'html' / 'index.html'}")
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
