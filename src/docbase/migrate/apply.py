"""``migrate``: bring a database in line with the document, in one locked transaction.

The plan is computed *inside* the lock, so of two runs started together the
second sees the first one's work and has nothing to do. Everything runs in
one transaction (PostgreSQL and SQLite both have transactional DDL): an
error rolls back the whole plan, and the message names the step. Every
failure a user can cause (bad URL, wrong password, unrelated tables,
refused destructive changes) is a ``MigrateError`` with a one-line message.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa

from .. import dburl
from ..db import connections
from ..ddl import capture, quotas, row_order
from ..ddl.metadata import build
from ..ddl.render import statements
from ..ddl.triggers import updated_at_triggers
from ..schema.model import Schema
from . import history
from .diff import diff, initial_plan
from .live import docbase_owned
from .lock import begin_locked
from .plan import Operation, Plan
from .rebuild import TEMP_PREFIX, rebuild_statements

SQLITE_TIMEOUT = 60.0


class MigrateError(Exception):
    """A migration that could not (or must not) be applied; nothing was changed."""

    exit_code = 1

    def __init__(self, message: str, plan: Plan | None = None) -> None:
        super().__init__(message)
        #: The plan, when the refusal comes from its steps: printed in full before the message.
        self.plan = plan


def migrate(schema: Schema, url: str, dry_run: bool = False, allow_destructive: bool = False) -> Plan:
    """Create the database from the model when empty, else apply the difference.

    Args:
        schema: the model (a document with errors is refused).
        url: SQLAlchemy database URL (``sqlite:///x.db``, ``postgresql://...``).
        dry_run: compute and return the plan, change nothing.
        allow_destructive: apply drops and narrowing changes instead of refusing.

    Returns:
        The plan; ``plan.applied`` says whether it was applied.

    Raises:
        MigrateError: with a one-line message; the database is unchanged.
    """
    if schema.errors:
        first = schema.errors[0]
        raise MigrateError(f"the document has {len(schema.errors)} error(s), first: line {first.line}: {first.message}")
    with _connect(url) as conn:
        try:
            return _run(schema, conn, dry_run, allow_destructive)
        except sa.exc.DBAPIError as exc:
            _rollback(conn)
            raise MigrateError(_first_line(exc)) from None
        except BaseException:
            _rollback(conn)
            raise


@contextmanager
def _connect(url: str) -> Iterator[sa.Connection]:
    try:
        db = dburl.parse(url)
    except dburl.DbUrlError as exc:
        raise MigrateError(str(exc)) from None
    shown, backend = db.shown, db.dialect
    kwargs: dict = {"isolation_level": "AUTOCOMMIT"} if backend == "sqlite" else {}
    try:
        # not a request: no statement_timeout; and wait out a serving worker's writes (busy_timeout_ms)
        engine = connections.engine(
            url, statement_timeout=0, busy_timeout_ms=int(SQLITE_TIMEOUT * 1000), poolclass=sa.pool.NullPool, **kwargs
        )
        conn = engine.connect()
    except (sa.exc.DBAPIError, sa.exc.NoSuchModuleError, sa.exc.ArgumentError) as exc:
        raise MigrateError(f"cannot connect to {shown}: {_first_line(exc)}") from None
    try:
        yield conn
    finally:
        conn.close()
        engine.dispose()


def _run(schema: Schema, conn: sa.Connection, dry_run: bool, allow_destructive: bool) -> Plan:
    dialect = conn.dialect.name
    if dialect == "postgresql":
        conn.begin()
    begin_locked(conn)
    pgvector = dialect == "postgresql" and _pgvector_available(conn)
    built = build(schema, dialect, pgvector)
    names = {t.name for t in schema.tables}
    live_tables = set(sa.inspect(conn).get_table_names(schema="public" if dialect == "postgresql" else None))
    live_tables = {t for t in live_tables if not docbase_owned(t, names)}
    if not live_tables:
        plan = initial_plan(schema, dialect, pgvector)
    else:
        unrelated = sorted(live_tables - names)
        if unrelated and not history.has_history(conn):
            raise MigrateError(
                f"the database already holds tables docbase did not create ({', '.join(unrelated[:5])}"
                f"{', ...' if len(unrelated) > 5 else ''}); use an empty database"
            )
        plan = diff(schema, conn, built, pgvector)
    plan.document_hash = hashlib.sha256(
        "\n".join(statements(schema, dialect, pgvector).statements).encode()
    ).hexdigest()
    _refuse(plan, schema, allow_destructive)
    if dry_run:
        _rollback(conn)
        return plan
    if plan.empty:
        if dialect == "postgresql":  # access rules may still be new (an older docbase, a changed docbase.toml)
            _apply_access(schema, conn)
            _commit(conn)
        elif row_order.install(conn, schema):  # a database migrated before docbase kept row order
            _commit(conn)
        else:
            _rollback(conn)
        return plan
    if dialect == "sqlite":
        _fold_rebuilds(plan, schema, conn, built)
    capturing = _drop_capture(conn, dialect)
    for op in plan.ordered():
        _execute(conn, op, plan)
    if capturing:
        _restore_capture(conn, schema, dialect)
    if dialect == "sqlite":
        row_order.install(conn, schema)
        problems = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        if problems:
            raise MigrateError(
                f"the change would leave rows in {problems[0][0]} pointing at missing rows in {problems[0][2]}"
            )
    history.record(conn, plan)
    if dialect == "postgresql":
        _apply_access(schema, conn)
    _commit(conn)
    plan.applied = True
    return plan


def _drop_capture(conn: sa.Connection, dialect: str) -> bool:
    """Realtime's capture triggers (docbase.ddl.capture) go while the tables change: on SQLite one naming a
    dropped column would fail the ALTER. Returns whether the database captures changes at all."""
    if not sa.inspect(conn).has_table(capture.CHANGES):
        return False
    if dialect == "sqlite":
        rows = conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall()
        for (name,) in rows:
            if name.startswith(capture.PREFIX):
                conn.exec_driver_sql(f'DROP TRIGGER IF EXISTS "{name.replace(chr(34), chr(34) * 2)}"')
    return True


def _restore_capture(conn: sa.Connection, schema: Schema, dialect: str) -> None:
    """Capture again, over every table's new columns, in the migration's own transaction."""
    for sql in capture.capture_statements(schema, dialect):
        conn.exec_driver_sql(sql)


def _refuse(plan: Plan, schema: Schema, allow_destructive: bool) -> None:
    """Stop before anything runs (dry run too) when a step cannot or must not be applied; the error carries the plan."""
    parts = []
    if plan.refused:
        first = plan.refused[0]
        more = f" (and {len(plan.refused) - 1} more refused step(s), listed above)" if len(plan.refused) > 1 else ""
        parts.append(f"{first.refused}{more}")
    if plan.destructive and not allow_destructive:
        doc = "DOC" if schema.path.startswith("<") else schema.path
        listed = "; ".join(op.description for op in plan.destructive)
        parts.append(
            f"refusing destructive changes: {listed}; run `docbase migrate {doc} --allow-destructive` to apply them"
        )
    if parts:
        raise MigrateError("; also ".join(parts), plan)


def _apply_access(schema: Schema, conn: sa.Connection) -> None:
    """PostgreSQL enforces who sees which rows (docbase.access.policies): roles, grants, RLS, policies.
    Idempotent, so it runs on every migration, after the tables and the document's own policies exist."""
    from ..access import build_access, load_overrides
    from ..access.policies import access_sql

    doc = None if schema.path.startswith("<") else schema.path
    script = access_sql(schema, build_access(schema, load_overrides(doc)))
    conn.connection.driver_connection.execute(script)  # no parameters: psycopg leaves format('%I') alone


def _execute(conn: sa.Connection, op: Operation, plan: Plan) -> None:
    cursor = conn.connection.cursor()
    try:
        for sql in op.statements:
            if op.tolerant and conn.dialect.name == "postgresql":
                cursor.execute("SAVEPOINT docbase_step")
                try:
                    cursor.execute(sql)
                except Exception as exc:  # the document's own SQL: report, keep going
                    cursor.execute("ROLLBACK TO SAVEPOINT docbase_step")
                    plan.warnings.append(f"{op.description}: not created: {_first_line(exc)}")
                    continue
                cursor.execute("RELEASE SAVEPOINT docbase_step")
            else:
                try:
                    cursor.execute(sql)
                except Exception as exc:
                    raise MigrateError(f"{op.description}: {_first_line(exc)}") from None
    finally:
        cursor.close()


def _fold_rebuilds(plan: Plan, schema: Schema, conn: sa.Connection, built) -> None:
    """SQLite: one copy-and-swap per table whose changes need it; that rebuild also redoes its indexes and trigger."""
    tables = {op.table for op in plan.operations if op.rebuild and op.table}
    if not tables:
        return
    inspector = sa.inspect(conn)
    triggers = updated_at_triggers(schema, "sqlite") + quotas.for_schema(schema, "sqlite")
    for op in plan.operations:
        if op.table in tables and op.kind in ("add_column", "change", "constraint", "index", "trigger", "drop"):
            if not (op.kind == "drop" and op.description.startswith("drop table")):
                op.statements = []
    for name in sorted(tables):
        table = built.metadata.tables[name]
        live_cols = [c["name"] for c in inspector.get_columns(name)]
        marker = f'ON "{name.replace(chr(34), chr(34) * 2)}" '
        own = [t for t in triggers if marker in t]
        if sa.inspect(conn).has_table(row_order.MOVES):
            own.append(row_order.forget(name))
        plan.operations.append(
            Operation(
                "rebuild", f"rebuild table {name}", rebuild_statements(table, live_cols, own), name, mechanism=True
            )
        )


def _pgvector_available(conn: sa.Connection) -> bool:
    row = conn.exec_driver_sql("SELECT 1 FROM pg_available_extensions WHERE name = 'vector'").first()
    return row is not None


def _commit(conn: sa.Connection) -> None:
    if conn.dialect.name == "postgresql":
        conn.commit()
    else:
        conn.exec_driver_sql("COMMIT")


def _rollback(conn: sa.Connection) -> None:
    try:
        if conn.dialect.name == "postgresql":
            conn.rollback()
        elif conn.connection.dbapi_connection.in_transaction:
            conn.exec_driver_sql("ROLLBACK")
    except sa.exc.DBAPIError:
        pass


def _first_line(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    text = str(orig).replace(TEMP_PREFIX, "").strip().splitlines()  # SQLite names the rebuild's copy
    return text[0] if text else type(orig).__name__


def _safe(url: str) -> str:
    """The URL with any password masked, for messages."""
    try:
        return dburl.parse(url).shown
    except dburl.DbUrlError:
        return url.split("@")[-1] if "@" in url else url
