"""Build the book with warnings as errors, reusing the execution cache safely.

jupyter-cache keys a notebook's cached outputs on the notebook's own content, so it does not
notice when the ``rmtbook`` package changes underneath a chapter. This script hashes the
package's sources and clears the execution cache when they changed, then runs
``jupyter-book build . -W -n --keep-going`` and prints where the HTML is.

Usage: ``python tools/build_book.py [extra jupyter-book arguments]``.
"""

from __future__ import annotations

import contextlib
import fcntl
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


def execution_cache(root: Path = ROOT):
    """The book's execution cache (jupyter-cache), cleared first if the package changed.

    The test run stores every chapter that passed here (conftest.py), so that the build reuses
    its outputs instead of executing the chapter again. Hold :func:`cache_lock` while using it.
    """
    from jupyter_cache import get_cache

    refresh_cache(root)
    return get_cache(str(root / "_build" / ".jupyter_cache"))


@contextlib.contextmanager
def cache_lock(root: Path = ROOT):
    """Serialize writers of the execution cache (pytest-xdist workers share its SQLite database)."""
    (root / "_build").mkdir(exist_ok=True)
    with open(root / "_build" / ".jupyter_cache.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def main(argv: list[str]) -> int:
    with cache_lock():
        cleared = refresh_cache()
    if cleared:
        print("rmtbook sources changed since the last build: cleared the execution cache")
    cmd = [str(Path(sys.executable).with_name("jupyter-book")), "build", str(ROOT), "-W", "-n", "--keep-going", *argv]
    code = subprocess.call(cmd, cwd=ROOT)
    if code == 0:
        print(f"The book is at {BUILD / 'html' / 'index.html'}")
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
