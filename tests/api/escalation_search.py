"""The search loop: send each move, then judge what the database says the actors now hold.

After every step that was not refused the authority tables are read
directly (roles, keys, pending invitations, privileged columns) and judged
against the start; after every run of steps the whole database is compared
with the start, and every fifth run (the last included) each actor's reads
are taken again through the API. The first findings stop the search: the
state after a hole is open proves nothing more.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field

from .escalation_checks import Authority, Direct, Judge, authority, keys_act_as_minters, pk_of
from .escalation_moves import Move, Pools, make_move, remember
from .escalation_rows import read_sets, row_findings, snapshot
from .escalation_world import World, build

REACHED = {200, 201, 204, 401, 403, 404}
READS_EVERY = 5  # runs between two readings of every actor's rows through the API (one per table per actor)


@dataclass
class Search:
    w: World
    db: Direct
    judge: Judge
    pools: Pools
    start_state: dict
    start_reads: dict
    current: Authority
    steps: int = 0
    runs: int = 0
    statuses: Counter = field(default_factory=Counter)
    kinds: Counter = field(default_factory=Counter)
    log: list[tuple[int, str, int]] = field(default_factory=list)
    seconds: float = 0.0

    @classmethod
    async def start(cls, seed_path, url: str) -> Search:
        w = await build(seed_path, url)
        db = Direct(url)
        now = authority(w, db)
        actors = frozenset(str(a.user) for a in w.actors if a.user)
        return cls(w, db, Judge(w, now, actors), Pools.start(w), snapshot(w, db), await read_sets(w), now)

    @property
    def findings(self) -> list[tuple[int, str]]:
        return self.judge.findings

    async def run(self, draws: list[int]) -> None:
        """One hypothesis example: its steps, then the whole-database checks (every fifth: reads too)."""
        if self.findings:
            return
        self.runs += 1
        began = time.perf_counter()
        for draw in draws:
            await self.step(make_move(self.pools, draw, self.steps))
            if self.findings:
                break
        await self.whole(self.runs % READS_EVERY == 0 or bool(self.findings))
        self.seconds += time.perf_counter() - began

    async def step(self, move: Move) -> None:
        w = self.w
        self.steps += 1
        n = self.steps
        got = await w.client.request(move.method, f"/rest/v1/{move.path}", json=move.body, headers=move.headers)
        answer = got.json() if got.content and got.headers.get("content-type", "").startswith("application/") else None
        self.statuses[got.status_code] += 1
        self.kinds[f"{move.method} {'rpc' if move.rpc else 'table'}"] += 1
        wrote = got.status_code in (201, 204) or (got.status_code == 200 and answer not in (None, []))
        self.log.append((n, str(move), got.status_code if wrote else 0))
        remember(self.pools, move, got.status_code, answer)
        actor = next(a for a in w.actors if a.name == move.actor)
        if move.rpc == "create_api_key" and got.status_code == 200:
            if actor.name == "key":
                self.findings.append((n, f"a request made with an API key minted another key: {move}"))
            w.minted[str(answer["id"])] = str(actor.user)
            w.plaintexts[answer["key"]] = str(actor.user)
        if 400 <= got.status_code < 500:  # refused, so nothing changed (each run's end checks that too)
            return
        now = authority(w, self.db)
        accepted = move.rpc == "accept_invitation" and got.status_code < 300
        self.judge.after_step(n, actor, accepted, self.current, now)
        if now.keys != self.current.keys:
            await keys_act_as_minters(w, self.judge, n)
        self.current = now
        if self.findings and self.findings[-1][0] == n:
            self.findings[-1] = (n, f"{self.findings[-1][1]}\n    at step {n}: {move} -> {got.status_code}")

    async def whole(self, reads: bool) -> None:
        n = self.steps
        found = row_findings(self.w, self.start_state, snapshot(self.w, self.db), self.judge.actor_users)
        self.findings.extend((n, f"{f}\n    writes so far: {self._writes(f)}") for f in found[:5])
        await keys_act_as_minters(self.w, self.judge, n)
        if not reads:
            return
        existed = {(t, pk_of(self.w, t, r)) for t, rows in self.w.rows.items() for r in rows}
        for actor, seen in (await read_sets(self.w)).items():
            gained = sorted((seen & existed) - self.start_reads[actor])
            if gained:
                self.findings.append((n, f"{actor} now reads rows it could not at the start: {gained[:5]}"))

    def _writes(self, finding: str) -> list[str]:
        table = finding.split(" ", 1)[0]
        return [f"#{i} {m} -> {s}" for i, m, s in self.log if 0 < s < 300 and f" {table}" in m][-4:]

    def distribution(self) -> str:
        reached = sum(c for s, c in self.statuses.items() if s in REACHED)
        share = reached / max(self.steps, 1)
        return (
            f"{self.steps} steps, {share:.0%} reached the access rules; statuses {dict(sorted(self.statuses.items()))};"
            f" moves {dict(sorted(self.kinds.items()))}; {self.seconds:.1f}s"
        )

    async def close(self) -> None:
        self.db.close()
        await self.w.client.aclose()
        await self.w.app.state.db.close()
