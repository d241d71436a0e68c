"""Turning measurements into the results table, ratios and files; pure apart from ``write`` and ``machine``.

Ratios compare each contender with docbase on the same database and one
worker (the floors and PocketBase with docbase on SQLite), per workload:
``2.00x`` means twice docbase's requests per second. A run with errors
(non-2xx answers, socket errors) is flagged in the table, since a server
that refuses quickly is not fast.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
from datetime import UTC, datetime
from pathlib import Path

from .workloads import WORKLOADS


def reference_name(contender: dict) -> str:
    """The docbase run a contender is compared with."""
    database = contender.get("database")
    return f"docbase {database if database in ('sqlite', 'postgresql') else 'sqlite'} 1w"


def ratio(contender: dict, workload: str, by_name: dict[str, dict]) -> float | None:
    """Contender requests/s over its docbase reference's, or None when either is missing."""
    ref = by_name.get(reference_name(contender))
    mine = contender.get("workloads", {}).get(workload, {})
    theirs = (ref or {}).get("workloads", {}).get(workload, {})
    if not mine.get("requests_per_second") or not theirs.get("requests_per_second"):
        return None
    return mine["requests_per_second"] / theirs["requests_per_second"]


def _fmt(value: float | None, spec: str, suffix: str = "") -> str:
    return "-" if value is None else f"{value:{spec}}{suffix}"


def rows(results: dict) -> list[list[str]]:
    """One table row per contender x workload (errors and missing contenders included)."""
    by_name = {c["name"]: c for c in results["contenders"]}
    table = []
    for c in results["contenders"]:
        rss = c.get("peak_rss_mb") or {}
        memory = "-" if not rss else f"{rss['process']:.0f} / {rss['tree']:.0f}"
        for workload in WORKLOADS:
            m = c.get("workloads", {}).get(workload)
            if m is None:
                continue
            if "error" in m:
                table.append([c["name"], workload, "error", "-", "-", memory, "-", m["error"][:60]])
                continue
            flags = ["see notes"] if c.get("notes") and c["name"].startswith("docbase") else []
            if m.get("non_2xx"):
                flags.append(f"{m['non_2xx']} non-2xx")
            if m.get("socket_errors"):
                flags.append(f"{m['socket_errors']} socket errors")
            table.append([
                c["name"], workload, _fmt(m["requests_per_second"], ",.0f"), _fmt(m["p50_ms"], ".2f"),
                _fmt(m["p99_ms"], ".2f"), memory, _fmt(ratio(c, workload, by_name), ".2f", "x"), ", ".join(flags),
            ])  # fmt: skip
    for missing in results.get("missing", []):
        table.append([missing["name"], "all", "missing", "-", "-", "-", "-", missing["reason"][:80]])
    return table


HEADER = ["contender", "workload", "req/s", "p50 ms", "p99 ms", "peak RSS MB (proc / tree)", "vs docbase", "notes"]


def markdown_table(results: dict) -> str:
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "|".join("---" for _ in HEADER) + "|"]
    lines += ["| " + " | ".join(cell.replace("|", "/") for cell in row) + " |" for row in rows(results)]
    return "\n".join(lines) + "\n"


def baseline_table(results: dict) -> str:
    """docbase against ``--baseline`` (the same code before a change), per database and workload, in one run."""
    by_name = {c["name"]: c for c in results["contenders"]}
    lines = []
    for c in results["contenders"]:
        if not c["name"].startswith("baseline "):
            continue
        mine = by_name.get(c["name"].replace("baseline ", "docbase ", 1), {}).get("workloads", {})
        for workload in WORKLOADS:
            before = c.get("workloads", {}).get(workload, {}).get("requests_per_second")
            after = mine.get(workload, {}).get("requests_per_second")
            if before and after:
                lines.append(f"| {c['name'][9:]} | {workload} | {before:,.0f} | {after:,.0f} | {after / before:.2f}x |")
    if not lines:
        return ""
    return "| database | workload | baseline req/s | docbase req/s | after/before |\n|---|---|---|---|---|\n" + (
        "\n".join(lines) + "\n"
    )


CEILING_HEADER = [
    "docbase on PostgreSQL",
    "workload",
    "req/s",
    "x pgbench request",
    "x pipelined",
    "x pgbench -S",
    "x docbase sqlite 1w",
]


def ceiling_rows(results: dict) -> list[list[str]]:
    """Each docbase PostgreSQL figure against PostgreSQL's own ceiling and against docbase on SQLite."""
    by_name = {c["name"]: c for c in results["contenders"]}

    def rps(name: str, workload: str) -> float | None:
        return (by_name.get(name) or {}).get("workloads", {}).get(workload, {}).get("requests_per_second")

    table = []
    for c in results["contenders"]:
        if not (c["name"].startswith("docbase postgresql")):
            continue
        for workload in WORKLOADS:
            mine = c.get("workloads", {}).get(workload, {}).get("requests_per_second")
            if not mine:
                continue
            cells = [c["name"], workload, _fmt(mine, ",.0f")]
            ceilings = (("pgbench request", workload), ("pgbench request pipelined", workload), ("pgbench -S", "by_id"))
            for other, other_workload in ceilings:
                theirs = rps(other, other_workload)
                cells.append(_fmt(mine / theirs if theirs else None, ".2f", "x"))
            sqlite = rps("docbase sqlite 1w", workload)
            cells.append(_fmt(mine / sqlite if sqlite else None, ".2f", "x"))
            table.append(cells)
    return table


def ceiling_table(results: dict) -> str:
    """The PostgreSQL ratios as markdown, or "" when no ceiling was measured."""
    found = ceiling_rows(results)
    if not found or not any(c["name"].startswith("pgbench") for c in results["contenders"]):
        return ""
    lines = ["| " + " | ".join(CEILING_HEADER) + " |", "|" + "|".join("---" for _ in CEILING_HEADER) + "|"]
    return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in found]) + "\n"


def machine() -> dict:
    """What the numbers were measured on."""
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kb = int(
            next(x for x in Path("/proc/meminfo").read_text().splitlines() if x.startswith("MemTotal")).split()[1]
        )
    except (OSError, StopIteration, ValueError):
        mem_kb = 0
    return {
        "measured_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "host": platform.node(),
        "nproc": os.cpu_count(),
        "memory_gb": round(mem_kb / 2**20, 1),
        "cpu": cpu,
        "kernel": platform.release(),
        "load_average": [round(x, 2) for x in os.getloadavg()],  # other work on the machine skews the numbers
        "python": platform.python_version(),
        "versions": _versions(),
    }


def _versions() -> dict[str, str]:
    found = {}
    for package in (
        "docbase",
        "granian",
        "uvicorn",
        "uvloop",
        "httptools",
        "starlette",
        "fastapi",
        "sqlalchemy",
        "asyncpg",
        "psycopg",
    ):
        try:
            from importlib.metadata import version

            found[package] = version(package)
        except Exception:
            continue
    import sqlite3

    found["sqlite"] = sqlite3.sqlite_version
    for name, command in (("wrk", ["wrk", "-v"]), ("postgresql", ["psql", "--version"])):
        try:
            out = subprocess.run(command, capture_output=True, text=True, timeout=10)
            found[name] = (out.stdout or out.stderr).strip().splitlines()[0]
        except (OSError, IndexError, subprocess.SubprocessError):
            continue
    return found


def markdown(results: dict) -> str:
    """results.md: the machine, the settings, the table, the notes."""
    m, cfg = results["machine"], results["config"]
    versions = ", ".join(f"{k} {v}" for k, v in m.get("versions", {}).items())
    parts = [
        "# docbase HTTP benchmark\n",
        f"Measured {m.get('measured_at', '?')} on {m.get('host', '?')}: {m['nproc']} CPUs ({m['cpu']}), {m['memory_gb']} GB RAM, Linux {m['kernel']}, Python {m['python']}.  ",
        f"Versions: {versions}.\n",
        f"Dataset: bench/doc.md seeded with {cfg['rows']:,} rows per table over {cfg['tenants']} organizations; "
        f"the signed-in user is a member of one organization. wrk: {cfg['seconds']} s per workload, "
        f"{cfg['threads']} threads, {cfg['connections']} connections, loopback. Database floor: one connection, "
        "no HTTP, in the bench process.\n",
        markdown_table(results),
    ]
    before = baseline_table(results)
    if before:
        parts.append("\nThis change against the baseline checkout (`--baseline`), same run, 1 worker.\n")
        parts.append(before)
    ceiling = ceiling_table(results)
    if ceiling:
        parts.append(
            "\nPostgreSQL: docbase's figures as a share of PostgreSQL's own ceiling at the same concurrency.\n"
        )
        parts.append(ceiling)
    notes = [f"- {c['name']}: {n}" for c in results["contenders"] for n in c.get("notes", [])]
    if notes:
        parts.append("\nNotes:\n" + "\n".join(notes) + "\n")
    if results.get("scale"):
        parts.append("\n" + results["scale"])
    return "\n".join(parts)


def write(results: dict, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    (folder / "results.md").write_text(markdown(results))
