"""Presence shared by every worker: who is on a topic, with join/leave diffs, through the change table.

A worker keeps the presences tracked on its own sockets (``local``) and learns
the others' from ``PRESENCE`` rows in ``_docbase_changes`` (``remote``): each
track writes a ``join`` row (with the meta it replaces, if any), each untrack or
closed socket a ``leave`` row. A worker that tracks anything writes an ``alive``
row every ``HEARTBEAT`` seconds; one not heard from for ``TIMEOUT`` seconds (its
process died, or lost its database) has its presences dropped everywhere, with
leave diffs, as Phoenix does when a node goes away. A worker starting up writes
``hello`` and the others write their presences again, so state older than the
change table's retention is never lost. The rows pass through every worker of
the machine (SQLite) or of the database (PostgreSQL) like broadcasts do.
"""

from __future__ import annotations

import datetime
import time
import uuid
from typing import Any

HEARTBEAT = 5.0
TIMEOUT = 15.0

Key = tuple[str, bool]  # (topic, private)


def _epoch(at: Any) -> float:
    try:
        return datetime.datetime.fromisoformat(str(at)).timestamp()
    except ValueError:
        return time.time()


class Presence:
    def __init__(self, worker: str) -> None:
        self.worker = worker
        self.local: dict[Key, dict[str, dict[Any, dict[str, Any]]]] = {}  # key -> presence key -> channel -> meta
        self.remote: dict[Key, dict[str, dict[str, tuple[str, dict[str, Any]]]]] = {}  # ... -> ref -> (worker, meta)
        self.seen: dict[str, float] = {}

    def state(self, key: Key) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for pkey, metas in self.local.get(key, {}).items():
            out.setdefault(pkey, {"metas": []})["metas"].extend(metas.values())
        for pkey, metas in self.remote.get(key, {}).items():
            out.setdefault(pkey, {"metas": []})["metas"].extend(m for _, m in metas.values())
        return {k: v for k, v in out.items() if v["metas"]}

    def tracking(self) -> bool:
        return bool(self.local)

    # -- this worker's sockets ----------------------------------------------------------------
    def track(self, key: Key, pkey: str, channel: Any, payload: dict[str, Any]) -> tuple[dict, dict, dict]:
        """(joins, leaves, row to publish) for ``channel`` tracking ``payload``."""
        metas = self.local.setdefault(key, {}).setdefault(pkey, {})
        old = metas.get(channel)
        meta = {**payload, "phx_ref": uuid.uuid4().hex[:20]}
        if old is not None:
            meta["phx_ref_prev"] = old["phx_ref"]
        metas[channel] = meta
        leaves = {pkey: {"metas": [old]}} if old is not None else {}
        row = self._row("join", key, pkey, meta, old["phx_ref"] if old else None)
        return {pkey: {"metas": [meta]}}, leaves, row

    def untrack(self, key: Key, pkey: str, channel: Any) -> tuple[dict, dict | None]:
        """(leaves, row to publish), empty when ``channel`` tracked nothing."""
        state = self.local.get(key)
        if not state or pkey not in state:
            return {}, None
        old = state[pkey].pop(channel, None)
        if not state[pkey]:
            del state[pkey]
        if not state:
            del self.local[key]
        if old is None:
            return {}, None
        return {pkey: {"metas": [old]}}, self._row("leave", key, pkey, None, old["phx_ref"])

    def rows(self) -> list[dict[str, Any]]:
        """Every local presence as a join row (the answer to another worker's hello)."""
        return [
            self._row("join", key, pkey, meta, None)
            for key, state in self.local.items()
            for pkey, metas in state.items()
            for meta in metas.values()
        ]

    def _row(self, kind: str, key: Key, pkey: str, meta: dict | None, ref: str | None) -> dict[str, Any]:
        return {"kind": kind, "worker": self.worker, "topic": key[0], "private": key[1], "key": pkey} | {
            "meta": meta,
            "ref": ref,
        }

    # -- the other workers --------------------------------------------------------------------
    def heard(self, row: dict[str, Any], at: Any) -> list[tuple[Key, dict, dict]]:
        """Apply another worker's row; the (key, joins, leaves) diffs local members must be told."""
        worker = str(row.get("worker"))
        self.seen[worker] = max(self.seen.get(worker, 0.0), _epoch(at))
        kind = row.get("kind")
        if kind not in ("join", "leave") or not isinstance(row.get("topic"), str):
            return []
        key: Key = (row["topic"], bool(row.get("private")))
        pkey = str(row.get("key"))
        metas = self.remote.setdefault(key, {}).setdefault(pkey, {})
        joins: dict = {}
        leaves: dict = {}
        ref = row.get("ref")
        if ref in metas:
            leaves = {pkey: {"metas": [metas.pop(ref)[1]]}}
        meta = row.get("meta")
        if kind == "join" and isinstance(meta, dict):
            if meta.get("phx_ref") in metas:  # said again (a hello's answer): nothing changed
                return []
            metas[meta["phx_ref"]] = (worker, meta)
            joins = {pkey: {"metas": [meta]}}
        self._tidy(key, pkey)
        return [(key, joins, leaves)] if joins or leaves else []

    def reap(self, now: float | None = None) -> list[tuple[Key, dict, dict]]:
        """Drop the presences of workers silent for ``TIMEOUT``; the leave diffs."""
        now = time.time() if now is None else now
        dead = {w for w, t in self.seen.items() if now - t > TIMEOUT}
        out = []
        for key, state in list(self.remote.items()):
            for pkey, metas in list(state.items()):
                gone = [m for w, m in metas.values() if w in dead]
                if gone:
                    for ref in [r for r, (w, _) in metas.items() if w in dead]:
                        del metas[ref]
                    out.append((key, {}, {pkey: {"metas": gone}}))
                    self._tidy(key, pkey)
        for w in dead:
            del self.seen[w]
        return out

    def _tidy(self, key: Key, pkey: str) -> None:
        state = self.remote.get(key)
        if state is not None and not state.get(pkey):
            state.pop(pkey, None)
            if not state:
                del self.remote[key]
