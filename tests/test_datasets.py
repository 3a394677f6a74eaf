"""Tests of rmtbook.datasets: the bundled digits and IDX (MNIST) files on disk."""

from __future__ import annotations

import gzip

import numpy as np
import pytest

from rmtbook import datasets as ds


# --- digits ----------------------------------------------------------------------------------
def test_digits_shapes_and_normalization():
    X, labels = ds.load_digits_data()
    assert X.shape == (64, 1797)  # p x n: columns are samples
    assert labels.shape == (1797,)
    assert set(np.unique(labels)) == set(range(10))
    np.testing.assert_allclose(np.linalg.norm(X, axis=0), 1.0, rtol=1e-12)


def test_digits_raw_values_without_normalization():
    X, _ = ds.load_digits_data(normalize=False)
    assert X.min() == 0.0 and X.max() == 16.0  # grey levels of the 8x8 images


def test_digits_two_classes_centred_normalized():
    data = ds.load_digits_data(classes=(0, 1), center=True, normalize=True)
    X, labels = data
    assert data.shape == X.shape
    assert set(np.unique(labels)) == {0, 1}
    assert X.shape[1] == np.sum(np.isin(ds.load_digits_data().labels, (0, 1)))  # 178 + 182
    np.testing.assert_allclose(np.linalg.norm(X, axis=0), 1.0, rtol=1e-12)
    # centring happens before normalization: the un-normalized centred mean is zero
    Xc, _ = ds.load_digits_data(classes=(0, 1), center=True, normalize=False)
    np.testing.assert_allclose(Xc.mean(axis=1), 0.0, atol=1e-12)


def test_digits_subsampling_is_seeded_and_ordered():
    a = ds.load_digits_data(num_samples=100, rng=3)
    b = ds.load_digits_data(num_samples=100, rng=3)
    np.testing.assert_array_equal(a.X, b.X)
    assert a.X.shape == (64, 100)
    c = ds.load_digits_data(num_samples=100, rng=4)
    assert not np.array_equal(a.X, c.X)


def test_digits_bad_arguments():
    with pytest.raises(ValueError, match="classes"):
        ds.load_digits_data(classes=(0, 11))
    with pytest.raises(ValueError, match="num_samples"):
        ds.load_digits_data(num_samples=5000)
    with pytest.raises(TypeError, match="num_samples"):
        ds.load_digits_data(num_samples=1.5)


def test_prepare_data_checks():
    with pytest.raises(ValueError, match="labels"):
        ds.prepare_data(np.ones((3, 4)), np.arange(5))
    with pytest.raises(ValueError, match="zero norm"):
        ds.prepare_data(np.zeros((3, 4)), np.arange(4), normalize=True)


# --- IDX files -------------------------------------------------------------------------------
def _fake_mnist(rng: np.random.Generator, count: int = 12, rows: int = 5, cols: int = 4):
    images = rng.integers(1, 256, size=(count, rows, cols), dtype=np.uint8)
    labels = rng.integers(0, 10, size=count, dtype=np.uint8)
    return images, labels


@pytest.mark.parametrize("gz", [False, True])
def test_load_mnist_round_trip(tmp_path, gz):
    rng = np.random.default_rng(0)
    images, labels = _fake_mnist(rng)
    suffix = ".gz" if gz else ""
    ds.write_idx(tmp_path / f"train-images-idx3-ubyte{suffix}", images)
    ds.write_idx(tmp_path / f"train-labels-idx1-ubyte{suffix}", labels)
    if gz:  # really gzipped on disk
        with open(tmp_path / "train-images-idx3-ubyte.gz", "rb") as handle:
            assert handle.read(2) == b"\x1f\x8b"
    X, lab = ds.load_mnist(tmp_path, normalize=False)
    assert X.shape == (20, 12)  # p = rows * cols, columns are samples
    np.testing.assert_array_equal(lab, labels.astype(int))
    np.testing.assert_allclose(X, images.reshape(12, -1).T / 255.0)
    Xn, _ = ds.load_mnist(tmp_path)  # normalized by default
    np.testing.assert_allclose(np.linalg.norm(Xn, axis=0), 1.0, rtol=1e-12)


def test_read_idx_matches_hand_written_bytes(tmp_path):
    # an IDX label file written byte by byte, independently of write_idx
    payload = (2049).to_bytes(4, "big") + (3).to_bytes(4, "big") + bytes([7, 0, 9])
    path = tmp_path / "labels.gz"
    with gzip.open(path, "wb") as handle:
        handle.write(payload)
    np.testing.assert_array_equal(ds.read_idx(path, expected_magic=ds.IDX_LABEL_MAGIC), [7, 0, 9])
    images = (2051).to_bytes(4, "big") + b"".join(k.to_bytes(4, "big") for k in (2, 2, 3)) + bytes(range(12))
    (tmp_path / "img").write_bytes(images)
    np.testing.assert_array_equal(ds.read_idx(tmp_path / "img"), np.arange(12).reshape(2, 2, 3))


def test_load_mnist_test_split_and_classes(tmp_path):
    rng = np.random.default_rng(1)
    images, labels = _fake_mnist(rng, count=30)
    ds.write_idx(tmp_path / "t10k-images-idx3-ubyte", images)
    ds.write_idx(tmp_path / "t10k-labels-idx1-ubyte.gz", labels)
    present = np.unique(labels)[:2]
    X, lab = ds.load_mnist(tmp_path, split="test", classes=tuple(int(c) for c in present))
    assert set(np.unique(lab)) == set(present.tolist())
    assert X.shape == (20, int(np.isin(labels, present).sum()))


def test_bad_magic_number(tmp_path):
    rng = np.random.default_rng(2)
    images, labels = _fake_mnist(rng)
    # labels written where the images should be: magic 2049 instead of 2051
    ds.write_idx(tmp_path / "train-images-idx3-ubyte", labels)
    ds.write_idx(tmp_path / "train-labels-idx1-ubyte", labels)
    with pytest.raises(ValueError, match="magic number.*2051.*2049"):
        ds.load_mnist(tmp_path)
    (tmp_path / "junk").write_bytes(b"\x00\x00\x0c\x01" + bytes(8))
    with pytest.raises(ValueError, match="magic number"):
        ds.read_idx(tmp_path / "junk")


def test_truncated_file(tmp_path):
    payload = (2049).to_bytes(4, "big") + (10).to_bytes(4, "big") + bytes(3)
    (tmp_path / "short").write_bytes(payload)
    with pytest.raises(ValueError, match="declares shape"):
        ds.read_idx(tmp_path / "short")


def test_missing_files_are_named(tmp_path):
    with pytest.raises(FileNotFoundError, match="train-images-idx3-ubyte"):
        ds.load_mnist(tmp_path)
    with pytest.raises(FileNotFoundError, match="never downloads"):
        ds.load_mnist(tmp_path / "nowhere")
    ds.write_idx(tmp_path / "train-images-idx3-ubyte", np.ones((2, 2, 2)))
    with pytest.raises(FileNotFoundError, match="train-labels-idx1-ubyte"):
        ds.load_mnist(tmp_path)


def test_inconsistent_counts_and_split(tmp_path):
    ds.write_idx(tmp_path / "train-images-idx3-ubyte", np.ones((3, 2, 2)))
    ds.write_idx(tmp_path / "train-labels-idx1-ubyte", np.zeros(4))
    with pytest.raises(ValueError, match="3 images but"):
        ds.load_mnist(tmp_path)
    with pytest.raises(ValueError, match="split"):
        ds.load_mnist(tmp_path, split="validation")


def test_write_idx_rejects_bad_values(tmp_path):
    with pytest.raises(ValueError, match="array"):
        ds.write_idx(tmp_path / "x", np.array([1.5, 2.0]))
    with pytest.raises(ValueError, match="array"):
        ds.write_idx(tmp_path / "x", np.array([300]))
