"""Headless tests of the proportional-width explorer (chapter 9b)."""

from __future__ import annotations

import numpy as np
import pytest

from rmtbook.widgets import proportional_width_explorer
from rmtbook.widgets.proportional import draw_proportional_width


def _lines(ex):
    return {line.get_label(): line for line in ex.figure.axes[0].get_lines()}


def _variance(line):
    x, y = line.get_data()
    w = y / np.trapezoid(y, x)
    mean = np.trapezoid(x * w, x)
    return np.trapezoid((x - mean) ** 2 * w, x)


def test_default_view_is_wider_than_infinite_width():
    ex = proportional_width_explorer()
    lines = _lines(ex)
    finite = lines["width n/d = 0.5: $\\mu_L$"]
    infinite = lines["infinite width"]
    assert np.all(np.isfinite(finite.get_ydata()))
    # var_L = b^2 var_{L-1} + 1/2 > b^{2L}: the finite-width density is much wider
    assert _variance(finite) > 2.0 * _variance(infinite)
    assert ex.png()[:8] == b"\x89PNG\r\n\x1a\n"


def test_callbacks_change_the_curves():
    ex = proportional_width_explorer(depth=2, log2_width_ratio=0.0)
    wide = _variance(_lines(ex)["width n/d = 1: $\\mu_L$"])
    ex.update(log2_width_ratio=-4.0)  # d = 16 n: close to infinite width
    lines = _lines(ex)
    narrow = _variance(lines["width n/d = 0.0625: $\\mu_L$"])
    assert narrow < 0.5 * wide
    assert "depth 2" in ex.figure.axes[0].get_title()


def test_bad_values():
    ex = proportional_width_explorer(depth=1)
    with pytest.raises(ValueError, match="unknown control"):
        ex.update(width=3)
    with pytest.raises(ValueError, match="activation"):
        draw_proportional_width(ex.figure, activation="sin")
    with pytest.raises(ValueError, match="depth"):
        draw_proportional_width(ex.figure, depth=9)
    with pytest.raises(ValueError, match="log2_width_ratio"):
        draw_proportional_width(ex.figure, log2_width_ratio=5.0)
