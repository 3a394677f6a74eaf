"""Headless tests of the chapter 11 explorer (rmtbook.widgets.finite)."""

from __future__ import annotations

import numpy as np
import pytest

from rmtbook import marchenko_pastur
from rmtbook.plotting import new_figure
from rmtbook.widgets import Explorer
from rmtbook.widgets.finite import draw_universality, universality_explorer


def _lines(ax):
    return {line.get_label(): line for line in ax.get_lines()}


def _top(ax):
    labels = [k for k in _lines(ax) if k.startswith("largest eigenvalue")]
    assert len(labels) == 1
    return float(labels[0].split()[2])


def _ks(ax):
    return float(ax.get_title().split("KS distance")[1])


def test_default_view_student_t_escapes_the_edge():
    ex = universality_explorer()
    assert isinstance(ex, Explorer) and len(ex.figure.axes) == 1
    ax = ex.figure.axes[0]
    assert "Student-t, df = 3" in ax.get_title()
    x, y = _lines(ax)["Marchenko-Pastur"].get_data()
    np.testing.assert_allclose(y, marchenko_pastur(0.5).pdf(x))
    edge = (1 + np.sqrt(0.5)) ** 2
    assert _top(ax) > 1.5 * edge                                # heavy tails: far beyond the edge
    assert _ks(ax) < 0.06                                      # ... while the bulk follows the law
    assert ex.png()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("name", ["gaussian", "rademacher", "uniform"])
def test_light_tails_stick_to_the_edge(name):
    ex = universality_explorer()
    ex.update(distribution=name)
    ax = ex.figure.axes[0]
    edge = (1 + np.sqrt(0.5)) ** 2
    assert abs(_top(ax) - edge) < 0.2                          # edge fluctuations O(n^{-2/3})
    assert _ks(ax) < 0.02
    assert name in ax.get_title()


def test_updates_change_the_figure_and_are_deterministic():
    ex = universality_explorer()
    bars = np.array([b.get_height() for b in ex.figure.axes[0].patches])
    ex.update(df=10.0)
    assert _top(ex.figure.axes[0]) < 3.5                       # finite fourth moment: near the edge
    ex.update(ratio=0.2)
    x, y = _lines(ex.figure.axes[0])["Marchenko-Pastur"].get_data()
    np.testing.assert_allclose(y, marchenko_pastur(0.2).pdf(x))
    ex.update(df=3.0, ratio=0.5)
    np.testing.assert_array_equal(bars, [b.get_height() for b in ex.figure.axes[0].patches])


def test_histogram_mass_and_bad_values():
    fig, _ = new_figure()
    draw_universality(fig, distribution="gaussian", ratio=0.25, p=200)
    ax = fig.axes[0]
    widths = np.array([b.get_width() for b in ax.patches])
    heights = np.array([b.get_height() for b in ax.patches])
    assert np.sum(widths * heights) == pytest.approx(1.0, abs=1e-12)   # all eigenvalues on the axis
    with pytest.raises(ValueError, match="distribution"):
        draw_universality(fig, distribution="cauchy")
    with pytest.raises(ValueError, match="df"):
        draw_universality(fig, df=2.0)
    with pytest.raises(ValueError, match="ratio"):
        draw_universality(fig, ratio=2.0)
    with pytest.raises(ValueError, match="unknown control"):
        universality_explorer().update(p=100)
