"""Explorer for chapter 9b: the conjugate-kernel spectrum of a random network at proportional width.

Used by :doc:`/chapters/09b_proportional_width`. Theory only: the density of the deep
conjugate kernel law (:func:`rmtbook.deep_conjugate_kernel_law`) of a network of depth ``L``
and width ratio ``n/d`` on an input whose Gram spectrum is Marchenko-Pastur of ratio 1, against
the spectrum of the infinite-width kernel (the law of ``b^L lambda + 1 - b^L``), so that the
reader sees the spectrum widen with depth at proportional width and narrow at infinite width.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

import ipywidgets as ipw
import numpy as np

from .._validation import check_choice, check_int, check_scalar
from ..laws import marchenko_pastur
from ..plotting import COLORS, finish_axes, plot_theory
from ..proportional import deep_conjugate_kernel_law, standardize_activation
from ._core import Explorer

if TYPE_CHECKING:  # annotations only: importing widgets must not import pyplot
    from matplotlib.figure import Figure

__all__ = ["proportional_width_explorer", "draw_proportional_width", "PROPORTIONAL_ACTIVATIONS"]

#: Activations offered by the explorer.
PROPORTIONAL_ACTIVATIONS: tuple[str, ...] = ("tanh", "relu", "erf", "gelu", "linear")


@functools.lru_cache(maxsize=64)
def _law(activation: str, depth: int, log2_width_ratio: float):
    ratio = 2.0**log2_width_ratio
    return deep_conjugate_kernel_law(marchenko_pastur(1.0), activation, [ratio] * depth)


def draw_proportional_width(
    fig: Figure, *, activation: str = "tanh", depth: int = 3, log2_width_ratio: float = -1.0
) -> None:
    """Density of the deep CK law at depth ``L`` and ratio ``n/d``, with the infinite-width law.

    Input: unit-norm columns with ``d_0 = n`` (Gram spectrum ``MP(1)``). The solid line is the
    density of ``mu_L`` (Fan & Wang 2020); the dashed line the density of the infinite-width
    kernel's spectrum, the law of ``b^L lambda + 1 - b^L`` with ``lambda ~ MP(1)``.

    Parameters
    ----------
    fig
        Figure with one axes (cleared by the caller).
    activation
        One of ``PROPORTIONAL_ACTIVATIONS``.
    depth
        ``L``, an integer in ``[1, 6]``.
    log2_width_ratio
        ``log2(n/d)`` in ``[-4, 2]``.

    References
    ----------
    :cite:p:`fan2020spectra`. Chapter :doc:`/chapters/09b_proportional_width`.

    Examples
    --------
    >>> from rmtbook.plotting import new_figure
    >>> from rmtbook.widgets import draw_proportional_width
    >>> fig, _ = new_figure(1, 1)
    >>> draw_proportional_width(fig, depth=1)
    >>> len(fig.axes[0].get_lines()) >= 2
    True
    """
    activation = check_choice("activation", activation, PROPORTIONAL_ACTIVATIONS)
    depth = check_int("depth", depth, low=1, high=6)
    log2_width_ratio = check_scalar("log2_width_ratio", log2_width_ratio, low=-4.0, high=2.0)
    law = _law(activation, depth, float(log2_width_ratio))
    bL = standardize_activation(activation).b ** depth
    ax = fig.axes[0]
    hi = min(law.support()[-1][1], 12.0)
    x = np.linspace(1e-3, hi * 1.02, 500)
    plot_theory(ax, x, law.pdf(x), label=f"width n/d = {2.0**log2_width_ratio:g}: $\\mu_L$")
    if bL > 1e-12:  # infinite width: density of b^L lambda + 1 - b^L, lambda ~ MP(1)
        mp = marchenko_pastur(1.0)
        inf_pdf = mp.pdf((x - (1.0 - bL)) / bL) / bL
        plot_theory(ax, x, inf_pdf, label="infinite width", color=COLORS["secondary"], ls="--")
    else:
        ax.axvline(1.0, color=COLORS["secondary"], ls="--",
                   label="infinite width (point mass at 1)")
    top = float(np.max(law.pdf(x)))
    ax.set_ylim(0.0, 1.6 * top)
    finish_axes(ax, xlabel="eigenvalue of $X_L^T X_L$", ylabel="density",
                title=f"{activation}, depth {depth}, variance {law.var():.2f} "
                      f"(atom {law.atom:.2f})")


def proportional_width_explorer(
    activation: str = "tanh", depth: int = 3, log2_width_ratio: float = -1.0
) -> Explorer:
    """Interactive explorer: the deep conjugate kernel spectrum against depth and width ratio.

    Parameters
    ----------
    activation, depth, log2_width_ratio
        Initial values of the dropdown and sliders (see :func:`draw_proportional_width`).

    Returns
    -------
    Explorer

    References
    ----------
    Chapter :doc:`/chapters/09b_proportional_width`.

    Examples
    --------
    >>> from rmtbook.widgets import proportional_width_explorer
    >>> explorer = proportional_width_explorer(depth=1)
    >>> explorer.update(log2_width_ratio=-1.0).values["log2_width_ratio"]
    -1.0
    """
    controls = {
        "activation": ipw.Dropdown(options=list(PROPORTIONAL_ACTIVATIONS), value=activation,
                                   description="activation"),
        "depth": ipw.IntSlider(value=depth, min=1, max=6, step=1, description="depth L"),
        "log2_width_ratio": ipw.FloatSlider(value=log2_width_ratio, min=-4.0, max=2.0, step=1.0,
                                            description="log2 n/d"),
    }
    return Explorer(draw_proportional_width, controls,
                    title="Random networks at proportional width: the CK spectrum")
