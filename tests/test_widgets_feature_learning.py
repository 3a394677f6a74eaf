"""Headless tests of the chapter 10b explorer (rmtbook.widgets.feature_learning)."""

from __future__ import annotations

import matplotlib
import pytest

matplotlib.use("Agg")

from rmtbook import one_step_spike  # noqa: E402
from rmtbook.widgets import Explorer, feature_learning_explorer  # noqa: E402
from rmtbook.widgets.feature_learning import draw_feature_learning  # noqa: E402


def _vline(ax, prefix):
    for ln in ax.get_lines():
        x = ln.get_xdata()
        if ln.get_label().startswith(prefix) and len(x) == 2 and x[0] == x[1]:
            return float(x[0]), ln.get_label()
    raise AssertionError(f"no vertical line labelled {prefix!r}")


def test_default_view_shows_the_predicted_outlier():
    ex = feature_learning_explorer(n=200)
    assert isinstance(ex, Explorer)
    ax, ax2 = ex.figure.axes[:2]
    x, label = _vline(ax, "predicted")
    th = one_step_spike("tanh", "sign", 3.0, 0.5, 0.75, 0.04)
    assert x == pytest.approx(th.weight_outlier)
    assert "outlier" in label and "no outlier" not in label
    assert len(ax.patches) == 50


def test_subcritical_step_has_no_outlier():
    ex = feature_learning_explorer(n=200)
    ex.update(learning_rate=0.5)
    x, label = _vline(ex.figure.axes[0], "predicted")
    assert "no outlier" in label
    assert ex.png()[:4] == b"\x89PNG"


def test_bad_values_are_refused():
    from rmtbook.plotting import new_figure

    fig, _ = new_figure(1, 2)
    with pytest.raises(ValueError, match="learning_rate"):
        draw_feature_learning(fig, learning_rate=-1.0)
    with pytest.raises(ValueError, match="n"):
        draw_feature_learning(fig, n=10)
