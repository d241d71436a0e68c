"""How long ``build_schema`` takes on a generated mixed-notation document, at four sizes.

Run: ``python -m bench.read`` (``--profile`` adds a cProfile of the largest
size; ``--megabytes 5`` reads one document of that size instead). The goals
(issue 14): 1,000 tables in under 2 s and a 5 MB document in under 10 s, time
growing linearly with the number of tables, which the last column shows as the
ratio of CPU seconds per table to the smallest size's (1.00x everywhere is
linear). The generated document has about 1,980 tables per MB.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import time

from docbase.pipeline import build_schema

from ._docgen import document

SIZES = (250, 500, 1000, 2000)


def measure(tables: int, megabytes: float = 0) -> tuple[float, float, int, int, int]:
    """Wall and CPU seconds to read a ``tables``-table document (or one of ``megabytes``); and tables,
    columns and errors read.

    CPU time is printed too because a shared machine's load inflates wall time, not the work done.
    """
    text = sized(megabytes) if megabytes else document(tables)
    start, cpu = time.perf_counter(), time.process_time()
    schema = build_schema(text, "bench.md")
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    columns = sum(len(t.columns) for t in schema.tables)
    return seconds, cpu, len(schema.tables), columns, len(schema.errors)


def sized(megabytes: float) -> str:
    """The generated document with as many tables as fit in ``megabytes`` MB (10^6 bytes)."""
    tables = max(1, int(megabytes * 1e6 / len(document(1000).encode()) * 1000))
    while len(document(tables).encode()) < megabytes * 1e6:
        tables += 10
    return document(tables)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", action="store_true", help="profile the largest size with cProfile")
    parser.add_argument("--sizes", type=int, nargs="*", default=list(SIZES))
    parser.add_argument("--megabytes", type=float, default=0, help="read one generated document of this size")
    args = parser.parse_args(argv)
    measure(20)  # imports, grammars and regex caches are built once, not charged to the first size
    if args.megabytes:
        seconds, cpu, tables, columns, errors = measure(0, args.megabytes)
        print(
            f"{args.megabytes:g} MB: {tables} tables, {columns} columns, {errors} errors read in {seconds:.2f} s ({cpu:.2f} s CPU)"
        )
        if args.profile:  # the size asked for is the one to profile; --profile used to be ignored here
            _profile(sized(args.megabytes))
        return
    print(f"{'tables':>7} {'read':>6} {'columns':>8} {'errors':>6} {'seconds':>8} {'cpu s':>6} {'growth':>7}")
    base = None
    for size in args.sizes:
        seconds, cpu, tables, columns, errors = measure(size)
        per = cpu / size
        base = base or per
        print(f"{size:>7} {tables:>6} {columns:>8} {errors:>6} {seconds:>8.2f} {cpu:>6.2f} {per / base:>6.2f}x")
    if args.profile:
        _profile(document(args.sizes[-1]))


def _profile(text: str) -> None:
    """cProfile of one read: where the time goes by cumulative and by own time (the hot leaves)."""
    profile = cProfile.Profile()
    profile.runcall(build_schema, text, "bench.md")
    stats = pstats.Stats(profile)
    stats.sort_stats("cumulative").print_stats(25)
    stats.sort_stats("tottime").print_stats(15)


if __name__ == "__main__":
    main()
