"""supabase-js (``@supabase/supabase-js`` with ``ws`` under node) against ``docbase serve``, on both databases.

The client speaks serializer 2.0.0: JSON arrays, and binary frames for broadcasts.
"""

from __future__ import annotations

import threading
import time

import httpx
import pytest

from ..clients.js import run_js
from .conftest import PASSWORD

pytestmark = pytest.mark.slow


def _when_row(world, note_id: int, then) -> threading.Thread:
    """Once the JS client's own REST insert has landed, write more rows straight into the database."""

    def run() -> None:
        deadline = time.time() + 30
        while time.time() < deadline:
            r = httpx.get(
                f"{world.server.base}/rest/v1/notes?id=eq.{note_id}", headers={"apikey": world.server.service_key}
            )
            if r.status_code == 200 and r.json():
                then()
                return
            time.sleep(0.1)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def test_postgres_changes_through_rest_and_a_direct_connection(world):
    def direct() -> None:
        world.direct("INSERT INTO notes (id, organization_id, title, n) VALUES (?, ?, ?, ?)", (2, world.org_b, "b", 1))
        world.direct("INSERT INTO notes (id, organization_id, title, n) VALUES (?, ?, ?, ?)", (3, world.org_a, "d", 2))
        world.direct("UPDATE notes SET n = ? WHERE id = ?", (9, 3))

    thread = _when_row(world, 1, direct)
    result = run_js(
        world.server.base,
        world.server.anon_key,
        f"""
        const signed = await supabase.auth.signInWithPassword({{ email: "alice@example.com", password: "{PASSWORD}" }});
        if (signed.error) return {{ error: signed.error.message }};
        await supabase.realtime.setAuth(signed.data.session.access_token);
        const got = [];
        const status = await new Promise((resolve) => {{
          supabase.channel("notes-js")
            .on("postgres_changes", {{ event: "*", schema: "public", table: "notes" }}, (p) => got.push(p))
            .subscribe((s, err) => {{ if (s === "SUBSCRIBED" || err) resolve(err ? String(err) : s); }});
        }});
        const ins = await supabase.from("notes").insert({{ id: 1, organization_id: "{world.org_a}", title: "js", n: 1 }});
        for (let i = 0; i < 200 && got.length < 3; i++) await sleep(50);
        await sleep(500);
        await supabase.removeAllChannels();
        return {{ status, insert: ins.error, got }};
        """,
    )
    thread.join(5)
    assert result["status"] == "SUBSCRIBED" and result["insert"] is None, result
    got = result["got"]
    assert [(p["eventType"], p["new"]["id"]) for p in got] == [("INSERT", 1), ("INSERT", 3), ("UPDATE", 3)]
    first = got[0]
    assert first["schema"] == "public" and first["table"] == "notes" and first["errors"] is None
    assert first["new"]["title"] == "js" and first["old"] == {} and first["commit_timestamp"].endswith("Z")
    assert got[2]["new"]["n"] == 9 and got[2]["old"] == {"id": 3}


def test_broadcast_presence_and_http_send(world):
    result = run_js(
        world.server.base,
        world.server.service_key,
        """
        const other = createClient(url, key, {
          auth: { persistSession: false, autoRefreshToken: false },
          realtime: { transport: WebSocket },
        });
        const heard = [], mine = [], joins = [];
        const subscribed = (ch) => new Promise((resolve) => ch.subscribe((s, err) => {
          if (s === "SUBSCRIBED" || err) resolve(err ? String(err) : s);
        }));
        const a = supabase.channel("room", { config: { broadcast: { self: true, ack: true }, presence: { key: "ann" } } });
        a.on("broadcast", { event: "hi" }, (m) => mine.push(m));
        const b = other.channel("room", { config: { presence: { key: "ben" } } });
        b.on("broadcast", { event: "*" }, (m) => heard.push(m));
        b.on("presence", { event: "join" }, ({ key, newPresences }) => joins.push([key, newPresences.map((p) => p.mood)]));
        const states = [await subscribed(a), await subscribed(b)];
        const ack = await a.send({ type: "broadcast", event: "hi", payload: { n: 1 } });
        const tracked = await a.track({ mood: "happy" });
        const http = await b.httpSend("from-server", { n: 2 });
        for (let i = 0; i < 100 && (heard.length < 2 || joins.length < 1 || mine.length < 1); i++) await sleep(50);
        const state = b.presenceState();
        await a.untrack();
        await sleep(300);
        const after = b.presenceState();
        await supabase.removeAllChannels();
        await other.removeAllChannels();
        return { states, ack, tracked, http, heard, mine, joins, state, after };
        """,
    )
    assert result["states"] == ["SUBSCRIBED", "SUBSCRIBED"], result
    assert result["ack"] == "ok" and result["tracked"] == "ok" and result["http"] == {"success": True}
    assert [(m["event"], m["payload"]) for m in result["heard"]] == [("hi", {"n": 1}), ("from-server", {"n": 2})]
    assert [(m["event"], m["payload"]) for m in result["mine"]] == [("hi", {"n": 1})]
    assert result["joins"] == [["ann", ["happy"]]]
    assert [p["mood"] for p in result["state"]["ann"]] == ["happy"]
    assert "ann" not in result["after"]
