"""Database URLs, read in one place, so every command and driver agrees on what a URL means.

``serve`` once took ``postgres://`` while ``migrate`` refused it, because six
places parsed URLs six ways. Here a URL is read once into a :class:`DbUrl`
that hands each driver the spelling it needs (SQLAlchemy with psycopg,
asyncpg's or psycopg's plain ``postgresql://``, a SQLite file path) and a
password-free form for messages.

>>> parse("postgres://u:pw@db:5432/app").sqlalchemy()
'postgresql+psycopg://u:pw@db:5432/app'
>>> parse("postgres://u:pw@db:5432/app").shown
'postgresql://u:***@db:5432/app'
>>> parse("sqlite:///data/app.db").path
'data/app.db'
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

DIALECTS = ("sqlite", "postgresql")


class DbUrlError(ValueError):
    """A URL docbase cannot use; the message names it without its password and says what would work."""


@dataclass(frozen=True)
class DbUrl:
    dialect: str  # sqlite | postgresql
    url: sa.engine.URL

    @property
    def path(self) -> str:
        """SQLite: the database file (``:memory:`` when none)."""
        return self.url.database or ":memory:"

    @property
    def shown(self) -> str:
        """For messages and logs: the password masked."""
        return self.url.render_as_string(hide_password=True)

    def sqlalchemy(self, driver: str | None = None) -> str:
        """The SQLAlchemy URL with ``driver`` (default: psycopg for PostgreSQL, pysqlite for SQLite)."""
        if self.dialect == "postgresql":
            name = f"postgresql+{driver or 'psycopg'}"
        else:
            name = f"sqlite+{driver}" if driver else "sqlite"
        return self.url.set(drivername=name).render_as_string(hide_password=False)

    def libpq(self) -> str:
        """PostgreSQL: the plain ``postgresql://`` URL psycopg and asyncpg connect with."""
        return self.url.set(drivername="postgresql").render_as_string(hide_password=False)


def parse(url: str) -> DbUrl:
    """Read ``sqlite:///path``, ``sqlite://`` (memory), ``postgresql://``, ``postgres://`` or ``postgresql+driver://``.

    Raises:
        DbUrlError: not a URL, or a database other than SQLite and PostgreSQL.
    """
    text = str(url).strip()
    if text.startswith("postgres://"):
        text = "postgresql://" + text[len("postgres://") :]
    try:
        parsed = sa.engine.make_url(text)
    except sa.exc.ArgumentError:
        raise DbUrlError(f"not a database URL: {_masked(text)}; use sqlite:///path or postgresql://...") from None
    backend = parsed.get_backend_name()
    if backend not in DIALECTS:
        raise DbUrlError(
            f"unsupported database {backend!r} in {parsed.render_as_string(hide_password=True)}; "
            "use sqlite:///path or postgresql://..."
        )
    return DbUrl(backend, parsed)


def _masked(text: str) -> str:
    scheme, sep, rest = text.partition("://")
    if sep and "@" in rest:
        return f"{scheme}://***@{rest.rsplit('@', 1)[1]}"
    return text
