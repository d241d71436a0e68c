"""Constraints and relationships stated in sentences or bullets.

``UNIQUE(a, b) WHERE source = 'slack'``, ``PRIMARY KEY (a, b)``, ``CHECK
(amount > 0)``, ``INDEX ON (a)``, ```t.c` references `u.id` (CASCADE)``, ``One-to-Many with `memberships` (CASCADE
DELETE)``, ``belongs to `users` ``, ``**`organizations`** can have multiple
**`organization_subscriptions`**``. Statements without a subject belong to
the table of the section they sit in (the ``### 3. MEMBERSHIPS`` above a
``**Constraints:**`` list). Prose and bullets both read items with
``read_statement``; it never raises and returns nothing for ordinary prose.
"""

from __future__ import annotations

import re

from ..document import info, warning
from ..fragments import (
    ColumnFragment,
    ConstraintFragment,
    IndexColumn,
    IndexFragment,
    Reference,
    RelationshipFragment,
    TableFragment,
)
from ._cells import (
    block_table,
    is_identifier,
    on_action,
    parse_constraints,
    parse_reference,
    split_top,
    strip_markup,
)
from ._rules import looks_like_rule, rules_in
from ._typewords import split_type
from ._vocabulary import roles
from .base import Reading

_COLS = r"\(\s*([^()]*?)\s*\)"
# "UNIQUE(a, b)", "Unique: (a, b)", and the same in the languages of headers.toml ("Eindeutig: (a, b)", "唯一: (a, b)").
_UNIQUE_WORD = "|".join(re.escape(w) for w in sorted(roles()["unique"] - {"uk", "uq"}, key=len, reverse=True))
_UNIQUE = re.compile(
    rf"(?i)(?<!\w)(?:{_UNIQUE_WORD})(?:\s+(?:constraint|key|index))?(?:\s+on)?\s*[:：]?\s*{_COLS}(?:\s+where\s+(.+))?"
)
_PK = re.compile(rf"(?i)\b(?:composite\s+)?(?:primary\s+key|pk)\s*:?\s*(?:on\s*)?{_COLS}")
_CHECK = re.compile(r"(?i)(?:\bconstraint\s+(\w+)\s+)?\bcheck\s*\(")
_INDEX = re.compile(
    rf"(?i)\b(unique\s+)?index\s+(?:`?(\w+)`?\s+)?on\s+(?:`?([\w.]+)`?\s*)?{_COLS}(?:\s+using\s+(\w+))?"
)
_FK = re.compile(rf"(?i)\bforeign\s+key\s*{_COLS}\s*references\s+(.+)")
# "`orders.customer_id` references `customers.id` (ON DELETE CASCADE)": a column named by table.column.
_COLUMN_REFERENCES = re.compile(
    r"(?i)`([^\W\d]\w*)\.([^\W\d]\w*)`\s+(?:references|refers\s+to|points\s+to|→|->)\s+(`[^`]+`[^.;]*)"
)
_NAME = r"(?:\*\*)?`?([^\W\d][\w.]*)`?(?:\*\*)?"
_MARKED = rf"(?=\*\*|`){_NAME}"  # a name in backticks or bold: plain words are too often prose
_STOP = {"the", "this", "that", "its", "their", "each", "every", "one", "multiple", "many", "same", "other", "it"}
_KINDS = {
    ("one", "many"): ("||", "o{"),
    ("one", "one"): ("||", "o|"),
    ("many", "one"): ("}o", "||"),
    ("many", "many"): ("}o", "o{"),
    ("zero or one", "many"): ("|o", "o{"),
    ("zero or one", "one"): ("|o", "||"),
}
_WITH = re.compile(
    rf"(?i)\b(one|many|zero[- ]or[- ]one|1|n|m)\s*[-‐–]?\s*to\s*[-‐–]?\s*(one|many|1|n|m)\b"
    rf"(?:\s+relationship)?\s*(?:with|to|:)\s+{_NAME}"
)
_VERBS = [
    (
        re.compile(
            rf"(?i)\b(?:can\s+have|may\s+have|has|have)\s+(?:multiple|many|several|zero\s+or\s+more)\s+{_MARKED}"
        ),
        "one",
        "many",
    ),
    (re.compile(rf"(?i)\b(?:has|have)\s+(?:one|a\s+single|exactly\s+one|an?)\s+{_MARKED}"), "one", "one"),
    (re.compile(rf"(?i)\b(?:belongs|belong)\s+to\s+(?:an?\s+|one\s+)?{_NAME}"), "many", "one"),
    (re.compile(rf"(?i)\b(?:links?|refers?|points?)\s+to\s+{_MARKED}"), "many", "one"),
]
_ASSOC = re.compile(r"(?i)\b(?:is|are)\s+associated\s+with\s+(.+)")
_VIA = re.compile(rf"(?i)\bto\s+{_NAME}\s+via\s+{_NAME}")
# "Each order belongs to one customer": a plain noun after "each"/"every" is the subject too.
_PLAIN_SUBJECT = re.compile(
    r"(?i)^\s*(?:each|every|an?|one|the)\s+([^\W\d]\w*)\s+(?=belongs?\b|(?:can|may)\s+have\b|has\b|have\b)"
)
# With a plain subject ("A user can have many orders") the other table may be a plain word too: a word that is
# no table is reported by the schema stage ("relationship names 'dashboard', which is not a table").
_VERBS_PLAIN = [
    (
        re.compile(
            r"(?i)\b(?:can\s+have|may\s+have|has|have)\s+(?:multiple|many|several|zero\s+or\s+more)\s+"
            r"`?([^\W\d]\w*(?:[ _][^\W\d]\w*)?)`?\s*(?:[.,;:!]|$)"  # "many orders.", "many line items."
        ),
        "one",
        "many",
    ),
]
# "A task is assigned to one user (`assignee_id`)", "Each post is written by a user (author_id)": a link with its
# column in parentheses right after the other table.
_VIA_COLUMN = re.compile(
    rf"(?i)^\s*(?:each|every|an?|one|the)?\s*{_NAME}\s+(?:is|are)\s+[a-z]+(?:ed|en)\s+(?:to|by|for|with|in)\s+"
    rf"(?:an?\s+|one\s+|exactly\s+one\s+|the\s+)?{_NAME}\s*\(\s*`?([^\W\d]\w*)`?\s*\)"
)
_SUBJECT = re.compile(r"^\s*(?:\*\*)?`([^\W\d][\w.]*)`(?:\*\*)?|^\s*\*\*([^\W\d][\w.]*)\*\*")


def _columns(text: str) -> tuple[str, ...] | None:
    cols = tuple(strip_markup(c).strip('"') for c in split_top(text, ",+"))
    return cols if cols and all(is_identifier(c) for c in cols) else None


def _balanced(text: str, start: int) -> str | None:
    depth = 0
    for i in range(start, len(text)):
        depth += text[i] == "("
        depth -= text[i] == ")"
        if depth == 0:
            return text[start + 1 : i]
    return None


def _clean_where(text: str) -> str:
    return strip_markup(text).strip().rstrip(".;").strip()


# "`users.id` 与 `orders.user_id`、`posts.user_id` 关联", "`users.id` is linked to `orders.user_id`": a key and the
# columns holding it, related by a word for "linked" in the languages documents are written in.
_LINK_WORD = re.compile(
    r"(?i)关联|關聯|关系|連携|関連|연결|참조|связ|liên\s*kết|ilişki|terhubung|berelasi|powiązan|verknüpft|"
    r"\blink(?:s|ed)?\b|\brelat(?:es|ed)\b|\bjoin(?:s|ed)?\b|\blié|\brelacionad|\bcollegat"
)
_DOTTED = re.compile(r"`([^\W\d]\w*)\.([^\W\d]\w*)`")


def _linked_columns(text: str, line: int, out: Reading) -> bool:
    if not _LINK_WORD.search(text):
        return False
    names = _DOTTED.findall(text)
    keys = [(t, c) for t, c in names if c.lower() == "id"]
    holders = [(t, c) for t, c in names if c.lower() != "id"]
    if len(keys) != 1 or not holders or _DOTTED.search(text).group(2).lower() != "id":
        return False
    parent, key = keys[0]
    for child, column in holders:
        out.fragments.append(
            ConstraintFragment(child, "foreign_key", (column,), line, references=Reference(parent, (key,), line=line))
        )
    return True


_UNIQUE_SAID = re.compile(rf"(?i)(?<![A-Za-z])(?:{_UNIQUE_WORD})")
_NEGATED = re.compile(r"(?i)\bnot\b|\bnon\b|\bnicht\b|\bno\b|不|非|없|не\b|değil|không")


def _unique_columns(text: str, line: int, out: Reading) -> bool:
    """ "`users.phone` 和 `admins.account` 使用唯一约束": each quoted column the sentence calls unique."""
    names = _DOTTED.findall(text)
    if not names or "(" in text or not _UNIQUE_SAID.search(text) or _NEGATED.search(text):
        return False
    for table, column in names:
        out.fragments.append(ConstraintFragment(table, "unique", (column,), line))
    return True


def constraints_in(text: str, line: int, table: str | None, out: Reading) -> bool:
    """Constraint statements in one item or line; True when any was found."""
    found = False
    for m in _INDEX.finditer(text):
        cols = [c.strip() for c in split_top(strip_markup(m.group(4)), ",")]
        parsed = [re.match(r"^([^\W\d]\w*)(?:\s+(asc|desc))?$", c, re.I) for c in cols]
        target = m.group(3) or table
        if not all(parsed) or not cols:
            continue
        found = True
        if target is None:
            out.diagnostics.append(warning(line, "index stated here names no table, and no heading above names one"))
            continue
        columns = tuple(IndexColumn(p.group(1), desc=(p.group(2) or "").lower() == "desc") for p in parsed if p)
        method = m.group(5).lower() if m.group(5) else None
        out.fragments.append(IndexFragment(target, columns, line, m.group(2), bool(m.group(1)), method))
    if found:
        return True
    for m in _UNIQUE.finditer(text):
        cols = _columns(m.group(1))
        if cols:
            where = _clean_where(m.group(2)) if m.group(2) else None
            out.fragments.append(ConstraintFragment(table, "unique", cols, line, where=where))
            found = True
    for m in _PK.finditer(text):
        cols = _columns(m.group(1))
        if cols:
            out.fragments.append(ConstraintFragment(table, "primary_key", cols, line))
            found = True
    for m in _CHECK.finditer(text):
        expression = _balanced(text, m.end() - 1)
        if expression and expression.strip():
            out.fragments.append(
                ConstraintFragment(table, "check", (), line, expression=expression.strip(), name=m.group(1))
            )
            found = True
    for m in _FK.finditer(text):
        cols = _columns(m.group(1))
        ref = parse_reference(m.group(2).strip().rstrip(".;"), line)
        if cols and ref:
            out.fragments.append(ConstraintFragment(table, "foreign_key", cols, line, references=ref))
            found = True
    if _linked_columns(text, line, out) or _unique_columns(text, line, out):
        return True
    for m in _COLUMN_REFERENCES.finditer(text):
        ref = parse_reference(m.group(3).strip(), line)
        if ref is not None and ref.columns:
            out.fragments.append(ConstraintFragment(m.group(1), "foreign_key", (m.group(2),), line, references=ref))
            found = True
    return found


_CARD = r"(?:\s*\((?:[01nmNM*]|0\.\.1|[01]\.\.[nN*]|[oO]ne|[mM]any)\))?"
_CHAIN_NAMES = rf"`[^\W\d]\w*`{_CARD}(?:\s*[,、]\s*`[^\W\d]\w*`{_CARD})*"
_CHAIN_ARROW = r"\s*(?:→|->|⟶|↔|<->|⇄)\s*"
# "`customers` → `booking_customers` → `bookings`", "`bookings` → `payments`, `invoices`": a data-flow line
# relating each table to the next; only quoted names, so prose with an arrow in it relates nothing.
# "`projects (1) -> licenses (N)`": a cardinality in parentheses after a name says which side is many.
_CHAIN = re.compile(rf"{_CHAIN_NAMES}(?:{_CHAIN_ARROW}{_CHAIN_NAMES})+")


# The whole chain in one code span with its cardinalities: "`projects (1) -> licenses (N)`" (a span such as
# "`pending -> paid`" without them is a state change, not tables).
_SPAN_CHAIN = re.compile(rf"`([^\W\d][^`]*?\((?:[01nmNM*]|[01]\.\.[nN*])\)[^`]*?{_CHAIN_ARROW}[^`]*)`")


def _arrow_chains(text: str, line: int) -> list[RelationshipFragment]:
    """``a -> b`` is one a to many b; ``projects (1) -> licenses (N)`` says which side is many."""
    found = []
    if not _CHAIN.search(text):
        text = _SPAN_CHAIN.sub(lambda m: re.sub(r"([^\W\d]\w*)(?![^(]*\))", r"`\1`", m.group(1)), text)
    for m in _CHAIN.finditer(text):
        parts = re.split(_CHAIN_ARROW, m.group(0))
        groups = [re.findall(r"`([^`]+)`", g) for g in parts]
        many = [bool(re.search(r"(?i)\((?:[nm*]|[01]\.\.[n*]|many)\)", g)) for g in parts]
        for i, (left_group, right_group) in enumerate(zip(groups, groups[1:], strict=False)):
            cards = ("}o", "||") if many[i] and not many[i + 1] else ("||", "o{")
            for left in left_group:
                found.extend(
                    RelationshipFragment(left, right, line, *cards, label="arrow")
                    for right in right_group
                    if right != left
                )
    return found


# "Une colonne `first_leg_match_id` (FK → `matches`, *nullable*)", "A column `paid_at` (timestamp, NOT NULL)":
# a column of the section's table introduced in a sentence, its type and constraints in parentheses.
_COLUMN_WORD = (
    r"column|colonne|columna|coluna|colonna|spalte|kolumn[ae]?|kolom|sütun|cột|колонк[аиу]|столб[еца]+|"
    r"列|欄位|字段|カラム|컬럼|열"
)
_SAID_COLUMN = re.compile(rf"(?i)(?:{_COLUMN_WORD})\s*`([^\W\d]\w*)`\s*[(（]([^()（）]+)[)）]")


def columns_said(text: str, line: int, table: str | None, out: Reading) -> bool:
    """A column introduced in a sentence, added to the table of the section (a note says so)."""
    found = False
    for m in _SAID_COLUMN.finditer(text):
        if table is None:
            continue
        inner = strip_markup(m.group(2))
        words, rest = split_type(inner.split(",")[0])
        stated = parse_constraints(inner if words.type is None else rest + inner[len(inner.split(",")[0]) :], line)
        if stated is None or not (words.type or stated.fk_marked or stated.primary_key or stated.unique):
            continue
        column = ColumnFragment(
            m.group(1),
            line,
            type=words.type,
            nullable=stated.nullable,
            default=stated.default,
            primary_key=stated.primary_key,
            unique=stated.unique,
            references=stated.references,
            fk_marked=stated.fk_marked,
            notes=("column stated in a sentence",),
        )
        out.fragments.append(TableFragment(table, line, "prose", columns=(column,), extends=True))
        out.diagnostics.append(info(line, f"{table}.{m.group(1)}: column read from a sentence"))
        found = True
    return found


def relationships_in(text: str, line: int, table: str | None, out: Reading) -> bool:
    """Relationship statements in one item or sentence; True when any was found."""
    via = _VIA_COLUMN.match(strip_markup(text))
    if via is not None and via.group(2).lower() not in _STOP:
        ref = Reference(via.group(2), line=line)
        out.fragments.append(ConstraintFragment(via.group(1), "foreign_key", (via.group(3),), line, references=ref))
        return True
    chained = _arrow_chains(text, line)
    if chained:
        out.fragments.extend(_dedupe(chained))
        return True
    subject_m = _SUBJECT.match(text) or _PLAIN_SUBJECT.match(text)
    subject = next((g for g in subject_m.groups() if g), None) if subject_m else None
    left = subject or table
    on_delete = on_action(text)
    found: list[RelationshipFragment] = []
    for m in _WITH.finditer(text):
        a = _word(m.group(1))
        b = _word(m.group(2))
        cards = _KINDS.get((a, b))
        if cards and left and m.group(3).lower() not in _STOP:
            found.append(RelationshipFragment(left, m.group(3), line, *cards, on_delete=on_delete))
    if not found:
        plain = subject_m is not None and subject_m.re is _PLAIN_SUBJECT
        for pattern, a, b in _VERBS + (_VERBS_PLAIN if plain else []):
            for m in pattern.finditer(text):
                if left and m.group(1) != left and m.group(1).lower() not in _STOP:
                    found.append(RelationshipFragment(left, m.group(1), line, *_KINDS[(a, b)], on_delete=on_delete))
    if not found and subject:
        for m in _VIA.finditer(text):
            target, join = m.group(1), m.group(2)
            found.append(RelationshipFragment(join, subject, line, "}o", "||"))
            found.append(RelationshipFragment(join, target, line, "}o", "||"))
        am = _ASSOC.search(text)
        if am and not found:
            for name in re.findall(r"`([^\W\d][\w.]*)`|\*\*([^\W\d][\w.]*)\*\*", am.group(1)):
                right = name[0] or name[1]
                found.append(RelationshipFragment(subject, right, line, "||", "o{", label="associated with"))
    if not found and not left and (_WITH.search(text)):
        out.diagnostics.append(
            warning(line, "relationship stated here, but no heading above names the table it is about")
        )
    out.fragments.extend(_dedupe(found))
    return bool(found)


def _dedupe(items: list[RelationshipFragment]) -> list[RelationshipFragment]:
    seen, out = set(), []
    for r in items:
        key = (r.left, r.right, r.left_cardinality, r.right_cardinality)
        if key not in seen:
            seen.add(key)
            out.append(r)
    return out


def _word(text: str) -> str:
    t = text.lower().replace("-", " ")
    return {"1": "one", "n": "many", "m": "many"}.get(t, t)


def read_statement(text: str, line: int, section: tuple[str, ...], lead: str = "", sentences: bool = True) -> Reading:
    """Everything one bullet item or one line of a paragraph states.

    ``sentences`` also reads rules written as sentences (``_rules``); a
    paragraph's lines pass False because the paragraph reads them sentence by
    sentence instead (a sentence may run over several lines).
    """
    out = Reading()
    try:
        table = block_table(lead, section)
        if (
            not constraints_in(text, line, table, out)
            and not columns_said(text, line, table, out)
            and not relationships_in(text, line, table, out)
            and sentences
        ):
            rule_sentence(text, line, table, out)
            if not out.fragments and not out.diagnostics and _COLUMN_LIKE.match(strip_markup(text)):
                out.diagnostics.append(
                    warning(
                        line,
                        f"this looks like a column definition but is not in a column list docbase can read: "
                        f"{strip_markup(text).strip()!r}; write it as `name: TYPE, NOT NULL, UNIQUE` in a list "
                        "under its table's heading",
                    )
                )
    except Exception as exc:  # a phrase this module cannot handle must not lose the document
        out = Reading(diagnostics=[warning(line, f"could not read this statement ({exc.__class__.__name__})")])
    return out


# "price: ???, NOT NULL": a name, a colon, then constraint words a column definition uses.
_COLUMN_LIKE = re.compile(
    r"(?i)^\s*[^\W\d]\w*\s*:\s*[^.]{0,60}?(?:,\s*|\s)(?:NOT\s+NULL|PRIMARY\s+KEY|PK|FK|UNIQUE|REFERENCES)\s*(?:,|$)"
)
_EXPLICIT = re.compile(r"(?i)\b(?:unique|check|primary\s+key|foreign\s+key|index)\s*\(")


def rule_sentence(text: str, line: int, table: str | None, out: Reading) -> None:
    """A rule written as a sentence; one that reads like a rule but fits no shape is reported."""
    if _EXPLICIT.search(text):
        return
    found = rules_in(text, line, table)
    out.fragments.extend(found)
    if not found and looks_like_rule(text):
        out.diagnostics.append(
            warning(
                line,
                f"this sentence reads like a constraint but docbase cannot tell which: {strip_markup(text).strip()!r}; "
                "write it as `UNIQUE(a, b)`, `CHECK (x BETWEEN 1 AND 5)` or `x is one of a, b, c`",
            )
        )
