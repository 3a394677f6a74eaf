"""Kernels of data with many distinct column norms (unnormalized or real data).

Every entry is checked against the polar rule evaluated entry by entry (geometric convergence,
about 1e-15; see tests of the polar rule against closed forms elsewhere), and against closed
forms where they exist. Before the Mehler path, these entries went through a tensor trapezoidal
rule: about 1e-9 for tanh but 1e-4 to 1e-3 for kinked callables.
"""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose

import rmtbook._kernel_core as KC
import rmtbook._pair_quadrature as PQ  # the module that calls the shared panel rule
from rmtbook._quadrature import gaussian_hermite_moments
from rmtbook import get_activation, hermite_coefficients, second_moment
from rmtbook.deep import conjugate_kernel, conjugate_kernel_layers, neural_tangent_kernel
from rmtbook.kernels import kernel_from_covariance


def leaky(x):
    return np.where(x > 0, x, 0.1 * x)


ACTIVATIONS = {
    "tanh": "tanh",
    "centred ReLU callable": lambda x: np.maximum(x, 0.0) - 0.4,
    "leaky ReLU callable": leaky,
    "hard tanh with breakpoints": get_activation(lambda x: np.clip(x, -1.0, 1.0), breakpoints=(-1, 1)),
}


def _data(kind: str, rng: np.random.Generator) -> np.ndarray:
    scales = rng.uniform(0.5, 2.0, 160)
    if kind == "isotropic":  # |rho| ~ p^{-1/2}: low-degree Mehler series
        return rng.standard_normal((120, 160)) * scales
    mean = rng.standard_normal((120, 1)) * 0.3  # two classes: |rho| up to ~0.6
    return (rng.standard_normal((120, 160)) + 3 * mean * rng.choice([-1, 1], 160)) * scales


def _polar_reference(act, G: np.ndarray, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    a = KC.resolve(act)
    out = []
    for x, y in zip(i, j):
        rho = np.clip(G[x, y] / np.sqrt(G[x, x] * G[y, y]), -1.0, 1.0)
        out.append(PQ.polar_expectation(a.phi, a.phi, G[x, x], G[y, y], np.array([np.arccos(rho)]), a.breaks)[0])
    return np.array(out)


@pytest.mark.parametrize("kind", ["isotropic", "mixture"])
@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_distinct_norm_kernels_match_the_polar_rule(kind, name):
    rng = np.random.default_rng(1)
    X = _data(kind, rng)
    G = X.T @ X / X.shape[0]
    act = ACTIVATIONS[name]
    out = kernel_from_covariance(G, act)
    n = G.shape[0]
    assert np.unique(np.round(np.diag(G), 12)).size == n  # all norms distinct: no angle table
    iu = np.triu_indices(n)
    pick = rng.choice(iu[0].size, 60, replace=False)
    i = np.concatenate([iu[0][pick], np.arange(5)])  # off-diagonal and diagonal entries
    j = np.concatenate([iu[1][pick], np.arange(5)])
    assert_allclose(out[i, j], _polar_reference(act, G, i, j), rtol=0, atol=2e-13)


def test_leaky_relu_with_exact_derivative_against_closed_forms():
    """leaky(x) = 0.55 x + 0.45 |x|, so E[phi(u) phi(v)] = 0.55^2 k + 0.45^2 E|u||v| (the cross
    terms E[u |v|] vanish by symmetry), and phi' = 0.55 + 0.45 sign gives the derivative kernel."""
    rng = np.random.default_rng(2)
    X = _data("mixture", rng)
    G = X.T @ X / X.shape[0]
    act = get_activation(leaky, derivative=lambda x: np.where(x > 0, 1.0, 0.1))
    expected = 0.55**2 * G + 0.45**2 * kernel_from_covariance(G, "abs")
    assert_allclose(kernel_from_covariance(G, act), expected, rtol=0, atol=2e-13)
    d_expected = 0.55**2 + 0.45**2 * kernel_from_covariance(G, "sign")
    assert_allclose(kernel_from_covariance(G, act, derivative=True), d_expected, rtol=0, atol=2e-13)
    # through a network: the NTK of one layer on this data is finite, symmetric and equals
    # K_1 + K_0 * dK_1 (readout included)
    Xs = X / np.sqrt(X.shape[0])
    ntk = neural_tangent_kernel(Xs, [act])
    k0, k1 = conjugate_kernel_layers(Xs, [act]).kernels
    assert_allclose(ntk, k1 + k0 * kernel_from_covariance(k0, act, derivative=True), atol=1e-12)


def test_shared_node_panel_rule_matches_the_adaptive_hermite_coefficients():
    f = lambda x: np.clip(x, -1, 1) + np.maximum(x - 1.2, 0)  # noqa: E731  kinks at -1, 1, 1.2
    act = get_activation(f, breakpoints=(-1, 1, 1.2))
    qs = np.array([1e-4, 0.3, 1.0, 4.0, 50.0])
    coef, same, opposite = gaussian_hermite_moments(act.fn, qs, 48, breaks=act.breakpoints)  # shared nodes
    for q, c, nu, opp in zip(qs, coef, same, opposite):
        bp = [b / np.sqrt(q) for b in (-1, 1, 1.2) if abs(b / np.sqrt(q)) < 40]
        g = lambda x, q=q: f(np.sqrt(q) * x)  # noqa: E731
        assert_allclose(c, hermite_coefficients(g, 48, breakpoints=bp), rtol=0, atol=1e-14)
        assert nu == pytest.approx(second_moment(g, breakpoints=bp), abs=1e-14)
        both = bp + [-b for b in bp]  # E[phi(u) phi(-u)]: the mean of x -> g(x) g(-x)
        assert opp == pytest.approx(hermite_coefficients(lambda x: g(x) * g(-x), 0, breakpoints=both)[0], abs=1e-14)


def test_mehler_degree_follows_the_largest_correlation(monkeypatch):
    """The truncation degree is the smallest K with rho_max^(K+1) < 1e-17."""
    seen = []
    original = PQ.gaussian_hermite_moments

    def spy(phi, qs, degree, **kwargs):
        seen.append(degree)
        return original(phi, qs, degree, **kwargs)

    monkeypatch.setattr(PQ, "gaussian_hermite_moments", spy)
    rng = np.random.default_rng(3)
    X = _data("isotropic", rng)
    G = X.T @ X / X.shape[0]
    kernel_from_covariance(G, ACTIVATIONS["leaky ReLU callable"])
    rho = np.abs(G / np.sqrt(np.outer(np.diag(G), np.diag(G))))[np.triu_indices(G.shape[0], 1)]
    assert seen == [int(np.ceil(np.log(1e-17) / np.log(rho.max())))]
