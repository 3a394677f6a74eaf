"""Headless tests of the chapter 4 explorer (rmtbook.widgets.spiked)."""

from __future__ import annotations


import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

from rmtbook.spiked import spike_alignment, spike_eigenvalue  # noqa: E402
from rmtbook.widgets import Explorer, spiked_explorer  # noqa: E402
from rmtbook.widgets.spiked import draw_spiked  # noqa: E402


def _vlines(ax):
    """x positions of the vertical lines (axvline) of an axes, by label."""
    return {ln.get_label(): ln.get_xdata()[0] for ln in ax.get_lines() if len(ln.get_xdata()) == 2
            and ln.get_xdata()[0] == ln.get_xdata()[1]}


def _marker(ax2):
    """(ell, alignment) of the simulation marker on the right axes."""
    for coll in ax2.containers:
        line = coll.lines[0]
        return float(line.get_xdata()[0]), float(line.get_ydata()[0])
    raise AssertionError("no simulation marker")


def test_default_view():
    ex = spiked_explorer()
    assert isinstance(ex, Explorer)
    assert len(ex.figure.axes) == 2
    ax, ax2 = ex.figure.axes
    lines = _vlines(ax)
    predicted = [x for lab, x in lines.items() if lab.startswith("predicted")]
    assert predicted == [pytest.approx(spike_eigenvalue(2.0, 0.5))]
    assert len(ax.patches) == 50  # histogram bars
    ell, align = _marker(ax2)
    assert ell == 2.0
    # one draw at p = 300, n = 600: the alignment is within O(n^{-1/2}) of the theory
    assert abs(align - spike_alignment(2.0, 0.5)) < 4 / np.sqrt(600)
    assert len(ex.png()) > 1000


def test_update_moves_prediction_and_marker():
    ex = spiked_explorer()
    ex.update(ell=0.3)  # below sqrt(0.5): the prediction is the MP edge
    ax, ax2 = ex.figure.axes
    predicted = [x for lab, x in _vlines(ax).items() if lab.startswith("predicted")]
    assert predicted == [pytest.approx((1 + np.sqrt(0.5)) ** 2)]
    assert any("edge" in lab for lab in _vlines(ax))
    ell, align = _marker(ax2)
    assert ell == 0.3 and align < 0.1
    ex.update(ratio=1.0, ell=4.0)
    ax, ax2 = ex.figure.axes
    predicted = [x for lab, x in _vlines(ax).items() if lab.startswith("predicted")]
    assert predicted == [pytest.approx(spike_eigenvalue(4.0, 1.0))]
    theory = ax2.get_lines()[0]
    np.testing.assert_allclose(theory.get_ydata(), spike_alignment(theory.get_xdata(), 1.0))


def test_ratio_above_one():
    # redraw speed is measured by benchmarks/bench_widgets.py, never asserted in tests
    ex = spiked_explorer()
    ex.update(ratio=2.0)  # p = 1200, n = 600: the 600 x 600 Gram matrix is diagonalized
    ax = ex.figure.axes[0]
    # histogram of the nonzero eigenvalues carries mass n/p = 1/2 (the atom at 0 is removed)
    mass = sum(b.get_height() * b.get_width() for b in ax.patches)
    assert mass == pytest.approx(0.5, abs=1e-9)


def test_draw_validates():
    ex = spiked_explorer()
    with pytest.raises(ValueError, match="ratio"):
        draw_spiked(ex.figure, ratio=0.0)
    with pytest.raises(ValueError, match="ell"):
        draw_spiked(ex.figure, ell=-1.0)
    with pytest.raises(ValueError, match="unknown control"):
        ex.update(bogus=1)
