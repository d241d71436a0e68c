"""SQLite's way to change a table: build the new one, copy the rows, swap the names.

SQLite's ALTER TABLE cannot add a constraint, change nullability, drop a
foreign key or change a CHECK. Alembic's batch mode does this same
copy-and-swap, but from the *reflected* table, and SQLite reflection loses
CHECK constraints; docbase has the whole target table in its MetaData, so
it rebuilds from that (the procedure of https://sqlite.org/lang_altertable.html,
section 7). Foreign key enforcement must be off meanwhile (``apply`` does
that) or dropping the old table would cascade.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.schema import CreateIndex, CreateTable

from ..ddl.render import DIALECTS

#: The copy's name while SQLite rebuilds a table; never shown to users (``apply`` strips it from errors).
TEMP_PREFIX = "_docbase_new_"


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def rebuild_statements(table: sa.Table, live_columns: list[str], triggers: list[str]) -> list[str]:
    """Statements that recreate ``table`` from the model, keeping the rows of the columns both share."""
    dialect = DIALECTS["sqlite"]
    name, tmp = table.name, f"{TEMP_PREFIX}{table.name}"
    create = str(CreateTable(table).compile(dialect=dialect)).strip()
    create = create.replace(f"CREATE TABLE {_q(name)}", f"CREATE TABLE {_q(tmp)}", 1)
    common = ", ".join(_q(c.name) for c in table.columns if c.name in live_columns)
    out = [create]
    if common:
        out.append(f"INSERT INTO {_q(tmp)} ({common}) SELECT {common} FROM {_q(name)}")
    out += [f"DROP TABLE {_q(name)}", f"ALTER TABLE {_q(tmp)} RENAME TO {_q(name)}"]
    out += [
        str(CreateIndex(ix).compile(dialect=dialect)).strip() for ix in sorted(table.indexes, key=lambda i: str(i.name))
    ]
    out += triggers
    return out
