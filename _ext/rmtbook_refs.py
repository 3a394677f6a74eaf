"""Sphinx hooks: resolve references to the package's top-level names; Colab links.

The API reference documents each function once, in the module that defines it
(``rmtbook.laws.marchenko_pastur``), while chapters and docstrings naturally write the public
spelling ``rmtbook.marchenko_pastur``. This hook maps a missing ``rmtbook.NAME`` reference to the
defining module's entry.
"""

from __future__ import annotations

import importlib

from sphinx.addnodes import pending_xref


def _resolve(app, env, node: pending_xref, contnode):
    if node.get("refdomain") != "py":
        return None
    target = node.get("reftarget", "")
    if not target.startswith("rmtbook.") or target.count(".") != 1:
        return None
    name = target.split(".", 1)[1]
    package = importlib.import_module("rmtbook")
    obj = getattr(package, name, None)
    module = getattr(obj, "__module__", None)
    if obj is None or not module or not module.startswith("rmtbook."):
        return None
    domain = env.get_domain("py")
    node = node.deepcopy()
    node["reftarget"] = f"{module}.{name}"
    return domain.resolve_xref(env, node.get("refdoc", ""), app.builder, node["reftype"],
                               node["reftarget"], node, contnode)


def _colab_to_notebook_copies(app, pagename, templatename, context, doctree):
    """Point Colab buttons at ``notebooks/<page>.ipynb``: Colab cannot open MyST Markdown."""
    for group in context.get("header_buttons", []):
        if group.get("label") != "launch-buttons":
            continue
        for button in group.get("buttons", []):
            url = button.get("url", "")
            if button.get("text") == "Colab" and url.endswith(".md"):
                head, _, tail = url.rpartition("/blob/")
                branch, _, path = tail.partition("/")
                button["url"] = f"{head}/blob/{branch}/notebooks/{path.rsplit('/', 1)[-1][:-3]}.ipynb"


def setup(app):
    app.connect("missing-reference", _resolve)
    app.connect("html-page-context", _colab_to_notebook_copies, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
