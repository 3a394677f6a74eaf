"""``import rmtbook`` is light: the plotting and notebook stacks load only when asked for."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("matplotlib", "matplotlib.pyplot", "ipywidgets", "IPython", "sklearn",
         "rmtbook.plotting", "rmtbook.widgets", "rmtbook.exercises")


def _loaded_after(code: str) -> set[str]:
    """The modules of ``HEAVY`` present in ``sys.modules`` after running ``code`` in a fresh process."""
    probe = f"import sys, json\n{code}\nprint(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    env.pop("MPLBACKEND", None)
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=True,
                         timeout=120)
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def test_import_rmtbook_loads_no_plotting_widget_or_data_stack():
    assert _loaded_after("import rmtbook") == set()


@pytest.mark.parametrize(
    "code, expected",
    [
        ("import rmtbook; rmtbook.plotting.COLORS", {"rmtbook.plotting", "matplotlib", "matplotlib.pyplot"}),
        ("from rmtbook import exercises", {"rmtbook.exercises"}),
        ("from rmtbook import widgets; widgets.Explorer", {"rmtbook.widgets", "ipywidgets", "IPython"}),
    ],
    ids=["plotting", "exercises", "widgets"],
)
def test_lazy_submodules_load_on_first_use(code, expected):
    assert expected <= _loaded_after(code)


def test_lazy_submodules_are_listed_and_reachable():
    import rmtbook

    for name in ("plotting", "widgets", "exercises"):
        assert name in rmtbook.__all__ and name in dir(rmtbook)
    assert set(rmtbook.__all__) <= set(dir(rmtbook))
    assert rmtbook.plotting.__name__ == "rmtbook.plotting"
    with pytest.raises(AttributeError, match="no_such_name"):
        rmtbook.no_such_name  # noqa: B018
