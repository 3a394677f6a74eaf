"""Headless tests of the random features explorer (chapter 8)."""

from __future__ import annotations

import numpy as np
import pytest

from rmtbook.widgets import random_features_explorer
from rmtbook.widgets.random_features import draw_random_features


def _lines(ex):
    ax = ex.figure.axes[0]
    return {line.get_label(): line for line in ax.get_lines()}


def test_default_view_shows_double_descent():
    ex = random_features_explorer()
    lines = _lines(ex)
    x, test = lines["test MSE (theory)"].get_data()
    _, train = lines["train MSE (theory)"].get_data()
    assert np.all(np.isfinite(test)) and np.all(train <= test + 1e-12)
    peak = x[np.argmax(test)]
    assert 0.8 <= peak <= 1.25  # the peak sits at the interpolation threshold N = n
    assert np.all(np.diff(train) < 0)  # more features, smaller training error
    assert ex.png()[:8] == b"\x89PNG\r\n\x1a\n"


def test_callbacks_change_the_curves():
    ex = random_features_explorer()
    test_default = _lines(ex)["test MSE (theory)"].get_ydata().copy()
    ex.update(log10_ridge=1.0)  # heavy ridge: the peak disappears
    test_ridge = _lines(ex)["test MSE (theory)"].get_ydata()
    assert test_ridge.max() < test_default.max()
    x = _lines(ex)["test MSE (theory)"].get_xdata()
    assert x[np.argmax(test_ridge)] < 0.5 or np.all(np.diff(test_ridge) <= 1e-12)
    ex.update(activation="abs", log10_ridge=-3.0)  # even activation: blind to the class means
    test_abs = _lines(ex)["test MSE (theory)"].get_ydata()
    assert np.min(test_abs) > np.min(test_default) + 0.2
    assert "abs" in ex.figure.axes[0].get_title()


def test_bad_values():
    ex = random_features_explorer()
    with pytest.raises(ValueError, match="unknown control"):
        ex.update(width=3)
    with pytest.raises(ValueError, match="activation"):
        draw_random_features(ex.figure, activation="tanh")
    with pytest.raises(ValueError, match="log10_ridge"):
        draw_random_features(ex.figure, log10_ridge=5.0)
