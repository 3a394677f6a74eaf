"""Explorer for chapter 2: the smoothed spectral density ``Im m(x + i eta) / pi``.

Used by :doc:`/chapters/02_resolvents`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import ipywidgets as ipw
import numpy as np

from .._typing import ArrayLike, RealArray
from .._validation import check_array, check_int, check_scalar
from ..ensembles import wigner_matrix
from ..laws import semicircle
from ..plotting import COLORS, finish_axes, plot_theory
from ._core import Explorer

if TYPE_CHECKING:  # annotations only: importing widgets must not import pyplot
    from matplotlib.figure import Figure

__all__ = ["stieltjes_explorer", "draw_stieltjes", "smoothed_density"]


def smoothed_density(eigs: ArrayLike, x: ArrayLike, eta: float) -> RealArray:
    """``Im m_n(x + i eta) / pi`` for the empirical law of ``eigs``: a Cauchy (Poisson) smoothing.

    ``(1 / (pi n)) sum_i eta / ((lambda_i - x)^2 + eta^2)``, vectorized over ``x``.

    Parameters
    ----------
    eigs
        Eigenvalues ``lambda_1, ..., lambda_n``.
    x
        Evaluation points.
    eta
        Smoothing scale ``> 0``.

    Returns
    -------
    numpy.ndarray
        The smoothed density at every point of ``x`` (same shape as ``x``).

    References
    ----------
    :doc:`/chapters/02_resolvents`; :cite:p:`anderson2010introduction`, Sec. 2.4.

    Examples
    --------
    >>> import numpy as np
    >>> from rmtbook.widgets import smoothed_density
    >>> smoothed_density([0.0], [0.0, 1.0], eta=1.0)  # a Cauchy density of width eta at each eigenvalue
    array([0.31830989, 0.15915494])
    """
    lam = check_array("eigs", eigs, ndim=1)
    xs = check_array("x", x, ndim=1)
    eta = check_scalar("eta", eta, low=0.0, low_open=True)
    return np.mean(eta / ((lam[None, :] - xs[:, None]) ** 2 + eta**2), axis=1) / np.pi


def draw_stieltjes(fig: Figure, *, eta: float = 0.05, n: int = 400, seed: int = 0) -> None:
    """Smoothed empirical density of a Wigner matrix against the semicircle.

    Draws ``Im m_n(x + i eta) / pi`` for one Wigner matrix of size ``n`` (variance 1, fixed
    seed), the semicircle density and the semicircle smoothed at the same ``eta``
    (``Im m(x + i eta) / pi``). For ``eta >> 1/n`` the empirical curve follows the smoothed
    law; for ``eta`` of order ``1/n`` it resolves individual eigenvalues; as ``eta -> 0`` the
    smoothed law tends to the density (the Stieltjes inversion formula).

    Parameters
    ----------
    fig
        Figure with one axes (cleared by the caller).
    eta
        Distance to the real axis, in ``[1e-3, 1]``.
    n
        Matrix size, in ``[20, 2000]``.
    seed
        Seed of the draw.

    References
    ----------
    :doc:`/chapters/02_resolvents`; :cite:p:`wigner1955characteristic`.

    Examples
    --------
    >>> from rmtbook.plotting import new_figure
    >>> from rmtbook.widgets import draw_stieltjes
    >>> fig, _ = new_figure(1, 1)
    >>> draw_stieltjes(fig, n=200)
    >>> len(fig.axes) >= 1
    True
    """
    eta = check_scalar("eta", eta, low=1e-3, high=1.0)
    n = check_int("n", n, low=20, high=2000)
    eigs = np.linalg.eigvalsh(wigner_matrix(n, rng=np.random.default_rng(seed)))
    law = semicircle(1.0)
    x = np.linspace(-2.6, 2.6, 1500)
    ax = fig.axes[0]
    emp = smoothed_density(eigs, x, eta)
    ax.plot(x, emp, color=COLORS["simulation"], lw=1.6,
            label=rf"$\mathrm{{Im}}\, m_n(x+i\eta)/\pi$, n = {n}")
    plot_theory(ax, x, law.stieltjes(x + 1j * eta).imag / np.pi, color=COLORS["secondary"], ls="--",
                label=r"semicircle smoothed, $\mathrm{Im}\, m(x+i\eta)/\pi$")
    plot_theory(ax, x, law.pdf(x), label="semicircle density")
    ax.set_ylim(0, max(0.45, 1.1 * float(emp.max())))
    finish_axes(ax, xlabel="x", ylabel="density", title=rf"Stieltjes inversion at $\eta$ = {eta:.3g}, $n\eta$ = {n * eta:.3g}")


def stieltjes_explorer(eta: float = 0.05, n: int = 400) -> Explorer:
    """Interactive explorer: the smoothed density ``Im m_n(x + i eta)/pi`` of a Wigner matrix.

    Parameters
    ----------
    eta, n
        Initial values of the sliders (``eta`` on a log scale in ``[1e-3, 1]``).

    Returns
    -------
    Explorer

    References
    ----------
    :doc:`/chapters/02_resolvents`.

    Examples
    --------
    >>> from rmtbook.widgets import stieltjes_explorer
    >>> explorer = stieltjes_explorer(eta=0.1)
    >>> explorer.update(eta=0.2).values['eta']
    0.2
    >>> explorer.png()[:4]  # the figure, as PNG bytes
    b'\x89PNG'
    """
    controls = {
        "eta": ipw.FloatLogSlider(value=eta, base=10, min=-3, max=0, step=0.1, description="eta"),
        "n": ipw.IntSlider(value=n, min=50, max=2000, step=50, description="n"),
    }
    return Explorer(draw_stieltjes, controls, title="Stieltjes inversion: smoothing a Wigner spectrum")
