"""PostgreSQL's ``infinity`` and ``-infinity`` dates and timestamps as Python values both drivers send as such.

PostgreSQL accepts them wherever a date or timestamp goes; Python has no
such value. asyncpg sends the largest and smallest ``datetime``/``date`` as
PostgreSQL's infinities; psycopg would send them as the year 9999. These
subclasses carry the same values (so asyncpg's comparison sees them) and
tell psycopg's dumper (docbase.db.pipelined) to write the word instead.
"""

from __future__ import annotations

import datetime as dt

WORDS = {"infinity": 1, "+infinity": 1, "-infinity": -1}


class InfiniteDatetime(dt.datetime):
    """``datetime.max`` (``infinity``) or ``datetime.min`` (``-infinity``)."""

    @property
    def word(self) -> str:
        return "infinity" if self.year == dt.MAXYEAR else "-infinity"


class InfiniteDate(dt.date):
    """``date.max`` (``infinity``) or ``date.min`` (``-infinity``)."""

    @property
    def word(self) -> str:
        return "infinity" if self.year == dt.MAXYEAR else "-infinity"


def infinite_datetime(sign: int, aware: bool) -> InfiniteDatetime:
    edge = dt.datetime.max if sign > 0 else dt.datetime.min
    return InfiniteDatetime(*edge.timetuple()[:6], edge.microsecond, tzinfo=dt.UTC if aware else None)


def infinite_date(sign: int) -> InfiniteDate:
    edge = dt.date.max if sign > 0 else dt.date.min
    return InfiniteDate(edge.year, edge.month, edge.day)


def register_dumpers(adapters: object) -> None:
    """psycopg: the infinite values above go to the server as the words it reads (text, type from the cast)."""
    from psycopg.adapt import Dumper

    class WordDumper(Dumper):
        oid = 0  # unknown: the statement's own cast ($1::timestamptz) types it

        def dump(self, obj: InfiniteDatetime | InfiniteDate) -> bytes:
            return obj.word.encode()

    for cls in (InfiniteDatetime, InfiniteDate):
        adapters.register_dumper(cls, WordDumper)  # type: ignore[attr-defined]
