"""A table's description continued in a second list or column table under the same heading.

Documents often interrupt a table's column list with a line of prose and
carry on (``FK customer -> customer_id`` between the plain columns and the
reference columns). Both lists sit under the same heading and describe the
same table in the same notation, so they are one description: the later
columns are appended to the first (the merge would otherwise take the second
as a competing description and drop its columns). Each continuation is
reported. Descriptions in other notations, or under other headings, are left
for the merge to reconcile.
"""

from __future__ import annotations

from dataclasses import replace

from ..document import Diagnostic
from ..document.diagnostics import info
from ..fragments import Fragment, TableFragment

_CONTINUABLE = {"bullets", "column_table"}


def join_continued(fragments: list[Fragment], diagnostics: list[Diagnostic]) -> list[Fragment]:
    """``fragments`` with each same-heading, same-notation repeat of a table folded into its first description."""
    first: dict[tuple[str, str, tuple[str, ...]], int] = {}
    out: list[Fragment] = []
    for fragment in fragments:
        if not isinstance(fragment, TableFragment) or fragment.source not in _CONTINUABLE or fragment.extends:
            out.append(fragment)
            continue
        key = (fragment.name, fragment.source, fragment.section)
        at = first.get(key)
        if at is None:
            first[key] = len(out)
            out.append(fragment)
            continue
        earlier = out[at]
        assert isinstance(earlier, TableFragment)
        known = {c.name for c in earlier.columns}
        added = tuple(c for c in fragment.columns if c.name not in known)
        out[at] = replace(
            earlier,
            columns=earlier.columns + added,
            primary_key=earlier.primary_key or fragment.primary_key,
            unique=earlier.unique + fragment.unique,
            foreign_keys=earlier.foreign_keys + fragment.foreign_keys,
            checks=earlier.checks + fragment.checks,
            indexes=earlier.indexes + fragment.indexes,
        )
        diagnostics.append(
            info(
                fragment.line,
                f"{fragment.name}: this list continues the table's description at line {earlier.line} "
                f"(same heading); {len(added)} column(s) added",
            )
        )
    return out
