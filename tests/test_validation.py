"""The shared argument checks: right kinds pass, wrong kinds and ranges fail with clear messages."""

import numpy as np
import pytest

from rmtbook import _validation as v
from rmtbook._rng import as_generator


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
