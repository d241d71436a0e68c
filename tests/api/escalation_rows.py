"""Rows as the capability they show: which rows each actor reads, and which rows changed that were not theirs.

Read from the database directly at the start and after each run: a row
owned by tenant A, by a user outside the attackers, or by the system
(catalog, ledger, private tables) must be exactly as it was; a new row must
belong to B, to a tenant the attackers created, or to an attacker; and no
new or changed row may point a foreign key at someone else's row (a
cross-tenant reference). Reads go through the API, as each actor: the rows
that existed at the start and an actor can read must be among those it
could read then.
"""

from __future__ import annotations

from typing import Any

from .escalation_checks import Direct, Key, owner_of, pk_of
from .escalation_world import World

State = dict[str, list[dict[str, Any]]]


def snapshot(w: World, db: Direct) -> State:
    return {t.name: db.rows(t.name) for t in w.schema.tables}


def row_findings(w: World, start: State, now: State, actor_users: frozenset[str]) -> list[str]:
    """Every row change the attackers could not have been allowed to make."""
    out: list[str] = []
    start_index: dict = {}
    now_index: dict = {}
    tenants = {f"{r.table}:{row[r.key]}" for r in w.model.roots for row in now.get(r.table, [])}
    tenants -= {f"{r.table}:{row[r.key]}" for r in w.model.roots for row in start.get(r.table, [])}
    tenants |= {f"{r.table}:{w.tenants['B']}" for r in w.model.roots[:1]}
    audit = w.conventions.audit_table.name if w.conventions.audit_table is not None else None

    def ours(owner: tuple[str, str | None]) -> bool:
        kind, who = owner
        return (kind == "tenant" and who in tenants) or (kind == "user" and who in actor_users)

    for table in w.schema.tables:
        name = table.name
        before = {pk_of(w, name, r): r for r in start.get(name, [])}
        after = {pk_of(w, name, r): r for r in now.get(name, [])}
        for key, row in before.items():
            owner = owner_of(w, start, name, row, start_index)
            if ours(owner) or after.get(key) == row:
                continue
            what = "deleted" if key not in after else f"changed to {_diff(row, after[key])}"
            out.append(f"{name} {key} of {owner} was {what}")
        for key, row in after.items():
            if before.get(key) == row:
                continue
            if key not in before and name != audit and not ours(owner_of(w, now, name, row, now_index)):
                out.append(f"{name} {key}: a new row of {owner_of(w, now, name, row, now_index)}")
            out += _foreign_references(w, now, name, row, key, now_index, ours)
    return out


def _foreign_references(w: World, now: State, name: str, row: dict, key: Key, index: dict, ours) -> list[str]:
    out = []
    users = {w.model.users_table, "auth.users"}
    for fk in w.table(name).foreign_keys:
        if fk.ref_table in users or len(fk.columns) != 1 or row.get(fk.columns[0]) is None:
            continue
        target = w.table(fk.ref_table) if w.schema.table(fk.ref_table) else None
        refs = fk.ref_columns or (target.primary_key if target else ())
        found = _find(now, index, fk.ref_table, tuple(refs), (str(row[fk.columns[0]]),))
        if found is None:
            continue
        owner = owner_of(w, now, fk.ref_table, found, index)
        if owner[0] != "system" and not ours(owner):
            out.append(f"{name} {key}.{fk.columns[0]} points at {fk.ref_table} row of {owner}")
    return out


def _find(state: State, index: dict, table: str, columns: tuple[str, ...], value: Key) -> dict | None:
    spot = ("find", table, columns)
    if spot not in index:
        index[spot] = {tuple(str(r.get(c)) for c in columns): r for r in state.get(table, [])}
    return index[spot].get(value)


def _diff(old: dict, new: dict) -> dict:
    return {k: (old.get(k), v) for k, v in new.items() if old.get(k) != v}


async def read_sets(w: World) -> dict[str, set[tuple[str, Key]]]:
    """(table, primary key) of every row each actor reads through the API."""
    out: dict[str, set[tuple[str, Key]]] = {}
    for actor in w.actors:
        seen: set[tuple[str, Key]] = set()
        for table in w.schema.tables:
            cols = table.primary_key or tuple(c.name for c in table.columns)
            got = await w.client.get(f"/rest/v1/{table.name}?select={','.join(cols)}", headers=actor.headers)
            if got.status_code == 200:
                seen |= {(table.name, pk_of(w, table.name, r)) for r in got.json()}
        out[actor.name] = seen
    return out
