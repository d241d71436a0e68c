"""How long ``build_schema`` takes on a generated mixed-notation document, at four sizes.

Run: ``python -m bench.read`` (``--profile`` adds a cProfile of the largest
size). The goal (issue 2): 2,000 tables (about 20,000 columns) read in well
under 5 s, and time growing linearly with the number of tables, which the
last column shows as the ratio of CPU seconds per table to the smallest size's
(1.00x everywhere is linear).
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import time

from docbase.pipeline import build_schema

from ._docgen import document

SIZES = (250, 500, 1000, 2000)


def measure(tables: int) -> tuple[float, float, int, int, int]:
    """Wall and CPU seconds to read a ``tables``-table document; and tables, columns and errors read.

    CPU time is printed too because a shared machine's load inflates wall time, not the work done.
    """
    text = document(tables)
    start, cpu = time.perf_counter(), time.process_time()
    schema = build_schema(text, "bench.md")
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    columns = sum(len(t.columns) for t in schema.tables)
    return seconds, cpu, len(schema.tables), columns, len(schema.errors)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", action="store_true", help="profile the largest size with cProfile")
    parser.add_argument("--sizes", type=int, nargs="*", default=list(SIZES))
    args = parser.parse_args(argv)
    measure(20)  # imports, grammars and regex caches are built once, not charged to the first size
    print(f"{'tables':>7} {'read':>6} {'columns':>8} {'errors':>6} {'seconds':>8} {'cpu s':>6} {'growth':>7}")
    base = None
    for size in args.sizes:
        seconds, cpu, tables, columns, errors = measure(size)
        per = cpu / size
        base = base or per
        print(f"{size:>7} {tables:>6} {columns:>8} {errors:>6} {seconds:>8.2f} {cpu:>6.2f} {per / base:>6.2f}x")
    if args.profile:
        text = document(args.sizes[-1])
        profile = cProfile.Profile()
        profile.runcall(build_schema, text, "bench.md")
        pstats.Stats(profile).sort_stats("cumulative").print_stats(25)


if __name__ == "__main__":
    main()
