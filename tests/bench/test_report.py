"""The benchmark's pure parts: reading wrk's report, ratios to docbase, the results table."""

from __future__ import annotations

import pytest
from bench.http.wrk import parse, to_ms
from bench.report import markdown_table, ratio, reference_name, rows

WRK_OUTPUT = """Running 5s test @ http://127.0.0.1:41234
  2 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     2.10ms  850.00us  25.00ms   90.00%
    Req/Sec     7.70k   500.00     8.50k    70.00%
  Latency Distribution
     50%  850.12us
     75%    2.00ms
     90%    3.00ms
     99%    1.20s
  76543 requests in 5.00s, 20.00MB read
  Non-2xx or 3xx responses: 12
  Socket errors: connect 0, read 2, write 0, timeout 3
Requests/sec:  15308.60
Transfer/sec:      4.00MB
"""


def test_parse_reads_rate_latency_and_errors():
    result = parse(WRK_OUTPUT)
    assert result.requests_per_second == pytest.approx(15308.6)
    assert result.p50_ms == pytest.approx(0.85012)
    assert result.p99_ms == pytest.approx(1200.0)
    assert result.requests == 76543
    assert result.non_2xx == 12
    assert result.socket_errors == 5


def test_parse_without_errors_counts_zero():
    clean = "\n".join(line for line in WRK_OUTPUT.splitlines() if "Non-2xx" not in line and "Socket" not in line)
    result = parse(clean)
    assert (result.non_2xx, result.socket_errors) == (0, 0)


def test_parse_refuses_a_report_without_latencies():
    with pytest.raises(ValueError, match="no latency report"):
        parse("unable to connect to 127.0.0.1:1 Connection refused\n")


@pytest.mark.parametrize("text,ms", [("12us", 0.012), ("3.5ms", 3.5), ("2s", 2000.0), ("1m", 60000.0)])
def test_to_ms_units(text, ms):
    assert to_ms(text) == pytest.approx(ms)


def _entry(name, database, rps, **extra):
    measures = {
        "requests_per_second": rps,
        "p50_ms": 1.0,
        "p99_ms": 4.0,
        "requests": 10,
        "non_2xx": 0,
        "socket_errors": 0,
    }
    return {"name": name, "database": database, "workloads": {"by_id": {**measures, **extra}}, "notes": []}


RESULTS = {
    "contenders": [
        _entry("docbase sqlite 1w", "sqlite", 1000.0),
        _entry("docbase postgresql 1w", "postgresql", 500.0),
        _entry("fastapi-orm postgresql", "postgresql", 250.0),
        _entry("asgi floor", "none", 4000.0, non_2xx=3),
    ],
    "missing": [{"name": "pocketbase", "reason": "binary not available"}],
}


def test_each_contender_is_compared_with_docbase_on_its_own_database():
    by_name = {c["name"]: c for c in RESULTS["contenders"]}
    assert reference_name(by_name["fastapi-orm postgresql"]) == "docbase postgresql 1w"
    assert ratio(by_name["fastapi-orm postgresql"], "by_id", by_name) == pytest.approx(0.5)
    assert ratio(by_name["asgi floor"], "by_id", by_name) == pytest.approx(4.0)  # floors compare with SQLite
    assert ratio(by_name["asgi floor"], "insert", by_name) is None  # not measured


def test_table_shows_ratios_errors_and_missing_contenders():
    table = rows(RESULTS)
    floor = next(r for r in table if r[0] == "asgi floor")
    assert floor[2] == "4,000" and floor[6] == "4.00x" and "3 non-2xx" in floor[7]
    assert ["pocketbase", "all", "missing"] == next(r for r in table if r[0] == "pocketbase")[:3]
    text = markdown_table(RESULTS)
    assert text.splitlines()[0].startswith("| contender | workload | req/s")
    assert "| fastapi-orm postgresql | by_id | 250 |" in text


def test_ceiling_table_states_docbase_on_postgresql_as_shares_of_the_ceilings():
    from bench.report import ceiling_table

    def entry(name: str, database: str, **rps: float) -> dict:
        return {
            "name": name,
            "database": database,
            "workloads": {w: {"requests_per_second": v} for w, v in rps.items()},
        }

    results = {
        "contenders": [
            entry("docbase sqlite 1w", "sqlite", by_id=2000.0, list=1000.0),
            entry("docbase postgresql 1w", "postgresql", by_id=1000.0, list=500.0),
            entry("pgbench -S", "postgresql", by_id=20000.0),
            entry("pgbench request", "postgresql", by_id=4000.0, list=2500.0),
            entry("pgbench request pipelined", "postgresql", by_id=5000.0),
        ]
    }
    lines = ceiling_table(results).splitlines()
    assert lines[2] == "| docbase postgresql 1w | by_id | 1,000 | 0.25x | 0.20x | 0.05x | 0.50x |"
    assert lines[3] == "| docbase postgresql 1w | list | 500 | 0.20x | - | 0.03x | 0.50x |"
    assert ceiling_table({"contenders": results["contenders"][:2]}) == ""
