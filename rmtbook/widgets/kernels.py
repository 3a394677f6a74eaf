"""Explorer for chapter 7: spectrum of the random-features kernel against its linear equivalent.

Used by :doc:`/chapters/07_kernels`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import ipywidgets as ipw
import numpy as np

from .._validation import check_choice, check_int, check_scalar
from ..hermite import hermite_coefficients, second_moment
from ..kernels import random_features_kernel, random_features_kernel_linear_equivalent
from ..laws import marchenko_pastur
from ..plotting import COLORS, finish_axes, plot_histogram, plot_theory
from ._core import Explorer

if TYPE_CHECKING:  # annotations only: importing widgets must not import pyplot
    from matplotlib.figure import Figure

__all__ = ["kernel_spectrum_explorer", "draw_kernel_spectrum", "KERNEL_EXPLORER_ACTIVATIONS"]

#: Activations offered by the explorer (closed-form kernels: each redraw stays well under 1 s).
KERNEL_EXPLORER_ACTIVATIONS: tuple[str, ...] = ("relu", "erf", "abs", "sign", "cos", "sin", "square")

_N = 300
_SEED = 7


def draw_kernel_spectrum(fig: Figure, *, activation: str = "relu", ratio: float = 1.0, n: int = _N) -> None:
    """Eigenvalue histogram of the exact kernel Phi against its linear equivalent.

    Unit-norm data X (p x n, p = round(ratio * n), Gaussian columns normalized; fixed seed).
    Histogram: eigenvalues of the exact Phi (the outlier of the rank-one term
    (a_0^2 + a_2^2/p) 1 1^T excluded from the range, its value given in the title). Step
    histogram: eigenvalues of the linear equivalent. Curve: the law of
    a_1^2 X^T X + (nu - a_0^2 - a_1^2) I, a Marchenko-Pastur law of ratio n/p scaled by a_1^2
    and shifted (its atom at the shift when n > p is drawn as a dotted vertical line).

    Parameters
    ----------
    fig
        Figure with one axes (cleared by the caller).
    activation
        One of ``KERNEL_EXPLORER_ACTIVATIONS``.
    ratio
        c = p / n in [0.2, 4].
    n
        Number of samples (default 300).

    References
    ----------
    :doc:`/chapters/07_kernels`; :cite:p:`louart2018random`.

    Examples
    --------
    >>> from rmtbook.plotting import new_figure
    >>> from rmtbook.widgets import draw_kernel_spectrum
    >>> fig, _ = new_figure(1, 1)
    >>> draw_kernel_spectrum(fig, n=200)
    >>> len(fig.axes) >= 1
    True
    """
    name = check_choice("activation", activation, KERNEL_EXPLORER_ACTIVATIONS)
    c = check_scalar("ratio", ratio, low=0.2, high=4.0)
    n = check_int("n", n, low=20, high=2000)
    p = max(2, int(round(c * n)))
    X = np.random.default_rng(_SEED).standard_normal((p, n))
    X /= np.linalg.norm(X, axis=0)
    Phi = random_features_kernel(X, name)
    Phi_lin = random_features_kernel_linear_equivalent(X, name)
    ev = np.linalg.eigvalsh(Phi)
    ev_lin = np.linalg.eigvalsh(Phi_lin)
    a0, a1, a2 = hermite_coefficients(name, 2)
    nu = second_moment(name)
    shift = nu - a0**2 - a1**2
    bulk, bulk_lin = ev[:-1], ev_lin[:-1]  # drop the top eigenvalue (outlier of 1 1^T when a_0 != 0)
    ax = fig.axes[0]
    lo = min(bulk.min(), bulk_lin.min())
    hi = max(bulk.max(), bulk_lin.max())
    pad = 0.05 * (hi - lo) + 1e-3
    edges = np.linspace(lo - pad, hi + pad, 41)
    plot_histogram(ax, bulk, bins=edges, label="exact $\\Phi$")
    ax.hist(bulk_lin, bins=edges, density=True, histtype="step", color=COLORS["secondary"], lw=1.6,
            label="linear equivalent")
    if a1**2 > 1e-12:
        law = marchenko_pastur(n / p)
        x = np.linspace(edges[0], edges[-1], 400)
        plot_theory(ax, x, law.pdf((x - shift) / a1**2) / a1**2, label="shifted MP law")
        if law.atom > 0:
            ax.axvline(shift, color=COLORS["highlight"], ls=":", lw=1.5, label=f"atom {law.atom:.2f}")
    else:
        ax.axvline(shift, color=COLORS["highlight"], ls=":", lw=1.5, label=r"$a_1 = 0$: all at $\nu - a_0^2$")
    err = np.abs(np.linalg.eigvalsh(Phi - Phi_lin)).max()
    finish_axes(ax, xlabel="eigenvalue", ylabel="density",
                title=f"{name}, p/n = {c:.2f}: top eigenvalue {ev[-1]:.2f}, "
                      f"$\\|\\Phi - \\tilde\\Phi\\|/\\nu$ = {err / nu:.3f}")


def kernel_spectrum_explorer(activation: str = "relu", ratio: float = 1.0) -> Explorer:
    """Interactive explorer: activation and ratio c = p/n for the random-features kernel spectrum.

    Parameters
    ----------
    activation, ratio
        Initial values of the controls (see :func:`draw_kernel_spectrum`).

    Returns
    -------
    Explorer
        A dropdown and a slider plus the figure of :func:`draw_kernel_spectrum`.

    References
    ----------
    :doc:`/chapters/07_kernels`.

    Examples
    --------
    >>> from rmtbook.widgets import kernel_spectrum_explorer
    >>> explorer = kernel_spectrum_explorer(activation="erf")
    >>> explorer.update(ratio=0.5).values['ratio']
    0.5
    >>> explorer.png()[:4]  # the figure, as PNG bytes
    b'\x89PNG'
    """
    activation = check_choice("activation", activation, KERNEL_EXPLORER_ACTIVATIONS)
    ratio = check_scalar("ratio", ratio, low=0.2, high=4.0)
    controls = {
        "activation": ipw.Dropdown(options=list(KERNEL_EXPLORER_ACTIVATIONS), value=activation,
                                   description="activation"),
        "ratio": ipw.FloatSlider(value=ratio, min=0.2, max=4.0, step=0.1, description="c = p/n"),
    }
    return Explorer(draw_kernel_spectrum, controls, title="Random-features kernel spectrum: exact vs linear equivalent")
