"""The package's layers: nothing imports upward, and no module reads another's private names (CONTRIBUTING.md, 'Layers')."""

import ast
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[1] / "rmtbook"

LAYERS = [
    {"_validation", "_rng", "_typing", "_results", "_chebyshev", "_quadrature", "_pair_quadrature",
     "_silverstein", "_density_model", "_quantile_atoms", "plotting", "display"},
    {"laws", "fluctuations", "ensembles", "hermite"},
    {"resolvents", "kernels", "_kernel_core", "spectra", "datasets"},
    {"linear", "spiked", "shallow", "deep", "networks", "diagnostics", "gaussian_equivalence", "dynamics",
     "feature_learning", "proportional"},
    {"widgets", "exercises"},
]
LEVEL = {name: i for i, layer in enumerate(LAYERS) for name in layer}


def _module_of(path: Path) -> str:
    rel = path.relative_to(PKG).with_suffix("")
    return rel.parts[0]


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    depth_of_file = len(path.relative_to(PKG).parts) - 1  # 0 for rmtbook/x.py, 1 for rmtbook/widgets/x.py
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level == 0 and node.module and node.module.split(".")[0] == "rmtbook":
                parts = node.module.split(".")[1:]
            elif node.level > 0:
                up = node.level - 1
                if up < depth_of_file:  # relative import inside a subpackage
                    continue
                parts = (node.module or "").split(".") if node.module else []
            else:
                continue
            if parts and parts[0]:
                found.add(parts[0])
            else:
                found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                bits = alias.name.split(".")
                if bits[0] == "rmtbook" and len(bits) > 1:
                    found.add(bits[1])
    return found


def test_every_module_has_a_layer():
    modules = {_module_of(p) for p in PKG.rglob("*.py") if p.name != "__init__.py" or p.parent != PKG}
    assert modules <= set(LEVEL), f"modules without a layer: {modules - set(LEVEL)}"


@pytest.mark.parametrize("path", sorted(p for p in PKG.rglob("*.py") if p != PKG / "__init__.py"), ids=str)
def test_no_upward_imports(path):
    me = _module_of(path)
    for other in _imported_modules(path):
        if other in LEVEL and other != me:
            assert LEVEL[other] <= LEVEL[me], f"{me} (layer {LEVEL[me]}) imports {other} (layer {LEVEL[other]})"


# Shared private toolkits: modules whose name starts with "_" exist to be imported; a private name
# (leading underscore) of any other module is that module's business alone.
TOOLKITS = {name for name in LEVEL if name.startswith("_")}


def _private_names_used(path: Path) -> set[tuple[str, str]]:
    """(module, name) for each private name of another rmtbook module that ``path`` imports or reads.

    Catches ``from .kernels import _x``, ``from rmtbook.kernels import _x`` and ``alias._x`` where
    ``alias`` is bound by ``from . import kernels as alias`` or ``import rmtbook.kernels as alias``.
    """
    tree = ast.parse(path.read_text())
    depth_of_file = len(path.relative_to(PKG).parts) - 1
    aliases: dict[str, str] = {}
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level == 0 and node.module and node.module.split(".")[0] == "rmtbook":
                parts = node.module.split(".")[1:]
            elif node.level > 0 and node.level - 1 >= depth_of_file:
                parts = (node.module or "").split(".") if node.module else []
            else:
                continue
            for alias in node.names:
                if parts and parts[0]:
                    if alias.name.startswith("_"):
                        found.add((parts[0], alias.name))
                else:  # from . import kernels as _kernels
                    aliases[alias.asname or alias.name] = alias.name
        elif isinstance(node, ast.Import):
            for alias in node.names:
                bits = alias.name.split(".")
                if bits[0] == "rmtbook" and len(bits) > 1 and alias.asname:
                    aliases[alias.asname] = bits[1]
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                and node.value.id in aliases and node.attr.startswith("_") and not node.attr.startswith("__")):
            found.add((aliases[node.value.id], node.attr))
    return found


@pytest.mark.parametrize("path", sorted(p for p in PKG.rglob("*.py") if p != PKG / "__init__.py"), ids=str)
def test_no_private_names_of_other_modules(path):
    me = _module_of(path)
    for other, name in sorted(_private_names_used(path)):
        assert other == me or other in TOOLKITS, f"{me} uses the private name {name} of {other}: move it to a shared toolkit (rmtbook/_*.py)"


def test_private_name_detector_sees_both_spellings(tmp_path):
    """The rule above is only as good as its detector: check it on the spellings it must catch."""
    pkg = tmp_path / "rmtbook"
    pkg.mkdir()
    (pkg / "deep.py").write_text(
        "from .kernels import _dual, public\n"
        "from rmtbook.laws import _solver\n"
        "from . import hermite as _h\n"
        "import rmtbook.spiked as sp\n"
        "x = _h._hermite_values\ny = _h.get_activation\nz = sp._bbp\n"
        "from ._kernel_core import dual\n"
    )
    globals()["PKG"], saved = pkg, PKG
    try:
        assert _private_names_used(pkg / "deep.py") == {
            ("kernels", "_dual"), ("laws", "_solver"), ("hermite", "_hermite_values"), ("spiked", "_bbp")
        }
    finally:
        globals()["PKG"] = saved
