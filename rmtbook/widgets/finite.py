"""Explorer for chapter 11: universality of the Marchenko-Pastur law, and where it stops.

Used by :doc:`/chapters/11_finite_n`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import ipywidgets as ipw
import numpy as np

from .._validation import check_choice, check_int, check_scalar
from ..diagnostics import ENTRY_DISTRIBUTIONS, ks_distance, standardized_entries
from ..laws import marchenko_pastur
from ..plotting import COLORS, finish_axes, plot_histogram, plot_theory
from ._core import Explorer

if TYPE_CHECKING:  # annotations only: importing widgets must not import pyplot
    from matplotlib.figure import Figure

__all__ = ["universality_explorer", "draw_universality"]


def draw_universality(
    fig: Figure,
    *,
    distribution: str = "student-t",
    df: float = 3.0,
    ratio: float = 0.5,
    p: int = 400,
    seed: int = 11,
) -> None:
    """Eigenvalue histogram of a sample covariance with i.i.d. non-Gaussian entries against Marchenko-Pastur.

    Draws ``Z`` (``p x n``, ``n = round(p / ratio)``) with i.i.d. standardized entries
    (:func:`rmtbook.diagnostics.standardized_entries`), and plots the histogram of the
    eigenvalues of ``Z Z^T / n`` on ``[0, 1.3 E_+]`` against the Marchenko-Pastur density at the
    realized ratio, the right edge ``E_+ = (1 + sqrt c)^2`` (dotted) and the largest eigenvalue
    (red, its value in the legend even when it lies off the axis). The title reports the
    Kolmogorov-Smirnov distance of the whole spectrum to the law.

    Parameters
    ----------
    fig
        Figure with one axes (cleared by the caller).
    distribution
        One of :data:`rmtbook.diagnostics.ENTRY_DISTRIBUTIONS`.
    df
        Degrees of freedom of the Student-t entries, in ``(2, 50]`` (ignored otherwise).
    ratio
        Target ``c = p / n`` in ``[0.05, 1]``.
    p
        Dimension (``20 <= p <= 2000``).
    seed
        Seed of the draw: the figure is a deterministic function of the arguments.

    References
    ----------
    :cite:p:`marchenko1967distribution`; :cite:p:`bai2010spectral`, Thm 3.6; :cite:p:`bai1988note`.
    :doc:`/chapters/11_finite_n`.

    Examples
    --------
    >>> from rmtbook.plotting import new_figure
    >>> from rmtbook.widgets import draw_universality
    >>> fig, _ = new_figure(1, 1)
    >>> draw_universality(fig, p=200)
    >>> len(fig.axes) >= 1
    True
    """
    distribution = check_choice("distribution", distribution, ENTRY_DISTRIBUTIONS)
    df = check_scalar("df", df, low=2.0, high=50.0, low_open=True)
    ratio = check_scalar("ratio", ratio, low=0.05, high=1.0)
    p = check_int("p", p, low=20, high=2000)
    n = max(p, int(round(p / ratio)))
    c = p / n
    Z = standardized_entries(distribution, (p, n), df=df, rng=np.random.default_rng(seed))
    eigs = np.linalg.eigvalsh(Z @ Z.T / n)
    law = marchenko_pastur(c)
    edge = (1.0 + np.sqrt(c)) ** 2
    top = float(eigs[-1])
    ks = ks_distance(eigs, law)
    ax = fig.axes[0]
    hi = 1.3 * edge
    inside = eigs[eigs <= hi]
    plot_histogram(ax, inside, bins=50, range=(0.0, hi), weight=inside.size / p,
                   label=f"eigenvalues, p={p}, n={n}")
    x = np.linspace(0.0, hi, 600)
    plot_theory(ax, x, law.pdf(x), label="Marchenko-Pastur")
    ax.axvline(edge, color=COLORS["muted"], ls=":", lw=1.2, label=f"edge (1+√c)² = {edge:.2f}")
    ax.axvline(min(top, hi * 0.995), color=COLORS["highlight"], lw=1.5,
               label=f"largest eigenvalue {top:.2f}" + (" (off the axis)" if top > hi else ""))
    ax.set_xlim(0.0, hi)
    name = distribution if distribution != "student-t" else f"Student-t, df = {df:g}"
    finish_axes(ax, xlabel="eigenvalue", ylabel="density", title=f"{name}, c = {c:.2f}: KS distance {ks:.3f}")


def universality_explorer(
    distribution: str = "student-t", df: float = 3.0, ratio: float = 0.5, p: int = 400
) -> Explorer:
    """Interactive explorer: Marchenko-Pastur for non-Gaussian entries.

    A dropdown for the entry law (Gaussian, Rademacher, uniform, Student-t), a slider for the
    degrees of freedom of the Student-t law and one for ``c = p / n``. The default view
    (Student-t with 3 degrees of freedom, ``c = 1/2``) shows the bulk on the Marchenko-Pastur
    density while the largest eigenvalue escapes far beyond the edge: finite variance suffices
    for the law, a finite fourth moment is needed for the edge.

    Parameters
    ----------
    distribution, df, ratio
        Initial control values.
    p
        Dimension of the seeded simulation (fixed).

    Returns
    -------
    Explorer

    References
    ----------
    :doc:`/chapters/11_finite_n`.

    Examples
    --------
    >>> from rmtbook.widgets import universality_explorer
    >>> explorer = universality_explorer(distribution="rademacher")
    >>> explorer.update(ratio=0.25).values['ratio']
    0.25
    >>> explorer.png()[:4]  # the figure, as PNG bytes
    b'\x89PNG'
    """
    p = check_int("p", p, low=20, high=2000)
    controls = {
        "distribution": ipw.Dropdown(options=list(ENTRY_DISTRIBUTIONS), value=distribution, description="entries"),
        "df": ipw.FloatSlider(value=df, min=2.1, max=12.0, step=0.1, description="t: df"),
        "ratio": ipw.FloatSlider(value=ratio, min=0.05, max=1.0, step=0.05, description="c = p/n"),
    }

    def draw(fig: Figure, **values: Any) -> None:
        draw_universality(fig, p=p, **values)

    return Explorer(draw, controls, title="Universality of the Marchenko-Pastur law, and its limits")
