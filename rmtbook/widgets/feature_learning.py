"""Explorer for chapter 10b: the spike that one gradient step adds to the first layer.

Used by :doc:`/chapters/10b_feature_learning`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import ipywidgets as ipw
import numpy as np

from .._validation import check_int, check_scalar
from ..feature_learning import one_gradient_step, one_step_spike, single_index_sample
from ..laws import marchenko_pastur
from ..plotting import COLORS, finish_axes, plot_histogram, plot_simulation, plot_theory
from ._core import Explorer

if TYPE_CHECKING:  # annotations only: importing widgets must not import pyplot
    from matplotlib.figure import Figure

__all__ = ["feature_learning_explorer", "draw_feature_learning"]

_TARGET, _ACT, _NOISE = "sign", "tanh", 0.04


def draw_feature_learning(
    fig: Figure, *, learning_rate: float = 3.0, width_ratio: float = 0.75, n: int = 600,
    seed: int = 0,
) -> None:
    """Spectrum of ``(p/N) W_1^T W_1`` after one step, and the alignment against the step size.

    A tanh network (``p = n / 2``, width ``N = width_ratio * n``) takes one gradient step of
    size ``learning_rate`` on ``y = sign(<beta_*, x>) + eps`` (noise variance 0.04), as in
    :func:`rmtbook.feature_learning.one_gradient_step`. Left: histogram of the eigenvalues, the
    Marchenko-Pastur bulk and the predicted top eigenvalue
    (:func:`rmtbook.feature_learning.one_step_spike`). Right: the predicted squared overlap of
    the top eigenvector with ``beta_*`` against the learning rate, with the simulated value.

    Parameters
    ----------
    fig
        Figure with two axes (cleared by the caller).
    learning_rate
        ``eta`` in ``[0, 20]``.
    width_ratio
        ``N / n`` in ``[0.25, 4]``.
    n
        Samples of the gradient step, in ``[100, 2000]``.
    seed
        Seed of the draw.

    References
    ----------
    :cite:p:`ba2022high`. :doc:`/chapters/10b_feature_learning`.

    Examples
    --------
    >>> from rmtbook.plotting import new_figure
    >>> from rmtbook.widgets import draw_feature_learning
    >>> fig, _ = new_figure(1, 2)
    >>> draw_feature_learning(fig, n=200)
    >>> len(fig.axes) >= 2
    True
    """
    eta = check_scalar("learning_rate", learning_rate, low=0.0, high=20.0)
    wr = check_scalar("width_ratio", width_ratio, low=0.25, high=4.0)
    n = check_int("n", n, low=100, high=2000)
    p, N = n // 2, max(2, int(round(wr * n)))
    gen = np.random.default_rng(seed)
    sample = single_index_sample(p, n, _TARGET, noise_var=_NOISE, rng=gen)
    W0 = gen.standard_normal((N, p)) / np.sqrt(p)
    a = gen.standard_normal(N)
    W1 = one_gradient_step(W0, a, sample.X, sample.y, _ACT, eta)
    vals, vecs = np.linalg.eigh(W1.T @ W1 * (p / N))
    align = float((vecs[:, -1] @ sample.direction) ** 2)
    c = p / N
    theory = one_step_spike(_ACT, _TARGET, eta, p / n, N / n, _NOISE)
    law = marchenko_pastur(c)
    lo, edge = law.support()[0]
    right = max(vals[-1], theory.weight_outlier, edge) * 1.08

    ax, ax2 = fig.axes[0], fig.axes[1]
    nonzero = vals[vals > 1e-9 * edge]
    plot_histogram(ax, nonzero, bins=50, range=(0.0, right), weight=nonzero.size / p,
                   label=f"eigenvalues, p={p}, N={N}")
    grid = np.linspace(lo, edge, 300)
    plot_theory(ax, grid, law.pdf(grid), label="Marchenko-Pastur bulk")
    status = "outlier" if eta > theory.critical_learning_rate else "edge (no outlier)"
    ax.axvline(theory.weight_outlier, color=COLORS["highlight"], ls="--", lw=1.5,
               label=f"predicted top: {status}")
    ax.plot([vals[-1]], [0.0], marker="v", ms=9, color=COLORS["simulation"], mec="black",
            ls="none", label="largest eigenvalue", clip_on=False, zorder=5)
    eta_c = theory.critical_learning_rate
    finish_axes(ax, xlabel=r"eigenvalue of $(p/N) W_1^\top W_1$", ylabel="density",
                title=rf"$\eta$ = {eta:.2f}, threshold $\eta_c$ = {eta_c:.2f}")

    etas = np.linspace(0.0, max(8.0, 1.2 * eta), 300)
    curve = one_step_spike(_ACT, _TARGET, etas, p / n, N / n, _NOISE).weight_alignment
    plot_theory(ax2, etas, curve, label="theory")
    ax2.axhline(theory.target_alignment, color=COLORS["muted"], ls=":", lw=1.5,
                label=r"ceiling $\langle \hat v, \beta_*\rangle^2$")
    ax2.axvline(theory.critical_learning_rate, color=COLORS["highlight"], ls=":", lw=1.5,
                label=r"threshold $\eta_c$")
    plot_simulation(ax2, [eta], [align], label="simulation")
    ax2.set_ylim(-0.03, 1.03)
    finish_axes(ax2, xlabel=r"learning rate $\eta$", ylabel=r"$\langle w_{top}, \beta_*\rangle^2$",
                title="top eigenvector vs target")


def feature_learning_explorer(learning_rate: float = 3.0, width_ratio: float = 0.75,
                              n: int = 600) -> Explorer:
    """Interactive explorer of the one-step spike: move the learning rate and the width.

    Parameters
    ----------
    learning_rate, width_ratio, n
        Initial values of the sliders.

    Returns
    -------
    Explorer
        Sliders plus the figure in Jupyter, the default figure in the HTML book.

    References
    ----------
    :cite:p:`ba2022high`. :doc:`/chapters/10b_feature_learning`.

    Examples
    --------
    >>> from rmtbook.widgets import feature_learning_explorer
    >>> explorer = feature_learning_explorer(n=200)
    >>> explorer.update(learning_rate=0.5).values['learning_rate']
    0.5
    """
    controls = {
        "learning_rate": ipw.FloatSlider(value=learning_rate, min=0.0, max=12.0, step=0.25,
                                         description="step eta"),
        "width_ratio": ipw.FloatSlider(value=width_ratio, min=0.25, max=3.0, step=0.25,
                                       description="N/n"),
        "n": ipw.IntSlider(value=n, min=200, max=1200, step=100, description="n"),
    }
    return Explorer(draw_feature_learning, controls,
                    title="One gradient step: a spike in the first layer", ncols=2)
