"""Dependencies point one way: document -> fragments -> readers | schema -> pipeline -> consumers -> api -> cli.

Reads every module's imports with ``ast`` and fails on an arrow pointing
backwards (STYLE.md, "What docbase takes" 1). Readers and schema share a
layer, so neither may import the other: they meet only in the fragment types,
and ``pipeline`` composes them. ``settings`` is a leaf anyone
may use; a package may always import its own modules.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src" / "docbase"

LAYER = {
    "document": 1,
    "fragments": 2,
    "readers": 3,
    "schema": 3,
    "pipeline": 4,
    "rules": 4,
    "ddl": 5,
    "access": 5,
    "migrate": 6,
    "typegen": 6,
    "auth": 7,
    "conventions": 8,
    "ui": 9,
    "storage": 9,
    "api": 10,
    "seed": 11,
    "cli": 12,
}
LEAVES = {"settings", "dburl", "connections", "__init__"}


def _package(module: Path) -> str:
    rel = module.relative_to(SRC)
    return rel.parts[0].removesuffix(".py")


def _imported_packages(module: Path) -> set[str]:
    tree = ast.parse(module.read_text())
    own = _package(module)
    depth = len(module.relative_to(SRC).parts) - 1
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level == 0 and node.module and node.module.startswith("docbase."):
                found.add(node.module.split(".")[1])
            elif node.level > 0:
                if node.level > depth:  # climbs out of its own package
                    target = (node.module or "").split(".")[0]
                    if target:
                        found.add(target)
                    else:
                        found.update(a.name for a in node.names)
                else:
                    found.add(own)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("docbase."):
                    found.add(alias.name.split(".")[1])
    return found


MODULES = sorted(p for p in SRC.rglob("*.py") if _package(p) not in LEAVES)


@pytest.mark.parametrize("module", MODULES, ids=[str(p.relative_to(SRC)) for p in MODULES])
def test_imports_point_backwards(module: Path):
    own = _package(module)
    assert own in LAYER, f"{own} has no place in the layer list; add it"
    wrong = sorted(p for p in _imported_packages(module) - {own} - LEAVES if p in LAYER and LAYER[p] >= LAYER[own])
    assert not wrong, f"{module.relative_to(SRC)} ({own}) imports {wrong}, which come after or beside it in the flow"
