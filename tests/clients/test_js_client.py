"""supabase-js, the official JavaScript client, against ``docbase serve`` on both databases."""

from __future__ import annotations

import pytest

from ..api.test_serve import Server
from .js import run_js

pytestmark = pytest.mark.slow

DOC = """\
```sql
CREATE TABLE authors (id integer PRIMARY KEY, name text NOT NULL);
CREATE TABLE books (
  id integer PRIMARY KEY,
  title text NOT NULL,
  author_id integer NOT NULL REFERENCES authors(id)
);
```
"""


@pytest.fixture
def server(tmp_path, db_url):
    s = Server(tmp_path, db_url, document=DOC)
    s.start()
    yield s
    s.stop()


def test_insert_embed_filter_and_errors(server):
    result = run_js(
        server.base,
        server.service_key,
        """
        await supabase.from("authors").insert([{ id: 1, name: "Ann" }, { id: 2, name: "Bob" }]);
        await supabase.from("books").insert([
          { id: 1, title: "One", author_id: 1 },
          { id: 2, title: "Two", author_id: 2 },
        ]);
        const embed = await supabase.from("books").select("id, authors(name)").order("id");
        const counted = await supabase.from("authors").select("*", { count: "exact", head: true });
        const single = await supabase.from("authors").select("name").eq("id", 2).single();
        const dup = await supabase.from("authors").insert({ id: 1, name: "again" });
        const missing = await supabase.from("nope").select("*");
        return {
          embed: embed.data,
          count: counted.count,
          single: single.data,
          dup: dup.error && dup.error.code,
          missing: [missing.status, missing.error && missing.error.code],
        };
        """,
    )
    assert result == {
        "embed": [{"id": 1, "authors": {"name": "Ann"}}, {"id": 2, "authors": {"name": "Bob"}}],
        "count": 2,
        "single": {"name": "Bob"},
        "dup": "23505",
        "missing": [404, "PGRST205"],
    }


def test_anon_is_refused(server):
    result = run_js(
        server.base,
        server.anon_key,
        """
        const r = await supabase.from("authors").insert({ id: 9, name: "x" });
        return [r.status, r.error && r.error.code];
        """,
    )
    assert result[0] in (401, 403) and result[1] == "42501"
