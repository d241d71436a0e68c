"""``docbase types python``: the TypedDicts import, and the rows the official client returns match them.

No type checker is installed, so the annotations are checked at runtime
against real responses: every key of a ``Row`` is present and each value is
of the annotated type (``Literal`` values, ``| None``, ``list[str]``...).
"""

from __future__ import annotations

import importlib.util
import sys
import types
import typing
from pathlib import Path

import pytest

from docbase.pipeline import load_schema
from docbase.typegen import generate
from docbase.typegen.python import class_name

from ..conftest import SEEDS
from .conftest import TASKS


def _module(folder: Path, text: str, name: str) -> types.ModuleType:
    doc = folder / f"{name}.md"
    doc.write_text(text)
    source, _ = generate(load_schema(doc), "python")
    path = folder / f"{name}_types.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location(f"{name}_types", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # get_type_hints resolves the string annotations in the module
    spec.loader.exec_module(module)
    return module


def conforms(value: object, hint: object) -> bool:
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if hint is typing.Any:
        return True
    if origin in (typing.Union, types.UnionType):
        return any(conforms(value, a) for a in args)
    if origin is typing.Literal:
        return value in args
    if origin in (typing.NotRequired, typing.Required):
        return conforms(value, args[0])
    if origin is list:
        return isinstance(value, list) and all(conforms(v, args[0]) for v in value)
    if origin is dict:
        return isinstance(value, dict)
    if hint is type(None):
        return value is None
    if hint is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, hint)  # type: ignore[arg-type]


def row_problems(row: dict, typed: type) -> list[str]:
    hints = typing.get_type_hints(typed)
    problems = [f"{k}: missing" for k in hints if k not in row]
    problems += [f"{k}: not in the type" for k in row if k not in hints]
    problems += [f"{k}: {row[k]!r} is not {hints[k]}" for k in hints if k in row and not conforms(row[k], hints[k])]
    return problems


def test_the_checker_can_fail(tmp_path):
    mod = _module(tmp_path, TASKS, "tasks")
    good = {
        "id": "x",
        "project_id": 1,
        "title": "t",
        "status": "todo",
        "estimate": None,
        "labels": ["a"],
        "created_at": "2026-01-01T00:00:00+00:00",
    }
    assert row_problems(good, mod.TasksRow) == []
    assert len(row_problems({**good, "status": "closed"}, mod.TasksRow)) == 1
    assert len(row_problems({**good, "estimate": "3"}, mod.TasksRow)) == 1
    del good["title"]
    assert row_problems(good, mod.TasksRow) == ["title: missing"]


def test_insert_keys_the_database_fills_are_not_required(tmp_path):
    mod = _module(tmp_path, TASKS, "tasks")
    assert mod.TasksInsert.__required_keys__ == {"project_id", "title"}
    assert mod.TasksUpdate.__required_keys__ == frozenset()
    assert typing.get_args(mod.TaskStatus) == ("todo", "doing", "done")
    assert mod.OpenTasksArgs.__required_keys__ == {"p_project"}


@pytest.mark.parametrize("seed", SEEDS, ids=[p.stem for p in SEEDS])
def test_every_seed_module_imports_with_three_types_per_table(tmp_path, seed):
    mod = _module(tmp_path, seed.read_text(), seed.stem.replace("_", "s"))
    for table in load_schema(seed).tables:
        for part in ("Row", "Insert", "Update"):
            assert typing.get_type_hints(getattr(mod, class_name(table.name) + part)) is not None
    assert set(mod.TABLES) == {t.name for t in load_schema(seed).tables}


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_client_rows_match_the_models(tmp_path, db_url):
    supabase = pytest.importorskip("supabase")
    from ..api.test_serve import Server

    mod = _module(tmp_path, TASKS, "tasks")
    server = Server(tmp_path, db_url, document=TASKS)
    server.start()
    try:
        sb = supabase.create_client(server.base, server.service_key)
        project = sb.table("projects").insert({"name": "Launch", "settings": {"a": [1]}}).execute().data[0]
        sb.table("tasks").insert([{"project_id": project["id"], "title": "Docs", "labels": ["x"]}]).execute()
        sb.table("tasks").insert([{"project_id": project["id"], "title": "Ship", "estimate": 5}]).execute()
        for table, typed in (("projects", mod.ProjectsRow), ("tasks", mod.TasksRow)):
            rows = sb.table(table).select("*").execute().data
            assert rows
            for row in rows:
                assert row_problems(row, typed) == [], (table, row)
    finally:
        server.stop()
