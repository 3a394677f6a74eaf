"""Stochastic Lanczos quadrature against exact spectra and Marchenko-Pastur."""

import numpy as np
import pytest
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from rmtbook.spectra import lanczos_quadrature, sample_covariance_operator, stochastic_lanczos_density


def _mp_density(x, c):
    a, b = (1 - np.sqrt(c)) ** 2, (1 + np.sqrt(c)) ** 2
    inside = (x > a) & (x < b)
    out = np.zeros_like(x)
    out[inside] = np.sqrt((b - x[inside]) * (x[inside] - a)) / (2 * np.pi * c * x[inside])
    return out


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(11)
    X = rng.standard_normal((1000, 2000))
    return X, np.linalg.eigvalsh(X @ X.T / 2000)


def test_moments_are_unbiased_within_hutchinson_error(data):
    X, eigs = data
    A = X @ X.T / X.shape[1]
    probes = 32
    quad = lanczos_quadrature(sample_covariance_operator(X), num_probes=probes, num_steps=20, rng=3)
    for k in (1, 2, 3):
        Ak = np.linalg.matrix_power(A, k)
        exact = np.mean(eigs**k)
        # Rademacher probes u/sqrt(p): Var(u^T M u / p) = 2 (||M||_F^2 - sum M_ii^2) / p^2
        std = np.sqrt(2 * (np.sum(Ak**2) - np.sum(np.diag(Ak) ** 2))) / A.shape[0] / np.sqrt(probes)
        assert abs(quad.moment(k) - exact) < 5 * std, (k, quad.moment(k), exact, std)
    np.testing.assert_allclose(quad.weights.sum(axis=1), 1.0)


def test_density_matches_the_smoothed_spectrum_and_marchenko_pastur(data):
    X, eigs = data
    x = np.linspace(0, 3.5, 1500)
    bw = 0.05
    slq = stochastic_lanczos_density(sample_covariance_operator(X), x, num_probes=16, num_steps=60,
                                     bandwidth=bw, rng=4)
    smoothed = np.exp(-0.5 * ((x[:, None] - eigs[None, :]) / bw) ** 2).mean(axis=1) / (bw * np.sqrt(2 * np.pi))
    # probe noise is O((p * probes)^{-1/2}) ~ 0.008; quadrature error is small for 60 nodes
    assert np.trapezoid(np.abs(slq - smoothed), x) < 0.04
    # against the limiting law, the smoothing bias at the square-root edges dominates (~bw)
    assert np.trapezoid(np.abs(slq - _mp_density(x, 0.5)), x) < 0.1
    assert abs(np.trapezoid(slq, x) - 1) < 0.01


def test_atom_at_zero_gets_its_mass():
    rng = np.random.default_rng(5)
    X = rng.standard_normal((600, 300))  # c = 2: atom of mass 1/2 at zero
    quad = lanczos_quadrature(sample_covariance_operator(X), num_probes=32, num_steps=40, rng=6)
    mass_at_zero = np.mean(np.sum(quad.weights * (np.abs(quad.nodes) < 1e-6), axis=1))
    # a Rademacher probe's squared projection on the 300-dim null space averages 1/2, std ~ 0.04/sqrt(32)
    assert abs(mass_at_zero - 0.5) < 0.03


def test_inputs_dense_sparse_operator_agree_and_seed_reproduces():
    rng = np.random.default_rng(7)
    M = rng.standard_normal((200, 200))
    M = (M + M.T) / np.sqrt(800)
    x = np.linspace(-3, 3, 50)
    d1 = stochastic_lanczos_density(M, x, rng=1, num_steps=30)
    d2 = stochastic_lanczos_density(sp.csr_matrix(M), x, rng=1, num_steps=30)
    np.testing.assert_allclose(d1, d2, rtol=1e-10, atol=1e-12)
    np.testing.assert_array_equal(d1, stochastic_lanczos_density(M, x, rng=1, num_steps=30))


def test_bad_input():
    with pytest.raises(ValueError, match="square"):
        stochastic_lanczos_density(np.zeros((3, 4)), [0.0])
    with pytest.raises(ValueError, match="symmetric"):
        stochastic_lanczos_density(np.arange(9.0).reshape(3, 3), [0.0])
    with pytest.raises(ValueError, match="num_steps"):
        lanczos_quadrature(np.eye(3), num_steps=5)
    with pytest.raises(ValueError, match="bandwidth"):
        stochastic_lanczos_density(np.eye(3), [0.0], num_steps=2, bandwidth=0.0)
    with pytest.raises(ValueError, match="x must have 1 dimension"):
        stochastic_lanczos_density(np.eye(3), [[0.0]], num_steps=2)


def test_identity_breakdown_is_handled():
    # Lanczos on the identity breaks down after one step: the density is a bump at 1
    d = stochastic_lanczos_density(np.eye(50), np.array([1.0]), num_steps=10, bandwidth=0.1, rng=0)
    np.testing.assert_allclose(d, 1 / (0.1 * np.sqrt(2 * np.pi)), rtol=1e-8)


def test_matrix_far_from_zero_integrates_to_one_with_the_default_bandwidth():
    # issue 19: the zero-weight padding nodes after a breakdown (at 0) made the default bandwidth
    # ~1000/60, and the bump spilled off the grid (integral 0.16)
    x = np.linspace(990, 1010, 2001)
    d = stochastic_lanczos_density(1000 * np.eye(100), x, rng=0)
    assert abs(np.trapezoid(d, x) - 1) < 1e-6
    # a spread spectrum with a breakdown keeps the resolution of its weighted nodes
    x = np.linspace(-2, 12, 1401)
    d = stochastic_lanczos_density(np.diag(np.arange(10.0)), x, rng=0)
    assert abs(np.trapezoid(d, x) - 1) < 1e-2


def test_default_num_steps_adapts_to_small_matrices():
    quad = lanczos_quadrature(np.diag([1.0, 2.0, 3.0]), rng=0)  # default 60 refused p < 60
    assert quad.nodes.shape == (16, 3)
    assert np.isclose(quad.moment(2), (1 + 4 + 9) / 3, rtol=1e-10)
    with pytest.raises(ValueError, match="num_steps"):
        lanczos_quadrature(np.eye(3), num_steps=60)  # an explicit value above p is still refused


def test_non_finite_sparse_and_operator_input_is_refused_by_name():
    M = sp.csr_matrix(np.eye(5))
    M.data[0] = np.nan
    with pytest.raises(ValueError, match="A must contain only finite"):
        lanczos_quadrature(M)
    with pytest.raises(ValueError, match="X must contain only finite"):
        sample_covariance_operator(M)
    op = spla.aslinearoperator(np.full((5, 5), np.nan))
    with pytest.raises(ValueError, match="A must be a real finite operator"):
        stochastic_lanczos_density(op, [0.0])
    wrong = spla.LinearOperator((5, 5), matvec=lambda v: v[:3], matmat=lambda V: V[:3], dtype=float)
    with pytest.raises(ValueError, match=r"A @ V must have shape"):
        lanczos_quadrature(wrong)
