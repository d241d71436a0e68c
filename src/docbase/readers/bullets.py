"""Bullet lists that define columns.

Three shapes are read, each item on its own line::

    * `name`: VARCHAR(100), Not Null, Unique, Default: `true`
    - name (uuid, PK) - what it holds
    - name UUID PRIMARY KEY

Column items are grouped by their parent bullet, so a ``**Schema:**`` list
nested inside a bigger description list (next to ``**Description:**`` and
``**Capabilities:**``) is read on its own. A group counts as a table only
when most of its items read as columns (two at least, or one under a parent
that says what it is), so ordinary prose lists never become tables. The
table is the parent bullet when it names one (``**Table: users**``), else the
lead or the heading above. Items of the list that are not columns (a nested
``UNIQUE(a, b)``, a relationship sentence) are read as prose, so nothing in
the list is lost.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

from ..document import Block, Diagnostic, ListItem, warning
from ..fragments import ColumnFragment, IndexColumn, IndexFragment, TableFragment
from ._cells import (
    Constraints,
    block_table,
    column_check,
    is_identifier,
    names_table_explicitly,
    parse_constraints,
    split_top,
    strip_markup,
    table_name,
)
from ._headings import lead_names_table
from ._statements import read_statement
from ._typewords import split_type
from ._values import examples_in, read_values
from ._vocabulary import announces_fields
from .base import Reading

NAME = "bullets"

_NAME_HEAD = re.compile(r"^\s*(?:\*\*|__)?`?([^\W\d][\w]*)`?(?:\*\*|__)?\s*(?P<sep>:|\s[-–—]\s|\(|\s|$)")
_COLUMN_PARENTS = {"schema", "columns", "fields", "attributes", "properties", "structure", "column", "field"}


@dataclass
class _Parsed:
    column: ColumnFragment
    indexed: bool


# Compiled once: these run for every line, cell or item read (``re``'s own cache is a lookup per call).
_TWO_WORDS = re.compile(r"[A-Za-z]+\s+[A-Za-z]+")
_SPACES = re.compile(r"\s+")
_DASHED_DESCRIPTION = re.compile(r"\s[-–—]\s+(.*)$")
_DESCRIPTION_ITEM = re.compile(r"^\*\*Description:?\*\*:?\s*(.+)$", re.IGNORECASE)


def _side_notes(text: str) -> tuple[str, list[str]]:
    """Take out parentheticals written with a space before them and holding prose or e.g. lists."""
    out, notes, flags, depth, start = [], [], [], 0, -1
    for i, ch in enumerate(text):
        if ch == "(":
            if depth == 0 and (i == 0 or text[i - 1].isspace()):
                start = i
            depth += 1
        elif ch == ")" and depth:
            depth -= 1
            if depth == 0 and start >= 0:
                inner = text[start + 1 : i]
                stated = parse_constraints(inner, 0, strict=True) if examples_in(inner) is None else None
                if stated is not None:  # "(required)", "(PK)", "(FK → users.id)": constraints, not notes
                    flags.append(inner.strip())
                    out.append(("cut", start, i))
                elif examples_in(inner) is not None or _TWO_WORDS.search(inner):
                    notes.append(inner.strip())
                    out.append(("cut", start, i))
                start = -1
    for _, a, b in reversed(out):
        text = text[:a] + text[b + 1 :]
    text = ", ".join([_SPACES.sub(" ", text).strip(" ,")] + flags)
    return text.strip(" ,"), notes


def _type_and_constraints(body: str, line: int) -> tuple[object, Constraints] | None:
    found = _type_and_constraints_once(body, line)
    if found is None and (re.search(r"\s/\s", body) or "," in body):
        # "primary key / int", "PRIMARY KEY, UUID": the type after the key words
        parts = re.split(r"\s+/\s+", body) if re.search(r"\s/\s", body) else split_top(body, ",")
        typed = [p for p in parts if split_type(p)[0].type is not None and not split_type(p)[1]]
        if len(typed) == 1:
            found = _type_and_constraints_once(", ".join(typed + [p for p in parts if p is not typed[0]]), line)
    return found


def _type_and_constraints_once(body: str, line: int) -> tuple[object, Constraints] | None:
    description = None
    m = _DASHED_DESCRIPTION.search(body)
    if m:
        body, description = body[: m.start()], m.group(1).strip()
    body, notes = _side_notes(body)
    if description and examples_in(description) is not None:
        notes.append(description)
    pieces = split_top(body, ",")
    if not pieces:
        return None
    words, rest = split_type(strip_markup(pieces[0]))
    if rest and parse_constraints(rest, line, strict=True) is None:
        return None  # "Text fields are encrypted": a word that is a type, then prose
    tail = ", ".join(([rest] if rest else []) + pieces[1:])
    if words.type is None and not words.nullable and words.references is None:
        constraints = parse_constraints(body, line, strict=True)
        if constraints is None:
            return None
    else:
        constraints = parse_constraints(tail, line) if tail else Constraints()
    for note in notes:
        found = examples_in(note)
        if found is not None:
            constraints.examples = found
        elif constraints.comment is None:
            constraints.comment = note
        else:
            constraints.notes.append(note)
    if description:
        constraints.comment = constraints.comment or description
    return words, constraints


_SEVERAL = re.compile(
    r"^\s*((?:`[^`]+`|[^\W\d]\w*)(?:\s*(?:,|/|&|\band\b)\s*(?:`[^`]+`|[^\W\d]\w*))+)\s*(:|\s[-–—]\s)\s*(.+)$"
)


# "id | BIGINT - AUTOINCREMENT - PRIMARY_KEY (UNIQUE - NOT NULL)", "potenza CV | SMALLINT - NOT NULL",
# "carrozzeria (berlina, SUV, coupé) | VARCHAR(20)": a name (words allowed, values after it), a bar, then the
# type and constraints separated by dashes.
_PIPED = re.compile(r"^\s*([^\W\d][\w ]{0,60}?)\s*(?:\(([^()]*)\))?\s*\|\s*(\S.*)$")


def _piped(text: str, line: int) -> _Parsed | None:
    m = _PIPED.match(text)
    if not m:
        return None
    name = re.sub(r"\s+", "_", m.group(1).strip())
    body = re.sub(r"\s+[-–—]\s+", ", ", m.group(3))
    body = re.sub(r"\s\(([^()]*)\)", r", \1", body).strip(" ,")  # "PRIMARY_KEY (UNIQUE, NOT NULL)"
    parsed = parse_item(f"{name}: {body}", line)
    if parsed is None:
        return None
    column = parsed.column
    if m.group(2):
        values = tuple(v.strip() for v in re.split(r"\s*[,/|]\s*", m.group(2)) if v.strip())
        if len(values) >= 2 and column.enum is None:
            column = replace(column, enum=values)  # the values the name lists: "carrozzeria (berlina, SUV)"
        elif column.comment is None:
            column = replace(column, comment=m.group(2).strip())
    if name != m.group(1).strip():
        column = replace(column, notes=(*column.notes, f"written {m.group(1).strip()!r}; spaces read as _"))
    return _Parsed(column, parsed.indexed)


def parse_items(text: str, line: int) -> list[_Parsed] | None:
    """One bullet -> its columns: ``name: TYPE``, or ```created_at`, `updated_at`: timestamp`` (two)."""
    if "|" in text and not text.lstrip().startswith("|"):
        piped = _piped(text, line)
        if piped is not None:
            return [piped]
    m = _SEVERAL.match(text)
    if m:
        names = [n.strip().strip("`") for n in re.split(r"\s*(?:,|/|&|\band\b)\s*", m.group(1))]
        if all(is_identifier(n) for n in names):
            parsed = [parse_item(f"{n}: {m.group(3)}", line) for n in names]
            if all(p is not None for p in parsed):
                return parsed  # type: ignore[return-value]
    one = parse_item(text, line)
    return [one] if one is not None else None


def parse_item(text: str, line: int) -> _Parsed | None:
    """One bullet -> a column, or None when it does not define one."""
    m = _NAME_HEAD.match(text)
    if not m:
        return None
    name, sep = m.group(1), m.group("sep")
    rest = text[m.end() :].strip()
    if sep == ":" and rest.startswith("(") and _closing(rest, 0) == len(rest.rstrip()) - 1:
        return parse_item(f"{text[: m.start('sep')]} {rest}", line)  # "name: (TYPE)" is "name (TYPE)"
    if sep == "(":
        close = _closing(text, m.end() - 1)
        if close < 0:
            return None
        inner, after = text[m.end() : close], text[close + 1 :].strip(" :-–—")
        parsed = _type_and_constraints(inner, line)
        if parsed is not None and after:
            words, c = parsed
            c.comment = c.comment or after
    else:
        if not rest:
            return None
        parsed = _type_and_constraints(rest, line)
    if parsed is None or not is_identifier(name):
        return None
    words, c = parsed
    type_name = words.type.name if words.type else None
    found = read_values(c.comment, type_name, name) if c.comment else None
    enum = words.enum or (found.enum if found else None)
    examples = c.examples or (found.examples if found else None)
    nullable = c.nullable if c.nullable is not None else words.nullable
    references = c.references or words.references
    column = ColumnFragment(
        name=name,
        line=line,
        type=words.type,
        nullable=nullable,
        default=c.default,
        primary_key=c.primary_key,
        unique=c.unique,
        references=references,
        fk_marked=c.fk_marked or references is not None,
        enum=enum,
        examples=examples,
        check=column_check(name, c.check),
        comment=c.comment,
        notes=tuple(c.notes),
    )
    return _Parsed(column, c.indexed)


def _closing(text: str, open_at: int) -> int:
    depth = 0
    for i in range(open_at, len(text)):
        depth += text[i] == "("
        depth -= text[i] == ")"
        if depth == 0:
            return i
    return -1


def _groups(items: tuple[ListItem, ...]) -> dict[int, list[int]]:
    """Item indexes grouped by parent item index (-1: top level)."""
    groups: dict[int, list[int]] = {}
    stack: list[int] = []
    for i, item in enumerate(items):
        while stack and items[stack[-1]].depth >= item.depth:
            stack.pop()
        groups.setdefault(stack[-1] if stack else -1, []).append(i)
        stack.append(i)
    return groups


def _parent_says(text: str) -> tuple[str | None, bool]:
    """(table the parent bullet names, whether it announces columns)."""
    plain = strip_markup(text).strip().rstrip(":").strip()
    if plain.lower() in _COLUMN_PARENTS:
        return None, True
    name = table_name(text) if len(plain) < 80 else None
    return name, name is not None


@lru_cache(maxsize=1)  # the registry asks ``accepts`` and then ``read`` about the same block: plan it once
def _plan(block: Block) -> list[tuple[str | None, list[tuple[int, _Parsed]], list[int]]]:
    """[(table, parsed columns, indexes of failed items that look like columns)] for each column group."""
    if block.kind != "list" or not block.items:
        return []
    plans = []
    for parent, members in _groups(block.items).items():
        parsed = [(i, parse_items(block.items[i].text, block.items[i].line)) for i in members]
        good = [(i, one) for i, p in parsed if p is not None for one in p]
        named, announced = _parent_says(block.items[parent].text) if parent >= 0 else (None, False)
        failed = [
            i
            for i, p in parsed
            if p is None
            and (_columnish(block.items[i].text) or re.match(r"^\s*`?[^\W\d]\w*`?\s*:", block.items[i].text))
        ]
        evidence = len({i for i, _ in good}) + sum(1 for i in failed if _columnish(block.items[i].text))
        announced = announced or bool(named)
        # one item is enough where something says it is a column: a parent or lead naming the table, or
        # the item itself typed as a reference (``customer: (ForeignKey(customer) / int)``)
        typed_reference = len(good) == 1 and good[0][1].column.type is not None and good[0][1].column.references
        enough = len(good) >= 2 or (
            len(good) == 1 and (announced or bool(block_table(block.lead, ())) or bool(typed_reference))
        )
        # items shaped `name: TYPE ...` count as evidence even when the rest is not understood (they are reported)
        if not enough or evidence < 0.6 * len(members):
            untyped = _untyped_group(block, parent, members)
            if untyped:
                plans.append(untyped)
            continue
        table = named or block_table(block.lead, block.section)
        if named is None and parent >= 0 and not announced:
            table = _table_above(block, parent, plans) or table  # "Extra column added by migration:" under a table
        plans.append((table, good, failed))
    return plans


_UNTYPED = re.compile(r"^\s*(?:\*\*)?`?([^\W\d]\w*)`?(?:\*\*)?\s*(?::|：|[–—]|\s-\s)\s*(\S.*)$")


_NAMES_ONLY = re.compile(r"`[^\W\d]\w*`(?:\s*[,、]\s*`[^\W\d]\w*`)+")


_ONE_NAME = re.compile(r"`[^\W\d]\w*`")  # "- `species`" among "- `id`: chave primária" items
_SEVERAL_SAID = re.compile(r"^\s*(`[^\W\d]\w*`(?:\s*[,、]\s*`[^\W\d]\w*`)+)\s*(?::|[–—]|\s-\s)\s*(\S.*)$")


def _several_untyped(text: str) -> tuple[list[str], str | None] | None:
    """```a`, `b``` or ```a``` (names only) or ```latitude`, `longitude` - 위도/경도`` (one description for all)."""
    if _NAMES_ONLY.fullmatch(text.strip()) or _ONE_NAME.fullmatch(text.strip()):
        return re.findall(r"`([^`]+)`", text), None
    m = _SEVERAL_SAID.match(text)
    if m:
        return re.findall(r"`([^`]+)`", m.group(1)), m.group(2).strip()
    return None


def _untyped_group(block: Block, parent: int, members: list[int]):
    """``- id – Mã người dùng`` / ``- `name`: nome do episódio``: columns named with a description, no type.

    Read only where the document says these are a table's columns: under a
    heading that marks a table (backticks, a table word), after a lead or
    parent bullet announcing fields (``Campos:``), or after a lead naming a
    table beside a table word (``订单表 `orders` 同步补充状态字段：``). Types are then inferred,
    each with a note; a phrase such as ``chave primária`` still marks the key.
    """
    parent_text = strip_markup(block.items[parent].text).rstrip(":： ") if parent >= 0 else ""
    named = table_name(block.items[parent].text) if parent >= 0 and not announces_fields(parent_text) else None
    announced = announces_fields(strip_markup(block.lead).strip().rstrip(":： ")) or announces_fields(parent_text)
    heading = block.section[-1] if block.section else ""
    if not (announced or names_table_explicitly(heading) or (named and parent >= 0) or lead_names_table(block.lead)):
        return None
    matches = [(i, _UNTYPED.match(block.items[i].text)) for i in members]
    names_only = {i: _several_untyped(block.items[i].text) for i, m in matches if m is None}
    if len(members) < 2 or sum(1 for _, m in matches if m) + sum(1 for n in names_only.values() if n) < 0.8 * len(
        members
    ):
        return None
    good = []
    for i, m in matches:
        if m is None:
            several = names_only.get(i)
            if several:  # "`created_at`, `updated_at`": several columns, nothing said or one description for all
                names, said = several
                for name in names:
                    column = ColumnFragment(name=name, line=block.items[i].line, comment=said)
                    good.append((i, _Parsed(column, False)))
            continue
        description = m.group(2).strip().rstrip(".")
        c = _stated(description, block.items[i].line)
        column = ColumnFragment(
            name=m.group(1),
            line=block.items[i].line,
            nullable=c.nullable,
            primary_key=c.primary_key,
            unique=c.unique,
            references=c.references,
            fk_marked=c.fk_marked or c.references is not None,
            enum=read_values(description, None, m.group(1)).enum,  # "Trạng thái (ACTIVE/INACTIVE)"
            comment=description,
        )
        good.append((i, _Parsed(column, c.indexed)))
    table = named or block_table(block.lead, block.section)
    return (table, good, [])


def _stated(description: str, line: int) -> Constraints:
    """Constraints an untyped column's description states: its first phrase (``chave primária``) or a
    parenthetical of constraint words only (``identifier (PK)``, ``Người dùng (FK)``)."""
    for phrase in [re.split(r"[.;(]", description)[0], *re.findall(r"\(([^()]*)\)", description)]:
        stated = parse_constraints(phrase, line, strict=True)
        if stated is not None:
            return stated
    return Constraints()


def _columnish(text: str) -> bool:
    """``name: TYPE ...`` or ``name (TYPE ...)``: a column definition, whether or not the rest is understood."""
    m = re.match(r"^\s*(?:\*\*)?`?[^\W\d]\w*`?(?:\*\*)?\s*(?::|\()\s*`?([\w ]+)", text)
    return bool(m) and split_type(m.group(1).strip())[0].type is not None


def _table_above(block: Block, parent: int, plans: list) -> str | None:
    """The table of the column group that holds ``parent`` as an item, if any."""
    depth = block.items[parent].depth
    for i in range(parent - 1, -1, -1):
        if block.items[i].depth < depth:
            return None
        if block.items[i].depth == depth:
            for table, good, _ in plans:
                if any(j == i for j, _ in good):
                    return table
    return None


def accepts(block: Block) -> bool:
    return bool(_plan(block))


def read(block: Block) -> Reading:
    reading = Reading()
    plans = _plan(block)
    used: set[int] = set()
    merged: dict[str, list[_Parsed]] = {}
    for table, good, failed in plans:
        used.update(i for i, _ in good)
        for i in failed:
            item = block.items[i]
            said = read_statement(item.text, item.line, block.section, block.lead)
            if said.fragments:  # "Relationships: each student belongs to one class"
                reading.extend(said)
            else:
                reading.diagnostics.append(
                    warning(
                        item.line,
                        f"cannot read this column definition: {item.text!r}; write it as "
                        "`name: TYPE, NOT NULL, UNIQUE, FK -> table(column)`",
                    )
                )
            used.add(i)
        if table is None:
            where = f"the heading {block.heading!r}" if block.heading else "no heading"
            reading.diagnostics.append(
                warning(
                    good[0][1].column.line,
                    f"column list has no table name ({where} above it names no table); not read: "
                    "put the table's name in a heading or a `**Table: name**` line above the list",
                )
            )
            continue
        kept = merged.setdefault(table, [])
        names = {p.column.name for p in kept}
        kept.extend(p for _, p in good if p.column.name not in names)
    for table, added in _named_with_values(block, used, merged, reading.diagnostics):
        merged[table].append(added)
    # Untyped columns after a sentence naming the table ("订单表 `orders` 同步补充状态字段：") add to the table's
    # description elsewhere rather than replace it.
    heading = block.section[-1] if block.section else ""
    supplement = lead_names_table(block.lead) and not names_table_explicitly(heading)
    for table, parsed in merged.items():
        columns = tuple(p.column for p in parsed)
        reading.fragments.append(
            TableFragment(
                extends=supplement and all(c.type is None for c in columns),
                name=table,
                line=parsed[0].column.line,
                source="bullets",
                columns=columns,
                primary_key=tuple(c.name for c in columns if c.primary_key),
                indexes=tuple(
                    IndexFragment(table, (IndexColumn(p.column.name),), p.column.line) for p in parsed if p.indexed
                ),
                section=block.section,
                comment=_description(block),
            )
        )
    _read_rest(block, used, reading.fragments, reading.diagnostics, sorted(merged))
    return reading


_VALUE_ITEM = re.compile(r"^\s*(?:\*\*)?`?([^\W\d][\w-]*)`?(?:\*\*)?\s*(?:=|:|\s[-–—]\s|$)")


def _named_with_values(block: Block, used: set[int], merged: dict[str, list[_Parsed]], diagnostics: list[Diagnostic]):
    """``- role`` beside a table's columns, its nested bullets each naming one value (``* sales = read only``).

    Documents list a column's allowed values as sub-bullets and leave out its type; reading the item as a text
    column with those values keeps them, where leaving it unread would drop the column. Said as a warning."""
    if len(merged) != 1:
        return []
    (table,) = merged
    names = {p.column.name.lower() for p in merged[table]}
    items = block.items
    out = []
    for i, item in enumerate(items):
        name = strip_markup(item.text).strip().strip("`*").strip()
        if i in used or not _NAME_ONLY.match(item.text) or not is_identifier(name) or name.lower() in names:
            continue
        children = []
        for j in range(i + 1, len(items)):
            if items[j].depth <= item.depth:
                break
            children.append(j)
        if not children:
            continue
        top = min(items[j].depth for j in children)
        direct = [j for j in children if items[j].depth == top]
        values = [_VALUE_ITEM.match(items[j].text) for j in direct]
        if len(direct) < 2 or not all(values):
            continue
        enum = tuple(m.group(1) for m in values)
        used.update([i, *children])
        out.append((table, _Parsed(ColumnFragment(name=name, line=item.line, enum=enum), False)))
        diagnostics.append(
            warning(
                item.line,
                f"{table}.{name}: no type given; its nested items {', '.join(enum)} are read as its allowed values "
                f"(a text column); give it a type (`{name}: TEXT`) or list values elsewhere if that is wrong",
            )
        )
    return out


def _description(block: Block) -> str | None:
    for item in block.items:
        m = _DESCRIPTION_ITEM.match(item.text)
        if m:
            return m.group(1).strip()
    return None


_NAME_ONLY = re.compile(r"^\s*(?:\*\*)?`?[^\W\d][\w ]{0,40}?`?(?:\*\*)?\s*$")


def _read_rest(
    block: Block, used: set[int], fragments: list, diagnostics: list[Diagnostic], tables: list[str] = ()
) -> None:
    """Statements among the other items (constraints, relationships) as prose would read them.

    An item beside a table's columns that is only a name (``- Title``) and that nothing reads is said,
    not dropped: it is most likely a column whose type the document left out."""
    for i, item in enumerate(block.items):
        if i not in used:
            found = read_statement(item.text, item.line, block.section, block.lead)
            fragments.extend(found.fragments)
            diagnostics.extend(found.diagnostics)
            if tables and not found.fragments and not found.diagnostics and _NAME_ONLY.match(item.text):
                diagnostics.append(
                    warning(
                        item.line,
                        f"{item.text.strip()!r} beside the columns of {tables[0]} is not read: give it a type "
                        f"(`{item.text.strip().strip('`*')}: TEXT`) to make it a column",
                    )
                )
