"""Explorer for chapter 8: training and test error of random features ridge regression.

Used by :doc:`/chapters/08_random_features`. Theory only (deterministic equivalents), so that a
redraw takes a fraction of a second: the kernel of a fixed two-class Gaussian mixture is
computed once per activation and cached.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

import ipywidgets as ipw
import numpy as np

from .._validation import check_choice, check_scalar
from ..plotting import COLORS, finish_axes, plot_theory
from ..shallow import random_features_errors_from_kernel, random_features_train_test_kernels
from ._core import Explorer

if TYPE_CHECKING:  # annotations only: importing widgets must not import pyplot
    from matplotlib.figure import Figure

__all__ = ["random_features_explorer", "draw_random_features", "EXPLORER_ACTIVATIONS"]

#: Activations offered by the explorer (closed-form kernels: fast).
EXPLORER_ACTIVATIONS: tuple[str, ...] = ("relu", "erf", "abs", "sign", "linear", "cos")

_P, _N_TRAIN, _N_TEST, _SEED = 128, 256, 256, 8


def _mixture(rng: np.random.Generator, m: int) -> tuple[np.ndarray, np.ndarray]:
    labels = rng.choice([-1.0, 1.0], m)
    Z = rng.standard_normal((_P, m))
    Z[0] += 2.0 * labels
    return Z / np.linalg.norm(Z, axis=0), labels


@functools.lru_cache(maxsize=None)
def _problem(activation: str) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(_SEED)
    X, y = _mixture(rng, _N_TRAIN)
    Xt, yt = _mixture(rng, _N_TEST)
    Phi, Pc, d = random_features_train_test_kernels(X, activation, Xt)
    return Phi, Pc, d, y, yt


def draw_random_features(fig: Figure, *, activation: str = "relu", log10_ridge: float = -3.0) -> None:
    """Theoretical train and test MSE of random features ridge against ``N / n``.

    Data: a fixed two-class Gaussian mixture (``p = 128``, ``n = nhat = 256``, unit-norm
    columns, +-1 targets). The curves are the deterministic equivalents of
    :func:`rmtbook.shallow.random_features_errors_from_kernel`; at small ridge the test error
    peaks at the interpolation threshold ``N = n`` (double descent).

    Parameters
    ----------
    fig
        Figure with one axes (cleared by the caller).
    activation
        One of ``EXPLORER_ACTIVATIONS``.
    log10_ridge
        ``log10(gamma)`` in ``[-5, 2]``.

    References
    ----------
    Chapter ``08_random_features``; :cite:p:`louart2018random,mei2022generalization`.

    Examples
    --------
    >>> from rmtbook.plotting import new_figure
    >>> from rmtbook.widgets import draw_random_features
    >>> fig, _ = new_figure(1, 1)
    >>> draw_random_features(fig, activation="erf")
    >>> len(fig.axes) >= 1
    True
    """
    activation = check_choice("activation", activation, EXPLORER_ACTIVATIONS)
    log10_ridge = check_scalar("log10_ridge", log10_ridge, low=-5.0, high=2.0)
    gamma = 10.0**log10_ridge
    Phi, Pc, d, y, yt = _problem(activation)
    ratios = np.geomspace(0.1, 10.0, 121)
    out = random_features_errors_from_kernel(
        Phi, y, ratios * _N_TRAIN, gamma, Phi_cross=Pc, Phi_test_diag=d, y_test=yt
    )
    ax = fig.axes[0]
    plot_theory(ax, ratios, out.test, label="test MSE (theory)")
    plot_theory(ax, ratios, out.train, label="train MSE (theory)", color=COLORS["secondary"])
    ax.axvline(1.0, color=COLORS["muted"], ls=":", lw=1.2, label="N = n")
    top = min(float(np.max(out.test)), 4.0 * float(np.median(out.test)))
    ax.set_ylim(0.0, 1.05 * top)  # the peak at N = n can be very high for tiny ridges
    finish_axes(
        ax, xlabel="N / n (features per sample)", ylabel="MSE", logx=True,
        title=f"{activation}, ridge = {gamma:.1e}",
    )


def random_features_explorer(activation: str = "relu", log10_ridge: float = -3.0) -> Explorer:
    """Interactive explorer: train and test MSE of random features ridge versus ``N / n``.

    Parameters
    ----------
    activation, log10_ridge
        Initial values of the dropdown and of the (log-scale) ridge slider.

    Returns
    -------
    Explorer

    References
    ----------
    Chapter ``08_random_features``.

    Examples
    --------
    >>> from rmtbook.widgets import random_features_explorer
    >>> explorer = random_features_explorer(log10_ridge=-2.0)
    >>> explorer.update(log10_ridge=-1.0).values['log10_ridge']
    -1.0
    >>> explorer.png()[:4]  # the figure, as PNG bytes
    b'\x89PNG'
    """
    controls = {
        "activation": ipw.Dropdown(options=list(EXPLORER_ACTIVATIONS), value=activation, description="activation"),
        "log10_ridge": ipw.FloatSlider(
            value=log10_ridge, min=-5.0, max=2.0, step=0.25, description="log10 ridge"
        ),
    }
    return Explorer(draw_random_features, controls, title="Random features ridge: double descent in N/n")
