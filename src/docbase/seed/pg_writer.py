"""Bulk writes to PostgreSQL through ``COPY ... FROM STDIN`` (psycopg), with every constraint live.

COPY's text format is written here directly, a block of rows at a time, so
the cost per value is one string operation. Triggers and foreign keys stay
on (no ``session_replication_role`` tricks): PostgreSQL checks every row.
A table a trigger already filled (Supabase documents copy ``auth.users``
into ``public.users``) is loaded through a temporary table and an upsert on
its primary key, so the seeded values win instead of clashing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time

from ..db import connections
from ..schema.model import Table

BLOCK = 5_000
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def quote(name: str) -> str:
    """``auth.users`` -> ``"auth"."users"``; other names quoted whole."""
    if name == "auth.users":
        return '"auth"."users"'
    return '"' + name.replace('"', '""') + '"'


def _text(v: object) -> str:
    """One value in COPY text form (before COPY escaping)."""
    if isinstance(v, str):
        return v
    if v is True:
        return "t"
    if v is False:
        return "f"
    if isinstance(v, datetime):
        return v.isoformat(" ", "microseconds")
    if isinstance(v, date | time):
        return v.isoformat()
    if isinstance(v, bytes):
        return "\\x" + v.hex()
    if isinstance(v, list):
        return "{" + ",".join(_element(x) for x in v) + "}"
    return str(v)


def _element(v: object) -> str:
    if v is None:
        return "NULL"
    if isinstance(v, str):
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return _text(v)


def _vector(v: list) -> str:
    return "[" + ",".join(str(x) for x in v) + "]"


class PgWriter:
    dialect = "postgresql"

    def __init__(self, url: str) -> None:
        self.conn = connections.psycopg_connect(url, statement_timeout=0)  # a bulk load is not a request
        self.vector_columns = self._vector_columns()

    def _vector_columns(self) -> set[tuple[str, str]]:
        rows = self.conn.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = 'public' AND udt_name = 'vector'"
        ).fetchall()
        return {(r[0], r[1]) for r in rows}

    def existing_tables(self) -> set[str]:
        rows = self.conn.execute(
            "SELECT table_schema, table_name FROM information_schema.tables "
            "WHERE table_schema IN ('public', 'auth') AND table_type = 'BASE TABLE'"
        ).fetchall()
        return {name if schema == "public" else f"{schema}.{name}" for schema, name in rows}

    def has_rows(self, table: Table) -> bool:
        return self.conn.execute(f"SELECT EXISTS (SELECT 1 FROM {quote(table.name)})").fetchone()[0]

    def write(self, table: Table, columns: list[str], data: list[list], advance: Callable[[int], None]) -> None:
        if not columns:
            return
        target = quote(table.name)
        upsert = bool(table.primary_key) and self.has_rows(table)
        if upsert:
            self.conn.execute(f"CREATE TEMP TABLE docbase_seed_tmp (LIKE {target}) ON COMMIT DROP")
            target = "docbase_seed_tmp"
        cols = ", ".join(quote(c) for c in columns)
        formats = [_vector if (table.name, c) in self.vector_columns else _text for c in columns]
        n = len(data[0])
        with self.conn.cursor().copy(f"COPY {target} ({cols}) FROM STDIN") as copy:
            for start in range(0, n, BLOCK):
                chunk = [d[start : start + BLOCK] for d in data]
                text = [
                    ["\\N" if v is None else fmt(v).translate(_ESCAPES) for v in values]
                    for fmt, values in zip(formats, chunk, strict=True)
                ]
                copy.write("".join("\t".join(row) + "\n" for row in zip(*text, strict=True)))
                advance(len(chunk[0]))
        if upsert:
            keys = ", ".join(quote(k) for k in table.primary_key)
            sets = ", ".join(f"{quote(c)} = EXCLUDED.{quote(c)}" for c in columns if c not in table.primary_key)
            action = f"DO UPDATE SET {sets}" if sets else "DO NOTHING"
            self.conn.execute(
                f"INSERT INTO {quote(table.name)} ({cols}) SELECT {cols} FROM docbase_seed_tmp "
                f"ON CONFLICT ({keys}) {action}"
            )
            self.conn.execute("DROP TABLE docbase_seed_tmp")

    def update(self, table: Table, keys: list[str], columns: list[str], rows: list[tuple]) -> None:
        sets = ", ".join(f"{quote(c)} = %s" for c in columns)
        where = " AND ".join(f"{quote(k)} = %s" for k in keys)
        with self.conn.cursor() as cur:
            cur.executemany(f"UPDATE {quote(table.name)} SET {sets} WHERE {where}", rows)

    def sync_sequences(self, tables: list[Table]) -> None:
        """Move serial sequences past the ids written, so the next insert through the API does not collide."""
        for table in tables:
            if len(table.primary_key) != 1:
                continue
            col = table.column(table.primary_key[0])
            if col is None or col.type not in ("integer", "bigint", "smallint"):
                continue
            self.conn.execute(
                f"SELECT setval(pg_get_serial_sequence(%s, %s), m) FROM (SELECT max({quote(col.name)}) AS m "
                f"FROM {quote(table.name)}) s WHERE m IS NOT NULL",
                (quote(table.name), col.name),
            )

    def commit(self) -> None:
        self.conn.commit()
        self.conn.close()

    def rollback(self) -> None:
        self.conn.rollback()
        self.conn.close()
