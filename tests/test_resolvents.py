"""Tests for rmtbook.resolvents: deterministic equivalents of sample-covariance resolvents.

Independent oracles: the reference values of FORMULAS.md, the closed-form Marchenko-Pastur
Stieltjes transform, the polynomial form of Silverstein's equation (few atoms), direct
matrix identities, moments of the limiting law, and simulations whose tolerances follow the
fluctuation orders (bilinear forms O(n^{-1/2}), normalized traces O(n^{-1})).
"""

from __future__ import annotations

import numpy as np
import pytest
from numpy.polynomial import polynomial as P
from numpy.testing import assert_allclose

from rmtbook.laws import marchenko_pastur, sample_covariance_law

from rmtbook.resolvents import (
    bilinear_form_equivalent,
    deterministic_delta,
    deterministic_resolvent,
    deterministic_stieltjes,
    linear_spectral_statistic,
    trace_equivalent,
)

T137 = np.array([1.0, 3.0, 7.0])


# ------------------------------------------------------------------------------------------
# oracles
# ------------------------------------------------------------------------------------------
def mp_stieltjes(z: np.ndarray, c: float) -> np.ndarray:
    """Closed-form MP Stieltjes transform (sigma = 1): root of c z m^2 - (1 - c - z) m + 1 = 0.

    The branch: m = (1 - c - z + sqrt((z - E_-)(z - E_+))) / (2 c z) with the square root
    behaving like z - (1 + c) at infinity (product of principal roots), which gives m ~ -1/z.
    """
    em, ep = (1 - np.sqrt(c)) ** 2, (1 + np.sqrt(c)) ** 2
    z = np.asarray(z, dtype=complex)
    root = np.sqrt(z - em) * np.sqrt(z - ep)
    return (1 - c - z + root) / (2 * c * z)


def companion_polynomial_root(z: complex, t: np.ndarray, w: np.ndarray, c: float) -> complex:
    """Companion Stieltjes mu(z), Im z > 0, from Silverstein's equation as a polynomial.

    z mu prod(1 + t_k mu) + prod(1 + t_k mu) - c mu sum_k w_k t_k prod_{j != k}(1 + t_j mu) = 0;
    the unique root with Im mu > 0 (Silverstein & Bai 1995).
    """
    prod = np.array([1.0])
    for tk in t:
        prod = P.polymul(prod, [1.0, tk])
    poly = P.polyadd(P.polymul([0.0, z], prod), prod)
    for k in range(t.size):
        q = np.array([1.0])
        for j in range(t.size):
            if j != k:
                q = P.polymul(q, [1.0, t[j]])
        poly = P.polysub(poly, P.polymul([0.0, c * w[k] * t[k]], q))
    roots = P.polyroots(poly)
    upper = roots[roots.imag > 0]
    assert upper.size == 1
    return complex(upper[0])


# ------------------------------------------------------------------------------------------
# reference values and closed forms
# ------------------------------------------------------------------------------------------
def test_reference_values_three_atoms():
    # FORMULAS.md section 2: eigenvalues {1, 3, 7}, equal weights, c = 0.1, z = -1.
    assert deterministic_delta(-1.0, T137, 0.1) == pytest.approx(0.0746970, abs=5e-8)
    assert deterministic_stieltjes(-1.0, T137, 0.1) == pytest.approx(0.3049484, abs=5e-8)
    C = np.diag(np.repeat(T137, 100))  # p = 300, n = 3000
    assert trace_equivalent(None, -1.0, C, 3000) == pytest.approx(0.3049484, abs=5e-8)
    # one rule for every Stieltjes-type function: complex values, zero imaginary part off the support
    d = deterministic_delta(-1.0, T137, 0.1)
    assert isinstance(d, complex) and d.imag == 0.0


def test_delta_solves_its_defining_equation():
    rng = np.random.default_rng(0)
    t = rng.uniform(0.2, 5.0, 50)
    w = rng.dirichlet(np.ones(50))
    c = 0.7
    z = np.array([-2.0, -0.01, 0.3 + 0.2j, 4.0 - 1.0j, 1e-3j, 60.0])
    d = deterministic_delta(z, t, c, w)
    rhs = c * np.sum(w * t / (t / (1 + d[:, None]) - z[:, None]), axis=1)
    np.testing.assert_allclose(d, rhs, rtol=1e-11)


@pytest.mark.parametrize("c", [0.1, 0.5, 1.0, 2.0, 5.0])
def test_identity_population_matches_marchenko_pastur(c):
    em, ep = (1 - np.sqrt(c)) ** 2, (1 + np.sqrt(c)) ** 2
    z = np.array([-3.0, -0.2, 0.5 + 0.3j, 2.0 - 1e-3j, 1e-6 + 4j, ep + 0.5, 3 * ep])
    if c > 1:
        z = np.append(z, em / 2)  # the gap between the atom at 0 and the bulk
    m = deterministic_stieltjes(z, [1.0], c)
    np.testing.assert_allclose(m, mp_stieltjes(z, c), rtol=1e-10, atol=1e-12)
    # real input off the support: complex values with a zero imaginary part
    mr = deterministic_stieltjes(z.real[np.isreal(z)], [1.0], c)
    assert mr.dtype == complex and np.all(mr.imag == 0)


def test_marchenko_pastur_reference_values():
    assert deterministic_stieltjes(-1.0, [1.0], 0.5) == pytest.approx(0.5615528, abs=5e-8)
    assert deterministic_stieltjes(-1.0, [1.0], 2.0) == pytest.approx(0.7071068, abs=5e-8)


def test_scaled_population_is_scaled_law():
    # population sigma^2 I: m(z) = m_1(z / sigma^2) / sigma^2 and delta(z) = delta_1(z / sigma^2)
    z = np.array([-1.0, 2.0 + 1.0j])
    s2 = 3.5
    np.testing.assert_allclose(
        deterministic_stieltjes(z, [s2], 0.3), deterministic_stieltjes(z / s2, [1.0], 0.3) / s2, rtol=1e-12
    )
    np.testing.assert_allclose(deterministic_delta(z, [s2], 0.3), deterministic_delta(z / s2, [1.0], 0.3), rtol=1e-12)


def test_few_atoms_against_polynomial_oracle():
    rng = np.random.default_rng(1)
    for _ in range(8):
        k = int(rng.integers(1, 5))
        t = np.sort(rng.uniform(0.1, 10.0, k))
        w = rng.dirichlet(np.ones(k))
        c = float(rng.choice([0.05, 0.3, 1.0, 3.0]))
        hi = t.max() * (1 + np.sqrt(c)) ** 2
        z = np.linspace(-0.2 * hi, 1.2 * hi, 41) + 1j * hi * np.array([1e-8, 1e-3, 0.3])[:, None]
        m = deterministic_stieltjes(z, t, c, w)
        mu = c * m - (1 - c) / z
        oracle = np.vectorize(lambda zz: companion_polynomial_root(zz, t, w, c))(z)
        np.testing.assert_allclose(mu, oracle, rtol=1e-7)


def test_agrees_with_the_independent_solver_of_laws():
    # rmtbook.laws solves Silverstein's equation in the companion variable, independently
    from rmtbook.laws import sample_covariance_law

    rng = np.random.default_rng(5)
    t = rng.uniform(0.5, 6.0, 5)
    w = rng.dirichlet(np.ones(5))
    for c in (0.2, 1.7):
        law = sample_covariance_law(t, c, w)
        z = np.array([-2.0, -0.3, 0.4 + 0.05j, 3.0 + 1.0j, 9.0 - 0.5j])
        np.testing.assert_allclose(deterministic_stieltjes(z, t, c, w), law.stieltjes(z), rtol=1e-8)


def test_symmetries_and_signs():
    t, c = T137, 0.4
    z = np.array([0.5 + 0.1j, 3.0 + 2.0j, -1.0 + 1e-4j])
    m = deterministic_stieltjes(z, t, c)
    np.testing.assert_allclose(deterministic_stieltjes(np.conj(z), t, c), np.conj(m), rtol=1e-12)
    assert np.all(m.imag > 0)  # a Stieltjes transform maps C+ to C+
    assert np.all(deterministic_delta(z, t, c).imag > 0)
    # on the negative axis delta and m are positive, increasing in z
    x = np.sort(-np.logspace(-3, 2, 20))
    d = deterministic_delta(x, t, c)
    assert np.all(d > 0) and np.all(np.diff(d) > 0)
    # shape is preserved
    assert deterministic_delta(np.full((2, 3), -1.0), t, c).shape == (2, 3)


def test_zero_spectral_parameter():
    # c < 1, positive population: Qbar(0) = (1 + delta) C^{-1}, delta(0) = c / (1 - c)
    assert deterministic_delta(0.0, T137, 0.25) == pytest.approx(0.25 / 0.75, rel=1e-12)
    assert deterministic_stieltjes(0.0, T137, 0.25) == pytest.approx(np.mean(1 / T137) / 0.75, rel=1e-12)
    # a singular point (atom or hard edge at 0): inf with a RuntimeWarning, as the laws do
    for c in (1.0, 2.0):
        with pytest.warns(RuntimeWarning, match="singular"):
            assert np.isinf(deterministic_delta(0.0, T137, c))
        with pytest.warns(RuntimeWarning, match="singular"):
            assert np.isinf(deterministic_stieltjes(0.0, T137, c))
        with pytest.warns(RuntimeWarning, match="singular"):
            assert np.isinf(sample_covariance_law(T137, c).stieltjes(0.0))
    # a zero eigenvalue puts an atom at 0: m(0) is infinite, delta(0) finite (c' = c (1 - w_0))
    with pytest.warns(RuntimeWarning, match="singular"):
        assert np.isinf(deterministic_stieltjes(0.0, [0.0, 1.0], 0.5))
    assert deterministic_delta(0.0, [0.0, 1.0], 0.5) == pytest.approx(0.25 / 0.75, rel=1e-12)


def test_real_z_in_support_gives_the_boundary_value():
    """One rule with the laws: m(x + i0) on the support, its imaginary part pi times the density."""
    mp = marchenko_pastur(0.5)
    for x in (0.3, 1.0, 2.5):
        m = deterministic_stieltjes(x, [1.0], 0.5)
        assert m == pytest.approx(mp.stieltjes(x), rel=1e-12)
        assert m.imag / np.pi == pytest.approx(mp.pdf(x), rel=1e-12)
        # the limit from above, checked against a point at distance 1e-9
        assert m == pytest.approx(deterministic_stieltjes(x + 1e-9j, [1.0], 0.5), rel=1e-7)
    # the same function as the law's, on and off the support, for a general population
    z = np.array([-1.0, 0.5, 2.0, 5.0, 8.0, 1 + 1j, 3 - 2j])
    assert_allclose(deterministic_stieltjes(z, T137, 0.1), sample_covariance_law(T137, 0.1).stieltjes(z),
                    rtol=1e-14)
    # below the real axis: the conjugate
    assert deterministic_delta(1.0 - 1e-3j, [1.0], 0.5) == pytest.approx(
        np.conj(deterministic_delta(1.0 + 1e-3j, [1.0], 0.5)), rel=1e-14)
    # just outside the right edge: real
    ep = (1 + np.sqrt(0.5)) ** 2
    assert deterministic_delta(ep + 1e-3, [1.0], 0.5).imag == 0.0


def test_population_with_zero_eigenvalues_and_weights():
    # zero weights are dropped; merging equal eigenvalues is neutral
    z = np.array([-0.5, 1.0 + 1.0j])
    a = deterministic_delta(z, [1.0, 2.0, 5.0], 0.3, weights=[0.5, 0.5, 0.0])
    b = deterministic_delta(z, [1.0, 2.0], 0.3)
    c_ = deterministic_delta(z, [1.0, 1.0, 2.0, 2.0], 0.3)
    np.testing.assert_allclose(a, b, rtol=1e-12)
    np.testing.assert_allclose(c_, b, rtol=1e-12)
    # a population with zero eigenvalues: half of C is null, so delta_H(c) = delta_{t=1}(c/2)
    np.testing.assert_allclose(deterministic_delta(z, [0.0, 1.0], 0.6), deterministic_delta(z, [1.0], 0.3), rtol=1e-10)


def test_many_atoms_near_the_real_axis():
    # a continuous-like population (uniform on [1, 4]): Im m(x + i eps) / pi integrates to 1
    t = np.linspace(1.0, 4.0, 400)
    c = 0.5
    x = np.linspace(-1.0, 12.0, 6001)
    m = deterministic_stieltjes(x + 1e-4j, t, c)
    mass = np.trapezoid(m.imag / np.pi, x)
    assert mass == pytest.approx(1.0, abs=2e-3)  # O(eps) smoothing + O(h^2) quadrature


# ------------------------------------------------------------------------------------------
# matrix versions
# ------------------------------------------------------------------------------------------
def _random_covariance(p: int, rng: np.random.Generator) -> np.ndarray:
    U, _ = np.linalg.qr(rng.standard_normal((p, p)))
    return (U * rng.uniform(0.5, 3.0, p)) @ U.T


def test_resolvent_matrix_identities():
    rng = np.random.default_rng(2)
    p, n = 60, 90
    C = _random_covariance(p, rng)
    for z in (-0.7, 1.0 + 0.5j):
        Qb = deterministic_resolvent(z, C, n)
        delta = np.trace(C @ Qb) / n
        direct = np.linalg.inv(-z * np.eye(p) + C / (1 + delta))
        np.testing.assert_allclose(Qb, direct, rtol=1e-10, atol=1e-12)
        evals = np.linalg.eigvalsh((C + C.T) / 2)
        assert delta == pytest.approx(deterministic_delta(z, evals, p / n), rel=1e-10)
        a, b = rng.standard_normal(p), rng.standard_normal(p)
        assert bilinear_form_equivalent(a, b, z, C, n) == pytest.approx(a @ Qb @ b, rel=1e-10)
        A = rng.standard_normal((p, p))
        assert trace_equivalent(A, z, C, n) == pytest.approx(np.trace(A @ Qb) / p, rel=1e-10)
        assert trace_equivalent(None, z, C, n) == pytest.approx(np.trace(Qb) / p, rel=1e-10)
    Qr = deterministic_resolvent(-1.0, C, n)
    assert Qr.dtype == complex and np.all(Qr.imag == 0)
    zs = np.array([-1.0, -2.0])
    assert bilinear_form_equivalent(a, b, zs, C, n).shape == (2,)
    assert trace_equivalent(None, zs.reshape(2, 1), C, n).shape == (2, 1)


# ------------------------------------------------------------------------------------------
# against simulation
# ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("p, n, z", [(600, 300, -0.25), (400, 800, 1.0 + 0.5j), (500, 1000, -0.25)])
def test_equivalents_match_simulation(p, n, z):
    """a^T Q b within O(n^{-1/2}) and (1/p) tr A Q within O(n^{-1}) of their equivalents.

    Averages over m = 8 independent draws. Measured beforehand (20 draws each): the standard
    deviation of a single draw of a^T Q b is 0.8 to 1.5 / sqrt(n) and of (1/p) tr A Q about
    1 / n here (bias of both O(1/n)). Tolerances: 5 / sqrt(n m) (>= 3.4 standard deviations)
    and 4 / n. The naive guess Q ~ (C - z I)^{-1} is checked to fail the same tolerance.
    """
    rng = np.random.default_rng(p + n)
    t = np.repeat(T137, p // 3 + 1)[:p]
    rng.shuffle(t)
    C = np.diag(t)
    a = rng.standard_normal(p)
    a /= np.linalg.norm(a)
    b = rng.standard_normal(p)
    b = 0.5 * a + np.sqrt(0.75) * b / np.linalg.norm(b)
    A = np.diag(rng.uniform(0.0, 1.0, p))
    m_draws = 8
    bil, tra = [], []
    for _ in range(m_draws):
        X = np.sqrt(t)[:, None] * rng.standard_normal((p, n))
        Q = np.linalg.inv(X @ X.T / n - z * np.eye(p))
        bil.append(a @ Q @ b)
        tra.append(np.einsum("ij,ji->", A, Q) / p)
    bil_eq = bilinear_form_equivalent(a, b, z, C, n)
    tra_eq = trace_equivalent(A, z, C, n)
    tol_bil = 5 / np.sqrt(n * m_draws)
    tol_tra = 4 / n
    assert abs(np.mean(bil) - bil_eq) < tol_bil
    assert abs(np.mean(tra) - tra_eq) < tol_tra
    naive = np.linalg.inv(C - z * np.eye(p))
    assert abs(np.mean(bil) - a @ naive @ b) > tol_bil
    assert abs(np.mean(tra) - np.trace(A @ naive) / p) > tol_tra


# ------------------------------------------------------------------------------------------
# linear spectral statistics
# ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("c", [0.1, 0.5, 1.0, 2.5])
def test_lss_moments(c):
    rng = np.random.default_rng(3)
    t = rng.uniform(0.5, 4.0, 7)
    w = rng.dirichlet(np.ones(7))
    e1, e2, e3 = (np.sum(w * t**k) for k in (1, 2, 3))
    assert linear_spectral_statistic(lambda x: np.ones_like(x), t, c, w) == pytest.approx(1.0, abs=1e-10)
    assert linear_spectral_statistic(lambda x: x, t, c, w) == pytest.approx(e1, rel=1e-10)
    assert linear_spectral_statistic(lambda x: x**2, t, c, w) == pytest.approx(e2 + c * e1**2, rel=1e-10)
    # third moment of the free multiplicative convolution: E t^3 + 3 c E t E t^2 + c^2 (E t)^3
    assert linear_spectral_statistic(lambda x: x**3, t, c, w) == pytest.approx(
        e3 + 3 * c * e1 * e2 + c**2 * e1**3, rel=1e-10
    )


def test_lss_log_and_inverse_marchenko_pastur():
    # int log x dMP_c = (c - 1)/c log(1 - c) - 1 and int x^{-1} dMP_c = 1 / (1 - c), c < 1
    for c in (0.1, 0.5, 0.8):
        val = linear_spectral_statistic(np.log, [1.0], c, singularities=[0.0])
        assert val == pytest.approx((c - 1) / c * np.log(1 - c) - 1, abs=1e-10)
        inv = linear_spectral_statistic(lambda x: 1 / x, [1.0], c, singularities=[0.0])
        assert inv == pytest.approx(1 / (1 - c), rel=1e-10)
    # 1/(x + g) is m(-g)
    g = 0.3
    val = linear_spectral_statistic(lambda x: 1 / (x + g), T137, 1.7, singularities=[-g])
    assert val == pytest.approx(deterministic_stieltjes(-g, T137, 1.7), rel=1e-10)


def test_lss_complex_valued_and_num_points():
    val = linear_spectral_statistic(lambda x: 1j * x, T137, 0.3)
    assert isinstance(val, complex) and val == pytest.approx(1j * T137.mean(), rel=1e-10)
    v1 = linear_spectral_statistic(np.exp, T137, 0.3, num_points=200)
    v2 = linear_spectral_statistic(np.exp, T137, 0.3, num_points=400)
    assert v1 == pytest.approx(v2, rel=1e-10)


def test_lss_against_simulation():
    """(1/p) log det Chat fluctuates at O(1/n) (Bai & Silverstein 2004): tolerance 3 / n."""
    rng = np.random.default_rng(4)
    p, n = 500, 1000
    t = np.repeat(T137, p // 3 + 1)[:p]
    X = np.sqrt(t)[:, None] * rng.standard_normal((p, n))
    lam = np.linalg.eigvalsh(X @ X.T / n)
    w = np.bincount(np.searchsorted(T137, t), minlength=3) / p
    theory = linear_spectral_statistic(np.log, T137, p / n, w, singularities=[0.0])
    assert abs(np.mean(np.log(lam)) - theory) < 3 / n
    # the population's own log-mean is far off: the check is meaningful
    assert abs(np.mean(np.log(t)) - theory) > 0.1


def test_lss_errors():
    with pytest.raises(TypeError, match="f"):
        linear_spectral_statistic("log", T137, 0.5)
    with pytest.raises(ValueError, match="singularities"):
        linear_spectral_statistic(np.log, T137, 2.0, singularities=[0.0])  # atom at 0
    with pytest.raises(ValueError, match="singularities"):
        linear_spectral_statistic(np.log, T137, 0.1, singularities=[2.0])  # inside the hull
    with pytest.raises(ValueError, match="vectorized"):
        linear_spectral_statistic(lambda x: 1.0, T137, 0.5)
    with pytest.raises(RuntimeError, match="did not converge"):
        # log's branch cut crosses the default contour: undeclared singularity
        linear_spectral_statistic(np.log, T137, 0.1)
    with pytest.raises(ValueError, match="num_points"):
        linear_spectral_statistic(np.exp, T137, 0.5, num_points=2)


# ------------------------------------------------------------------------------------------
# input validation
# ------------------------------------------------------------------------------------------
def test_input_errors():
    with pytest.raises(ValueError, match="population_eigs"):
        deterministic_delta(-1.0, [-1.0, 2.0], 0.5)
    with pytest.raises(ValueError, match="population_eigs"):
        deterministic_delta(-1.0, [0.0, 0.0], 0.5)
    with pytest.raises(ValueError, match="population_eigs"):
        deterministic_delta(-1.0, [], 0.5)
    with pytest.raises(TypeError, match="population_eigs"):
        deterministic_delta(-1.0, "abc", 0.5)
    with pytest.raises(ValueError, match="ratio"):
        deterministic_delta(-1.0, [1.0], 0.0)
    with pytest.raises(TypeError, match="ratio"):
        deterministic_delta(-1.0, [1.0], "half")
    with pytest.raises(ValueError, match="weights"):
        deterministic_delta(-1.0, [1.0, 2.0], 0.5, weights=[1.0])
    with pytest.raises(ValueError, match="weights"):
        deterministic_delta(-1.0, [1.0, 2.0], 0.5, weights=[1.0, -0.5])
    with pytest.raises(ValueError, match="z"):
        deterministic_delta(np.nan, [1.0], 0.5)
    with pytest.raises(TypeError, match="z"):
        deterministic_stieltjes("z", [1.0], 0.5)
    C = np.eye(4)
    with pytest.raises(ValueError, match="C"):
        deterministic_resolvent(-1.0, np.ones((3, 4)), 10)
    with pytest.raises(ValueError, match="symmetric"):
        deterministic_resolvent(-1.0, np.triu(np.ones((4, 4))), 10)
    with pytest.raises(ValueError, match="semi-definite"):
        deterministic_resolvent(-1.0, -np.eye(4), 10)
    with pytest.raises(TypeError, match="n"):
        deterministic_resolvent(-1.0, C, 10.5)
    with pytest.raises(ValueError, match="n"):
        deterministic_resolvent(-1.0, C, 0)
    with pytest.raises(ValueError, match="z must be a scalar"):
        deterministic_resolvent(np.array([-1.0, -2.0]), C, 10)
    with pytest.raises(ValueError, match="a"):
        bilinear_form_equivalent(np.ones(3), np.ones(4), -1.0, C, 10)
    with pytest.raises(ValueError, match="b"):
        bilinear_form_equivalent(np.ones(4), np.ones(5), -1.0, C, 10)
    with pytest.raises(ValueError, match="A"):
        trace_equivalent(np.ones((3, 3)), -1.0, C, 10)
