"""A seed document served on a throwaway database, with a victim tenant A and attackers in tenant B.

Every table is filled by ``docbase.seed`` over two tenants, so tenant A has
rows in every table. Then, as service_role and from the access model alone
(no seed's table names are written here): A and B each get an owner; B gets
one member per role level the model knows below the top (admin, writer,
reader: whatever the document's role order has); an outsider belongs
nowhere; each tenant has a pending invitation to a stranger for the top role,
sent by its owner; and where the document has an API-key table, B's writer
mints a key through ``rpc/create_api_key`` and its plaintext becomes one more
actor. A document with no tenant (seed 004) has a victim user instead: the
seeded user owning most rows. New rows are cloned from seeded ones (so every
required column holds a value of the right type), with fresh keys.
"""

from __future__ import annotations

import random
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx

from docbase.access import AccessModel, TenantRoot, build_access
from docbase.access.model import LEVELS
from docbase.api import create_app
from docbase.auth import keys
from docbase.conventions.runtime import Conventions
from docbase.migrate import migrate
from docbase.pipeline import load_schema
from docbase.schema.model import Schema, Table
from docbase.seed import seed_database
from docbase.seed.plan import unique_keys

SECRET = "test-secret-for-docbase-escalation-search-01"
SERVICE = {"apikey": keys.service_key(SECRET), "Authorization": f"Bearer {keys.service_key(SECRET)}"}
REP = {"Prefer": "return=representation"}
PLANTED = ("dbk_planted-by-b-0123456789abcdef", "chosen-token-0123456789abcdef")
FUTURE = "2099-01-01T00:00:00+00:00"


def level_number(root: TenantRoot | None, role: Any) -> int:
    """0 for no role (or one the model does not know), 1 reader .. 4 owner."""
    for r in root.roles if root else ():
        if r.name == role:
            return LEVELS.index(r.level) + 1
    return 0


@dataclass
class Actor:
    name: str
    headers: dict[str, str]
    user: str | None = None  # whose authority the actor carries (a key's minter for the key holder)
    email: str | None = None


@dataclass
class World:
    schema: Schema
    model: AccessModel
    conventions: Conventions
    url: str
    client: httpx.AsyncClient
    app: Any
    root: TenantRoot | None
    tenants: dict[str, str] = field(default_factory=dict)  # "A", "B" -> tenant key (text)
    users: dict[str, str] = field(default_factory=dict)  # a_owner, b_owner, b_admin, b_writer, b_reader, outsider
    emails: dict[str, str] = field(default_factory=dict)
    actors: list[Actor] = field(default_factory=list)
    rows: dict[str, list[dict]] = field(default_factory=dict)  # every table as service_role read it at the start
    minted: dict[str, str] = field(default_factory=dict)  # key row id -> the user who minted it through the RPC
    plaintexts: dict[str, str] = field(default_factory=dict)  # minted key plaintext -> minter
    invitation_tokens: dict[str, str] = field(default_factory=dict)  # invitation key -> what accepting it takes
    focus: dict[str, list[Any]] = field(default_factory=dict)  # table -> keys of the rows set up to be attacked

    def table(self, name: str) -> Table:
        found = self.schema.table(name)
        assert found is not None, name
        return found

    def token(self, user: str, email: str) -> dict[str, str]:
        claims = {"sub": user, "role": "authenticated", "aud": "authenticated", "email": email}
        claims["exp"] = int(time.time()) + 6 * 3600
        return {"apikey": keys.anon_key(SECRET), "Authorization": f"Bearer {keys.sign(claims, SECRET)}"}

    async def service(self, method: str, path: str, body: Any = None, prefer: str = "return=representation") -> Any:
        headers = {**SERVICE, "Prefer": prefer}
        got = await self.client.request(method, f"/rest/v1/{path}", json=body, headers=headers)
        assert got.status_code < 300, (method, path, body, got.status_code, got.text[:500])
        return got.json() if got.content else None

    async def read_all(self) -> dict[str, list[dict]]:
        return {t.name: await self.service("GET", f"{t.name}?select=*") for t in self.schema.tables}


# New ids and values come from one generator, seeded per world, so a search replays the same moves
# (moves pick among ids in sorted order: random ids would change the picks from one run to the next).
_ids = random.Random(0)


def _uuid() -> uuid.UUID:
    return uuid.UUID(int=_ids.getrandbits(128), version=4)


def fresh_value(table: Table, column: str, n: int) -> Any:
    col = table.column(column)
    kind = col.type if col else "text"
    if kind in ("integer", "bigint", "smallint", "numeric"):
        return 900_000 + n
    if kind == "uuid" or column in table.primary_key:
        return str(_uuid())
    if "email" in column.lower():
        return f"esc{n}-{_uuid().hex[:6]}@esc.test"
    return f"esc-{n}-{_uuid().hex[:8]}"


_counter = iter(range(10**9))


def clone(table: Table, source: dict, overrides: dict) -> dict:
    """``source`` with a fresh primary key and fresh unique values, then ``overrides``."""
    row = dict(source)
    fks = {c for fk in table.foreign_keys for c in fk.columns}
    for key in unique_keys(table):
        for column in key:
            if column not in fks and column not in overrides:
                row[column] = fresh_value(table, column, next(_counter))
    row.update(overrides)
    return row


async def build(seed_path, url: str) -> World:
    global _counter
    _ids.seed(f"{seed_path.name}:{url.split(':')[0]}")
    _counter = iter(range(10**9))
    schema = load_schema(seed_path)
    assert not schema.errors, schema.diagnostics
    migrate(schema, url)
    seed_database(schema, url, rows=6, tenants=2, seed=12, create=False)
    app = create_app(schema, url, secret=SECRET)
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t")
    model = build_access(schema)
    w = World(schema, model, Conventions(schema, app.state.db.dialect), url, client, app, None)
    w.root = model.roots[0] if model.roots else None
    w.rows = await w.read_all()
    w.actors.append(Actor("anon", {"apikey": keys.anon_key(SECRET)}))
    if w.root is not None:
        await _tenants(w, w.root)
    else:
        await _owners_only(w)
    await _mint_key(w)
    w.rows = await w.read_all()
    return w


async def _new_user(w: World, name: str) -> str:
    email = f"{name}@esc.test"
    users = w.model.users_table
    user = str(_uuid())
    if w.url.startswith("postgresql"):  # docbase's auth.users, which documents written for Supabase reference
        import psycopg

        with psycopg.connect(w.url, autocommit=True) as conn:
            conn.execute("INSERT INTO auth.users (id, email) VALUES (%s, %s)", (user, email))
    if users is not None:
        table = w.table(users)
        key = w.model.user_key
        user = user if table.column(key).type in ("uuid", "text", "varchar") else str(fresh_value(table, key, 0))
        email_col = next((c.name for c in table.columns if c.name.lower() in ("email", "email_address")), None)
        over = {key: user} | ({email_col: email} if email_col else {})
        # A document's own trigger may have copied the auth user already (seed 001): merge into it.
        merge = "resolution=merge-duplicates,return=representation"
        (made,) = await w.service("POST", users, clone(table, w.rows[users][0], over), merge)
        user = str(made[key])
    w.users[name], w.emails[name] = user, email
    return user


async def _role_value(w: World, root: TenantRoot, role: str) -> Any:
    """What the membership's role column holds for ``role``: the name, or a lookup row's key."""
    if root.role_lookup is None:
        return role
    table_name, key, name_col = root.role_lookup
    table = w.table(table_name)
    rows = await w.service("GET", f"{table_name}?select=*&{name_col}=eq.{role}")
    if not rows:
        rows = await w.service("POST", table_name, clone(table, w.rows[table_name][0], {name_col: role}))
    return rows[0][key]


async def _member(w: World, root: TenantRoot, user: str, tenant: str, role: str) -> None:
    table = w.table(root.membership)
    over = {root.member_user: user, root.member_tenant: tenant}
    if root.role_column:
        over[root.role_column] = await _role_value(w, root, role)
    source = w.rows[root.membership][0]
    if len(table.primary_key) == 1 and table.primary_key[0] not in over:
        over[table.primary_key[0]] = fresh_value(table, table.primary_key[0], next(_counter))
    (made,) = await w.service("POST", root.membership, clone(table, source, over))
    if table.primary_key:
        w.focus.setdefault(root.membership, []).append(made[table.primary_key[0]])


async def _tenants(w: World, root: TenantRoot) -> None:
    tenants = sorted(str(r[root.key]) for r in w.rows[root.table])
    w.tenants = {"A": tenants[0], "B": tenants[1]}
    top = root.roles[0].name
    for name, tenant in (("a_owner", "A"), ("b_owner", "B")):
        await _member(w, root, await _new_user(w, name), w.tenants[tenant], top)
    for level, name in (("admin", "b_admin"), ("writer", "b_writer"), ("reader", "b_reader")):
        role = next((r.name for r in root.roles if r.level == level), None)
        if role is None:
            continue
        user = await _new_user(w, name)
        await _member(w, root, user, w.tenants["B"], role)
        w.actors.append(Actor(name, w.token(user, w.emails[name]), user, w.emails[name]))
    outsider = await _new_user(w, "outsider")
    w.actors.append(Actor("outsider", w.token(outsider, w.emails["outsider"]), outsider, w.emails["outsider"]))
    for a in w.conventions.applied:
        if a.convention == "invitations":
            await _invite(w, a, root)


async def _invite(w: World, a, root: TenantRoot) -> None:
    """A pending invitation for the top role in each tenant, sent by its owner to a stranger."""
    table = w.table(a.table)
    r = a.role
    for tenant, owner in (("A", "a_owner"), ("B", "b_owner")):
        over = {
            r("tenant"): w.tenants[tenant],
            r("email"): f"stranger-{tenant}@esc.test",
            r("role"): root.roles[0].name,
        }
        over[r("status")] = "pending"
        over[r("expiry")] = FUTURE
        if r("inviter"):
            over[r("inviter")] = w.users[owner]
        token = f"invite-{tenant}-{_uuid().hex}"
        if r("token") != r("key"):
            over[r("token")] = token
        (made,) = await w.service("POST", a.table, clone(table, w.rows[a.table][0], over))
        w.invitation_tokens[str(made[r("key")])] = token if r("token") != r("key") else str(made[r("key")])
        w.focus.setdefault(a.table, []).append(made[r("key")])


async def _owners_only(w: World) -> None:
    """No tenant: the victim is the seeded user owning most rows; the attacker is a new user."""
    counts: dict[str, int] = {}
    for access in w.model.tables:
        for row in w.rows.get(access.table, []) if access.owner_column else ():
            owner = row.get(access.owner_column)
            if owner is not None:
                counts[str(owner)] = counts.get(str(owner), 0) + 1
    w.users["a_owner"] = max(sorted(counts), key=lambda u: counts[u])
    user = await _new_user(w, "b_user")
    w.actors.append(Actor("b_user", w.token(user, w.emails["b_user"]), user, w.emails["b_user"]))
    outsider = await _new_user(w, "outsider")
    w.actors.append(Actor("outsider", w.token(outsider, w.emails["outsider"]), outsider, w.emails["outsider"]))


async def _mint_key(w: World) -> None:
    if not any(a.convention == "api_keys" for a in w.conventions.applied):
        return
    holder = next(a for a in w.actors if a.name in ("b_writer", "b_user"))
    got = await w.client.post("/rest/v1/rpc/create_api_key", json={"name": "esc"}, headers=holder.headers)
    assert got.status_code == 200, got.text
    w.minted[got.json()["id"]] = str(holder.user)
    table = next(a.table for a in w.conventions.applied if a.convention == "api_keys")
    w.focus.setdefault(table, []).append(got.json()["id"])
    w.plaintexts[got.json()["key"]] = str(holder.user)
    w.actors.append(Actor("key", {"apikey": got.json()["key"]}, holder.user, holder.email))
