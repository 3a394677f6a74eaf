"""Tests of rmtbook.ensembles: shapes, seeding, second moments, spectra against their laws."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

import dataclasses

from rmtbook.ensembles import (
    SampleCovarianceDraw,
    empirical_spectrum,
    gaussian_data,
    sample_covariance,
    sample_covariance_data,
    wigner_matrix,
)
from rmtbook.laws import marchenko_pastur, sample_covariance_law, semicircle


def test_gaussian_data_shape_seed_and_covariance():
    p, n = 50, 20000
    d = np.linspace(0.5, 3.0, p)
    x = gaussian_data(p, n, population_eigs=d, rng=1)
    assert x.shape == (p, n)
    assert_array_equal(x, gaussian_data(p, n, population_eigs=d, rng=1))
    assert not np.array_equal(x, gaussian_data(p, n, population_eigs=d, rng=2))
    cov = x @ x.T / n
    # entries of the sample covariance fluctuate at O(n^{-1/2}): sd(C_ij) = sqrt(d_i d_j / n)
    sd = np.sqrt(np.outer(d, d) * (1 + np.eye(p)) / n)
    assert np.max(np.abs(cov - np.diag(d)) / sd) < 5.5  # 5.5 sd over 1275 entries: p-value < 1e-4
    # identity population by default
    assert_allclose(np.var(gaussian_data(4, 50000, rng=3), axis=1), 1.0, atol=5 * np.sqrt(2 / 50000))


def test_generator_stream_is_shared():
    gen = np.random.default_rng(0)
    a = gaussian_data(3, 4, rng=gen)
    b = gaussian_data(3, 4, rng=gen)
    assert not np.array_equal(a, b)


def test_sample_covariance_vector_and_matrix_agree():
    rng = np.random.default_rng(4)
    p, n = 30, 90
    d = rng.uniform(0.5, 2.0, p)
    c_vec, x_vec = sample_covariance_data(d, n, rng=7)
    c_mat, x_mat = sample_covariance_data(np.diag(d), n, rng=7)
    assert c_vec.shape == (p, p) and x_vec.shape == (p, n)
    assert_allclose(c_vec, c_mat, atol=1e-12)  # same Z, same square root of a diagonal C
    assert_allclose(c_vec, x_vec @ x_vec.T / n, atol=1e-12)
    assert_allclose(c_vec, c_vec.T)
    # a rotated population: C^{1/2} is the symmetric root, so Chat = C^{1/2} (Z Z^T / n) C^{1/2}
    q, _ = np.linalg.qr(rng.standard_normal((p, p)))
    cmat = (q * d) @ q.T
    c_rot, x_rot = sample_covariance_data(cmat, n, rng=7)
    root = (q * np.sqrt(d)) @ q.T
    z = np.random.default_rng(7).standard_normal((p, n))
    assert_allclose(x_rot, root @ z, atol=1e-10)


def test_sample_covariance_spectrum_matches_law():
    """Normalized trace of the resolvent at z = -1: single draw, O(1/p) fluctuation."""
    p, n = 600, 1200
    pop = np.repeat([1.0, 3.0, 7.0], p // 3)
    eigs = empirical_spectrum(sample_covariance(pop, n, rng=0))
    law = sample_covariance_law([1.0, 3.0, 7.0], p / n)
    emp = np.mean(1 / (eigs + 1))
    assert abs(emp - law.stieltjes(-1.0).real) < 5 / p
    assert eigs.min() > 0 and np.all(np.diff(eigs) >= 0)


def test_rank_deficient_sample_covariance_has_the_atom():
    p, n = 300, 100
    eigs = empirical_spectrum(sample_covariance(np.ones(p), n, rng=1))
    assert np.sum(np.abs(eigs) < 1e-8) == p - n  # exactly the atom 1 - 1/c of the law
    assert (p - n) / p == pytest.approx(marchenko_pastur(p / n).atom)


def test_wigner_matrix_entries_and_spectrum():
    n = 400
    w = wigner_matrix(n, var=3.0, rng=2)
    assert_allclose(w, w.T)
    off = w[np.triu_indices(n, 1)]
    # empirical variance of ~80000 entries: relative sd sqrt(2/80000) = 0.5%
    assert np.var(off) * n == pytest.approx(3.0, rel=0.03)
    assert np.var(np.diag(w)) * n == pytest.approx(6.0, rel=0.35)  # 400 entries: 7% sd
    # (1/n) tr W^2 -> var (second moment of the semicircle), fluctuation O(1/n)
    assert np.trace(w @ w) / n == pytest.approx(semicircle(3.0).moment(2), abs=10 * 3.0 / n)
    eigs = empirical_spectrum(w)
    assert eigs.max() < 2 * np.sqrt(3.0) * 1.1 and eigs.min() > -2 * np.sqrt(3.0) * 1.1


def test_empirical_spectrum_sorted_and_exact():
    rng = np.random.default_rng(0)
    a = rng.standard_normal((6, 6))
    m = a + a.T
    e = empirical_spectrum(m)
    assert np.all(np.diff(e) >= 0)
    assert_allclose(e, np.sort(np.linalg.eigvals(m).real), atol=1e-10)


def test_bad_input():
    with pytest.raises(ValueError, match="p"):
        gaussian_data(0, 5)
    with pytest.raises(TypeError, match="n"):
        gaussian_data(3, 2.5)
    with pytest.raises(ValueError, match="population_eigs"):
        gaussian_data(3, 5, population_eigs=[1.0, 2.0])
    with pytest.raises(ValueError, match="population_eigs"):
        gaussian_data(2, 5, population_eigs=[1.0, -2.0])
    with pytest.raises(ValueError, match="population"):
        sample_covariance(np.ones((2, 3)), 5)
    with pytest.raises(ValueError, match="symmetric"):
        sample_covariance(np.array([[1.0, 0.5], [0.0, 1.0]]), 5)
    with pytest.raises(ValueError, match="semi-definite"):
        sample_covariance(np.array([[1.0, 2.0], [2.0, 1.0]]), 5)
    with pytest.raises(ValueError, match="population"):
        sample_covariance([1.0, -1.0], 5)
    with pytest.raises(ValueError, match="var"):
        wigner_matrix(5, var=0.0)
    with pytest.raises(ValueError, match="rng"):
        wigner_matrix(5, rng=-1)
    with pytest.raises(TypeError, match="rng"):
        wigner_matrix(5, rng=np.random.RandomState(0))
    with pytest.raises(ValueError, match="square"):
        empirical_spectrum(np.ones((2, 3)))
    with pytest.raises(ValueError, match="symmetric"):
        empirical_spectrum(np.array([[0.0, 1.0], [0.0, 0.0]]))
    with pytest.raises(ValueError, match="NaN"):
        empirical_spectrum(np.array([[np.nan, 0.0], [0.0, 1.0]]))


# -- the public API contract (issue 14): renamed keywords, keyword-only rng, frozen results ----
def test_cov_eigs_is_a_deprecated_alias_of_population_eigs():
    d = np.array([1.0, 2.0, 3.0])
    with pytest.warns(DeprecationWarning, match="'cov_eigs' is deprecated.*'population_eigs'"):
        old = gaussian_data(3, 7, cov_eigs=d, rng=4)
    assert_array_equal(old, gaussian_data(3, 7, population_eigs=d, rng=4))
    with pytest.raises(TypeError, match="both 'cov_eigs'"):
        gaussian_data(3, 7, cov_eigs=d, population_eigs=d)


@pytest.mark.parametrize(
    "call",
    [
        lambda: gaussian_data(3, 4, None, 0),
        lambda: sample_covariance([1.0, 2.0], 4, 0),
        lambda: sample_covariance_data([1.0, 2.0], 4, 0),
        lambda: wigner_matrix(4, 1.0, 0),
    ],
)
def test_rng_is_keyword_only(call):
    with pytest.raises(TypeError, match="positional"):
        call()


def test_sample_covariance_data_is_frozen_and_unpacks():
    draw = sample_covariance_data([1.0, 2.0], 9, rng=3)
    assert isinstance(draw, SampleCovarianceDraw)
    chat, x = draw
    assert chat is draw.covariance and x is draw.X and draw[1] is draw.X
    assert_array_equal(chat, sample_covariance([1.0, 2.0], 9, rng=3))
    assert_allclose(chat, x @ x.T / 9)
    with pytest.raises(dataclasses.FrozenInstanceError):
        draw.X = np.zeros((2, 9))


def test_return_data_flag_is_deprecated_but_still_works():
    with pytest.warns(DeprecationWarning, match="sample_covariance_data"):
        chat, x = sample_covariance([1.0, 2.0], 9, rng=3, return_data=True)
    assert_array_equal(x, sample_covariance_data([1.0, 2.0], 9, rng=3).X)
    with pytest.warns(DeprecationWarning):
        only = sample_covariance([1.0, 2.0], 9, rng=3, return_data=False)
    assert_array_equal(only, chat)
