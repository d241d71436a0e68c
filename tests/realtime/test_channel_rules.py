"""Private-channel rules from ``[realtime]`` in docbase.toml, through supabase-py on both databases.

Alice is a ``member`` of org A, Vera a ``viewer`` there, Bob a ``member`` of org B (conftest). The rules give
org staff channels to members only, each user an inbox of their own, and everyone signed in a read-only
announcements channel; ``docbase inspect`` and ``docbase access`` list them.
"""

from __future__ import annotations

import asyncio

import httpx
import pytest
from supabase import acreate_client
from typer.testing import CliRunner

from docbase.cli import app
from docbase.realtime.channel_rules import load_rules
from docbase.settings import ConfigError

from .conftest import DOC, TOML, served_world, wait_for

RULES = """
[[realtime.channels]]
topic = "org:{tenant}:staff"
member_roles = ["member", "owner"]

[[realtime.channels]]
topic = "inbox:{user}"

[[realtime.channels]]
topic = "announcements"
roles = ["authenticated"]
send = false
"""


@pytest.fixture
def ruled(tmp_path, db_url):
    with served_world(tmp_path, db_url, TOML + RULES) as made:
        yield made


async def _join(world, name: str, topic: str, got: list | None = None) -> tuple[str, object, object]:
    client = await acreate_client(world.server.base, world.server.anon_key)
    await client.realtime.set_auth(world.tokens[name])
    channel = client.channel(topic, {"config": {"private": True, "broadcast": {"self": True, "ack": True}}})
    if got is not None:
        channel.on_broadcast("msg", got.append)
    seen: list = []
    done = asyncio.Event()
    await channel.subscribe(lambda s, e: (seen.append((s.value, e)), done.set()))
    await asyncio.wait_for(done.wait(), 10)
    return seen[-1][0], client, channel


@pytest.mark.slow
async def test_rules_decide_who_joins_and_who_sends(ruled):
    w = ruled
    staff, inbox = f"org:{w.org_a}:staff", f"inbox:{w.users['alice']}"
    cases = [
        ("alice", staff, "SUBSCRIBED"),
        ("vera", staff, "CHANNEL_ERROR"),  # a viewer: not among member_roles
        ("bob", staff, "CHANNEL_ERROR"),  # another tenant's member
        ("alice", inbox, "SUBSCRIBED"),
        ("bob", inbox, "CHANNEL_ERROR"),  # someone else's inbox
        ("bob", "announcements", "SUBSCRIBED"),
        ("alice", "elsewhere", "CHANNEL_ERROR"),  # no rule matches
        ("alice", w.org_a, "SUBSCRIBED"),  # docbase's default still follows the configured rules
    ]
    clients = []
    heard: list = []
    try:
        got = []
        for name, topic, _ in cases:
            status, client, channel = await _join(w, name, topic, heard if topic == "announcements" else None)
            got.append(status)
            clients.append(client)
            if topic == "announcements":
                announcements = channel
        assert got == [c[2] for c in cases]
        # send = false: a listener's own broadcast is refused, over the socket and over HTTP
        reply = await announcements.send_broadcast("msg", {"from": "bob"})
        r = httpx.post(
            f"{w.server.base}/realtime/v1/api/broadcast",
            headers={"apikey": w.server.anon_key, "Authorization": f"Bearer {w.tokens['bob']}"},
            json={"messages": [{"topic": "announcements", "event": "msg", "payload": {"x": 1}, "private": True}]},
        )
        assert r.status_code == 403 and "Unauthorized" in r.json()["message"]
        r = httpx.post(
            f"{w.server.base}/realtime/v1/api/broadcast",
            headers={"apikey": w.server.service_key},
            json={
                "messages": [{"topic": "announcements", "event": "msg", "payload": {"from": "ops"}, "private": True}]
            },
        )
        assert r.status_code == 202
        await wait_for(lambda: heard)
        await asyncio.sleep(0.3)
    finally:
        for client in clients:
            await client.realtime.close()
    assert [m["payload"] for m in heard] == [{"from": "ops"}]
    assert reply != "ok"


@pytest.mark.slow
async def test_the_tenant_default_can_be_switched_off(tmp_path, db_url):
    with served_world(tmp_path, db_url, TOML + "[realtime]\ntenant_channels = false\n") as w:
        status, client, _ = await _join(w, "alice", w.org_a)
        await client.realtime.close()
    assert status == "CHANNEL_ERROR"


@pytest.mark.parametrize(
    "toml, says",
    [
        ('[[realtime.channels]]\ntopic = "lobby"\n', "would admit everyone"),
        ('[[realtime.channels]]\ntopic = "x:{user}"\nmember_roles = ["owner"]\n', "member_roles needs {tenant}"),
        ('[[realtime.channels]]\ntopic = "x:{user}"\nwho = 1\n', "unknown key 'who'"),
        ('[[realtime.channels]]\nroles = ["anon"]\n', "needs a topic"),
        ("[realtime]\ntenant_channel = false\n", "no key 'tenant_channel'"),
    ],
)
def test_rules_that_cannot_be_used_are_refused_with_the_reason(toml, says):
    import tomllib

    with pytest.raises(ConfigError, match=r"docbase\.toml.*error") as caught:
        load_rules(tomllib.loads(toml))
    assert says in str(caught.value)


def test_inspect_and_access_list_the_rules(tmp_path):
    (tmp_path / "design.md").write_text(DOC)
    (tmp_path / "docbase.toml").write_text(RULES)
    runner = CliRunner()
    for command in ("inspect", "access"):
        out = runner.invoke(app, [command, str(tmp_path / "design.md")]).stdout
        assert 'docbase.toml: info: private channel "inbox:{user}": the user named may join and send' in out
        assert 'private channel "announcements": role authenticated may join (not send)' in out
        assert 'design.md:4: info: private channel "{tenant}"' in out and "tenant_channels = false" in out
