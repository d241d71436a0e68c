"""Dependencies point one way: document -> fragments -> readers | schema -> pipeline -> consumers -> api -> cli.

Reads every module's imports with ``ast`` and fails on an arrow pointing
backwards (STYLE.md, "What docbase takes" 1). Transports (api, ui, realtime,
storage) ask docbase.access one question through its front door
(``access.decide``); the rules' insides (predicates, policies, references)
are access's own, so a transport importing them decides access by itself. Readers and schema share a
layer, so neither may import the other: they meet only in the fragment types,
and ``pipeline`` composes them. ``settings``, ``dburl`` and ``db`` (the one
database layer) are leaves anyone may use; a package may always import its own modules.
Only ``db`` opens database connections: a module elsewhere that calls a
driver's connect or makes an SQLAlchemy engine fails here.
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
LEAVES = {"settings", "dburl", "db", "__init__"}


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
    "docbase.access.live_rows",
    "docbase.access.principal",
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


#: Calls that open a database connection (or a pool of them): ``module.function`` as the code spells it.
CONNECTING = {
    ("sqlite3", "connect"),
    ("aiosqlite", "connect"),
    ("asyncpg", "connect"),
    ("asyncpg", "create_pool"),
    ("psycopg", "connect"),
    ("psycopg2", "connect"),
    ("sa", "create_engine"),
    ("sqlalchemy", "create_engine"),
}
ENGINE_FACTORIES = {"create_engine", "create_async_engine", "create_pool"}


def _connects(module: Path) -> list[str]:
    """Where ``module`` opens a connection itself: a driver's connect called, or an engine factory imported."""
    found = []
    for node in ast.walk(ast.parse(module.read_text())):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value
            name = owner.id if isinstance(owner, ast.Name) else getattr(owner, "attr", None)
            if (name, node.func.attr) in CONNECTING or node.func.attr in ENGINE_FACTORIES:
                found.append(f"line {node.lineno}: {name}.{node.func.attr}()")
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in {
            "sqlite3",
            "aiosqlite",
            "asyncpg",
            "psycopg",
            "sqlalchemy",
        }:
            found.extend(
                f"line {node.lineno}: imports {a.name}" for a in node.names if a.name in ENGINE_FACTORIES | {"connect"}
            )
    return found


MODULES_EVERYWHERE = sorted(SRC.rglob("*.py"))
CONNECTING_MODULES = sorted(p for p in SRC.rglob("*.py") if _package(p) != "db")


@pytest.mark.parametrize("module", CONNECTING_MODULES, ids=[str(p.relative_to(SRC)) for p in CONNECTING_MODULES])
def test_only_the_database_layer_opens_connections(module: Path):
    """Every connection comes from docbase.db, so none can miss a setting (foreign keys, busy timeout, UTC)."""
    opened = _connects(module)
    assert not opened, f"{module.relative_to(SRC)} connects by itself ({'; '.join(opened)}); use docbase.db.connections"


SECOND_STACKS = ("aiosqlite", "sqlalchemy.ext.asyncio")


@pytest.mark.parametrize("module", MODULES_EVERYWHERE, ids=[str(p.relative_to(SRC)) for p in MODULES_EVERYWHERE])
def test_one_driver_layer(module: Path):
    """SQLAlchemy builds and compiles statements; docbase.db's drivers run them. Its async engine (and
    aiosqlite under it) was a second stack beside the API's, with its own pool and settings."""
    used = [
        name
        for node in ast.walk(ast.parse(module.read_text()))
        for name in (
            [a.name for a in node.names]
            if isinstance(node, ast.Import)
            else [node.module or ""]
            if isinstance(node, ast.ImportFrom)
            else []
        )
        if name.startswith(SECOND_STACKS)
    ]
    assert not used, f"{module.relative_to(SRC)} imports {used}; run statements through docbase.db.core.Engine"


def test_the_connection_check_sees_a_driver_connect(tmp_path):
    """The check above can fail: a module that connects on its own is caught, however it names the driver."""
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import sqlite3\nfrom sqlalchemy import create_engine\n"
        "def f(url):\n    return sqlite3.connect(url), create_engine(url)\n"
    )
    assert sorted(_connects(sample)) == ["line 2: imports create_engine", "line 4: sqlite3.connect()"]


def _class_fields(tree: ast.Module) -> dict[str, set[str]]:
    """Each class's annotated field names, as written in its body."""
    out: dict[str, set[str]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            out[node.name] = {
                s.target.id for s in node.body if isinstance(s, ast.AnnAssign) and isinstance(s.target, ast.Name)
            }
    return out


def test_a_column_fact_is_declared_once():
    """ColumnFragment states a column's facts; the merge's ColumnDraft is built from it, never a second list.

    A draft re-listing them drifts (a fact a reader learns is silently dropped by the merge), so no draft
    class may declare ColumnFragment's column-only facts (those a TableFragment does not also state).
    """
    declared = _class_fields(ast.parse((SRC / "fragments.py").read_text()))
    facts = declared["ColumnFragment"] - declared["TableFragment"] - {"name", "line"}
    repeats = []
    for module in sorted((SRC / "schema").rglob("*.py")):
        for cls, names in _class_fields(ast.parse(module.read_text())).items():
            shared = names & facts
            if cls.endswith("Draft") and len(shared) > 1:
                repeats.append(f"{module.relative_to(SRC)}: class {cls} re-lists {sorted(shared)}")
    assert not repeats, "build it from fragments.ColumnFragment instead:\n" + "\n".join(repeats)


def _runs_a_check(tree: ast.Module) -> list[int]:
    """Lines where a module uses ``check_statement``'s SELECT rather than asking ``is None`` (a class that
    itself defines ``check_statement`` wraps an Access, so it may hand the statement on)."""
    wrappers = {
        id(n)
        for c in ast.walk(tree)
        if isinstance(c, ast.ClassDef)
        and any(isinstance(f, ast.FunctionDef | ast.AsyncFunctionDef) and f.name == "check_statement" for f in c.body)
        for n in ast.walk(c)
    }
    asked = {
        id(n.left)
        for n in ast.walk(tree)
        if isinstance(n, ast.Compare) and all(isinstance(o, ast.Is | ast.IsNot) for o in n.ops)
    }
    return [
        n.lineno
        for n in ast.walk(tree)
        if isinstance(n, ast.Call)
        and isinstance(n.func, ast.Attribute)
        and n.func.attr == "check_statement"
        and id(n) not in asked
        and id(n) not in wrappers
    ]


@pytest.mark.parametrize("module", TRANSPORT_MODULES, ids=[str(p.relative_to(SRC)) for p in TRANSPORT_MODULES])
def test_transports_leave_write_checks_to_access(module: Path):
    """A written row's WITH CHECK (SQLite) is run by ``Access.check_rows``; a transport compiling and running
    ``check_statement`` itself is a second copy of the rule that can drift from it."""
    lines = _runs_a_check(ast.parse(module.read_text()))
    assert not lines, f"{module.relative_to(SRC)}:{lines}: call gate.check_rows(...) instead of running the check"
