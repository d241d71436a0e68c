"""Model -> notation -> model is identity for what each notation can carry.

Hypothesis draws small random schemas (snake_case and camelCase names,
every scalar type of the vocabulary, single and composite keys, foreign
keys between the drawn tables with ON DELETE actions, NOT NULL, defaults,
enum values, composite UNIQUE) and writes each one out three ways: the
writer's Markdown (Mermaid + column tables), the writer's Mermaid alone,
and docbase's own PostgreSQL DDL. Reading the text back must give the
same tables, columns, keys and constraints. A failure here means either
the writer drops something or a reader misreads its own notation.
"""

from __future__ import annotations

import re
from dataclasses import replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from docbase.ddl import to_ddl
from docbase.pipeline import build_schema
from docbase.schema import Column, ForeignKey, Schema, Table, UniqueConstraint
from docbase.schema.writer import to_markdown, to_mermaid

_NOUNS = (
    "account order invoice project task team note event device ticket "
    "payment shipment vendor report budget channel folder label review"
).split()
_WORDS = (
    "title amount label score summary color weight priority headline body "
    "rating quantity country city price width height caption remark motto"
).split()
_ACTIONS = (None, "cascade", "set null", "restrict")

# (type, extra Column fields): every scalar type of the vocabulary, with sizes where they have one.
_TYPES = (
    ("uuid", {}),
    ("text", {}),
    ("varchar", {"length": 80}),
    ("varchar", {"length": 255}),
    ("integer", {}),
    ("bigint", {}),
    ("smallint", {}),
    ("numeric", {"precision": 12, "scale": 2}),
    ("float", {}),
    ("boolean", {}),
    ("timestamp", {}),
    ("timestamptz", {}),
    ("date", {}),
    ("time", {}),
    ("interval", {}),
    ("json", {}),
    ("jsonb", {}),
    ("bytes", {}),
    ("inet", {}),
    ("array", {"item_type": "text"}),
    ("array", {"item_type": "integer"}),
    ("vector", {"dimension": 8}),
)
_DEFAULTS = {"integer": "0", "bigint": "1", "boolean": "true", "text": "'none'", "timestamptz": "now()"}


def _spell(words: list[str], camel: bool) -> str:
    if camel:
        return words[0] + "".join(w.capitalize() for w in words[1:])
    return "_".join(words)


@st.composite
def schemas(draw: st.DrawFn) -> Schema:
    """A random, valid schema of 1 to 4 tables whose foreign keys point at earlier tables."""
    camel = draw(st.booleans())
    nouns = draw(st.lists(st.sampled_from(_NOUNS), min_size=1, max_size=4, unique=True))
    tables: list[Table] = []
    for i, noun in enumerate(nouns):
        name = _spell([noun, draw(st.sampled_from(("entries", "records", "items")))], camel) if i % 2 else noun + "s"
        used: set[str] = set()
        columns: list[Column] = []
        pk_type = draw(st.sampled_from(("uuid", "bigint", "integer", "text")))
        composite = bool(tables) and draw(st.booleans()) and draw(st.booleans())
        primary_key: tuple[str, ...] = () if composite else ("id",)
        if not composite:
            columns.append(Column("id", pk_type, nullable=False))
            used.add("id")
        fks: list[ForeignKey] = []
        for target in draw(st.lists(st.sampled_from(tables), max_size=2, unique_by=lambda t: t.name)) if tables else []:
            if len(target.primary_key) != 1:
                continue
            base = re.sub(r"s$", "", target.name.split("_")[0]).lower()
            col_name = _spell([base, "id"], camel)
            if col_name.lower() in used:
                continue
            used.add(col_name.lower())
            ref = target.column(target.primary_key[0])
            action = draw(st.sampled_from(_ACTIONS))
            nullable = False if action != "set null" else draw(st.sampled_from((None, True)))
            columns.append(Column(col_name, ref.type, nullable=nullable))
            fks.append(ForeignKey((col_name,), target.name, (target.primary_key[0],), on_delete=action))
        if not composite and draw(st.integers(0, 4)) == 0:  # a tree: a reference to its own table
            parent = _spell(["parent", "id"], camel)
            used.add(parent.lower())
            columns.append(Column(parent, pk_type, nullable=True))
            fks.append(ForeignKey((parent,), name, ("id",), on_delete=draw(st.sampled_from(_ACTIONS))))
        if composite:
            primary_key = tuple(c.name for c in columns[:2]) if len(columns) >= 2 else ()
            columns = [replace(c, nullable=False) if c.name in primary_key else c for c in columns]
            fks = [
                replace(fk, on_delete="cascade") if fk.on_delete == "set null" and fk.columns[0] in primary_key else fk
                for fk in fks
            ]
            if not primary_key:
                columns.insert(0, Column("id", pk_type, nullable=False))
                primary_key = ("id",)
        for _ in range(draw(st.integers(1, 4))):
            words = draw(st.lists(st.sampled_from(_WORDS), min_size=1, max_size=2, unique=True))
            col_name = _spell(words, camel)
            if col_name.lower() in used:
                continue
            used.add(col_name.lower())
            columns.append(_column(draw, col_name))
        unique: list[UniqueConstraint] = []
        plain = [
            c.name for c in columns if c.name not in primary_key and c.type not in ("json", "jsonb", "array", "vector")
        ]
        if plain and draw(st.booleans()):
            unique.append(UniqueConstraint((draw(st.sampled_from(plain)),)))
        if len(plain) >= 2 and draw(st.booleans()):
            pair = tuple(draw(st.lists(st.sampled_from(plain), min_size=2, max_size=2, unique=True)))
            if all(set(u.columns) != set(pair) for u in unique):
                unique.append(UniqueConstraint(pair))
        tables.append(Table(name, tuple(columns), primary_key, tuple(fks), tuple(unique)))
    return Schema(tuple(tables))


def _column(draw: st.DrawFn, name: str) -> Column:
    nullable = draw(st.sampled_from((None, False, True)))
    if draw(st.integers(0, 5)) == 0:
        values = tuple(
            draw(st.lists(st.sampled_from(("draft", "open", "closed", "archived")), min_size=2, unique=True))
        )
        default = f"'{values[0]}'" if draw(st.booleans()) else None
        return Column(name, "enum", nullable=nullable, enum=values, default=default)
    type_, extra = draw(st.sampled_from(_TYPES))
    default = _DEFAULTS.get(type_) if draw(st.booleans()) else None
    return Column(name, type_, nullable=nullable, default=default, **extra)


def _default(value: str | None) -> str | None:
    return None if value is None else value.strip().strip("'").lower()


def _facts(schema: Schema, *, nullability: str = "exact", defaults: bool = True, sql: bool = False) -> dict:
    """The meaningful parts of a model, in a form whose differences read well in a failure.

    ``sql``: an enum with no type name is a text column with CHECK ... IN in SQL, and reads back so.
    """
    out = {}
    for t in schema.tables:
        cols = []
        for c in t.columns:
            type_ = "text" if sql and c.type == "enum" and not c.enum_name else c.type
            fact: tuple = (c.name, type_, tuple(c.enum) if c.enum else None, c.item_type, c.length)
            fact += (c.precision, c.scale, c.dimension)
            if nullability == "exact":
                fact += (c.nullable,)
            elif nullability == "database":
                fact += (c.is_nullable or c.name in t.primary_key,)
            if defaults:
                fact += (_default(c.default),)
            cols.append(fact)
        out[t.name] = {
            "columns": cols,
            "primary_key": t.primary_key,
            "foreign_keys": sorted((fk.columns, fk.ref_table, fk.ref_columns, fk.on_delete) for fk in t.foreign_keys),
            "unique": sorted(tuple(u.columns) for u in t.unique),
        }
    return out


_FAMILY = {
    **dict.fromkeys(("uuid", "text", "varchar", "json", "jsonb", "array", "interval", "inet", "enum"), "text"),
    **dict.fromkeys(("integer", "bigint", "smallint"), "integer"),
    **dict.fromkeys(("timestamp", "timestamptz", "date", "time"), "time"),
    **dict.fromkeys(("bytes", "vector"), "bytes"),
}


def _affinities(schema: Schema) -> dict:
    """What SQLite DDL can carry: names, type families, NULL-ability, keys and enum values."""
    out = {}
    for t in schema.tables:
        cols = [
            (
                c.name,
                _FAMILY.get(c.type, c.type),
                tuple(c.enum) if c.enum else None,
                c.is_nullable and c.name not in t.primary_key,
            )
            for c in t.columns
        ]
        fks = sorted((fk.columns, fk.ref_table, fk.ref_columns, fk.on_delete) for fk in t.foreign_keys)
        out[t.name] = {
            "columns": cols,
            "primary_key": t.primary_key,
            "foreign_keys": fks,
            "unique": sorted(u.columns for u in t.unique),
        }
    return out


def _differences(read: dict, written: dict) -> list[str]:
    """What reading back changed, one line per table fact or column, for a failure message."""
    out = [f"table {n}: missing" for n in written if n not in read]
    out += [f"table {n}: extra" for n in read if n not in written]
    for name in (n for n in written if n in read):
        for key, value in written[name].items():
            got = read[name][key]
            if key == "columns":
                out += [f"{name}: wrote {w} read {g}" for w, g in zip(value, got, strict=False) if w != g]
                if len(value) != len(got):
                    out.append(f"{name}: wrote columns {[c[0] for c in value]} read {[c[0] for c in got]}")
            elif got != value:
                out.append(f"{name}.{key}: wrote {value} read {got}")
    return out


def _read(text: str) -> Schema:
    schema = build_schema(text)
    errors = [d for d in schema.diagnostics if d.level == "error"]
    assert not errors, errors
    return schema


_FAST = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_FAST
@given(schemas())
def test_markdown_reads_back_to_the_same_model(schema: Schema) -> None:
    text = to_markdown(schema)
    assert not _differences(_facts(_read(text)), _facts(schema)), text


@_FAST
@given(schemas())
def test_mermaid_reads_back_what_mermaid_carries(schema: Schema) -> None:
    """Mermaid has no NOT NULL, DEFAULT or ON DELETE; names, types, keys, enums and references survive."""
    text = "```mermaid\n" + to_mermaid(schema) + "```\n"
    read = _read(text)
    expected = _facts(schema, nullability="none", defaults=False)
    for facts in expected.values():
        facts["foreign_keys"] = [(c, t, r, None) for c, t, r, _ in facts["foreign_keys"]]
        facts["unique"] = [u for u in facts["unique"] if len(u) == 1]
    assert not _differences(_facts(read, nullability="none", defaults=False), expected), text


@_FAST
@given(schemas())
def test_postgresql_ddl_reads_back_to_the_same_model(schema: Schema) -> None:
    """docbase's own DDL is a document too; its conventions (uuid ids, now()) may add defaults."""
    text = "```sql\n" + to_ddl(schema, "postgresql", pgvector=True) + "\n```\n"
    read = _read(text)
    written = _facts(schema, nullability="database", defaults=False, sql=True)
    assert not _differences(_facts(read, nullability="database", defaults=False, sql=True), written), text
    for table in schema.tables:
        for column in table.columns:
            if column.default is not None:
                back = read.table(table.name).column(column.name)
                assert _default(back.default) == _default(column.default), (table.name, column.name, text)


def test_writer_keeps_on_delete_in_the_column_table() -> None:
    schema = Schema(
        (
            Table("teams", (Column("id", "uuid", nullable=False),), ("id",)),
            Table(
                "members",
                (Column("id", "uuid", nullable=False), Column("team_id", "uuid", nullable=False)),
                ("id",),
                (ForeignKey(("team_id",), "teams", ("id",), on_delete="cascade"),),
            ),
        )
    )
    read = _read(to_markdown(schema))
    assert read.table("members").foreign_keys[0].on_delete == "cascade"


def test_a_table_named_like_a_generic_heading_reads_under_a_code_heading() -> None:
    schema = Schema(
        (Table("notes", (Column("id", "uuid", nullable=False), Column("body", "text", default="'x'")), ("id",)),)
    )
    read = _read(to_markdown(schema))
    assert read.table("notes").column("body").default == "'x'"


def test_a_relationship_labelled_with_a_column_names_its_target() -> None:
    text = """```mermaid
erDiagram
    accounts { uuid id PK }
    order_entries { uuid id PK }
    invoices {
        uuid id PK
        uuid order_ref FK
        uuid account_ref FK
    }
    order_entries ||--o{ invoices : "order_ref"
    accounts ||--o{ invoices : "account_ref"
```
"""
    fks = {fk.columns: fk.ref_table for fk in _read(text).table("invoices").foreign_keys}
    assert fks == {("order_ref",): "order_entries", ("account_ref",): "accounts"}


def test_docbase_own_auth_users_is_not_the_documents_users() -> None:
    text = """```sql
CREATE TABLE auth.users (id uuid PRIMARY KEY, aud varchar(255));
CREATE TABLE users (id uuid PRIMARY KEY REFERENCES auth.users(id), handle text NOT NULL);
```
"""
    users = _read(text).table("users")
    assert users.column_names == ("id", "handle")
    assert users.foreign_keys[0].ref_table == "auth.users"


@_FAST
@given(schemas())
def test_sqlite_ddl_reads_back_to_the_same_model(schema: Schema) -> None:
    """SQLite DDL goes through the other SQL reader (sqlglot); SQLite has fewer types, so compare affinities."""
    text = "```sqlite\n" + to_ddl(schema, "sqlite") + "\n```\n"
    read = _read(text)
    assert not _differences(_affinities(read), _affinities(schema)), text
