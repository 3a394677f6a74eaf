"""Explorer for chapter 8b: random features ridge on random data, its closed-form asymptotics.

Used by :doc:`/chapters/08b_gaussian_equivalence`. Theory only
(:func:`rmtbook.gaussian_equivalence.random_features_asymptotic_errors`, closed forms), so a
redraw takes milliseconds.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import ipywidgets as ipw
import numpy as np

from .._validation import check_choice, check_scalar
from ..gaussian_equivalence import random_features_asymptotic_errors
from ..plotting import COLORS, finish_axes, plot_theory
from ._core import Explorer

if TYPE_CHECKING:  # annotations only: importing widgets must not import pyplot
    from matplotlib.figure import Figure

__all__ = ["draw_gaussian_equivalence", "gaussian_equivalence_explorer", "GEQ_ACTIVATIONS"]

#: Activations offered by the explorer.
GEQ_ACTIVATIONS: tuple[str, ...] = ("relu", "tanh", "erf", "gelu", "abs", "linear")


def draw_gaussian_equivalence(
    fig: Figure,
    *,
    activation: str = "tanh",
    ratio: float = 0.5,
    log10_ridge: float = -4.0,
    noise_var: float = 0.5,
) -> None:
    """Asymptotic test MSE, its bias and variance, and the training MSE against ``N / n``.

    Data: i.i.d. ``N(0, 1/p)`` inputs, a linear target of unit variance plus noise of variance
    ``noise_var``; ``ratio = p / n``.

    Parameters
    ----------
    fig
        Figure with one axes (cleared by the caller).
    activation
        One of ``GEQ_ACTIVATIONS``.
    ratio
        ``p / n`` in ``[0.1, 4]``.
    log10_ridge
        ``log10(gamma)`` in ``[-6, 1]``.
    noise_var
        ``sigma^2`` in ``[0, 2]``.

    References
    ----------
    Chapter ``08b_gaussian_equivalence``; :cite:p:`mei2022generalization`.

    Examples
    --------
    >>> from rmtbook.plotting import new_figure
    >>> from rmtbook.widgets import draw_gaussian_equivalence
    >>> fig, _ = new_figure(1, 1)
    >>> draw_gaussian_equivalence(fig, activation="relu", ratio=2.0)
    >>> len(fig.axes[0].lines) >= 4
    True
    """
    activation = check_choice("activation", activation, GEQ_ACTIVATIONS)
    ratio = check_scalar("ratio", ratio, low=0.1, high=4.0)
    log10_ridge = check_scalar("log10_ridge", log10_ridge, low=-6.0, high=1.0)
    noise_var = check_scalar("noise_var", noise_var, low=0.0, high=2.0)
    widths = np.geomspace(0.05, 20.0, 300)
    err = random_features_asymptotic_errors(activation, ratio, widths, 10.0**log10_ridge, noise_var, 1.0)
    ax = fig.axes[0]
    plot_theory(ax, widths, err.test, label="test MSE")
    plot_theory(ax, widths, err.bias, color=COLORS["secondary"], label="bias", ls="--")
    plot_theory(ax, widths, err.variance, color=COLORS["highlight"], label="variance", ls=":")
    plot_theory(ax, widths, err.train, color=COLORS["muted"], label="train MSE")
    ax.axvline(1.0, color=COLORS["muted"], ls=":", lw=1.0)
    ax.axvline(ratio, color=COLORS["muted"], ls="-.", lw=1.0, label="N = p")
    top = min(float(np.max(err.test)), 5.0 * float(np.median(err.test)))
    ax.set_ylim(0.0, 1.05 * top)
    finish_axes(ax, xlabel="N / n", ylabel="MSE", logx=True,
                title=f"{activation}, p/n = {ratio:g}, ridge = {10.0**log10_ridge:.0e}")


def gaussian_equivalence_explorer(
    activation: str = "tanh", ratio: float = 0.5, log10_ridge: float = -4.0, noise_var: float = 0.5
) -> Explorer:
    """Interactive explorer of the asymptotic errors of random features ridge on random data.

    Parameters
    ----------
    activation, ratio, log10_ridge, noise_var
        Initial values of the controls (see :func:`draw_gaussian_equivalence`).

    Returns
    -------
    Explorer

    References
    ----------
    Chapter ``08b_gaussian_equivalence``.

    Examples
    --------
    >>> from rmtbook.widgets import gaussian_equivalence_explorer
    >>> explorer = gaussian_equivalence_explorer()
    >>> explorer.update(ratio=2.0).values["ratio"]
    2.0
    >>> explorer.png()[:4]
    b'\\x89PNG'
    """
    controls = {
        "activation": ipw.Dropdown(options=list(GEQ_ACTIVATIONS), value=activation, description="activation"),
        "ratio": ipw.FloatSlider(value=ratio, min=0.1, max=4.0, step=0.05, description="p / n"),
        "log10_ridge": ipw.FloatSlider(value=log10_ridge, min=-6.0, max=1.0, step=0.25, description="log10 ridge"),
        "noise_var": ipw.FloatSlider(value=noise_var, min=0.0, max=2.0, step=0.05, description="noise var"),
    }
    return Explorer(draw_gaussian_equivalence, controls,
                    title="Random features on random data: double descent, bias and variance")
