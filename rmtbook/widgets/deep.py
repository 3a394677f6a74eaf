"""Explorers for chapters 9 (deep conjugate kernels) and 10 (the neural tangent kernel).

:func:`curse_of_depth_explorer` follows the linear-equivalent coefficients of the conjugate
kernel through depth and the spectrum of the exact kernel; :func:`ntk_dynamics_explorer` trains
a finite network by gradient descent against the infinite-width NTK prediction.

Used by :doc:`/chapters/09_deep_conjugate_kernels` and :doc:`/chapters/10_ntk`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import ipywidgets as ipw
import numpy as np

from .._validation import check_choice, check_int, check_scalar
from ..deep import conjugate_kernel, conjugate_kernel_coefficients, neural_tangent_kernel
from ..hermite import hermite_coefficients, second_moment
from ..laws import marchenko_pastur
from ..networks import init_mlp, linearized_gd_predictions, mlp_ntk, train_mlp_gd
from ..plotting import COLORS, finish_axes, plot_histogram, plot_simulation, plot_theory
from ._core import Explorer

if TYPE_CHECKING:  # annotations only: importing widgets must not import pyplot
    from matplotlib.figure import Figure

__all__ = [
    "curse_of_depth_explorer",
    "draw_curse_of_depth",
    "ntk_dynamics_explorer",
    "draw_ntk_dynamics",
    "modified_activation",
]

#: Activations offered by the curse-of-depth explorer.
DEPTH_ACTIVATIONS: tuple[str, ...] = ("tanh", "relu", "erf", "gelu", "silu", "softplus", "sigmoid")
MAX_DEPTH = 20
_N = 200  # samples (= dimension) of the explorer's data


def modified_activation(name: str, *, center: bool = False, normalize: bool = False) -> Callable[[np.ndarray], np.ndarray]:
    """``(phi - c a_0) / s``: an activation optionally centred and normalized at unit variance.

    ``c = 1`` when ``center`` (subtract ``a_0 = E[phi(xi)]``), and ``s = sqrt(nu - c a_0^2)``
    when ``normalize`` (so that ``E[phi(xi)^2] = 1``), else ``s = 1``.

    Parameters
    ----------
    name
        One of ``DEPTH_ACTIVATIONS``: ``"tanh"``, ``"relu"``, ``"erf"``, ``"gelu"``, ``"silu"``,
        ``"softplus"``, ``"sigmoid"``.
    center
        Subtract the Gaussian mean ``a_0 = E[phi(xi)]``, ``xi ~ N(0, 1)``.
    normalize
        Divide by the standard deviation, so that ``E[phi(xi)^2] = 1`` after centring.

    Returns
    -------
    callable
        The modified activation, vectorized (``phi`` itself when neither option is set).

    References
    ----------
    :doc:`/chapters/09_deep_conjugate_kernels` (which choices slow the curse of depth).

    Examples
    --------
    >>> import numpy as np
    >>> from rmtbook.widgets import modified_activation
    >>> phi = modified_activation("relu", center=True)
    >>> round(float(phi(np.array([0.0]))[0]), 4)  # relu minus its Gaussian mean 1/sqrt(2 pi)
    -0.3989
    """
    name = check_choice("activation", name, DEPTH_ACTIVATIONS)
    from ..hermite import get_activation

    phi = get_activation(name).fn
    a0 = float(hermite_coefficients(name, 0)[0]) if center else 0.0
    scale = float(np.sqrt(second_moment(name) - a0**2)) if normalize else 1.0
    if not center and not normalize:
        return phi

    def modified(x: np.ndarray) -> np.ndarray:
        return (phi(x) - a0) / scale

    modified.__name__ = f"{name}{'_centred' if center else ''}{'_normalized' if normalize else ''}"
    return modified


def _data(n: int, seed: int) -> np.ndarray:
    X = np.random.default_rng(seed).standard_normal((n, n))
    return X / np.linalg.norm(X, axis=0)


def draw_curse_of_depth(
    fig: Figure, *, activation: str = "tanh", depth: int = 5, center: bool = False, normalize: bool = True
) -> None:
    """Left: ``A_l/q_l``, ``B_l/q_l``, ``C_l/q_l`` against depth; right: spectrum of ``K_L/q_L``.

    The right panel draws the eigenvalues of the exact infinite-width conjugate kernel of
    ``n = p = 200`` unit-norm Gaussian data (fixed seed) at the chosen depth against the linear
    equivalent's bulk ``(B/q) MP(1) + C/q`` (``MP(1)`` the Marchenko-Pastur law of ratio
    ``n/p = 1``); the outlier carried by the mean term ``A_L 1 1^T`` is reported in the title.

    Parameters
    ----------
    fig
        A figure with two axes (:func:`rmtbook.plotting.new_figure` with ``ncols=2``).
    activation
        One of ``DEPTH_ACTIVATIONS``: ``"tanh"``, ``"relu"``, ``"erf"``, ``"gelu"``, ``"silu"``,
        ``"softplus"``, ``"sigmoid"``.
    depth
        Number of layers ``L >= 1``.
    center, normalize
        As in :func:`modified_activation`.

    References
    ----------
    :doc:`/chapters/09_deep_conjugate_kernels`.

    Examples
    --------
    >>> from rmtbook.plotting import new_figure
    >>> from rmtbook.widgets import draw_curse_of_depth
    >>> fig, _ = new_figure(1, 2)
    >>> draw_curse_of_depth(fig, depth=2)
    >>> len(fig.axes) >= 2
    True
    """
    depth = check_int("depth", depth, low=1, high=MAX_DEPTH)
    act = modified_activation(activation, center=bool(center), normalize=bool(normalize))
    coef = conjugate_kernel_coefficients([act] * MAX_DEPTH, _N)
    q = coef.diagonal()
    layers = np.arange(MAX_DEPTH + 1)
    ax_c, ax_s = fig.axes[0], fig.axes[1]
    plot_theory(ax_c, layers, coef.B / q, label=r"$B_\ell/q_\ell$ (data)")
    plot_theory(ax_c, layers, coef.A / q, label=r"$A_\ell/q_\ell$ (mean)", color=COLORS["secondary"])
    plot_theory(ax_c, layers, coef.C / q, label=r"$C_\ell/q_\ell$ (identity)", color=COLORS["muted"], ls="--")
    ax_c.axvline(depth, color=COLORS["highlight"], lw=1, ls=":")
    ax_c.set_ylim(-0.05, 1.05)
    finish_axes(ax_c, xlabel=r"depth $\ell$", ylabel="share of the diagonal",
                title=f"{act.__name__}: linear-equivalent coefficients")

    X = _data(_N, 0)
    K = conjugate_kernel(X, [act] * depth)  # equal norms: the package tabulates each layer once
    ev = np.linalg.eigvalsh(K / K[0, 0])
    b, a, c = coef.B[depth] / q[depth], coef.A[depth] / q[depth], coef.C[depth] / q[depth]
    bulk = ev[:-1] if a * _N > 4 * b + 1 else ev
    plot_histogram(ax_s, bulk, bins=40, label=r"eigenvalues of $K_L/q_L$")
    if b > 1e-6:
        mp = marchenko_pastur(1.0)
        x = np.linspace(c + 1e-3 * b, c + 4 * b, 400)
        plot_theory(ax_s, x, np.minimum(mp.pdf((x - c) / b) / b, 20.0 / max(b, 1e-3)),
                    label=r"$(B/q)\,\mathrm{MP}(1) + C/q$")
    top = "" if bulk is ev else f"; outlier {ev[-1]:.1f} (~ n A/q = {a * _N:.1f})"
    finish_axes(ax_s, xlabel="eigenvalue", ylabel="density", title=f"depth {depth}{top}")


def curse_of_depth_explorer(
    activation: str = "tanh", depth: int = 5, center: bool = False, normalize: bool = True
) -> Explorer:
    """Interactive explorer of the curse of depth for the conjugate kernel.

    Controls: the activation, the depth, and whether the activation is centred (``phi - a_0``)
    and normalized (``E[phi(xi)^2] = 1``). See :func:`draw_curse_of_depth`.

    Parameters
    ----------
    activation, depth, center, normalize
        Initial values of the controls (see :func:`draw_curse_of_depth`).

    Returns
    -------
    Explorer
        The controls and the figure of :func:`draw_curse_of_depth`.

    References
    ----------
    :doc:`/chapters/09_deep_conjugate_kernels`.

    Examples
    --------
    >>> from rmtbook.widgets import curse_of_depth_explorer
    >>> explorer = curse_of_depth_explorer(depth=3)
    >>> explorer.update(depth=4).values['depth']
    4
    >>> explorer.png()[:4]  # the figure, as PNG bytes
    b'\x89PNG'
    """
    activation = check_choice("activation", activation, DEPTH_ACTIVATIONS)
    depth = check_int("depth", depth, low=1, high=MAX_DEPTH)
    controls = {
        "activation": ipw.Dropdown(options=list(DEPTH_ACTIVATIONS), value=activation, description="activation"),
        "depth": ipw.IntSlider(value=depth, min=1, max=MAX_DEPTH, step=1, description="depth L"),
        "center": ipw.Checkbox(value=bool(center), description="centre (phi - a0)"),
        "normalize": ipw.Checkbox(value=bool(normalize), description="normalize (nu = 1)"),
    }
    return Explorer(draw_curse_of_depth, controls, title="The curse of depth of random networks", ncols=2)


# -- chapter 10 ----------------------------------------------------------------------------------
_NTK_N, _NTK_M, _NTK_P = 40, 100, 20


def _ntk_problem() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(10)
    X = rng.standard_normal((_NTK_P, _NTK_N + _NTK_M))
    X /= np.linalg.norm(X, axis=0)
    y = np.sign(X[0]) + 0.5 * X[1] * np.sqrt(_NTK_P)
    return X[:, :_NTK_N], y[:_NTK_N], X[:, _NTK_N:], y[_NTK_N:]


def draw_ntk_dynamics(fig: Figure, *, width: int = 512, lr_fraction: float = 0.5, steps: int = 200) -> None:
    """Training and test errors of a one-hidden-layer ReLU network against the NTK prediction.

    Left: mean squared training and test errors against gradient steps, for the finite network
    (markers; centred output, fixed seed) and the linearized dynamics with the infinite-width
    NTK (lines); ``lr = lr_fraction * 2 / lambda_max(Theta)``. Right: the network's final test
    predictions against the NTK's; the title gives the relative change of the empirical NTK
    during training.

    Parameters
    ----------
    fig
        A figure with two axes (:func:`rmtbook.plotting.new_figure` with ``ncols=2``).
    width
        Hidden width of the network.
    lr_fraction
        Learning rate as a fraction of the stability limit ``2 / lambda_max(Theta)``.
    steps
        Number of gradient steps.

    References
    ----------
    :doc:`/chapters/10_ntk`.

    Examples
    --------
    >>> from rmtbook.plotting import new_figure
    >>> from rmtbook.widgets import draw_ntk_dynamics
    >>> fig, _ = new_figure(1, 2)
    >>> draw_ntk_dynamics(fig, width=64, steps=20)
    >>> len(fig.axes) >= 2
    True
    """
    width = check_int("width", width, low=8, high=8192)
    lr_fraction = check_scalar("lr_fraction", lr_fraction, low=0.0, high=1.0, low_open=True, high_open=True)
    steps = check_int("steps", steps, low=1, high=2000)
    X, y, Xt, yt = _ntk_problem()
    theta = neural_tangent_kernel(X, ["relu"])
    theta_t = neural_tangent_kernel(np.hstack([Xt, X]), ["relu"])[:_NTK_M, _NTK_M:]
    lr = lr_fraction * 2.0 / np.linalg.eigvalsh(theta).max()
    record = np.unique(np.linspace(0, steps, 21).astype(int))
    f_lin, g_lin = linearized_gd_predictions(theta, theta_t, y, record, lr=lr)
    params = init_mlp(_NTK_P, [width], rng=0)
    out = train_mlp_gd(params, X, y, "relu", lr, steps, X_test=Xt, record=record)
    ntk0 = mlp_ntk(params, X, "relu")
    ntk1 = mlp_ntk(out.params, X, "relu")
    moved = np.linalg.norm(ntk1 - ntk0) / np.linalg.norm(ntk0)
    ax_e, ax_p = fig.axes[0], fig.axes[1]
    plot_theory(ax_e, record, np.mean((f_lin - y) ** 2, axis=1), label="train, NTK theory")
    plot_theory(ax_e, record, np.mean((g_lin - yt) ** 2, axis=1), label="test, NTK theory",
                color=COLORS["secondary"])
    plot_simulation(ax_e, record, np.mean((out.train - y) ** 2, axis=1), label=f"train, width {width}")
    plot_simulation(ax_e, record, np.mean((out.test - yt) ** 2, axis=1), label=f"test, width {width}",
                    color=COLORS["highlight"], marker="s")
    finish_axes(ax_e, xlabel="gradient step", ylabel="mean squared error", logy=True,
                title=f"lr = {lr_fraction:.2f} x 2/lambda_max")
    lim = [min(g_lin[-1].min(), out.test[-1].min()), max(g_lin[-1].max(), out.test[-1].max())]
    ax_p.plot(lim, lim, color=COLORS["muted"], lw=1, ls="--", label="_diag")
    plot_simulation(ax_p, g_lin[-1], out.test[-1], label="test predictions")
    finish_axes(ax_p, xlabel="NTK prediction", ylabel="network prediction",
                title=f"NTK moved by {100 * moved:.1f}% (Frobenius)")


def ntk_dynamics_explorer(width: int = 512, lr_fraction: float = 0.5, steps: int = 200) -> Explorer:
    """Interactive explorer: a finite network trained by gradient descent against the NTK theory.

    Controls: the hidden width, the learning rate (as a fraction of the stability limit
    ``2 / lambda_max``) and the number of steps. See :func:`draw_ntk_dynamics`.

    Parameters
    ----------
    width, lr_fraction, steps
        Initial values of the controls (see :func:`draw_ntk_dynamics`).

    Returns
    -------
    Explorer
        The controls and the figure of :func:`draw_ntk_dynamics`.

    References
    ----------
    :doc:`/chapters/10_ntk`.

    Examples
    --------
    >>> from rmtbook.widgets import ntk_dynamics_explorer
    >>> explorer = ntk_dynamics_explorer(steps=50)
    >>> explorer.update(lr_fraction=0.25).values['lr_fraction']
    0.25
    >>> explorer.png()[:4]  # the figure, as PNG bytes
    b'\x89PNG'
    """
    width = check_int("width", width, low=8, high=8192)
    steps = check_int("steps", steps, low=1, high=2000)
    controls = {
        "width": ipw.IntSlider(value=width, min=16, max=2048, step=16, description="width d"),
        "lr_fraction": ipw.FloatSlider(value=lr_fraction, min=0.05, max=0.95, step=0.05, description="lr x 2/lmax"),
        "steps": ipw.IntSlider(value=steps, min=20, max=1000, step=20, description="steps"),
    }
    return Explorer(draw_ntk_dynamics, controls, title="Gradient descent of a wide network against the NTK", ncols=2)
