"""Explorer for chapter 3: the limiting spectrum of a sample covariance and a seeded simulation.

Used by :doc:`/chapters/03_marchenko_pastur`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import ipywidgets as ipw
import numpy as np

from .._validation import check_choice, check_int, check_scalar
from ..ensembles import gaussian_data
from ..laws import marchenko_pastur, sample_covariance_law
from ..plotting import COLORS, finish_axes, plot_atom, plot_histogram, plot_theory
from ._core import Explorer

if TYPE_CHECKING:  # annotations only: importing widgets must not import pyplot
    from matplotlib.figure import Figure

__all__ = ["marchenko_pastur_explorer", "draw_marchenko_pastur", "population_eigenvalues"]

_POPULATIONS = ("identity", "two atoms")


def population_eigenvalues(population: str, p: int, separation: float = 4.0) -> np.ndarray:
    """Population eigenvalues used by the explorer (length ``p``).

    Parameters
    ----------
    population
        ``"identity"`` (all eigenvalues 1) or ``"two atoms"`` (half 1, half ``separation``).
    p
        Dimension.
    separation
        The second atom (``>= 1``) of the two-atom population.

    Returns
    -------
    numpy.ndarray
        The ``p`` population eigenvalues, sorted.

    References
    ----------
    :doc:`/chapters/03_marchenko_pastur`.

    Examples
    --------
    >>> from rmtbook.widgets import population_eigenvalues
    >>> population_eigenvalues("two atoms", 4, 3.0)
    array([1., 1., 3., 3.])
    """
    population = check_choice("population", population, _POPULATIONS)
    p = check_int("p", p, low=2)
    separation = check_scalar("separation", separation, low=1.0, high=100.0)
    if population == "identity":
        return np.ones(p)
    t = np.ones(p)
    t[p // 2:] = separation
    return t


def draw_marchenko_pastur(
    fig: Figure,
    *,
    ratio: float = 0.2,
    population: str = "two atoms",
    separation: float = 4.0,
    p: int = 400,
    seed: int = 3,
) -> None:
    """Eigenvalue histogram of one seeded sample covariance against its limiting law.

    Draws ``X = C^{1/2} Z`` (``p x n``, ``n = round(p / ratio)``) and the histogram of the
    nonzero eigenvalues of ``X X^T / n`` (mass ``1 - atom``), the limiting density (the
    Marchenko-Pastur law for the identity, the general law of Silverstein otherwise, computed
    at the realized ratio ``p / n``), the edges of its support and its atom at zero when
    ``p > n``.

    Parameters
    ----------
    fig
        Figure with one axes (cleared by the caller).
    ratio
        Target ``c = p / n`` in ``[0.02, 5]``.
    population
        ``"identity"`` or ``"two atoms"`` (see :func:`population_eigenvalues`).
    separation
        Second population eigenvalue of the two-atom population, in ``[1, 20]``.
    p
        Dimension (``20 <= p <= 2000``).
    seed
        Seed of the draw: the figure is a deterministic function of the arguments.

    References
    ----------
    :cite:p:`marchenko1967distribution,silverstein1995empirical,silverstein1995analysis`.
    :doc:`/chapters/03_marchenko_pastur`.

    Examples
    --------
    >>> from rmtbook.plotting import new_figure
    >>> from rmtbook.widgets import draw_marchenko_pastur
    >>> fig, _ = new_figure(1, 1)
    >>> draw_marchenko_pastur(fig, p=200)
    >>> len(fig.axes) >= 1
    True
    """
    ratio = check_scalar("ratio", ratio, low=0.02, high=5.0)
    population = check_choice("population", population, _POPULATIONS)
    separation = check_scalar("separation", separation, low=1.0, high=20.0)
    p = check_int("p", p, low=20, high=2000)
    n = max(1, int(round(p / ratio)))
    c = p / n
    t = population_eigenvalues(population, p, separation)
    X = gaussian_data(p, n, t, rng=np.random.default_rng(seed))
    eigs = np.linalg.eigvalsh(X @ X.T / n)
    law = marchenko_pastur(c) if population == "identity" else sample_covariance_law(t, c)
    support = law.support()
    hi = max(b for _, b in support)
    x = np.linspace(0.0, 1.08 * hi, 700)
    x = np.unique(np.concatenate([x, [a for a, _ in support], [b for _, b in support]]))
    ax = fig.axes[0]
    nonzero = eigs[eigs > 1e-9 * hi]
    plot_histogram(ax, nonzero, bins=60, range=(0.0, 1.08 * hi), weight=nonzero.size / p,
                   label=f"eigenvalues, p={p}, n={n}")
    density = law.pdf(x)
    plot_theory(ax, x, density, label="limiting density")
    for a, b in support:
        for edge in (a, b):
            ax.axvline(edge, color=COLORS["muted"], ls=":", lw=1.2)
    top = 1.25 * float(density.max())
    if law.atom > 0:
        # the atom is a mass, not a density: its stem is clipped to the density's scale
        plot_atom(ax, 0.0, law.atom, label=f"atom at 0, mass 1 - 1/c = {law.atom:.2f}")
        top = max(top, 1.25 * law.atom) if law.atom < 2 * float(density.max()) else top
    ax.set_ylim(0.0, top)
    title = f"c = {c:.2f}, {'C = I' if population == 'identity' else f'C: eigenvalues 1 and {separation:g}'}"
    title += f", {len(support)} support interval{'s' if len(support) > 1 else ''}"
    finish_axes(ax, xlabel="eigenvalue", ylabel="density", title=title)


def marchenko_pastur_explorer(
    ratio: float = 0.2, population: str = "two atoms", separation: float = 4.0, p: int = 400
) -> Explorer:
    """Interactive explorer: sample-covariance spectrum against its limiting law.

    Sliders for the ratio ``c = p / n`` and the separation of a two-atom population, and a
    choice between the identity and the two-atom population. The default view (``c = 0.2``,
    atoms 1 and 4) shows two separated bulks; increasing ``c`` merges them, and ``c > 1``
    adds the atom at zero.

    Parameters
    ----------
    ratio, population, separation
        Initial control values.
    p
        Dimension of the seeded simulation (fixed).

    Returns
    -------
    Explorer

    References
    ----------
    :doc:`/chapters/03_marchenko_pastur`.

    Examples
    --------
    >>> from rmtbook.widgets import marchenko_pastur_explorer
    >>> explorer = marchenko_pastur_explorer(ratio=0.5)
    >>> explorer.update(ratio=0.1).values['ratio']
    0.1
    >>> explorer.png()[:4]  # the figure, as PNG bytes
    b'\x89PNG'
    """
    p = check_int("p", p, low=20, high=2000)
    controls = {
        "ratio": ipw.FloatSlider(value=ratio, min=0.05, max=3.0, step=0.05, description="c = p/n"),
        "population": ipw.Dropdown(options=list(_POPULATIONS), value=population, description="population"),
        "separation": ipw.FloatSlider(value=separation, min=1.0, max=12.0, step=0.5, description="2nd atom"),
    }

    def draw(fig: Figure, **values: Any) -> None:
        draw_marchenko_pastur(fig, p=p, **values)

    return Explorer(draw, controls, title="Sample covariance spectrum against its deterministic limit")
