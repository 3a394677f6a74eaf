"""The book's figure style gives log axes readable tick labels that never overlap (issue 20)."""

from __future__ import annotations

import io

import numpy as np
import pytest

from rmtbook.plotting import new_figure


def _labels(fig, axis):
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    canvas.draw()  # BookFigure.draw tidies the log axes
    renderer = canvas.get_renderer()
    major = [t for t in axis.get_majorticklabels() if t.get_visible() and t.get_text()]
    minor = [t for t in axis.get_minorticklabels() if t.get_visible() and t.get_text()]
    lo, hi = sorted(axis.get_view_interval())
    shown = [t for t in major if lo <= t.get_position()[0 if axis.axis_name == "x" else 1] <= hi]
    return shown, minor, renderer


@pytest.mark.parametrize("span", [(64, 1024), (100, 180), (1e-6, 1e2), (2.0, 40.0)])
def test_log_tick_labels_do_not_overlap(span):
    fig, ax = new_figure(width=4.5, height=3.0)
    x = np.geomspace(*span, 8)
    ax.loglog(x, 1 / np.sqrt(x), "o")  # the scale is set by the chapter, not by finish_axes
    for axis in (ax.xaxis, ax.yaxis):
        shown, minor, renderer = _labels(fig, axis)
        assert not minor, "minor ticks of a log axis carry no labels"
        assert len(shown) >= 2, f"at least two labelled ticks on {axis.axis_name} over {span}"
        boxes = sorted((t.get_window_extent(renderer) for t in shown), key=lambda b: b.x0 + b.y0)
        for a, b in zip(boxes, boxes[1:]):
            assert not a.overlaps(b), f"overlapping tick labels over {span}"
        assert all("np." not in t.get_text() for t in shown)


def test_a_formatter_set_by_the_chapter_is_kept():
    from matplotlib import ticker

    fig, ax = new_figure()
    ax.loglog([1, 10], [1, 10])
    mine = ticker.FormatStrFormatter("%.1f")
    ax.xaxis.set_major_formatter(mine)
    fig.savefig(io.BytesIO(), format="png")
    assert ax.xaxis.get_major_formatter() is mine
