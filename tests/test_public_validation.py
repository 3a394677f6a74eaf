"""Every public function refuses NaN and wrongly typed numbers with a message naming the argument.

Generic over ``rmtbook.__all__``: each function is first called with valid canonical arguments
(it must succeed), then each of its numeric arguments is replaced in turn by NaN and by a
string; the call must raise ValueError or TypeError whose message names that argument.
"""

import inspect
import warnings

import numpy as np
import pytest

import rmtbook

_rng = np.random.default_rng(0)
_X = _rng.standard_normal((6, 5))
_X /= np.linalg.norm(_X, axis=0)

CANONICAL = {
    "ratio": 0.5, "ridge": 0.1, "var": 1.0, "noise_var": 0.5, "signal_norm2": 1.0,
    "population_eigs": [1.0, 2.0], "eigenvalues": [1.0, 2.0, 3.0], "bulk": 1.0,
    "X": _X, "y": np.linspace(-1, 1, 5), "activation": "relu", "activations": ["relu", "erf"],
    "width": 8, "widths": [8, 8], "n_features": 16, "p": 6, "n": 12, "size": 10, "num_samples": 100,
    "z": -1.0, "x": [0.5, 1.0], "rho": 0.3, "q1": 1.0, "q2": 1.0, "k": 0.2, "degree": 3,
    "ell": 2.0, "theta": 3.0, "thetas": [3.0], "spikes": [2.0], "distribution": "gaussian",
    "sizes": [100, 200, 400], "errors": [0.1, 0.07, 0.05], "coefficients": [1.0, 0.5],
}
# functions whose argument names mean something else than the canonical ones
OVERRIDES = {"hermite_polynomial": {"k": 3}, "top_eigenpairs": {"x": _X}}
NUMERIC = {"ratio", "ridge", "var", "noise_var", "signal_norm2", "population_eigs", "eigenvalues",
           "bulk", "X", "y", "width", "widths", "n_features", "p", "n", "size", "num_samples", "z", "x",
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
