"""The schema model -> one SQLAlchemy ``MetaData`` per dialect: the only place SQLAlchemy meets the model.

Everything that creates, compares or queries tables (render, migrate, the
API) starts from this MetaData, so the database and the API agree on names,
types and keys. Names are exactly the model's (camelCase kept, reserved
words such as ``user`` quoted by SQLAlchemy when rendered).

Facts that cannot be created are left out and explained in ``Built.notes``
instead of failing the whole build: a foreign key to a table the document
never defines, or to columns that are neither a key nor unique (both
databases reject those), an index on a missing column, a CHECK that SQLite
cannot express. Foreign keys inside a cycle are marked ``use_alter`` so
PostgreSQL creates them after the tables; SQLite keeps them inline.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa

from ..schema.model import Column, ForeignKey, Schema, Table
from .checks import column_checks, fit_name, translate_predicate
from .defaults import default_sql
from .graph import cyclic_foreign_keys
from .indexes import add_indexes
from .types import PlainInt, column_type, is_integer, says_serial


def pg_name(table: str, columns: list[str] | tuple[str, ...], label: str) -> str:
    """The name PostgreSQL gives a constraint the document leaves unnamed (``simple_pk_pkey``,
    ``users_email_key``, ``tasks_project_id_fkey``): its ``makeObjectName``, which shortens the longer of
    table and columns one character at a time until the whole fits in 63 bytes.

    >>> pg_name("simple_pk", (), "pkey"), pg_name("members", ("team_id", "user_id"), "key")
    ('simple_pk_pkey', 'members_team_id_user_id_key')
    >>> len(pg_name("t" * 60, ("c" * 60,), "fkey"))
    63
    """
    name1, name2 = table, "_".join(columns)
    avail = 63 - len(label) - 1 - (1 if name2 else 0)
    n1, n2 = len(name1), len(name2)
    while n1 + n2 > avail:
        if n1 > n2:
            n1 -= 1
        else:
            n2 -= 1
    parts = [name1[:n1], name2[:n2]] if name2 else [name1[:n1]]
    return "_".join([*parts, label])


def _constraint_name(label: str):  # type: ignore[no-untyped-def]
    def name(constraint: sa.Constraint, table: sa.Table) -> str:
        return pg_name(table.name, [c.name for c in constraint.columns], label)

    return name


# PostgreSQL's own names for the constraints the document does not name (PostgREST's errors quote them);
# indexes keep docbase's ix_ names.
NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "%(pg_key)s",
    "fk": "%(pg_fkey)s",
    "pk": "%(pg_pkey)s",
    "pg_key": _constraint_name("key"),
    "pg_fkey": _constraint_name("fkey"),
    "pg_pkey": lambda constraint, table: pg_name(table.name, (), "pkey"),
}


def schemas(schema: Schema) -> list[str]:
    """The schemas the document puts tables in besides ``public`` (``personal`` for ``personal.users``)."""
    return list(dict.fromkeys(t.name.rpartition(".")[0] for t in schema.tables if "." in t.name))


#: Tables outside the model that PostgreSQL provides through the auth shim.
EXTERNAL_TABLES = {"auth.users": ("id",)}


@dataclass
class Built:
    """A MetaData plus what could not go into it, and why."""

    metadata: sa.MetaData
    notes: list[tuple[int, str]] = field(default_factory=list)
    #: Foreign keys to tables the auth shim provides (PostgreSQL only), as (table, fk).
    external_fks: list[tuple[str, ForeignKey]] = field(default_factory=list)


def build_metadata(schema: Schema, dialect: str = "sqlite", pgvector: bool = False) -> sa.MetaData:
    """One ``sqlalchemy.Table`` per model table, with keys, checks and indexes for ``dialect``.

    Args:
        schema: the model.
        dialect: ``"sqlite"`` or ``"postgresql"``.
        pgvector: PostgreSQL only: use ``vector(N)`` for vector columns (else ``real[]``).

    Example:
        >>> from docbase.schema.model import Column, Schema, Table
        >>> md = build_metadata(Schema((Table("user", (Column("id", "uuid"),), primary_key=("id",)),)))
        >>> [c.name for c in md.tables["user"].primary_key]
        ['id']
    """
    return build(schema, dialect, pgvector).metadata


def build(schema: Schema, dialect: str = "sqlite", pgvector: bool = False) -> Built:
    if dialect not in ("sqlite", "postgresql"):
        raise ValueError(f"unknown dialect {dialect!r}; use sqlite or postgresql")
    built = Built(sa.MetaData(naming_convention=NAMING))
    cyclic = cyclic_foreign_keys(schema)
    used_names: set[str] = set()
    for table in schema.tables:
        _add_table(built, schema, table, dialect, pgvector, cyclic, used_names)
    return built


def _add_table(
    built: Built,
    schema: Schema,
    table: Table,
    dialect: str,
    pgvector: bool,
    cyclic: set[tuple[str, int]],
    used_names: set[str],
) -> None:
    names = set(table.column_names)
    items: list[sa.SchemaItem] = [_column(c, table, schema, dialect, pgvector, built) for c in table.columns]
    pk = tuple(c for c in table.primary_key if c in names)
    if pk:
        items.append(sa.PrimaryKeyConstraint(*pk))
    for i, fk in enumerate(table.foreign_keys):
        made = _foreign_key(built, schema, table, fk, dialect, (table.name, i) in cyclic)
        if made is not None:
            items.append(made)
    for uq in table.unique:
        if not set(uq.columns) <= names or not uq.columns:
            built.notes.append((uq.line, f"{table.name}: UNIQUE ({', '.join(uq.columns)}) names a missing column"))
        elif uq.where is None:
            items.append(sa.UniqueConstraint(*uq.columns, name=_unique_name(uq.name, used_names)))
    items.extend(column_checks(table, schema, dialect, built.notes))
    # a serial key is never reused after a delete, as on PostgreSQL: SQLite needs AUTOINCREMENT for that
    numbered = dialect == "sqlite" and len(table.primary_key) == 1 and _serial_key(table)
    options = {"sqlite_autoincrement": True} if numbered else {}
    # personal.users: PostgreSQL's schema "personal"; SQLite has one schema, so the name keeps its prefix
    schema_name, _, bare = table.name.rpartition(".") if dialect == "postgresql" else ("", "", table.name)
    sa_table = sa.Table(bare, built.metadata, *items, schema=schema_name or None, quote=True, **options)
    _add_indexes(built, table, sa_table, schema, dialect, pgvector, used_names)


def _serial_key(table: Table) -> bool:
    column = table.column(table.primary_key[0])
    return column is not None and is_integer(column) and says_serial(column)


def _unique_name(name: str | None, used: set[str]) -> str | None:
    """Index and constraint names are per database (SQLite) or schema (PostgreSQL) and at most 63 bytes."""
    if name is None:
        return None
    name = fit_name(name)
    unique, n = name, 2
    while unique in used:
        unique, n = fit_name(f"{name}_{n}"), n + 1
    used.add(unique)
    return unique


def _column(c: Column, table: Table, schema: Schema, dialect: str, pgvector: bool, built: Built) -> sa.Column:
    in_pk = c.name in table.primary_key
    sole_key = table.primary_key == (c.name,) and is_integer(c)
    autoinc = sole_key and says_serial(c)
    type_ = column_type(c, dialect, schema, pgvector)
    if autoinc and dialect == "sqlite":
        type_ = sa.Integer()  # only "INTEGER PRIMARY KEY" is SQLite's auto-numbered rowid
    elif sole_key and dialect == "sqlite" and type(type_) is sa.Integer:
        type_ = PlainInt()  # the document did not ask for numbering: SQLite must not number it either
    server_default = None
    if not autoinc:
        sql, reason = default_sql(c, dialect, table)
        if reason:
            built.notes.append((c.line, f"{table.name}.{c.name}: {reason}"))
        if sql is not None:
            server_default = sa.text(sql)
    return sa.Column(
        c.name,
        type_,
        quote=True,
        nullable=not in_pk and c.is_nullable,
        server_default=server_default,
        autoincrement=autoinc if table.primary_key == (c.name,) else False,
    )


def _foreign_key(
    built: Built, schema: Schema, table: Table, fk: ForeignKey, dialect: str, cyclic: bool
) -> sa.ForeignKeyConstraint | None:
    where = f"{table.name} ({', '.join(fk.columns)}) -> {fk.ref_table}"
    if not fk.columns or not set(fk.columns) <= set(table.column_names):
        built.notes.append((fk.line, f"foreign key {where}: names a missing column; left out"))
        return None
    target = schema.table(fk.ref_table)
    if target is None:
        if fk.ref_table in EXTERNAL_TABLES:
            if dialect == "postgresql":
                built.external_fks.append((table.name, fk))
            return None
        built.notes.append((fk.line, f"foreign key {where}: no table {fk.ref_table!r} in the document; left out"))
        return None
    ref_cols = fk.ref_columns or target.primary_key
    if not ref_cols or len(ref_cols) != len(fk.columns) or not _is_key(target, ref_cols):
        built.notes.append(
            (fk.line, f"foreign key {where}: ({', '.join(ref_cols)}) is not a primary key or unique; left out")
        )
        return None
    if dialect == "postgresql" and not _types_match(table, fk.columns, target, ref_cols):
        built.notes.append((fk.line, f"foreign key {where}: column types differ, PostgreSQL refuses it; left out"))
        return None
    return sa.ForeignKeyConstraint(
        list(fk.columns),
        [f"{target.name}.{c}" for c in ref_cols],
        name=fk.name,
        ondelete=_action(fk.on_delete),
        onupdate=_action(fk.on_update),
        use_alter=cyclic,
    )


def _action(action: str | None) -> str | None:
    if not action:
        return None
    return action.replace("_", " ").upper()


def _is_key(table: Table, cols: tuple[str, ...]) -> bool:
    wanted = set(cols)
    if not wanted <= set(table.column_names):
        return False
    if set(table.primary_key) == wanted:
        return True
    if any(set(u.columns) == wanted and u.where is None for u in table.unique):
        return True
    return any(ix.unique and ix.where is None and set(ix.column_names) == wanted for ix in table.indexes)


_FAMILY = {"varchar": "text", "enum": "text", "smallint": "int", "integer": "int", "bigint": "int"}


def _types_match(table: Table, cols: tuple[str, ...], target: Table, ref_cols: tuple[str, ...]) -> bool:
    for a, b in zip(cols, ref_cols, strict=True):
        ca, cb = table.column(a), target.column(b)
        if ca is None or cb is None:
            return False
        if _FAMILY.get(ca.type, ca.type) != _FAMILY.get(cb.type, cb.type):
            return False
    return True


def _add_indexes(
    built: Built,
    table: Table,
    sa_table: sa.Table,
    schema: Schema,
    dialect: str,
    pgvector: bool,
    used_names: set[str],
) -> None:
    add_indexes(table, sa_table, schema, dialect, pgvector, built.notes, lambda n: _unique_name(n, used_names))
    for uq in table.unique:
        if uq.where is None or not set(uq.columns) <= set(table.column_names):
            continue
        predicate = translate_predicate(uq.where, dialect)
        if predicate is None:
            built.notes.append((uq.line, f"{table.name}: partial UNIQUE predicate {uq.where!r} unusable here"))
            continue
        name = _unique_name(uq.name or f"uq_{table.name}_{'_'.join(uq.columns)}_partial", used_names)
        sa.Index(name, *[sa_table.c[c] for c in uq.columns], unique=True, **{f"{dialect}_where": sa.text(predicate)})
