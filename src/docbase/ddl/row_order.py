"""SQLite's unordered reads in PostgreSQL's observable order: an updated row moves to the end.

A read without ``order=`` has no promised order on either database, but clients (and
postgrest-js's own tests) see PostgreSQL's heap order and come to rely on it: rows in insertion
order, except that an UPDATE writes a new row version after the others, so the updated row is
read last (exactly so while the table fits in a page or two; on big tables the new version goes
wherever the heap has room, and PostgreSQL promises nothing). SQLite keeps a row in place, so docbase
reads it in rowid order (insertion order) and keeps, per updated row, where it moved to:

- ``_docbase_row_moves``: one row per updated row, ``last_rowid`` the table's highest rowid when it
  was updated and ``seq`` (AUTOINCREMENT) the order of the updates; its triggers keep it: AFTER
  UPDATE re-records the row, AFTER DELETE forgets it, AFTER INSERT forgets a reused rowid and records
  a row inserted below the highest rowid (an explicit key) as moved, as PostgreSQL appends it.
- the read sorts by ``coalesce(last_rowid, rowid), seq``: an updated row sorts after every row
  that existed when it was updated and before every row inserted later (rowids only grow), updated
  rows among themselves in update order.

- an UPDATE or DELETE through the API returns its rows in their old heap order (as PostgreSQL reads
  them) and an UPDATE's moves are re-queued in that order (SQLite visits rows in rowid order); a
  write from another program moves rows in SQLite's visiting order.

The rowid itself cannot move: for an ``INTEGER PRIMARY KEY`` it is the key. Every statement is
idempotent (IF NOT EXISTS, drop-and-create), so installing again after a migration is safe.
"""

from __future__ import annotations

import sqlalchemy as sa

from ..schema.model import Schema, Table
from .capture import outdated_triggers
from .checks import quote_ident

MOVES = "_docbase_row_moves"
PREFIX = "_docbase_order_"

SQLITE_TABLE = f"""CREATE TABLE IF NOT EXISTS {MOVES} (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  tbl TEXT NOT NULL,
  rid INTEGER NOT NULL,
  last_rowid INTEGER NOT NULL,
  UNIQUE (tbl, rid)
)"""


def trigger_names(table: str) -> list[str]:
    """The row-order triggers of ``table``: after update, after delete, after insert."""
    return [f"{PREFIX}{table}_{op}" for op in ("u", "d", "i")]


def sqlite_triggers(table: Table) -> list[str]:
    """Drop-and-create pairs for ``table``'s three triggers."""
    name = table.name.replace("'", "''")
    target = quote_ident(table.name)
    forget_old = f"DELETE FROM {MOVES} WHERE tbl = '{name}' AND rid = OLD.rowid;"
    forget_new = f"DELETE FROM {MOVES} WHERE tbl = '{name}' AND rid = NEW.rowid;"
    last = f"(SELECT max(rowid) FROM {target})"
    bodies = {
        "UPDATE": f"{forget_old} {forget_new} INSERT INTO {MOVES} (tbl, rid, last_rowid) VALUES ('{name}', NEW.rowid, {last});",
        "DELETE": forget_old,
        # a row inserted with a key below the highest (id 3 again after a delete) is still read last
        "INSERT": (
            f"{forget_new} INSERT INTO {MOVES} (tbl, rid, last_rowid) SELECT '{name}', NEW.rowid, m "
            f"FROM (SELECT {last} AS m) WHERE m > NEW.rowid;"
        ),
    }
    out = []
    for trigger, (op, body) in zip(trigger_names(table.name), bodies.items(), strict=True):
        out.append(f"DROP TRIGGER IF EXISTS {quote_ident(trigger)}")
        out.append(f"CREATE TRIGGER {quote_ident(trigger)} AFTER {op} ON {target} BEGIN {body} END")
    return out


def sqlite_statements(schema: Schema) -> list[str]:
    """The moves table, then each document table's triggers (drop-and-create pairs)."""
    out = [SQLITE_TABLE]
    for table in schema.tables:
        out.extend(sqlite_triggers(table))
    return out


def forget(table: str) -> str:
    """After a SQLite table rebuild (rows copied, rowids renumbered): its recorded moves mean nothing."""
    return f"DELETE FROM {MOVES} WHERE tbl = '{table.replace(chr(39), chr(39) * 2)}'"


def install(conn: sa.Connection, schema: Schema) -> bool:
    """Create what is missing or stale, in the caller's transaction; returns whether anything changed."""
    wanted = sqlite_statements(schema)
    rows = conn.exec_driver_sql("SELECT name, sql FROM sqlite_master WHERE type IN ('table', 'trigger')")
    have = {name: sql for name, sql in rows.fetchall()}
    changed = MOVES not in have
    if changed:
        conn.exec_driver_sql(wanted[0])
    for drop, create in outdated_triggers(wanted, have):
        conn.exec_driver_sql(drop)
        conn.exec_driver_sql(create)
        changed = True
    return changed


def order_terms(table: str, rowid: sa.ColumnElement) -> list[sa.ColumnElement]:
    """ORDER BY terms putting ``table``'s rows (``rowid`` is the read's alias of it) in heap-like order."""
    moves = sa.table(MOVES, sa.column("tbl"), sa.column("rid"), sa.column("last_rowid"), sa.column("seq"))

    def moved(column: str) -> sa.ScalarSelect:
        return (
            sa.select(moves.c[column]).where(moves.c.tbl == sa.literal(table), moves.c.rid == rowid).scalar_subquery()
        )

    return [sa.func.coalesce(moved("last_rowid"), rowid), moved("seq")]


def returned_position(table: str, sa_table: sa.Table) -> list[sa.ColumnElement]:
    """Extra RETURNING columns of an UPDATE or DELETE: rowid, the row's place before the write, and the
    highest ``seq`` so far. SQLite computes RETURNING before the row's own AFTER trigger runs, so these
    are the row's old place; the lowest ``seq`` of all returned rows is the one before the statement."""
    rowid = sa.literal_column(f'"{sa_table.name}".rowid')
    moves = sa.table(MOVES, sa.column("seq"))
    return [rowid, *order_terms(table, rowid), sa.select(sa.func.max(moves.c.seq)).scalar_subquery()]


POSITION_WIDTH = 4


def in_old_order(rows: list[tuple]) -> tuple[list[tuple], list[int], int | None]:
    """Rows with ``returned_position``'s columns last -> (rows without them in their old heap order, their
    rowids in that order, the highest ``seq`` before the statement)."""
    ordered = sorted(rows, key=lambda r: (r[-3], -1 if r[-2] is None else r[-2]))
    before = [r[-1] for r in rows]
    known = [b for b in before if b is not None]
    return (
        [r[:-POSITION_WIDTH] for r in ordered],
        [r[-POSITION_WIDTH] for r in ordered],
        min(known) if known else (0 if rows else None),
    )


MOVED = f"SELECT rid, last_rowid FROM {MOVES} WHERE tbl = ? AND seq > ?"


def resequence(table: str, rowids: list[int], before: int, moved: dict[int, int]) -> list[tuple[str, list]]:
    """Statements giving the moves one UPDATE made (``seq > before``; ``moved``: their rid -> last_rowid,
    read with ``MOVED``) the rows' old order, as PostgreSQL appends the new row versions in the order it
    reads them, where SQLite visits rows in rowid order."""
    out: list[tuple[str, list]] = [(f"DELETE FROM {MOVES} WHERE tbl = ? AND seq > ?", [table, before])]
    for rowid in rowids:
        if rowid in moved:
            out.append((f"INSERT INTO {MOVES} (tbl, rid, last_rowid) VALUES (?, ?, ?)", [table, rowid, moved[rowid]]))
    return out
