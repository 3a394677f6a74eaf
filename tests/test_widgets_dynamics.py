"""Headless tests of the chapter-5b explorer (rmtbook.widgets.dynamics)."""

from __future__ import annotations

import numpy as np
import pytest

import rmtbook
from rmtbook.widgets import Explorer, gradient_flow_explorer
from rmtbook.widgets.dynamics import _TIMES, draw_gradient_flow_risk


def _lines(ex):
    return {line.get_label(): line for line in ex.figure.axes[0].get_lines()}


def test_default_view_draws_the_gradient_flow_risks():
    ex = gradient_flow_explorer()
    assert isinstance(ex, Explorer)
    lines = _lines(ex)
    x, y = lines["gradient flow $R_{out}(t)$"].get_data()
    np.testing.assert_allclose(x, _TIMES)
    expected = rmtbook.gradient_flow_risk(0.8, _TIMES, 0.25, 1.0).out_of_sample
    np.testing.assert_allclose(y, expected, rtol=1e-12)
    r_in = lines["gradient flow $R_{in}(t)$"].get_ydata()
    assert np.all(r_in <= y + 1e-12)
    assert ex.png()[:8] == b"\x89PNG\r\n\x1a\n"


def test_ridge_calibration_curve_and_update():
    ex = gradient_flow_explorer(ratio=2.0)
    ridge = _lines(ex)[r"ridge $R_{out}$ at $\gamma = 1/t$"].get_ydata()
    gf = _lines(ex)["gradient flow $R_{out}(t)$"].get_ydata()
    assert np.max(np.abs(ridge - gf)) > 1e-3  # close, not equal
    ex.update(noise_var=0.0)
    assert ex.values["noise_var"] == 0.0


def test_bad_values_are_refused():
    from rmtbook.plotting import new_figure

    fig, _ = new_figure()
    with pytest.raises(ValueError, match="ratio"):
        draw_gradient_flow_risk(fig, ratio=1.0)
    with pytest.raises(ValueError, match="anisotropy"):
        gradient_flow_explorer(anisotropy=0.5)
