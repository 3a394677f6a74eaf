"""Explorer for chapter 5b: the risks along gradient flow on least squares.

Used by :doc:`/chapters/05b_training_dynamics`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import ipywidgets as ipw
import numpy as np

from .._validation import check_scalar
from ..dynamics import gradient_flow_risk
from ..linear import ridge_risk
from ..plotting import COLORS, finish_axes, plot_theory
from ._core import Explorer
from .ridge import two_block_population

if TYPE_CHECKING:  # annotations only: importing widgets must not import pyplot
    from matplotlib.figure import Figure

__all__ = ["gradient_flow_explorer", "draw_gradient_flow_risk"]

#: Times shown by the explorer (log-spaced).
_TIMES = np.geomspace(1e-2, 1e4, 200)


def draw_gradient_flow_risk(
    fig: Figure,
    *,
    ratio: float = 0.8,
    noise_var: float = 0.25,
    anisotropy: float = 1.0,
    signal_norm2: float = 1.0,
) -> None:
    """Theoretical risks of gradient flow against time, with ridge at ``1/t`` for comparison.

    Draws ``R_out(t)`` and ``R_in(t)`` from :func:`rmtbook.gradient_flow_risk`, the
    out-of-sample risk of ridge regression at ``gamma = 1/t`` (the calibration of
    :cite:p:`ali2019continuous`, close but not equal), the ridgeless limit (``t -> inf``) and the
    noise level, for a two-block population of mean 1 (``rmtbook.widgets.ridge.two_block_population``).

    Parameters
    ----------
    fig
        Matplotlib figure with one axes (cleared by the caller).
    ratio
        ``c = p / n`` in ``(0, 10]``, not 1 (the ridgeless limit is infinite there).
    noise_var
        ``sigma^2 >= 0``.
    anisotropy
        Eigenvalue ratio ``a >= 1`` of the two-block population (``a = 1``: ``C = I``).
    signal_norm2
        ``||beta*||^2 > 0``.

    References
    ----------
    :doc:`/chapters/05b_training_dynamics`; :cite:p:`ali2019continuous,advani2020high`.

    Examples
    --------
    >>> from rmtbook.plotting import new_figure
    >>> from rmtbook.widgets import draw_gradient_flow_risk
    >>> fig, _ = new_figure(1, 1)
    >>> draw_gradient_flow_risk(fig, ratio=2.0, anisotropy=4.0)
    >>> len(fig.axes[0].lines) >= 4
    True
    """
    c = check_scalar("ratio", ratio, low=0.0, low_open=True, high=10.0)
    if c == 1.0:
        raise ValueError("ratio must differ from 1 (the ridgeless risk is infinite there), got 1.0")
    noise_var = check_scalar("noise_var", noise_var, low=0.0)
    signal_norm2 = check_scalar("signal_norm2", signal_norm2, low=0.0, low_open=True)
    eigs, weights = two_block_population(anisotropy)
    gf = gradient_flow_risk(c, _TIMES, noise_var, signal_norm2, eigs, weights)
    ridge = ridge_risk(c, 1.0 / _TIMES, noise_var, signal_norm2, eigs, weights)
    limit = ridge_risk(c, 0.0, noise_var, signal_norm2, eigs, weights).out_of_sample
    ax = fig.axes[0]
    plot_theory(ax, _TIMES, gf.out_of_sample, label="gradient flow $R_{out}(t)$")
    plot_theory(ax, _TIMES, gf.in_sample, label="gradient flow $R_{in}(t)$",
                color=COLORS["secondary"])
    plot_theory(ax, _TIMES, ridge.out_of_sample, label=r"ridge $R_{out}$ at $\gamma = 1/t$",
                color=COLORS["highlight"], ls="--", lw=1.5)
    ax.axhline(limit, color=COLORS["muted"], lw=1.0, ls=":", label=r"$t \to \infty$ (ridgeless)")
    ax.axhline(noise_var, color=COLORS["muted"], lw=1.0, ls="-.", label=r"noise $\sigma^2$")
    top = 1.1 * max(float(np.max(gf.out_of_sample)), limit)
    ax.set_ylim(0.0, top)
    finish_axes(ax, xlabel="training time $t$", ylabel="risk", logx=True,
                title=f"gradient flow, c = {c:.3g}, anisotropy {anisotropy:.3g}")


def gradient_flow_explorer(
    ratio: float = 0.8, noise_var: float = 0.25, anisotropy: float = 1.0
) -> Explorer:
    """Interactive explorer: risks along gradient flow for a ratio, a noise level, an anisotropy.

    Parameters
    ----------
    ratio, noise_var, anisotropy
        Initial slider values (see :func:`draw_gradient_flow_risk`).

    Returns
    -------
    Explorer
        Sliders plus the figure in Jupyter; the default figure in the HTML book.

    References
    ----------
    :doc:`/chapters/05b_training_dynamics`.

    Examples
    --------
    >>> from rmtbook.widgets import gradient_flow_explorer
    >>> explorer = gradient_flow_explorer(ratio=0.5)
    >>> explorer.update(noise_var=0.5).values['noise_var']
    0.5
    >>> explorer.png()[:4]  # the figure, as PNG bytes
    b'\x89PNG'
    """
    check_scalar("ratio", ratio, low=0.1, high=5.0)
    check_scalar("noise_var", noise_var, low=0.0, high=2.0)
    check_scalar("anisotropy", anisotropy, low=1.0, high=50.0)
    controls = {
        "ratio": ipw.SelectionSlider(
            options=[0.1, 0.2, 0.3, 0.5, 0.7, 0.8, 0.9, 0.95, 1.05, 1.2, 1.5, 2.0, 3.0, 5.0],
            value=ratio, description="c = p/n"),
        "noise_var": ipw.FloatSlider(value=noise_var, min=0.0, max=2.0, step=0.05,
                                     description="sigma^2"),
        "anisotropy": ipw.FloatLogSlider(value=anisotropy, base=10, min=0, max=np.log10(50.0),
                                         step=0.05, description="anisotropy"),
    }

    def draw(fig: Figure, **values: Any) -> None:
        draw_gradient_flow_risk(fig, **values)

    return Explorer(draw, controls,
                    title="Gradient flow on least squares: risks along the trajectory")
