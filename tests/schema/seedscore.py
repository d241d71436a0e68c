"""Score docbase's reading of a seed against its hand reading in shared/seeds/expected.

Each measure is the share of expected facts docbase reproduces exactly
(tables, columns, types, nullability, defaults, primary keys, foreign keys,
unique constraints, enum values, examples, indexes), plus a list of every
mismatch so a failing test says what differs. Run as a script to print the
scores of all seeds: ``python -m tests.schema.seedscore``.

The expected files use the document's own type words where they fall outside
docbase's vocabulary (Convex ``string``, ``number``, ``id``, ``object``) and
``unknown`` where the document gives no type; ``TYPE_EQUIVALENTS`` maps them.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from docbase.pipeline import load_schema
from docbase.schema import Schema

TYPE_EQUIVALENTS: dict[str, set[str]] = {
    "string": {"text"},
    "id": {"text"},
    "number": {"float"},
    "object": {"jsonb"},
    "text[]": {"array:text"},
    "float[]": {"vector", "array:float"},
}


def _type_key(col: Any) -> str:
    return f"array:{col.item_type}" if col.type == "array" else col.type


def _norm_default(value: Any) -> Any:
    return None if value is None else str(value).strip().lower()


def score(schema: Schema, expected: dict[str, Any]) -> tuple[dict[str, float], list[str]]:
    counts: dict[str, list[int]] = {}
    misses: list[str] = []

    def check(measure: str, ok: bool, what: str) -> None:
        c = counts.setdefault(measure, [0, 0])
        c[1] += 1
        if ok:
            c[0] += 1
        else:
            misses.append(f"{measure}: {what}")

    for tname, exp in expected["tables"].items():
        table = schema.table(tname)
        check("tables", table is not None, f"missing table {tname}")
        if table is None:
            continue
        extra = set(table.column_names) - set(exp["columns"])
        for name in sorted(extra):
            check("columns", False, f"{tname}.{name} is not in the expected reading")
        for cname, ecol in exp["columns"].items():
            col = table.column(cname)
            check("columns", col is not None, f"missing column {tname}.{cname}")
            if col is None:
                continue
            etype = ecol["type"]
            if etype == "unknown":
                ok = col.inferred
            else:
                ok = _type_key(col) in TYPE_EQUIVALENTS.get(etype, {etype})
            check("types", ok, f"{tname}.{cname}: {_type_key(col)} (inferred={col.inferred}), expected {etype}")
            check(
                "nullable",
                col.nullable == ecol["nullable"],
                f"{tname}.{cname}: {col.nullable}, expected {ecol['nullable']}",
            )
            check(
                "defaults",
                _norm_default(col.default) == _norm_default(ecol["default"]),
                f"{tname}.{cname}: {col.default!r}, expected {ecol['default']!r}",
            )
        check(
            "primary_keys",
            list(table.primary_key) == exp["primary_key"],
            f"{tname}: {list(table.primary_key)}, expected {exp['primary_key']}",
        )
        got_fks = {(tuple(f.columns), f.ref_table, tuple(f.ref_columns), f.on_delete) for f in table.foreign_keys}
        exp_fks = {
            (tuple(f["columns"]), f["references"], tuple(f["ref_columns"]), f["on_delete"]) for f in exp["foreign_keys"]
        }
        for fk in sorted(exp_fks | got_fks, key=str):
            check(
                "foreign_keys",
                fk in exp_fks and fk in got_fks,
                f"{tname}: {fk} {'missing' if fk in exp_fks else 'not expected'}",
            )
        got_u = {(frozenset(u.columns), u.where) for u in table.unique}
        exp_u = {(frozenset(u), None) for u in exp["unique"]} | {
            (frozenset(u["columns"]), u["where"]) for u in exp["partial_unique"]
        }
        for u in sorted(exp_u | got_u, key=str):
            check(
                "unique",
                u in exp_u and u in got_u,
                f"{tname}: {sorted(u[0])} where={u[1]} {'missing' if u in exp_u else 'not expected'}",
            )
        got_enums = {c.name: list(c.enum) for c in table.columns if c.enum}
        for cname in sorted(set(exp["enums"]) | set(got_enums)):
            e, g = exp["enums"].get(cname), got_enums.get(cname)
            check(
                "enums",
                e is not None and g is not None and sorted(e) == sorted(g),
                f"{tname}.{cname}: {g}, expected {e}",
            )
        got_ex = {c.name: list(c.examples) for c in table.columns if c.examples}
        exp_ex = exp.get("examples", {})
        # Seed 000's reading records no examples at all (its README calls them "format examples,
        # not enums"); examples are compared only where the expected reading records them.
        if "examples" not in exp and not any("examples" in t for t in expected["tables"].values()):
            got_ex = {}
        for cname in sorted(set(exp_ex) | set(got_ex)):
            e, g = exp_ex.get(cname), got_ex.get(cname)
            check(
                "examples",
                e is not None and g is not None and sorted(e) == sorted(g),
                f"{tname}.{cname}: {g}, expected {e}",
            )
        got_ix = {
            (i.name, tuple(i.column_names), i.unique, i.method, tuple(c.name for c in i.columns if c.desc))
            for i in table.indexes
        }
        exp_ix = {
            (i.get("name"), tuple(i["columns"]), i["unique"], i["method"], tuple(i.get("desc", ())))
            for i in exp["indexes"]
        }
        for ix in sorted(exp_ix | got_ix, key=str):
            check(
                "indexes",
                ix in exp_ix and ix in got_ix,
                f"{tname}: {ix} {'missing' if ix in exp_ix else 'not expected'}",
            )
    for t in schema.tables:
        if t.name not in expected["tables"]:
            check("tables", False, f"table {t.name} is not in the expected reading")
    return {m: (ok / total if total else 1.0) for m, (ok, total) in counts.items()}, misses


def seed_score(seed: Path) -> tuple[dict[str, float], list[str]]:
    expected = json.loads((seed.parent / "expected" / f"{seed.stem}.json").read_text())
    return score(load_schema(seed), expected)


if __name__ == "__main__":
    root = Path(__file__).resolve().parents[2].parent / "shared" / "seeds"
    verbose = "-v" in sys.argv
    for seed in sorted(root.glob("*.txt")):
        scores, misses = seed_score(seed)
        print(seed.stem, " ".join(f"{k}={v:.3f}" for k, v in scores.items()))
        if verbose:
            for m in misses:
                print("   ", m)
