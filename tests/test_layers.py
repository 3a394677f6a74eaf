"""The package's layers: nothing imports upward (CONTRIBUTING.md, 'Layers')."""

import ast
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[1] / "rmtbook"

LAYERS = [
    {"_validation", "_rng", "_typing", "_results", "_chebyshev", "_quadrature", "plotting"},
    {"laws", "ensembles", "hermite"},
    {"resolvents", "kernels", "spectra", "datasets"},
    {"linear", "spiked", "shallow", "deep", "networks", "diagnostics"},
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
