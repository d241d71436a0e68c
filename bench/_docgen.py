"""A large design document in mixed notations, generated for the reading benchmark.

Each table is written in one of five notations in turn (SQL, column table,
Mermaid, bullet list, ASCII box), ten columns each, with foreign keys to
earlier tables, so every reader and every merge pass does its share of the
work and the document grows linearly with the number of tables.
"""

from __future__ import annotations

NOTATIONS = ("sql", "table", "mermaid", "bullets", "ascii")
_EXTRA = (
    ("title", "varchar(120)", "VARCHAR(120)"),
    ("amount_cents", "bigint", "BIGINT"),
    ("is_active", "boolean", "BOOLEAN"),
    ("notes", "text", "TEXT"),
    ("score", "numeric(10,2)", "NUMERIC(10,2)"),
    ("payload", "jsonb", "JSONB"),
    ("happened_on", "date", "DATE"),
)


def table_name(i: int) -> str:
    return f"entity_{i:05d}s"


def _columns(i: int) -> list[tuple[str, str, str, str | None]]:
    """(name, mermaid/sql type, upper type, referenced table) for table ``i``: 10 columns."""
    cols = [("id", "uuid", "UUID", None)]
    for k in (1, 7):
        if i >= k:
            cols.append((f"entity_{i - k:05d}_id", "uuid", "UUID", table_name(i - k)))
    cols += [(n, t, u, None) for n, t, u in _EXTRA[: 10 - len(cols) - 1]]
    cols.append(("created_at", "timestamptz", "TIMESTAMPTZ", None))
    return cols


def _sql(i: int) -> list[str]:
    lines = ["```sql", f"CREATE TABLE {table_name(i)} ("]
    body = []
    for name, typ, _, ref in _columns(i):
        extra = " PRIMARY KEY" if name == "id" else ""
        if ref:
            extra = f" NOT NULL REFERENCES {ref}(id) ON DELETE CASCADE"
        body.append(f"  {name} {typ}{extra}")
    return lines + [",\n".join(body), ");", "```"]


def _table(i: int) -> list[str]:
    out = ["| Column | Type | Constraints | Description |", "|---|---|---|---|"]
    for name, _, upper, ref in _columns(i):
        cons = "PRIMARY KEY" if name == "id" else (f"NOT NULL, FK → {ref}.id (CASCADE)" if ref else "")
        out.append(f"| {name} | {upper} | {cons} | the {name.replace('_', ' ')} |")
    return out


def _mermaid(i: int) -> list[str]:
    out = ["```mermaid", "erDiagram", f"    {table_name(i)} {{"]
    for name, typ, _, ref in _columns(i):
        out.append(f"        {typ} {name}{' PK' if name == 'id' else ' FK' if ref else ''}")
    out.append("    }")
    out += [f'    {ref} ||--o{{ {table_name(i)} : "{name}"' for name, _, _, ref in _columns(i) if ref]
    return out + ["```"]


def _bullets(i: int) -> list[str]:
    out = []
    for name, _, upper, ref in _columns(i):
        cons = ", Primary Key" if name == "id" else (f", Not Null, Foreign Key to `{ref}.id`" if ref else "")
        out.append(f"* `{name}`: {upper}{cons}")
    return out


def _ascii(i: int) -> list[str]:
    rows = [table_name(i).upper()]
    body = [
        f"{name} (PK)" if name == "id" else f"{name} (FK → {ref})" if ref else name for name, _, _, ref in _columns(i)
    ]
    width = max(len(r) for r in rows + body) + 2
    bar = "+" + "-" * width + "+"
    out = ["```", bar, f"| {rows[0]:<{width - 1}}|", bar]
    out += [f"| {r:<{width - 1}}|" for r in body]
    return out + [bar, "```"]


_WRITERS = {"sql": _sql, "table": _table, "mermaid": _mermaid, "bullets": _bullets, "ascii": _ascii}


def document(tables: int) -> str:
    """A document of ``tables`` tables, each under its own heading, notations taken in turn."""
    out = ["# Generated schema", ""]
    for i in range(tables):
        notation = NOTATIONS[i % len(NOTATIONS)]
        out += [f"## {table_name(i)}", "", f"Rows of kind {i} ({notation}).", ""]
        out += _WRITERS[notation](i)
        out.append("")
    return "\n".join(out)
