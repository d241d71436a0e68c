"""Dependencies point one way: document -> fragments -> readers | schema -> pipeline -> consumers -> api -> cli.

Reads every module's imports with ``ast`` and fails on an arrow pointing
backwards (STYLE.md, "What docbase takes" 1). Transports (api, ui, realtime,
storage) ask docbase.access one question through its front door
(``access.decide``); the rules' insides (predicates, policies, references)
are access's own, so a transport importing them decides access by itself. Readers and schema share a
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
    "check": 7,
    "conventions": 8,
    "ui": 9,
    "storage": 9,
    "realtime": 9,
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


#: What a transport may import from docbase.access: the package (model, builders) and the access question.
ACCESS_FRONT_DOOR = {
    "docbase.access",
    "docbase.access.decide",
    "docbase.access.row_rules",
    "docbase.access.delete_rule",
}
TRANSPORTS = {"api", "ui", "realtime", "storage"}


def _absolute_imports(module: Path) -> set[str]:
    """Every docbase module ``module`` imports, relative imports resolved (``from ..access import x`` ->
    ``docbase.access.x`` when x is a module, else ``docbase.access``)."""
    parts = ("docbase", *module.relative_to(SRC).with_suffix("").parts)
    found: set[str] = set()
    for node in ast.walk(ast.parse(module.read_text())):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("docbase"))
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join([*parts[: -node.level], *([base] if base else [])])
            if not base.startswith("docbase"):
                continue
            for alias in node.names:
                sub = SRC.parent / (base + "." + alias.name).replace(".", "/")
                is_module = sub.with_suffix(".py").exists() or (sub / "__init__.py").exists()
                found.add(f"{base}.{alias.name}" if is_module else base)
    return found


TRANSPORT_MODULES = [p for p in MODULES if _package(p) in TRANSPORTS]


@pytest.mark.parametrize("module", TRANSPORT_MODULES, ids=[str(p.relative_to(SRC)) for p in TRANSPORT_MODULES])
def test_transports_ask_access_through_its_front_door(module: Path):
    inside = sorted(
        m for m in _absolute_imports(module) if m.startswith("docbase.access") and m not in ACCESS_FRONT_DOOR
    )
    assert not inside, f"{module.relative_to(SRC)} reaches into {inside}; ask docbase.access.decide instead"


def test_access_gate_modules_are_not_transport_modules():
    """The enforcement that was api.access_gate lives in access (row_rules, decide); api is transport."""
    assert not (SRC / "api" / "access_gate.py").exists()
    assert (SRC / "access" / "decide.py").exists()


def test_access_answers_without_any_transport():
    """api -> access, never back: the access question knows no HTTP, conventions or auth (they are injected)."""
    for module in sorted((SRC / "access").rglob("*.py")):
        wrong = _imported_packages(module) & (TRANSPORTS | {"conventions", "auth"})
        assert not wrong, f"{module.relative_to(SRC)} imports {sorted(wrong)}"
