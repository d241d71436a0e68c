"""ASCII box diagrams: one table per box, read off the character grid.

Boxes are found as rectangles (``_grid``), so boxes side by side in one band
of lines, connectors and arrows between them (``─>``, ``<──``, ``▼``, lone
``│`` runs) all coexist. A box is a title, a separator (``├──┤``/``+--+``),
then one column per row (``_ascii_rows``). A box with only a title and no
separator is a section banner (``CORE DOMAIN``), not a table; a box with no
separator but a one-word first row and more rows is read as a table titled
by that row.

Text to the right of a box, up to the next box on the same line, is a note
on the row it starts on (``_ascii_notes`` has the wrapping rule). A line
such as ``(UNIQUE: a + b)`` outside every box belongs to the nearest box
above that it horizontally overlaps. The reader reports what the boxes say
and nothing more: no types are guessed, spellings are kept, and enum values
keep their case. Malformed boxes are reported with their line and skipped;
the other boxes still read.
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache

from ..document import Block, Diagnostic, info, warning
from ..fragments import ColumnFragment, IndexColumn, IndexFragment, TableFragment, TypeInfo, UniqueFragment
from ._ascii_notes import gather, meaning, note_text
from ._ascii_rows import read_row, table_name
from ._grid import Box, Grid, Row, Unclosed, find_boxes
from .base import Reading

NAME = "ascii"

_PLAIN_INFO = {"", "text", "txt", "plain", "plaintext", "ascii", "diagram", "none"}
_CORNERS = re.compile(r"[┌╔╓╒┏╭]|\+[-=]")
_CONSTRAINT = re.compile(
    r"\(\s*(?P<kind>UNIQUE|INDEX|PK|PRIMARY\s+KEY)\s*:\s*(?P<cols>[^()]+?)\s*\)"
    r"|(?P<kind2>UNIQUE|INDEX|PRIMARY\s+KEY)\s*\(\s*(?P<cols2>[^()]+?)\s*\)",
    re.IGNORECASE,
)
_TITLE_SPLIT = re.compile(r"\s+(?:\(|[-–—:]\s)")
# Icons and a "Table:" label before the name are decoration, not part of it.
_TITLE_PREFIX = re.compile(r"^(?:[^\w`\"']+|(?i:table)\b\s*:?\s+(?=\S))+")
_TABLE_NAME = re.compile(r"[A-Za-z_][\w$]*(?:\.[A-Za-z_][\w$]*)?")


def accepts(block: Block) -> bool:
    """Code blocks with no language (or plain text) holding a box with a title, or a box that never closes."""
    if block.kind != "code" or (block.fenced and block.info.strip().lower() not in _PLAIN_INFO):
        return False
    if not _CORNERS.search(block.text):
        return False
    boxes, unclosed = _boxes(block.text)
    # A box left open is still this reader's to report: nobody else would say why its table is missing.
    return any(_title_rows(box) for box in boxes) or bool(unclosed)


@lru_cache(maxsize=1)  # the registry asks ``accepts`` and then ``read`` about the same block: find its boxes once
def _boxes(text: str) -> tuple[list[Box], list[Unclosed]]:
    return find_boxes(Grid(text))


def read(block: Block) -> Reading:
    """Read every box of the block; never raises."""
    reading = Reading()
    grid = Grid(block.text)  # read erases constraint lines from its grid: a fresh one, boxes as accepts found them
    boxes, unclosed = _boxes(block.text)
    for u in unclosed:
        reading.diagnostics.append(
            warning(block.line + u.top, f"box '{u.title}' does not close (no bottom edge under its left wall); skipped")
        )
    owned = _constraint_lines(grid, boxes, block, reading.diagnostics)
    frames = [b for b in boxes if any(b.contains(other) for other in boxes)]
    for frame in frames:
        title = next((r.text.strip() for r in frame.rows if r.text.strip()), "")
        reading.diagnostics.append(
            info(block.line + frame.top, f"box '{title}' frames other boxes; read as a group, not a table")
        )
    for box in (b for b in boxes if b not in frames):
        table = _table(grid, box, boxes, block, owned.get(id(box), []), reading.diagnostics)
        if table is not None:
            reading.fragments.append(table)
    return reading


def _title_rows(box: Box) -> list[Row]:
    """The title rows of a box that describes a table, or [] for banners, grids and blank boxes."""
    if box.separators:
        first = box.separators[0]
        title = [row for row in box.rows if row.index < first and row.text.strip()]
        if not title or len(title[0].cells) > 1:
            return []  # no title, or a grid of header cells (a result table, not a box diagram)
        return title
    filled = [row for row in box.rows if row.text.strip()]
    if len(filled) >= 2 and re.fullmatch(r"[A-Za-z_][\w]*", filled[0].text.strip()):
        return filled[:1]
    return []


def _constraint_lines(grid: Grid, boxes: list[Box], block: Block, diags: list[Diagnostic]) -> dict[int, list]:
    """Find ``(UNIQUE: a + b)`` lines outside boxes, erase them, and give each to its box."""
    owned: dict[int, list] = {}
    for r, line in enumerate(list(grid.lines)):
        for m in _CONSTRAINT.finditer(line):
            start, end = m.span()
            if any(b.spans(r) and b.left <= start <= b.right for b in boxes):
                continue
            grid.blank(r, start, end)
            kind = re.sub(r"\s+", " ", (m.group("kind") or m.group("kind2")).upper())
            columns = tuple(
                c.strip().strip("`\"'") for c in re.split(r"\+|,|&|\band\b", m.group("cols") or m.group("cols2"))
            )
            if not all(re.fullmatch(r"[A-Za-z_][\w$]*", c) for c in columns):
                diags.append(
                    warning(
                        block.line + r, f"cannot read the columns of '{m.group(0)}'; expected names joined by + or ,"
                    )
                )
                continue
            above = [b for b in boxes if b.bottom < r and b.overlap(start, end) > 0]
            if not above:
                diags.append(warning(block.line + r, f"'{m.group(0)}' is not under any box; it names no table"))
                continue
            owner = max(above, key=lambda b: (b.bottom, b.overlap(start, end)))
            owned.setdefault(id(owner), []).append((kind, columns, block.line + r, m.group(0)))
    return owned


def _table(
    grid: Grid, box: Box, boxes: list[Box], block: Block, constraints: list, diags: list[Diagnostic]
) -> TableFragment | None:
    titles = _title_rows(box)
    if not titles:
        return None
    title_text = _TITLE_PREFIX.sub("", titles[0].text.strip())
    if len(titles) > 1 and _wrapped(title_text, titles[1].text.strip()):
        title_text += titles[1].text.strip()  # "USER_NOTIFICATION_" / "PREFERENCES": one name cut by the width
        titles = [titles[0], *titles[2:]]
        wrapped = {titles[0].index + 1}
    else:
        wrapped = set()
    split = _TITLE_SPLIT.search(title_text)
    name = table_name(title_text[: split.start()] if split else title_text)
    if not _TABLE_NAME.fullmatch(name):
        diags.append(
            warning(
                block.line + titles[0].index,
                f"box title '{title_text}' is not a table name; box skipped: put the table's name alone on the box's first line",
            )
        )
        return None
    schema, _, bare = name.rpartition(".")
    name = bare
    comments = [title_text[split.start() :].strip(" -–—:()")] if split else []
    comments += [row.text.strip() for row in titles[1:]]
    body = [row for row in box.rows if row.index > titles[0].index and row not in titles and row.index not in wrapped]
    columns: list[ColumnFragment] = []
    owned = list(constraints)
    notes_in: list[tuple[int, str, bool]] = []
    for row in body:
        text = "  ".join(row.cells) if row.cells else row.text
        line = block.line + row.index
        if not any(ch.isalnum() for ch in text):
            continue  # blank rows, "...", "────" dividers inside a box
        if m := _CONSTRAINT.fullmatch(text.strip()):
            kind = (m.group("kind") or m.group("kind2")).upper()
            cols = re.split(r"\+|,|&|\band\b", m.group("cols") or m.group("cols2"))
            owned.append((re.sub(r"\s+", " ", kind), tuple(c.strip() for c in cols), line, text.strip()))
            continue
        reading = read_row(text, line)
        if reading is None:
            diags.append(
                warning(line, f"box '{name}': row '{text.strip()}' does not start with a column name; skipped")
            )
            continue
        if any(c.name == reading.name for c in columns):
            diags.append(warning(line, f"box '{name}': column '{reading.name}' is drawn twice; the first is kept"))
            continue
        columns.append(
            ColumnFragment(
                reading.name,
                line,
                type=reading.type,
                nullable=reading.nullable,
                primary_key=reading.primary_key,
                unique=reading.unique,
                references=reading.references,
                fk_marked=reading.fk_marked,
                enum=reading.enum,
                comment="; ".join(reading.comments) or None,
            )
        )
        notes_in.append(
            (row.index, note_text(_region(grid, box, boxes, row)), reading.enum is not None or _is_enum(reading.type))
        )
    columns = _with_notes(columns, notes_in, block.line)
    table_notes: list[str] = []
    for row in titles[:1]:
        for note in gather([(row.index, note_text(_region(grid, box, boxes, row)), False)]):
            said = meaning(note)
            comments += [said.comment] if said.comment else []
            table_notes += list(said.notes)
    primary, unique, indexes = _constraints(name, owned, columns, diags)
    return TableFragment(
        name,
        block.line + titles[0].index,
        "ascii",
        columns=tuple(columns),
        primary_key=primary,
        unique=unique,
        indexes=indexes,
        schema=schema or None,
        section=block.section,
        comment="; ".join(c for c in comments if c) or None,
        notes=tuple(table_notes),
    )


def _wrapped(first: str, second: str) -> bool:
    """Whether a box's second title line continues a name the box was too narrow for (it ends in ``_``)."""
    return bool(re.fullmatch(r"[A-Za-z_][\w$]*_", first) and re.fullmatch(r"[A-Za-z0-9_$]+", second))


def _is_enum(type_: TypeInfo | None) -> bool:
    return type_ is not None and type_.name == "enum"


def _region(grid: Grid, box: Box, boxes: list[Box], row: Row) -> str:
    """The text right of the row's wall, up to the next box on that line."""
    stops = [b.left for b in boxes if b is not box and b.spans(row.index) and b.left > row.end]
    return grid.span(row.index, row.end + 1, min(stops, default=grid.width + 1))


def _with_notes(
    columns: list[ColumnFragment], notes_in: list[tuple[int, str, bool]], base: int
) -> list[ColumnFragment]:
    by_line = {c.line: i for i, c in enumerate(columns)}
    out = list(columns)
    for note in gather(notes_in):
        i = by_line.get(base + note.row)
        if i is None:
            continue
        col, said = out[i], meaning(note)
        changes: dict[str, object] = {"notes": col.notes + said.notes}
        if said.comment:
            changes["comment"] = f"{col.comment}; {said.comment}" if col.comment else said.comment
        if said.enum and col.enum is None:
            changes["enum"] = said.enum
        if said.examples:
            changes["examples"] = said.examples
        if said.nullable is not None and col.nullable is None:
            changes["nullable"] = said.nullable
        out[i] = _replace(col, changes)
    return out


def _replace(col: ColumnFragment, changes: dict[str, object]) -> ColumnFragment:
    return replace(col, **changes)  # type: ignore[arg-type]


def _constraints(name: str, owned: list, columns: list[ColumnFragment], diags: list[Diagnostic]):
    known = {c.name for c in columns}
    primary: tuple[str, ...] = ()
    unique: list[UniqueFragment] = []
    indexes: list[IndexFragment] = []
    for kind, cols, line, text in owned:
        missing = [c for c in cols if c not in known]
        if missing:
            diags.append(info(line, f"'{text}' names {', '.join(missing)}, not drawn in box '{name}'"))
        if kind == "UNIQUE":
            unique.append(UniqueFragment(tuple(cols), line))
        elif kind == "INDEX":
            indexes.append(IndexFragment(name, tuple(IndexColumn(c) for c in cols), line))
        else:
            primary = tuple(cols)
    return primary, tuple(unique), tuple(indexes)
