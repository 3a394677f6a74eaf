"""The figure style and the Explorer machinery, driven headlessly."""

import ipywidgets as ipw
import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

from rmtbook import plotting
from rmtbook.widgets import Explorer, sample_covariance_explorer


def test_figure_helpers_draw_what_they_are_given():
    fig, ax = plotting.new_figure()
    line = plotting.plot_theory(ax, [0, 1, 2], [1, 2, 3])
    np.testing.assert_allclose(line.get_ydata(), [1, 2, 3])
    assert line.get_color() == plotting.COLORS["theory"]
    bars = plotting.plot_histogram(ax, np.linspace(0, 1, 1000), bins=10, range=(0, 1))
    heights = np.array([b.get_height() for b in bars])
    widths = np.array([b.get_width() for b in bars])
    assert abs((heights * widths).sum() - 1) < 1e-12  # a density
    bars = plotting.plot_histogram(ax, np.linspace(0, 1, 1000), bins=10, range=(0, 1), weight=0.5)
    assert abs(sum(b.get_height() * b.get_width() for b in bars) - 0.5) < 1e-12
    plotting.plot_simulation(ax, [0, 1], [1, 2], [0.1, 0.1])
    plotting.plot_atom(ax, 0.0, 0.3, label="atom")
    plotting.finish_axes(ax, xlabel="x", ylabel="y", title="t", logy=True)
    assert ax.get_xlabel() == "x" and ax.get_yscale() == "log"
    assert ax.get_legend() is not None
    assert fig._repr_png_()[:8] == b"\x89PNG\r\n\x1a\n"  # notebooks display it as one PNG
    fig2, axes = plotting.new_figure(2, 3)
    assert axes.shape == (2, 3)
    with pytest.raises(ValueError, match="nrows"):
        plotting.new_figure(0, 1)
    with pytest.raises(ValueError, match="samples"):
        plotting.plot_histogram(ax, [np.nan])


def _line_explorer():
    def draw(fig, *, slope, intercept):
        ax = fig.axes[0]
        x = np.linspace(0, 1, 5)
        ax.plot(x, slope * x + intercept)

    controls = {
        "slope": ipw.FloatSlider(value=1.0, min=-2, max=2),
        "intercept": ipw.FloatSlider(value=0.0, min=-1, max=1),
    }
    return Explorer(draw, controls, title="lines")


def test_explorer_redraws_on_update():
    ex = _line_explorer()
    np.testing.assert_allclose(ex.figure.axes[0].lines[0].get_ydata()[-1], 1.0)
    ex.update(slope=2.0)
    assert ex.values["slope"] == 2.0
    lines = ex.figure.axes[0].lines
    assert len(lines) == 1  # cleared, not stacked
    np.testing.assert_allclose(lines[0].get_ydata()[-1], 2.0)
    ex.controls["intercept"].value = 0.5  # as a reader moving a slider
    np.testing.assert_allclose(ex.figure.axes[0].lines[0].get_ydata()[0], 0.5)
    with pytest.raises(ValueError, match="unknown control"):
        ex.update(nope=1)
    with pytest.raises(TypeError, match="draw"):
        Explorer(3, {})


def test_explorer_bundle_carries_static_png():
    ex = _line_explorer()
    bundle = ex._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    import base64

    assert base64.b64decode(bundle["image/png"])[:8] == b"\x89PNG\r\n\x1a\n"
    assert bundle["image/png"] in bundle["text/html"] and "Jupyter" in bundle["text/html"]
    assert isinstance(ex.widget(), ipw.VBox)


def test_sample_covariance_explorer_follows_ratio():
    ex = sample_covariance_explorer(ratio=0.25, n=400)
    ax = ex.figure.axes[0]
    edges = sorted(l.get_xdata()[0] for l in ax.lines if l.get_linestyle() == ":" and len(l.get_xdata()))
    np.testing.assert_allclose(edges, [(1 - 0.5) ** 2, (1 + 0.5) ** 2])
    ex.update(ratio=1.0)
    ax = ex.figure.axes[0]
    edges = sorted(l.get_xdata()[0] for l in ax.lines if l.get_linestyle() == ":" and len(l.get_xdata()))
    np.testing.assert_allclose(edges, [0.0, 4.0])
    bars = ax.patches
    mass = sum(b.get_height() * b.get_width() for b in bars)
    assert abs(mass - 1.0) < 0.02  # at c = 1 nearly all eigenvalues are nonzero
