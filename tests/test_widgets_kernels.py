"""Headless tests of the chapter 7 explorer (rmtbook.widgets.kernels)."""

from __future__ import annotations


import numpy as np
import pytest

from rmtbook.widgets import Explorer
from rmtbook.widgets.kernels import draw_kernel_spectrum, kernel_spectrum_explorer


def _bars(ex):
    return np.array([p.get_height() for p in ex.figure.axes[0].patches if p.get_label() != "linear equivalent"])


def _theory(ex):
    return [ln for ln in ex.figure.axes[0].get_lines() if ln.get_label() == "shifted MP law"]


def test_default_view_and_png():
    ex = kernel_spectrum_explorer()
    assert isinstance(ex, Explorer)
    assert len(_theory(ex)) == 1
    assert "relu" in ex.figure.axes[0].get_title()
    assert len(ex.png()) > 1000


def test_ratio_changes_the_spectrum_and_theory_matches_histogram():
    ex = kernel_spectrum_explorer(ratio=1.0)
    x1, y1 = _theory(ex)[0].get_data()
    ex.update(ratio=3.0)
    x3, y3 = _theory(ex)[0].get_data()
    assert not np.allclose(y1, np.interp(x1, x3, y3))
    # at p = 3n the MP law of ratio 1/3 is narrow: support width 4 a1^2 sqrt(1/3) = 0.577
    support = x3[y3 > 0]
    assert support.max() - support.min() == pytest.approx(4 * 0.25 * np.sqrt(1 / 3), rel=0.05)
    assert "3.00" in ex.figure.axes[0].get_title()


def test_activation_without_linear_part():
    ex = kernel_spectrum_explorer(activation="abs")
    assert _theory(ex) == []  # a_1 = 0: no MP bulk, a vertical line instead
    assert any("a_1 = 0" in ln.get_label() for ln in ex.figure.axes[0].get_lines())
    ex.update(activation="erf")
    assert len(_theory(ex)) == 1


def test_redraw_and_inputs_checked():
    # redraw speed is measured by benchmarks/bench_widgets.py, never asserted in tests
    ex = kernel_spectrum_explorer()
    ex.update(activation="cos")
    assert ex.values["activation"] == "cos"
    with pytest.raises(ValueError, match="activation"):
        kernel_spectrum_explorer(activation="tanh")
    with pytest.raises(ValueError, match="ratio"):
        kernel_spectrum_explorer(ratio=10.0)
    import matplotlib.pyplot as plt
    fig, _ = plt.subplots()
    with pytest.raises(ValueError, match="n"):
        draw_kernel_spectrum(fig, n=5)
    plt.close(fig)
