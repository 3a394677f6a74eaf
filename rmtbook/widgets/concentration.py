"""Explorer for chapter 1: the sample covariance in the proportional regime.

Used by :doc:`/chapters/01_concentration`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import ipywidgets as ipw
import numpy as np

from .._validation import check_int, check_scalar
from ..plotting import COLORS, finish_axes, plot_histogram
from ._core import Explorer

if TYPE_CHECKING:  # annotations only: importing widgets must not import pyplot
    from matplotlib.figure import Figure

__all__ = ["sample_covariance_explorer", "draw_sample_covariance"]


def draw_sample_covariance(fig: Figure, *, ratio: float = 0.25, n: int = 800, seed: int = 0) -> None:
    """Histogram of the eigenvalues of ``X X^T / n`` for Gaussian ``X`` (``p = ratio * n``).

    The population covariance is the identity, so classical intuition predicts every eigenvalue
    near 1; the histogram spreads over ``[(1 - sqrt c)^2, (1 + sqrt c)^2]`` instead, and the
    spread does not shrink as ``n`` grows at fixed ``c``.

    Parameters
    ----------
    fig
        Matplotlib figure with one axes (cleared by the caller).
    ratio
        ``c = p / n`` in ``(0, 4]``.
    n
        Number of samples (``p = round(ratio * n)``, at least 1).
    seed
        Seed of the draw (same seed, same figure).

    References
    ----------
    :doc:`/chapters/01_concentration`; :cite:p:`marchenko1967distribution`.

    Examples
    --------
    >>> from rmtbook.plotting import new_figure
    >>> from rmtbook.widgets import draw_sample_covariance
    >>> fig, _ = new_figure(1, 1)
    >>> draw_sample_covariance(fig, n=400)
    >>> len(fig.axes) >= 1
    True
    """
    ratio = check_scalar("ratio", ratio, low=0.0, high=4.0, low_open=True)
    n = check_int("n", n, low=10, high=4000)
    p = max(1, int(round(ratio * n)))
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((p, n))
    eigs = np.linalg.eigvalsh(x @ x.T / n)
    ax = fig.axes[0]
    c = p / n
    lo, hi = (1 - np.sqrt(c)) ** 2, (1 + np.sqrt(c)) ** 2
    nonzero = eigs[eigs > 1e-10 * max(hi, 1.0)]
    plot_histogram(ax, nonzero, bins=40, range=(0.0, hi * 1.15), label=f"eigenvalues, p={p}, n={n}",
                   weight=nonzero.size / p)
    ax.axvline(1.0, color=COLORS["theory"], ls="--", lw=1.5, label="population eigenvalue 1")
    for edge in (lo, hi):
        ax.axvline(edge, color=COLORS["highlight"], ls=":", lw=1.5)
    ax.plot([], [], color=COLORS["highlight"], ls=":", label=r"$(1\pm\sqrt{c})^2$")
    finish_axes(ax, xlabel="eigenvalue", ylabel="density", title=f"sample covariance spectrum, c = {c:.2f}")


def sample_covariance_explorer(ratio: float = 0.25, n: int = 800) -> Explorer:
    """Interactive explorer: eigenvalues of a sample covariance as ``c = p/n`` and ``n`` vary.

    Parameters
    ----------
    ratio, n
        Initial values of the sliders.

    Returns
    -------
    Explorer
        Displays as sliders plus the figure in Jupyter, as the default figure in the HTML book.

    References
    ----------
    :doc:`/chapters/01_concentration`.

    Examples
    --------
    >>> from rmtbook.widgets import sample_covariance_explorer
    >>> explorer = sample_covariance_explorer(ratio=0.5)
    >>> explorer.update(ratio=0.1).values['ratio']
    0.1
    >>> explorer.png()[:4]  # the figure, as PNG bytes
    b'\x89PNG'
    """
    controls = {
        "ratio": ipw.FloatSlider(value=ratio, min=0.05, max=2.0, step=0.05, description="c = p/n"),
        "n": ipw.IntSlider(value=n, min=100, max=2000, step=100, description="n"),
    }
    return Explorer(draw_sample_covariance, controls, title="Sample covariance of white noise")
