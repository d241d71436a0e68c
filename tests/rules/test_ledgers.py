"""Ledgers with running balances: detected in two spellings, posted atomically, consistent under concurrency."""

from __future__ import annotations

import asyncio
import threading

import pytest

from docbase.api.db import connect
from docbase.api.errors import ApiError
from docbase.conventions import ledger_sql
from docbase.conventions.sqltext import Sql
from docbase.migrate import migrate
from docbase.pipeline import build_schema
from docbase.rules.ledgers import detect_ledgers

from .serving import ANON, service_client, signed_in

SNAKE = """# Credits

```sql
CREATE TABLE users (id text PRIMARY KEY, email text);
CREATE TABLE organizations (id text PRIMARY KEY, name text, credit_balance integer NOT NULL DEFAULT 0);
CREATE TABLE members (
  id serial PRIMARY KEY,
  organization_id text NOT NULL REFERENCES organizations(id),
  user_id text NOT NULL REFERENCES users(id),
  role text CHECK (role IN ('owner', 'admin', 'member')),
  UNIQUE (organization_id, user_id)
);
CREATE TABLE credit_transactions (
  id serial PRIMARY KEY,
  organization_id text NOT NULL REFERENCES organizations(id),
  amount integer NOT NULL,
  balance_after integer NOT NULL,
  source text NOT NULL,
  created_at timestamptz DEFAULT now()
);
```
"""

CAMEL = """# Wallets

```mermaid
erDiagram
    wallet {
        uuid id PK
        decimal pointsBalance
    }
    pointsEntry {
        uuid id PK
        uuid walletId FK
        decimal amount
        decimal runningBalance
    }
    wallet ||--o{ pointsEntry : records
```
"""


def test_both_spellings_are_ledgers_named_after_their_entries():
    (snake,) = detect_ledgers(build_schema(SNAKE))
    assert (snake.table, snake.owner_table, snake.balance, snake.balance_after, snake.rpc) == (
        "credit_transactions", "organizations", "credit_balance", "balance_after", "post_credit_transaction",
    )  # fmt: skip
    (camel,) = detect_ledgers(build_schema(CAMEL))
    assert (camel.table, camel.owner_column, camel.balance, camel.balance_after, camel.rpc) == (
        "pointsEntry", "walletId", "pointsBalance", "runningBalance", "post_points_entry",
    )  # fmt: skip
    assert detect_ledgers(build_schema(SNAKE), {"rules": {"credit_transactions": {"ledger": False}}}) == []


_user = signed_in


@pytest.fixture
async def api(db_url):
    async with service_client(SNAKE, db_url) as client:
        await client.post("/rest/v1/users", json=[{"id": "ann"}, {"id": "bob"}])
        await client.post("/rest/v1/organizations", json=[{"id": "acme"}, {"id": "other"}])
        await client.post("/rest/v1/members", json={"organization_id": "acme", "user_id": "ann", "role": "member"})
        yield client


def _post(api, body, headers=None):
    return api.post("/rest/v1/rpc/post_credit_transaction", json=body, headers=headers or {})


async def test_a_posting_moves_the_balance_and_records_it(api):
    got = await _post(api, {"organization_id": "acme", "amount": 100, "source": "purchase"})
    assert got.status_code == 200, got.text
    assert (got.json()["amount"], got.json()["balance_after"]) == (100, 100)
    spent = await _post(api, {"organization_id": "acme", "amount": -30, "source": "usage"}, _user("ann"))
    assert spent.status_code == 200, spent.text and spent.json()["balance_after"] == 70
    org = (await api.get("/rest/v1/organizations?id=eq.acme&select=credit_balance")).json()
    assert org == [{"credit_balance": 70}]


async def test_overdrafts_credit_from_members_and_outsiders_are_refused_and_change_nothing(api):
    await _post(api, {"organization_id": "acme", "amount": 10, "source": "purchase"})
    over = await _post(api, {"organization_id": "acme", "amount": -11, "source": "usage"}, _user("ann"))
    assert (over.status_code, over.json()["code"]) == (400, "P0001"), over.text
    assert over.json()["message"] == "insufficient balance: organizations.credit_balance is 10"
    mint = await _post(api, {"organization_id": "acme", "amount": 5, "source": "gift"}, _user("ann"))
    assert (mint.status_code, mint.json()["code"]) == (403, "42501")
    outsider = await _post(api, {"organization_id": "acme", "amount": -1, "source": "usage"}, _user("bob"))
    assert (outsider.status_code, outsider.json()["code"]) == (403, "42501")
    anon_key = ANON
    anon = await _post(api, {"organization_id": "acme", "amount": -1, "source": "usage"}, anon_key)
    assert anon.status_code == 401
    for body in ({"organization_id": "acme", "amount": 0, "source": "x"}, {"organization_id": "acme", "source": "x"},
                 {"organization_id": "acme", "amount": 1, "balance_after": 99, "source": "x"}):  # fmt: skip
        assert (await _post(api, body)).status_code == 400
    assert (await _post(api, {"organization_id": "nope", "amount": 1, "source": "x"})).status_code == 404
    # the tables themselves are the billing side's: a member cannot write the balance or an entry directly
    direct = await api.patch("/rest/v1/organizations?id=eq.acme", json={"credit_balance": 10**6}, headers=_user("ann"))
    assert direct.status_code in (401, 403), direct.text
    entry = {"organization_id": "acme", "amount": 10**6, "balance_after": 10**6, "source": "x"}
    assert (await api.post("/rest/v1/credit_transactions", json=entry, headers=_user("ann"))).status_code == 403
    rows = (await api.get("/rest/v1/credit_transactions?select=amount,balance_after")).json()
    assert rows == [{"amount": 10, "balance_after": 10}]


WORKERS, POSTINGS = 8, 1000


def test_eight_workers_posting_a_thousand_each_keep_one_consistent_chain(db_url):
    schema = build_schema(SNAKE)
    migrate(schema, db_url)
    (ledger,) = detect_ledgers(schema)
    setup = connect(db_url)
    sql = Sql(setup.dialect)

    async def prepare() -> None:
        async with setup.transaction() as tx:
            await tx.rows(sql.render("INSERT INTO organizations (id, credit_balance) VALUES (?, ?)"), ["acme", 0])
        await setup.close()

    asyncio.run(prepare())
    errors: list[BaseException] = []

    def worker(n: int) -> None:  # a thread with its own connection, as a separate worker process would have
        async def run() -> None:
            db = connect(db_url)
            try:
                for i in range(POSTINGS):
                    amount = (n + 1) * (-1 if i % 4 == 3 else 1)  # spends too; each worker stays at or above zero
                    body = {"organization_id": "acme", "amount": amount, "source": "t"}
                    while True:  # SQLite answers 503 when its one writer slot stays taken: retry, as a client would
                        try:
                            async with db.transaction() as tx:
                                if sql.pg:  # no fsync per commit: this test is about ordering, not durability
                                    await tx.rows("SET LOCAL synchronous_commit = off", [])
                                await ledger_sql.post(tx, sql, schema, ledger, body)
                            break
                        except ApiError as exc:
                            if exc.status != 503:
                                raise
            finally:
                await db.close()

        try:
            asyncio.run(run())
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(WORKERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []

    async def read() -> tuple[int, list[tuple]]:
        db = connect(db_url)
        try:
            async with db.transaction(readonly=True) as tx:
                balance = (await tx.rows("SELECT credit_balance FROM organizations", []))[0][0]
                chain = await tx.rows(
                    "SELECT amount, balance_after FROM credit_transactions ORDER BY balance_after, id", []
                )
                ordered = await tx.rows("SELECT amount, balance_after FROM credit_transactions ORDER BY id", [])
            return balance, ordered or chain
        finally:
            await db.close()

    balance, entries = asyncio.run(read())
    expected = sum((n + 1) * (-1 if i % 4 == 3 else 1) for n in range(WORKERS) for i in range(POSTINGS))
    assert len(entries) == WORKERS * POSTINGS
    assert balance == expected == sum(a for a, _ in entries)
    running = 0
    for amount, after in entries:  # in commit order (ids are given in commit order under the owner's row lock)
        running += amount
        assert after == running


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_seed_002_credit_ledger_through_the_official_client(tmp_path, db_url):
    """Seed 002's credit_transactions move organizations.credit_balance; concurrent postings lose nothing."""
    from concurrent.futures import ThreadPoolExecutor

    from supabase import create_client

    from ..api.test_serve import Server
    from ..conftest import seed_file

    server = Server(tmp_path, db_url, document=seed_file("002").read_text())
    server.start()
    try:
        client = create_client(server.base, server.service_key)
        org = "00000000-0000-4000-8000-0000000000aa"
        client.table("organizations").insert({"id": org, "name": "Acme", "slug": "acme"}).execute()

        def post(n: int) -> int:
            body = {"organization_id": org, "amount": n, "transaction_type": "purchased", "source": "purchase"}
            return client.rpc("post_credit_transaction", body).execute().data["balance_after"]

        with ThreadPoolExecutor(8) as pool:
            afters = list(pool.map(post, range(1, 41)))
        assert sorted(afters)[-1] == sum(range(1, 41))
        balance = client.table("organizations").select("credit_balance").eq("id", org).execute().data
        assert balance == [{"credit_balance": sum(range(1, 41))}]
        entries = client.table("credit_transactions").select("amount,balance_after").order("balance_after").execute()
        running = 0
        for entry in entries.data:
            running += entry["amount"]
            assert entry["balance_after"] == running
        assert len(entries.data) == 40
    finally:
        server.stop()


async def test_openapi_documents_the_posting_rpc(api):
    spec = (await api.get("/rest/v1/")).json()
    post = spec["paths"]["/rest/v1/rpc/post_credit_transaction"]["post"]
    assert post["requestBody"]["content"]["application/json"]["schema"]["required"] == ["organization_id", "amount"]


OVERDRAFT = """# Wallets

### wallets

*   **Schema:**
    *   `id`: TEXT, Primary Key
    *   `points_balance`: INTEGER, Not Null, Default: `0`, may go negative (overdrafts allowed)

### entries

| column | type | notes |
|---|---|---|
| id | serial | primary key |
| wallet_id | text | references wallets(id) |
| amount | integer | |
| balance_after | integer | |
"""


def test_the_document_allows_negative_balances_and_docbase_toml_overrides_it():
    (ledger,) = detect_ledgers(build_schema(OVERDRAFT))
    assert ledger.allow_negative is True
    assert "may go negative" in ledger.why() and "line 7" in ledger.why()
    (kept,) = detect_ledgers(build_schema(OVERDRAFT), {"rules": {"entries": {"allow_negative": False}}})
    assert kept.allow_negative is False
    for said in ("can not go negative", "overdrafts are not allowed", "never allowed to go negative"):
        (refused,) = detect_ledgers(build_schema(OVERDRAFT.replace("may go negative (overdrafts allowed)", said)))
        assert refused.allow_negative is False, said
    (plain,) = detect_ledgers(build_schema(SNAKE))
    assert plain.allow_negative is False


async def test_a_document_allowing_negative_balances_lets_a_posting_overdraw(db_url):
    async with service_client(OVERDRAFT, db_url) as api:
        await api.post("/rest/v1/wallets", json={"id": "w"})
        got = await api.post("/rest/v1/rpc/post_entry", json={"wallet_id": "w", "amount": -5})
        assert got.status_code == 200, got.text
        assert got.json()["balance_after"] == -5
        wallet = (await api.get("/rest/v1/wallets?select=points_balance")).json()
        assert wallet == [{"points_balance": -5}]
