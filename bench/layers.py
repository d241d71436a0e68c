"""Where a request's CPU goes, by layer, from py-spy's raw stacks: ``python -m bench.layers STACKS.txt``.

Record the in-process bench (no server, no wrk: only docbase's own CPU) and read it back::

    py-spy record -r 1000 --format raw -o by_id.txt -- \\
        python -m bench.inprocess --only by_id --requests 20000 [--pg URL]
    python -m bench.layers by_id.txt

Only stacks under the timed loop (``measure``) count. A layer's share is the
samples whose stack passes through any of its frames; the layers nest
(the framework holds the REST handler, which holds the database layer),
so the table also prints each layer's own part, which sums to the whole.
"""

from __future__ import annotations

import sys
from pathlib import Path

#: (layer, frames that enter it), outermost first; a sample belongs to the innermost layer it reaches.
LAYERS = (
    ("ASGI framework and middleware", ("Starlette.__call__",)),
    ("REST handler: keys, query, access, SQL shape, response", ("RestApi.handle",)),
    (
        "database layer: transaction, role and claims, statement, rows",
        ("SqliteTx.rows", "SqliteDatabase.transaction", "DirectTx.rows", "PostgresDatabase.transaction", "._begin "),
    ),
)


def shares(lines: list[str]) -> tuple[int, list[tuple[str, int]]]:
    """(samples in the timed loop, [(layer, samples whose innermost layer it is)])."""
    own = [0] * (len(LAYERS) + 1)  # index 0: the bench's own driving code
    total = 0
    for line in lines:
        stack, _, count = line.rstrip().rpartition(" ")
        if "measure (" not in stack or not count.isdigit():
            continue
        total += int(count)
        depth = 0
        for index, (_, entries) in enumerate(LAYERS, start=1):
            if any(entry in stack for entry in entries):
                depth = index
        own[depth] += int(count)
    names = ["the bench's own loop (not docbase)"] + [name for name, _ in LAYERS]
    return total, list(zip(names, own, strict=True))


def main(argv: list[str] | None = None) -> None:
    args = argv if argv is not None else sys.argv[1:]
    if len(args) != 1:
        raise SystemExit(__doc__)
    total, rows = shares(Path(args[0]).read_text().splitlines())
    if not total:
        raise SystemExit("bench.layers: no stack under bench.inprocess's timed loop in that file")
    print(f"{total:,} samples in the timed loop")
    print("| layer (own part) | share |")
    print("|---|---|")
    for name, samples in rows:
        print(f"| {name} | {100 * samples / total:.1f}% |")


if __name__ == "__main__":
    main()
