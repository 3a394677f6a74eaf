"""The Examples sections of the public docstrings run, and print what they say (issue 14).

Covers the modules that follow the API conventions (see ``tests/test_api_contract.py``). Equivalent
to ``pytest --doctest-modules`` on these modules, so that CI runs them without a config change.
"""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "rmtbook.ensembles", "rmtbook.datasets", "rmtbook.spectra", "rmtbook.shallow",
    "rmtbook.networks", "rmtbook.diagnostics", "rmtbook.spiked", "rmtbook.linear",
    "rmtbook.exercises",
] + [f"rmtbook.widgets.{m}" for m in ("concentration", "stieltjes", "marchenko_pastur", "spiked", "ridge",
                                      "hermite", "kernels", "random_features", "deep", "finite")]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name):
    module = importlib.import_module(name)
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    tests = [t for t in finder.find(module, name) if t.examples]
    assert tests, f"{name} has no examples"
    for test in tests:
        runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, f"{result.failed} failing example(s) in {name} (run pytest --doctest-modules)"
