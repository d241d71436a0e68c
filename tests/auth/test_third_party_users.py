"""Third-party tokens acting as the document's users row (issue 20; docbase.auth.third_party_users).

Seed 004 signs its users in with Clerk: ``users.clerkId`` holds the Clerk token's ``sub`` while every row
references ``users._id``. An outside issuer (a key pair made here, its JWKS served over HTTP:
tests.auth.test_jwks.Issuer) signs tokens; docbase must act as the users row whose ``clerkId`` is the
``sub`` -- made on first sight, once -- on REST, RPC, realtime and storage alike, and refuse a ``sub`` it
may not make a row for. On the old code a Clerk token acted as its raw ``sub``, which no row references:
the user saw nothing of their own, could write nothing, and no users row was ever made.
"""

from __future__ import annotations

import asyncio
import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from typer.testing import CliRunner

from docbase import settings
from docbase.auth import keys
from docbase.auth.third_party_users import ThirdPartyUsers, choose
from docbase.pipeline import build_schema, load_schema

from ..conftest import seed_file
from .test_jwks import Issuer

SECRET = "third-party-users-secret-0123456789-abcdef"
SEED = seed_file("004")


@pytest.fixture
def issuer():
    outside = Issuer()
    yield outside
    outside.close()


def _line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


# --- which column ----------------------------------------------------------------------------------


def test_seed_004s_clerk_id_is_chosen_by_its_name_and_inspect_says_where_and_how_to_switch(tmp_path):
    text = SEED.read_text()
    schema = build_schema(text, "seed.md")
    choice = choose(schema, {"auth_third_party_issuer": "https://clerk.example.com"})
    assert choice.link is not None and (choice.link.table.name, choice.link.key) == ("users", "_id")
    assert choice.link.column == "clerkId" and choice.link.line == _line_of(text, "string clerkId UK")
    [(line, level, message)] = choice.notes
    assert (line, level) == (choice.link.line, "info")
    assert "auth_third_party_user_column" in message and "auth_third_party_create_users = false" in message

    doc = tmp_path / "design.md"
    doc.write_text(text)
    (tmp_path / "docbase.toml").write_text('auth_third_party_issuer = "https://clerk.example.com"\n')
    from docbase.cli import app

    out = CliRunner().invoke(app, ["inspect", str(doc)]).output
    assert f"{doc}:{choice.link.line}: info: users.clerkId holds the outside issuer's user id" in out
    # without an issuer the column is pointed out, and how to use it
    (tmp_path / "docbase.toml").write_text("")
    out = CliRunner().invoke(app, ["inspect", str(doc)]).output
    assert f"{doc}:{choice.link.line}: info: users.clerkId looks like an outside issuer's user id" in out
    assert "set auth_third_party_issuer" in out


ISSUER = {"auth_third_party_issuer": "https://issuer.example.com"}
TWO = "```sql\nCREATE TABLE users (id uuid PRIMARY KEY, email text, clerk_id text UNIQUE, auth0_id text);\n```\n"


@pytest.mark.parametrize(
    ("document", "toml", "column", "level", "said"),
    [
        (TWO, {}, None, "warning", "several columns named for an outside issuer's user id (clerk_id, auth0_id)"),
        (TWO, {"auth_third_party_user_column": "users.auth0_id"}, "auth0_id", "info", "auth_third_party_user_column"),
        (
            TWO,
            {"auth_third_party_user_column": "clerk_id"},
            "clerk_id",
            "info",
            "chosen by auth_third_party_user_column",
        ),
        (TWO, {"auth_third_party_user_column": "none"}, None, "info", "sub is its user id, as it comes"),
        (
            "```sql\nCREATE TABLE users (id uuid PRIMARY KEY, email text, handle text UNIQUE);\n```\n",
            {"auth_third_party_user_column": "handle"},
            "handle",
            "info",
            "users.handle holds the outside issuer's user id (chosen by auth_third_party_user_column)",
        ),
        (
            "```sql\nCREATE TABLE users (id uuid PRIMARY KEY, email text, clerk_id text UNIQUE, plan text NOT NULL);\n```\n",
            {},
            "clerk_id",
            "warning",
            "users.plan is required and no token claim fills it",
        ),
        (
            "```sql\nCREATE TABLE users (id uuid PRIMARY KEY, email text NOT NULL);\n```\n",
            {},
            None,
            "info",
            "no users column is named for an outside issuer's user id",
        ),
        (
            "```sql\nCREATE TABLE users (id uuid PRIMARY KEY REFERENCES auth.users(id), email text,"
            " auth_id uuid REFERENCES auth.users(id));\n```\n",
            {},
            None,
            "info",
            "no users column is named",  # auth_id is docbase's own user id, not an outside one
        ),
    ],
)
def test_the_column_is_never_guessed_silently(document, toml, column, level, said):
    choice = choose(build_schema(document, "d.md"), {**ISSUER, **toml})
    assert (choice.link.column if choice.link else None) == column
    assert any(lv == level and said in message for _, lv, message in choice.notes), choice.notes


@pytest.mark.parametrize(
    ("document", "toml"),
    [
        (SEED.read_text(), {}),  # named for one
        (
            "```sql\nCREATE TABLE users (id uuid PRIMARY KEY, email text, handle text UNIQUE);\n```\n",
            {"auth_third_party_user_column": "handle"},
        ),
        (
            "```sql\nCREATE TABLE users (id uuid PRIMARY KEY, email text, handle text UNIQUE);\n```\n",
            {"auth_third_party_user_column": "users.handle"},
        ),
    ],
)
def test_the_matched_column_is_service_roles_alone_to_write(document, toml):
    """A user who rewrote their own outside id would be taken for whoever the issuer calls that."""
    from docbase.access import build_access, parse_overrides

    schema = build_schema(document, "d.md")
    column = choose(schema, {**ISSUER, **toml}).link.column
    users = build_access(schema, parse_overrides(toml)).table("users")
    assert (column, "the outside issuer's user id (third-party sign-in): only service_role changes it") in (
        users.authority_columns
    )


def test_a_setting_naming_no_column_stops_serve_with_one_line():
    schema = build_schema(TWO, "d.md")
    with pytest.raises(settings.ConfigError, match="auth_third_party_user_column: no column 'users.nope'"):
        ThirdPartyUsers.from_settings(schema, "sqlite://", {**ISSUER, "auth_third_party_user_column": "users.nope"})
    assert ThirdPartyUsers.from_settings(schema, "sqlite://", {}) is None  # no issuer: nothing to match


# --- in process, both databases: first sight, creation off, the error shapes ---------------------------------


def _app(tmp_path, db_url: str, toml: str):
    from docbase.api.serve import build_app
    from docbase.migrate import migrate

    doc = tmp_path / "design.md"
    doc.write_text(SEED.read_text())
    (tmp_path / "docbase.toml").write_text(toml)
    schema = load_schema(doc)
    migrate(schema, db_url)
    return build_app(schema, db_url, SECRET)


def _client(app) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


def _as(token: str) -> dict[str, str]:
    return {"apikey": keys.anon_key(SECRET), "Authorization": f"Bearer {token}"}


SERVICE = {"apikey": keys.service_key(SECRET), "Authorization": f"Bearer {keys.service_key(SECRET)}"}


async def test_first_sight_makes_one_row_with_what_the_token_states_and_later_requests_reuse_it(
    db_url, issuer, tmp_path, monkeypatch
):
    monkeypatch.setenv("DOCBASE_STATE_DIR", str(tmp_path / "state"))
    app = _app(tmp_path, db_url, f'auth_third_party_issuer = "{issuer.url}"\n')
    sub = f"user_{uuid.uuid4().hex[:12]}"
    token = issuer.token(sub, email="ada@example.com", name="Ada", role="authenticated", status="ignored")
    async with _client(app) as c:
        answers = await asyncio.gather(
            *[c.get("/rest/v1/users?select=_id,clerkId", headers=_as(token)) for _ in range(5)]
        )
        assert [a.status_code for a in answers] == [200] * 5
        rows = (await c.get(f"/rest/v1/users?clerkId=eq.{sub}", headers=SERVICE)).json()
        assert len(rows) == 1  # five concurrent first requests, one row
        assert all(a.json() == [{"_id": rows[0]["_id"], "clerkId": sub}] for a in answers)  # each reads it
        row = rows[0]
        assert (row["email"], row["name"]) == ("ada@example.com", "Ada")
        assert row["role"] is None and row["status"] is None  # a token never grants a role or a status
        users = app.state.rest.users
        asked = users.queries
        for _ in range(3):
            assert (await c.get("/rest/v1/deployments", headers=_as(token))).status_code == 200
        assert users.queries == asked  # cached: no lookup per request
        # the column is the user's identity there: nobody rewrites their own
        moved = await c.patch(f"/rest/v1/users?_id=eq.{row['_id']}", headers=_as(token), json={"clerkId": "user_x"})
        assert moved.status_code in (401, 403) and moved.json()["code"] == "42501", moved.text
        assert (await c.patch(f"/rest/v1/users?_id=eq.{row['_id']}", headers=_as(token), json={"name": "A"})).is_success


async def test_with_creation_off_an_unknown_sub_is_refused_on_every_transport(db_url, issuer, tmp_path, monkeypatch):
    monkeypatch.setenv("DOCBASE_STATE_DIR", str(tmp_path / "state"))
    toml = f'auth_third_party_issuer = "{issuer.url}"\nauth_third_party_create_users = false\n'
    app = _app(tmp_path, db_url, toml)
    stranger = issuer.token(f"user_{uuid.uuid4().hex[:12]}", email="who@example.com")
    async with _client(app) as c:
        rest = await c.get("/rest/v1/deployments", headers=_as(stranger))
        assert rest.status_code == 403
        body = rest.json()
        assert set(body) == {"code", "message", "details", "hint"}
        assert body["code"] == "28000" and body["message"] == "User from sub claim in JWT does not exist"
        assert "clerkId" in body["details"] and "auth_third_party_create_users" in body["details"]
        rpc = await c.post("/rest/v1/rpc/claim_deployJobs", headers=_as(stranger), json={})
        assert rpc.status_code == 403 and rpc.json()["code"] == "28000"
        stored = await c.get("/storage/v1/bucket", headers=_as(stranger))
        # Supabase Storage's wire: 400, the status in the body (storage_error_status)
        assert stored.status_code == 400 and stored.json()["statusCode"] == "403"
        assert stored.json()["message"].startswith("User from sub claim in JWT does not exist")
        assert (await c.get("/rest/v1/users", headers=SERVICE)).json() == []  # nothing was made

        # service_role makes the row; the same token is then that user
        known = f"user_{uuid.uuid4().hex[:12]}"
        made = await c.post(
            "/rest/v1/users", headers={**SERVICE, "Prefer": "return=representation"}, json={"clerkId": known}
        )
        assert made.status_code == 201
        mine = await c.get("/rest/v1/users?select=_id", headers=_as(issuer.token(known)))
        assert mine.status_code == 200 and mine.json() == [{"_id": made.json()[0]["_id"]}]

    from docbase.realtime.tokens import Refused, claims_of

    realtime = app.state.realtime
    with pytest.raises(Refused, match="User from sub claim in JWT does not exist"):
        await claims_of(stranger, SECRET, realtime.conventions, realtime.db, realtime.users)


# --- live: docbase serve with two workers, the official clients ----------------------------------------------


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore:The '.*' parameter is deprecated:DeprecationWarning")  # supabase-py's own
async def test_clerk_users_of_seed_004_see_their_own_rows_on_rest_rpc_realtime_and_storage(db_url, issuer, tmp_path):
    from supabase import ClientOptions, acreate_client, create_client

    from ..api.test_serve import Server
    from ..realtime.conftest import wait_for

    (tmp_path / "docbase.toml").write_text(f'auth_third_party_issuer = "{issuer.url}"\n')
    server = Server(tmp_path, db_url, workers=2, document=SEED.read_text())
    server.start()
    try:
        subs = {name: f"user_{uuid.uuid4().hex[:12]}" for name in ("ada", "bob")}
        tokens = {n: issuer.token(s, email=f"{n}@example.com") for n, s in subs.items()}

        def client(name: str):
            options = ClientOptions(headers={"Authorization": f"Bearer {tokens[name]}"})
            return create_client(server.base, server.anon_key, options=options)

        # first sight, at once, across both workers: one users row each
        def first(name: str) -> list:
            return client(name).table("users").select("_id, clerkId, email").execute().data

        with ThreadPoolExecutor(8) as pool:
            seen = list(pool.map(first, ["ada", "bob"] * 4))
        admin = create_client(server.base, server.service_key)
        rows = admin.table("users").select("_id, clerkId, email").execute().data
        assert sorted(r["clerkId"] for r in rows) == sorted(subs.values())  # one row per person, no more
        ids = {n: next(r["_id"] for r in rows if r["clerkId"] == s) for n, s in subs.items()}
        assert all(len(s) == 1 for s in seen)
        assert {s[0]["clerkId"]: s[0]["_id"] for s in seen} == {subs[n]: ids[n] for n in subs}
        assert {r["email"] for r in rows} == {"ada@example.com", "bob@example.com"}

        # REST: each writes and reads only their own rows, by users._id
        ada, bob = client("ada"), client("bob")
        for name, c in (("ada", ada), ("bob", bob)):
            c.table("deployments").insert({"userId": ids[name], "vmName": f"{name}-vm", "status": "running"}).execute()
        assert [r["vmName"] for r in ada.table("deployments").select("vmName").execute().data] == ["ada-vm"]
        assert [r["vmName"] for r in bob.table("deployments").select("vmName").execute().data] == ["bob-vm"]
        with pytest.raises(Exception) as refused:  # noqa: B017 - postgrest's APIError
            ada.table("deployments").insert({"userId": ids["bob"], "vmName": "planted"}).execute()
        assert "42501" in str(refused.value)

        # RPC: vector search answers among the rows the caller may read, ada's only
        vector = [1.0] + [0.0] * 1535
        admin.table("knowledge").insert(
            [
                {"userId": ids["bob"], "text": "bob's", "embedding": vector},
                {"userId": ids["ada"], "text": "ada's", "embedding": vector},
            ]
        ).execute()
        found = ada.rpc("match_knowledge", {"query_embedding": vector, "match_count": 5}).execute().data
        assert [r["text"] for r in found] == ["ada's"]

        # storage: the folder named by ada's users._id is hers, bob's is not
        admin.storage.create_bucket("uploads")
        ada.storage.from_("uploads").upload(f"{ids['ada']}/notes.txt", b"ada's")
        assert ada.storage.from_("uploads").download(f"{ids['ada']}/notes.txt") == b"ada's"
        with pytest.raises(Exception):  # noqa: B017 - storage3's StorageApiError
            bob.storage.from_("uploads").download(f"{ids['ada']}/notes.txt")
        with pytest.raises(Exception):  # noqa: B017
            ada.storage.from_("uploads").upload(f"{ids['bob']}/planted.txt", b"x")

        # realtime: ada hears her own deployments only
        live = await acreate_client(server.base, server.anon_key)
        await live.realtime.set_auth(tokens["ada"])
        got: list = []
        subscribed = asyncio.Event()
        channel = live.channel("ada-deployments")
        channel.on_postgres_changes("INSERT", schema="public", table="deployments", callback=got.append)
        await channel.subscribe(lambda status, err: subscribed.set() if status.value == "SUBSCRIBED" else None)
        await asyncio.wait_for(subscribed.wait(), 10)
        try:
            admin.table("deployments").insert({"userId": ids["bob"], "vmName": "bob-2"}).execute()
            admin.table("deployments").insert({"userId": ids["ada"], "vmName": "ada-2"}).execute()
            await wait_for(lambda: len(got) >= 1, timeout=30, state=lambda: got)
            await asyncio.sleep(0.5)  # bob's would have come first
        finally:
            await live.realtime.close()
        assert [p["data"]["record"]["vmName"] for p in got] == ["ada-2"]
    finally:
        server.stop()


@pytest.mark.slow
def test_supabase_js_with_a_clerk_access_token_is_the_users_row_on_rest_realtime_and_storage(db_url, issuer, tmp_path):
    """supabase-js's third-party auth (``createClient(url, key, { accessToken })``, as Clerk's guide sets it up)."""
    import json

    from ..api.test_serve import Server
    from ..clients.js import run_js

    (tmp_path / "docbase.toml").write_text(f'auth_third_party_issuer = "{issuer.url}"\n')
    server = Server(tmp_path, db_url, document=SEED.read_text())
    server.start()
    try:
        sub = f"user_{uuid.uuid4().hex[:12]}"
        service = {"apikey": server.service_key, "Authorization": f"Bearer {server.service_key}"}
        other = httpx.post(
            f"{server.base}/rest/v1/users",
            headers={**service, "Prefer": "return=representation"},
            json={"clerkId": "user_someone_else", "email": "else@example.com"},
        ).json()[0]["_id"]
        result = run_js(
            server.base,
            server.anon_key,
            f"""
            const token = {json.dumps(issuer.token(sub, email="ada@example.com", name="Ada"))};
            const options = {{ auth: {{ persistSession: false }}, realtime: {{ transport: WebSocket }} }};
            const clerk = createClient(url, key, {{ ...options, accessToken: async () => token }});
            const admin = createClient(url, process.env.SERVICE_KEY, options);
            const me = await clerk.from("users").select("_id, clerkId, email, name");
            const id = me.data[0]._id;
            const wrote = await clerk.from("deployments").insert({{ userId: id, vmName: "ada-vm" }}).select("vmName");
            const planted = await clerk.from("deployments").insert({{ userId: process.env.OTHER, vmName: "x" }});

            const heard = [];
            let ready;
            const subscribed = new Promise((resolve) => (ready = resolve));
            const channel = clerk
              .channel("mine")
              .on("postgres_changes", {{ event: "INSERT", schema: "public", table: "deployments" }},
                  (p) => heard.push(p.new.vmName))
              .subscribe((status) => {{ if (status === "SUBSCRIBED") ready(); }});
            await subscribed;
            await admin.from("deployments").insert({{ userId: process.env.OTHER, vmName: "else-2" }});
            await admin.from("deployments").insert({{ userId: id, vmName: "ada-2" }});
            for (let i = 0; i < 300 && heard.length < 1; i++) await sleep(100);
            await sleep(500);
            await clerk.removeChannel(channel);

            const files = clerk.storage.from("files");
            const up = await files.upload(`${{id}}/notes.txt`, new Blob(["ada's"], {{ type: "text/plain" }}));
            const down = await files.download(`${{id}}/notes.txt`);
            const foreign = await files.upload(`${{process.env.OTHER}}/x.txt`, new Blob(["x"]));
            return {{
              me: me.data, wrote: wrote.data, planted: planted.error && planted.error.code, heard,
              up: up.error, down: down.data ? await down.data.text() : String(down.error),
              foreign: foreign.error ? foreign.error.message : null,
              read: (await clerk.from("deployments").select("vmName").order("vmName")).data,
            }};
            """,
            env={"SERVICE_KEY": server.service_key, "OTHER": other},
            timeout=120,
        )
        [me] = result["me"]
        rows = httpx.get(f"{server.base}/rest/v1/users?clerkId=eq.{sub}", headers=service).json()
        assert [r["_id"] for r in rows] == [me["_id"]] and me["clerkId"] == sub  # made on first sight, once
        assert (me["email"], me["name"]) == ("ada@example.com", "Ada")
        assert result["wrote"] == [{"vmName": "ada-vm"}] and result["planted"] == "42501"
        assert result["heard"] == ["ada-2"]
        assert result["up"] is None and result["down"] == "ada's" and result["foreign"]
        assert result["read"] == [{"vmName": "ada-2"}, {"vmName": "ada-vm"}]
    finally:
        server.stop()
