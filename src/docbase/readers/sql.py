"""SQL DDL blocks -> fragments.

PostgreSQL is the default dialect and is read with pglast (PostgreSQL's own
parser), so anything PostgreSQL accepts is read as PostgreSQL reads it.
MySQL, SQLite, SQL Server and Oracle blocks (said by the info string, or given
away by backticks, ``AUTO_INCREMENT``, ``ENGINE=``, inline ``ENUM(...)``;
``AUTOINCREMENT``; ``[brackets]``, ``IDENTITY(1,1)``, ``GO``; ``VARCHAR2``,
``NUMBER(p)``, ``/`` lines) go through sqlglot in that dialect instead. Both
paths give the same fragments. ``_sql_repair`` reads past what a parser rejects.

A block is read statement by statement: a statement that does not parse, or
that docbase has no use for (GRANT, INSERT...), becomes a diagnostic naming
its line and the rest of the block is still read. ``read`` never raises.
"""

from __future__ import annotations

import re

from ..document import Block, warning
from ._sql_glot import read_glot
from ._sql_pg import read_postgres
from ._sql_repair import prepare
from ._sql_text import Source, strip_comments
from .base import Reading

NAME = "sql"

_POSTGRES = {"sql", "postgres", "postgresql", "pgsql", "psql", "plpgsql", "ddl", "supabase"}
_OTHER = {
    "mysql": "mysql",
    "mariadb": "mysql",
    "sqlite": "sqlite",
    "sqlite3": "sqlite",
    "tsql": "tsql",
    "mssql": "tsql",
    "sqlserver": "tsql",
    "oracle": "oracle",
    "plsql": "oracle",
}

_DDL = re.compile(r"(?im)^\s*(CREATE\s+(OR\s+REPLACE\s+)?(UNIQUE\s+)?(TABLE|TYPE|INDEX|POLICY)\b|ALTER\s+TABLE\b)")
# Other notations that could contain the words above in a comment or a note.
_NOT_SQL = re.compile(
    r"(?im)^\s*(erDiagram\b|Table\s+[\w.\"`]+[^\n(]*\{|model\s+\w+\s*\{|enum\s+\w+\s*\{|datasource\s+\w+\s*\{)"
)

# Inline ``status ENUM('a', 'b')`` is MySQL's; PostgreSQL writes ``CREATE TYPE x AS ENUM (...)``.
_MYSQL_HINT = re.compile(
    r"`|\bAUTO_INCREMENT\b|\bENGINE\s*=|\bUNSIGNED\b|\b(?!AS\b)[A-Za-z_]\w*\s+ENUM\s*\(", re.IGNORECASE
)
_SQLITE_HINT = re.compile(r"\bAUTOINCREMENT\b|\bWITHOUT\s+ROWID\b", re.IGNORECASE)
_TSQL_HINT = re.compile(
    r"\[[A-Za-z_][\w ]*\]\s*(?:\.|\(|\s+[A-Za-z])|\bIDENTITY\s*\(\s*\d+\s*,\s*\d+\s*\)|^[ \t]*GO[ \t]*$"
    r"|\bNVARCHAR\s*\(\s*MAX\b",
    re.IGNORECASE | re.MULTILINE,
)
_ORACLE_HINT = re.compile(
    r"\bN?VARCHAR2\b|\bNUMBER\s*\(|^[ \t]*/[ \t]*$|\bAS\s+IDENTITY\s+START\s+WITH\b|\bCLOB\b",
    re.IGNORECASE | re.MULTILINE,
)

# In the order they are tried, each with the words (lower case) one of which its pattern cannot match without.
_HINTS = (
    ("sqlite", _SQLITE_HINT, ("autoincrement", "without")),
    ("mysql", _MYSQL_HINT, ("`", "auto_increment", "engine", "unsigned", "enum")),
    ("tsql", _TSQL_HINT, ("[", "identity", "go", "nvarchar")),
    ("oracle", _ORACLE_HINT, ("varchar2", "number", "/", "identity", "clob")),
)


def _info_word(block: Block) -> str:
    words = block.info.strip().split()
    return words[0].lower().strip("{}.") if words else ""


def accepts(block: Block) -> bool:
    """SQL-labelled code blocks, and unlabelled ones holding DDL (not Mermaid/DBML/Prisma)."""
    if block.kind != "code":
        return False
    word = _info_word(block)
    if word in _POSTGRES or word in _OTHER:
        return True
    if word:
        return False
    return bool(_DDL.search(block.text)) and not _NOT_SQL.search(block.text)


def dialect(block: Block) -> str:
    """``postgres`` unless the info string or the text says MySQL, SQLite or T-SQL."""
    word = _info_word(block)
    if word in _OTHER:
        return _OTHER[word]
    code = strip_comments(block.text)
    # Each hint needs one of its words; an ASCII text holding none of them skips that scan (the scans are
    # most of this function's time). Outside ASCII, case folding has exceptions (``ſ`` matches ``s``): scan.
    low = code.lower() if code.isascii() else None
    for name, hint, needs in _HINTS:
        if (low is None or any(w in low for w in needs)) and hint.search(code):
            return name
    return "postgres"


def read(block: Block) -> Reading:
    """Fragments for every statement in the block; problems become diagnostics."""
    try:
        which = dialect(block)
        text, notes = prepare(block.text)
        src = Source(text, block.line)
        reading = read_postgres(src, block.section) if which == "postgres" else read_glot(src, which, block.section)
        reading.diagnostics[:0] = [warning(block.line + index, message) for index, message in notes]
        return reading
    except Exception as exc:  # the promise is diagnostics, never a traceback
        return Reading(diagnostics=[warning(block.line, f"SQL block could not be read: {exc}")])
