"""Tests of rmtbook.diagnostics (chapter 11): power-law fits, entry laws, KS distance."""

from __future__ import annotations

import numpy as np
import pytest

from rmtbook import marchenko_pastur
from rmtbook.diagnostics import (
    ENTRY_DISTRIBUTIONS,
    PowerLawFit,
    entry_fourth_moment,
    fit_power_law,
    ks_distance,
    root_mean_square,
    standardized_entries,
)


# -- power-law fits ----------------------------------------------------------------------------
def test_fit_recovers_an_exact_power_law():
    n = np.array([100, 200, 400, 800, 1600])
    fit = fit_power_law(n, 3.0 * n**-0.5)
    assert isinstance(fit, PowerLawFit) and fit.num_points == 5
    assert fit.slope == pytest.approx(-0.5, abs=1e-12)
    assert fit.constant == pytest.approx(3.0, rel=1e-12)
    assert fit.slope_se < 1e-12                            # no residuals
    assert fit.predict(400) == pytest.approx(3.0 / 20.0)
    np.testing.assert_allclose(fit.predict(n), 3.0 * n**-0.5)
    # 3 / sqrt(n) = 0.05 at n = 3600, = 0.01 at n = 90000
    np.testing.assert_allclose(fit.required_size([0.05, 0.01]), [3600.0, 90000.0], rtol=1e-10)
    assert fit.required_size(0.05) == pytest.approx(3600.0)


def test_fit_standard_error_is_calibrated():
    """Over many noisy fits the slope is unbiased and slope_se matches its spread."""
    gen = np.random.default_rng(0)
    n = np.geomspace(100, 2000, 6)
    sigma = 0.1
    slopes, ses, ses_w = [], [], []
    for _ in range(2000):
        e = 2.0 * n**-1.0 * np.exp(sigma * gen.standard_normal(n.size))
        f = fit_power_law(n, e)
        fw = fit_power_law(n, e, log_se=np.full(n.size, sigma))
        slopes.append(f.slope)
        ses.append(f.slope_se)
        ses_w.append(fw.slope_se)
        assert fw.slope == pytest.approx(f.slope, abs=1e-12)   # equal weights: same estimate
    slopes = np.array(slopes)
    spread = slopes.std()
    assert abs(slopes.mean() + 1.0) < 4 * spread / np.sqrt(slopes.size)
    assert np.mean(ses_w) == pytest.approx(spread, rel=0.08)   # known variances: exact se
    assert np.sqrt(np.mean(np.square(ses))) == pytest.approx(spread, rel=0.08)


def test_weighted_fit_downweights_noisy_points():
    n = np.array([100.0, 200.0, 400.0, 800.0])
    e = 1.0 / n
    e_bad = e.copy()
    e_bad[0] *= 3.0                                            # an outlier at the smallest size
    precise = fit_power_law(n, e_bad, log_se=[10.0, 0.01, 0.01, 0.01])
    plain = fit_power_law(n, e_bad)
    assert abs(precise.slope + 1.0) < 1e-3 < abs(plain.slope + 1.0)


def test_required_size_without_decay_is_infinite():
    fit = fit_power_law([1.0, 2.0, 4.0], [1.0, 1.0, 1.0])
    assert fit.slope == pytest.approx(0.0, abs=1e-12)
    assert fit.required_size(0.5) == np.inf


def test_fit_bad_input():
    with pytest.raises(ValueError, match="errors"):
        fit_power_law([1, 2, 3], [1.0, 2.0])
    with pytest.raises(ValueError, match="errors"):
        fit_power_law([1, 2, 3], [1.0, 0.0, 2.0])
    with pytest.raises(ValueError, match="sizes"):
        fit_power_law([1, -2, 3], [1.0, 1.0, 2.0])
    with pytest.raises(ValueError, match="at least 3"):
        fit_power_law([1, 2], [1.0, 2.0])
    with pytest.raises(ValueError, match="equal"):
        fit_power_law([5, 5, 5], [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="log_se"):
        fit_power_law([1, 2, 3], [1.0, 2.0, 3.0], log_se=[0.1, 0.1])
    with pytest.raises(ValueError, match="accuracy"):
        fit_power_law([1, 2, 3], [1.0, 0.5, 0.3]).required_size(0.0)


def test_root_mean_square():
    e = np.array([[3.0, 4.0], [1.0, 1.0]])
    rms, se = root_mean_square(e, axis=1)
    np.testing.assert_allclose(rms, [np.sqrt(12.5), 1.0])
    # std of (9, 16) with ddof 1 is 7 / sqrt 2; divided by 2 sqrt(2) * 12.5
    np.testing.assert_allclose(se, [7 / np.sqrt(2) / (2 * np.sqrt(2) * 12.5), 0.0])
    r, s = root_mean_square([1.0, -1.0, 1.0])
    assert r == pytest.approx(1.0) and s == pytest.approx(0.0)
    # calibration: the spread of log RMS over repetitions matches the delta-method se
    gen = np.random.default_rng(1)
    draws = gen.standard_normal((4000, 50))
    rms, se = root_mean_square(draws, axis=1)
    assert np.log(rms).std() == pytest.approx(np.mean(se), rel=0.06)
    with pytest.raises(ValueError, match="2 draws"):
        root_mean_square([[1.0], [2.0]])
    with pytest.raises(ValueError, match="zero"):
        root_mean_square([0.0, 0.0])


# -- entry laws --------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ENTRY_DISTRIBUTIONS)
def test_entries_are_standardized(name):
    x = standardized_entries(name, (400, 500), df=6.0, rng=3)
    assert x.shape == (400, 500) and x.dtype == float
    m = x.size
    assert abs(x.mean()) < 5 / np.sqrt(m)                      # mean 0, se 1/sqrt(m)
    m4 = entry_fourth_moment(name, df=6.0)
    se_var = np.sqrt((x**4).mean() - 1) / np.sqrt(m)           # se of mean(x^2) (0 for Rademacher)
    assert abs(np.mean(x**2) - 1.0) <= 6 * se_var + 1e-12
    if name != "student-t":                                    # t6 has no 8th moment: skip m4
        assert abs(np.mean(x**4) - m4) < 0.05 * m4


def test_entry_values_and_moments():
    r = standardized_entries("rademacher", 1000, rng=0)
    assert set(np.unique(r).tolist()) == {-1.0, 1.0}
    u = standardized_entries("uniform", 1000, rng=0)
    assert np.abs(u).max() <= np.sqrt(3.0)
    assert entry_fourth_moment("gaussian") == 3.0
    assert entry_fourth_moment("rademacher") == 1.0
    assert entry_fourth_moment("uniform") == pytest.approx(1.8)
    assert entry_fourth_moment("student-t", df=5.0) == pytest.approx(9.0)
    assert entry_fourth_moment("student-t", df=3.0) == np.inf
    assert entry_fourth_moment("student-t", df=4.0) == np.inf
    # seeded and reproducible
    np.testing.assert_array_equal(standardized_entries("student-t", (3, 4), rng=5),
                                  standardized_entries("student-t", (3, 4), rng=5))


def test_student_t_has_heavy_tails():
    x = standardized_entries("student-t", 200_000, df=3.0, rng=2)
    g = standardized_entries("gaussian", 200_000, rng=2)
    assert np.abs(x).max() > 10 * np.abs(g).max() / 2          # far larger extremes
    # P(|t_3| > s) ~ C s^-3: the tail beyond 10 (standardized) is not negligible
    assert np.mean(np.abs(x) > 10) > 1e-4


def test_entries_bad_input():
    with pytest.raises(ValueError, match="distribution"):
        standardized_entries("cauchy", 5)
    with pytest.raises(ValueError, match="df"):
        standardized_entries("student-t", 5, df=2.0)
    with pytest.raises(ValueError, match="df"):
        entry_fourth_moment("student-t", df=1.5)
    with pytest.raises(TypeError, match="size"):
        standardized_entries("gaussian", (2.5, 3))
    with pytest.raises(TypeError, match="rng"):
        standardized_entries("gaussian", 3, rng="seed")
    # df is ignored for the light-tailed laws
    assert standardized_entries("gaussian", 3, df=1.0, rng=0).shape == (3,)


# -- KS distance -------------------------------------------------------------------------------
def test_ks_distance_exact_values():
    law = marchenko_pastur(0.5)
    # eigenvalues at the quantiles (i - 1/2)/m: the distance is exactly 1/(2m)
    m = 200
    q = np.array([0.0])
    grid = np.linspace(law.support()[0][0], law.support()[0][1], 20001)
    F = law.cdf(grid)
    q = np.interp((np.arange(1, m + 1) - 0.5) / m, F, grid)
    assert ks_distance(q, law) == pytest.approx(0.5 / m, abs=2e-4)
    assert ks_distance(np.full(10, 100.0), law) == pytest.approx(1.0)
    assert ks_distance(np.full(10, -1.0), law) == pytest.approx(1.0)


def test_ks_distance_of_sample_covariances():
    gen = np.random.default_rng(4)
    p, n = 300, 600
    Z = gen.standard_normal((p, n))
    eigs = np.linalg.eigvalsh(Z @ Z.T / n)
    d = ks_distance(eigs, marchenko_pastur(p / n))
    assert d < 5 * np.log(p) / p                              # rigidity: O(log p / p)
    assert ks_distance(eigs, marchenko_pastur(0.2)) > 0.1      # a wrong ratio is far
    # with an atom at zero (p > n): the numerically zero eigenvalues count as the atom
    Z = gen.standard_normal((600, 300))
    eigs = np.linalg.eigvalsh(Z @ Z.T / 300)
    assert ks_distance(eigs, marchenko_pastur(2.0)) < 5 * np.log(300) / 300


def test_ks_distance_bad_input():
    with pytest.raises(TypeError, match="cdf"):
        ks_distance([1.0, 2.0], object())
    with pytest.raises(ValueError, match="eigenvalues"):
        ks_distance(np.ones((2, 2)), marchenko_pastur(0.5))


def test_root_mean_square_result_is_frozen_and_unpacks():
    import dataclasses

    from rmtbook.diagnostics import RootMeanSquare

    res = root_mean_square([[1.0, 3.0], [2.0, 2.0]], axis=1)
    assert isinstance(res, RootMeanSquare)
    rms, se = res
    assert rms is res.rms and se is res.log_se and res[0] is res.rms
    np.testing.assert_allclose(res.rms, [np.sqrt(5.0), 2.0])
    with pytest.raises(dataclasses.FrozenInstanceError):
        res.rms = 0.0


def test_standardized_entries_rng_is_keyword_only():
    with pytest.raises(TypeError, match="positional"):
        standardized_entries("gaussian", 3, 3.0, 0)
