"""docbase.realtime.presence without sockets: the diffs another worker's rows and silence produce."""

from __future__ import annotations

from docbase.realtime.presence import TIMEOUT, Presence

KEY = ("realtime:lobby", False)


def test_a_remote_track_retrack_and_said_again_give_one_diff_each():
    there, here = Presence("w1"), Presence("w2")
    _, _, row = there.track(KEY, "alice", object(), {"status": "online"})
    assert here.heard(row, "2026-01-01T00:00:00Z") == [(KEY, {"alice": {"metas": [row["meta"]]}}, {})]
    assert here.heard(row, "2026-01-01T00:00:01Z") == []  # the answer to a hello: nothing new
    channel = next(iter(there.local[KEY]["alice"]))
    _, _, again = there.track(KEY, "alice", channel, {"status": "away"})
    [(_, joins, leaves)] = here.heard(again, "2026-01-01T00:00:02Z")
    assert joins["alice"]["metas"][0]["status"] == "away" and leaves["alice"]["metas"][0]["status"] == "online"
    assert [m["status"] for m in here.state(KEY)["alice"]["metas"]] == ["away"]


def test_a_silent_worker_leaves_after_the_timeout():
    there, here = Presence("w1"), Presence("w2")
    _, _, row = there.track(KEY, "alice", object(), {})
    here.heard(row, "2026-01-01T00:00:00+00:00")
    start = here.seen["w1"]
    assert here.reap(start + TIMEOUT - 1) == []
    assert here.reap(start + TIMEOUT + 1) == [(KEY, {}, {"alice": {"metas": [row["meta"]]}})]
    assert here.state(KEY) == {}
