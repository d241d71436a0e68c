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

from ._vocabulary import announces_fields, normal, roles, words
from .fragments import Reference

IDENT = r"[^\W\d]\w*"
_IDENT_RE = re.compile(rf"^{IDENT}$")
_QUALIFIED_RE = re.compile(rf"^{IDENT}(?:\.{IDENT})?$")

# Headings that describe a part of a section rather than name a table (headers.toml, [words] generic).
GENERIC_HEADINGS = words("generic")

_ON_ACTIONS = r"(CASCADE|SET\s+NULL|SET\s+DEFAULT|RESTRICT|NO\s+ACTION)"
# "Table" as documents write it, in the languages of headers.toml ([words] table).
_TABLE_WORD = "(?:" + "|".join(re.escape(w) for w in sorted(words("table"), key=len, reverse=True)) + ")"


def strip_markup(text: str) -> str:
    """Remove emphasis and code marks Markdown puts around names: ``**`x`**`` -> ``x``."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)  # [label](link)
    text = re.sub(r"(?<!\w)__(\S(?:.*?\S)?)__(?!\w)", r"\1", text.replace("**", ""))  # __bold__, not __v
    return text.replace("`", "").strip()


def is_identifier(text: str) -> bool:
    return bool(_IDENT_RE.match(text))


def normalise_name(name: str) -> str:
    """ALL_CAPS names are a drawing convention, not a spelling: lower-case them; keep anything else."""
    if re.search(r"[A-Z]", name) and not re.search(r"[a-z]", name) and len(name) > 1:
        return name.lower()
    return name


def table_name(text: str) -> str | None:
    """The table a heading or lead names, or None.

    Handles ``1. USERS``, ```users` (Extended profile)``, ``Table: users``,
    ``users table``, ``📦 orders — customer orders``, and the table word in
    other languages before or after the name (``Bảng `users` ``, ``products
    Tablosu``, ``*Tabla Clientes*``), or a name in parentheses after a
    description (``1. User table (users)``). A heading of several words, or a
    generic one ("Overview", "Constraints"), names no table.

    >>> table_name("### 4. WORKSPACE_INVITATIONS"), table_name("`users` (Extended profile)")
    ('workspace_invitations', 'users')
    >>> table_name("Table: orderItems"), table_name("Relationship Summary"), table_name("1. User table (users)")
    ('orderItems', None, 'users')
    """
    text = text.lstrip("#").strip().replace("（", " (").replace("）", ")")  # full-width parentheses
    text = re.sub(r"^([*_])(?!\1)(.+?)\1(?=$|\s*[:(\-–—])", r"\2", text)  # *Tabla Clientes*, _users_
    quoted = re.findall(r"`([^`]+)`", text)
    if len(quoted) == 1 and re.search(rf"(?i)(?:^|[\s*]){_TABLE_WORD}(?:$|[\s*:])", text):
        inner = quoted[0].strip()
        if _QUALIFIED_RE.match(inner):
            return normalise_name(inner)  # "Bảng `users`", "**Table:** `users`", "The `users` table"
    named = re.search(r"\(\s*`?([^\W\d]\w*(?:\.[^\W\d]\w*)?)`?\s*\)\s*:?\s*$", text)
    if named and (len(text[: named.start()].split()) > 1 or re.search(rf"(?i){_TABLE_WORD}", text[: named.start()])):
        inner = named.group(1)
        if re.search(r"[_a-z]", inner) or "`" in text[named.start() :]:
            return normalise_name(inner)  # "1. User table (users)"
    marked_after_word = re.match(rf"(?i)^{_TABLE_WORD}\s+[`*]", text)
    # "Table: notes" and "`notes`" name a table even when the word is a generic heading.
    explicit = marked_after_word or re.match(rf"(?i)^\W*(?:\d+(?:\.\d+)*[.):]?\s+)?(?:{_TABLE_WORD}\s*[:\-–—]|`)", text)
    t = strip_markup(text)
    t = re.sub(r"^[^\w(]+", "", t)  # emoji and bullets
    t = re.sub(r"^(?:\d+(?:\.\d+)*[.):]?|[A-Za-z][.)])\s+", "", t)  # 1. / 2.3 / a)
    t = re.sub(r"\s*\([^)]*\)\s*$", "", t)  # trailing parenthetical
    t = re.sub(r"\s+(?:[-–—:]\s+).*$", "", t)  # "users — description"
    t = re.sub(rf"(?i)^{_TABLE_WORD}\s*[:\-–—]\s*", "", t)
    word_first = re.match(rf"(?i)^{_TABLE_WORD}\s+(\S+)$", t)
    if marked_after_word or (
        word_first and (not re.match(r"(?i)^table\s", t) or re.match(r"[a-z_]", word_first.group(1)))
    ):
        t = re.sub(rf"(?i)^{_TABLE_WORD}\s+", "", t)  # "Table `users`", "Tabla Clientes"; not "Table Descriptions"
    t = re.sub(rf"(?i)\s+{_TABLE_WORD}$", "", t)
    t = re.sub(r"[^\w)]+$", "", t.strip()).strip().strip("\"'")  # trailing emoji, colon
    if not _QUALIFIED_RE.match(t) or (t.lower() in GENERIC_HEADINGS and not explicit):
        return None
    return normalise_name(t)


def names_table_explicitly(heading: str) -> bool:
    """Whether a heading marks its name as a table's: backticks, or a table word (``Bảng``, ``Table:``)."""
    return table_name(heading) is not None and (
        "`" in heading or bool(re.search(rf"(?i)(?:^|[\s*:#.(（]){_TABLE_WORD}(?:$|[\s*:)）])", heading))
    )


def section_table(section: tuple[str, ...]) -> str | None:
    """The table a block's section is about: the nearest heading that names one.

    Generic headings ("Constraints", "Indexes") are looked through to the one
    above; any other heading that names no table ends the search, so a table
    under "## Table Descriptions" does not borrow the document's title.
    """
    for heading in reversed(section):
        name = table_name(heading)
        if name is not None:
            return name
        word = re.sub(r"[^\w ]", "", strip_markup(heading)).strip().lower()
        if word not in GENERIC_HEADINGS:
            return None
    return None


def block_table(lead: str, section: tuple[str, ...]) -> str | None:
    """The table a block describes: a short lead naming one (``**Table: users**``), else its section."""
    lead = lead.strip()
    if lead and "\n" not in lead and len(lead) < 80 and not announces_fields(strip_markup(lead).rstrip(":： ")):
        name = table_name(lead)
        if name is not None:
            return name
    return section_table(section)


def split_top(text: str, seps: str = ",") -> list[str]:
    """Split on separators outside parentheses and quotes."""
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
    m = re.search(rf"(?i)\bON\s+DELETE\s+{_ON_ACTIONS}", text) or re.search(
        rf"(?i)(?:^|[\s(,]){_ON_ACTIONS}(?:\s+(?:DELETE|ON\s+DELETE))?\s*(?:\)|$|,)", text
    )
    return re.sub(r"\s+", " ", m.group(1)).lower() if m else None


def parse_reference(target: str, line: int = 0) -> Reference | None:
    """``workspaces.id``, ``table(col)``, ```auth.users.id` (CASCADE)`` -> Reference, else None."""
    t = strip_markup(target).strip().strip("\"'")
    m = re.match(rf"^({IDENT}(?:\.{IDENT})*)\s*(?:\(\s*([\w\s,]+?)\s*\))?(.*)$", t)
    if not m:
        return None
    path, cols, rest = m.group(1), m.group(2), m.group(3)
    if cols is not None and re.fullmatch(
        rf"(?:ON\s+(?:DELETE|UPDATE)\s+)?{_ON_ACTIONS}(?:\s+DELETE)?", cols.strip(), re.I
    ):
        rest, cols = f"({cols}){rest}", None
    if rest.strip() and not re.fullmatch(
        rf"(?i)(?:\s*(?:\(\s*(?:ON\s+(?:DELETE|UPDATE)\s+)?{_ON_ACTIONS}(?:\s+DELETE)?\s*\)|ON\s+(?:DELETE|UPDATE)\s+{_ON_ACTIONS}|{_ON_ACTIONS}(?:\s+DELETE)?))+\s*",
        rest,
    ):
        return None
    on_delete = on_action(rest) if rest else None
    on_update = None
    um = re.search(rf"(?i)\bON\s+UPDATE\s+{_ON_ACTIONS}", rest or "")
    if um:
        on_update = re.sub(r"\s+", " ", um.group(1)).lower()
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
    r"\s*(?:to|on|from|auf|zu|a|vers|->|→|:)?\s*"
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
    p = strip_markup(raw) if not re.match(r"(?i)^default\b", raw) else raw
    low = re.sub(r"\s+", " ", p.lower())
    if not low:
        return True
    m = re.match(r"(?i)^(?:default\s*(?::|=|\s)|(?:standard(?:wert)?|por\s+defecto|par\s+défaut)\s*[:=])\s*(.+)$", raw)
    if m:
        out.default = _default_value(m.group(1))
        return True
    m = re.match(r"(?i)^(?:comment|note)\s*:\s*(.+)$", raw)
    if m:
        out.comment = m.group(1).strip().strip("'\"")
        return True
    m = re.match(r"(?i)^check\s*\((.*)\)$", p)
    if m:
        out.check = m.group(1).strip()
        return True
    # Foreign keys: "FK", "FK → t.c", "Foreign Key to `t.c`", "REFERENCES t(c)", "→ t.c (CASCADE)".
    fk = _FK_HEAD.match(p)
    arrow = _ARROW.search(p)
    if fk or (arrow and arrow.start() == 0):
        out.fk_marked = True
        rest = p[fk.end() :] if fk else p
        rest = re.sub(r"(?i)^(?:,?\s*(?:unique|uk|not null|nullable|null)\b\s*)+", _flags_into(out), rest)
        rest = _ARROW.sub("", rest, count=1).strip()
        if rest.startswith("(") and rest.endswith(")"):  # "FOREIGN KEY (t.c)", "foreign key: (references users)"
            rest = rest[1:-1].strip()
            rest = re.sub(r"(?i)^(?:references?|refs?|to|→|->)\s*:?\s*", "", rest)
        if rest:
            ref = parse_reference(rest, line)
            if ref is None:
                return False
            out.references = ref
        return True
    if arrow:  # "UNIQUE → t.c" after a split elsewhere
        head, tail = p[: arrow.start()].strip(), p[arrow.end() :].strip()
        return _phrase(head, out, line) and _phrase("FK " + tail, out, line)
    m = re.match(r"(?i)^on\s+update\b\s*(.*)$", p)
    if m:
        action = re.match(rf"(?i){_ON_ACTIONS}$", m.group(1).strip())
        if action and out.references is not None:
            out.references = replace(out.references, on_update=re.sub(r"\s+", " ", action.group(1)).lower())
        else:
            out.notes.append("on update")
        return True
    m = re.match(rf"(?i)^(?:on\s+delete\s+)?{_ON_ACTIONS}(?:\s+(?:delete|on\s+delete))?$", p)
    if m:
        action = re.sub(r"\s+", " ", m.group(1)).lower()
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
            setter = _FLAG_WORDS.get(re.sub(r"\s+", " ", piece.strip().lower()))
            if setter is not None:
                setter(out)
        return ""

    return apply


def _pieces(text: str) -> list[str]:
    """Split a constraints text into phrases on commas, semicolons and ' and ', keeping FK targets whole."""
    text = re.sub(r"(?i)\bPK\s*/\s*FK\b", "PK, FK", text)
    pieces: list[str] = []
    for chunk in split_top(text, ",;"):
        pieces.extend(split_top(chunk, "/") if re.fullmatch(r"[\w\s/]+", chunk) else [chunk])
    # "FK, UNIQUE → t.c (CASCADE)": the arrow's target belongs to the FK marker before it.
    out: list[str] = []
    i = 0
    while i < len(pieces):
        cur = pieces[i]
        if (
            re.fullmatch(r"(?i)fk|foreign key", strip_markup(cur))
            and i + 1 < len(pieces)
            and _ARROW.search(pieces[i + 1])
        ):
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
    out = Constraints()
    text = text.strip()
    if not text or text in {"-", "—", "–"}:
        return None if strict else out
    text = re.sub(
        r"(?i)\b(?:PK|FK|UK|UQ)\s*[-–—:]\s*(?=PRIMARY\s+KEY|FOREIGN\s+KEY|UNIQUE)", "", text
    )  # "PK - PRIMARY KEY"
    # "PRIMARY KEY NOT NULL" / "UUID PK DEFAULT x" written without commas: split before known keywords.
    spaced = re.sub(
        r"(?i)(?<=\S)\s+(?=(?:PRIMARY\s+KEY|NOT\s+NULL|UNIQUE|DEFAULT\b|REFERENCES|FOREIGN\s+KEY|CHECK\s*\(|ON\s+DELETE|ON\s+UPDATE|NULLABLE)\b)",
        ", ",
        text,
    )
    spaced = re.sub(r"(?i)\b(on delete|on update),\s*", r"\1 ", spaced)
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
