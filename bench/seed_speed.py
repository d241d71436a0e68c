"""Benchmark (not a test): how fast ``docbase seed`` fills a document's schema, in rows per second.

Usage: python bench/seed_speed.py [DOC] [--rows N] [--tenants T] [--pg URL]
Defaults: seed 003 (~49 tables) at 20,500 rows per table (about one million
rows) into a fresh SQLite file, and into PostgreSQL when --pg names a
server (a throwaway database is created and dropped on it).
"""

from __future__ import annotations

import argparse
import tempfile
import time
import uuid
from pathlib import Path

from docbase.pipeline import load_schema
from docbase.seed import seed_database
from docbase.seed.database import ensure_tables

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DOC = next(iter(sorted((ROOT.parent / "shared" / "seeds").glob("003_*.txt"))), None)


def run(doc: Path, url: str, rows: int, tenants: int) -> None:
    schema = load_schema(doc)
    ensure_tables(schema, url)
    started = time.perf_counter()
    report = seed_database(schema, url, rows=rows, tenants=tenants, seed=1, create=False)
    seconds = time.perf_counter() - started
    kind = url.split(":", 1)[0]
    print(
        f"{kind:10} {report.total:>10,} rows in {len(report.tables)} tables  {seconds:7.1f} s  "
        f"{report.total / seconds:>10,.0f} rows/s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("doc", nargs="?", type=Path, default=DEFAULT_DOC)
    parser.add_argument("--rows", type=int, default=20_500)
    parser.add_argument("--tenants", type=int, default=50)
    parser.add_argument(
        "--pg", default=None, help="PostgreSQL server URL, e.g. postgresql://postgres@127.0.0.1:5432/test"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        run(args.doc, f"sqlite:///{Path(tmp) / 'bench.db'}", args.rows, args.tenants)
    if args.pg:
        import psycopg

        name = f"docbase_bench_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(args.pg, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        try:
            run(args.doc, args.pg.rsplit("/", 1)[0] + "/" + name, args.rows, args.tenants)
        finally:
            with psycopg.connect(args.pg, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
