"""Run the migration diff read-only and word each planned step as a difference, located in the document."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from .. import dburl
from ..db import connections
from ..ddl.metadata import build
from ..migrate.diff import diff
from ..migrate.live import docbase_owned
from ..migrate.plan import Operation
from ..schema.model import Schema
from .policies import policy_findings


class CheckError(Exception):
    """The database could not be read (bad URL, unreachable); one line, exit 2 for usage, 1 otherwise."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


@dataclass(frozen=True)
class Finding:
    line: int
    message: str

    def format(self, path: str) -> str:
        return f"{path}:{self.line}: error: {self.message}" if self.line else f"{path}: error: {self.message}"


def check(schema: Schema, url: str) -> list[Finding]:
    """Every difference between the database at ``url`` and the model, in document order; [] when in step.

    Raises:
        CheckError: the URL is malformed or the database cannot be reached.
    """
    try:
        db = dburl.parse(url)
    except dburl.DbUrlError as exc:
        raise CheckError(str(exc), 2) from None
    target = sa.engine.make_url(db.sqlalchemy())
    if db.dialect == "sqlite" and target.database not in (None, "", ":memory:") and not Path(target.database).exists():
        raise CheckError(
            f"no database at {target.database}; run docbase migrate first, or pass --db"
        )  # never create one
    try:
        engine = connections.engine(url, statement_timeout=0, poolclass=sa.pool.NullPool)
        conn = engine.connect()
    except (sa.exc.DBAPIError, sa.exc.NoSuchModuleError, sa.exc.ArgumentError) as exc:
        raise CheckError(f"cannot connect to {db.shown}: {_first_line(exc)}") from None
    try:
        with conn.begin() as tx:
            findings = _compare(schema, conn)
            tx.rollback()  # policies are compared by applying them: nothing of it may stay
    except sa.exc.DBAPIError as exc:
        raise CheckError(f"cannot read {db.shown}: {_first_line(exc)}") from None
    finally:
        conn.close()
        engine.dispose()
    return sorted(set(findings), key=lambda f: (f.line, f.message))


def _compare(schema: Schema, conn: sa.Connection) -> list[Finding]:
    dialect = conn.dialect.name
    pgvector = dialect == "postgresql" and _has_pgvector(conn)
    names = {t.name for t in schema.tables}
    live = sa.inspect(conn).get_table_names(schema="public" if dialect == "postgresql" else None)
    live_tables = {t for t in live if not docbase_owned(t, names)}
    if not live_tables & names:
        where = ", ".join(sorted(names)[:5]) + (", ..." if len(names) > 5 else "")
        return [Finding(0, f"none of the document's tables is in the database ({where}); run docbase migrate")]
    plan = diff(schema, conn, build(schema, dialect, pgvector), pgvector)
    findings = [_finding(op, schema) for op in plan.changes]
    findings += [Finding(0, w) for w in plan.warnings if w.startswith("type ")]
    if dialect == "postgresql" and not any(f.message.startswith("table ") for f in findings):
        findings += policy_findings(schema, conn)
    return findings


_WORDING: list[tuple[str, str]] = [
    (r"create table (?P<t>\S+)", "table {t} missing in the database"),
    (r"drop table (?P<t>\S+)", "table {t} in the database is not in the document"),
    (r"add column (?P<t>[^.\s]+)\.(?P<c>\S+)", "column {t}.{c} missing in the database"),
    (r"drop column (?P<t>[^.\s]+)\.(?P<c>\S+)", "column {t}.{c} in the database is not in the document"),
    (
        r"allow NULL in (?P<t>[^.\s]+)\.(?P<c>\S+)",
        "column {t}.{c} is NOT NULL in the database; the document allows NULL",
    ),
    (
        r"make (?P<t>[^.\s]+)\.(?P<c>\S+) NOT NULL",
        "column {t}.{c} allows NULL in the database; the document says NOT NULL",
    ),
    (
        r"change type of (?P<t>[^.\s]+)\.(?P<c>\S+) from (?P<a>.+?) to (?P<b>[^ ]+)",
        "column {t}.{c} is {a} in the database; the document says {b}",
    ),
    (r"add index (?P<i>\S+) on (?P<t>\S+)", "index {i} on {t} missing in the database"),
    (r"drop index (?P<i>\S+) on (?P<t>\S+)", "index {i} on {t} in the database is not in the document"),
    (r"add (?P<k>foreign key|unique constraint) on (?P<t>\S+) (?P<c>\(.*\))", "{k} on {t} {c} missing in the database"),
    (
        r"drop (?P<k>foreign key|unique constraint) on (?P<t>\S+) (?P<c>\(.*\))",
        "{k} on {t} {c} in the database is not in the document",
    ),
    (r"add check (?P<n>\S+) on (?P<t>\S+)", "check {n} on {t} missing in the database"),
    (r"change check (?P<n>\S+) on (?P<t>\S+)", "check {n} on {t} differs from the document"),
    (r"drop check (?P<n>\S+) on (?P<t>\S+)", "check {n} on {t} in the database is not in the document"),
    (r"create type (?P<n>\S+)", "type {n} missing in the database"),
    (r"add value (?P<v>.+) to type (?P<n>\S+)", "type {n} lacks the value {v} in the database"),
    (r"enable row level security on (?P<t>\S+)", "row level security is off on {t} in the database"),
    (r"create policy (?P<p>.+) on (?P<t>\S+)", "policy {p} on {t} missing in the database"),
    (r"create (?P<k>function|trigger) (?P<n>\S+)", "{k} {n} missing in the database"),
    (r"keep (?P<t>[^.\s]+)\.(?P<c>\S+) current \(trigger\)", "trigger keeping {t}.{c} current missing in the database"),
    (r"enforce (?P<w>.+) \(trigger\)", "trigger to enforce {w} missing in the database"),
    (r"create the auth schema.*", "the auth schema (auth.users, auth.uid()) is missing in the database"),
]


def _finding(op: Operation, schema: Schema) -> Finding:
    description = op.description.split("; looks like a rename", 1)[0]
    description = description.removesuffix(" (narrowing)").removesuffix(" (narrowing: values removed)")
    for pattern, wording in _WORDING:
        m = re.fullmatch(pattern + r"(?: \(.*\))?", description)
        if m:
            return Finding(_line(schema, m.groupdict()), wording.format(**m.groupdict()))
    return Finding(_line(schema, {"t": op.table}), f"the database differs: {description}")


def _line(schema: Schema, names: dict) -> int:
    table = schema.table(names.get("t") or "")
    if table is None:
        enum = next((e for e in schema.enums if e.name == names.get("n")), None)
        return enum.line if enum else 0
    column = table.column(names.get("c") or "") if names.get("c") else None
    if column is not None and column.line:
        return column.line
    index = next((i for i in table.indexes if i.name and i.name == names.get("i")), None)
    if index is not None and index.line:
        return index.line
    return table.line


def _has_pgvector(conn: sa.Connection) -> bool:
    return conn.exec_driver_sql("SELECT 1 FROM pg_available_extensions WHERE name = 'vector'").first() is not None


def _first_line(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    text = str(orig).strip().splitlines()
    return text[0] if text else type(orig).__name__
