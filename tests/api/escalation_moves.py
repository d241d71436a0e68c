"""One attacker move: an actor, a target, a method and a body whose values fit the columns and name real rows.

The targets are the authority-bearing tables the access model names
(memberships and role assignments, invitations, API keys, sessions and
credentials, profiles, tenant roots: ``docbase.access.authority``), three
moves in four, and any other table the rest of the time (a foreign key
there may point into another tenant); plus every RPC the conventions
provide. Values come from pools: real ids of A's and B's rows (and rows
made during the run), every user's id, each role name of the model's role
order (the top one too), the attackers' and victims' emails, plaintexts an
attacker would choose for a key or token, and otherwise values other rows
of that column hold - so requests reach the access rules instead of dying
on a 400 for a malformed value.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from docbase.access.authority import table_kind
from docbase.access.names import words
from docbase.conventions import rpc

from .escalation_world import PLANTED, World, clone

MOVES = ("insert", "upsert", "patch", "patch", "put", "delete")
_PREFER = "return=representation"
_MERGE = "resolution=merge-duplicates,return=representation"


def authority_tables(w: World) -> list[str]:
    """Tables whose rows carry authority, as the access model classifies them (``docbase access`` shows them)."""
    return [a.table for a in w.model.tables if table_kind(w.model, a) is not None]


@dataclass
class Pools:
    """Rows known so far (the start, then what 2xx answers returned), by table."""

    w: World
    rows: dict[str, list[dict]] = field(default_factory=dict)
    authority: list[str] = field(default_factory=list)
    others: list[str] = field(default_factory=list)
    rpcs: list[str] = field(default_factory=list)

    @classmethod
    def start(cls, w: World) -> Pools:
        auth = authority_tables(w)
        return cls(
            w,
            {t: list(rows) for t, rows in w.rows.items()},
            auth,
            [t.name for t in w.schema.tables if t.name not in auth],
            rpc.names(w.conventions),
        )

    def users(self) -> list[Any]:
        return sorted(set(self.w.users.values()))

    def candidates(self, table: str, column: str) -> list[Any]:
        w, t = self.w, self.w.table(table)
        col = t.column(column)
        for fk in t.foreign_keys:
            if fk.columns == (column,):
                if fk.ref_table in (w.model.users_table, "auth.users"):
                    return self.users()
                ref = w.schema.table(fk.ref_table)
                key = (fk.ref_columns or (ref.primary_key if ref else ()) or (None,))[0]
                return [r[key] for r in self.rows.get(fk.ref_table, []) if r.get(key) is not None] or [None]
        w_ = set(words(column))
        if "role" in w_:
            return [r.name for root in w.model.roots for r in root.roles] or ["owner", "admin"]
        if "email" in w_:  # mostly the attackers' own addresses: what an attacker writes into an invitation
            mine = [a.email for a in w.actors if a.email]
            return mine * 3 + sorted(set(w.emails.values())) + ["stranger-A@esc.test", "stranger-B@esc.test"]
        if w_ & {"key", "token", "secret", "hash"}:
            return list(PLANTED)
        if col is not None and col.enum:
            return list(col.enum)
        if col is not None and col.type == "boolean":
            return [True, False]
        seen = [r[column] for r in self.rows.get(table, []) if r.get(column) is not None]
        return seen or [None]

    def levers(self, table: str) -> list[str]:
        """The columns that decide who holds what: who is admitted where with which role, whom a key acts as."""
        w = self.w
        out: list[str] = []
        invitation = w.conventions.get("invitations", table)
        if invitation is not None:
            out += [invitation.role(r) or "" for r in ("email", "role", "token", "tenant", "status")]
        key = w.conventions.get("api_keys", table)
        if key is not None:
            out += [key.role("owner") or "", key.role("key") or ""]
        for root in w.model.roots:
            if root.membership == table:
                out += [root.member_user, root.member_tenant, root.role_column or ""]
        access = w.model.table(table)
        out += [n for n, _ in access.authority_columns] if access else []
        return [c for c in dict.fromkeys(out) if c and w.table(table).column(c) is not None]

    def interesting(self, table: str) -> list[str]:
        """Columns an attacker aims at: keys to other rows, roles, emails, tokens, flags."""
        t = self.w.table(table)
        invitation = self.w.conventions.get("invitations", table)
        if invitation is not None:  # the terms of an invitation, and whom it admits where
            return [c for c in dict(invitation.roles).values() if t.column(c) is not None]
        fks = {c for fk in t.foreign_keys for c in fk.columns}
        loud = {"role", "email", "key", "token", "status", "banned", "verified", "enabled", "owner", "admin"}
        found = [c.name for c in t.columns if c.name in fks or set(words(c.name)) & loud]
        return found or [c.name for c in t.columns]


@dataclass
class Move:
    actor: str
    method: str
    path: str
    body: Any
    headers: dict[str, str]
    table: str | None
    rpc: str | None = None

    def __str__(self) -> str:
        return f"{self.actor} {self.method} {self.path} {self.body!r:.300}"


def _pick(seq, n: int):
    return seq[n % len(seq)]


def make_move(p: Pools, choice: int, step: int) -> Move:
    """Turn hypothesis' integer for step ``step`` into a request; every choice picks from what the world holds.

    The integer seeds a generator of ten choices, mixed with the step's number: hypothesis favours
    small integers (zero in its first example), which taken directly would make 200 equal moves.
    """
    rng = random.Random(f"{choice}:{step}")
    draw = tuple(rng.randrange(1 << 20) for _ in range(10))
    w = p.w
    members = [a for a in w.actors if a.name.startswith("b_")]  # B's members weigh double: they hold something
    actor = _pick(w.actors + members, draw[0])
    if p.rpcs and draw[1] % 5 == 0:
        return _rpc_move(p, actor, draw)
    if w.focus and draw[1] % 5 == 1:
        return _lever_move(p, actor, draw)
    pool = p.authority if p.authority and (draw[2] % 4 or not p.others) else p.others
    if w.focus and draw[2] % 4 and draw[8] % 2:  # half the authority moves go where an owner's rows were set up
        pool = sorted(w.focus)
    table = _pick(pool, draw[3])
    t = w.table(table)
    method = _pick(MOVES, draw[4])
    rows = p.rows.get(table) or [{}]
    row = _pick(rows, draw[5])
    focus = [r for r in rows if t.primary_key and r.get(t.primary_key[0]) in w.focus.get(table, ())]
    if focus and draw[5] % 2:  # half the time, a row set up to be attacked (an owner's invitation or membership)
        row = _pick(focus, draw[5] // 2)
    aims = p.interesting(table)
    overrides = {}
    for i in range(1 + draw[6] % 3):
        column = _pick(aims if draw[7 + i] % 4 else [c.name for c in t.columns], draw[7 + i] // 4)
        overrides[column] = _pick(p.candidates(table, column), draw[7 + i] // 16)
    levers = p.levers(table)
    if levers and draw[6] // 3 % 2:  # half the time, one of the columns that grant something
        column = _pick(levers, draw[6] // 6)
        overrides[column] = _pick(p.candidates(table, column), draw[6] // 48)
    headers = {**actor.headers, "Prefer": _PREFER}
    key = t.primary_key
    where = "&".join(f"{c}=eq.{row.get(c)}" for c in key) if key else ""
    if method == "insert":
        return Move(actor.name, "POST", table, clone(t, row, overrides), headers, table)
    if method == "upsert":
        return Move(actor.name, "POST", table, {**row, **overrides}, {**headers, "Prefer": _MERGE}, table)
    if method == "patch":
        return Move(actor.name, "PATCH", f"{table}?{where}", overrides, headers, table)
    if method == "put" and key:
        body = {**row, **{c: v for c, v in overrides.items() if c not in key}}
        return Move(actor.name, "PUT", f"{table}?{where}", body, headers, table)
    return Move(actor.name, "DELETE", f"{table}?{where}", None, headers, table)


def _lever_move(p: Pools, actor, draw: tuple[int, ...]) -> Move:
    """One column that grants something, changed alone on a row set up to be attacked (or any of its table):
    re-address an owner's invitation, raise a membership's role, point a key at someone else."""
    table = _pick(sorted(p.w.focus), draw[2])
    t = p.w.table(table)
    focus = [r for r in p.rows.get(table, []) if r.get(t.primary_key[0]) in p.w.focus[table]]
    row = _pick(focus if focus and draw[3] % 4 else p.rows.get(table) or [{}], draw[3] // 4)
    column = _pick(p.levers(table) or [c.name for c in t.columns], draw[4])
    where = "&".join(f"{c}=eq.{row.get(c)}" for c in t.primary_key)
    body = {column: _pick(p.candidates(table, column), draw[5])}
    return Move(actor.name, "PATCH", f"{table}?{where}", body, {**actor.headers, "Prefer": _PREFER}, table)


def _rpc_move(p: Pools, actor, draw: tuple[int, ...]) -> Move:
    name = _pick(p.rpcs, draw[2])
    w = p.w
    body: dict[str, Any] = {}
    if name in ("accept_invitation", "decline_invitation"):
        actor, body = _answer(p, actor, draw)
    elif name == "create_api_key":
        body = {"name": "esc"} | ({"user_id": _pick(p.users(), draw[3])} if draw[4] % 2 else {})
    elif name.startswith(("complete_", "fail_")):
        table = name.partition("_")[2]
        key = w.table(table).primary_key[0]
        body = {"id": _pick([r[key] for r in p.rows.get(table, [])] or [None], draw[3])}
    elif name.startswith("match_"):
        table = name.partition("_")[2]
        vectors = [c.name for c in w.table(table).columns if c.type == "vector"]
        values = [r[vectors[0]] for r in p.rows.get(table, []) if vectors and r.get(vectors[0])]
        body = {"query_embedding": _pick(values or [[0.0]], draw[3])}
    return Move(actor.name, "POST", f"rpc/{name}", body, actor.headers, None, name)


def remember(p: Pools, move: Move, status: int, answer: Any) -> None:
    """Rows a 2xx answer returned become targets for later moves."""
    if move.table is None or status >= 300 or not isinstance(answer, list):
        return
    known = p.rows.setdefault(move.table, [])
    key = p.w.table(move.table).primary_key
    for row in answer:
        if not isinstance(row, dict) or row in known:
            continue
        same = [i for i, r in enumerate(known) if key and all(r.get(c) == row.get(c) for c in key)]
        if same:
            known[same[0]] = {**known[same[0]], **row}
        else:
            known.append(row)


def _answer(p: Pools, actor, draw: tuple[int, ...]):
    """Accepting follows up on tampering: an invitation now addressed to an actor is answered by that actor,
    with the token it wrote, or the one the link carried."""
    w = p.w
    a = next(a for a in w.conventions.applied if a.convention == "invitations")
    key, email, token = a.role("key"), a.role("email"), a.role("token")
    mine = {x.email: x for x in w.actors if x.email and x.name != "key"}
    addressed = [r for r in p.rows.get(a.table, []) if r.get(email) in mine]
    if addressed and draw[5] % 4:
        row = _pick(addressed, draw[6])
        plain = [str(row[key])] if token == key else [w.invitation_tokens.get(str(row[key]), PLANTED[1]), *PLANTED]
        return mine[row[email]], {"token": _pick(plain, draw[7])}
    ids = [str(r[key]) for r in p.rows.get(a.table, [])]
    return actor, {"token": _pick([*PLANTED, *w.invitation_tokens.values(), *ids], draw[3])}
