"""Headless tests of the chapter 3 explorer (rmtbook.widgets.marchenko_pastur)."""

from __future__ import annotations

import numpy as np
import pytest

from rmtbook import marchenko_pastur, sample_covariance_law
from rmtbook.widgets import Explorer
from rmtbook.widgets.marchenko_pastur import (
    draw_marchenko_pastur,
    marchenko_pastur_explorer,
    population_eigenvalues,
)


def _theory(ax):
    return [ln for ln in ax.get_lines() if ln.get_label() == "limiting density"][0]


def _bars(ax):
    return np.array([b.get_height() for b in ax.patches])


def _has_atom(ax):
    return any(str(cont.get_label()).startswith("atom at 0") for cont in ax.containers)


def test_default_view_two_separated_bulks():
    ex = marchenko_pastur_explorer()
    assert isinstance(ex, Explorer) and len(ex.figure.axes) == 1
    ax = ex.figure.axes[0]
    assert "2 support intervals" in ax.get_title()
    x, y = _theory(ax).get_data()
    t = population_eigenvalues("two atoms", 400, 4.0)
    np.testing.assert_allclose(y, sample_covariance_law(t, 400 / 2000).pdf(x))
    # the histogram carries the whole mass (no atom at c = 0.2)
    widths = np.array([b.get_width() for b in ax.patches])
    assert np.sum(_bars(ax) * widths) == pytest.approx(1.0, abs=1e-12)
    assert not _has_atom(ax)


def test_updates_change_the_figure():
    ex = marchenko_pastur_explorer()
    ax = ex.figure.axes[0]
    before = _bars(ax)
    ex.update(ratio=2.0)
    ax = ex.figure.axes[0]
    assert _has_atom(ax)
    # nonzero eigenvalues carry mass 1/c; the histogram has that total area
    widths = np.array([b.get_width() for b in ax.patches])
    assert np.sum(_bars(ax) * widths) == pytest.approx(0.5, abs=1e-12)
    assert not np.array_equal(before[: len(_bars(ax))], _bars(ax))
    ex.update(population="identity")
    x, y = _theory(ex.figure.axes[0]).get_data()
    np.testing.assert_allclose(y, marchenko_pastur(2.0).pdf(x))
    assert "C = I" in ex.figure.axes[0].get_title()
    ex.update(population="two atoms", ratio=0.05, separation=10.0)
    assert "1 and 10" in ex.figure.axes[0].get_title()
    assert "2 support intervals" in ex.figure.axes[0].get_title()


def test_redraw_is_deterministic():
    ex = marchenko_pastur_explorer()
    first = _bars(ex.figure.axes[0])
    ex.update(ratio=0.5)
    assert not np.array_equal(first[:10], _bars(ex.figure.axes[0])[:10])
    ex.update(ratio=0.2)
    np.testing.assert_array_equal(first, _bars(ex.figure.axes[0]))


def test_population_and_argument_errors():
    assert population_eigenvalues("identity", 10).tolist() == [1.0] * 10
    t = population_eigenvalues("two atoms", 10, 3.0)
    assert sorted(set(t.tolist())) == [1.0, 3.0] and np.sum(t == 3.0) == 5
    with pytest.raises(ValueError, match="population"):
        population_eigenvalues("three atoms", 10)
    with pytest.raises(ValueError, match="separation"):
        population_eigenvalues("two atoms", 10, 0.5)
    from rmtbook.plotting import new_figure

    fig, _ = new_figure()
    with pytest.raises(ValueError, match="ratio"):
        draw_marchenko_pastur(fig, ratio=0.0)
    with pytest.raises(ValueError, match="p"):
        draw_marchenko_pastur(fig, p=5)
