"""Argument validation and edge cases, from the shared checks up to every public function.

One file for what grew in three (issue 19):

1. the shared checks of :mod:`rmtbook._validation` (right kinds pass, wrong kinds and ranges
   fail with messages naming the argument), including the one check of user callables;
2. a generic pass over ``rmtbook.__all__``: every public function first succeeds on canonical
   arguments, then refuses NaN and strings in each numeric argument with a message naming it
   (the hostile battery of ``tests/test_fuzz.py`` goes further);
3. edge cases of the reliability issue: ratio near 0 and large; the hard edge (ratio = 1);
   ridgeless at n = p; z near or on the support (the upper limit z + i0 is taken, documented in
   rmtbook.laws); x exactly at support edges; activations that overflow; degenerate data
   (repeated columns) in kernels; unknown activation names; non-positive widths; mismatched
   shapes;
4. regressions of the robustness faults of issue 19 outside the spectral laws (extreme ridges,
   rank-deficient kernels, Lanczos padding, hostile callables, strings as booleans, ...).
"""

import inspect
import warnings

import dataclasses

import numpy as np
import pytest

import rmtbook
import rmtbook as r
from rmtbook import _validation as v
from rmtbook._rng import as_generator



# ----------------------------------------------------------------------------------------------
# 1. shared checks
# ----------------------------------------------------------------------------------------------
class TestScalar:
    def test_accepts_python_and_numpy_reals(self):
        assert v.check_scalar("x", 2) == 2.0
        assert v.check_scalar("x", np.float32(0.5)) == 0.5
        assert v.check_scalar("x", np.array(3.0)) == 3.0

    @pytest.mark.parametrize("bad", ["1", None, True, 1 + 2j, [1.0]])
    def test_type_errors_name_the_argument(self, bad):
        with pytest.raises(TypeError, match="ratio"):
            v.check_scalar("ratio", bad)

    def test_nan_and_inf(self):
        with pytest.raises(ValueError, match="ratio.*nan"):
            v.check_scalar("ratio", float("nan"))
        with pytest.raises(ValueError, match="finite"):
            v.check_scalar("ratio", np.inf)
        assert v.check_scalar("ratio", np.inf, low=0, allow_inf=True) == np.inf

    def test_ranges_are_stated(self):
        with pytest.raises(ValueError, match=r"ridge must be in \[0, inf\)"):
            v.check_positive("ridge", -1.0, allow_zero=True)
        with pytest.raises(ValueError, match=r"\(0, inf\)"):
            v.check_positive("var", 0.0)
        assert v.check_positive("ridge", 0.0, allow_zero=True) == 0.0
        with pytest.raises(ValueError, match=r"\[0, 1\]"):
            v.check_scalar("rho", 1.5, low=0, high=1)


class TestInt:
    def test_int(self):
        assert v.check_int("n", np.int64(5), low=1) == 5
        with pytest.raises(TypeError, match="width"):
            v.check_int("width", 2.0)
        with pytest.raises(TypeError):
            v.check_int("width", True)
        with pytest.raises(ValueError, match=r"width must be an integer in \[1, inf\]"):
            v.check_int("width", 0, low=1)


class TestArray:
    def test_shapes_and_values(self):
        a = v.check_array("X", [[1, 2], [3, 4]], ndim=2)
        assert a.dtype == float and a.shape == (2, 2)
        with pytest.raises(ValueError, match="X must have 2 dimension"):
            v.check_array("X", [1, 2], ndim=2)
        with pytest.raises(ValueError, match=r"shape \(any, 3\)"):
            v.check_array("X", np.zeros((2, 2)), shape=(None, 3))
        with pytest.raises(ValueError, match="at least 1"):
            v.check_array("X", [])
        with pytest.raises(ValueError, match="NaN"):
            v.check_array("X", [1.0, np.nan])
        with pytest.raises(ValueError, match="finite"):
            v.check_array("X", [1.0, np.inf])
        with pytest.raises(ValueError, match=r"entries of eigs must be in \(0, inf\)"):
            v.check_array("eigs", [1.0, -2.0], low=0, low_open=True)

    @pytest.mark.parametrize("bad", ["abc", None, [True, False], [object()]])
    def test_non_numeric(self, bad):
        with pytest.raises(TypeError, match="X"):
            v.check_array("X", bad)

    def test_complex(self):
        z = v.check_array("z", [1 + 1j], allow_complex=True)
        assert z.dtype == complex
        with pytest.raises(TypeError):
            v.check_array("z", [1 + 1j])


def test_matching_columns_and_choice_and_weights():
    with pytest.raises(ValueError, match="y must have one entry per column of X"):
        v.check_matching_columns("X", np.zeros((3, 4)), "y", np.zeros(5))
    assert v.check_choice("activation", "ReLU", ["relu", "tanh"]) == "relu"
    with pytest.raises(ValueError, match=r"valid values are \['relu', 'tanh'\]"):
        v.check_choice("activation", "swish", ["relu", "tanh"])
    np.testing.assert_allclose(v.check_weights("weights", [1, 3], 2), [0.25, 0.75])
    np.testing.assert_allclose(v.check_weights("weights", None, 4), np.full(4, 0.25))
    with pytest.raises(ValueError, match="length 3"):
        v.check_weights("weights", [1, 1], 3)
    with pytest.raises(ValueError, match="positive sum"):
        v.check_weights("weights", [0, 0], 2)
    with pytest.raises(TypeError, match="draw must be callable"):
        v.check_callable("draw", 3)


class TestRng:
    def test_same_seed_same_numbers(self):
        assert as_generator(7).standard_normal() == as_generator(7).standard_normal()

    def test_generator_passes_through(self):
        g = np.random.default_rng(0)
        assert as_generator(g) is g
        assert isinstance(as_generator(None), np.random.Generator)

    @pytest.mark.parametrize("bad", [1.5, "0", np.random.RandomState(0), True])
    def test_bad_types(self, bad):
        with pytest.raises(TypeError, match="rng"):
            as_generator(bad)

    def test_negative_seed(self):
        with pytest.raises(ValueError, match="non-negative"):
            as_generator(-1)


def test_renamed_kwargs_forwards_the_old_keyword_with_a_deprecation_warning():
    import inspect

    from rmtbook._validation import renamed_kwargs

    @renamed_kwargs(old="new")
    def f(a, new=0):
        """Doc."""
        return a + new

    assert f(1, new=2) == 3 and f(1, 2) == 3
    with pytest.warns(DeprecationWarning, match=r"f\(\): the keyword 'old' is deprecated.*use 'new'"):
        assert f(1, old=5) == 6
    with pytest.raises(TypeError, match="both 'old'"):
        f(1, old=5, new=2)
    assert list(inspect.signature(f).parameters) == ["a", "new"] and f.__doc__ == "Doc."


# ----------------------------------------------------------------------------------------------
# 2. every public function refuses NaN and strings by name
# ----------------------------------------------------------------------------------------------
_rng = np.random.default_rng(0)
_X = _rng.standard_normal((6, 5))
_X /= np.linalg.norm(_X, axis=0)

CANONICAL = {
    "ratio": 0.5, "ridge": 0.1, "var": 1.0, "noise_var": 0.5, "signal_norm2": 1.0,
    "population_eigs": [1.0, 2.0], "eigenvalues": [1.0, 2.0, 3.0], "bulk": 1.0,
    "X": _X, "y": np.linspace(-1, 1, 5), "activation": "relu", "activations": ["relu", "erf"],
    "width": 8, "widths": [8, 8], "num_features": 16, "p": 6, "n": 12, "size": 10, "num_samples": 100,
    "z": -1.0, "x": [0.5, 1.0], "rho": 0.3, "q1": 1.0, "q2": 1.0, "k": 0.2, "degree": 3,
    "ell": 2.0, "theta": 3.0, "thetas": [3.0], "spikes": [2.0], "distribution": "gaussian",
    "sizes": [100, 200, 400], "errors": [0.1, 0.07, 0.05], "coefficients": [1.0, 0.5],
}
# functions whose argument names mean something else than the canonical ones
OVERRIDES = {"hermite_polynomial": {"k": 3}, "top_eigenpairs": {"x": _X}}
NUMERIC = {"ratio", "ridge", "var", "noise_var", "signal_norm2", "population_eigs", "eigenvalues",
           "bulk", "X", "y", "width", "widths", "num_features", "p", "n", "size", "num_samples", "z", "x",
           "rho", "q1", "q2", "k", "degree", "ell", "theta", "thetas", "spikes", "sizes", "errors"}


def _cases():
    for name in sorted(rmtbook.__all__):
        fn = getattr(rmtbook, name, None)
        if not inspect.isfunction(fn):
            continue
        params = [p for p in inspect.signature(fn).parameters.values()
                  if p.default is inspect.Parameter.empty and p.kind is not p.VAR_POSITIONAL and p.kind is not p.VAR_KEYWORD]
        if all(p.name in CANONICAL for p in params):
            kwargs = {p.name: CANONICAL[p.name] for p in params}
            kwargs.update(OVERRIDES.get(name, {}))
            yield pytest.param(fn, kwargs, id=name)


CASES = list(_cases())


def test_the_generic_check_covers_most_of_the_api():
    functions = [n for n in rmtbook.__all__ if inspect.isfunction(getattr(rmtbook, n, None))]
    assert len(CASES) >= 0.6 * len(functions), (len(CASES), len(functions))


@pytest.mark.parametrize("fn, kwargs", CASES)
def test_nan_and_strings_are_refused_by_name(fn, kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fn(**kwargs)  # the canonical call is valid
    for arg in kwargs:
        if arg not in NUMERIC:
            continue
        for bad in (np.nan, "abc"):
            value = bad
            if isinstance(kwargs[arg], (list, np.ndarray)) and bad is np.nan:
                value = np.array(kwargs[arg], dtype=float)
                value.flat[0] = np.nan
            with pytest.raises((ValueError, TypeError)) as info:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    fn(**{**kwargs, arg: value})
            assert arg in str(info.value), (fn.__name__, arg, str(info.value))


# ----------------------------------------------------------------------------------------------
# 3. edge cases
# ----------------------------------------------------------------------------------------------
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


# ----------------------------------------------------------------------------------------------
# 4. regressions of issue 19 (robustness outside the spectral laws)
# ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("ratio", [0.5, 1.0, 2.0])
@pytest.mark.parametrize("ridge", [1e155, 1e300])
@pytest.mark.parametrize("fn", [r.ridge_risk, r.ridge_risk_isotropic])
def test_huge_ridge_tends_to_noise_plus_signal(fn, ridge, ratio):
    # betahat -> 0: both risks tend to sigma^2 + ||beta*||^2 (was nan: kappa^2 overflowed)
    risk = _quiet(lambda: fn(ratio, ridge, noise_var=0.5, signal_norm2=2.0))
    assert np.isclose(risk.out_of_sample, 2.5, rtol=1e-12)
    assert np.isclose(risk.in_sample, 2.5, rtol=1e-12)
    assert np.isclose(risk.bias, 2.0, rtol=1e-12) and 0 <= risk.variance < 1e-300


@pytest.mark.parametrize("ridge", [1e-200, 1e-300, 5e-324])
@pytest.mark.parametrize("ratio", [0.5, 2.0])
@pytest.mark.parametrize("fn", [r.ridge_risk, r.ridge_risk_isotropic])
def test_tiny_ridge_tends_to_the_ridgeless_values(fn, ratio, ridge):
    risk = _quiet(lambda: fn(ratio, ridge, noise_var=0.5, signal_norm2=1.0))
    limit = _quiet(lambda: fn(ratio, 0.0, noise_var=0.5, signal_norm2=1.0))
    for field in ("in_sample", "out_of_sample", "bias", "variance"):
        assert np.isclose(getattr(risk, field), getattr(limit, field), rtol=1e-12, atol=1e-300), field


@pytest.mark.parametrize("ridge", [1e-200, 1e-300])
def test_isotropic_tiny_ridge_at_ratio_one_follows_the_square_root_law(ridge):
    # at c = 1, m(-gamma) ~ 1/sqrt(gamma): variance ~ sigma^2 / (2 sqrt(gamma)), finite (was nan)
    risk = _quiet(lambda: r.ridge_risk_isotropic(1.0, ridge, noise_var=0.5))
    assert np.isclose(risk.variance, 0.5 / (2 * np.sqrt(ridge)), rtol=1e-10)
    assert np.isclose(risk.kappa, np.sqrt(ridge), rtol=1e-10)


def test_ridge_risk_tiny_ridge_at_ratio_one_matches_the_closed_form():
    a = _quiet(lambda: r.ridge_risk(1.0, 1e-200, noise_var=0.5))
    b = _quiet(lambda: r.ridge_risk_isotropic(1.0, 1e-200, noise_var=0.5))
    assert np.isclose(a.kappa, b.kappa, rtol=1e-8) and np.isclose(a.out_of_sample, b.out_of_sample, rtol=1e-8)


def test_one_check_for_every_user_callable():
    f = v.check_vectorized_callable("activation", np.tanh)
    assert f is np.tanh
    assert v.check_vectorized_callable("f", np.log, allow_complex=True) is np.log
    bad = {
        "not vectorized": lambda x: max(x, 0.0),
        "python math": lambda x: float(np.tanh(x)),
        "scalar output": lambda x: np.sum(x),
        "wrong shape": lambda x: x.ravel(),
        "nan": lambda x: np.where(x > 1, np.nan, x),
        "raises": lambda x: 1 / 0,
        "complex": lambda x: x + 1j,
    }
    for label, fn in bad.items():
        with pytest.raises(ValueError, match="activation") as info:
            v.check_vectorized_callable("activation", fn)
        assert label and str(info.value).startswith("activation")
    with pytest.raises(TypeError, match="f must be callable"):
        v.check_vectorized_callable("f", 3.0)
    with pytest.raises(TypeError, match="f must return real numbers"):
        v.check_vectorized_callable("f", lambda x: np.full(x.shape, "a"))


def _non_vectorized(x):
    return max(x, 0.0)  # a scalar function: fails on arrays


@pytest.mark.parametrize("call, name", [
    (lambda: r.hermite_coefficients(_non_vectorized, 3), "activation"),
    (lambda: r.second_moment(lambda x: np.sum(x)), "activation"),
    (lambda: r.get_activation(np.tanh, derivative=lambda x: 1.0), "derivative"),
    (lambda: r.random_features_kernel(np.eye(3), _non_vectorized), "activation"),
    (lambda: r.kernel_from_covariance(np.eye(3), lambda x: x[0]), "activation"),
    (lambda: r.dual_activation(lambda x: np.where(x > 0, np.nan, x), 0.5), "activation"),
    (lambda: r.inner_product_kernel(np.eye(3), _non_vectorized), "f"),
    (lambda: r.inner_product_kernel_linear_equivalent(np.eye(3), lambda x: x[:1]), "f"),
    (lambda: r.conjugate_kernel(np.eye(3), ["relu", _non_vectorized]), "activations[1]"),
    (lambda: r.neural_tangent_kernel_coefficients(["relu", lambda x: np.sum(x)], 3), "activations[1]"),
    (lambda: r.random_features_ridge_errors(np.eye(3), np.ones(3), _non_vectorized, 4, 0.1), "activation"),
    (lambda: r.simulate_random_features_ridge(np.eye(3), np.ones(3), lambda x: x.T, 4, 0.1, rng=0), "activation"),
    (lambda: r.random_network_features(np.eye(3), [_non_vectorized], [4], rng=0), "activations[0]"),
    (lambda: r.empirical_ntk(np.eye(3), [lambda x: x[:, :1]], [4], rng=0), "activations[0]"),
    (lambda: r.linear_spectral_statistic(lambda z: 1.0, [1.0], 0.5), "f"),
])
def test_hostile_callables_are_refused_by_name(call, name):
    # issue 19: IndexError / AttributeError / einsum errors deep inside before
    with pytest.raises(ValueError) as info:
        call()
    assert str(info.value).startswith(name), str(info.value)


@pytest.mark.parametrize("call, name", [
    (lambda: r.gaussian_pair_expectation("relu", 1.0, 1.0, 0.5, derivative="yes"), "derivative"),
    (lambda: r.kernel_from_covariance(np.eye(2), "relu", derivative="no"), "derivative"),
    (lambda: r.conjugate_kernel(np.eye(2), ["relu"], return_all="yes"), "return_all"),
    (lambda: r.neural_tangent_kernel(np.eye(2), ["relu"], return_all=1), "return_all"),
    (lambda: r.sample_covariance(np.ones(3), 5, rng=0, return_data="yes"), "return_data"),
    (lambda: r.prepare_data(np.eye(3), np.arange(3), center="yes"), "center"),
    (lambda: r.prepare_data(np.eye(3), np.arange(3), normalize="no"), "normalize"),
    (lambda: r.hermite_coefficients("relu", 3, breakpoints="abc"), "breakpoints"),
    (lambda: r.second_moment("tanh", breakpoints=""), "breakpoints"),
])
def test_strings_are_not_booleans_or_breakpoints(call, name):
    with pytest.raises(TypeError, match=name):
        call()


def test_write_idx_compress_must_be_a_boolean(tmp_path):
    with pytest.raises(TypeError, match="compress"):
        r.write_idx(tmp_path / "a.idx", np.zeros(3, dtype=np.uint8), compress="yes")


def test_kernel_from_covariance_refuses_an_invalid_covariance():
    # issue 19: |K_ij| > sqrt(K_ii K_jj) was clipped silently
    K = np.array([[1.0, 2.0], [2.0, 1.0]])
    with pytest.raises(ValueError, match=r"K must be a covariance matrix: \|K\[0, 1\]\|"):
        r.kernel_from_covariance(K, "relu")
    ok = np.array([[1.0, 1.0 + 1e-12], [1.0 + 1e-12, 1.0]])  # rounding excess is still accepted
    assert np.all(np.isfinite(r.kernel_from_covariance(ok, "relu")))


@pytest.mark.parametrize("call, match", [
    (lambda: r.conjugate_kernel_coefficients([lambda x: 0 * x, "relu"], 10), "activations"),
    (lambda: r.neural_tangent_kernel_coefficients([lambda x: 0 * x, "relu"], 10), "activations"),
    (lambda: r.conjugate_kernel_coefficients(["relu"] * 1100, 10), "activations"),
    (lambda: r.conjugate_kernel_coefficients(["relu", "tanh"], 10, norm2=1e300), "norm2"),
    (lambda: r.neural_tangent_kernel_coefficients(["sign", "sign"], 10), r"activations\[0\] = 'sign'"),
    (lambda: r.neural_tangent_kernel_linear_equivalent(np.eye(3) * 1e160, ["relu"]), "X"),
])
def test_deep_recursions_refuse_instead_of_crashing(call, match):
    # issue 19: ZeroDivisionError, OverflowError and a silent inf before
    with pytest.raises(ValueError, match=match):
        call()


def test_deep_recursion_at_tiny_norm2_is_finite_and_homogeneous():
    # ReLU is 1-homogeneous: the coefficients scale with norm2 (q1 q2 underflowed to 0 before)
    small = r.conjugate_kernel_coefficients(["relu", "relu"], 10, norm2=1e-300)
    unit = r.conjugate_kernel_coefficients(["relu", "relu"], 10, norm2=1.0)
    np.testing.assert_allclose(small.diagonal(1e-300) / 1e-300, unit.diagonal(1.0), rtol=1e-10)


def test_read_idx_refuses_a_corrupt_gzip_by_name(tmp_path):
    path = r.write_idx(tmp_path / "labels.idx.gz", np.arange(200, dtype=np.uint8) % 10)
    raw = path.read_bytes()
    path.write_bytes(raw[: len(raw) // 2])  # truncated download
    with pytest.raises(ValueError, match="path .* corrupt or truncated"):
        r.read_idx(path)
    with pytest.raises(TypeError, match="expected_magic"):
        r.read_idx(path, expected_magic="2049")


def test_fit_power_law_refuses_nearly_equal_sizes():
    # issue 19: a slope of 5e11 from rounding noise
    with pytest.raises(ValueError, match="sizes must span a resolvable range"):
        r.fit_power_law([1000.0, 1000.0 * (1 + 1e-12), 1000.0 * (1 + 2e-12)], [0.1, 0.2, 0.3])
    fit = r.fit_power_law([100, 200, 400], [0.1, 0.05, 0.025])
    assert np.isclose(fit.slope, -1.0)


def test_top_eigenpairs_at_extreme_scales():
    # issue-19 fuzz: eigh of the Gram matrix of entries ~1e300 did not converge (LinAlgError)
    x = np.random.default_rng(1).standard_normal((4, 6))
    vals, vecs = r.top_eigenpairs(x, 2)
    tiny_vals, tiny_vecs = r.top_eigenpairs(x * 1e-150, 2)
    np.testing.assert_allclose(tiny_vals / 1e-150 / 1e-150, vals, rtol=1e-10)
    np.testing.assert_allclose(np.abs(tiny_vecs), np.abs(vecs), rtol=1e-10)
    with pytest.raises(ValueError, match="x: the eigenvalues"):
        r.top_eigenpairs(x * 1e300, 2)
    wide = x.T  # p > n path
    _, v1 = r.top_eigenpairs(wide, 2)
    _, v2 = r.top_eigenpairs(wide * 1e-160, 2)
    np.testing.assert_allclose(np.abs(v2), np.abs(v1), rtol=1e-10)


def test_refusals_of_kernels_and_statistics_name_the_argument():
    with pytest.raises(ValueError, match="^eigenvalues: the kernel matrix must be positive"):
        r.random_features_delta([1.0, -1.0], 4, 0.1)
    with pytest.raises(ValueError, match="^Phi: the kernel matrix must be positive"):
        r.random_features_errors_from_kernel(-np.eye(3), np.ones(3), 4, 0.1)
    with pytest.raises(ValueError, match="population_eigs and ratio"):
        r.linear_spectral_statistic(np.square, [1e300, 3e300], 0.5)
    with pytest.raises(TypeError, match="size"):
        r.standardized_entries("gaussian", None)


def test_mismatch_messages_name_both_arguments():
    with pytest.raises(ValueError, match="weights must have length 1 .*population_eigs"):
        r.ridge_risk(0.5, 0.1, population_eigs=[1.0], weights=[0.5, 0.5])
    with pytest.raises(ValueError, match="errors must have one entry per entry of sizes"):
        r.fit_power_law([100.0], [0.1, 0.07, 0.05])
    with pytest.raises(ValueError, match=r"Theta_train must have shape \(n, n\) with n = 1 entries of y"):
        r.linearized_gd_predictions(np.eye(3), None, np.ones(1), [0.0, 1.0])
    with pytest.raises(TypeError, match="labels must be a one-dimensional integer array"):
        r.prepare_data(np.eye(2), [[1], [1, 2]])


def test_fuzz_findings_of_the_second_round_are_refused_by_name():
    class NanLaw:
        atom = 0.0

        def cdf(self, x):
            return np.full(np.shape(x), np.nan)

    with pytest.raises(ValueError, match="^law: its cdf"):
        r.ks_distance([0.5, 1.0], NanLaw())  # a silent nan before
    with pytest.raises(TypeError, match="singularities"):
        r.linear_spectral_statistic(np.log, [1.0], 0.5, singularities=[[0.0], [0.0, 1.0]])
    with pytest.raises(ValueError, match="num_points = 64 is too few"):  # RuntimeError before
        r.linear_spectral_statistic(np.square, [1.0, 3.0], 0.5, singularities=[0.0], num_points=64)
    assert np.isclose(r.linear_spectral_statistic(np.square, [1.0, 3.0], 0.5, singularities=[0.0]), 7.0)
    with pytest.raises(ValueError, match="^other must be a vectorized"):
        r.mehler_kernel("relu", [0.3], 4, other=_non_vectorized)
    with pytest.raises(ValueError, match="unknown other"):
        r.mehler_kernel("relu", [0.3], 4, other="swish")
    params = r.init_mlp(3, [4], rng=0)
    with pytest.raises(ValueError, match=r"record must be steps in \[0, steps\]"):
        r.train_mlp_gd(params, np.eye(3), np.ones(3), ["relu"], 0.1, 0, record=[0, 3])


def test_random_features_at_overflowing_data_scales_refuse_naming_the_data():
    X = np.eye(3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # the kernels warn of the overflow first
        with pytest.raises(ValueError, match="^X_test: the random features kernel"):  # "Phi must not ..." before
            r.random_features_ridge_errors(X, np.ones(3), "exp", 4, 0.1, X_test=X * 40, y_test=np.ones(3))
        with pytest.raises(ValueError, match="^X: the random features phi"):  # LinAlgError before
            r.simulate_random_features_ridge(X * 1e300, np.ones(3), "relu", 4, 0.1, rng=0)


@pytest.mark.parametrize("ratio", [1e100, 1e300])
def test_ridge_risk_at_huge_ratios_predicts_zero(ratio):
    # p >> n: betahat -> 0, risk -> noise + signal (1 - df2/n cancelled to 0 before: inf or nan)
    risk = _quiet(lambda: r.ridge_risk(ratio, 0.1, noise_var=0.5, population_eigs=[1.0, 3.0]))
    assert np.isclose(risk.out_of_sample, 0.5 + 2.0, rtol=1e-12)
    iso = _quiet(lambda: r.ridge_risk(ratio, 0.1, noise_var=0.5))
    oracle = _quiet(lambda: r.ridge_risk_isotropic(ratio, 0.1, noise_var=0.5))
    assert np.isclose(iso.out_of_sample, oracle.out_of_sample, rtol=1e-12)


def test_random_features_formulas_at_extreme_widths_ridges_and_scales():
    X = np.random.default_rng(0).standard_normal((6, 5))
    X /= np.linalg.norm(X, axis=0)
    y, yt = np.linspace(-1, 1, 5), np.ones(3)
    kernel_limit = _quiet(lambda: r.random_features_ridge_errors(X, y, "relu", 1e15, 0.1, X[:, :3], yt))
    huge = _quiet(lambda: r.random_features_ridge_errors(X, y, "relu", 1e300, 0.1, X[:, :3], yt))
    assert np.isclose(huge.test, kernel_limit.test, rtol=1e-10)  # test was nan (scale^2 overflowed)
    big_ridge = _quiet(lambda: r.random_features_ridge_errors(X, y, "relu", 8, 1e300, X[:, :3], yt))
    assert np.isclose(big_ridge.train, np.mean(y**2)) and np.isclose(big_ridge.test, 1.0)  # train was nan
    # delta is invariant under (eigenvalues, ridge) -> s (eigenvalues, ridge)
    lam = np.array([1.0, 2.0, 3.0])
    base = r.random_features_delta(lam, 8, 0.1)
    for s in (1e-300, 1e300):
        assert np.isclose(r.random_features_delta(lam * s, 8, 0.1 * s), base, rtol=1e-12)
    with pytest.raises(ValueError, match="^ridge is too small relative to the kernel"):  # nan before
        r.random_features_delta(lam, 8, 5e-324)


def test_weighted_power_law_fit_is_invariant_to_the_scale_of_log_se():
    fit = r.fit_power_law([100.0, 200.0, 400.0], [0.1, 0.07, 0.05], log_se=[0.1, 0.2, 0.1])
    for k in (1e-300, 1e300):  # nan slope before
        scaled = r.fit_power_law([100.0, 200.0, 400.0], [0.1, 0.07, 0.05], log_se=[0.1 * k, 0.2 * k, 0.1 * k])
        assert np.isclose(scaled.slope, fit.slope, rtol=1e-12)
        assert np.isclose(scaled.slope_se, fit.slope_se * k, rtol=1e-12)


def test_empirical_ntk_refuses_an_overflowing_data_scale():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        with pytest.raises(ValueError, match="^X .*overflows"):  # a nan kernel before
            r.empirical_ntk(np.eye(3) * 1e300, ["relu"], [4], rng=0)


@pytest.mark.parametrize("scale", [1e-200, 1e200])
def test_root_mean_square_at_extreme_scales(scale):
    e = np.array([[0.1, 0.2, 0.3], [1.0, -2.0, 0.5]])
    rms, se = r.root_mean_square(e)
    rms_s, se_s = _quiet(lambda: r.root_mean_square(e * scale))  # inf, or "all zero", before
    np.testing.assert_allclose(rms_s, rms * scale, rtol=1e-12)
    np.testing.assert_allclose(se_s, se, rtol=1e-12)


@pytest.mark.parametrize("call", [
    lambda X: r.random_features_kernel(X, "relu"),
    lambda X: r.random_features_kernel_linear_equivalent(X, "relu"),
    lambda X: r.random_features_coefficients(X, "relu"),
    lambda X: r.conjugate_kernel(X, ["relu", "erf"]),
    lambda X: r.neural_tangent_kernel(X, ["relu", "erf"]),
])
def test_kernels_of_data_whose_gram_matrix_overflows_are_refused(call):
    X = np.random.default_rng(0).standard_normal((6, 5))
    X /= np.linalg.norm(X, axis=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        with pytest.raises(ValueError, match="^X: its squared column norms overflow"):  # nan or inf before
            call(X * 1e160)
    out = call(X * 1e50)
    parts = dataclasses.astuple(out) if dataclasses.is_dataclass(out) else np.atleast_1d(out)
    assert np.all(np.isfinite(np.concatenate([np.ravel(np.asarray(a, dtype=float)) for a in parts])))
    with pytest.raises(ValueError, match="^X_test: its squared"):
        r.random_features_ridge_errors(X, np.ones(5), "relu", 4, 0.1, X_test=X * 1e160, y_test=np.ones(5))


def test_file_arguments_are_refused_by_name(tmp_path):
    with pytest.raises(TypeError, match="^path must be a str or an os.PathLike"):  # a bare TypeError of Path() before
        r.read_idx(None)
    with pytest.raises(ValueError, match="^path must not be empty"):
        r.load_mnist("")
    with pytest.raises(ValueError, match="is a directory"):  # IsADirectoryError before
        r.write_idx(tmp_path, np.zeros(3, dtype=np.uint8))
    path = r.write_idx(tmp_path / "labels.idx", np.zeros(3, dtype=np.uint8))
    with pytest.raises(ValueError, match="expected_magic is 2051, the file holds 2049"):
        r.read_idx(path, expected_magic=r.IDX_IMAGE_MAGIC)
