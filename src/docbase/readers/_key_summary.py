"""Key summary tables: one row per key, naming its table, its column(s) and, for a foreign key, the target.

Documents often restate their keys in a section of their own, after the column tables::

    | Table  | Column  | References | On Delete |        | Tabel             | Kolom Unik                  |
    |--------|---------|------------|-----------|        |-------------------|-----------------------------|
    | orders | user_id | users(id)  | CASCADE   |        | promotion_product | (promotion_id, product_id)  |

Such a table has a table column and no type column, so it is not a column table; it was reported as one
that lacks types (foreign keys) or dropped without a word (uniques). Each row becomes a constraint on its
table; the header words are ``headers.toml``'s (``table``, ``name``, ``fk_flag``, ``unique``, ``on_delete``).
A row that cannot be read is reported, never dropped.
"""

from __future__ import annotations

import re
from dataclasses import replace

from ..document import Block, warning
from ..fragments import ConstraintFragment
from ._cells import is_identifier, on_action, parse_reference, strip_markup, table_name
from ._layout import header_role
from .base import Reading

# "(promotion_id, product_id) *(kombinasi)*", "user_id + code", "email": the columns, a trailing note aside.
_LISTED = re.compile(r"^\(?\s*([^()]+?)\s*\)?(?:\s*[*_]*\([^()]*\)[*_]*)?$")
_NOTE = re.compile(r"\s*[*_]+\([^()]*\)[*_]+\s*$")  # "orders(id) *(legacy)*": an emphasised note, not "(id)"


def key_summary(block: Block) -> tuple[str, dict[str, int]] | None:
    """("foreign_key" or "unique", {role: column index}) for a key summary table, else None."""
    if block.kind != "table" or len(block.rows) < 2:
        return None
    roles: dict[str, int] = {}
    for i, cell in enumerate(block.rows[0].cells):
        role = header_role(cell)
        if role is not None and role not in roles:
            roles[role] = i
    if "table" not in roles or "type" in roles:
        return None
    body = [r.cells for r in block.rows[1:]]
    if "fk_flag" in roles:
        if "name" not in roles:
            taken = set(roles.values())
            free = [i for i in range(len(block.rows[0].cells)) if i not in taken and _share(body, i, _one_name) >= 0.8]
            if not free:
                return None
            roles["name"] = free[0]
        if _share(body, roles["fk_flag"], lambda c: _target(c) is not None) < 0.6:
            return None
        return "foreign_key", roles
    if "unique" in roles and "name" not in roles and _share(body, roles["unique"], _columns) >= 0.6:
        return "unique", roles
    return None


def key_summary_miss(block: Block) -> str | None:
    """Why a table headed as a key summary (a table column, a key column, no types) was not read as one."""
    if block.kind != "table" or len(block.rows) < 2 or key_summary(block) is not None:
        return None
    roles = {header_role(cell) for cell in block.rows[0].cells}
    if "table" not in roles or "type" in roles or not roles & {"fk_flag", "unique"}:
        return None
    what = "targets such as users(id)" if "fk_flag" in roles else "column lists such as (a, b)"
    return f"fewer than 60% of its rows hold {what}"


def read_key_summary(block: Block, kind: str, roles: dict[str, int]) -> Reading:
    reading = Reading()
    for row in block.rows[1:]:
        cells = row.cells
        if not any(c.strip() for c in cells):
            continue
        table = table_name(strip_markup(_cell(cells, roles["table"])))
        if kind == "foreign_key":
            column = _one_name(_cell(cells, roles["name"]))
            ref = _target(_cell(cells, roles["fk_flag"]), row.line)
            action = on_action(strip_markup(_cell(cells, roles["on_delete"]))) if "on_delete" in roles else None
            if table is None or column is None or ref is None:
                reading.diagnostics.append(_unread(row.line, "`| table | column | target(column) | CASCADE |`"))
                continue
            if action and ref.on_delete is None:
                ref = replace(ref, on_delete=action)
            reading.fragments.append(ConstraintFragment(table, "foreign_key", (column,), row.line, references=ref))
        else:
            columns = _columns(_cell(cells, roles["unique"]))
            if table is None or columns is None:
                reading.diagnostics.append(_unread(row.line, "`| table | column |` or `| table | (a, b) |`"))
                continue
            reading.fragments.append(ConstraintFragment(table, "unique", columns, row.line))
    return reading


def _unread(line: int, shape: str):
    return warning(
        line, f"this row of the key table names no table or no readable column; not read: write it as {shape}"
    )


def _cell(cells: tuple[str, ...], index: int) -> str:
    return cells[index].strip() if index < len(cells) else ""


def _share(body: list[tuple[str, ...]], col: int, test) -> float:
    cells = [strip_markup(r[col]) for r in body if col < len(r) and strip_markup(r[col])]
    return sum(1 for c in cells if test(c)) / len(cells) if cells else 0.0


def _target(cell: str, line: int = 0):
    return parse_reference(_NOTE.sub("", strip_markup(cell)), line)


def _one_name(cell: str) -> str | None:
    name = _NOTE.sub("", strip_markup(cell)).strip().strip("`")
    return name if is_identifier(name) else None


def _columns(cell: str) -> tuple[str, ...] | None:
    m = _LISTED.match(strip_markup(cell).strip().strip("*_").strip())
    if m is None:
        return None
    names = tuple(n.strip().strip("`") for n in re.split(r"\s*[,+]\s*", m.group(1)))
    return names if names and all(is_identifier(n) for n in names) else None
