"""PostgreSQL's full-text search on SQLite: ``to_tsvector``, the four ``*to_tsquery`` and ``@@``, in Python.

SQLite has no text search configurations, so docbase registers one function,
``docbase_ts_match(document, kind, op, config, query)``, that does what PostgreSQL does for
the ``simple`` and ``english`` configurations: the same stop words (PostgreSQL's
``english.stop``), the same stemmer (Snowball's English, which PostgreSQL's ``english_stem``
runs), positions counted the same way (stop words take a position, so phrases keep their
gaps), ``!``, ``&``, ``|``, ``<->``/``<N>``, ``:*`` prefixes and ``:ABCD`` weights. A
tsvector column (kept as PostgreSQL's text form, docbase.api.sql.pg_tsvector) is read as it
is; as on PostgreSQL, a phrase never matches lexemes stored without positions.

Where it differs from PostgreSQL: the word parser splits on anything but letters and digits
and joins hyphenated words (``fat-cat`` gives ``fat-cat``, ``fat``, ``cat``, as PostgreSQL);
it has no e-mail, URL, host, file-path or XML-tag tokens (their parts become words). Without
``(language)`` the configuration is ``english`` (PostgreSQL's ``default_text_search_config``
as its Docker image sets it). The other languages answer PGRST127 on SQLite; an unknown name
is PostgreSQL's 42704.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import orjson

from ..errors import ApiError, postgresql_only_feature
from .pg_tsvector import Malformed, lexemes

SQLITE_CONFIGS = frozenset({"simple", "english"})
DEFAULT_CONFIG = "english"
#: PostgreSQL's built-in configurations (pg_ts_config): a name outside these is 42704 on both databases.
PG_CONFIGS = frozenset(
    "simple arabic armenian basque catalan danish dutch english finnish french german greek hindi hungarian "
    "indonesian irish italian lithuanian nepali norwegian portuguese romanian russian serbian spanish swedish "
    "tamil turkish yiddish".split()
)
#: PostgreSQL's tsearch_data/english.stop.
ENGLISH_STOP = frozenset(
    "i me my myself we our ours ourselves you your yours yourself yourselves he him his himself she her hers "
    "herself it its itself they them their theirs themselves what which who whom this that these those am is "
    "are was were be been being have has had having do does did doing a an the and but if or because as until "
    "while of at by for with about against between into through during before after above below to from up "
    "down in out on off over under again further then once here there when where why how all any both each few "
    "more most other some such no nor not only own same so than too very s t can will just don should now".split()
)
_WORD = re.compile(r"[^\W_]+(?:-[^\W_]+)*")


def config_of(language: str | None) -> str:
    """The configuration a filter names, checked: PostgreSQL's 42704 for an unknown one, PGRST127 for a
    PostgreSQL configuration SQLite lacks."""
    name = (language or DEFAULT_CONFIG).lower().removeprefix("pg_catalog.")
    if name not in PG_CONFIGS:
        raise ApiError(400, "42704", f'text search configuration "{language}" does not exist')
    if name not in SQLITE_CONFIGS:
        raise postgresql_only_feature(
            f"Full-text search in {name}", "SQLite searches with the simple and english configurations only"
        )
    return name


@lru_cache(maxsize=1)
def _stemmer():  # type: ignore[no-untyped-def]
    import snowballstemmer

    return snowballstemmer.stemmer("english")


def _normalize(word: str, config: str) -> str | None:
    """One token as its configuration's dictionary gives it: lower case, None for a stop word, stemmed in
    english (letters only: PostgreSQL hands words with digits to the simple dictionary)."""
    word = word.lower()
    if config == "simple":
        return word
    if word in ENGLISH_STOP:
        return None
    if word.isalpha():
        return _stemmer().stemWord(word)
    return word


def _tokens(text: str) -> list[str]:
    """The parser's words in order; a hyphenated word is itself, then its parts (each a position)."""
    out: list[str] = []
    for m in _WORD.finditer(text):
        word = m.group()
        out.append(word)
        if "-" in word:
            out.extend(word.split("-"))
    return out


Vector = dict[str, list[tuple[int, str]]]  # lexeme -> [(position, weight)]; [] when the vector has none


def to_tsvector(config: str, text: str, start: int = 0) -> tuple[Vector, int]:
    """``to_tsvector(config, text)`` and the last position used."""
    vector: Vector = {}
    position = start
    for token in _tokens(text):
        position += 1
        lexeme = _normalize(token, config)
        if lexeme is not None:
            vector.setdefault(lexeme, []).append((position, "D"))
    return vector, position


def _json_strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _json_strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _json_strings(v)]
    return []


def document(text: str, kind: str, config: str) -> Vector:
    if kind == "tsvector":
        return {word: positions for word, positions in lexemes(text)}
    if kind == "json":
        try:
            strings = _json_strings(orjson.loads(text))
        except orjson.JSONDecodeError:
            strings = [text]
        vector: Vector = {}
        position = 0
        for s in strings:  # PostgreSQL leaves a gap between values: no phrase spans two of them
            found, position = to_tsvector(config, s, position)
            position += 1
            for word, positions in found.items():
                vector.setdefault(word, []).extend(positions)
        return vector
    return to_tsvector(config, text)[0]


# ---------------------------------------------------------------------------------------------- queries


@dataclass(frozen=True)
class Lex:
    word: str
    prefix: bool = False
    weights: str = ""


@dataclass(frozen=True)
class Op:
    kind: str  # "&", "|", "!", "<->"
    left: object
    right: object = None
    distance: int = 1


def _phrase(words: list[tuple[str, int]]) -> object | None:
    """Lexemes with their gaps (``[(w, 1), (x, 2)]``) as ``w <2> x``; None when none is left."""
    tree: object | None = None
    gap = 0
    for word, step in words:
        gap += step
        if tree is None:
            tree, gap = Lex(word), 0
        else:
            tree, gap = Op("<->", tree, Lex(word), gap), 0
    return tree


def _operand(config: str, text: str, prefix: bool = False, weights: str = "") -> object | None:
    """An operand's text through the configuration: several words make a phrase, stop words vanish."""
    words: list[tuple[str, int]] = []
    step = 0
    for token in _tokens(text):
        step += 1
        lexeme = _normalize(token, config)
        if lexeme is not None:
            words.append((lexeme, step))
            step = 0
    if len(words) == 1:
        return Lex(words[0][0], prefix, weights)
    return _phrase(words)


def _combine(kind: str, left: object | None, right: object | None, distance: int = 1) -> object | None:
    """``left kind right`` with a vanished (stop word) side dropped, as PostgreSQL's cleanup does."""
    if left is None:
        return right
    if right is None:
        return left
    return Op(kind, left, right, distance)


class _ToTsquery:
    """``to_tsquery``'s grammar: ``!`` binds tightest, then ``<->``/``<N>``, ``&``, ``|``; parentheses."""

    TOKEN = re.compile(
        r"\s*(?:(?P<op>[&|!()])|(?P<phrase><(?:-|\d+)>)|(?P<word>'(?:[^']|'')*'|[^\s&|!()<:']+)(?P<suffix>:[*ABCDabcd]+)?)"
    )

    def __init__(self, config: str, text: str) -> None:
        self.config, self.text = config, text
        self.tokens: list[tuple[str, str, str]] = []
        i = 0
        while i < len(text):
            m = self.TOKEN.match(text, i)
            if m is None or m.end() == i:
                if text[i:].strip() == "":
                    break
                raise self.error()
            if m.group("op"):
                self.tokens.append(("op", m.group("op"), ""))
            elif m.group("phrase"):
                self.tokens.append(("phrase", m.group("phrase"), ""))
            elif m.group("word"):
                self.tokens.append(("word", m.group("word"), m.group("suffix") or ""))
            i = m.end()
        self.i = 0

    def error(self) -> ApiError:
        return ApiError(400, "42601", f'syntax error in tsquery: "{self.text}"')

    def peek(self) -> tuple[str, str, str] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def parse(self) -> object | None:
        if not self.tokens:
            raise self.error()
        tree = self.or_()
        if self.peek() is not None:
            raise self.error()
        return tree

    def or_(self) -> object | None:
        tree = self.and_()
        while self.peek() == ("op", "|", ""):
            self.i += 1
            tree = _combine("|", tree, self.and_())
        return tree

    def and_(self) -> object | None:
        tree = self.phrase()
        while self.peek() == ("op", "&", ""):
            self.i += 1
            tree = _combine("&", tree, self.phrase())
        return tree

    def phrase(self) -> object | None:
        tree = self.unary()
        while (t := self.peek()) is not None and t[0] == "phrase":
            self.i += 1
            distance = 1 if t[1] == "<->" else int(t[1][1:-1])
            tree = _combine("<->", tree, self.unary(), distance)
        return tree

    def unary(self) -> object | None:
        t = self.peek()
        if t is None:
            raise self.error()
        self.i += 1
        if t == ("op", "!", ""):
            inner = self.unary()
            return None if inner is None else Op("!", inner)
        if t == ("op", "(", ""):
            tree = self.or_()
            if self.peek() != ("op", ")", ""):
                raise self.error()
            self.i += 1
            return tree
        if t[0] != "word":
            raise self.error()
        word = t[1][1:-1].replace("''", "'") if t[1].startswith("'") else t[1]
        suffix = t[2][1:].upper()
        return _operand(self.config, word, "*" in suffix, suffix.replace("*", ""))


def _plain(config: str, text: str, phrase: bool) -> object | None:
    words: list[tuple[str, int]] = []
    step = 0
    for token in _tokens(text):
        step += 1
        lexeme = _normalize(token, config)
        if lexeme is not None:
            words.append((lexeme, step))
            step = 0
    if phrase:
        return _phrase(words)
    tree: object | None = None
    for word, _ in words:
        tree = _combine("&", tree, Lex(word))
    return tree


_WEB = re.compile(r'"(?P<quoted>[^"]*)"?|(?P<minus>-)?(?P<word>[^\s"]+)')


def _websearch(config: str, text: str) -> object | None:
    """websearch_to_tsquery: words are ANDed, ``"a b"`` a phrase, ``-word`` a NOT, and ``or`` (binding
    loosest, as PostgreSQL: ``a or b c`` is ``a | (b & c)``) an OR."""
    groups: list[object | None] = [None]
    for m in _WEB.finditer(text):
        if m.group("quoted") is not None:
            part = _plain(config, m.group("quoted"), phrase=True)
        elif m.group("word").lower() == "or" and not m.group("minus"):
            if groups[-1] is not None:
                groups.append(None)
            continue
        else:
            part = _plain(config, m.group("word"), phrase=True)
            if part is not None and m.group("minus"):
                part = Op("!", part)
        groups[-1] = _combine("&", groups[-1], part)
    tree: object | None = None
    for group in groups:
        tree = _combine("|", tree, group)
    return tree


@lru_cache(maxsize=256)
def parse_query(op: str, config: str, text: str) -> object | None:
    """The tsquery ``op`` (fts, plfts, phfts, wfts) makes of ``text``; None when only stop words are left."""
    if op == "fts":
        return _ToTsquery(config, text).parse()
    if op == "plfts":
        return _plain(config, text, phrase=False)
    if op == "phfts":
        return _plain(config, text, phrase=True)
    return _websearch(config, text)


# ---------------------------------------------------------------------------------------------- matching

_LOSSY = None  # a match whose positions are unknown (a vector without them): no phrase can hold it


@dataclass(frozen=True)
class Neg:
    """``!x``: a match at every position but ``excluded``; ``alone`` says whether it matches on its own
    (``x`` absent), which is what ``!x`` means outside a phrase."""

    excluded: frozenset[int]
    alone: bool


def _positions(vector: Vector, lex: Lex) -> frozenset[int] | None | bool:
    found: list[tuple[int, str]] = []
    present = False
    for word, positions in vector.items() if lex.prefix else [(lex.word, vector.get(lex.word))]:
        if positions is None or (lex.prefix and not word.startswith(lex.word)):
            continue
        if not positions:
            present = True
            continue
        found.extend(p for p in positions if not lex.weights or p[1] in lex.weights)
    if found:
        return frozenset(p for p, _ in found)
    return _LOSSY if present else False


def _holds(result: object) -> bool:
    return result is not False and (not isinstance(result, Neg) or result.alone)


def _eval(vector: Vector, node: object) -> object:
    """False: no match; a set: the match's (end) positions; None: a match whose positions are unknown;
    a Neg: a negation, which a phrase reads position by position (PostgreSQL's TS_phrase_execute)."""
    if isinstance(node, Lex):
        return _positions(vector, node)
    assert isinstance(node, Op)
    left = _eval(vector, node.left)
    if node.kind == "!":
        if isinstance(left, Neg):
            return frozenset(left.excluded) if left.excluded else (_LOSSY if not left.alone else False)
        if left is False:
            return Neg(frozenset(), True)
        return Neg(left if isinstance(left, frozenset) else frozenset(), False) if left is not None else False
    right = _eval(vector, node.right)
    if node.kind in ("&", "|"):
        if node.kind == "&" and not (_holds(left) and _holds(right)):
            return False
        held = [r for r in (left, right) if _holds(r)]
        if not held:
            return False
        if any(r is None for r in held):
            return _LOSSY
        sets = [r for r in held if isinstance(r, frozenset)]
        if sets:
            return frozenset().union(*sets)
        negs = [r for r in held if isinstance(r, Neg)]
        return Neg(frozenset.intersection(*(n.excluded for n in negs)), True)
    if left is False or right is False or left is None or right is None:
        return False
    d = node.distance
    if isinstance(left, frozenset) and isinstance(right, frozenset):
        ends = frozenset(p for p in right if p - d in left)
    elif isinstance(left, Neg) and isinstance(right, frozenset):
        ends = frozenset(p for p in right if p - d not in left.excluded)
    elif isinstance(left, frozenset) and isinstance(right, Neg):
        ends = frozenset(p + d for p in left if p + d not in right.excluded)
    else:
        return False
    return ends or False


def matches(text: str | None, kind: str, op: str, config: str, query: str) -> int | None:
    """``docbase_ts_match``: 1 when the document matches, 0 when not, NULL for a NULL document."""
    if text is None:
        return None
    tree = parse_query(op, config, query)
    if tree is None:  # only stop words: PostgreSQL's empty tsquery matches nothing
        return 0
    try:
        vector = document(text, kind, config)
    except Malformed:
        return 0
    return 1 if _holds(_eval(vector, tree)) else 0


__all__ = ["DEFAULT_CONFIG", "config_of", "matches", "parse_query", "to_tsvector"]
