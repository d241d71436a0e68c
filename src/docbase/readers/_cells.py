"""Shared phrase readers for the generic notations (column tables, bullets, prose).

Column tables, bullet lists and sentences state the same things in the same
words: ``PRIMARY KEY``, ``Not Null``, ``FK → workspaces.id (CASCADE)``,
``Default: `true` ``. One implementation here keeps the three readers in
agreement, so a phrase means the same wherever a document writes it.

Two surprises worth knowing:

* ``table.col`` after an FK marker is read as table + column (the way design
  documents write it), so ``auth.users.id`` is table ``auth.users``, column ``id``.
* ``parse_constraints(strict=True)`` returns None unless *every* comma-separated
  part is a constraint phrase. Description cells use it, so "Unique identifier"
  is a description, while a description cell holding just "Primary key" counts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import lru_cache

from ..fragments import Reference
from ._headings import (  # noqa: F401  (re-exported: the readers import these from _cells)
    GENERIC_HEADINGS,
    IDENT,
    block_table,
    is_identifier,
    names_table_explicitly,
    normalise_name,
    section_table,
    strip_markup,
    table_name,
)
from ._vocabulary import normal, roles

_ON_ACTIONS = r"(CASCADE|SET\s+NULL|SET\s+DEFAULT|RESTRICT|NO\s+ACTION)"

# The phrase readers' patterns, compiled once (they run for every cell, bullet and sentence; the f-string
# ones were formatted and hashed again on each call before the ``re`` cache could answer).
_SPACES = re.compile(r"\s+")
_ON_DELETE = re.compile(rf"(?i)\bON\s+DELETE\s+{_ON_ACTIONS}")
_ACTION_ALONE = re.compile(rf"(?i)(?:^|[\s(,]){_ON_ACTIONS}(?:\s+(?:DELETE|ON\s+DELETE))?\s*(?:\)|$|,)")
_ON_UPDATE = re.compile(rf"(?i)\bON\s+UPDATE\s+{_ON_ACTIONS}")
_REFERENCE = re.compile(rf"^({IDENT}(?:\.{IDENT})*)\s*(?:\(\s*([\w\s,]+?)\s*\))?(.*)$")
_ACTION_IN_PARENS = re.compile(rf"(?:ON\s+(?:DELETE|UPDATE)\s+)?{_ON_ACTIONS}(?:\s+DELETE)?", re.I)
_ACTIONS_AFTER = re.compile(
    rf"(?i)(?:\s*(?:\(\s*(?:ON\s+(?:DELETE|UPDATE)\s+)?{_ON_ACTIONS}(?:\s+DELETE)?\s*\)|ON\s+(?:DELETE|UPDATE)\s+{_ON_ACTIONS}|{_ON_ACTIONS}(?:\s+DELETE)?))+\s*"
)
_DEFAULT_WORD = re.compile(r"(?i)^default\b")
_EMPHASISED = re.compile(r"^([*_])(?!\1)(\S(?:.*?\S)?)\1$")
_DEFAULT_PHRASE = re.compile(
    r"(?i)^(?:default\s*(?::|=|\s)|(?:standard(?:wert)?|por\s+defecto|par\s+défaut)\s*[:=])\s*(.+)$"
)
_COMMENT_PHRASE = re.compile(r"(?i)^(?:comment|note)\s*:\s*(.+)$")
_CHECK_PHRASE = re.compile(r"(?i)^check\s*\((.*)\)$")
_COMPARISON = re.compile(r"^(>=|<=|<>|!=|>|<|≥|≤)\s*(-?\d+(?:\.\d+)?)$")
_FLAGS_BEFORE_TARGET = re.compile(r"(?i)^(?:,?\s*(?:unique|uk|not null|nullable|null)\b\s*)+")
_REFERENCES_WORD = re.compile(r"(?i)^(?:references?|refs?|to|→|->)\s*:?\s*")
_ON_UPDATE_PHRASE = re.compile(r"(?i)^on\s+update\b\s*(.*)$")
_ACTION_ONLY = re.compile(rf"(?i){_ON_ACTIONS}$")
_ON_DELETE_PHRASE = re.compile(rf"(?i)^(?:on\s+delete\s+)?{_ON_ACTIONS}(?:\s+(?:delete|on\s+delete))?$")
_PK_SLASH_FK = re.compile(r"(?i)\bPK\s*/\s*FK\b")
_WORDS_AND_SLASHES = re.compile(r"[\w\s/]+")
_FK_WORD = re.compile(r"(?i)fk|foreign key")
_SHORT_THEN_LONG = re.compile(r"(?i)\b(?:PK|FK|UK|UQ)\s*[-–—:]\s*(?=PRIMARY\s+KEY|FOREIGN\s+KEY|UNIQUE)")
_UNDERSCORED_KEYWORD = re.compile(r"(?i)\b(primary|foreign|not)_(key|null)\b")
_DEFAULT_CALL = re.compile(r"(?i)\bdefault\s*\(([^()]*)\)")
_BEFORE_KEYWORD = re.compile(
    r"(?i)(?<=\S)\s+(?=(?:PRIMARY\s+KEY|NOT\s+NULL|UNIQUE|DEFAULT\b|REFERENCES|FOREIGN\s+KEY|CHECK\s*\(|ON\s+DELETE|ON\s+UPDATE|NULLABLE)\b)"
)
_ACTION_COMMA = re.compile(r"(?i)\b(on delete|on update),\s*")


_NESTING = re.compile(r"[\'\"`()\[\]{}]")


def split_top(text: str, seps: str = ",") -> list[str]:
    """Split on separators outside parentheses and quotes."""
    if not any(sep in text for sep in seps):  # nothing to split: most cells and phrases
        text = text.strip()
        return [text] if text else []
    if not _NESTING.search(text):  # no quotes or brackets: every separator is at the top
        for sep in seps[1:]:
            text = text.replace(sep, seps[0])
        return [p for p in (part.strip() for part in text.split(seps[0])) if p]
    parts, depth, quote, cur = [], 0, "", []
    for ch in text:
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "'\"`":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth = max(0, depth - 1)
        elif ch in seps and depth == 0:
            parts.append("".join(cur).strip())
            cur = []
            continue
        cur.append(ch)
    parts.append("".join(cur).strip())
    return [p for p in parts if p]


def on_action(text: str) -> str | None:
    """``CASCADE`` / ``ON DELETE SET NULL`` / ``CASCADE DELETE`` -> 'cascade' / 'set null'."""
    m = _ON_DELETE.search(text) or _ACTION_ALONE.search(text)
    return _SPACES.sub(" ", m.group(1)).lower() if m else None


def parse_reference(target: str, line: int = 0) -> Reference | None:
    """``workspaces.id``, ``table(col)``, ```auth.users.id` (CASCADE)`` -> Reference, else None."""
    t = strip_markup(target).strip().strip("\"'")
    m = _REFERENCE.match(t)
    if not m:
        return None
    path, cols, rest = m.group(1), m.group(2), m.group(3)
    if cols is not None and _ACTION_IN_PARENS.fullmatch(cols.strip()):
        rest, cols = f"({cols}){rest}", None
    if rest.strip() and not _ACTIONS_AFTER.fullmatch(rest):
        return None
    on_delete = on_action(rest) if rest else None
    on_update = None
    um = _ON_UPDATE.search(rest or "")
    if um:
        on_update = _SPACES.sub(" ", um.group(1)).lower()
    if cols is not None and all(is_identifier(c.strip()) for c in cols.split(",")):
        return Reference(path, tuple(c.strip() for c in cols.split(",")), on_delete, on_update, line=line)
    parts = path.split(".")
    if len(parts) >= 2:
        return Reference(".".join(parts[:-1]), (parts[-1],), on_delete, on_update, line=line)
    return Reference(path, (), on_delete, on_update, line=line)


@dataclass
class Constraints:
    """What a constraints cell, a bullet's tail or a Key column says about one column."""

    primary_key: bool = False
    nullable: bool | None = None
    unique: bool = False
    default: str | None = None
    references: Reference | None = None
    fk_marked: bool = False
    check: str | None = None
    comment: str | None = None
    indexed: bool = False
    notes: list[str] = field(default_factory=list)
    examples: tuple[str, ...] | None = None

    def update(self, other: Constraints) -> None:
        """Fold another reading of the same column in; stated facts win over silence."""
        self.primary_key |= other.primary_key
        self.unique |= other.unique
        self.fk_marked |= other.fk_marked
        self.indexed |= other.indexed
        if other.nullable is not None:
            self.nullable = other.nullable
        for name in ("default", "references", "check", "comment", "examples"):
            if getattr(other, name) is not None and getattr(self, name) is None:
                setattr(self, name, getattr(other, name))
        self.notes.extend(n for n in other.notes if n not in self.notes)


_FK_HEAD = re.compile(
    r"(?i)^(?:FK|foreign\s+key|references?|refs?|ref\.?|links?\s+to|points?\s+to"
    r"|fremdschlüssel|clave\s+(?:foránea|foranea|externa)|clé\s+étrangère|referencia)\b"
    r"\s*(?:to|on|from|auf|zu|a|vers|ke|kepada|đến|do|->|→|:)?\s*"
)
_ARROW = re.compile(r"(?:→|->|⟶|=>)\s*")


def _default_value(text: str) -> str:
    v = text.strip().rstrip(".").strip()
    if len(v) >= 2 and v[0] == "`" and v[-1] == "`":
        v = v[1:-1].strip()
    return v


def _phrase(part: str, out: Constraints, line: int) -> bool:
    """Read one comma-separated phrase into ``out``; False when it is not a constraint phrase."""
    raw = part.strip().rstrip(".").strip()
    p = strip_markup(raw) if not _DEFAULT_WORD.match(raw) else raw
    p = _EMPHASISED.sub(r"\2", p)  # "*nullable*": emphasis, not part of the word
    low = _SPACES.sub(" ", p.lower())
    if not low:
        return True
    m = _DEFAULT_PHRASE.match(raw)
    if m:
        out.default = _default_value(m.group(1))
        return True
    m = _COMMENT_PHRASE.match(raw)
    if m:
        out.comment = m.group(1).strip().strip("'\"")
        return True
    m = _CHECK_PHRASE.match(p)
    if m:
        out.check = m.group(1).strip()
        return True
    m = _COMPARISON.match(p)
    if m:  # "> 0" in a constraints cell: a check on this column (``column_check`` names it)
        out.check = f"{ {'≥': '>=', '≤': '<='}.get(m.group(1), m.group(1)) } {m.group(2)}"
        return True
    m = _RAILS_OPTION.match(low)
    if m:  # Rails migration options as README tables write them: "null: false", "foreign_key: true"
        _rails_option(m.group(1), m.group(2) == "true", out)
        return True
    # Foreign keys: "FK", "FK → t.c", "Foreign Key to `t.c`", "REFERENCES t(c)", "→ t.c (CASCADE)".
    fk = _FK_HEAD.match(p)
    arrow = _ARROW.search(p)
    if fk or (arrow and arrow.start() == 0):
        out.fk_marked = True
        rest = p[fk.end() :] if fk else p
        rest = _FLAGS_BEFORE_TARGET.sub(_flags_into(out), rest)
        rest = _ARROW.sub("", rest, count=1).strip()
        if rest.startswith("(") and rest.endswith(")"):  # "FOREIGN KEY (t.c)", "foreign key: (references users)"
            rest = rest[1:-1].strip()
            rest = _REFERENCES_WORD.sub("", rest)
        if rest:
            ref = parse_reference(rest, line)
            if ref is None:
                return False
            out.references = ref
        return True
    if arrow:  # "UNIQUE → t.c" after a split elsewhere
        head, tail = p[: arrow.start()].strip(), p[arrow.end() :].strip()
        return _phrase(head, out, line) and _phrase("FK " + tail, out, line)
    m = _ON_UPDATE_PHRASE.match(p)
    if m:
        action = _ACTION_ONLY.match(m.group(1).strip())
        if action and out.references is not None:
            out.references = replace(out.references, on_update=_SPACES.sub(" ", action.group(1)).lower())
        else:
            out.notes.append("on update")
        return True
    m = _ON_DELETE_PHRASE.match(p)
    if m:
        action = _SPACES.sub(" ", m.group(1)).lower()
        if out.references is not None:
            out.references = replace(out.references, on_delete=action)
        else:
            out.notes.append(f"on delete {action}")
        return True
    setter = _FLAG_WORDS.get(low) or _vocabulary_flag(low)
    if setter is not None:
        setter(out)
        return True
    return False


_RAILS_OPTION = re.compile(r"^(null|unique|fore?i?g[ei]?n[_ ]key|primary[_ ]key|index)\s*:\s*(true|false)$")


def _rails_option(option: str, value: bool, out: Constraints) -> None:
    if option == "null":
        out.nullable = value
    elif option == "unique":
        out.unique = value
    elif option.startswith("primary") and value:
        _pk(out)
    elif option == "index":
        out.indexed = value
    else:  # foreign_key, and its common misspellings (foregin_key)
        out.fk_marked = value


def _vocabulary_flag(low: str):
    """The flag a phrase names in another language (headers.toml roles: 主键, khóa chính, обязательное)."""
    word = normal(low)
    for role, setter in (
        ("pk_flag", _pk),
        ("unique", _set(unique=True)),
        ("required", _set(nullable=False)),
        ("nullable", _set(nullable=True)),
    ):
        if word in roles()[role]:
            return setter
    if word in roles()["fk_flag"] and len(word) > 1:
        return _set(fk_marked=True)
    return None


def column_check(name: str, check: str | None) -> str | None:
    """A check as a cell wrote it (``> 0``) made whole with the column's name (``"price" > 0``)."""
    if check is None or not re.match(r"^(?:>=|<=|<>|!=|>|<)\s", check):
        return check
    quoted = name if re.fullmatch(r"[a-z_][a-z0-9_]*", name) else '"' + name.replace('"', '""') + '"'
    return f"{quoted} {check}"


def _set(**kw: object):
    def apply(out: Constraints) -> None:
        for k, v in kw.items():
            if k == "note":
                out.notes.append(str(v))
            else:
                setattr(out, k, v)

    return apply


def _pk(out: Constraints) -> None:
    out.primary_key = True
    out.nullable = False


_FLAG_WORDS = {
    "primary key": _pk,
    "pk": _pk,
    "primary": _pk,
    "pri": _pk,
    "🔑": _pk,
    "not null": _set(nullable=False),
    "non-null": _set(nullable=False),
    "non null": _set(nullable=False),
    "notnull": _set(nullable=False),
    "required": _set(nullable=False),
    "nn": _set(nullable=False),
    "nullable": _set(nullable=True),
    "null": _set(nullable=True),
    "optional": _set(nullable=True),
    "unique": _set(unique=True),
    "uk": _set(unique=True),
    "uq": _set(unique=True),
    "uni": _set(unique=True),
    "unique key": _set(unique=True),
    "index": _set(indexed=True),
    "indexed": _set(indexed=True),
    "idx": _set(indexed=True),
    "mul": _set(indexed=True),
    "fk": _set(fk_marked=True),
    "foreign key": _set(fk_marked=True),
    # German, Spanish and French spellings of the same flags
    "primärschlüssel": _pk,
    "clave primaria": _pk,
    "clé primaire": _pk,
    "nicht null": _set(nullable=False),
    "pflichtfeld": _set(nullable=False),
    "erforderlich": _set(nullable=False),
    "no nulo": _set(nullable=False),
    "obligatorio": _set(nullable=False),
    "non nul": _set(nullable=False),
    "obligatoire": _set(nullable=False),
    "eindeutig": _set(unique=True),
    "único": _set(unique=True),
    "unico": _set(unique=True),
    "fremdschlüssel": _set(fk_marked=True),
    "clave foránea": _set(fk_marked=True),
    "auto increment": _set(note="auto increment"),
    "auto_increment": _set(note="auto increment"),
    "autoincrement": _set(note="auto increment"),
    "auto-increment": _set(note="auto increment"),
    "identity": _set(note="auto increment"),
    "generated always as identity": _set(note="auto increment"),
}


def _flags_into(out: Constraints):
    """re.sub callback: flags written between FK and its arrow (``FK, UNIQUE → t.c``)."""

    def apply(m: re.Match[str]) -> str:
        for piece in split_top(m.group(0)):
            setter = _FLAG_WORDS.get(_SPACES.sub(" ", piece.strip().lower()))
            if setter is not None:
                setter(out)
        return ""

    return apply


def _pieces(text: str) -> list[str]:
    """Split a constraints text into phrases on commas, semicolons and ' and ', keeping FK targets whole."""
    text = _PK_SLASH_FK.sub("PK, FK", text)
    pieces: list[str] = []
    for chunk in split_top(text, ",;"):
        pieces.extend(split_top(chunk, "/") if _WORDS_AND_SLASHES.fullmatch(chunk) else [chunk])
    # "FK, UNIQUE → t.c (CASCADE)": the arrow's target belongs to the FK marker before it.
    out: list[str] = []
    i = 0
    while i < len(pieces):
        cur = pieces[i]
        if _FK_WORD.fullmatch(strip_markup(cur)) and i + 1 < len(pieces) and _ARROW.search(pieces[i + 1]):
            cur = cur + ", " + pieces[i + 1]
            i += 1
        out.append(cur)
        i += 1
    return out


def parse_constraints(text: str, line: int = 0, strict: bool = False) -> Constraints | None:
    """Read a constraints text (``UNIQUE, NOT NULL``, ``FK → t.id (CASCADE)``, ``DEFAULT NOW()``).

    Unrecognised phrases are kept as notes; with ``strict`` they make the
    whole text "not a constraints text" (None).

    >>> c = parse_constraints("FK, UNIQUE → workspaces.id (CASCADE)")
    >>> c.unique, c.references.table, c.references.columns, c.references.on_delete
    (True, 'workspaces', ('id',), 'cascade')
    """
    found = _parse_constraints(text, strict)
    if found is None:
        return None
    out = replace(found, notes=list(found.notes))  # callers fold more in: each gets its own copy
    if out.references is not None:
        out.references = replace(out.references, line=line)
    return out


@lru_cache(maxsize=1 << 14)  # the same few constraint texts recur all through a document; copied per call above
def _parse_constraints(text: str, strict: bool) -> Constraints | None:
    line = 0
    out = Constraints()
    text = text.strip()
    if not text or text in {"-", "—", "–"}:
        return None if strict else out
    text = _SHORT_THEN_LONG.sub("", text)  # "PK - PRIMARY KEY"
    text = _UNDERSCORED_KEYWORD.sub(r"\1 \2", text)  # "PRIMARY_KEY", "NOT_NULL"
    text = _DEFAULT_CALL.sub(r"DEFAULT \1", text)  # "DEFAULT(0)"
    # "PRIMARY KEY NOT NULL" / "UUID PK DEFAULT x" written without commas: split before known keywords.
    spaced = _BEFORE_KEYWORD.sub(", ", text)
    spaced = _ACTION_COMMA.sub(r"\1 ", spaced)
    recognised = 0
    for piece in _pieces(spaced):
        if _phrase(piece, out, line):
            recognised += 1
        elif strict:
            return None
        else:
            out.notes.append(piece)
    if strict and not recognised:
        return None
    return out
