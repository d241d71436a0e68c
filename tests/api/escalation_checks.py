"""What the actors may do, measured from the database itself, and the rule that it never grows.

Authority is read straight from the database (``Direct``), not through the
API the actors attack: each user's role level in each tenant (membership
rows, role lookups resolved), which user every API-key row acts as, and
the privileged profile columns. Rows are owned by a tenant, a user or the
system (catalog, ledger and private tables), following the access model's
foreign-key path. The coalition is B and its members (plus tenants they
create); everything else - tenant A, strangers, system rows - is foreign.
"""

from __future__ import annotations

import sqlite3
import uuid
from dataclasses import dataclass, field
from typing import Any

from docbase.access.model import TableAccess

from .escalation_world import PLANTED, World, level_number

Key = tuple[str, ...]


def _plain(value: Any) -> Any:
    return str(value) if isinstance(value, uuid.UUID) else value


class Direct:
    """One connection of the test's own, reading committed rows beside the API's driver."""

    def __init__(self, url: str) -> None:
        self.pg = url.startswith("postgresql")
        if self.pg:
            import psycopg

            self.conn: Any = psycopg.connect(url, autocommit=True)
        else:
            self.conn = sqlite3.connect(url.split("///", 1)[1], isolation_level=None)

    def rows(self, table: str) -> list[dict[str, Any]]:
        cur = self.conn.execute(f'SELECT * FROM "{table}"')
        names = [d[0] for d in cur.description]
        return [{n: _plain(v) for n, v in zip(names, r, strict=True)} for r in cur.fetchall()]

    def close(self) -> None:
        self.conn.close()


def pk_of(w: World, table: str, row: dict) -> Key:
    cols = w.table(table).primary_key or tuple(sorted(row))
    return tuple(str(row.get(c)) for c in cols)


def privileged_columns(access: TableAccess) -> tuple[str, ...]:
    """Columns only service_role sets (``docbase.access.authority``): roles, bans, verification, money..."""
    return tuple(name for name, _ in access.authority_columns) + access.ledger_columns


@dataclass
class Authority:
    levels: dict[tuple[str, str], int] = field(default_factory=dict)  # (user, tenant) -> 0 none .. 4 owner
    keys: dict[str, tuple[str, str]] = field(default_factory=dict)  # key row id -> (acts as, stored hash)
    privileged: dict[tuple[str, Key], tuple] = field(default_factory=dict)  # (table, pk) -> privileged values
    # (email, tenant) -> the level a pending invitation would grant on acceptance (its inviter's reach applied)
    grants: dict[tuple[str, str], int] = field(default_factory=dict)


def authority(w: World, db: Direct) -> Authority:
    out = Authority()
    for root in w.model.roots:
        names = {}
        if root.role_lookup is not None:
            table, key, name = root.role_lookup
            names = {str(r[key]): r[name] for r in db.rows(table)}
        for row in db.rows(root.membership):
            role = row.get(root.role_column) if root.role_column else None
            role = names.get(str(role), role) if root.role_lookup else role
            spot = (str(row[root.member_user]), f"{root.table}:{row[root.member_tenant]}")
            out.levels[spot] = max(out.levels.get(spot, 0), level_number(root, role))
    _grants(w, db, out)
    for a in w.conventions.applied:
        if a.convention == "api_keys":
            for row in db.rows(a.table):
                out.keys[str(row[a.role("id")])] = (str(row[a.role("owner")]), str(row[a.role("key")]))
    for access in w.model.tables:
        cols = privileged_columns(access)
        if cols:
            for row in db.rows(access.table):
                out.privileged[(access.table, pk_of(w, access.table, row))] = tuple(row.get(c) for c in cols)
    return out


def _grants(w: World, db: Direct, out: Authority) -> None:
    """What each pending invitation would grant its addressee, as acceptance judges it: no more than its
    inviter holds then, and never the top role from a table that names no inviter."""
    root = w.root
    for a in w.conventions.applied if root is not None else ():
        if a.convention != "invitations":
            continue
        r = a.role
        for row in db.rows(a.table):
            if str(row.get(r("status"))) != "pending" or str(row.get(r("expiry")) or "9999") < "2030":
                continue
            tenant = f"{root.table}:{row[r('tenant')]}"
            level = level_number(root, row.get(r("role")))
            if r("inviter") is None and level == 4:
                level = 0
            elif r("inviter") and row.get(r("inviter")) is not None:
                level = min(level, out.levels.get((str(row[r("inviter")]), tenant), 0))
            spot = (str(row.get(r("email")) or "").lower(), tenant)
            out.grants[spot] = max(out.grants.get(spot, 0), level)


@dataclass
class Judge:
    """The start, and every finding since: (step number, what was gained)."""

    w: World
    start: Authority
    actor_users: frozenset[str]
    findings: list[tuple[int, str]] = field(default_factory=list)

    def cap(self, tenant: str) -> int:
        return max((lv for (u, t), lv in self.start.levels.items() if t == tenant and u in self.actor_users), default=0)

    def after_step(self, n: int, actor, accepted: bool, before: Authority, now: Authority) -> None:
        """Roles, keys and privileged columns after step ``n`` by ``actor``."""
        start = self.start
        tenants = {t for _, t in start.levels}
        for (user, tenant), level in now.levels.items():
            old, prev = start.levels.get((user, tenant), 0), before.levels.get((user, tenant), 0)
            if tenant not in tenants or level <= max(old, prev):
                continue
            own = before.levels.get((str(actor.user), tenant), 0)
            if level > max(old, self.cap(tenant)):
                why = f"holds level {level} in {tenant} (start {old}; the attackers held at most {self.cap(tenant)})"
            elif user == actor.user and not accepted:
                why = f"raised their own level in {tenant} from {prev} to {level} without an invitation"
            elif user != actor.user and level > own:
                why = f"was given level {level} in {tenant} by {actor.name}, who holds {own}"
            else:
                continue
            self.findings.append((n, f"user {self._who(user)} {why}"))
        emails = {str(a.email).lower(): a for a in self.w.actors if a.email}
        for (email, tenant), level in now.grants.items():
            a = emails.get(email)
            if a is None or level <= max(start.grants.get((email, tenant), 0), before.grants.get((email, tenant), 0)):
                continue
            if level > max(start.levels.get((str(a.user), tenant), 0), self.cap(tenant)):
                self.findings.append((n, f"{a.name} holds a pending invitation for level {level} in {tenant}"))
        for key, (owner, digest) in now.keys.items():
            if key in start.keys and start.keys[key] != (owner, digest):
                self.findings.append((n, f"API key {key} now acts as {self._who(owner)} (was {start.keys[key]})"))
            elif key not in start.keys and self.w.minted.get(key) != owner:
                self.findings.append((n, f"API key row {key} acting as {self._who(owner)} was not minted by the RPC"))
        for spot, values in now.privileged.items():
            if spot in start.privileged and start.privileged[spot] != values:
                self.findings.append((n, f"privileged columns of {spot} changed: {start.privileged[spot]} -> {values}"))

    def _who(self, user: str) -> str:
        names = {v: k for k, v in self.w.users.items()}
        return names.get(user, user)


async def keys_act_as_minters(w: World, judge: Judge, n: int) -> None:
    """A planted plaintext authenticates as nobody; a minted one as its minter only (or nobody, once revoked)."""
    users = w.model.users_table
    if users is None or not w.plaintexts:
        return
    probes = [(p, None) for p in PLANTED] + list(w.plaintexts.items())
    for plain, minter in probes:
        got = await w.client.get(f"/rest/v1/{users}?select={w.model.user_key}", headers={"apikey": plain})
        if got.status_code == 401:
            continue
        seen = sorted(str(r[w.model.user_key]) for r in got.json()) if got.status_code == 200 else got.text
        # As its minter: the users the minter sees with their own sign-in (themself, and teammates whose
        # profile basics they may read), no more and no fewer.
        mine = await w.client.get(f"/rest/v1/{users}?select={w.model.user_key}", headers=w.token(minter or "", ""))
        expected = sorted(str(r[w.model.user_key]) for r in mine.json()) if minter else None
        if minter is None or minter not in seen or seen != expected:
            judge.findings.append((n, f"API key {plain[:12]}... authenticates as {seen} (minted by {minter})"))


def owner_of(w: World, state: dict[str, list[dict]], table: str, row: dict, index: dict) -> tuple[str, str | None]:
    """("tenant", key), ("user", id) or ("system", None): whose row this is, by the access model's path."""
    access = w.model.table(table)
    keys = w.conventions.get("api_keys", table)
    if keys is not None:  # whatever its scope, a key row is its owner's (requests made with it count its uses)
        return ("user", str(row.get(keys.role("owner"))))
    if access is None or access.scope in ("catalog", "private", "ledger"):
        return ("system", None)
    if access.scope == "user":
        return ("user", str(row.get(w.model.user_key)))
    if access.scope == "tenant_root":
        root = w.model.root(table)
        return ("tenant", f"{table}:{row.get(root.key if root else 'id')}")
    if access.scope == "owned" and access.owner_column:
        return ("user", str(row.get(access.owner_column)))
    current, name = row, table
    for hop in access.path:
        value = tuple(str(current.get(c)) for c in hop.columns)
        if any(v == "None" for v in value):
            return ("system", None)
        if hop.ref_table == w.model.users_table or hop.ref_table == "auth.users":
            return ("user", value[0])
        found = _lookup(state, index, hop.ref_table, hop.ref_columns, value)
        if found is None:
            return ("system", None)
        current, name = found, hop.ref_table
    root = w.model.root(name)
    return ("tenant", f"{name}:{current.get(root.key)}") if root else ("system", None)


def _lookup(state, index, table: str, columns: tuple[str, ...], value: Key) -> dict | None:
    spot = (table, columns)
    if spot not in index:
        index[spot] = {tuple(str(r.get(c)) for c in columns): r for r in state.get(table, [])}
    return index[spot].get(value)
