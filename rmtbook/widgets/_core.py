"""Machinery shared by every interactive explorer of the book.

An :class:`Explorer` couples a pure drawing function ``draw(fig, **values)`` with ipywidgets
controls. In a live Jupyter kernel it displays as the controls plus a figure that redraws when
a control moves; in the static HTML book (no kernel, no widget JavaScript loaded from any CDN)
its mime bundle also carries a PNG of the default figure and a short note, which the book
renders instead of the widget. Callbacks are plain methods, so tests drive them headlessly:
``explorer.update(ratio=2.0)`` and then read ``explorer.figure``.
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Callable, Mapping
from typing import Any

import ipywidgets as ipw
from ..plotting import new_figure

__all__ = ["Explorer"]

_NOTE = (
    "Interactive explorer: this is the default view. Open the chapter in Jupyter "
    "(download or launch buttons at the top of the page) to move the sliders."
)


class Explorer:
    """Controls plus a figure redrawn by a pure function.

    Parameters
    ----------
    draw
        ``draw(fig, **values)``: clears and redraws ``fig`` for the given control values.
    controls
        Mapping from parameter name to an ipywidgets value widget (sliders, dropdowns...).
    title
        A short caption shown above the controls.
    nrows, ncols
        Layout of the figure's axes passed to :func:`rmtbook.plotting.new_figure`.

    Attributes
    ----------
    figure : matplotlib.figure.Figure
        The figure, redrawn in place by :meth:`update`.
    controls : dict
        The widgets by parameter name.
    values : dict
        The current parameter values.
    """

    def __init__(
        self,
        draw: Callable[..., None],
        controls: Mapping[str, ipw.ValueWidget],
        *,
        title: str = "",
        nrows: int = 1,
        ncols: int = 1,
    ) -> None:
        if not callable(draw):
            raise TypeError(f"draw must be callable, got {type(draw).__name__}")
        self._draw = draw
        self.controls = dict(controls)
        self.title = title
        self.figure, _ = new_figure(nrows, ncols)
        self._output = ipw.Output()
        self._live = False  # becomes True once the widget is displayed in a frontend
        self.values = {name: w.value for name, w in self.controls.items()}
        for name, widget in self.controls.items():
            widget.observe(self._on_change, names="value")
        self.redraw()

    # -- callbacks ---------------------------------------------------------------------------
    def _on_change(self, change: Mapping[str, Any]) -> None:
        for name, widget in self.controls.items():
            if widget is change["owner"]:
                self.values[name] = change["new"]
        self.redraw()
        if self._live:
            self._refresh_output()

    def update(self, **values: Any) -> "Explorer":
        """Set control values (as a reader moving sliders would) and redraw."""
        unknown = set(values) - set(self.controls)
        if unknown:
            raise ValueError(f"unknown control(s) {sorted(unknown)}; valid are {sorted(self.controls)}")
        for name, value in values.items():
            self.controls[name].value = value  # triggers _on_change
        return self

    def redraw(self) -> None:
        """Redraw the figure for the current values."""
        for ax in self.figure.axes:
            ax.clear()
        self._draw(self.figure, **self.values)

    # -- display -----------------------------------------------------------------------------
    def png(self) -> bytes:
        """The current figure as PNG bytes."""
        buf = io.BytesIO()
        self.figure.savefig(buf, format="png", dpi=100)
        return buf.getvalue()

    def _refresh_output(self) -> None:
        from IPython.display import Image, display

        self._output.clear_output(wait=True)
        with self._output:
            display(Image(data=self.png()))

    def widget(self) -> ipw.Widget:
        """The live widget: a title, the controls and the figure."""
        self._live = True
        self._refresh_output()
        children: list[ipw.Widget] = []
        if self.title:
            children.append(ipw.HTML(f"<b>{self.title}</b>"))
        children.append(ipw.HBox(list(self.controls.values()), layout=ipw.Layout(flex_flow="row wrap")))
        children.append(self._output)
        return ipw.VBox(children)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        bundle = self.widget()._repr_mimebundle_(include=include, exclude=exclude) or {}
        png = base64.b64encode(self.png()).decode("ascii")
        bundle["image/png"] = png
        bundle["text/plain"] = f"<{type(self).__name__}: {self.title}> {_NOTE}"
        # without a widget manager (the static book, nbviewer) the default view and the note show
        title = html.escape(self.title or "explorer")
        bundle["text/html"] = (
            f'<figure class="rmtbook-explorer"><img src="data:image/png;base64,{png}" alt="{title}"/>'
            f"<figcaption><em>{html.escape(_NOTE)}</em></figcaption></figure>"
        )
        return bundle
