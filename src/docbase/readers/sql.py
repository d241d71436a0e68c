"""SQL DDL blocks -> fragments.

PostgreSQL is the default dialect and is read with pglast (PostgreSQL's own
parser), so anything PostgreSQL accepts is read as PostgreSQL reads it.
MySQL, SQLite and T-SQL blocks (said by the info string, or given away by
backticks, ``AUTO_INCREMENT``, ``ENGINE=`` or ``AUTOINCREMENT``) go through
sqlglot instead. Both paths give the same fragments.

A block is read statement by statement: a statement that does not parse, or
that docbase has no use for (GRANT, INSERT...), becomes a diagnostic naming
its line and the rest of the block is still read. ``read`` never raises.
"""

from __future__ import annotations

import re

from ..document import Block, warning
from ._sql_glot import read_glot
from ._sql_pg import read_postgres
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
}

_DDL = re.compile(r"(?im)^\s*(CREATE\s+(OR\s+REPLACE\s+)?(UNIQUE\s+)?(TABLE|TYPE|INDEX|POLICY)\b|ALTER\s+TABLE\b)")
# Other notations that could contain the words above in a comment or a note.
_NOT_SQL = re.compile(
    r"(?im)^\s*(erDiagram\b|Table\s+[\w.\"`]+[^\n(]*\{|model\s+\w+\s*\{|enum\s+\w+\s*\{|datasource\s+\w+\s*\{)"
)

_MYSQL_HINT = re.compile(r"`|\bAUTO_INCREMENT\b|\bENGINE\s*=|\bUNSIGNED\b", re.IGNORECASE)
_SQLITE_HINT = re.compile(r"\bAUTOINCREMENT\b|\bWITHOUT\s+ROWID\b", re.IGNORECASE)


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
    if _SQLITE_HINT.search(code):
        return "sqlite"
    if _MYSQL_HINT.search(code):
        return "mysql"
    return "postgres"


def read(block: Block) -> Reading:
    """Fragments for every statement in the block; problems become diagnostics."""
    src = Source(block.text, block.line)
    try:
        which = dialect(block)
        if which == "postgres":
            return read_postgres(src, block.section)
        return read_glot(src, which, block.section)
    except Exception as exc:  # the promise is diagnostics, never a traceback
        return Reading(diagnostics=[warning(block.line, f"SQL block could not be read: {exc}")])
