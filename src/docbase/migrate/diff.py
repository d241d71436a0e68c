"""Live database vs the model -> a Plan: Alembic autogenerate, plus what it does not compare.

Alembic's ``compare_metadata`` finds added and removed tables, columns,
indexes, unique constraints and foreign keys, and nullability changes.
docbase adds: column type families, CHECK constraints (enum value lists),
ENUM type values, updated_at triggers, and on PostgreSQL the document's
functions, triggers, RLS and policies. A column dropped and another of the
same type added in the same table is reported as a likely rename.
"""

from __future__ import annotations

import re
import warnings

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.schema import AddConstraint, CreateIndex, CreateTable, DropConstraint, DropIndex

from .. import settings
from ..ddl import postgres, quotas
from ..ddl.checks import quote_table
from ..ddl.metadata import Built, schemas
from ..ddl.render import DIALECTS, sqlite_views, statements
from ..ddl.triggers import PG_FUNCTION, trigger_name, updated_at_triggers, updated_column
from ..rules.quotas import detect_quotas
from ..schema.model import Schema
from ..schema.views import views
from .live import Live, docbase_owned, literals, read_live
from .plan import Operation, Plan
from .types import family, type_change


def initial_plan(schema: Schema, dialect: str, pgvector: bool) -> Plan:
    """Everything, for an empty database."""
    rendered = statements(schema, dialect, pgvector)
    tolerant = (
        set(postgres.routines(schema, extensions=False) + postgres.row_security(schema))
        if dialect == "postgresql"
        else set(sqlite_views(schema))
    )
    ops = [_classify(sql, sql in tolerant) for sql in rendered.statements]
    return Plan(ops, [f"line {line}: {msg}" for line, msg in rendered.notes], created=True)


def _classify(sql: str, tolerant: bool) -> Operation:
    head = sql.split("(", 1)[0].split("\n", 1)[0].strip()
    kind = "create_table" if head.startswith("CREATE TABLE") else "routine" if tolerant else "change"
    return Operation(kind, head[:100], [sql], tolerant=tolerant)


def diff(schema: Schema, conn: sa.Connection, built: Built, pgvector: bool) -> Plan:
    """The plan taking the database behind ``conn`` to the model (``built`` from the same schema)."""
    dialect = conn.dialect.name
    live = read_live(conn)
    plan = Plan(warnings=[f"line {line}: {msg}" for line, msg in built.notes])
    md = built.metadata
    extra_schemas = set(schemas(schema)) if dialect == "postgresql" else set()  # personal.users (ddl.metadata)
    if extra_schemas - set(sa.inspect(conn).get_schema_names()):
        plan.operations.extend(
            Operation("schema", f"create schema {name}", [f"CREATE SCHEMA IF NOT EXISTS {_q(name)}"])
            for name in sorted(extra_schemas)
        )
    ctx = MigrationContext.configure(
        conn,
        opts={
            "compare_type": False,
            "include_name": _include_name({t.name for t in schema.tables}, extra_schemas),
            "include_schemas": bool(extra_schemas),
            "compare_server_default": False,
        },
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Alembic warns about expression indexes it cannot compare
        changes = compare_metadata(ctx, md)
    sa_dialect = DIALECTS[dialect]
    pg = dialect == "postgresql"
    new_tables: set[str] = set()
    flat, renamed = _unique_renames(_flatten(changes))
    for change in flat:
        _alembic_op(change, plan, md, sa_dialect, pg, new_tables, schema)
    if pg:
        _constraint_renames(conn, md, renamed, plan)
    _refuse_unfillable(conn, schema, plan, changes)
    _types(conn, live, md, plan, sa_dialect, pg)
    _checks(live, md, plan, sa_dialect, pg, new_tables)
    if pg:
        _enums(live, schema, built, plan)
        _postgres_extras(conn, live, schema, plan, new_tables)
    _triggers(live, schema, dialect, plan)
    if not pg:
        _sqlite_views(live, schema, plan)
    _renames(plan, "DOC" if schema.path.startswith("<") else schema.path)
    return plan


def _include_name(document_tables: set[str], extra_schemas: set[str] = frozenset()):  # type: ignore[no-untyped-def,assignment]
    """Alembic's filter: the public schema's tables (and those of the schemas the document names), less
    docbase's own (auth_*, history...)."""

    def include(name: str | None, type_: str, parent_names: dict) -> bool:
        if type_ == "schema":
            return name in (None, "public") or name in extra_schemas
        if type_ == "table":
            return not docbase_owned(name, document_tables)
        return True

    return include


def _flatten(changes: list) -> list:
    out = []
    for change in changes:
        out.extend(change if isinstance(change, list) else [change])
    return out


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _alembic_op(change, plan: Plan, md: sa.MetaData, dialect, pg: bool, new_tables: set[str], schema: Schema) -> None:
    kind = change[0]
    add = plan.operations.append
    if kind in ("add_column", "remove_column", "modify_nullable") and change[1] not in (None, "public"):
        change = (kind, None, f"{change[1]}.{change[2]}", *change[3:])  # personal.users (ddl.metadata)
    qt = quote_table if pg else _q
    if kind == "add_table":
        table = change[1]
        new_tables.add(table.fullname)
        stmts = [_compile(CreateTable(table), dialect)]
        stmts += [_compile(CreateIndex(ix), dialect) for ix in sorted(table.indexes, key=lambda i: str(i.name))]
        if pg:
            stmts += [_compile(AddConstraint(fk), dialect) for fk in table.foreign_key_constraints if fk.use_alter]
        add(Operation("create_table", f"create table {table.fullname}", stmts, table.fullname))
    elif kind == "remove_table":
        name = change[1].fullname
        add(Operation("drop", f"drop table {name} (its rows are lost)", [f"DROP TABLE {qt(name)}"], name, True))
    elif kind == "add_column":
        _, _, tname, column = change
        ddl = dialect.ddl_compiler(dialect, None)
        spec = ddl.get_column_specification(column)
        sql = [f"ALTER TABLE {qt(tname)} ADD COLUMN {spec}"] if pg else []
        op = Operation("add_column", f"add column {tname}.{column.name}", sql, tname, rebuild=not pg)
        op.column = (column.name, family(column.type, dialect))
        add(op)
    elif kind == "remove_column":
        _, _, tname, column = change
        sql = [f"ALTER TABLE {qt(tname)} DROP COLUMN {_q(column.name)}"] if pg else []
        op = Operation(
            "drop", f"drop column {tname}.{column.name} (its values are lost)", sql, tname, True, rebuild=not pg
        )
        op.column = (column.name, family(column.type, dialect))
        add(op)
    elif kind == "modify_nullable":
        _, _, tname, cname, _kw, _old, new = change
        if new:
            sql = [f"ALTER TABLE {qt(tname)} ALTER COLUMN {_q(cname)} DROP NOT NULL"] if pg else []
            add(Operation("change", f"allow NULL in {tname}.{cname}", sql, tname, rebuild=not pg))
        else:
            sql = [f"ALTER TABLE {qt(tname)} ALTER COLUMN {_q(cname)} SET NOT NULL"] if pg else []
            add(Operation("change", f"make {tname}.{cname} NOT NULL (narrowing)", sql, tname, True, rebuild=not pg))
    elif kind in ("add_index", "remove_index"):
        ix = change[1]
        tname = ix.table.fullname
        if tname in new_tables:
            return
        if kind == "add_index":
            add(Operation("index", f"add index {ix.name} on {tname}", [_compile(CreateIndex(ix), dialect)], tname))
        else:
            add(Operation("index", f"drop index {ix.name} on {tname}", [_compile(DropIndex(ix), dialect)], tname))
    elif kind in ("add_constraint", "add_fk", "remove_constraint", "remove_fk"):
        constraint = change[1]
        tname = constraint.table.fullname
        if tname in new_tables:
            return
        if kind == "remove_fk" and constraint.referred_table.schema not in (None, "public", *extra_schemas(md)):
            return  # REFERENCES auth.users: created from the document, outside the MetaData
        adding = kind.startswith("add")
        what = "foreign key" if kind.endswith("fk") else "unique constraint"
        cols = ", ".join(c.name for c in constraint.columns)
        element = AddConstraint(constraint) if adding else DropConstraint(constraint)
        sql = [_compile(element, dialect)] if pg else []
        verb = "add" if adding else "drop"
        add(Operation("constraint", f"{verb} {what} on {tname} ({cols})", sql, tname, rebuild=not pg))


def _unique_renames(changes: list) -> tuple[list, list[tuple[str, str, str]]]:
    """A unique constraint Alembic sees dropped and added again on the same columns is the same constraint
    renamed (docbase's former ``uq_t_col`` -> PostgreSQL's ``t_col_key``): never a drop. Returns the other
    changes and (table, old, new) for each such pair."""
    added = {
        (c[1].table.fullname, tuple(col.name for col in c[1].columns)): c
        for c in changes
        if c[0] == "add_constraint" and isinstance(c[1], sa.UniqueConstraint)
    }
    kept, renamed, paired = [], [], set()
    for change in changes:
        if change[0] == "remove_constraint" and isinstance(change[1], sa.UniqueConstraint):
            key = (change[1].table.fullname, tuple(col.name for col in change[1].columns))
            if key in added and key not in paired:
                paired.add(key)
                renamed.append((key[0], str(change[1].name), str(added[key][1].name)))
                continue
        kept.append(change)
    kept = [
        c
        for c in kept
        if not (
            c[0] == "add_constraint"
            and isinstance(c[1], sa.UniqueConstraint)
            and (c[1].table.fullname, tuple(col.name for col in c[1].columns)) in paired
        )
    ]
    return kept, renamed


def _constraint_renames(conn: sa.Connection, md: sa.MetaData, renamed: list, plan: Plan) -> None:
    """PostgreSQL: primary and foreign keys made under docbase's former names (``pk_t``, ``fk_t_col_ref``),
    and the unique constraints paired above, take the names the MetaData gives them (``ALTER TABLE ...
    RENAME CONSTRAINT``: no data moves, a unique's index is renamed with it), so errors quote the same names
    on every database."""
    rows = conn.exec_driver_sql(
        "SELECT n.nspname, c.relname, k.conname, k.contype, "
        "ARRAY(SELECT a.attname FROM unnest(k.conkey) WITH ORDINALITY u(n, i) "
        "JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.n ORDER BY u.i)::text[] "
        "FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE k.contype IN ('p', 'f')"
    ).all()
    live = {}
    for nsp, rel, name, kind, cols in rows:
        full = rel if nsp == "public" else f"{nsp}.{rel}"
        live[(full, kind, tuple(cols))] = name
    for table in md.tables.values():
        for constraint in table.constraints:
            kind = "p" if isinstance(constraint, sa.PrimaryKeyConstraint) else "f"
            if kind == "f" and not isinstance(constraint, sa.ForeignKeyConstraint):
                continue
            old = live.get((table.fullname, kind, tuple(c.name for c in constraint.columns)))
            if old and constraint.name and old != constraint.name and old.startswith(("pk_", "fk_")):
                renamed.append((table.fullname, old, str(constraint.name)))
    for table, old, new in renamed:
        sql = f"ALTER TABLE {quote_table(table)} RENAME CONSTRAINT {_q(old)} TO {_q(new)}"
        plan.operations.append(Operation("constraint", f"rename constraint {old} on {table} to {new}", [sql], table))


def extra_schemas(md: sa.MetaData) -> set[str]:
    """The schemas the document's own tables live in besides public."""
    return {t.schema for t in md.tables.values() if t.schema}


def _refuse_unfillable(conn: sa.Connection, schema: Schema, plan: Plan, changes: list) -> None:
    """A NOT NULL column the existing rows cannot fill is refused at plan time, naming the line and the fix.

    Both databases would fail mid-migration with a message about an internal
    table and no document line; no flag makes such a step work, so it is
    refused even with --allow-destructive.
    """
    for change in _flatten(changes):
        if change[0] == "add_column":
            column = change[3]
            if column.nullable or column.server_default is not None or column.computed is not None:
                continue
            tname, cname = change[2], column.name
            if not _has_rows(conn, tname):
                continue
            why = (
                f"{tname}.{cname} is NOT NULL without a DEFAULT and {tname} already has rows; "
                f"give it a DEFAULT, or make it nullable, fill it in (UPDATE), then make it NOT NULL"
            )
            _mark(plan, f"add column {tname}.{cname}", _where(schema, tname, cname) + why)
        elif change[0] == "modify_nullable" and change[6] is False:
            tname, cname = change[2], change[3]
            if not _has_rows(conn, tname, f"{_q(cname)} IS NULL"):
                continue
            why = (
                f"{tname}.{cname} is NOT NULL but some rows hold NULL in it; "
                f"fill them in first (UPDATE {_q(tname)} SET {_q(cname)} = ... WHERE {_q(cname)} IS NULL), "
                f"or give it a DEFAULT and fill them in"
            )
            _mark(plan, f"make {tname}.{cname} NOT NULL (narrowing)", _where(schema, tname, cname) + why)


def _has_rows(conn: sa.Connection, table: str, where: str = "") -> bool:
    sql = f"SELECT 1 FROM {_q(table)}" + (f" WHERE {where}" if where else "") + " LIMIT 1"
    return conn.exec_driver_sql(sql).first() is not None


def _where(schema: Schema, tname: str, cname: str) -> str:
    table = next((t for t in schema.tables if t.name == tname), None)
    column = table.column(cname) if table else None
    line = column.line if column and column.line else table.line if table else 0
    return f"{schema.path}:{line}: " if line else f"{schema.path}: "


def _mark(plan: Plan, description: str, why: str) -> None:
    for op in plan.operations:
        if op.description == description:
            op.refused = why
            return


def _compile(element, dialect) -> str:
    return str(element.compile(dialect=dialect)).strip()


def _types(conn: sa.Connection, live: Live, md: sa.MetaData, plan: Plan, dialect, pg: bool) -> None:
    inspector = sa.inspect(conn)
    for table in md.sorted_tables:
        if table.name not in live.tables:
            continue
        reflected = {c["name"]: c["type"] for c in inspector.get_columns(table.name, schema="public" if pg else None)}
        for column in table.columns:
            if column.name not in reflected:
                continue
            verdict = type_change(reflected[column.name], column.type, dialect)
            if verdict is None:
                continue
            narrowing, old, new = verdict
            spec = column.type.compile(dialect=dialect)
            sql = [
                f"ALTER TABLE {_q(table.name)} ALTER COLUMN {_q(column.name)} TYPE {spec} USING {_q(column.name)}::{spec}"
            ]
            label = f"change type of {table.name}.{column.name} from {old} to {new}" + (
                " (narrowing)" if narrowing else ""
            )
            plan.operations.append(Operation("change", label, sql if pg else [], table.name, narrowing, rebuild=not pg))


def _checks(live: Live, md: sa.MetaData, plan: Plan, dialect, pg: bool, new_tables: set[str]) -> None:
    for table in md.sorted_tables:
        if table.name in new_tables or table.name not in live.tables:
            continue
        have = dict(live.checks.get(table.name, {}))
        wanted = {c.name: c for c in table.constraints if isinstance(c, sa.CheckConstraint) and c.name}
        for name, check in wanted.items():
            legacy = check.info.get("legacy")
            if name not in have and legacy in have:  # made under docbase's former name (ck_tasks_1)
                sql = [f"ALTER TABLE {quote_table(table.fullname)} RENAME CONSTRAINT {_q(legacy)} TO {_q(name)}"]
                label = f"rename check {legacy} on {table.name} to {name}"
                plan.operations.append(Operation("constraint", label, sql if pg else [], table.name, rebuild=not pg))
                have[name] = have.pop(legacy)
            text = str(check.sqltext)
            enum = bool(check.info.get("enum"))
            if name in have and (not enum or literals(have[name]) == literals(text)):
                continue
            narrowing = name in have and not literals(have[name]) <= literals(text)
            verb = "change" if name in have else "add"
            sql = ([f"ALTER TABLE {_q(table.name)} DROP CONSTRAINT IF EXISTS {_q(name)}"] if name in have else []) + [
                f"ALTER TABLE {_q(table.name)} ADD CONSTRAINT {_q(name)} CHECK ({text})"
            ]
            label = f"{verb} check {name} on {table.name}" + (" (narrowing: values removed)" if narrowing else "")
            plan.operations.append(
                Operation("constraint", label, sql if pg else [], table.name, narrowing, rebuild=not pg)
            )
        ours = re.compile(
            rf"ck_.*|{re.escape(table.name.rpartition('.')[2])}_\w*check\d*"
        )  # the names docbase gives checks
        for name in have:
            if name not in wanted and ours.fullmatch(name):
                sql = [f"ALTER TABLE {_q(table.name)} DROP CONSTRAINT {_q(name)}"] if pg else []
                plan.operations.append(
                    Operation("constraint", f"drop check {name} on {table.name}", sql, table.name, rebuild=not pg)
                )


def _enums(live: Live, schema: Schema, built: Built, plan: Plan) -> None:
    for name, values in postgres.enum_types(schema, built):
        if name not in live.enum_values:
            plan.operations.append(Operation("enum", f"create type {name}", [postgres.create_enum(name, values)]))
            continue
        have = live.enum_values[name]
        for value in values:
            if value not in have:
                sql = f"ALTER TYPE {_q(name)} ADD VALUE IF NOT EXISTS '{value.replace(chr(39), chr(39) * 2)}'"
                plan.operations.append(Operation("enum", f"add value {value!r} to type {name}", [sql]))
        gone = [v for v in have if v not in values]
        if gone:
            plan.warnings.append(f"type {name} keeps values the document no longer lists: {', '.join(gone)}")


def _postgres_extras(conn: sa.Connection, live: Live, schema: Schema, plan: Plan, new_tables: set[str]) -> None:
    if conn.exec_driver_sql("SELECT to_regclass('auth.users')").scalar() is None:
        plan.operations.append(
            Operation("auth", "create the auth schema (auth.users, auth.uid())", [postgres.auth_shim().strip()])
        )
    names = {t.name for t in schema.tables}
    for table in schema.tables:
        if table.rls and table.name not in live.rls:
            sql = f"ALTER TABLE {quote_table(table.name)} ENABLE ROW LEVEL SECURITY"
            plan.operations.append(Operation("rls", f"enable row level security on {table.name}", [sql], table.name))
    for policy in schema.policies:
        bare = policy.table.removeprefix("public.")
        if bare in names and (bare, policy.name) not in live.policies:
            op = Operation(
                "policy", f"create policy {policy.name!r} on {bare}", [postgres.policy_sql(policy)], bare, tolerant=True
            )
            plan.operations.append(op)
    triggers = {t for _, t in live.triggers}
    for routine in schema.routines:
        if routine.kind == "extension" or postgres.creates_schema(routine, schema):
            continue
        if postgres.is_create_schema(routine):
            present = routine.name in live.schemas  # made once; never re-run on a migrated database
        elif routine.kind == "trigger":
            present = routine.name in triggers
        elif routine.kind == "view":
            present = routine.name.removeprefix("public.") in live.views
        else:
            present = routine.name in live.functions
        if not present and routine.sql.strip():
            sql = [routine.sql.strip().rstrip(";").strip()]
            sql += postgres.invoker_rights(routine.name, routine.sql) if routine.kind == "view" else []
            plan.operations.append(
                Operation("routine", f"create {routine.kind} {routine.name}", sql, routine.table, tolerant=True)
            )


def _sqlite_views(live: Live, schema: Schema, plan: Plan) -> None:
    """The document's views SQLite does not hold yet (a changed view keeps its old definition: drop it to renew)."""
    for view in views(schema)[0]:
        if view.sqlite and view.name not in live.views:
            plan.operations.append(Operation("routine", f"create view {view.name}", [view.sqlite], tolerant=True))


def _quota_triggers(live: Live, schema: Schema, dialect: str, plan: Plan) -> None:
    """Plan quotas the document states and the database does not enforce yet (docbase.ddl.quotas)."""
    present = {name for _, name in live.triggers}
    for quota in detect_quotas(schema, settings.load_toml(schema.path if schema.path != "<document>" else None))[0]:
        if quotas.trigger_name(quota) in present or quota.table not in {t.name for t in schema.tables}:
            continue
        sql = quotas.postgres(quota) if dialect == "postgresql" else quotas.sqlite(quota)
        plan.operations.append(
            Operation("trigger", f"enforce {quota.why()} (trigger)", sql, quota.table, rebuild=False)
        )


def _triggers(live: Live, schema: Schema, dialect: str, plan: Plan) -> None:
    _quota_triggers(live, schema, dialect, plan)
    wanted = updated_at_triggers(schema, dialect)
    for table in schema.tables:
        if updated_column(table) is None or (table.name, trigger_name(table.name)) in live.triggers:
            continue
        marker = f'ON "{table.name.replace(chr(34), chr(34) * 2)}" '
        sql = [s for s in wanted if s.startswith("CREATE TRIGGER") and marker in s]
        if dialect == "postgresql":
            sql.insert(0, PG_FUNCTION)
        plan.operations.append(
            Operation("trigger", f"keep {table.name}.updated_at current (trigger)", sql, table.name, rebuild=False)
        )


def _renames(plan: Plan, doc: str) -> None:
    """A dropped column and an added one of the same type family in one table: say it looks like a rename."""
    added: dict[str, list[Operation]] = {}
    for op in plan.operations:
        if op.kind == "add_column" and op.table:
            added.setdefault(op.table, []).append(op)
    for op in plan.operations:
        if op.kind != "drop" or op.column is None:
            continue
        same = [a for a in added.get(op.table or "", []) if a.column and a.column[1] == op.column[1]]
        if not same:
            continue
        old, new = op.column[0], same[0].column[0]
        op.description += f"; looks like a rename to {new}"
        plan.warnings.append(
            f"{op.table}.{old} dropped and {op.table}.{new} added with the same type: this looks like a rename. "
            f'docbase does not rename silently; run ALTER TABLE "{op.table}" RENAME COLUMN "{old}" TO "{new}" '
            f"yourself, or run `docbase migrate {doc} --allow-destructive` to drop the old column and its values"
        )
