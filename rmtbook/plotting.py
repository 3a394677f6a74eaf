"""One figure style for the whole book.

Theory is drawn as solid lines, simulation as light histograms or as markers with error bars,
always in the same colours, with labelled axes. Every chapter draws its figures through these
helpers so that a reader learns the visual grammar once.

Used by every chapter. This module sits in the bottom layer: it imports only
:mod:`rmtbook._validation`.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import matplotlib as mpl
import matplotlib.pyplot as plt  # noqa: F401 - activates the notebook's inline backend
from matplotlib import ticker
from matplotlib.figure import Figure
import numpy as np

from ._validation import check_array, check_int

__all__ = [
    "BookFigure",
    "COLORS",
    "SEQUENCE",
    "book_style",
    "new_figure",
    "plot_theory",
    "plot_histogram",
    "plot_simulation",
    "plot_atom",
    "finish_axes",
    "tidy_log_axis",
]

#: Semantic colours: theory, simulation, a secondary quantity and a highlight.
COLORS: dict[str, str] = {
    "theory": "#1f3b73",      # dark blue: deterministic predictions
    "simulation": "#e8a33d",  # amber: empirical quantities
    "secondary": "#2a9d8f",   # teal: a second prediction or curve family
    "highlight": "#c0392b",   # red: thresholds, edges, spikes
    "muted": "#7f8c8d",       # grey: reference lines
}

#: Colour cycle for families of curves (depths, ridges, ratios, ...).
SEQUENCE: tuple[str, ...] = ("#1f3b73", "#2a9d8f", "#e8a33d", "#c0392b", "#8e44ad", "#7f8c8d")

_RC: dict[str, Any] = {
    "figure.figsize": (6.4, 3.8),
    "figure.dpi": 100,
    "savefig.dpi": 120,
    "axes.grid": True,
    "grid.alpha": 0.25,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "legend.fontsize": 9,
    "legend.frameon": False,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "lines.linewidth": 2.0,
    "axes.prop_cycle": mpl.cycler(color=list(SEQUENCE)),
}


def _plain_number(value: float, _pos: Any = None) -> str:
    """A log-axis tick label in plain numbers (``200``, ``0.05``, ``2e-05``)."""
    return f"{value:g}"


def tidy_log_axis(axis: Any) -> None:
    """Give a log-scaled axis readable, non-overlapping tick labels.

    Matplotlib labels the minor ticks of a log axis that spans few decades (``2x10^2``,
    ``3x10^2``, ... side by side), and they overlap. This keeps labels on major ticks only:
    at ``1, 2, 5 x 10^k`` in plain numbers when the view spans fewer than 2.2 decades (at
    evenly spaced round numbers below half a decade), at powers of ten in scientific
    notation (at most seven) otherwise. Axes that are not logarithmic, or whose major formatter a chapter set
    itself, are left alone. :class:`BookFigure` calls it for every axis when it is drawn, so
    no chapter has to.

    Parameters
    ----------
    axis : matplotlib.axis.Axis
        ``ax.xaxis`` or ``ax.yaxis``.

    Examples
    --------
    >>> fig, ax = new_figure()
    >>> _ = ax.loglog([64, 1024], [0.1, 0.02])
    >>> tidy_log_axis(ax.xaxis)
    >>> lo, hi = ax.get_xlim()
    >>> label = ax.xaxis.get_major_formatter()
    >>> [label(t) for t in ax.xaxis.get_majorticklocs() if lo <= t <= hi]
    ['100', '200', '500', '1000']
    """
    if axis.get_scale() != "log" or not isinstance(axis.get_major_formatter(), ticker.LogFormatter):
        return
    lo, hi = sorted(abs(v) for v in axis.get_view_interval())
    if not (lo > 0 and np.isfinite(hi)):
        return
    decades = float(np.log10(hi / lo))
    if decades < 0.5:
        axis.set_major_locator(ticker.MaxNLocator(nbins=4, steps=[1, 2, 2.5, 5, 10]))
        axis.set_major_formatter(ticker.FuncFormatter(_plain_number))
    elif decades < 2.2:
        axis.set_major_locator(ticker.LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
        axis.set_major_formatter(ticker.FuncFormatter(_plain_number))
    else:
        axis.set_major_locator(ticker.LogLocator(base=10, numticks=7))
        axis.set_major_formatter(ticker.LogFormatterSciNotation())
    axis.set_minor_formatter(ticker.NullFormatter())


class BookFigure(Figure):
    """A matplotlib figure that a notebook displays exactly once, as a PNG.

    Book figures are not registered with pyplot (so no backend shows them a second time and
    they are freed with their last reference); IPython displays them through ``_repr_png_``
    when a cell returns them. Before drawing, every log-scaled axis gets readable tick labels
    (:func:`tidy_log_axis`), whatever the chapter did to set the scale.
    """

    def draw(self, renderer: Any) -> None:
        for ax in self.axes:
            for axis in (ax.xaxis, ax.yaxis):
                tidy_log_axis(axis)
        super().draw(renderer)

    def _repr_png_(self) -> bytes:
        buffer = io.BytesIO()
        self.savefig(buffer, format="png", dpi=110)
        return buffer.getvalue()


@contextmanager
def book_style() -> Iterator[None]:
    """Context manager applying the book's matplotlib style (restores the previous one)."""
    with mpl.rc_context(_RC):
        yield


def new_figure(
    nrows: int = 1, ncols: int = 1, *, width: float | None = None, height: float | None = None
) -> tuple[BookFigure, Any]:
    """Create a figure in the book's style.

    Parameters
    ----------
    nrows, ncols
        Grid of axes (as :func:`matplotlib.pyplot.subplots`).
    width, height
        Figure size in inches; defaults scale with the grid.

    Returns
    -------
    fig, axes
        ``axes`` is a single Axes for a 1x1 grid, else an array of Axes.
    """
    nrows = check_int("nrows", nrows, low=1, high=10)
    ncols = check_int("ncols", ncols, low=1, high=10)
    w = width if width is not None else min(4.2 * ncols + 1.0, 13.0)
    h = height if height is not None else 3.4 * nrows + 0.4
    with book_style():
        # A bare Figure, not registered with pyplot: a notebook shows it once, when the cell
        # returns it, and it is freed with its last reference (no pyplot bookkeeping).
        fig = BookFigure(figsize=(w, h), layout="constrained")
        axes = fig.subplots(nrows, ncols)
    return fig, axes


def plot_theory(ax: Any, x: Any, y: Any, *, label: str = "theory", color: str | None = None, **kwargs: Any) -> Any:
    """Draw a theoretical prediction as a solid line; returns the Line2D."""
    x = np.asarray(x)
    y = np.asarray(y)
    (line,) = ax.plot(x, y, color=color or COLORS["theory"], label=label, zorder=3, **kwargs)
    return line


def plot_histogram(
    ax: Any,
    samples: Any,
    *,
    bins: int | Sequence[float] = 60,
    label: str = "simulation",
    color: str | None = None,
    range: tuple[float, float] | None = None,
    weight: float = 1.0,
    **kwargs: Any,
) -> Any:
    """Draw a density-normalized histogram of empirical values (eigenvalues, say).

    Parameters
    ----------
    samples
        Values to histogram (flattened).
    bins, range
        As :func:`numpy.histogram`.
    weight
        Total mass given to the histogram (use ``1 - atom`` when an atom at zero is removed
        from ``samples`` so that the bars match the density of the continuous part).

    Returns
    -------
    The patches returned by :meth:`matplotlib.axes.Axes.hist`.
    """
    s = check_array("samples", samples).ravel()
    w = np.full(s.size, weight / s.size)
    counts, edges = np.histogram(s, bins=bins, range=range, weights=w)
    widths = np.diff(edges)
    heights = counts / widths
    return ax.bar(
        edges[:-1], heights, width=widths, align="edge", color=color or COLORS["simulation"],
        alpha=0.55, edgecolor="white", linewidth=0.3, label=label, zorder=2, **kwargs,
    )


def plot_simulation(
    ax: Any, x: Any, mean: Any, err: Any | None = None, *, label: str = "simulation",
    color: str | None = None, marker: str = "o", **kwargs: Any,
) -> Any:
    """Draw simulated values as markers, with error bars when ``err`` is given."""
    color = color or COLORS["simulation"]
    return ax.errorbar(
        np.asarray(x), np.asarray(mean), yerr=None if err is None else np.asarray(err),
        fmt=marker, ms=4.5, color=color, mec="black", mew=0.4, ecolor=color, elinewidth=1.2,
        capsize=2.5, label=label, zorder=4, linestyle="none", **kwargs,
    )


def plot_atom(ax: Any, location: float, mass: float, *, label: str | None = None, color: str | None = None) -> Any:
    """Mark a point mass (an atom of a spectral law) as a vertical stem with its mass."""
    color = color or COLORS["highlight"]
    container = ax.stem([location], [mass], linefmt="-", markerfmt="D", basefmt=" ", label=label)
    for artist in (container.markerline, container.stemlines):
        artist.set_color(color)
    return container


def finish_axes(
    ax: Any, *, xlabel: str | None = None, ylabel: str | None = None, title: str | None = None,
    legend: bool = True, logx: bool = False, logy: bool = False,
) -> Any:
    """Label the axes, set log scales and add a legend when there are labelled artists."""
    if xlabel is not None:
        ax.set_xlabel(xlabel)
    if ylabel is not None:
        ax.set_ylabel(ylabel)
    if title is not None:
        ax.set_title(title)
    if logx:
        ax.set_xscale("log")
    if logy:
        ax.set_yscale("log")
    if legend:
        handles, labels = ax.get_legend_handles_labels()
        if any(lab and not lab.startswith("_") for lab in labels):
            ax.legend()
    return ax
