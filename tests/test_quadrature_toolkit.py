"""The shared private toolkits' Gaussian and Chebyshev tools, against numpy/scipy references.

rmtbook._quadrature (Hermite recurrence, panel rule, Mehler's series) and the Lobatto half of
rmtbook._chebyshev (DCT-I coefficients, blocked Clenshaw). The callers' accuracy is tested in
test_hermite.py and test_pair_quadrature.py; here each tool is checked once on its own.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from numpy.polynomial import chebyshev, hermite_e
from scipy import special

from rmtbook import _chebyshev as CH
from rmtbook import _quadrature as QD


def test_hermite_rows_and_table_match_numpy_hermite_e():
    x = np.linspace(-6, 6, 41)
    table = QD.hermite_table(30, x)
    rows = list(QD.hermite_rows(30, x))
    assert table.shape == (31, 41) and len(rows) == 31
    for k in range(31):
        c = np.zeros(k + 1)
        c[k] = 1.0
        ref = hermite_e.hermeval(x, c) / math.sqrt(math.factorial(k))
        np.testing.assert_allclose(table[k], ref, rtol=1e-11, atol=1e-11)
        np.testing.assert_array_equal(rows[k], table[k])


def test_panel_nodes_integrate_polynomials_and_ignore_empty_panels():
    x, w = QD.panel_nodes(np.array([-1.0, 0.0, 0.0, 2.0]))  # a zero-width panel in the middle
    assert x.shape == w.shape == (48,)
    for deg in range(0, 31, 5):  # 16 nodes per panel: exact to degree 31
        assert np.sum(w * x**deg) == pytest.approx((2.0 ** (deg + 1) - (-1.0) ** (deg + 1)) / (deg + 1), rel=1e-13)


def test_mehler_sum_is_the_power_series():
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((5, 9)), rng.standard_normal((5, 9))
    rho = rng.uniform(-1, 1, 5)
    direct = np.sum(a * b * rho[:, None] ** np.arange(9), axis=1)
    np.testing.assert_allclose(QD.mehler_sum(a, b, rho), direct, rtol=1e-14, atol=1e-15)
    # one series, many correlations (the broadcasting the hermite module uses)
    np.testing.assert_allclose(QD.mehler_sum(a[0], b[0], rho), np.polynomial.polynomial.polyval(rho, a[0] * b[0]),
                               rtol=1e-14, atol=1e-15)


@pytest.mark.parametrize("adaptive", [False, True])
def test_gaussian_hermite_moments_against_closed_forms(adaptive):
    # exp(x): a_k(q) = q^{k/2} e^{q/2} / sqrt(k!), E[phi^2] = e^{2q}, E[phi(u) phi(-u)] = 1
    qs = np.array([0.25, 1.0, 3.0])
    coef, same, opposite = QD.gaussian_hermite_moments(np.exp, qs, 10, adaptive=adaptive)
    k = np.arange(11)
    expected = qs[:, None] ** (k / 2) * np.exp(qs[:, None] / 2) / np.sqrt(special.factorial(k))
    np.testing.assert_allclose(coef, expected, rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(same, np.exp(2 * qs), rtol=1e-13)
    np.testing.assert_allclose(opposite, 1.0, rtol=1e-13)


def test_gaussian_hermite_moments_breaks_and_adaptivity():
    # step at t: E[1{sqrt(q) xi > t}] = Phi(-t / sqrt(q)); the break is declared or found by bisection
    t, qs = 0.7, np.array([0.5, 2.0])
    step = lambda x: (x > t).astype(float)  # noqa: E731
    exact = special.ndtr(-t / np.sqrt(qs))
    declared, _, _ = QD.gaussian_hermite_moments(step, qs, 0, breaks=(t,))
    np.testing.assert_allclose(declared[:, 0], exact, atol=1e-15)
    found, _, _ = QD.gaussian_hermite_moments(step, qs, 0, adaptive=True)
    np.testing.assert_allclose(found[:, 0], exact, atol=1e-13)
    # a jump in the last 0.3 % of a panel, which no Gauss node of the panel or of its halves sees
    # (at q = 2 the default panels have width 0.4959 and the jump sits at 0.4950)
    assert abs(found[1, 0] - exact[1]) < 1e-13
    for t2 in np.linspace(0.49, 0.4959, 7):
        got, _, _ = QD.gaussian_hermite_moments(lambda x, t2=t2: (x > t2).astype(float), np.array([1.0]), 0,
                                                adaptive=True, radius=10.414)
        assert abs(got[0, 0] - special.ndtr(-t2)) < 1e-13, t2
    plain, _, _ = QD.gaussian_hermite_moments(step, qs, 0)  # neither: algebraic, visibly worse
    assert np.abs(plain[:, 0] - exact).max() > 1e-6


def test_gaussian_hermite_moments_refuses_non_elementwise_functions():
    with pytest.raises(ValueError, match="activation"):
        QD.gaussian_hermite_moments(lambda x: np.ones(3), np.array([1.0]), 2, adaptive=True)


def test_clenshaw_curtis_rule():
    x, w = QD.clenshaw_curtis(16)
    assert x[0] == 1.0 and x[-1] == -1.0 and np.all(w > 0)
    for deg in range(0, 17, 2):  # exact to degree 16 (17 nodes), odd moments vanish by symmetry
        assert np.sum(w * x**deg) == pytest.approx(2.0 / (deg + 1), rel=1e-14)


def test_lobatto_coefficients_and_clenshaw_match_numpy():
    f = lambda s: np.exp(s) * np.cos(3 * s)  # noqa: E731
    n = 40
    s = CH.cheb2_points(n)
    assert s[0] == 1.0 and s[-1] == -1.0 and s.size == n + 1
    c = CH.cheb2_coefficients(f(s))
    np.testing.assert_allclose(chebyshev.chebval(s, c), f(s), atol=1e-14)  # interpolates at the nodes
    x = np.linspace(-1, 1, 40_000)  # more than one block
    np.testing.assert_allclose(CH.clenshaw(x, c), chebyshev.chebval(x, c), atol=1e-14)
    np.testing.assert_allclose(CH.clenshaw(x, c), f(x), atol=1e-13)
