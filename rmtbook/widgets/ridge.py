"""Explorer for chapter 5: the risks of ridge regression as the sample size grows.

Used by :doc:`/chapters/05_ridge`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import ipywidgets as ipw
import numpy as np

from .._results import TupleLike
from .._typing import RealArray
from .._validation import check_scalar
from ..linear import optimal_ridge, ridge_risk
from ..plotting import COLORS, finish_axes, plot_theory
from ._core import Explorer

if TYPE_CHECKING:  # annotations only: importing widgets must not import pyplot
    from matplotlib.figure import Figure

__all__ = ["ridge_explorer", "draw_ridge_risk", "two_block_population", "PopulationSpectrum"]


@dataclass(frozen=True)
class PopulationSpectrum(TupleLike):
    """A discrete population spectrum ``H = sum_j weights[j] delta_{population_eigs[j]}``.

    Unpacks and indexes like the former tuple: ``population_eigs, weights = spectrum``.

    Attributes
    ----------
    population_eigs : numpy.ndarray
        The distinct population eigenvalues.
    weights : numpy.ndarray
        Their masses (summing to 1).
    """

    population_eigs: RealArray
    weights: RealArray

#: Samples per feature shown by the explorer (log-spaced; n/p = 1 is not a grid point).
_SAMPLES_PER_FEATURE = np.logspace(-1.0, 1.0, 300)


def two_block_population(anisotropy: float) -> PopulationSpectrum:
    """Two equally weighted population eigenvalues of ratio ``anisotropy`` and mean 1.

    Parameters
    ----------
    anisotropy
        Ratio ``a >= 1`` of the two eigenvalues; ``a = 1`` is ``C = I``.

    Returns
    -------
    PopulationSpectrum
        ``population_eigs = (2/(1+a), 2a/(1+a))`` and ``weights = (1/2, 1/2)``, so that
        ``tr C / p = 1`` for every ``a``; unpacks as ``population_eigs, weights``.

    References
    ----------
    :doc:`/chapters/05_ridge`.

    Examples
    --------
    >>> from rmtbook.widgets import two_block_population
    >>> eigs, weights = two_block_population(3.0)
    >>> eigs, weights
    (array([0.5, 1.5]), array([0.5, 0.5]))
    """
    a = check_scalar("anisotropy", anisotropy, low=1.0)
    return PopulationSpectrum(
        population_eigs=np.array([2.0 / (1.0 + a), 2.0 * a / (1.0 + a)]), weights=np.array([0.5, 0.5])
    )


def draw_ridge_risk(
    fig: Figure,
    *,
    ridge: float = 1e-3,
    noise_var: float = 0.25,
    anisotropy: float = 1.0,
    signal_norm2: float = 1.0,
) -> None:
    """Theoretical in- and out-of-sample risks of ridge regression against ``n/p``.

    Draws ``R_out`` and ``R_in`` from :func:`rmtbook.ridge_risk` for ``n/p`` from 0.1 to 10 (log
    scale) at the chosen ridge, the ridgeless ``R_out`` for reference (its peak at ``n = p`` is the
    double-descent spike), the noise level ``sigma^2`` below which no predictor can go, and the
    out-of-sample risk at the optimal ridge ``gamma* = sigma^2 c / ||beta*||^2``.

    Parameters
    ----------
    fig
        Matplotlib figure with one axes (cleared by the caller).
    ridge
        ``gamma > 0``.
    noise_var
        ``sigma^2 >= 0``.
    anisotropy
        Eigenvalue ratio ``a >= 1`` of a two-block population of mean 1
        (:func:`two_block_population`); ``a = 1`` is isotropic.
    signal_norm2
        ``||beta*||^2 > 0``.

    References
    ----------
    :doc:`/chapters/05_ridge`; :cite:p:`hastie2022surprises`.

    Examples
    --------
    >>> from rmtbook.plotting import new_figure
    >>> from rmtbook.widgets import draw_ridge_risk
    >>> fig, _ = new_figure(1, 1)
    >>> draw_ridge_risk(fig, anisotropy=4.0)
    >>> len(fig.axes) >= 1
    True
    """
    ridge = check_scalar("ridge", ridge, low=0.0, low_open=True)
    noise_var = check_scalar("noise_var", noise_var, low=0.0)
    signal_norm2 = check_scalar("signal_norm2", signal_norm2, low=0.0, low_open=True)
    eigs, weights = two_block_population(anisotropy)
    npr = _SAMPLES_PER_FEATURE
    c = 1.0 / npr
    res = ridge_risk(c, ridge, noise_var, signal_norm2, eigs, weights)
    ridgeless = ridge_risk(c, 0.0, noise_var, signal_norm2, eigs, weights)
    best = ridge_risk(c, optimal_ridge(c, noise_var, signal_norm2), noise_var, signal_norm2,
                      eigs, weights)
    ax = fig.axes[0]
    plot_theory(ax, npr, ridgeless.out_of_sample, label="ridgeless $R_{out}$", color=COLORS["muted"],
                ls="--", lw=1.5)
    plot_theory(ax, npr, best.out_of_sample, label=r"$R_{out}$ at $\gamma^*$", color=COLORS["highlight"],
                ls=":", lw=1.5)
    plot_theory(ax, npr, res.out_of_sample, label=rf"$R_{{out}}$, $\gamma$ = {ridge:.2g}")
    plot_theory(ax, npr, res.in_sample, label=rf"$R_{{in}}$, $\gamma$ = {ridge:.2g}", color=COLORS["secondary"])
    ax.axhline(noise_var, color=COLORS["muted"], lw=1.0, ls="-.", label=r"noise $\sigma^2$")
    ax.axvline(1.0, color=COLORS["muted"], lw=0.8)
    top = min(1.15 * float(np.max(res.out_of_sample)), 4.0 * (noise_var + signal_norm2))
    top = max(top, 1.5 * (noise_var + signal_norm2))
    ax.set_ylim(0.0, top)
    finish_axes(ax, xlabel="samples per feature $n/p$", ylabel="risk", logx=True,
                title=f"ridge regression, anisotropy {anisotropy:.3g}")


def ridge_explorer(ridge: float = 1e-3, noise_var: float = 0.25, anisotropy: float = 1.0) -> Explorer:
    """Interactive explorer: ridge risks against ``n/p`` for a ridge, a noise level, an anisotropy.

    Parameters
    ----------
    ridge, noise_var, anisotropy
        Initial slider values (see :func:`draw_ridge_risk`).

    Returns
    -------
    Explorer
        Sliders plus the figure in Jupyter; the default figure in the HTML book.

    References
    ----------
    :doc:`/chapters/05_ridge`.

    Examples
    --------
    >>> from rmtbook.widgets import ridge_explorer
    >>> explorer = ridge_explorer(ridge=0.1)
    >>> explorer.update(noise_var=0.5).values['noise_var']
    0.5
    >>> explorer.png()[:4]  # the figure, as PNG bytes
    b'\x89PNG'
    """
    check_scalar("ridge", ridge, low=1e-5, high=10.0)
    check_scalar("noise_var", noise_var, low=0.0, high=2.0)
    check_scalar("anisotropy", anisotropy, low=1.0, high=50.0)
    controls = {
        "ridge": ipw.FloatLogSlider(value=ridge, base=10, min=-5, max=1, step=0.1, description="gamma"),
        "noise_var": ipw.FloatSlider(value=noise_var, min=0.0, max=2.0, step=0.05, description="sigma^2"),
        "anisotropy": ipw.FloatLogSlider(value=anisotropy, base=10, min=0, max=np.log10(50.0), step=0.05,
                                         description="anisotropy"),
    }

    def draw(fig: Figure, **values: Any) -> None:
        draw_ridge_risk(fig, **values)

    return Explorer(draw, controls, title="Ridge regression: in- and out-of-sample risks against n/p")
