"""Markdown column tables (``| Column | Type | Constraints | Description |``) and index tables.

A column table describes the table named by the heading above it (or a
``**Table: x**`` lead). Each row is a column; the cells are read with the
phrase readers shared with bullets and prose (``_cells``), so ``FK →
workspaces.id (CASCADE)`` means the same in a table cell as in a sentence.
Enum values come from an ENUM type's literals or from a description that is
nothing but a closed list of values (rule in ``_values``); "e.g." lists are
examples only.

An index table (``| Table | Index | Fields | Purpose |``) gives one
``IndexTableFragment`` per row; ``(vector)`` after a field marks a vector index.
"""

from __future__ import annotations

import re
from dataclasses import replace

from ..document import Block, Diagnostic, info, warning
from ..fragments import (
    ColumnFragment,
    ConstraintFragment,
    IndexColumn,
    IndexFragment,
    IndexTableFragment,
    TableFragment,
    TypeInfo,
    UniqueFragment,
)
from ._cells import (
    GENERIC_HEADINGS,
    Constraints,
    block_table,
    column_check,
    is_identifier,
    names_table_explicitly,
    parse_constraints,
    parse_reference,
    strip_markup,
    table_name,
)
from ._key_summary import key_summary, key_summary_miss, read_key_summary
from ._layout import Layout, header_role, layout_of
from ._typewords import TypeWords, split_type
from ._values import examples_in, read_values, same_as
from ._vocabulary import flags, normal
from .base import Reading
from .prose import enum_names

NAME = "md_table"

_YES = flags("yes")
_NO = flags("no")
_EMPTY = {"", "-", "—", "–", "none", "n/a", "na"}


def accepts(block: Block) -> bool:
    return block.kind == "table" and (
        layout_of(block) is not None
        or near_miss(block) is not None
        or _field_lists(block) is not None
        or key_summary(block) is not None
        or key_summary_miss(block) is not None
    )


_LIST_SPLIT = re.compile(r"\s*[,、，;]\s*")


def _names_in(cell: str) -> list[str] | None:
    """``id, name, `price``` / ```id`、`name``` -> names; None unless the cell is a list of two or more."""
    parts = [strip_markup(p).strip() for p in _LIST_SPLIT.split(cell.strip()) if p.strip()]
    parts = [re.sub(r"\s*\(.*\)$", "", p) for p in parts]
    if len(parts) < 2 or not all(is_identifier(p) for p in parts):
        return None
    return parts


def _field_lists(block: Block) -> tuple[int, int] | None:
    """(table column, fields column) of a table of tables (``| Table | Purpose | Fields |``), or None."""
    if block.kind != "table" or len(block.rows) < 2 or enum_names(block.section):
        return None
    header = block.rows[0].cells
    body = [r.cells for r in block.rows[1:]]
    table_col = next((i for i, c in enumerate(header) if header_role(c) == "table"), None)
    if table_col is None:
        return None
    for i in range(len(header)):
        cells = [r[i] for r in body if i < len(r) and r[i].strip()]
        if i != table_col and cells and sum(1 for c in cells if _names_in(c)) >= 0.8 * len(cells):
            return table_col, i
    return None


def _read_field_lists(block: Block, table_col: int, fields_col: int) -> Reading:
    """Each row names a table and lists its columns: untyped columns, ranked below any fuller description."""
    reading = Reading()
    for row in block.rows[1:]:
        name = table_name(strip_markup(_cell(row.cells, table_col)))
        names = _names_in(_cell(row.cells, fields_col))
        if name is None or names is None:
            if any(c.strip() for c in row.cells):
                reading.diagnostics.append(
                    warning(
                        row.line,
                        "this row of the table of tables names no table or lists no columns; not read: "
                        "put the table's name in its cell and its columns as `id, name, ...`",
                    )
                )
            continue
        columns = tuple(ColumnFragment(n, row.line) for n in dict.fromkeys(names))
        reading.fragments.append(TableFragment(name, row.line, "prose", columns=columns, section=block.section))
    return reading


def near_miss(block: Block) -> str | None:
    """Why a table whose header reads like a column table's is not one, or None when it is not table-like.

    A header naming a column *and* a type, or a column and a key/constraint
    role, is table-like; a table under an enum heading is prose's.
    """
    if block.kind != "table" or len(block.rows) < 2 or enum_names(block.section):
        return None
    found = {header_role(cell) for cell in block.rows[0].cells} - {None}
    roles = {"type", "constraints", "pk_flag", "fk_flag", "nullable", "required"}
    if "name" not in found or not (found & roles or block_table(block.lead, block.section)):
        return None
    if "type" not in found:
        return "no column holds types"
    return "most of its Type cells are not types docbase knows"


def read(block: Block) -> Reading:
    layout = layout_of(block)
    lists = _field_lists(block) if layout is None else None
    if lists is not None:
        return _read_field_lists(block, *lists)
    keys = key_summary(block) if layout is None else None
    if keys is not None:
        return read_key_summary(block, *keys)
    missed = key_summary_miss(block) if layout is None else None
    if missed is not None:
        return Reading(
            diagnostics=[
                warning(
                    block.line,
                    f"this table looks like a table of keys but {missed}; not read: write one key per row as "
                    "`| Table | Column | References |` (foreign keys) or `| Table | Unique columns |`",
                )
            ]
        )
    if layout is None:
        why = near_miss(block)
        untyped = _untyped_layout(block) if why == "no column holds types" else None
        if untyped is not None:
            return _read_columns(block, untyped)
        return Reading(
            diagnostics=[
                warning(
                    block.line,
                    f"this table looks like a column table but {why}; not read: write it as "
                    "`| Column | Type | Constraints | Description |` with one row per column and a SQL type in each Type cell",
                )
            ]
            if why
            else []
        )
    if layout.kind == "indexes":
        return _read_indexes(block, layout)
    return _read_columns(block, layout)


def _untyped_layout(block: Block) -> Layout | None:
    """``| 字段 | 说明 |`` under a lead or heading that names the table: columns named and described, no types.

    Read only when the table is named (a lead such as "新增 `payments` 支付记录表" or an explicit heading)
    and nearly every name cell is one identifier; types are then inferred by the schema stage, which
    reports each one.
    """
    header = block.rows[0].cells
    roles = {i: r for i, r in ((i, header_role(c)) for i, c in enumerate(header)) if r is not None}
    if sorted(roles.values()) != ["description", "name"]:
        return None
    name_col = next(i for i, r in roles.items() if r == "name")
    names = [strip_markup(_cell(r.cells, name_col)) for r in block.rows[1:]]
    if sum(1 for n in names if is_identifier(n)) < 0.8 * len(names):
        return None
    heading_names = bool(block.section) and names_table_explicitly(block.section[-1])
    if block_table(block.lead, ()) is None and not heading_names:
        return None
    return Layout("columns", roles)


def _cell(cells: tuple[str, ...], index: int | None) -> str:
    return cells[index].strip() if index is not None and index < len(cells) else ""


def _read_indexes(block: Block, layout: Layout) -> Reading:
    reading = Reading()
    fallback = block_table(block.lead, block.section)
    for row in block.rows[1:]:
        table = strip_markup(_cell(row.cells, layout.index_of("table")))
        table = table_name(table) if table else fallback
        fields_text = strip_markup(_cell(row.cells, layout.index_of("fields")))
        if not fields_text:
            continue
        if table is None:
            reading.diagnostics.append(warning(row.line, "index row names no table, and no heading above names one"))
            continue
        method = strip_markup(_cell(row.cells, layout.index_of("method"))).lower() or None
        unique = method == "unique" or _cell(row.cells, layout.index_of("unique")).lower() in _YES
        if method in ("unique", "index", "normal"):  # a kind, not an access method ("| uk_x | a | UNIQUE |")
            method = None
        if method in ("primary key", "primary"):  # "| PRIMARY | id | PRIMARY KEY |": the table's key
            cols = tuple(c.strip() for c in fields_text.split(","))
            if all(is_identifier(c) for c in cols):
                reading.fragments.append(ConstraintFragment(table, "primary_key", cols, row.line))
                continue
        columns = []
        for part in re.split(r"\s*[,+]\s*", fields_text):
            m = re.match(r"^([\w.]+)\s*(?:\(([^)]*)\))?\s*(asc|desc)?$", part.strip(), re.IGNORECASE)
            if not m or not is_identifier(m.group(1).split(".")[-1]):
                reading.diagnostics.append(warning(row.line, f"cannot read index field {part!r}"))
                columns = []
                break
            if m.group(2) and "vector" in m.group(2).lower():
                method = "vector"
            columns.append(IndexColumn(m.group(1), desc=(m.group(3) or "").lower() == "desc"))
        if not columns:
            continue
        name = strip_markup(_cell(row.cells, layout.index_of("index"))) or None
        index = IndexFragment(table, tuple(columns), row.line, name=name, unique=unique, method=method)
        reading.fragments.append(IndexTableFragment(index))
    return reading


def _flag(cell: str) -> bool | None:
    word = normal(strip_markup(cell))
    if word in _YES:
        return True
    if word in _NO:
        return False
    return None


def _flag_column(role: str, text: str, line: int, c: Constraints) -> None:
    """A yes/no column for one property (``| PK | FK | Unique |``); an FK cell may name the target."""
    flag = _flag(text)
    if flag is None:
        ref = parse_reference(strip_markup(text), line) if role == "fk_flag" else None
        if ref is not None:
            c.fk_marked, c.references = True, c.references or ref
        else:
            c.update(parse_constraints(strip_markup(text), line) or Constraints())
    elif flag and role == "pk_flag":
        c.primary_key, c.nullable = True, False
    elif flag and role == "unique":
        c.unique = True
    elif flag:
        c.fk_marked = True


def _type_of(text: str, line: int, diagnostics: list[Diagnostic]) -> tuple[TypeWords, Constraints | None]:
    """A type cell, which may also carry constraints (``UUID PK``, ``VARCHAR(255) NOT NULL``)."""
    raw = strip_markup(text)
    if not raw:
        return TypeWords(None), None
    words, rest = split_type(raw)
    if words.type is not None or words.nullable or words.references is not None:
        return words, parse_constraints(rest, line) if rest else None
    if is_identifier(raw):
        diagnostics.append(info(line, f"type {raw!r} is not a built-in type; read as the enum type {raw}"))
        return TypeWords(TypeInfo("enum", raw, enum_name=raw)), None
    diagnostics.append(warning(line, f"unknown column type {raw!r}; the type will be inferred"))
    return TypeWords(None), None


# "所属书库 ID，FK→libraries.id (ON DELETE CASCADE)", "外键关联 categories", "Foreign key to users.id": a reference
# stated inside a description, by an FK word followed by the target.
_SAID_FK = re.compile(
    r"(?i)(?:\bFK\b|\bforeign\s+key\b|外键|外鍵|外部キー|외래\s*키|khóa\s+ngoại|внешний\s+ключ|yabancı\s+anahtar"
    r"|clé\s+étrangère|clave\s+foránea|chave\s+estrangeira|fremdschlüssel)\s*(?:关联|關聯|→|->|:|：|to|references?|auf|vers|a)?"
    r"\s*`?([^\W\d]\w*(?:\.[^\W\d]\w*)?)`?"
)


def _reference_said(text: str, line: int, c: Constraints) -> None:
    m = _SAID_FK.search(text)
    if m is None or c.references is not None:
        return
    ref = parse_reference(m.group(1), line)
    if ref is not None:
        action = re.search(r"(?i)on\s+delete\s+(cascade|set\s+null|restrict|no\s+action|set\s+default)", text)
        if action:
            ref = replace(ref, on_delete=re.sub(r"\s+", " ", action.group(1)).lower())
        c.fk_marked, c.references = True, ref


# Compiled once: these run for every line, cell or item read (``re``'s own cache is a lookup per call).
_NAME_AND_PARENS = re.compile(r"^(.*?)\s*\(([^)]*)\)\s*$")
_FIRST_PHRASE = re.compile(r"[,;，；]")


def column_from_row(cells: tuple[str, ...], line: int, layout: Layout, diagnostics: list[Diagnostic]):
    """One row -> (ColumnFragment, indexed) or None when the row names no column."""
    raw_name = strip_markup(_cell(cells, layout.index_of("name")))
    c = Constraints()
    m = _NAME_AND_PARENS.match(raw_name)
    if m:
        raw_name = m.group(1)
        c.update(parse_constraints(m.group(2), line) or Constraints())
    if raw_name.endswith(("🔑",)):
        c.update(parse_constraints("PK", line) or Constraints())
    name = raw_name.rstrip("*?🔑 ").strip()
    if raw_name.endswith("?"):
        c.nullable = True
    if not name:
        return None
    if not is_identifier(name):
        diagnostics.append(
            warning(
                line,
                f"column table row has no readable column name ({name!r}); row skipped: "
                "write the name as one word (letters, digits and _)",
            )
        )
        return None
    words, extra = _type_of(_cell(cells, layout.index_of("type")), line, diagnostics)
    if extra is not None:
        c.update(extra)
    comment = None
    examples: tuple[str, ...] | None = None
    values_enum: tuple[str, ...] | None = None
    for i, role in layout.roles.items():
        text = _cell(cells, i)
        if not text or role in ("name", "type", "table"):
            continue
        if role == "constraints":
            c.update(parse_constraints(text, line) or Constraints())
        elif role in ("nullable", "required"):
            flag = _flag(text)
            if flag is not None:
                c.nullable = flag if role == "nullable" else not flag
            else:
                c.update(parse_constraints(strip_markup(text), line, strict=True) or Constraints())
        elif role in ("pk_flag", "unique", "fk_flag"):
            _flag_column(role, text, line, c)
        elif role == "default":
            if strip_markup(text).lower() not in _EMPTY:
                value = text.strip()
                c.default = value[1:-1].strip() if value.startswith("`") and value.endswith("`") else value
        elif role == "examples":
            examples = examples_in("e.g. " + text)
        elif role == "values":
            values_enum = read_values(text, "enum").enum
        elif role == "description":
            comment = f"{comment}; {text}" if comment else text
            stated = parse_constraints(strip_markup(text), line, strict=True)
            first = _FIRST_PHRASE.split(strip_markup(text), maxsplit=1)
            if stated is None and len(first) == 2:  # "unique, route key": a constraint word, then prose
                stated = parse_constraints(first[0], line, strict=True)
            if stated is not None:
                c.update(stated)
            else:
                _reference_said(strip_markup(text), line, c)
    type_name = words.type.name if words.type else None
    enum = words.enum or values_enum
    if comment is not None:
        found = read_values(strip_markup(comment), type_name, name)
        if found.examples and examples is None:
            examples = found.examples
        if found.enum and enum is None:
            enum = found.enum
        if found.null_listed and c.nullable is None:
            c.nullable = True
        if found.not_applied and enum is None:
            diagnostics.append(
                info(
                    line,
                    f"{name}: the description lists {', '.join(found.not_applied)}, but the column is "
                    f"{words.type.raw or type_name}, so they are not its allowed values (kept as its comment); "
                    "write the type as an enum or text to make them so",
                )
            )
    if words.nullable is not None and c.nullable is None:
        c.nullable = words.nullable
    references = c.references or words.references
    column = ColumnFragment(
        name=name,
        line=line,
        type=words.type,
        nullable=c.nullable,
        default=c.default,
        primary_key=c.primary_key,
        unique=c.unique,
        references=references,
        fk_marked=c.fk_marked or references is not None,
        enum=enum,
        examples=examples or c.examples,
        check=column_check(name, c.check),
        comment=comment if comment is not None else c.comment,
        notes=tuple(c.notes),
    )
    return column, c.indexed


_KEY_ROW = re.compile(r"^\(\s*([^()]+?)\s*\)$")


def _composite_key(
    cells: tuple[str, ...], line: int, layout: Layout, diagnostics: list[Diagnostic]
) -> tuple[str, tuple[str, ...]] | None:
    """``| *(promotion_id, product_id)* | | **UK** |``: a row naming several columns in parentheses states a
    composite key. (kind, columns), kind "primary_key" or "unique" as its key cells say, "" when they say
    neither (reported); None when the name cell is not such a list (the row is a column's)."""
    m = _KEY_ROW.match(strip_markup(_cell(cells, layout.index_of("name"))).strip().strip("*_").strip())
    if m is None:
        return None
    names = tuple(n.strip().strip("`") for n in m.group(1).split(","))
    if len(names) < 2 or not all(is_identifier(n) for n in names):
        return None
    c = Constraints()
    for i, role in layout.roles.items():
        text = _cell(cells, i)
        if text and role == "constraints":
            c.update(parse_constraints(text, line) or Constraints())
        elif text and role in ("pk_flag", "unique"):
            _flag_column(role, text, line, c)
    if c.primary_key or c.unique:
        return ("primary_key" if c.primary_key else "unique"), names
    diagnostics.append(
        warning(
            line,
            f"the row ({', '.join(names)}) names several columns but marks no key; not read: "
            "write PK or UK in its key cell, or `UNIQUE(a, b)` below the table",
        )
    )
    return "", names


_SEVERAL_NAMES = re.compile(r"\s*(?:/|,|、|&|\band\b)\s*")


def _one_row_per_name(cells: tuple[str, ...], layout: Layout) -> list[tuple[str, ...]]:
    """``| created_at / updated_at | TIMESTAMP |``: one row describing several columns alike, as one row each."""
    at = layout.index_of("name")
    if at is None or at >= len(cells):
        return [cells]
    names = [strip_markup(n) for n in _SEVERAL_NAMES.split(strip_markup(cells[at]))]
    if len(names) < 2 or not all(is_identifier(n) for n in names):
        return [cells]
    return [cells[:at] + (name,) + cells[at + 1 :] for name in names]


def _words_heading(block: Block, reading: Reading) -> str | None:
    """``## Договор передачи`` right above a column table: a name of two or three words, joined with ``_``.

    Only a heading of a few plain words none of which is a generic heading word ("Overview",
    "Summary"), and only for a column table directly under it; the choice is reported.
    """
    heading = strip_markup(block.heading).strip()
    words = heading.split()
    if not 2 <= len(words) <= 3 or not all(w.isalpha() for w in words):
        return None
    if any(w.casefold() in GENERIC_HEADINGS for w in words) or heading.casefold() in GENERIC_HEADINGS:
        return None
    name = "_".join(words)
    reading.diagnostics.append(
        info(block.line, f"the heading {heading!r} names this column table's table; read as {name!r}")
    )
    return name


def _read_columns(block: Block, layout: Layout) -> Reading:
    reading = Reading()
    fallback = block_table(block.lead, block.section)
    if fallback is None and layout.index_of("table") is None and not block.lead.strip():
        fallback = _words_heading(block, reading)
    table_col = layout.index_of("table")
    groups: dict[str, list[tuple[ColumnFragment, bool]]] = {}
    first_line: dict[str, int] = {}
    keys: dict[str, list[tuple[str, tuple[str, ...], int]]] = {}
    for row in block.rows if layout.headerless else block.rows[1:]:
        table = table_name(strip_markup(_cell(row.cells, table_col))) if table_col is not None else None
        table = table or fallback
        for cells in _one_row_per_name(row.cells, layout):
            key = _composite_key(cells, row.line, layout, reading.diagnostics)
            if key is not None:
                if key[0] and table is not None:
                    keys.setdefault(table, []).append((*key, row.line))
                continue
            read_row = column_from_row(cells, row.line, layout, reading.diagnostics)
            if read_row is None or table is None:
                continue
            groups.setdefault(table, []).append(read_row)
            first_line.setdefault(table, row.line)
    if not groups:
        if fallback is None and len(block.rows) > 1:
            where = f"the heading {block.heading!r}" if block.heading else "no heading"
            reading.diagnostics.append(
                warning(block.line, f"column table has no table name ({where} above it names no table); not read")
            )
        return reading
    lead = re.match(r"^\*\*(?:purpose|description|summary)\s*:?\*\*\s*:?\s*(.+)$", block.lead.strip(), re.I | re.S)
    for table, rows in groups.items():
        columns = same_as(tuple(col for col, _ in rows), table, reading.diagnostics)
        indexes = tuple(IndexFragment(table, (IndexColumn(col.name),), col.line) for col, indexed in rows if indexed)
        primary_key = tuple(col.name for col in columns if col.primary_key)
        unique = []
        for kind, names, line in keys.get(table, ()):
            said = f"({', '.join(names)})"
            if kind == "unique":
                unique.append(UniqueFragment(names, line))
                reading.diagnostics.append(info(line, f"{table}: the row {said} is read as UNIQUE{said}"))
            elif primary_key:
                reading.diagnostics.append(
                    warning(
                        line, f"{table}: the row {said} says PK, but {', '.join(primary_key)} is marked PK; not read"
                    )
                )
            else:
                primary_key = names
                reading.diagnostics.append(info(line, f"{table}: the row {said} is read as PRIMARY KEY{said}"))
        reading.fragments.append(
            TableFragment(
                name=table,
                line=block.line if table == fallback else first_line[table],
                source="column_table",
                columns=columns,
                primary_key=primary_key,
                unique=tuple(unique),
                indexes=indexes,
                section=block.section,
                comment=lead.group(1).strip() if lead else None,
            )
        )
    return reading
