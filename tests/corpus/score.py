"""Score docbase's readings of the corpus (real design documents) against their hand readings.

Every document in ``docs/`` has a hand-made reading in ``expected/`` (the format of
shared/seeds/expected, see README.md here). This scorer pools six kinds of facts over
the whole corpus, so a big document weighs by its size and not as one vote:

- tables, columns (per table), primary keys (one fact per table that has one),
  foreign keys (columns -> table(columns)), unique constraints (column sets, unique
  indexes included, the primary key's own column set left out) and enums (a
  column's closed value set).

Recall is the share of expected facts docbase reproduces; a fact of a missed table
counts as missed. Precision is the share of docbase's facts that the hand reading
holds, over the tables the reading knows plus every fact of a table it does not know.
Names match ignoring case and with spaces or hyphens read as underscores (PostgreSQL
folds unquoted names; a heading ``Договор передачи`` is the table ``договор_передачи``).
Types, nullability and defaults are in the readings but are not scored here: the
seeds (tests/schema/seedscore.py) hold docbase to those.

A refusal is a document that gives no backend: reading raised, or the schema has an
error diagnostic (``docbase inspect`` exits 1, ``migrate``/``serve`` refuse). Its facts
are still scored from whatever was read, as issue 14 measures them.

    python -m tests.corpus.score            # pooled figures
    python -m tests.corpus.score -v         # per document, and every miss
    python -m tests.corpus.score --update   # raise ratchet.json to today's figures (never lowers)
"""

from __future__ import annotations

import json
import re
import sys
import traceback
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from docbase.pipeline import load_schema
from docbase.schema import Schema

ROOT = Path(__file__).resolve().parent
DOCS = ROOT / "docs"
EXPECTED = ROOT / "expected"
RATCHET = ROOT / "ratchet.json"
MEASURES = ("tables", "columns", "primary_keys", "foreign_keys", "unique", "enums")


def norm(name: str) -> str:
    """The name a table or column is matched by: case folded, spaces and hyphens as underscores."""
    return re.sub(r"[\s\-]+", "_", name.strip().strip('"`[]').strip()).casefold()


@dataclass
class Tally:
    """Matched and total counts of one measure, for recall (expected side) and precision (read side)."""

    expected: int = 0
    found: int = 0
    read: int = 0
    correct: int = 0

    def add(self, other: Tally) -> None:
        self.expected += other.expected
        self.found += other.found
        self.read += other.read
        self.correct += other.correct

    @property
    def recall(self) -> float:
        return self.found / self.expected if self.expected else 1.0

    @property
    def precision(self) -> float:
        return self.correct / self.read if self.read else 1.0


@dataclass
class DocScore:
    name: str
    tallies: dict[str, Tally] = field(default_factory=lambda: {m: Tally() for m in MEASURES})
    misses: list[str] = field(default_factory=list)
    refused: bool = False
    crashed: str | None = None
    errors: list[str] = field(default_factory=list)


def _compare(ds: DocScore, measure: str, expected: Iterable[Any], got: Iterable[Any], where: str) -> None:
    exp, gotten = set(expected), set(got)
    t = ds.tallies[measure]
    t.expected += len(exp)
    t.found += len(exp & gotten)
    t.read += len(gotten)
    t.correct += len(exp & gotten)
    for fact in sorted(exp - gotten, key=str):
        ds.misses.append(f"{measure}: missed {where} {_show(fact)}")
    for fact in sorted(gotten - exp, key=str):
        ds.misses.append(f"{measure}: not expected {where} {_show(fact)}")


def _show(fact: Any) -> str:
    if isinstance(fact, frozenset):
        return "(" + ", ".join(sorted(fact)) + ")"
    if isinstance(fact, tuple):
        return " ".join(_show(f) for f in fact)
    return str(fact)


def _expected_facts(table: dict[str, Any]) -> dict[str, set[Any]]:
    pk = frozenset(norm(c) for c in table["primary_key"])
    uniques = [u for u in table["unique"]] + [u["columns"] for u in table.get("partial_unique", [])]
    return {
        "columns": {norm(c) for c in table["columns"]},
        "primary_keys": {pk} if pk else set(),
        "foreign_keys": {
            (
                frozenset(norm(c) for c in f["columns"]),
                norm(f["references"]),
                frozenset(norm(c) for c in f["ref_columns"]),
            )
            for f in table["foreign_keys"]
        },
        "unique": {frozenset(norm(c) for c in u) for u in uniques} - {pk},
        "enums": {(norm(c), frozenset(v)) for c, v in table["enums"].items()},
    }


def _read_facts(table: Any) -> dict[str, set[Any]]:
    pk = frozenset(norm(c) for c in table.primary_key)
    uniques = {frozenset(norm(c) for c in u.columns) for u in table.unique}
    uniques |= {frozenset(norm(c) for c in ix.column_names) for ix in table.indexes if ix.unique}
    return {
        "columns": {norm(c.name) for c in table.columns},
        "primary_keys": {pk} if pk else set(),
        "foreign_keys": {
            (frozenset(norm(c) for c in f.columns), norm(f.ref_table), frozenset(norm(c) for c in f.ref_columns))
            for f in table.foreign_keys
        },
        "unique": uniques - {pk},
        "enums": {(norm(c.name), frozenset(c.enum)) for c in table.columns if c.enum},
    }


def score_schema(name: str, schema: Schema | None, expected: dict[str, Any]) -> DocScore:
    """Compare one document's reading with its hand reading, fact by fact."""
    ds = DocScore(name)
    read = {norm(t.name): t for t in (schema.tables if schema else ())}
    known = {norm(n): t for n, t in expected["tables"].items()}
    _compare(ds, "tables", known, read, "table")
    for tname, etable in known.items():
        exp = _expected_facts(etable)
        got = _read_facts(read[tname]) if tname in read else {m: set() for m in exp}
        for measure in exp:
            _compare(ds, measure, exp[measure], got[measure], f"{tname}:")
    for tname in read.keys() - known.keys():
        for measure, facts in _read_facts(read[tname]).items():
            _compare(ds, measure, (), facts, f"{tname}:")
    return ds


def score_document(doc: Path) -> DocScore:
    """Read one corpus document with docbase and score it; an exception is a refusal, not a crash of the run."""
    expected = json.loads((EXPECTED / f"{doc.stem}.json").read_text(encoding="utf-8"))
    try:
        schema = load_schema(doc)
    except Exception:  # noqa: BLE001 - a reader bug must show as this document's failure, not stop the corpus
        ds = score_schema(doc.stem, None, expected)
        ds.refused = True
        ds.crashed = traceback.format_exc(limit=3)
        return ds
    ds = score_schema(doc.stem, schema, expected)
    ds.errors = [f"{d.line}: {d.message}" for d in schema.errors]
    ds.refused = bool(ds.errors)
    return ds


def documents() -> list[Path]:
    return sorted(DOCS.glob("*.md"))


def score_corpus() -> tuple[dict[str, Tally], list[DocScore]]:
    scores = [score_document(d) for d in documents()]
    pooled = {m: Tally() for m in MEASURES}
    for ds in scores:
        for m in MEASURES:
            pooled[m].add(ds.tallies[m])
    return pooled, scores


def figures(pooled: dict[str, Tally], scores: list[DocScore]) -> dict[str, Any]:
    """The figures the ratchet holds: pooled recall and precision per measure, refusals and crashes."""
    return {
        "documents": len(scores),
        "refusals": sum(ds.refused for ds in scores),
        "crashes": sum(ds.crashed is not None for ds in scores),
        "recall": {m: round(pooled[m].recall, 4) for m in MEASURES},
        "precision": {m: round(pooled[m].precision, 4) for m in MEASURES},
    }


def _line(name: str, tallies: dict[str, Tally]) -> str:
    cells = " ".join(f"{m[:7]}={tallies[m].recall:.2f}/{tallies[m].precision:.2f}" for m in MEASURES)
    return f"{name:32} {cells}"


def main(argv: list[str]) -> int:
    pooled, scores = score_corpus()
    verbose = "-v" in argv
    for ds in scores:
        if verbose:
            flag = " CRASH" if ds.crashed else (" REFUSED" if ds.refused else "")
            print(_line(ds.name, ds.tallies) + flag)
            for e in ds.errors:
                print("    error", e)
            if ds.crashed:
                print("    " + ds.crashed.replace("\n", "\n    "))
            for m in ds.misses:
                print("   ", m)
    figs = figures(pooled, scores)
    print(_line("POOLED (recall/precision)", pooled))
    for m in MEASURES:
        t = pooled[m]
        print(
            f"  {m:13} recall {t.recall:.3f} ({t.found}/{t.expected})  precision {t.precision:.3f} ({t.correct}/{t.read})"
        )
    print(f"  documents {figs['documents']}, refusals {figs['refusals']}, crashes {figs['crashes']}")
    served = {m: sum(ds.tallies[m].found for ds in scores if not ds.refused) for m in MEASURES}
    print(
        "  recall counting a refused document as giving nothing: "
        + ", ".join(f"{m} {served[m] / pooled[m].expected:.3f}" for m in MEASURES if pooled[m].expected)
    )
    if "--update" in argv:
        print(raise_ratchet(figs))
    return 0


def raise_ratchet(figs: dict[str, Any]) -> str:
    """Write today's figures into ratchet.json where they are better; a recorded figure never goes down."""
    old = json.loads(RATCHET.read_text()) if RATCHET.exists() else None
    if old is None or old.get("documents") != figs["documents"]:
        # A changed corpus is a new measuring stick: record it as it reads today.
        new = figs
    else:
        new = {
            "documents": figs["documents"],
            "refusals": min(old["refusals"], figs["refusals"]),
            "crashes": min(old["crashes"], figs["crashes"]),
            "recall": {m: max(old["recall"][m], figs["recall"][m]) for m in MEASURES},
            "precision": {m: max(old["precision"][m], figs["precision"][m]) for m in MEASURES},
        }
    RATCHET.write_text(json.dumps(new, indent=2) + "\n")
    return f"wrote {RATCHET}"


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
