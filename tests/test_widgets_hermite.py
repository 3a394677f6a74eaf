"""Headless tests of the chapter 6 explorer (rmtbook.widgets.hermite)."""

from __future__ import annotations


import numpy as np
import pytest

from rmtbook.hermite import hermite_coefficients, second_moment
from rmtbook.widgets import Explorer
from rmtbook.widgets.hermite import draw_hermite_expansion, hermite_explorer


def _lines(ex):
    ax = ex.figure.axes[0]
    return {line.get_label(): line for line in ax.get_lines()}


def _bar_heights(ex):
    return np.array([p.get_height() for p in ex.figure.axes[1].patches])


def test_default_view():
    ex = hermite_explorer()
    assert isinstance(ex, Explorer)
    assert len(ex.figure.axes) == 2
    np.testing.assert_allclose(_bar_heights(ex), hermite_coefficients("relu", 4) ** 2)
    lines = _lines(ex)
    x, y = lines["$\\phi$ = relu"].get_data()
    np.testing.assert_allclose(y, np.maximum(x, 0))
    assert len(ex.png()) > 1000


def test_degree_changes_series_and_bars():
    ex = hermite_explorer(activation="tanh", degree=1)
    x, y1 = _lines(ex)["Hermite series, degree 1"].get_data()
    err1 = np.max(np.abs(y1 - np.tanh(x)))
    ex.update(degree=15)
    assert len(_bar_heights(ex)) == 16
    np.testing.assert_allclose(_bar_heights(ex), hermite_coefficients("tanh", 15) ** 2)
    _, y15 = _lines(ex)["Hermite series, degree 15"].get_data()
    err15 = np.max(np.abs(y15 - np.tanh(x)))
    assert err15 < err1 / 5  # the series converges to tanh
    # the nu reference line sits at E[tanh^2]
    hline = [ln for ln in ex.figure.axes[1].get_lines() if "nu" in ln.get_label()][0]
    assert hline.get_ydata()[0] == pytest.approx(second_moment("tanh"))


def test_activation_change():
    ex = hermite_explorer()
    ex.update(activation="square", degree=2)
    x, y = _lines(ex)["Hermite series, degree 2"].get_data()
    np.testing.assert_allclose(y, x**2, atol=1e-12)  # exact at degree 2
    assert "0.00e+00" in ex.figure.axes[0].get_title()


def test_redraw_is_deterministic():
    # redraw speed is measured by benchmarks/bench_widgets.py, never asserted in tests
    ex = hermite_explorer()
    ex.update(activation="gelu", degree=30)
    first = _bar_heights(ex)
    ex.update(degree=29)
    ex.update(degree=30)
    np.testing.assert_array_equal(_bar_heights(ex), first)


def test_bad_inputs():
    with pytest.raises(ValueError, match="activation"):
        hermite_explorer(activation="swish")
    with pytest.raises(ValueError, match="degree"):
        hermite_explorer(degree=31)
    ex = hermite_explorer()
    with pytest.raises(ValueError, match="unknown control"):
        ex.update(slope=1.0)
    import matplotlib.pyplot as plt

    fig, _ = plt.subplots(1, 2)
    with pytest.raises(TypeError, match="degree"):
        draw_hermite_expansion(fig, degree=2.5)
    plt.close(fig)
