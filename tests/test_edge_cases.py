"""Edge cases named by the reliability issue, one place, one test each.

Ratio near 0 and large; the hard edge (ratio = 1); ridgeless at n = p; z near or on the
support (the upper limit z + i0 is taken, documented in rmtbook.laws); x exactly at support
edges; activations that overflow; degenerate data (repeated columns) in kernels; unknown
activation names; non-positive widths; mismatched shapes.
"""

import warnings

import numpy as np
import pytest

import rmtbook as r


def _quiet(fn):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return fn()


def test_ratio_near_zero_concentrates_at_one_and_large_ratio_is_mostly_atom():
    small = r.marchenko_pastur(1e-6)
    (a, b), = small.support()
    assert abs(a - (1 - 1e-3) ** 2) < 1e-12 and abs(b - (1 + 1e-3) ** 2) < 1e-12
    assert small.atom == 0 and abs(small.cdf(b + 1e-9) - 1) < 1e-8
    big = r.marchenko_pastur(1e4)
    assert abs(big.atom - (1 - 1e-4)) < 1e-15
    (a, b), = big.support()
    assert abs(a - (1 - 100) ** 2) < 1e-6 and abs(b - 101**2) < 1e-6
    # ridge at extreme ratios stays finite and ordered
    tiny = _quiet(lambda: r.ridge_risk(1e-8, 0.1, noise_var=1.0))
    huge = _quiet(lambda: r.ridge_risk(1e6, 0.1, noise_var=1.0))
    assert np.isclose(tiny.out_of_sample, 1 + (0.1 / 1.1) ** 2, rtol=1e-6)  # p << n: shrinkage bias only
    assert np.isclose(huge.out_of_sample, 2.0, rtol=1e-6)                  # p >> n: predicts ~0


def test_hard_edge_density_is_finite_and_integrable():
    law = r.marchenko_pastur(1.0)
    values = _quiet(lambda: law.pdf(np.array([0.0, 1e-12, 1e-6, 4.0, 5.0])))
    assert np.all(np.isfinite(values))
    assert values[0] == 0.0 and values[3] == 0.0 and values[4] == 0.0
    # density sqrt((4 - x) x) / (2 pi x) ~ 1 / (pi sqrt(x)) near 0
    assert np.isclose(values[2] * np.sqrt(1e-6) * np.pi, 1.0, rtol=1e-3)
    assert abs(law.cdf(4.0) - 1) < 1e-10 and law.cdf(0.0) < 1e-5


def test_ridgeless_at_n_equals_p_is_infinite_with_a_warning():
    with pytest.warns(RuntimeWarning, match="infinite"):
        risk = r.ridge_risk(1.0, 0.0, noise_var=1.0)
    assert risk.out_of_sample == np.inf
    with pytest.warns(RuntimeWarning):
        risks = r.ridge_risk(np.array([0.5, 1.0, 2.0]), 0.0, noise_var=1.0)
    assert np.isfinite(risks.out_of_sample[[0, 2]]).all() and risks.out_of_sample[1] == np.inf


def test_stieltjes_on_and_near_the_support_takes_the_upper_limit():
    law = r.marchenko_pastur(0.5)
    x = 1.0
    on = complex(law.stieltjes(x))
    near = complex(law.stieltjes(x + 1e-9j))
    assert abs(on - near) < 1e-6 and on.imag > 0
    assert np.isclose(on.imag / np.pi, law.pdf(x), rtol=1e-8)
    below = complex(law.stieltjes(x - 1e-9j))
    assert np.isclose(below, np.conj(near), atol=1e-6)
    edge = (1 + np.sqrt(0.5)) ** 2
    assert np.isfinite(complex(law.stieltjes(edge)))


def test_density_exactly_at_support_edges():
    for law in (r.marchenko_pastur(0.3), r.sample_covariance_law([1, 3, 7], 0.1), r.semicircle(2.0)):
        edges = np.array([e for interval in law.support() for e in interval])
        values = _quiet(lambda: law.pdf(edges))
        assert np.all(np.isfinite(values)) and np.all(values >= 0)
        assert np.all(values < 1e-3)  # square-root vanishing at soft edges


def test_overflowing_activation_gives_finite_coefficients_or_a_clear_error():
    a = _quiet(lambda: r.hermite_coefficients("exp", 6))
    assert np.allclose(a, np.exp(0.5) / np.sqrt([1, 1, 2, 6, 24, 120, 720]), rtol=1e-10)
    K = _quiet(lambda: r.random_features_kernel(10 * np.eye(3), "exp"))
    assert np.all(np.isfinite(K))
    with pytest.raises(ValueError):
        r.hermite_coefficients(lambda x: np.exp(x**2), 2)  # not in L2(N(0,1))


@pytest.mark.parametrize("exact", [r.random_features_kernel])
def test_degenerate_data_in_kernels(exact):
    X = np.ones((4, 3)) / 2  # three identical unit columns
    for name in ("relu", "erf", "tanh", "sign"):
        K = _quiet(lambda: exact(X, name))
        assert np.all(np.isfinite(K))
        assert np.allclose(K, K[0, 0])  # identical columns, identical entries
    for fn in (r.conjugate_kernel, r.neural_tangent_kernel):
        K = _quiet(lambda: fn(X, ["relu", "erf"]))
        assert np.all(np.isfinite(K)) and np.allclose(K, K[0, 0])


def test_unknown_activation_lists_the_valid_names():
    for call in (lambda: r.hermite_coefficients("swish"), lambda: r.random_features_kernel(np.eye(3), "swish"),
                 lambda: r.conjugate_kernel(np.eye(3), ["relu", "swish"])):
        with pytest.raises(ValueError, match="relu") as info:
            call()
        assert "swish" in str(info.value) and "tanh" in str(info.value)


def test_non_positive_widths_and_mismatched_shapes():
    X = np.eye(3)
    with pytest.raises(ValueError, match="width"):
        r.random_features_ridge_errors(X, np.ones(3), "relu", 0, 0.1)
    with pytest.raises((ValueError, TypeError), match="width"):
        r.random_features_ridge_errors(X, np.ones(3), "relu", -5, 0.1)
    with pytest.raises(ValueError, match="y"):
        r.random_features_ridge_errors(X, np.ones(4), "relu", 5, 0.1)
    with pytest.raises(ValueError, match="widths|width"):
        r.random_network_features(X, ["relu"], [0])
    with pytest.raises(ValueError, match="ratio"):
        r.ridge_risk(-1.0, 0.1)
    with pytest.raises(ValueError, match="NaN|nan"):
        r.marchenko_pastur(np.nan)
    with pytest.raises(TypeError, match="ratio"):
        r.marchenko_pastur("2")
