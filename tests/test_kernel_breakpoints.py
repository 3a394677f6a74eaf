"""Activations with kinks away from 0, declared with ``get_activation(fn, breakpoints=...)``.

Reference values for the hard tanh ``clip(x, -1, 1)`` reduce the 2-D Gaussian expectation to a
1-D integral: given u, v is Gaussian and ``E[clip(v) | u]`` and ``P(|v| < 1 | u)`` have closed
forms; the remaining integral over u is split at the kinks ``u = +-1`` and computed by adaptive
quadrature to about 1e-15. Without breakpoints the polar rule converges only algebraically
across such kinks (errors 1e-5 to 3e-4); with them it is exact to rounding.
"""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy import integrate, special

from rmtbook import get_activation, hermite_coefficients, second_moment
from rmtbook.deep import conjugate_kernel, conjugate_kernel_layers, neural_tangent_kernel
from rmtbook.kernels import dual_activation, gaussian_pair_expectation, kernel_from_covariance


def hardtanh(x):
    return np.clip(x, -1.0, 1.0)


def _outer(q1, q2, k, inner, u_range=12.0):
    """E_u[g(u) inner(mean, sd)] for v | u ~ N(k u / q1, q2 - k^2 / q1), split at u = +-1."""
    s1 = np.sqrt(q1)
    sd = np.sqrt(max(q2 - k * k / q1, 0.0))

    def f(z):
        u = s1 * z
        return inner(u, k / q1 * u, sd) * np.exp(-z * z / 2) / np.sqrt(2 * np.pi)

    edges = sorted({-u_range, -1 / s1, 0.0, 1 / s1, u_range})
    return sum(integrate.quad(f, a, b, epsabs=1e-16, epsrel=1e-14, limit=400)[0] for a, b in zip(edges[:-1], edges[1:]))


def _clip_given(u, m, sd):
    if sd == 0:
        return hardtanh(u) * hardtanh(m)
    a, b = (-1 - m) / sd, (1 - m) / sd
    pa, pb = special.ndtr(a), special.ndtr(b)
    da, db = np.exp(-a * a / 2) / np.sqrt(2 * np.pi), np.exp(-b * b / 2) / np.sqrt(2 * np.pi)
    return hardtanh(u) * (-pa + (1 - pb) + m * (pb - pa) + sd * (da - db))


def _slope_given(u, m, sd):
    if abs(u) >= 1:
        return 0.0
    if sd == 0:
        return float(abs(m) < 1)
    return special.ndtr((1 - m) / sd) - special.ndtr((-1 - m) / sd)


def reference(q1, q2, k, derivative=False):
    return _outer(q1, q2, k, _slope_given if derivative else _clip_given)


CASES = [(1.0, 1.0, 0.3), (2.0, 0.5, -0.6), (0.7, 0.7, 0.7), (4.0, 1.0, 1.9), (1.0, 1.0, 1.0), (0.3, 3.0, 0.2)]


@pytest.mark.filterwarnings("ignore::scipy.integrate.IntegrationWarning")
def test_pair_expectation_is_exact_with_breakpoints():
    kinked = get_activation(hardtanh, breakpoints=(-1, 1))
    plain = get_activation(hardtanh)
    errors_plain = []
    for q1, q2, k in CASES:
        ref = reference(q1, q2, k)
        got = gaussian_pair_expectation(kinked, q1, q2, k, order=None)
        assert got == pytest.approx(ref, abs=1e-13)
        errors_plain.append(abs(gaussian_pair_expectation(plain, q1, q2, k, order=None) - ref))
    assert max(errors_plain) > 1e-6  # the breakpoints are what makes the difference


@pytest.mark.filterwarnings("ignore::scipy.integrate.IntegrationWarning")
def test_tabulated_dual_activation_and_its_derivative():
    """Many correlations at one variance: the angle table, to 1e-12 (value and Price derivative)."""
    kinked = get_activation(hardtanh, breakpoints=(1.0, -1.0))
    q = 1.5
    rho = np.linspace(-1.0, 1.0, 61)
    ref = np.array([reference(q, q, q * r) for r in rho])
    assert_allclose(dual_activation(kinked, rho, q=q, order=None), ref, rtol=0, atol=1e-12)
    ref_d = np.array([q * reference(q, q, q * r, derivative=True) for r in rho])
    assert_allclose(dual_activation(kinked, rho, q=q, derivative_order=1, order=None), ref_d, rtol=0, atol=1e-11)


@pytest.mark.filterwarnings("ignore::scipy.integrate.IntegrationWarning")
def test_kernels_of_networks_use_the_breakpoints():
    """Conjugate kernel and NTK of equal-norm data with a hard tanh (the tabulated path): the
    first layer is E[phi(u) phi(v)] at the data Gram matrix, checked entry by entry."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((30, 64))
    X *= 1.2 / np.linalg.norm(X, axis=0)  # equal norms: one variance, the angle table is used
    kinked = get_activation(hardtanh, breakpoints=(-1, 1))
    k0, k1 = conjugate_kernel_layers(X, [kinked]).kernels
    assert_allclose(k1, kernel_from_covariance(k0, kinked), atol=1e-15)
    iu = np.triu_indices(64, 1)
    pick = rng.choice(iu[0].size, 12, replace=False)
    i, j = iu[0][pick], iu[1][pick]
    ref = [reference(k0[a, a], k0[b, b], k0[a, b]) for a, b in zip(i, j)]
    assert_allclose(k1[i, j], ref, rtol=0, atol=1e-12)
    assert_allclose(np.diag(k1), reference(k0[0, 0], k0[0, 0], k0[0, 0]), atol=1e-12)
    ntk = neural_tangent_kernel(X, [kinked])
    assert np.all(np.isfinite(ntk)) and np.allclose(ntk, ntk.T)


def test_finite_difference_derivative_jumps_at_breakpoints():
    kinked = get_activation(hardtanh, breakpoints=(-1, 1))
    x = np.array([-1 - 1e-7, -1.0, -1 + 1e-7, 0.5, 1 - 1e-7, 1.0, 1 + 1e-7])
    assert_allclose(kinked.derivative(x), [0, 1, 1, 1, 1, 0, 0], atol=1e-9)
    # without breakpoints the central difference ramps across the kink
    assert 0.1 < get_activation(hardtanh).derivative(1.0) < 0.9
    # extending an Activation rebuilds its finite difference with the new breaks
    extended = get_activation(get_activation(hardtanh), breakpoints=(-1, 1))
    assert extended.breakpoints == (-1.0, 1.0)
    assert_allclose(extended.derivative(x), kinked.derivative(x))


def test_hermite_coefficients_use_the_activation_breakpoints():
    kinked = get_activation(hardtanh, breakpoints=(-1, 1))
    a = hermite_coefficients(kinked, 6)
    b = hermite_coefficients(hardtanh, 6, breakpoints=(-1, 1))
    assert_allclose(a, b, atol=1e-15)
    # closed forms: a_1 = E[clip(x) x] = P(|x| < 1), nu = E[clip(x)^2]
    p_in = special.erf(1 / np.sqrt(2))
    assert a[1] == pytest.approx(p_in, abs=1e-13)
    nu = p_in - 2 * np.exp(-0.5) / np.sqrt(2 * np.pi) + (1 - p_in)
    assert second_moment(kinked) == pytest.approx(nu, abs=1e-13)


@pytest.mark.parametrize(
    "bad, match",
    [((np.nan,), "breakpoints"), ((50.0,), "breakpoints"), (("a",), "breakpoints"), ([[1.0]], "breakpoints")],
)
def test_breakpoints_are_validated(bad, match):
    with pytest.raises((ValueError, TypeError), match=match):
        get_activation(hardtanh, breakpoints=bad)


def test_breakpoints_with_a_name_are_refused():
    with pytest.raises(ValueError, match="kinks of the named activation 'relu' are at 0"):
        get_activation("relu", breakpoints=(1.0,))
    assert get_activation("relu").breakpoints == ()
    assert get_activation(hardtanh, breakpoints=(0.0, 1.0)).breakpoints == (1.0,)  # 0 is implicit
