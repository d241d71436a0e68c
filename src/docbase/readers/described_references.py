"""References said in descriptions: ``order_id | 关联订单`` anywhere; ``store_id - 가게 ID`` in a document
without a single FK marker.

A ``<noun>_id`` column whose noun names another table of the document and whose
description says it links its row to another (关联, "linked", "belongs to",
Thuộc, Bağlı) is a reference in any document: the description states it.

Documents written as plain column lists often never say "FK": the column
``store_id``, described as "store ID" (가게 ID, 分类 ID), is how their authors
say the row belongs to a store. Only when *nothing* in the whole document
marks a foreign key (no FK marker, REFERENCES, arrow to a table, relationship)
is such a column read as a reference, and only when all three hold: its name
is ``<noun>_id`` / ``<noun>Id``, the noun names another table of the document
(``store`` -> ``store``, ``category`` -> ``categories``), and its description
calls it an ID. Each choice is reported. A document that marks references
somewhere is read as written: its other ``*_id`` columns stay plain columns.
"""

from __future__ import annotations

import re
from dataclasses import replace

from ..document import Diagnostic
from ..document.diagnostics import info
from ..fragments import ConstraintFragment, Fragment, Reference, RelationshipFragment, TableFragment

_STEM = re.compile(r"^(.+?)(?:_id|Id|ID)$")
_SAYS_ID = re.compile(r"(?<![A-Za-z])(?:id|ID|Id)(?![A-Za-z])")


def _marks_a_reference(fragment: Fragment) -> bool:
    if isinstance(fragment, TableFragment):
        return bool(fragment.foreign_keys) or any(c.fk_marked or c.references for c in fragment.columns)
    if isinstance(fragment, ConstraintFragment):
        return fragment.kind == "foreign_key"
    return isinstance(fragment, RelationshipFragment)


def _spellings(stem: str) -> list[str]:
    s = stem.casefold().replace("_", "")
    out = [s, s + "s", s + "es"]
    if s.endswith("y"):
        out.append(s[:-1] + "ies")
    return out


# A description saying the column links its row to another ("关联订单", "Bağlı lisans", "linked order",
# "Thuộc booking"), in the languages documents are written in.
_SAYS_LINKED = re.compile(
    r"(?i)关联|關聯|関連|紐づ|연결|참조|связ|ссыл|liên\s*kết|\bthuộc\b|\bbağlı\b|ilişki|terhubung|berelasi|merujuk|"
    r"powiązan|verknüpft|verweist|\blinked\b|\blinks?\s+to\b|\bbelongs?\s+to\b|\brefers?\s+to\b|\bpoints?\s+to\b|"
    r"\blié[es]?\b|\brelacionad|\bcollegat|\briferiment"
)


def infer_described_references(fragments: list[Fragment], diagnostics: list[Diagnostic]) -> list[Fragment]:
    """``fragments`` with described ``*_id`` columns as references: described as linked to another row
    (any document), or described as an ID (only when the document marks no reference at all)."""
    says_id = not any(_marks_a_reference(f) for f in fragments)
    tables = {t.name.casefold().replace("_", ""): t.name for t in fragments if isinstance(t, TableFragment)}
    out: list[Fragment] = []
    for fragment in fragments:
        if isinstance(fragment, TableFragment):
            columns = []
            for col in fragment.columns:
                target, why = None, ""
                m = _STEM.match(col.name) if col.comment and not col.fk_marked and col.references is None else None
                if m and not col.primary_key:
                    if _SAYS_LINKED.search(col.comment):
                        why = "says it links to another row"
                    elif says_id and _SAYS_ID.search(col.comment):
                        why = "calls it an ID"
                    if why:
                        target = next((tables[s] for s in _spellings(m.group(1)) if s in tables), None)
                if target is not None and target != fragment.name:
                    col = replace(col, references=Reference(target, (), line=col.line), fk_marked=True)
                    diagnostics.append(
                        info(
                            col.line,
                            f"{fragment.name}.{col.name} read as a reference to {target}: its name names the table "
                            f"and its description {why} ({col.comment!r}); write FK beside it to say so",
                        )
                    )
                columns.append(col)
            if any(a is not b for a, b in zip(columns, fragment.columns, strict=True)):
                fragment = replace(fragment, columns=tuple(columns))
        out.append(fragment)
    return out
