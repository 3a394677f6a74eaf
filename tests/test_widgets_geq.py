"""The chapter-8b explorer: draws headlessly, validates its controls, and shows the theory."""

import numpy as np
import pytest

from rmtbook import random_features_asymptotic_errors
from rmtbook.plotting import new_figure
from rmtbook.widgets import draw_gaussian_equivalence, gaussian_equivalence_explorer


def test_explorer_draws_the_theory_and_updates():
    explorer = gaussian_equivalence_explorer(activation="relu", ratio=0.5)
    line = explorer.figure.axes[0].lines[0]
    x, y = line.get_data()
    expected = random_features_asymptotic_errors("relu", 0.5, x, 1e-4, 0.5, 1.0).test
    assert np.allclose(y, expected)
    explorer.update(ratio=2.0, activation="linear")
    assert explorer.values == {"activation": "linear", "ratio": 2.0, "log10_ridge": -4.0, "noise_var": 0.5}
    assert explorer.png()[:4] == b"\x89PNG"


def test_bad_control_values_are_refused_by_name():
    fig, _ = new_figure(1, 1)
    with pytest.raises(ValueError, match="ratio"):
        draw_gaussian_equivalence(fig, ratio=10.0)
    with pytest.raises(ValueError, match="activation"):
        draw_gaussian_equivalence(fig, activation="nope")
