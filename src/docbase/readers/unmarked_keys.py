"""Primary keys of documents that mark none at all.

Many documents written as bullet lists or column tables never say "PK":
every table simply starts with ``id``, the record's identifier. Reading
them literally gives tables whose rows cannot be addressed one by one,
which is not what their authors meant. So, only when *nothing* in the
whole document marks a primary key (no PK marker, no PRIMARY KEY, no
``@id``), a table's column named exactly ``id`` becomes its primary key,
and each such choice is reported (one info per table) so it is never
silent. A document that marks keys somewhere is read as written: a table
it leaves without a key stays without one (the schema stage warns).

Nothing else is inferred here: no type, no default, no serial.
"""

from __future__ import annotations

from dataclasses import replace

from ..document import Diagnostic
from ..document.diagnostics import info
from ..fragments import ConstraintFragment, Fragment, TableFragment


def _marks_a_key(fragment: Fragment) -> bool:
    if isinstance(fragment, TableFragment):
        return bool(fragment.primary_key) or any(c.primary_key for c in fragment.columns)
    return isinstance(fragment, ConstraintFragment) and fragment.kind == "primary_key"


def infer_unmarked_keys(fragments: list[Fragment], diagnostics: list[Diagnostic]) -> list[Fragment]:
    """``fragments`` with ``id`` as the key of each table, when the document marks no key anywhere."""
    if any(_marks_a_key(f) for f in fragments):
        return fragments
    out: list[Fragment] = []
    for fragment in fragments:
        if isinstance(fragment, TableFragment) and not fragment.extends:
            ids = [c for c in fragment.columns if c.name.casefold() == "id"]
            if len(ids) == 1:
                name = ids[0].name
                fragment = replace(fragment, primary_key=(name,))
                diagnostics.append(
                    info(
                        ids[0].line,
                        f"{fragment.name}: the document marks no primary key anywhere; "
                        f"{name!r} is read as this table's key (write PK beside it to say so)",
                    )
                )
        out.append(fragment)
    return out
