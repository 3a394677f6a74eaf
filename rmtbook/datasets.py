"""Real data in the book's conventions: handwritten digits and MNIST files on disk.

Every loader returns the data matrix ``X`` as ``p x n`` (**columns are samples**), as float
arrays, together with the integer labels, and can select classes, centre the samples and
normalize every column to unit Euclidean norm (the normalization under which the random
features and kernel chapters state their results). Nothing here downloads anything:

* :func:`load_digits_data` wraps the 8 x 8 handwritten digits bundled with scikit-learn
  (1797 images, ``p = 64``);
* :func:`load_mnist` parses MNIST files already on disk, in the standard IDX format
  (``train-images-idx3-ubyte[.gz]``, ``train-labels-idx1-ubyte[.gz]``,
  ``t10k-images-idx3-ubyte[.gz]``, ``t10k-labels-idx1-ubyte[.gz]``) with numpy only;
* :func:`read_idx` and :func:`write_idx` read and write single IDX files (the latter lets
  tests and chapters build small synthetic MNIST-like files).

Layer 3 of the package: imports only :mod:`rmtbook._validation` and :mod:`rmtbook._rng`
(scikit-learn is imported lazily, inside :func:`load_digits_data`).

References
----------
- Y. LeCun, L. Bottou, Y. Bengio and P. Haffner, "Gradient-based learning applied
  to document recognition", Proc. IEEE 86 (1998): the MNIST data and its IDX file format.
- C. Louart, Z. Liao and R. Couillet, "A random matrix approach to neural
  networks", Ann. Appl. Probab. 28 (2018) :cite:p:`louart2018random`.

Used in :doc:`/chapters/08_random_features`.
"""

from __future__ import annotations

import gzip
import math
import os
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Optional, Union

import numpy as np

from ._rng import as_generator
from ._typing import ArrayLike, RngLike
from ._validation import check_array, check_bool, check_choice, check_int

__all__ = [
    "LabelledData",
    "IDX_IMAGE_MAGIC",
    "IDX_LABEL_MAGIC",
    "MNIST_FILES",
    "load_digits_data",
    "load_mnist",
    "read_idx",
    "write_idx",
    "prepare_data",
]

#: Magic number of an IDX file of unsigned-byte images (three dimensions).
IDX_IMAGE_MAGIC = 2051
#: Magic number of an IDX file of unsigned-byte labels (one dimension).
IDX_LABEL_MAGIC = 2049

#: Base names of the MNIST files by split (each may also carry a ``.gz`` suffix).
MNIST_FILES: dict[str, tuple[str, str]] = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}

PathLike = Union[str, Path]


@dataclass(frozen=True)
class LabelledData:
    """A data matrix with columns as samples, and its labels.

    Unpacks as ``X, labels = data``.

    Attributes
    ----------
    X : numpy.ndarray
        ``p x n`` float array; column ``i`` is sample ``i``.
    labels : numpy.ndarray
        Length-``n`` integer array of class labels.
    """

    X: np.ndarray
    labels: np.ndarray

    def __iter__(self) -> Iterator[np.ndarray]:
        return iter((self.X, self.labels))

    @property
    def shape(self) -> tuple[int, int]:
        """``(p, n)``."""
        return self.X.shape  # type: ignore[return-value]


# ---------------------------------------------------------------------------------------------
# Shared preprocessing
# ---------------------------------------------------------------------------------------------
def prepare_data(
    X: ArrayLike,
    labels: ArrayLike,
    *,
    classes: Optional[Sequence[int]] = None,
    num_samples: Optional[int] = None,
    center: bool = False,
    normalize: bool = False,
    rng: RngLike = None,
) -> LabelledData:
    """Select classes and samples, centre and normalize a ``p x n`` data matrix.

    Parameters
    ----------
    X
        ``p x n`` array, columns are samples.
    labels
        Length-``n`` integer labels.
    classes
        Keep only the samples whose label is in ``classes`` (all samples if ``None``).
    num_samples
        Keep this many samples (after class selection), drawn without replacement with
        ``rng``; the original order is kept. ``None`` keeps all of them.
    center
        Subtract the mean sample (the mean column, computed after selection).
    normalize
        Divide every column by its Euclidean norm (after centring), so that ``||x_i|| = 1``.
    rng
        ``None``, a seed or a Generator, used only when ``num_samples`` is given.

    Returns
    -------
    LabelledData

    Raises
    ------
    ValueError
        If the labels do not match the columns, a class is absent, ``num_samples`` exceeds the
        available samples, or a column to normalize has zero norm.

    References
    ----------
    Used in :doc:`/chapters/08_random_features`.

    Examples
    --------
    >>> import numpy as np
    >>> from rmtbook import prepare_data
    >>> X, labels = np.arange(12.0).reshape(2, 6), np.array([0, 1, 0, 1, 2, 2])
    >>> data = prepare_data(X, labels, classes=(0, 1), normalize=True)
    >>> data.shape, data.labels.tolist()
    ((2, 4), [0, 1, 0, 1])
    >>> np.round(np.linalg.norm(data.X, axis=0), 12).tolist()
    [1.0, 1.0, 1.0, 1.0]
    """
    X = check_array("X", X, ndim=2)
    center = check_bool("center", center)
    normalize = check_bool("normalize", normalize)
    try:
        lab = np.asarray(labels)
    except (ValueError, TypeError) as exc:  # ragged nested sequences
        raise TypeError(f"labels must be a one-dimensional integer array, got {labels!r:.60}") from exc
    if lab.ndim != 1 or not np.issubdtype(lab.dtype, np.integer):
        raise ValueError(f"labels must be a one-dimensional integer array, got shape {lab.shape} and dtype {lab.dtype}")
    if lab.shape[0] != X.shape[1]:
        raise ValueError(f"labels must have one entry per column of X ({X.shape[1]}), got length {lab.shape[0]}")
    keep = np.ones(lab.shape[0], dtype=bool)
    if classes is not None:
        wanted = [check_int("classes[i]", c) for c in classes]
        if len(wanted) == 0:
            raise ValueError("classes must list at least one class label")
        present = set(np.unique(lab).tolist())
        missing = [c for c in wanted if c not in present]
        if missing:
            raise ValueError(f"classes {missing} do not occur in the labels; present are {sorted(present)}")
        keep = np.isin(lab, wanted)
    idx = np.flatnonzero(keep)
    if num_samples is not None:
        num_samples = check_int("num_samples", num_samples, low=1, high=idx.size)
        gen = as_generator(rng)
        idx = np.sort(gen.choice(idx, size=num_samples, replace=False))
    Xs = X[:, idx]
    if center:
        Xs = Xs - Xs.mean(axis=1, keepdims=True)
    if normalize:
        norms = np.linalg.norm(Xs, axis=0)
        if np.any(norms == 0):
            raise ValueError("cannot normalize: some columns of X have zero norm")
        Xs = Xs / norms
    return LabelledData(np.ascontiguousarray(Xs), lab[idx].astype(int))


# ---------------------------------------------------------------------------------------------
# scikit-learn digits
# ---------------------------------------------------------------------------------------------
def load_digits_data(
    *,
    classes: Optional[Sequence[int]] = None,
    num_samples: Optional[int] = None,
    center: bool = False,
    normalize: bool = True,
    rng: RngLike = None,
) -> LabelledData:
    """The 8 x 8 handwritten digits bundled with scikit-learn, columns as samples.

    1797 grey-level images (pixel values 0..16) of the digits 0..9, flattened to ``p = 64``.
    The data ship with scikit-learn: nothing is downloaded.

    Parameters
    ----------
    classes
        Digits to keep (e.g. ``(0, 1)`` for a binary task); all ten if ``None``.
    num_samples
        Number of samples to keep after class selection (drawn without replacement with
        ``rng``, order kept); all if ``None``.
    center
        Subtract the mean image (computed on the selected samples).
    normalize
        Scale every column to unit Euclidean norm (after centring); on by default, the
        normalization of the random features chapter.
    rng
        ``None``, a seed or a Generator, used only with ``num_samples``.

    Returns
    -------
    LabelledData
        ``X`` of shape ``(64, n)`` and integer ``labels`` of length ``n``.

    References
    ----------
    Alpaydin & Kaynak's optical recognition of handwritten digits data, as distributed by
    scikit-learn (``sklearn.datasets.load_digits``). Used in :doc:`/chapters/08_random_features`.

    Examples
    --------
    >>> from rmtbook import load_digits_data
    >>> X, labels = load_digits_data(classes=(0, 1), num_samples=100, rng=0)
    >>> X.shape, sorted(set(labels.tolist()))
    ((64, 100), [0, 1])
    """
    from sklearn.datasets import load_digits  # lazy: scikit-learn is needed only here

    bunch = load_digits()
    return prepare_data(
        np.asarray(bunch.data, dtype=float).T,
        np.asarray(bunch.target, dtype=int),
        classes=classes,
        num_samples=num_samples,
        center=center,
        normalize=normalize,
        rng=rng,
    )


# ---------------------------------------------------------------------------------------------
# IDX files (MNIST)
# ---------------------------------------------------------------------------------------------
def _as_path(path: str | os.PathLike) -> Path:
    """Validate a file-system path argument (``str`` or ``os.PathLike``, not empty)."""
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a str or an os.PathLike, got {type(path).__name__}")
    if isinstance(path, str) and path == "":
        raise ValueError("path must not be empty")
    return Path(path)


def _open(path: Path) -> IO[bytes]:
    with open(path, "rb") as handle:
        head = handle.read(2)
    if head == b"\x1f\x8b":  # gzip magic bytes, whatever the suffix
        return gzip.open(path, "rb")
    return open(path, "rb")


def read_idx(path: PathLike, *, expected_magic: Optional[int] = None) -> np.ndarray:
    """Read an IDX file of unsigned bytes (gzipped or not) into a numpy array.

    The IDX format is a 4-byte big-endian magic number ``0x0000 08 D`` (``08`` for unsigned
    bytes, ``D`` the number of dimensions: 2049 for a label vector, 2051 for a stack of
    images), ``D`` big-endian 4-byte sizes, then the data in C order.

    Parameters
    ----------
    path
        File to read; gzip compression is detected from the content.
    expected_magic
        If given, the magic number the file must carry (:data:`IDX_IMAGE_MAGIC` or
        :data:`IDX_LABEL_MAGIC`).

    Returns
    -------
    numpy.ndarray
        ``uint8`` array of the declared shape.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    ValueError
        On a bad magic number, a non-byte data type, a size that does not match the file or a
        corrupt gzip stream.

    References
    ----------
    LeCun et al. (1998), the MNIST database's file format. Used in :doc:`/chapters/08_random_features`.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> import numpy as np
    >>> from rmtbook import read_idx, write_idx
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "images-idx3-ubyte.gz"
    >>> _ = write_idx(path, np.arange(24, dtype=np.uint8).reshape(2, 3, 4))
    >>> read_idx(path).shape
    (2, 3, 4)
    """
    path = _as_path(path)
    if not path.is_file():
        raise FileNotFoundError(f"IDX file not found: {path}")
    if expected_magic is not None:
        expected_magic = check_int("expected_magic", expected_magic, low=0)
    try:
        with _open(path) as handle:
            raw = handle.read()
    except (EOFError, OSError, zlib.error) as exc:  # gzip.BadGzipFile is an OSError
        raise ValueError(
            f"path {path} is not a readable IDX file: its gzip stream is corrupt or truncated "
            f"({type(exc).__name__}: {exc}); download it again"
        ) from exc
    if len(raw) < 4:
        raise ValueError(f"{path} is too short to be an IDX file ({len(raw)} bytes)")
    magic = int.from_bytes(raw[:4], "big")
    if expected_magic is not None and magic != expected_magic:
        raise ValueError(
            f"bad magic number in {path}: expected_magic is {expected_magic}, the file holds {magic} "
            "(is this the right IDX file, or a corrupted download?)"
        )
    if magic >> 8 != 0x08:
        raise ValueError(f"bad magic number in {path}: {magic} does not describe unsigned-byte IDX data")
    ndim = magic & 0xFF
    if ndim < 1:
        raise ValueError(f"bad magic number in {path}: {magic} declares zero dimensions")
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise ValueError(f"{path} is truncated: header of {header} bytes expected")
    shape = tuple(int.from_bytes(raw[4 + 4 * k: 8 + 4 * k], "big") for k in range(ndim))
    size = math.prod(shape)  # Python ints: no int64 overflow for absurd declared sizes
    if len(raw) - header != size:
        raise ValueError(f"{path} declares shape {shape} ({size} bytes of data) but holds {len(raw) - header}")
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(shape).copy()


def write_idx(path: PathLike, array: ArrayLike, *, compress: Optional[bool] = None) -> Path:
    """Write an unsigned-byte array as an IDX file (gzipped when the name ends in ``.gz``).

    Parameters
    ----------
    path
        Destination file.
    array
        Integer array with entries in ``[0, 255]`` and 1 to 3 dimensions (labels: 1, images: 3).
    compress
        Force (``True``) or forbid (``False``) gzip compression; by default, compress when the
        name ends in ``.gz``.

    Returns
    -------
    pathlib.Path
        The written path.

    References
    ----------
    Used in ``tests/test_datasets.py`` and :doc:`/chapters/08_random_features` to build small
    synthetic MNIST-like files without any download.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> import numpy as np
    >>> from rmtbook import IDX_LABEL_MAGIC, read_idx, write_idx
    >>> path = write_idx(pathlib.Path(tempfile.mkdtemp()) / "labels-idx1-ubyte", np.array([3, 1, 4], dtype=np.uint8))
    >>> read_idx(path, expected_magic=IDX_LABEL_MAGIC).tolist()
    [3, 1, 4]
    """
    path = _as_path(path)
    if path.is_dir():
        raise ValueError(f"path {path} is a directory; give a file name")
    arr = check_array("array", array, ndim=(1, 2, 3), low=0, high=255)
    if not np.all(arr == np.round(arr)):
        raise ValueError("array must hold integers in [0, 255]")
    data = arr.astype(np.uint8)
    header = (0x0800 + data.ndim).to_bytes(4, "big") + b"".join(int(s).to_bytes(4, "big") for s in data.shape)
    payload = header + data.tobytes(order="C")
    if compress is None:
        compress = path.suffix == ".gz"
    else:
        compress = check_bool("compress", compress)
    if compress:
        with gzip.open(path, "wb") as handle:
            handle.write(payload)
    else:
        path.write_bytes(payload)
    return path


def _find(directory: Path, base: str) -> Optional[Path]:
    for name in (base, base + ".gz"):
        candidate = directory / name
        if candidate.is_file():
            return candidate
    return None


def load_mnist(
    path: PathLike,
    *,
    split: str = "train",
    classes: Optional[Sequence[int]] = None,
    num_samples: Optional[int] = None,
    center: bool = False,
    normalize: bool = True,
    rng: RngLike = None,
) -> LabelledData:
    """Load MNIST (or any MNIST-like IDX pair) from files already on disk; never downloads.

    Parameters
    ----------
    path
        Directory holding ``train-images-idx3-ubyte``, ``train-labels-idx1-ubyte`` (split
        ``"train"``) or ``t10k-images-idx3-ubyte``, ``t10k-labels-idx1-ubyte`` (split
        ``"test"``), each possibly gzipped with a ``.gz`` suffix.
    split
        ``"train"`` or ``"test"``.
    classes, num_samples, center, normalize, rng
        As in :func:`prepare_data`; images are converted to floats in ``[0, 1]`` first
        (pixel / 255), and flattened to ``p = rows * cols`` (784 for MNIST).

    Returns
    -------
    LabelledData
        ``X`` of shape ``(rows * cols, n)``, ``labels`` of length ``n``.

    Raises
    ------
    FileNotFoundError
        If the directory or one of the two files is missing (the message names the files
        expected).
    ValueError
        On a bad magic number (2051 expected for images, 2049 for labels), on inconsistent
        counts, or for an unknown ``split``.

    References
    ----------
    LeCun et al. (1998). Used in :doc:`/chapters/08_random_features`.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> import numpy as np
    >>> from rmtbook import load_mnist, write_idx
    >>> folder = pathlib.Path(tempfile.mkdtemp())  # a tiny MNIST-like pair of files
    >>> _ = write_idx(folder / "t10k-images-idx3-ubyte", np.full((5, 2, 2), 255, dtype=np.uint8))
    >>> _ = write_idx(folder / "t10k-labels-idx1-ubyte", np.array([0, 1, 2, 1, 0], dtype=np.uint8))
    >>> X, labels = load_mnist(folder, split="test", classes=(1,), normalize=False)
    >>> X.shape, float(X.max())
    ((4, 2), 1.0)
    """
    split = check_choice("split", split, MNIST_FILES)
    directory = _as_path(path)
    image_base, label_base = MNIST_FILES[split]
    if not directory.is_dir():
        raise FileNotFoundError(
            f"MNIST directory not found: {directory}; expected it to hold {image_base}[.gz] and "
            f"{label_base}[.gz] (rmtbook never downloads data)"
        )
    images_path = _find(directory, image_base)
    labels_path = _find(directory, label_base)
    missing = [b + "[.gz]" for b, p in ((image_base, images_path), (label_base, labels_path)) if p is None]
    if missing:
        raise FileNotFoundError(
            f"missing MNIST file(s) {missing} in {directory}; expected {image_base}[.gz] and "
            f"{label_base}[.gz] (rmtbook never downloads data)"
        )
    images = read_idx(images_path, expected_magic=IDX_IMAGE_MAGIC)
    labels = read_idx(labels_path, expected_magic=IDX_LABEL_MAGIC)
    if images.shape[0] != labels.shape[0]:
        raise ValueError(
            f"{images_path.name} holds {images.shape[0]} images but {labels_path.name} holds {labels.shape[0]} labels"
        )
    X = images.reshape(images.shape[0], -1).T.astype(float) / 255.0
    return prepare_data(
        X, labels.astype(int), classes=classes, num_samples=num_samples, center=center,
        normalize=normalize, rng=rng,
    )
