"""Value lists in descriptions: a closed set (enum) or a few examples?

A description such as ``personal or team`` or ``active, disabled, error``
states the values a column may take; ``Company domain (e.g., "acme.com")``
only illustrates one. Getting this wrong is costly both ways: a wrong enum
becomes a CHECK constraint that rejects real data, a missed one loses
validation. The rule, applied to the description as a whole:

1. Text introduced by *e.g.*, *for example*, *such as*, *like*, *i.e. one of
   (…)* with *etc.* or ``...`` is **examples**, never an enum.
2. Otherwise the description, after an optional ``Label:`` (``Role: OWNER or
   USER``, ``One of: a, b``), must consist of nothing but two or more bare
   values separated by ``,``, ``|``, ``/``, ``or`` (each value may carry a
   short parenthetical, ``null (unchecked)``). Any other word makes it prose.
3. For a column typed ENUM any identifier values count. For a string column
   (varchar/text/untyped) they must all be lower-case identifiers
   (``snake_case``) or all CAPITALS (``PENDING / PAID``): capitalised or quoted words (``"Free" or "Pro"``) are
   display names of seeded data, not a code-level set. Other types never get
   an enum from a description.
6. A column whose name names a category (``device_type``, ``id_type``, ``status``, ``role``) lists its
   categories as people write them: capitalised words count (``Mobil, Tablet, Masaüstü``), and names of up
   to three words between slashes or bars (``CCCD/Hộ chiếu``), still only when the description is nothing but
   the list (``Product category, used for filtering`` is prose).
4. ``null`` in the list means the column may be empty; it is not a value.
5. A short label with the values in parentheses after it (``Trạng thái (ACTIVE/INACTIVE)``) lists them
   too; "or" and the list separators are read in the document's language (``、``, ``หรือ``, ``veya``).

A column described as the same as another ("idem team1.", "same as above", 同上) takes that column's
values (``same_as``), with an info line.

>>> read_values("支付方式：`wechat`、`alipay`、`mock`", None).enum
('wechat', 'alipay', 'mock')
>>> read_values("Trạng thái (ACTIVE/INACTIVE)", None).enum, read_values("Unique key (user_id, org_id)", None).enum
(('ACTIVE', 'INACTIVE'), None)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from ..document import Diagnostic, info
from ..fragments import ColumnFragment
from ._cells import split_top, strip_markup

_EXAMPLE_MARK = re.compile(
    r"(?i)\b(?:e\.\s?g\.?|eg\.|for example|for instance|such as|examples?:|z\.\s?b\.|zum beispiel|beispiele?:"
    r"|p\.\s?ej\.|por ejemplo|ejemplos?:|par exemple|p\.\s?ex\.)[,:]?\s*"
)  # English, German, Spanish, French
_VALUE = re.compile(r"^[`']?([^\W\d][\w\-.]*)[`']?(?:\s*\([^)]*\))?$")
_LOWER_IDENT = re.compile(r"^[a-z][a-z0-9_\-]*$")
_CAPS_IDENT = re.compile(r"^[A-Z][A-Z0-9_]+$")
_STRINGY = {None, "varchar", "text", "enum"}
_INTEGERS = {"integer", "smallint", "bigint"}


@dataclass(frozen=True)
class Values:
    enum: tuple[str, ...] | None = None
    examples: tuple[str, ...] | None = None
    null_listed: bool = False
    not_applied: tuple[str, ...] | None = None  # a closed list on a column whose type cannot hold it (``int``)


# "or"/"and" between the last two values, in the languages documents are written in.
_OR = "or|and|ou|et|oder|und|o|y|e|или|и|veya|ve|hoặc|và|atau|dan|lub|albo|i|หรือ|และ|또는|或|または|أو|و"


def _items(text: str) -> list[str]:
    text = re.sub(rf"(?i),?\s+(?:{_OR})\s+", ",", text.strip())
    parts = split_top(text, ",|/、")
    return [p.strip() for p in parts if p.strip()]


# "Trạng thái (ACTIVE/INACTIVE)", "회원 역할 (`buyer`, `seller`)": a short label, then the values in parentheses.
_LABELLED = re.compile(r"^([^()]{1,40}?)\s*[(（]([^()（）]+)[)）]$")
_NOT_A_LABEL = re.compile(r"(?i)\b(?:unique|index|key|primary|foreign|composite|check|references?|pk|fk|uk)\b")


def examples_in(text: str) -> tuple[str, ...] | None:
    """The values after an e.g.-style marker: quoted strings if any, else the listed words."""
    m = _EXAMPLE_MARK.search(text)
    if not m:
        return None
    tail = text[m.end() :]
    depth = 0
    for i, ch in enumerate(tail):  # the list ends at the parenthesis that opened before "e.g."
        depth += ch == "("
        depth -= ch == ")"
        if depth < 0:
            tail = tail[:i]
            break
    quoted = re.findall(r"\"([^\"]*)\"|'([^']*)'|`([^`]*)`", tail)
    if quoted:
        return tuple(next(g for g in q if g) or "" for q in quoted if any(q))
    words = [w.strip(" .)") for w in _items(re.sub(r"(?i)\betc\.?|\.\.\.|…", "", tail))]
    return tuple(w for w in words if w) or None


# Column names that say the column holds one of a few categories (``device_type``, ``id_type``, ``status``).
_CATEGORICAL = re.compile(r"(?i)(?:^|_|(?<=[a-z]))(?:type|kind|status|state|category|role|level|mode|tier|gender)$")
_WORDS_VALUE = re.compile(r"^[`']?([^\W\d][\w\-.]*(?: [^\W\d][\w\-.]*){0,2})[`']?$")


def read_values(description: str | None, type_name: str | None, column: str | None = None) -> Values:
    """Apply the module's rule to one description; see the module docstring.

    ``column`` is the column's name: one that names a category (rule 6) admits display-cased values."""
    if not description:
        return Values()
    if re.search(r"(?i)\betc\b|\.\.\.|…", description) and examples_in(description) is None:
        return Values()  # an open list: "queued, running, ..."
    text = description.strip().rstrip(".。").strip()
    found = examples_in(text)
    if found is not None:
        return Values(examples=found)
    if type_name not in _STRINGY:
        # an integer column listing names stores them as numbers (C#/Java enums): said, not applied
        listed = read_values(description, "enum", column).enum if type_name in _INTEGERS else None
        return Values(not_applied=listed)
    labelled = _LABELLED.match(text)
    if labelled and not _NOT_A_LABEL.search(labelled.group(1)) and not re.search(r"[,/|:：]", labelled.group(1)):
        inner = read_values(labelled.group(2), type_name, column)
        if inner.enum:
            return inner
    text = re.sub(r"^[^\W\d][\w ]{0,30}[:：]\s*", "", text, count=1)  # "Role: ", "One of: ", "支付方式："
    items = _items(text)
    if len(items) < 2:
        return Values()
    categorical = bool(column and _CATEGORICAL.search(column)) and type_name != "enum"
    slashed = not re.search(rf"(?i),|、|\s(?:{_OR})\s", text)
    values: list[str] = []
    null_listed = False
    for item in items:
        # several words make a value only between slashes or bars ("CCCD/Hộ chiếu"): after a comma they are
        # more often a clause ("Product category, used for filtering")
        m = _VALUE.match(item) or (_WORDS_VALUE.match(item) if categorical and slashed else None)
        if not m:
            return Values()
        value = m.group(1)
        if value.lower() == "null":
            null_listed = True
            continue
        values.append(value)
    # code-like values: all lower-case (snake_case), or all CAPITALS (enum constants: PENDING / PAID)
    if (
        type_name != "enum"
        and not categorical
        and not (
            all(_LOWER_IDENT.match(v) for v in values)
            or (all(_CAPS_IDENT.match(v) for v in values) and any(len(v) >= 5 or "_" in v for v in values))
        )
    ):  # short capitals only (CCCD/CMND, USA/UK) are acronyms, not a set of codes
        return Values()
    if len(values) < 2 or len(set(values)) != len(values):
        return Values()
    return Values(enum=tuple(values), null_listed=null_listed)


# "idem team1.", "same as above", "同上": the description refers to another column's, values included.
_SAME_AS = re.compile(
    r"(?i)^(?:idem|ditto|dito|same\s+as|the\s+same\s+as|igual\s+que|wie|comme|come|同上|同前|上に同じ|상동|như\s+trên)"
    r"(?:\s+(?:for\s+|pour\s+|para\s+)?`?([^\W\d]?\w*?)`?)?(?:\s+(?:above|ci-dessus|oben))?\s*[.。]?$"
)


def same_as(columns: tuple[ColumnFragment, ...], table: str, diagnostics: list[Diagnostic]):
    """Columns described as "idem team1" take the values of the column they point to: ``team2_src_type``
    from ``team1_src_type`` (the same name with ``team1`` for the differing part), or the one before."""
    out = list(columns)
    for i, col in enumerate(out):
        m = _SAME_AS.match(strip_markup(col.comment or "").strip())
        if m is None or col.enum is not None or i == 0:
            continue
        word = (m.group(1) or "").casefold()
        shape = re.sub(r"\d+", "#", col.name.casefold())
        source = next(
            (
                c
                for c in reversed(out[:i])
                if re.sub(r"\d+", "#", c.name.casefold()) == shape and (not word or word in c.name.casefold())
            ),
            None,
        )
        if source is None and not word:
            source = out[i - 1]
        if source is not None and source.enum:
            out[i] = replace(
                col, enum=source.enum, notes=(*col.notes, f"values as {source.name} (described as the same)")
            )
            diagnostics.append(
                info(
                    col.line,
                    f"{table}.{col.name}: values {', '.join(source.enum)} taken from {source.name} "
                    f"(its description {col.comment!r} says it is the same)",
                )
            )
    return tuple(out)
