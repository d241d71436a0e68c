"""Two tenants, three users, every seed, both databases: nobody sees or changes another tenant's rows.

The database is filled by ``docbase.seed`` (two tenants), then three users are
set up through the API as service_role: the owner of tenant A, a viewer of A
and the owner of B (for a document without tenants, 004, two users who own
their rows). Tokens are minted as ``/auth/v1`` would sign them. From B's side
every table is probed directly, with ``or=`` tricks, through every embedding,
through counts, upserts on A's ids, inserts into A, PATCH/DELETE of A's rows;
the viewer may not write; anon sees nothing. Then a hypothesis attacker sends
random filters, embeds and bodies as B at A's ids: zero leaks, zero writes.

The truth is taken from the API itself: what A sees and what B sees must never
overlap (tenant, owned, ledger, membership tables), and service_role confirms
that nothing of A's changed.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from docbase.access import build_access
from docbase.api import create_app
from docbase.auth import keys
from docbase.migrate import migrate
from docbase.schema import load_schema
from docbase.seed import seed_database

from ..conftest import SEEDS
from .conftest import SECRET

SCOPED = ("tenant", "membership", "ledger", "owned", "tenant_root", "user")


def token(sub: str) -> dict[str, str]:
    claims = {"sub": str(sub), "role": "authenticated", "aud": "authenticated", "exp": int(time.time()) + 3600}
    return {"apikey": keys.anon_key(SECRET), "Authorization": f"Bearer {keys.sign(claims, SECRET)}"}


SERVICE = {"apikey": keys.service_key(SECRET)}


class World:
    """The app, the access model and the three users of one seed on one database."""

    def __init__(self, client: httpx.AsyncClient, schema, model) -> None:
        self.c, self.schema, self.model = client, schema, model
        self.a = self.v = self.b = None
        self.tenant_a = self.tenant_b = None
        self.viewer_only_reads = False

    async def get(self, path: str, who: dict[str, str], **headers: str):
        return await self.c.get(f"/rest/v1/{path}", headers={**who, **headers})

    async def ids(self, table: str, who: dict[str, str]) -> set[str]:
        pk = self.schema.table(table).primary_key
        got = await self.get(f"{table}?select={','.join(pk)}", who)
        assert got.status_code in (200, 401, 403), (table, got.text)
        return {_key(r, pk) for r in got.json()} if got.status_code == 200 else set()


def _key(row: dict[str, Any], pk) -> str:
    return "|".join(str(row[k]) for k in pk)


async def _setup(client: httpx.AsyncClient, schema, model) -> World:
    w = World(client, schema, model)
    if model.roots:
        root = model.roots[0]
        m = root.membership
        rows = (await w.get(f"{m}?select=*", SERVICE)).json()
        users = list(dict.fromkeys(r[root.member_user] for r in rows))
        tenants = [r[root.key] for r in (await w.get(f"{root.table}?select={root.key}", SERVICE)).json()]
        assert len(users) >= 3 and len(tenants) >= 2, (users, tenants)
        w.a, w.v, w.b = users[:3]
        w.tenant_a, w.tenant_b = tenants[:2]
        quoted = ",".join(f'"{u}"' for u in (w.a, w.v, w.b))
        gone = await client.delete(f"/rest/v1/{m}?{root.member_user}=in.({quoted})", headers=SERVICE)
        assert gone.status_code in (200, 204), gone.text
        top, low = root.roles[0].name if root.roles else None, root.roles[-1].name if root.roles else None
        # the third user is a viewer where the document has a read-only role (000's lowest, "user", writes)
        w.viewer_only_reads = bool(root.roles) and root.roles[-1].level == "reader"
        for tenant, user, role in ((w.tenant_a, w.a, top), (w.tenant_a, w.v, low), (w.tenant_b, w.b, top)):
            body = {root.member_tenant: tenant, root.member_user: user}
            if root.role_column and role:
                body[root.role_column] = await _role_value(w, root, role)
            for col in schema.table(m).columns:  # required columns the seed would fill
                if col.name not in body and col.nullable is False and col.default is None:
                    body[col.name] = (
                        rows[0][col.name] if col.name not in schema.table(m).primary_key else str(uuid.uuid4())
                    )
            made = await client.post(f"/rest/v1/{m}", json=body, headers=SERVICE)
            assert made.status_code == 201, made.text
    else:
        users_table = model.users_table
        key = model.user_key
        users = [r[key] for r in (await w.get(f"{users_table}?select={key}", SERVICE)).json()]
        w.a, w.b = users[:2]
        w.v = None
    return w


async def _role_value(w: World, root, name: str) -> Any:
    if not root.role_lookup:
        return name
    table, key, label = root.role_lookup
    found = (await w.get(f"{table}?select={key}&{label}=eq.{name}", SERVICE)).json()
    if found:
        return found[0][key]
    made = await w.c.post(
        f"/rest/v1/{table}", json={label: name}, headers={**SERVICE, "Prefer": "return=representation"}
    )
    assert made.status_code == 201, made.text
    return made.json()[0][key]


@pytest.fixture(params=SEEDS, ids=[p.stem.split("_")[0] for p in SEEDS])
async def world(request, db_url):
    schema = load_schema(request.param)
    migrate(schema, db_url)
    seed_database(schema, db_url, rows=6, tenants=2, create=False)
    app = create_app(schema, db_url, secret=SECRET)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        w = await _setup(client, schema, build_access(schema))
        w.links = app.state.catalog.links
        yield w
    await app.state.db.close()


def _scoped_tables(w: World):
    for access in w.model.tables:
        table = w.schema.table(access.table)
        if access.scope in SCOPED and table is not None and table.primary_key:
            yield access, table


async def test_no_user_sees_another_tenants_rows_directly_by_or_count_or_embedding(world):
    w = world
    a, b = token(w.a), token(w.b)
    seen_by_a: dict[str, set[str]] = {}
    for _access, table in _scoped_tables(w):
        mine, theirs = await w.ids(table.name, a), await w.ids(table.name, b)
        seen_by_a[table.name] = mine
        assert not mine & theirs, (table.name, mine & theirs)
        counted = await w.get(f"{table.name}?select={table.primary_key[0]}", b, Prefer="count=exact")
        if counted.status_code == 200:
            assert counted.headers["content-range"].endswith(f"/{len(theirs)}"), table.name
        pk = table.primary_key[0]
        for probe in list(mine)[:2]:
            tricked = await w.get(f"{table.name}?select={pk}&or=({pk}.eq.{probe.split('|')[0]},{pk}.not.is.null)", b)
            if tricked.status_code == 200:
                assert not {_key(r, table.primary_key[:1]) for r in tricked.json()} & {probe.split("|")[0]}, table.name
    if w.model.roots:
        assert seen_by_a[w.model.roots[0].table], "the owner of A sees their own tenant"
    for _access, table in _scoped_tables(w):
        for link in [x for x in w.links if x.table == table.name or x.ref_table == table.name]:
            other = link.ref_table if link.table == table.name else link.table
            target = w.schema.table(other)
            if target is None or not target.primary_key or other not in seen_by_a:
                continue
            embed = f"{other}!{link.name}({','.join(target.primary_key)})"
            got = await w.get(f"{table.name}?select={table.primary_key[0]},{embed}", b)
            if got.status_code != 200:
                continue
            for row in got.json():
                inner = row.get(other)
                for item in inner if isinstance(inner, list) else [inner] if inner else []:
                    assert _key(item, target.primary_key) not in seen_by_a[other], (table.name, embed)


async def test_b_cannot_write_a_rows_and_the_viewer_cannot_write_at_all(world):
    w = world
    b = token(w.b)
    for access, table in _scoped_tables(w):
        pk = table.primary_key
        a_rows = (
            [r for r in (await w.get(f"{table.name}?select=*", token(w.a))).json()] if access.scope != "user" else []
        )
        full = {_key(r, pk): r for r in (await w.get(f"{table.name}?select=*", SERVICE)).json()}
        for row in a_rows[:2]:
            key = _key(row, pk)
            where = "&".join(f"{k}=eq.{row[k]}" for k in pk)
            text = next((c.name for c in table.columns if c.type == "text" and c.name not in pk), None)
            if text:
                await w.c.patch(f"/rest/v1/{table.name}?{where}", json={text: "pwned"}, headers=b)
            await w.c.delete(f"/rest/v1/{table.name}?{where}", headers=b)
            upsert = {k: v for k, v in full[key].items()}
            if text:
                upsert[text] = "pwned"
            up = await w.c.post(
                f"/rest/v1/{table.name}", json=upsert, headers={**b, "Prefer": "resolution=merge-duplicates"}
            )
            assert up.status_code in (401, 403), (table.name, up.status_code, up.text)
            after = (await w.get(f"{table.name}?select=*&{where}", SERVICE)).json()
            assert after == [full[key]] or _same_but_stamps(after, full[key]), (table.name, "changed by B")
            if access.scope in ("tenant", "membership", "ledger", "owned"):
                copy = dict(full[key])
                for k in pk:
                    col = table.column(k)
                    copy[k] = str(uuid.uuid4()) if col.type in ("uuid", "text", "varchar") else 10**9 + len(k)
                made = await w.c.post(f"/rest/v1/{table.name}", json=copy, headers=b)
                assert (made.status_code, made.json().get("code")) == (403, "42501"), (table.name, made.text)
                if w.viewer_only_reads:
                    made = await w.c.post(f"/rest/v1/{table.name}", json=copy, headers=token(w.v))
                    assert made.status_code == 403, (table.name, "viewer wrote", made.text)
        if w.viewer_only_reads and a_rows and access.scope == "tenant":
            text = next((c.name for c in table.columns if c.type == "text" and c.name not in pk), None)
            if text:
                where = "&".join(f"{k}=eq.{a_rows[0][k]}" for k in pk)
                await w.c.patch(f"/rest/v1/{table.name}?{where}", json={text: "viewer"}, headers=token(w.v))
                after = (await w.get(f"{table.name}?select={text}&{where}", SERVICE)).json()
                assert after[0][text] != "viewer", (table.name, "viewer wrote")


def _same_but_stamps(after: list, before: dict) -> bool:
    if len(after) != 1:
        return False
    return all(v == before[k] for k, v in after[0].items() if "updated" not in k.lower())


async def test_anon_sees_nothing_and_hidden_columns_never_leave(world):
    w = world
    anon = {"apikey": keys.anon_key(SECRET)}
    for access in w.model.tables:
        got = await w.get(f"{access.table}?select=*", anon)
        if access.rule("select") != "anon":
            assert (got.status_code, got.json()["code"]) == (401, "42501"), access.table
        hidden = set(access.hidden_columns)
        if not hidden or access.scope not in SCOPED:
            continue
        rows = await w.get(f"{access.table}?select=*", token(w.a))
        assert rows.status_code == 200
        assert all(not hidden & set(r) for r in rows.json()), access.table
        named = await w.get(f"{access.table}?select={sorted(hidden)[0]}", token(w.a))
        assert (named.status_code, named.json()["code"]) == (403, "42501")
        filtered = await w.get(f"{access.table}?{sorted(hidden)[0]}=like.*", token(w.a))
        assert filtered.status_code == 403


_OPS = st.sampled_from(["eq", "neq", "gt", "lt", "gte", "lte", "like", "ilike", "is", "in", "not.eq", "not.is"])


ATTACKS = 2000


def _attacks(state: dict, n: int) -> list[dict]:
    """``n`` requests drawn by hypothesis (filters, operators, values, embeds, tricks, bodies) at A's ids."""
    drawn: list[dict] = []

    @settings(max_examples=n, deadline=None, database=None, suppress_health_check=list(HealthCheck), derandomize=True)
    @given(data=st.data())
    def draw(data):
        table, access, target_ids, columns = data.draw(st.sampled_from(state["targets"]))
        victim = data.draw(st.sampled_from(sorted(target_ids))) if target_ids else "0"
        drawn.append(
            {
                "table": table,
                "victim": victim,
                "ids": target_ids,
                "column": data.draw(st.sampled_from(columns)),
                "op": data.draw(_OPS),
                "value": data.draw(st.sampled_from([victim, "*", "null", f"({victim})", "true", "%", "a"])),
                "embed": data.draw(st.sampled_from(state["embeds"].get(table, [""]))),
                "method": data.draw(st.sampled_from(["GET", "GET", "HEAD", "PATCH", "DELETE", "POST"])),
                "trick": data.draw(st.sampled_from(["", "or", "eq"])),
            }
        )

    draw()
    return drawn[:n]


async def test_attacker_with_random_filters_embeds_and_bodies_gets_nothing_of_a(world):
    w = world
    state = await _attack_state(w)
    if not state["targets"]:
        pytest.skip("no tenant rows to attack")
    leaks, writes = [], []
    for attack in _attacks(state, ATTACKS):
        table, victim, ids = attack["table"], attack["victim"], attack["ids"]
        pk = w.schema.table(table).primary_key[0]
        embed = attack["embed"]
        trick = {"": "", "or": f"&or=({pk}.eq.{victim},{pk}.neq.{victim})", "eq": f"&{pk}=eq.{victim}"}[attack["trick"]]
        path = f"/rest/v1/{table}?select={pk}{',' + embed if embed else ''}&{attack['column']}={attack['op']}.{attack['value']}{trick}"
        headers = {**token(w.b), "Prefer": "count=exact, return=representation"}
        method = attack["method"]
        if method in ("GET", "HEAD"):
            got = await w.c.request(method, path, headers=headers)
            assert got.status_code < 500, got.text
            if method == "GET" and got.status_code == 200:
                for row in got.json():
                    if str(row.get(pk)) in ids:
                        leaks.append((path, row))
                    for name, inner_ids in state["embed_ids"].get(table, {}).items():
                        inner = row.get(name)
                        for item in inner if isinstance(inner, list) else [inner] if inner else []:
                            if str(item.get("_k")) in inner_ids:
                                leaks.append((path, item))
            continue
        body = {attack["column"]: attack["value"]} if method == "PATCH" else None
        if method == "POST":
            body = {**state["rows"][table].get(victim, {}), attack["column"]: attack["value"]}
            headers["Prefer"] += ", resolution=merge-duplicates"
            path = f"/rest/v1/{table}"
        got = await w.c.request(method, path, json=body, headers=headers)
        assert got.status_code < 500, got.text
        before = state["rows"][table].get(victim)
        if before is not None:
            after = (await w.get(f"{table}?select=*&{pk}=eq.{victim}", SERVICE)).json()
            if not (after == [before] or _same_but_stamps(after, before)):
                writes.append((method, path, body, got.text))
                state["rows"][table][victim] = after[0] if after else None
    assert leaks == [] and writes == [], (leaks[:3], writes[:3])


_STATE: dict[int, dict] = {}


async def _attack_state(w: World) -> dict:
    """A's rows (as service_role sees them) per table, computed once per world."""
    found = _STATE.get(id(w))
    if found is not None:
        return found
    _STATE.clear()
    targets, rows, embeds, embed_ids = [], {}, {}, {}
    for access, table in _scoped_tables(w):
        if len(table.primary_key) != 1 or access.scope == "user":
            continue
        pk = table.primary_key[0]
        ids = {str(r[pk]) for r in (await w.get(f"{table.name}?select={pk}", token(w.a))).json()}
        full = (
            {
                str(r[pk]): r
                for r in (await w.get(f"{table.name}?select=*&{pk}=in.({','.join(ids) or '0'})", SERVICE)).json()
            }
            if ids
            else {}
        )
        rows[table.name] = full
        visible = [c.name for c in table.columns if c.name not in access.hidden_columns]
        targets.append((table.name, access, ids, visible))
    by_name = {name: ids for name, _, ids, _ in targets}
    for link in w.links:
        for parent, child in ((link.table, link.ref_table), (link.ref_table, link.table)):
            target = w.schema.table(child)
            if child in by_name and target is not None and len(target.primary_key) == 1:
                embeds.setdefault(parent, []).append(f"{child}!{link.name}(_k:{target.primary_key[0]})")
                embed_ids.setdefault(parent, {})[child] = by_name[child]
    state = {"targets": targets, "rows": rows, "embeds": embeds, "embed_ids": embed_ids}
    _STATE[id(w)] = state
    return state
