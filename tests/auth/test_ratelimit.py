"""Sign-in throttling: per client and per client+email with backoff, never the owner locked out from everywhere."""

from __future__ import annotations

import httpx
import pytest
import sqlalchemy as sa

from docbase.auth import ratelimit
from docbase.auth.clientip import client_address, limit_key, parse_networks
from docbase.auth.config import AuthConfig
from docbase.auth.tables import auth_tables, create_auth_tables
from docbase.db.core import Engine

from .conftest import Clock, make_harness


async def test_counters_count_within_a_window_and_reset_after(db_url):
    engine = Engine(db_url)
    t = auth_tables(engine.dialect.name)
    try:
        await engine.run_sync(create_auth_tables)
        async with engine.begin() as conn:
            assert [await ratelimit.hit(conn, t, "k", 300, 1_000.0) for _ in range(3)] == [1, 2, 3]
            assert await ratelimit.count(conn, t, "k", 300, 1_100.0) == 3
            assert await ratelimit.over(conn, t, ["other", "k"], 3, 300, 1_100.0)
            assert not await ratelimit.over(conn, t, ["k"], 4, 300, 1_100.0)
            assert await ratelimit.count(conn, t, "k", 300, 1_200.0) == 0
            assert await ratelimit.hit(conn, t, "k", 300, 1_200.0) == 1
            assert (await conn.execute(sa.select(sa.func.count()).select_from(t.rate_limits))).scalar() == 1
    finally:
        await engine.dispose()


def client_from(h, address: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=h.app, client=(address, 5000))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver", headers={"apikey": h.anon})


async def login(client: httpx.AsyncClient, password: str, email: str = "ada@example.com", **headers) -> httpx.Response:
    return await client.post(
        "/auth/v1/token",
        params={"grant_type": "password"},
        headers=headers,
        json={"email": email, "password": password},
    )


async def test_failures_from_anywhere_never_lock_the_owner_out(db_url):
    """The reported lockout: 30 failures for an email from elsewhere locked the right password for 5 minutes."""
    clock = Clock()
    h = await make_harness(db_url, clock=clock, rate_limit=30, signin_free_attempts=5)
    try:
        await h.signup()
        async with client_from(h, "203.0.113.66") as attacker, client_from(h, "198.51.100.7") as owner:
            statuses = [(await login(attacker, "wrong password")).status_code for _ in range(8)]
            assert statuses == [400] * 6 + [429] * 2
            assert (await login(owner, "correct horse")).status_code == 200
            blocked = await login(attacker, "correct horse")
            assert (blocked.status_code, blocked.json()["error_code"]) == (429, "over_request_rate_limit")
            assert blocked.headers["retry-after"] == "1"
    finally:
        await h.client.aclose()
        await h.engine.dispose()


async def test_backoff_doubles_per_client_and_email_and_a_success_clears_it(db_url):
    clock = Clock()
    h = await make_harness(db_url, clock=clock, signin_free_attempts=2, signin_max_backoff=8)
    try:
        await h.signup()
        async with client_from(h, "203.0.113.5") as c:
            waits = []
            for _ in range(6):
                r = await login(c, "wrong password")
                assert r.status_code == 400
                refused = await login(c, "wrong password")
                waits.append(int(refused.headers.get("retry-after", "0")) if refused.status_code == 429 else 0)
                clock.now += waits[-1]
            assert waits == [0, 1, 2, 4, 8, 8]
            other_email = await login(c, "wrong password", email="grace@example.com")
            assert other_email.status_code == 400
            assert (await login(c, "correct horse")).status_code == 200
            assert (await login(c, "wrong password")).status_code == 400
            assert (await login(c, "wrong password")).status_code == 400
            assert (await login(c, "correct horse")).status_code == 200
    finally:
        await h.client.aclose()
        await h.engine.dispose()


async def test_failures_from_one_client_across_emails_answer_429_for_that_client_only(db_url):
    clock = Clock()
    h = await make_harness(db_url, clock=clock, rate_limit=3)
    try:
        await h.signup()
        async with client_from(h, "203.0.113.9") as guesser, client_from(h, "198.51.100.1") as owner:
            for i in range(3):
                assert (await login(guesser, "wrong password", email=f"guess{i}@example.com")).status_code == 400
            r = await login(guesser, "correct horse")
            assert (r.status_code, r.headers["retry-after"]) == (429, str(300 - int(clock.now) % 300))
            assert (await login(owner, "correct horse")).status_code == 200
            clock.now += 300
            assert (await login(guesser, "correct horse")).status_code == 200
    finally:
        await h.client.aclose()
        await h.engine.dispose()


async def test_successful_sign_ins_are_not_counted(sqlite_url):
    h = await make_harness(sqlite_url, rate_limit=2)
    try:
        await h.signup()
        for _ in range(4):
            assert (await h.login()).status_code == 200
    finally:
        await h.client.aclose()
        await h.engine.dispose()


async def test_forwarded_for_counts_only_behind_a_trusted_proxy(db_url):
    clock = Clock()
    h = await make_harness(db_url, clock=clock, rate_limit=2, trusted_proxies=("10.0.0.0/8",))
    try:
        await h.signup()
        async with client_from(h, "10.0.0.2") as proxy, client_from(h, "198.51.100.1") as direct:
            for _ in range(2):
                r = await login(proxy, "wrong password", **{"x-forwarded-for": "203.0.113.1"})
                assert r.status_code == 400
            assert (await login(proxy, "correct horse", **{"x-forwarded-for": "203.0.113.1"})).status_code == 429
            # Everyone else behind the same proxy is a different client.
            assert (await login(proxy, "correct horse", **{"x-forwarded-for": "203.0.113.2"})).status_code == 200
            # A client that is not a trusted proxy cannot choose its address by header.
            for n in range(2):
                forged = {"x-forwarded-for": f"192.0.2.{n}"}
                assert (await login(direct, "wrong password", **forged)).status_code == 400
            assert (await login(direct, "correct horse", **{"x-forwarded-for": "192.0.2.99"})).status_code == 429
        sessions = await h.rows(
            "SELECT ip FROM " + ("auth.sessions" if "postgresql" in db_url else "auth_sessions") + " ORDER BY ip"
        )
        assert sessions == [{"ip": "127.0.0.1"}, {"ip": "203.0.113.2"}]  # the sign-up, then the proxied client
    finally:
        await h.client.aclose()
        await h.engine.dispose()


@pytest.mark.parametrize(
    ("peer", "header", "expected"),
    [
        ("10.0.0.2", ["203.0.113.7"], "203.0.113.7"),
        ("10.0.0.2", ["6.6.6.6, 203.0.113.7, 10.1.2.3"], "203.0.113.7"),
        ("10.0.0.2", ["6.6.6.6", "203.0.113.7"], "203.0.113.7"),
        ("10.0.0.2", ["203.0.113.7:4711"], "203.0.113.7"),
        ("10.0.0.2", ["[2001:db8::1]:443"], "2001:db8::1"),
        ("10.0.0.2", ["not-an-address"], "10.0.0.2"),
        ("10.0.0.2", [], "10.0.0.2"),
        ("10.0.0.2", ["10.0.0.3"], "10.0.0.3"),
        ("198.51.100.1", ["203.0.113.7"], "198.51.100.1"),
        (None, ["203.0.113.7"], "unknown"),
    ],
)
def test_client_address(peer, header, expected):
    assert client_address(peer, header, parse_networks("10.0.0.0/8")) == expected


def test_limits_count_an_ipv6_client_by_its_64():
    assert limit_key("2001:db8:1:2:aaaa::1") == limit_key("2001:db8:1:2:bbbb::9") == "2001:db8:1:2::/64"
    assert limit_key("::ffff:203.0.113.7") == "203.0.113.7"
    assert limit_key("203.0.113.7") == "203.0.113.7"


def test_a_bad_trusted_proxy_entry_is_refused_when_settings_are_read():
    with pytest.raises(ValueError, match="'10.0.0.0/33' is not an IP address or CIDR network"):
        AuthConfig(trusted_proxies=("10.0.0.0/33",))
