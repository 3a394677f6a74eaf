"""Explorer for chapter 6: an activation against its truncated Hermite expansion.

Used by :doc:`/chapters/06_hermite`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import ipywidgets as ipw
import numpy as np

from .._validation import check_choice, check_int
from ..hermite import ACTIVATIONS, get_activation, hermite_coefficients, hermite_series, second_moment
from ..plotting import COLORS, finish_axes, plot_theory
from ._core import Explorer

if TYPE_CHECKING:  # annotations only: importing widgets must not import pyplot
    from matplotlib.figure import Figure

__all__ = ["hermite_explorer", "draw_hermite_expansion"]

#: Highest degree offered by the explorer's slider.
EXPLORER_MAX_DEGREE = 30


def draw_hermite_expansion(fig: Figure, *, activation: str = "relu", degree: int = 4) -> None:
    """Draw ``phi`` against ``sum_{k <= degree} a_k h_k`` and the bar chart of ``a_k^2``.

    Left panel: the activation and its truncated expansion on ``[-3.5, 3.5]``, with the
    standard Gaussian density (rescaled) showing where the ``L^2(N(0, 1))`` error is measured;
    the title gives that error, ``sqrt(nu - sum_{k <= degree} a_k^2)``. Right panel: the
    energies ``a_k^2``, ``k = 0..degree``, whose total approaches ``nu`` (Parseval).

    Parameters
    ----------
    fig
        Matplotlib figure with two axes (cleared by the caller).
    activation
        A name from :data:`rmtbook.hermite.ACTIVATIONS`.
    degree
        Truncation degree in ``[0, 30]``.

    References
    ----------
    :doc:`/chapters/06_hermite`.

    Examples
    --------
    >>> from rmtbook.plotting import new_figure
    >>> from rmtbook.widgets import draw_hermite_expansion
    >>> fig, _ = new_figure(1, 2)
    >>> draw_hermite_expansion(fig, degree=2)
    >>> len(fig.axes) >= 2
    True
    """
    name = check_choice("activation", activation, ACTIVATIONS)
    degree = check_int("degree", degree, low=0, high=EXPLORER_MAX_DEGREE)
    a = hermite_coefficients(name, degree)
    nu = second_moment(name)
    x = np.linspace(-3.5, 3.5, 401)
    phi = get_activation(name).fn(x)
    series = hermite_series(a, x)
    ax_fn, ax_bar = fig.axes[0], fig.axes[1]

    plot_theory(ax_fn, x, phi, label=rf"$\phi$ = {name}")
    plot_theory(ax_fn, x, series, label=f"Hermite series, degree {degree}",
                color=COLORS["simulation"], ls="--")
    span = max(np.ptp(phi), 1e-3)
    density = np.exp(-x**2 / 2) / np.sqrt(2 * np.pi)
    ax_fn.fill_between(x, phi.min(), phi.min() + 0.5 * span * density / density.max(),
                       color=COLORS["muted"], alpha=0.2, label="N(0,1) density (scaled)")
    ax_fn.set_ylim(phi.min() - 0.15 * span, phi.max() + 0.15 * span)
    error = np.sqrt(max(nu - float(np.sum(a**2)), 0.0))
    finish_axes(ax_fn, xlabel="x", ylabel="value", title=f"L2 error {error:.2e}")

    k = np.arange(degree + 1)
    ax_bar.bar(k, a**2, color=COLORS["theory"], alpha=0.85, label=r"$a_k^2$")
    ax_bar.axhline(nu, color=COLORS["highlight"], ls=":", lw=1.5, label=r"$\nu = E[\phi(\xi)^2]$")
    finish_axes(ax_bar, xlabel="k", ylabel="energy",
                title=rf"$a_0^2+\dots+a_{{{degree}}}^2$ = {np.sum(a**2):.4f},  $\nu$ = {nu:.4f}")


def hermite_explorer(activation: str = "relu", degree: int = 4) -> Explorer:
    """Interactive explorer: choose an activation and a truncation degree.

    Parameters
    ----------
    activation
        Initial activation (a name from :data:`rmtbook.hermite.ACTIVATIONS`).
    degree
        Initial truncation degree in ``[0, 30]``.

    Returns
    -------
    Explorer
        A dropdown and a slider plus a two-panel figure (see :func:`draw_hermite_expansion`).

    References
    ----------
    :doc:`/chapters/06_hermite`.

    Examples
    --------
    >>> from rmtbook.widgets import hermite_explorer
    >>> explorer = hermite_explorer(activation="tanh")
    >>> explorer.update(degree=6).values['degree']
    6
    >>> explorer.png()[:4]  # the figure, as PNG bytes
    b'\x89PNG'
    """
    activation = check_choice("activation", activation, ACTIVATIONS)
    degree = check_int("degree", degree, low=0, high=EXPLORER_MAX_DEGREE)
    controls = {
        "activation": ipw.Dropdown(options=list(ACTIVATIONS), value=activation, description="activation"),
        "degree": ipw.IntSlider(value=degree, min=0, max=EXPLORER_MAX_DEGREE, step=1, description="degree"),
    }
    return Explorer(draw_hermite_expansion, controls, title="Hermite expansion of an activation", ncols=2)
