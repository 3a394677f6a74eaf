"""Sphinx hook: resolve references to the package's top-level names.

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


def setup(app):
    app.connect("missing-reference", _resolve)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
