"""Tracy-Widom laws (rmtbook.fluctuations): the Fredholm-determinant numerics against published
constants and its own convergence, and the largest eigenvalue of real Wishart matrices (Johnstone
2001) against F_1 by a Kolmogorov-Smirnov distance."""

from __future__ import annotations

import numpy as np
import pytest

from rmtbook import tracy_widom
from rmtbook.fluctuations import _fredholm_cdf

# Bornemann (2010), Table 4 (16 digits): mean and variance of F_1 and F_2
REFERENCE = {1: (-1.2065335745820, 1.6077810345810), 2: (-1.7710868074116, 0.8131947928329)}


@pytest.mark.parametrize("beta", [1, 2])
def test_moments_against_published_constants(beta):
    law = tracy_widom(beta)
    mean, var = REFERENCE[beta]
    assert law.moment(0) == pytest.approx(1.0, abs=1e-12)
    assert law.mean() == pytest.approx(mean, abs=1e-9)
    assert law.var() == pytest.approx(var, abs=1e-9)
    assert law.std() == pytest.approx(np.sqrt(var), abs=1e-9)
    # the nearest wrong variant, the other beta, is far off
    other = tracy_widom(3 - beta)
    assert abs(other.mean() - mean) > 0.5


@pytest.mark.parametrize("beta", [1, 2])
def test_fredholm_quadrature_has_converged(beta):
    s = np.array([-8.0, -4.0, -2.0, 0.0, 2.0, 6.0])
    assert np.max(np.abs(_fredholm_cdf(s, beta, 96) - _fredholm_cdf(s, beta, 160))) < 1e-13
    law = tracy_widom(beta)
    # the interpolant reproduces the determinant between its nodes, and is a distribution function
    x = np.linspace(-9.5, 13.5, 41)
    assert np.max(np.abs(law.cdf(x) - _fredholm_cdf(x, beta))) < 1e-12
    grid = np.linspace(-12, 16, 2001)
    f = law.cdf(grid)
    assert f[0] == 0.0 and f[-1] == 1.0 and np.all(np.diff(f) >= -1e-14)
    q = np.array([0.01, 0.25, 0.5, 0.75, 0.99])
    assert np.allclose(law.cdf(law.ppf(q)), q, atol=1e-12)


def test_largest_wishart_eigenvalue_follows_tw1():
    """Johnstone (2001): (lambda_max(X X^T) - mu) / sigma -> F_1 for real Gaussian X (p x n).

    400 draws: the Kolmogorov distance to the right law is below 1.63 / sqrt(400) (the 1% level)
    plus 0.02 for the O(n^{-2/3}) finite-size error at p = 100 (Johnstone's centring); F_2, the
    complex case, is rejected by the same check."""
    rng = np.random.default_rng(0)
    p, n, draws = 100, 200, 400
    top = np.array([np.linalg.eigvalsh(x @ x.T)[-1] for x in rng.standard_normal((draws, p, n))])
    mu = (np.sqrt(n - 1) + np.sqrt(p)) ** 2
    sigma = (np.sqrt(n - 1) + np.sqrt(p)) * (1 / np.sqrt(n - 1) + 1 / np.sqrt(p)) ** (1 / 3)
    s = np.sort((top - mu) / sigma)
    empirical = (np.arange(draws) + 0.5) / draws
    tol = 1.63 / np.sqrt(draws) + 0.02
    assert np.max(np.abs(tracy_widom(1).cdf(s) - empirical)) < tol
    assert np.max(np.abs(tracy_widom(2).cdf(s) - empirical)) > tol
    # samples of the law itself pass the same test (inverse transform)
    own = np.sort(tracy_widom(1).sample(draws, rng=1))
    assert np.max(np.abs(tracy_widom(1).cdf(own) - empirical)) < 1.63 / np.sqrt(draws)


def test_bad_beta_is_refused_by_name():
    for bad in (0, 3, 1.5, "1", True):
        with pytest.raises((ValueError, TypeError), match="beta"):
            tracy_widom(bad)
