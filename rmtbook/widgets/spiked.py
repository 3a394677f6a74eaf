"""Explorer for chapter 4: the BBP phase transition of a spiked covariance.

Used by :doc:`/chapters/04_spiked`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import ipywidgets as ipw
import numpy as np

from .._validation import check_int, check_scalar
from ..laws import marchenko_pastur
from ..plotting import COLORS, finish_axes, plot_histogram, plot_simulation, plot_theory
from ..spiked import bbp_threshold, spike_alignment, spike_eigenvalue, spiked_covariance_sample
from ._core import Explorer

if TYPE_CHECKING:  # annotations only: importing widgets must not import pyplot
    from matplotlib.figure import Figure

__all__ = ["spiked_explorer", "draw_spiked"]


def draw_spiked(fig: Figure, *, ell: float = 2.0, ratio: float = 0.5, n: int = 600, seed: int = 0) -> None:
    """Spectrum and top eigenvector of one spiked sample covariance, against the theory.

    Left: histogram of the eigenvalues of ``Chat = X X^T / n`` for ``C = I + ell u u^T``, the
    Marchenko-Pastur density of the bulk, the predicted limit of the top eigenvalue
    (:func:`rmtbook.spiked.spike_eigenvalue`: an outlier above the threshold, the edge
    ``(1 + sqrt c)^2`` below it) and the population eigenvalue ``1 + ell``. Right: the predicted
    alignment ``|u^T uhat|^2`` as a function of ``ell`` (:func:`rmtbook.spiked.spike_alignment`)
    with the simulated value at the current ``ell``.

    Parameters
    ----------
    fig
        Figure with two axes (cleared by the caller).
    ell
        Spike strength ``>= 0``.
    ratio
        ``c = p / n`` in ``(0, 4]``.
    n
        Number of samples (``p = round(ratio * n)``, at least 2).
    seed
        Seed of the draw (same seed, same figure).

    References
    ----------
    :cite:p:`baik2005phase,paul2007asymptotics`. :doc:`/chapters/04_spiked`.

    Examples
    --------
    >>> from rmtbook.plotting import new_figure
    >>> from rmtbook.widgets import draw_spiked
    >>> fig, _ = new_figure(1, 2)
    >>> draw_spiked(fig, n=300)
    >>> len(fig.axes) >= 2
    True
    """
    ell = check_scalar("ell", ell, low=0.0, high=50.0)
    ratio = check_scalar("ratio", ratio, low=0.0, high=4.0, low_open=True)
    n = check_int("n", n, low=20, high=4000)
    p = max(2, int(round(ratio * n)))
    c = p / n
    x, u = spiked_covariance_sample(p, n, ell, rng=seed)
    # diagonalize the smaller of X X^T / n and X^T X / n (same nonzero eigenvalues)
    small = x @ x.T / n if p <= n else x.T @ x / n
    vals, vecs = np.linalg.eigh(small)
    top = vals[-1]
    uhat = vecs[:, -1] if p <= n else x @ vecs[:, -1] / np.sqrt(n * top)
    align = float((u[:, 0] @ uhat) ** 2)
    law = marchenko_pastur(c)
    lo, edge = law.support()[0]
    predicted = spike_eigenvalue(ell, c)
    right = max(top, predicted, 1.0 + ell, edge) * 1.08

    ax, ax2 = fig.axes[0], fig.axes[1]
    nonzero = vals[vals > 1e-9 * edge]  # the p - n zero eigenvalues (atom at 0) are left out
    plot_histogram(ax, nonzero, bins=50, range=(0.0, right), weight=nonzero.size / p,
                   label=f"eigenvalues, p={p}, n={n}")
    grid = np.linspace(lo, edge, 300)
    plot_theory(ax, grid, law.pdf(grid), label="Marchenko-Pastur bulk")
    status = "outlier" if ell > bbp_threshold(c) else "edge (no outlier)"
    ax.axvline(predicted, color=COLORS["highlight"], ls="--", lw=1.5, label=f"predicted top: {status}")
    ax.axvline(1.0 + ell, color=COLORS["muted"], ls=":", lw=1.5, label=r"population $1+\ell$")
    ax.plot([top], [0.0], marker="v", ms=9, color=COLORS["simulation"], mec="black", ls="none",
            label="largest sample eigenvalue", clip_on=False, zorder=5)
    finish_axes(ax, xlabel="eigenvalue", ylabel="density",
                title=rf"$\ell$ = {ell:.2f}, c = {c:.2f}, threshold $\sqrt{{c}}$ = {np.sqrt(c):.2f}")

    ells = np.linspace(0.0, max(5.0, 1.2 * ell), 300)
    plot_theory(ax2, ells, spike_alignment(ells, c), label=r"theory $(1-c/\ell^2)/(1+c/\ell)$")
    ax2.axvline(np.sqrt(c), color=COLORS["highlight"], ls=":", lw=1.5, label=r"threshold $\sqrt{c}$")
    plot_simulation(ax2, [ell], [align], label=r"simulation $|u^T\hat u|^2$")
    ax2.set_ylim(-0.03, 1.03)
    finish_axes(ax2, xlabel=r"spike strength $\ell$", ylabel="alignment", title="top eigenvector")


def spiked_explorer(ell: float = 2.0, ratio: float = 0.5, n: int = 600) -> Explorer:
    """Interactive explorer of the BBP transition: move the spike ``ell`` and the ratio ``c``.

    Parameters
    ----------
    ell, ratio, n
        Initial values of the sliders.

    Returns
    -------
    Explorer
        Displays as sliders plus the figure in Jupyter, as the default figure in the HTML book.

    References
    ----------
    :doc:`/chapters/04_spiked`.

    Examples
    --------
    >>> from rmtbook.widgets import spiked_explorer
    >>> explorer = spiked_explorer(ell=3.0)
    >>> explorer.update(ell=0.5).values['ell']
    0.5
    >>> explorer.png()[:4]  # the figure, as PNG bytes
    b'\x89PNG'
    """
    controls = {
        "ell": ipw.FloatSlider(value=ell, min=0.0, max=6.0, step=0.05, description="spike ell"),
        "ratio": ipw.FloatSlider(value=ratio, min=0.05, max=2.0, step=0.05, description="c = p/n"),
        "n": ipw.IntSlider(value=n, min=100, max=1000, step=100, description="n"),
    }
    return Explorer(draw_spiked, controls, title="BBP phase transition of a spiked covariance",
                    ncols=2)
