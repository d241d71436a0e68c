"""Request values (filter text, JSON body values) -> driver values for a column's type.

Both drivers need this: asyncpg refuses ``'5'`` for an integer parameter,
and SQLite would silently compare ``'abc'`` with numbers. Converting here,
against the model's type, gives the same 22P02 error on both databases and
keeps every value a bound parameter. SQLite keeps booleans as 0/1, JSON and
arrays as JSON text, timestamps as ISO 8601 text (so text order is time
order, in the
same layout as the DDL's ``now()`` default), and vectors as float32 blobs (sqlite-vec's layout).
"""

from __future__ import annotations

import ipaddress
import struct
import uuid
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

import orjson

from ..db.infinity import WORDS, InfiniteDate, InfiniteDatetime, infinite_date, infinite_datetime
from ..schema.model import Column
from .errors import ApiError, invalid_value
from .sql.pg_range import KINDS as RANGE_KINDS

#: How SQLite keeps timestamps: UTC, the layout the DDL's now() default writes, so text order is time order.
SQLITE_TIMESTAMP = "%Y-%m-%d %H:%M:%S.%f"
_TRUE = {"true", "t", "yes", "y", "on", "1"}
_FALSE = {"false", "f", "no", "n", "off", "0"}
_INT_RANGE = {"smallint": 2**15, "integer": 2**31, "bigint": 2**63}


def coerce(column: Column, value: Any, dialect: str, writing: bool = True) -> Any:
    """A request value for ``column`` as the driver wants it; None stays None.

    ``writing=False`` (filter values): text is compared as given, so a value
    longer than ``varchar(n)`` or outside a CHECK list simply matches nothing.
    """
    if value is None:
        return None
    if dialect != "postgresql" and (column.raw_type or "").lower() in RANGE_KINDS:
        from .sql.range_types import sqlite_value

        return sqlite_value(column.raw_type.lower(), value)  # canonical, so [1,3] is stored as [1,4)
    if dialect != "postgresql" and (column.raw_type or "").lower() == "tsvector":
        return _tsvector(value)
    kind = column.type
    if not writing and kind in ("text", "varchar"):
        return value if isinstance(value, str) else _show(value)
    try:
        return _CONVERT.get(kind, _text)(column, value, dialect)
    except ApiError:
        raise
    except (ValueError, TypeError, InvalidOperation, OverflowError, struct.error):
        raise invalid_value(_PG_NAMES.get(kind, kind), _show(value)) from None


def _tsvector(value: Any) -> str:
    """A tsvector literal as PostgreSQL prints it ('fat cat' -> 'cat' 'fat'), kept so on SQLite."""
    from .sql.pg_tsvector import Malformed, canonical

    try:
        return canonical(value if isinstance(value, str) else _show(value))
    except Malformed as exc:
        raise ApiError(400, "42601", f'{exc}: "{_show(value)[:200]}"') from None


def _show(value: Any) -> str:
    return value if isinstance(value, str) else orjson.dumps(value).decode()


def _integer(column: Column, value: Any, dialect: str) -> int:
    if isinstance(value, bool) or isinstance(value, float) and not value.is_integer():
        raise ValueError(value)
    number = int(value) if not isinstance(value, str) else int(value.strip())
    bound = _INT_RANGE.get(column.type, 2**63)
    if not -bound <= number < bound:
        raise ApiError(400, "22003", f'value "{number}" is out of range for type {_PG_NAMES[column.type]}')
    return number


def _numeric(column: Column, value: Any, dialect: str) -> Any:
    if isinstance(value, bool):
        raise ValueError(value)
    number = Decimal(str(value).strip())
    if not number.is_finite():
        raise ValueError(value)
    return number if dialect == "postgresql" else float(number)


def _float(column: Column, value: Any, dialect: str) -> float:
    if isinstance(value, bool):
        raise ValueError(value)
    return float(value)


def _boolean(column: Column, value: Any, dialect: str) -> Any:
    if isinstance(value, bool):
        flag = value
    elif isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        flag = value.strip().lower() in _TRUE
    else:
        raise ValueError(value)
    return flag if dialect == "postgresql" else int(flag)


def _uuid(column: Column, value: Any, dialect: str) -> Any:
    parsed = uuid.UUID(str(value))
    return parsed if dialect == "postgresql" else str(parsed)


def _timestamp(column: Column, value: Any, dialect: str) -> Any:
    text = str(value).strip()
    sign = WORDS.get(text.lower())
    if sign is not None:  # PostgreSQL's infinities; on SQLite the word, which sorts after (before) every date
        if dialect == "postgresql":
            return infinite_datetime(sign, column.type == "timestamptz")
        return "infinity" if sign > 0 else "-infinity"
    moment = datetime.fromisoformat(text)
    if column.type == "timestamptz":
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        moment = moment.astimezone(UTC)
    elif moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment if dialect == "postgresql" else moment.strftime(SQLITE_TIMESTAMP)


def format_timestamp(value: Any, with_tz: bool) -> str | None:
    """A stored timestamp as PostgreSQL's JSON writes it: ``2024-05-01T10:00:00.5+00:00``."""
    if value is None:
        return None
    if isinstance(value, InfiniteDatetime | InfiniteDate):
        return value.word
    if isinstance(value, str) and value in ("infinity", "-infinity"):
        return value
    if isinstance(value, datetime) and value.replace(tzinfo=None) in (datetime.max, datetime.min):
        return "infinity" if value.year == datetime.max.year else "-infinity"  # how both drivers read them
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    # not strftime: its %Y drops the leading zeros of years before 1000, which PostgreSQL keeps
    text = f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}T{moment.hour:02d}:{moment.minute:02d}:{moment.second:02d}"
    if moment.microsecond:
        text += f".{moment.microsecond:06d}".rstrip("0")
    return text + "+00:00" if with_tz else text


def _date(column: Column, value: Any, dialect: str) -> Any:
    sign = WORDS.get(str(value).strip().lower())
    if sign is not None:
        return infinite_date(sign) if dialect == "postgresql" else ("infinity" if sign > 0 else "-infinity")
    day = date.fromisoformat(str(value).strip())
    return day if dialect == "postgresql" else day.isoformat()


def _time(column: Column, value: Any, dialect: str) -> Any:
    moment = time.fromisoformat(str(value).strip())
    return moment if dialect == "postgresql" else moment.isoformat()


def _interval(column: Column, value: Any, dialect: str) -> Any:
    if dialect != "postgresql":
        return str(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return timedelta(seconds=value)
    text = str(value).strip()
    number, _, unit = text.partition(" ")
    unit = unit.rstrip("s") or "second"
    if unit not in ("second", "minute", "hour", "day", "week"):
        raise ValueError(value)
    return timedelta(**{unit + "s": float(number)})


def _json(column: Column, value: Any, dialect: str) -> str:
    if isinstance(value, str) and column.type in ("json", "jsonb"):
        # A filter value or a JSON string body; PostgreSQL checks it, so must we.
        try:
            orjson.loads(value)
            return value
        except orjson.JSONDecodeError:
            return orjson.dumps(value).decode()
    return orjson.dumps(value).decode()


def _array(column: Column, value: Any, dialect: str) -> Any:
    if isinstance(value, str):
        value = _pg_array_literal(value)
    if not isinstance(value, list):
        raise ValueError(value)
    item = Column(column.name, column.item_type or "text")
    items = [coerce(item, v, dialect) for v in value]
    return items if dialect == "postgresql" else orjson.dumps(items).decode()


def _pg_array_literal(text: str) -> list[Any]:
    text = text.strip()
    if text.startswith("["):
        return orjson.loads(text)
    if not (text.startswith("{") and text.endswith("}")):
        raise ValueError(text)
    from .query.filters import split_top, unquote

    inner = text[1:-1]
    return [unquote(p) for p in split_top(inner, text)] if inner.strip() else []


def _vector(column: Column, value: Any, dialect: str) -> Any:
    if isinstance(value, str):
        value = orjson.loads(value)
    numbers = [float(v) for v in value]
    if column.dimension and len(numbers) != column.dimension:
        raise ApiError(400, "22000", f"expected {column.dimension} dimensions, not {len(numbers)}")
    if dialect == "postgresql":
        return numbers
    return struct.pack(f"<{len(numbers)}f", *numbers)


def _inet(column: Column, value: Any, dialect: str) -> Any:
    text = str(value).strip()
    parsed = ipaddress.ip_interface(text) if "/" in text else ipaddress.ip_address(text)
    return parsed if dialect == "postgresql" else str(parsed)


def _enum(column: Column, value: Any, dialect: str) -> str:
    text = value if isinstance(value, str) else _show(value)
    if column.enum and text not in column.enum:
        raise ApiError(400, "22P02", f'invalid input value for enum {column.enum_name or column.name}: "{text}"')
    return text


def _text(column: Column, value: Any, dialect: str) -> str:
    text = value if isinstance(value, str) else _show(value)
    if column.length and len(text) > column.length:
        raise ApiError(400, "22001", f"value too long for type character varying({column.length})")
    return text


def _bytes(column: Column, value: Any, dialect: str) -> bytes:
    text = str(value)
    return bytes.fromhex(text[2:]) if text.startswith("\\x") else text.encode()


_CONVERT = {
    "integer": _integer,
    "bigint": _integer,
    "smallint": _integer,
    "numeric": _numeric,
    "float": _float,
    "boolean": _boolean,
    "uuid": _uuid,
    "timestamp": _timestamp,
    "timestamptz": _timestamp,
    "date": _date,
    "time": _time,
    "interval": _interval,
    "json": _json,
    "jsonb": _json,
    "array": _array,
    "vector": _vector,
    "inet": _inet,
    "enum": _enum,
    "bytes": _bytes,
}

_PG_NAMES = {
    "integer": "integer",
    "bigint": "bigint",
    "smallint": "smallint",
    "numeric": "numeric",
    "float": "double precision",
    "boolean": "boolean",
    "uuid": "uuid",
    "timestamp": "timestamp",
    "timestamptz": "timestamp with time zone",
    "date": "date",
    "time": "time",
    "json": "json",
    "jsonb": "json",
    "array": "array",
    "inet": "inet",
}
