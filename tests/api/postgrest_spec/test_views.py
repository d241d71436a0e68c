"""Views from PostgREST's QuerySpec.hs, EmbedDisambiguationSpec.hs and InsertSpec.hs.

A view is read like a table and embeds through its base table's foreign keys
(``projects_view`` holds ``projects.client_id`` and is referenced where
``projects.id`` is); renamed key columns keep the relationship. PostgreSQL
writes through simple views; SQLite's views are read-only (PGRST127), and a
view sqlglot cannot translate to SQLite is refused by name.
"""

from __future__ import annotations

import pytest

from .cases import Case, check, ids

CASES = [
    Case(
        "/projects_view?id=eq.1&select=id, name, clients(*), tasks(id, name)",
        [
            {
                "id": 1,
                "name": "Windows 7",
                "clients": {"id": 1, "name": "Microsoft"},
                "tasks": [{"id": 1, "name": "Design w7"}, {"id": 2, "name": "Code w7"}],
            }
        ],
    ),
    Case(
        "/projects_view_alt?t_id=eq.1&select=t_id, name, clients(*), tasks(id, name)",
        [
            {
                "t_id": 1,
                "name": "Windows 7",
                "clients": {"id": 1, "name": "Microsoft"},
                "tasks": [{"id": 1, "name": "Design w7"}, {"id": 2, "name": "Code w7"}],
            }
        ],
    ),
    Case(
        "/tasks?id=eq.1&select=id,name,projects_view!project(id,name,client(id,name))",
        [
            {
                "id": 1,
                "name": "Design w7",
                "projects_view": {"id": 1, "name": "Windows 7", "client": {"id": 1, "name": "Microsoft"}},
            }
        ],
    ),
    Case(
        "/tasks?id=eq.1&select=id,name,project:projects_view!project_id(id,name,client:client_id(id,name))",
        [
            {
                "id": 1,
                "name": "Design w7",
                "project": {"id": 1, "name": "Windows 7", "client": {"id": 1, "name": "Microsoft"}},
            }
        ],
    ),
    Case("/projects_view?id=gt.2&order=id.desc&select=name", [{"name": "Orphan"}, {"name": "OSX"}, {"name": "IOS"}]),
    Case(
        "/projects_view?select=id&limit=2",
        [{"id": 1}, {"id": 2}],
        request_headers={"Prefer": "count=exact"},
        status=206,
        headers={"Content-Range": "0-1/5"},
    ),
    Case(
        "/tsearch_view?select=id&text_search_vector=fts(english).impossible",
        [{"id": 1}, {"id": 4}],  # to_tsvector('english', ...) stems the French "l'impossible" alike
        pg_only="to_tsvector has no SQLite translation",
        refused_on_sqlite=True,
    ),
    # InsertSpec: writes through a simple (auto-updatable) view
    Case(
        "/projects_view",
        [{"id": 6, "name": "New", "client_id": 2}],
        method="POST",
        status=201,
        json={"id": 6, "name": "New", "client_id": 2},
        request_headers={"Prefer": "return=representation, tx=rollback"},
        pg_only="SQLite views are read-only",
        refused_on_sqlite=True,
    ),
    Case(
        "/projects_view_alt?t_id=eq.1",
        [{"t_id": 1, "name": "Seven", "t_client_id": 1}],
        method="PATCH",
        json={"name": "Seven"},
        request_headers={"Prefer": "return=representation, tx=rollback"},
        pg_only="SQLite views are read-only",
        refused_on_sqlite=True,
    ),
]


@pytest.mark.parametrize("case", CASES, ids=ids(CASES))
async def test_views(spec, case: Case) -> None:
    await check(spec, case)
