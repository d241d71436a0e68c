"""Constraints stated in ordinary sentences, read into ``RuleFragment``s.

Teams write rules as sentences more often than as SQL:

* uniqueness: "each user appears once per organization", "task titles are
  unique within a project", "emails must be unique", "no two tasks in a
  project can have the same title";
* ranges and signs: "priority must be between 1 and 5", "the amount must be
  positive", "quantity must be at least 1";
* required fields: "the title is required", "email must not be empty",
  "every order must have a customer";
* value lists: "the status is draft, sent or paid", "role is one of owner,
  admin, member".

The reader keeps the words (``user``, ``task titles``); which columns they
mean is decided in ``schema.rules`` where every table is known. A sentence
that looks like a rule but fits none of these shapes is reported by
``looks_like_rule`` so the caller can say how to write it. Relationships
("each order belongs to one customer") are ``_statements``' business.

Each shape is one row of ``_SHAPES``: a pattern and the function that turns
its match into a rule, tried in order, so a new shape is a new row.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from ..fragments import RuleFragment
from ._vocabulary import roles


def unique_words() -> frozenset[str]:
    return roles()["unique"] - {"uk", "uq"}


_ARTICLES = {"the", "a", "an", "each", "every", "all", "any", "its", "their", "this", "that", "one", "his", "her"}
# Subjects that name no column: "each row is unique" says nothing a database can hold.
_GENERIC = {"row", "rows", "record", "records", "entry", "entries", "item", "items", "it", "they", "value", "values"}
_GENERIC |= {"data", "ones", "field", "fields", "column", "columns", "thing", "things", "everything", "something"}
_NUMBER = r"-?\d+(?:\.\d+)?"
_MODAL = r"(?:must|should|shall|has\s+to|have\s+to|needs?\s+to|is\s+required\s+to|are\s+required\s+to|will)"
_BE = rf"(?:(?:{_MODAL}\s+(?:always\s+)?be)|is|are|can\s+only\s+be|may\s+only\s+be)"
_SCOPE_WORD = r"(?:per|within|for\s+each|for\s+every|for\s+a|for\s+an|for\s+the|for|in|inside|across|by)"
_DET = r"(?:(?:each|every|a|an|the|any|its|their|one|the\s+same)\s+)?"

_SIGNS = {
    "positive": (">", "0"),
    "strictly positive": (">", "0"),
    "greater than zero": (">", "0"),
    "negative": ("<", "0"),
    "non-negative": (">=", "0"),
    "nonnegative": (">=", "0"),
    "non negative": (">=", "0"),
    "zero or positive": (">=", "0"),
    "zero or more": (">=", "0"),
    "non-positive": ("<=", "0"),
}
_COMPARE = [
    (
        r"greater\s+than\s+or\s+equal\s+to|at\s+least|no\s+less\s+than|not\s+less\s+than|>=|≥|min(?:imum)?(?:\s+of)?",
        ">=",
    ),
    (r"greater\s+than|more\s+than|above|over|>", ">"),
    (r"less\s+than\s+or\s+equal\s+to|at\s+most|no\s+more\s+than|not\s+more\s+than|<=|≤|max(?:imum)?(?:\s+of)?", "<="),
    (r"less\s+than|fewer\s+than|below|under|<", "<"),
]
_TOKEN = re.compile(r"^(?:`([^`]+)`|\"([^\"]+)\"|'([^']+)'|“([^”]+)”|([^\W\d][\w\-]*))$")

# Words that make a sentence look like a rule; when none of the shapes above fits it, the caller warns.
_RULE_WORDS = re.compile(
    r"(?i)\b(?:unique(?:ly)?|only\s+once|at\s+most\s+once|between\s+-?\d|must\s+be\s+(?:positive|negative|at\s+least|at\s+most|greater|less)"
    r"|(?:is|are)\s+(?:required|mandatory)|must\s+not\s+be\s+(?:null|empty)|cannot\s+be\s+(?:null|empty|negative)"
    r"|(?:is|are|must\s+be)\s+one\s+of|uno\s+de|una\s+de|um\s+de|uma\s+de|l['’]une?\s+de|einer\s+von"
    r"|eine\s+von|uno\s+tra|một\s+trong|salah\s+satu|jednym\s+z|одн[оиа]\s+из)\b"
)


# Compiled once: these run for every line, cell or item read (``re``'s own cache is a lookup per call).
_BULLET = re.compile(r"^(?:[-*+]|\d+[.)])\s+")
_RULE_LABEL = re.compile(r"(?i)^(?:note|rule|business\s+rule|constraint|validation|invariant)s?\s*:\s*")
_SPACES = re.compile(r"\s+")
_QUOTED_NAME = re.compile(r"`([^\W\d]\w*)`")
_COLUMN_LIST = re.compile(r"\(\s*(`?[^\W\d]\w*`?(?:\s*,\s*`?[^\W\d]\w*`?)+)\s*\)")
_IDENTIFIER = re.compile(r"[^\W\d]\w*")
_SENTENCE_END = re.compile(r"(?<!\be\.g)(?<!\bi\.e)(?<!\betc)[.!?;](?=\s|$)")


def _clean(sentence: str) -> str:
    text = sentence.replace("**", "").replace("__", "").strip()
    text = _BULLET.sub("", text)
    text = _RULE_LABEL.sub("", text)
    return _SPACES.sub(" ", text).strip().rstrip(".!;").strip()


def _words(phrase: str) -> tuple[str, ...] | None:
    """A subject phrase -> its words, articles dropped; ``task's title`` -> (task, title)."""
    phrase = re.sub(r"(?i)^(?:the\s+)?(?:value\s+of\s+|field\s+|column\s+)", "", phrase.strip())
    m = re.match(r"(?i)^(?P<col>.+?)\s+of\s+(?:the\s+|a\s+|an\s+|each\s+|every\s+)?(?P<owner>[\w`.]+)$", phrase)
    if m:
        phrase = f"{m.group('owner')} {m.group('col')}"
    phrase = re.sub(r"['’]s\b", "", phrase)
    out: list[str] = []
    for raw in phrase.split():
        if raw.startswith("`") and raw.endswith("`") and len(raw) > 2:
            out.append(raw[1:-1])
            continue
        word = raw.strip("`\"'()[],:").lower()
        if not word or word in _ARTICLES:
            continue
        if not re.fullmatch(r"[^\W\d][\w.]*", word):
            return None
        out.append(word)
    if not out or len(out) > 4 or out[-1] in _GENERIC:
        return None
    return tuple(out)


def _subjects(phrase: str) -> tuple[tuple[str, ...], ...] | None:
    """One or more subjects: ``the combination of user and organization``, ``(a, b)``, ``a and b``."""
    phrase = re.sub(r"(?i)^(?:the\s+)?(?:combination|pair|tuple)\s+of\s+", "", phrase.strip())
    phrase = re.sub(r"(?i)\s+together$", "", phrase).strip().strip("()")
    parts = [p for p in re.split(r"\s*(?:,|\band\b|\+|&)\s*", phrase) if p.strip()]
    found = tuple(_words(p) for p in parts)
    if not found or any(w is None for w in found):
        return None
    return found  # type: ignore[return-value]


def _values(text: str, marked: bool) -> tuple[str, ...] | None:
    """``draft, sent or paid`` -> values; None unless every item is a single (quoted) word."""
    text = re.sub(r"\s*\([^)]*\)\s*$", "", text.strip())
    items = [p.strip() for p in re.split(r"\s*(?:,|\|\s*|/|\bor\b|\band\b)\s*", text) if p.strip()]
    if len(items) < 2 or len(items) > 16:
        return None
    has_or = bool(re.search(r"\bor\b|\|", text))
    values = []
    for item in items:
        m = _TOKEN.match(item)
        if not m:
            return None
        quoted = next((g for g in m.groups()[:4] if g is not None), None)
        if quoted is None and not marked and not re.fullmatch(r"[a-z][a-z0-9_\-]*", m.group(5) or ""):
            return None  # "Admin or Member" without "one of": display words, not a closed set
        values.append(quoted if quoted is not None else m.group(5))
    if not (marked or has_or):
        return None
    return tuple(dict.fromkeys(values))


# What one shape of sentence says: a RuleFragment's kind, subjects and keyword fields.
_Said = tuple[str, tuple[tuple[str, ...], ...], dict[str, object]]


def _once(m: re.Match[str]) -> _Said | None:
    x, y = _words(m["x"]), _words(m["y"])
    return ("unique", (x, y), {}) if x and y else None


def _no_two(m: re.Match[str]) -> _Said | None:
    owner, col = _words(m["x"]), _words(m["col"])
    scope = _words(m["scope"]) if m["scope"] else ()
    return ("unique", (owner + col,), {"scope": scope}) if owner and col and scope is not None else None


def _unique_within(m: re.Match[str]) -> _Said | None:
    subjects = _subjects(m["subj"])
    scope = _words(m["scope"]) if m["scope"] else ()
    return ("unique", subjects, {"scope": scope}) if subjects and scope is not None else None


def _on_subject(
    kind: str, fields: Callable[[re.Match[str]], dict[str, object]]
) -> Callable[[re.Match[str]], _Said | None]:
    """The common shape: the ``subj`` group names one column, the rest of the match says the rule."""

    def said(m: re.Match[str]) -> _Said | None:
        subject = _words(m["subj"])
        return (kind, (subject,), fields(m)) if subject else None

    return said


def _required(m: re.Match[str]) -> _Said | None:
    subject = _words(m["subj"])
    owner = (m["owner"],) if m["owner"] else ()
    return ("not_null", (owner + subject,), {}) if subject else None


def _must_have(m: re.Match[str]) -> _Said | None:
    col = _words(m["col"])
    return ("not_null", ((m["owner"].lower(),) + col,), {}) if col else None


def _labelled(m: re.Match[str]) -> _Said | None:
    subject = _words(m["subj"] or m["subj2"])
    values = _values(m["vals"] or m["vals2"], marked=True)
    return ("enum", (subject,), {"values": values}) if subject and values else None


def _listed(m: re.Match[str]) -> _Said | None:
    subject = _words(m["subj"])
    values = _values(m["vals"], marked=bool(m["marker"]))
    return ("enum", (subject,), {"values": values}) if subject and values and len(subject) <= 3 else None


# "is / can be / must be" and "one of", and "or", in the languages documents are written in (English is above).
_BE_WORLD = (
    r"es|son|puede\s+ser|debe\s+ser|é|são|pode\s+ser|deve\s+ser|est|sont|peut\s+être|doit\s+être|ist|sind|kann"
    r"|muss|è|sono|può\s+essere|deve\s+essere|là|có\s+thể\s+là|phải\s+là|chỉ\s+có\s+thể\s+là|adalah"
    r"|dapat\s+berupa|bisa|harus|jest|może\s+być|musi\s+być|является|может\s+быть|должен\s+быть|[—–:]"
)
_ONE_OF_WORLD = (
    r"uno\s+de|una\s+de|um\s+de|uma\s+de|l['’]une?\s+de|une?\s+de|parmi|einer\s+von|eine\s+von|eines\s+von"
    r"|uno\s+tra|uno\s+di|una\s+tra|một\s+trong(?:\s+các)?(?:\s+giá\s+trị)?|salah\s+satu(?:\s+dari)?"
    r"|jednym\s+z|jedną\s+z|одн[оиа]\s+из"
)
_OR_WORLD = r"o|y|ou|et|oder|und|или|и|veya|ya\s+da|hoặc|và|atau|dan|lub|albo|i|e|oppure"


def _listed_world(m: re.Match[str]) -> _Said | None:
    """The same list said in another language: the column is the one quoted name before the verb."""
    names = re.findall(r"`([^`]+)`", m["subj"])
    if len(names) != 1:
        return None
    vals = re.sub(rf"(?i)\s+(?:{_OR_WORLD})\s+", " or ", m["vals"])
    values = _values(vals, marked=bool(m["marker"]))
    subject = tuple(w for w in names[0].split(".") if w)
    return ("enum", (subject,), {"values": values}) if subject and values else None


def _sign(word: str) -> dict[str, object]:
    op, bound = _SIGNS[re.sub(r"\s+", " ", word.lower())]
    return {"op": op, "bounds": (bound,)}


def _compare_op(word: str) -> str:
    return next(o for w, o in _COMPARE if re.fullmatch(w, word, re.I))


_RESOURCE = r"[`'\"](?P<res>[A-Za-z_][\w.\-]*)[`'\"]"
_COVERS = r"(?:also\s+)?(?:covers?|governs?|names?|appl(?:y|ies)\s+to|includes?|stands?\s+for)"


def _alias(m: re.Match[str]) -> _Said | None:
    """ "The `billing` resource covers invoices and payment_methods": tables a permission also names."""
    listed = m.groupdict().get("tables")
    if listed is None:
        return ("alias", ((m["res"],),), {"values": ("this",)})
    tables = []
    for part in re.split(r"\s*(?:,|\band\b|\bor\b|&)\s*", listed):
        name = re.sub(r"(?i)^(?:the\s+)|\s+tables?$", "", part.strip().strip("`'\"")).strip("`'\" ")
        if re.fullmatch(r"(?i)this(?:\s+table)?|it", name):
            name = "this"
        if not re.fullmatch(r"[\w.]+", name):
            return None
        tables.append(name)
    return ("alias", ((m["res"],),), {"values": tuple(tables)}) if tables else None


# Permission resources that name other tables, in words (read before the constraint shapes below).
_ALIASES = (
    (  # "The `billing` resource covers invoices and payment_methods", "`billing` permissions apply to this table"
        rf"^(?:the\s+)?{_RESOURCE}\s+(?:resource|permissions?)\s+{_COVERS}\s+(?:the\s+)?(?P<tables>.+?)"
        r"(?:\s+tables?)?$",
        _alias,
    ),
    (  # "Permissions on `finance` apply to this table", "A permission for `billing` covers invoices"
        rf"^(?:the\s+|a\s+|any\s+)?permissions?\s+(?:on|for|over)\s+(?:the\s+)?{_RESOURCE}"
        rf"(?:\s+resource)?\s+{_COVERS}\s+(?:the\s+)?(?P<tables>.+?)(?:\s+tables?)?$",
        _alias,
    ),
    (  # "This table is governed by the `finance` permissions", "Covered by the `billing` resource"
        rf"^(?:this\s+table\s+is\s+|it\s+is\s+)?(?:governed|covered)\s+by\s+(?:the\s+)?{_RESOURCE}"
        r"\s+(?:resource|permissions?)$",
        _alias,
    ),
)


# The shapes a rule sentence takes, tried in order (the first that reads the sentence wins); each
# pattern is matched case-insensitively against the whole cleaned sentence.
_SHAPES: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], _Said | None]], ...] = tuple(
    (re.compile(pattern, re.I), read)
    for pattern, read in (
        *_ALIASES,
        (  # "each user appears once per organization"
            r"^(?:each|every|a|an|any|one)\s+(?P<x>.+?)\s+(?:(?:can|may|must|should|will)\s+)?(?:only\s+)?"
            r"(?:appears?|occurs?|exists?|be\s+listed|is\s+listed|be\s+added|is\s+added|be\s+present|is\s+present"
            r"|be\s+recorded|is\s+recorded|be\s+stored|is\s+stored|be\s+assigned|is\s+assigned|be\s+registered"
            r"|is\s+registered|joins?|be\s+a\s+member|is\s+a\s+member|has\s+one\s+row|have\s+one\s+row)"
            rf"\s+(?:only\s+)?(?:at\s+most\s+)?once\s+(?:{_SCOPE_WORD}|to|into|on)\s+{_DET}(?P<y>.+)$",
            _once,
        ),
        (  # "no two tasks in a project can have the same title"
            rf"^no\s+two\s+(?P<x>\w+)(?:\s+(?:in|within|of|for)\s+{_DET}(?P<scope>\w+))?"
            r"\s+(?:can|may|should|must|will)\s+(?:have|share|use)\s+the\s+same\s+(?P<col>.+)$",
            _no_two,
        ),
        (  # "task titles are unique within a project"
            rf"^(?P<subj>.+?)\s+{_BE}\s+unique(?:ly)?(?:\s+{_SCOPE_WORD}\s+{_DET}(?P<scope>.+?))?$",
            _unique_within,
        ),
        (  # "priority must be between 1 and 5"
            rf"^(?P<subj>.+?)\s+(?:{_BE}|{_MODAL}\s+(?:lie|range)|ranges?|lies?|goes|go)\s+(?:from\s+|between\s+)"
            rf"(?P<a>{_NUMBER})\s+(?:and|to|-|–)\s+(?P<b>{_NUMBER})(?:\s*\(?inclusive\)?)?$",
            _on_subject("check", lambda m: {"op": "between", "bounds": (m["a"], m["b"])}),
        ),
        (  # "the amount must be positive"
            rf"^(?P<subj>.+?)\s+{_BE}\s+(?P<word>{'|'.join(re.escape(k) for k in _SIGNS)})$",
            _on_subject("check", lambda m: _sign(m["word"])),
        ),
        (  # "the balance cannot be negative"
            rf"^(?P<subj>.+?)\s+(?:cannot|can\s*not|can't|{_MODAL}\s+not|{_MODAL}\s+never|may\s+not)\s+be\s+negative$",
            _on_subject("check", lambda m: {"op": ">=", "bounds": ("0",)}),
        ),
        (  # "quantity must be at least 1"
            rf"^(?P<subj>.+?)\s+{_BE}\s+(?P<word>{'|'.join(f'(?:{w})' for w, _ in _COMPARE)})\s+(?P<n>{_NUMBER})$",
            _on_subject("check", lambda m: {"op": _compare_op(m["word"]), "bounds": (m["n"],)}),
        ),
        (  # "the title is required (for each task)"
            rf"^(?P<subj>.+?)\s+(?:is|are|{_MODAL}\s+be)\s+(?:required|mandatory|compulsory|obligatory)"
            rf"(?:\s+for\s+{_DET}(?P<owner>\w+))?$",
            _required,
        ),
        (  # "email must not be empty"
            rf"^(?P<subj>.+?)\s+(?:cannot|can\s*not|can't|may\s+not|{_MODAL}\s+not|{_MODAL}\s+never)\s+be\s+"
            r"(?:null|empty|blank|missing|left\s+empty|omitted)$",
            _on_subject("not_null", lambda m: {}),
        ),
        (  # "every order must have a customer"
            r"^(?:each|every|a|an|any)\s+(?P<owner>\w+)\s+(?:must|has\s+to|should|shall|needs?\s+to)\s+have\s+"
            r"(?:a|an|one|exactly\s+one|its)\s+(?P<col>[\w ]+)$",
            _must_have,
        ),
        (  # "allowed statuses: draft, sent, paid"
            r"^(?:(?:the\s+)?(?:allowed|possible|valid|permitted)\s+)(?P<subj>[\w` .]+?)(?:\s+values?|\s+are)?\s*:"
            r"\s*(?P<vals>.+)$|^(?P<subj2>[\w` .]+?)\s+(?:values|options)\s*:\s*(?P<vals2>.+)$",
            _labelled,
        ),
        (  # "the status is draft, sent or paid", "role is one of owner, admin, member"
            rf"^(?P<subj>.+?)\s+(?:{_BE}|can\s+be|may\s+be|takes?\s+(?:the\s+)?values?)\s+"
            r"(?P<marker>(?:one\s+of|either|any\s+of|only)\s*:?\s*)?(?P<vals>.+)$",
            _listed,
        ),
        (  # "El `channel` puede ser web, app o phone", "Der `level` ist einer von low, medium, high"
            rf"^(?P<subj>[^`]*`[^`]+`[^`]*?)\s+(?:{_BE_WORLD})\s+(?P<marker>(?:{_ONE_OF_WORLD})\s*:?\s*)?"
            r"(?P<vals>.+?)(?:\s+(?:sein|sind|ist|olabilir|olmalıdır))?$",
            _listed_world,
        ),
    )
)


def rules_in(sentence: str, line: int, table: str | None) -> list[RuleFragment]:
    """The rules one sentence states (usually none); see the module docstring."""
    text = _clean(sentence)
    if not text or len(text) > 240:
        return []
    for pattern, read in _SHAPES:
        if (m := pattern.match(text)) and (said := read(m)):
            kind, subjects, fields = said
            return [RuleFragment(kind, line, text, table, subjects, **fields)]  # type: ignore[arg-type]
    listed = _COLUMN_LIST.search(sentence)
    columns = [c.strip().strip("`") for c in listed.group(1).split(",")] if listed else []
    if len(columns) >= 2 and all(_IDENTIFIER.fullmatch(c) for c in columns) and _says_unique(text):
        # "`IX_Categories_Name_UserId` - unikalny indeks na (Name, UserId)": the listed columns, not the index's name
        return [RuleFragment("unique", line, text, table, tuple((c,) for c in columns))]
    named = _QUOTED_NAME.findall(sentence)
    if len(set(named)) == 1 and _says_unique(text):  # "`email` benzersiz olmalıdır", "`email` muss eindeutig sein"
        return [RuleFragment("unique", line, text, table, ((named[0],),))]
    return []


def _says_unique(text: str) -> bool:
    """Whether a sentence uses a word for "unique" in a language of headers.toml (inflected forms too)."""
    words = unique_words()
    if any(w in text for w in words if re.search(r"[\u3040-\u9fff\uac00-\ud7af]", w)):
        return True  # Chinese, Japanese and Korean write no spaces between words
    for token in re.findall(r"\w+", text.lower()):
        if token in words or any(len(w) >= 7 and token[:7] == w[:7] for w in words):
            return True
    return False


def looks_like_rule(sentence: str) -> bool:
    """Whether a sentence uses the words of a rule (so an unread one deserves a warning)."""
    text = _clean(sentence)
    first = next((w for w in text.lower().split() if w not in _ARTICLES), "")
    return bool(_RULE_WORDS.search(text)) and first not in _GENERIC


def sentences(text: str, first_line: int) -> list[tuple[str, int]]:
    """A paragraph cut into sentences, each with the line it starts on.

    A sentence ends at ``.``/``!``/``?``/``;`` followed by a space or the end
    of a line, or at a line that ends without such a mark when the next line
    starts a list item or a table row.
    """
    out: list[tuple[str, int]] = []
    current: list[str] = []
    start = first_line
    for offset, raw in enumerate(text.split("\n")):
        line = raw.strip()
        if not line:
            if current:
                out.append((" ".join(current), start))
                current = []
            continue
        if not current:
            start = first_line + offset
        pos = 0
        for m in _SENTENCE_END.finditer(line):
            piece = line[pos : m.end()].strip()
            if piece:
                current.append(piece)
                out.append((" ".join(current), start))
                current = []
            start = first_line + offset
            pos = m.end()
        rest = line[pos:].strip()
        if rest:
            if not current:
                start = first_line + offset
            current.append(rest)
    if current:
        out.append((" ".join(current), start))
    return out
