"""The document's own functions, served at ``/rest/v1/rpc/<name>`` as PostgREST serves them.

The functions are created on PostgreSQL as the document writes them; what
they take and return is read back from ``pg_proc`` once (PostgREST's schema
cache does the same) rather than parsed from the document's SQL, so every
overload, default and ``RETURNS TABLE`` is seen as PostgreSQL sees it.

A call is one statement in the caller's transaction (role and claims set,
so row-level security decides inside the function as it would anywhere).
Arguments travel as text and are cast to the parameter's type in SQL, so a
query-string value and a JSON body value reach the function alike. A
function returning rows of a document table reads like that table: select,
embeds, filters, order, limits and counts all apply. SQLite cannot run the
document's PL/pgSQL, so there these functions answer PGRST127 naming the
function, never a silent 404.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import orjson
import sqlalchemy as sa

from .errors import ApiError

_ROUTINES_SQL = """
SELECT n.nspname::text,
       p.proname::text,
       p.proretset,
       p.provolatile::text,
       format_type(p.prorettype, NULL),
       t.typtype::text,
       (SELECT CASE WHEN cn.nspname = 'public' THEN c.relname::text ELSE cn.nspname || '.' || c.relname END
          FROM pg_class c
          JOIN pg_namespace cn ON cn.oid = c.relnamespace
         WHERE c.oid = t.typrelid AND cn.nspname = ANY($2::text[]) AND c.relkind IN ('r', 'p', 'v', 'm', 'f')),
       coalesce(p.proargnames, '{}')::text[],
       coalesce(p.proargmodes::text[], '{}'),
       coalesce((SELECT array_agg(format_type(x, NULL) ORDER BY o)
                   FROM unnest(coalesce(p.proallargtypes, p.proargtypes::oid[])) WITH ORDINALITY AS a(x, o)), '{}'),
       p.pronargdefaults,
       (SELECT coalesce(array_agg(a.attname::text ORDER BY a.attnum), '{}') FROM pg_attribute a
         WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped)
  FROM pg_proc p
  JOIN pg_namespace n ON n.oid = p.pronamespace
  JOIN pg_type t ON t.oid = p.prorettype
 WHERE n.nspname = ANY($2::text[]) AND p.prokind = 'f' AND p.proname = ANY($1::text[])
 ORDER BY n.nspname, p.proname, p.pronargs
"""


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    has_default: bool


@dataclass(frozen=True)
class Routine:
    """One function as ``pg_proc`` describes it."""

    name: str
    params: tuple[Param, ...]
    returns_set: bool
    return_type: str
    returns_composite: bool  # a row type: a table's, a declared type's, or RETURNS TABLE / OUT parameters
    table: str | None  # the document table whose rows it returns, if any
    columns: tuple[str, ...]  # output columns of a composite result
    volatile: bool
    column_types: tuple[str, ...] = ()  # the output columns' types, where the function declares them
    schema: str = "public"  # where it lives; ``Accept-Profile``/``Content-Profile`` choose (routine_key)

    @property
    def void(self) -> bool:
        return self.return_type == "void"

    def accepts(self, keys: set[str]) -> bool:
        """PostgREST's overload choice: every key names a parameter and every parameter without default is given."""
        names = {p.name for p in self.params}
        required = {p.name for p in self.params if not p.has_default}
        return keys <= names and required <= keys

    def signature(self) -> str:
        return f"{self.schema}.{self.name}(" + ", ".join(f"{p.name} => {p.type}" for p in self.params) + ")"


def routine_key(schema: str, name: str) -> str:
    """How served functions are keyed: ``name`` in public, ``schema.name`` in any other exposed schema."""
    return name if schema == "public" else f"{schema}.{name}"


async def load_routines(tx: Any, names: list[str], schemas: tuple[str, ...] = ("public",)) -> dict[str, list[Routine]]:
    """The document's functions in the exposed ``schemas`` as the live database has them, overloads
    together, keyed by :func:`routine_key`."""
    found: dict[str, list[Routine]] = {}
    for row in await tx.rows(_ROUTINES_SQL, [names, list(schemas)]):
        schema, name, returns_set, volatility, return_type, typtype, table, arg_names, modes, types, defaults, attrs = (
            row
        )
        modes = list(modes) or ["i"] * len(types)
        inputs = [(arg_names[i] if i < len(arg_names) else "", types[i]) for i, m in enumerate(modes) if m in "ibv"]
        outputs = [arg_names[i] for i, m in enumerate(modes) if m in "otb" and i < len(arg_names)]
        out_types = tuple(types[i] for i, m in enumerate(modes) if m in "otb" and i < len(arg_names) and arg_names[i])
        first_default = len(inputs) - (defaults or 0)
        params = tuple(Param(n, t, i >= first_default) for i, (n, t) in enumerate(inputs))
        composite = typtype == "c" or return_type == "record" and bool(outputs)
        columns = tuple(attrs) if typtype == "c" else tuple(o for o in outputs if o)
        routine = Routine(name, params, returns_set, return_type, composite, table, columns, volatility == "v")
        routine = replace(routine, column_types=out_types if typtype != "c" else (), schema=schema)
        found.setdefault(routine_key(schema, name), []).append(routine)
    return found


def choose(overloads: list[Routine], name: str, keys: set[str], single_object: bool) -> Routine:
    """The overload the arguments fit, else PGRST202 worded as PostgREST words it."""
    if single_object:
        fits = [r for r in overloads if len(r.params) == 1 and r.params[0].type in ("json", "jsonb")]
    else:
        fits = [r for r in overloads if r.accepts(keys)]
    if len(fits) == 1:
        return fits[0]
    if len(fits) > 1:
        raise ApiError(
            300,
            "PGRST203",
            "Could not choose the best candidate function between: " + ", ".join(r.signature() for r in fits),
            None,
            "Try renaming the parameters or the function itself in the database so function overloading can be "
            "resolved",
        )
    raise no_function(name, sorted(keys))


def no_function(name: str, keys: list[str]) -> ApiError:
    listed = ", ".join(keys)
    with_params = f" with parameter{'s' if len(keys) > 1 else ''} {listed}" if keys else " without parameters"
    qualified = name if "." in name else f"public.{name}"  # a routine_key names its schema outside public
    return ApiError(
        404,
        "PGRST202",
        f"Could not find the function {qualified}" + (f"({listed})" if keys else "") + " in the schema cache",
        f"Searched for the function {qualified}{with_params} or with a single unnamed json/jsonb parameter, "
        "but no matches were found in the schema cache.",
    )


def postgresql_only(name: str) -> ApiError:
    return ApiError(
        400,
        "PGRST127",
        "Feature not implemented",
        f"The function public.{name} is defined in the document for PostgreSQL; SQLite cannot run it. "
        "Serve this document on PostgreSQL (--db postgresql://...) to call it.",
    )


class _Named(sa.types.UserDefinedType):
    """A parameter type named as PostgreSQL prints it (``integer``, ``text[]``, ``my_enum``)."""

    cache_ok = True

    def __init__(self, name: str) -> None:
        self.name = name

    def get_col_spec(self, **kw: Any) -> str:
        return self.name


def call(routine: Routine, args: dict[str, Any], bind: Any, from_query: bool = False) -> sa.FunctionElement:
    """``public.fn(a := CAST($1 AS integer), ...)``: named arguments, each sent as text and cast in SQL.

    Query-string values (GET) are already text and go as written; JSON body values are written as
    PostgreSQL reads their type (JSON for json/jsonb, ``{...}`` for arrays).
    """
    by_name = {p.name: p for p in routine.params}
    parts = []
    for key, value in args.items():
        param = by_name[key]
        text = value if from_query else _as_text(value, param.type)
        target = sa.cast(sa.cast(bind(text, sa.Text), sa.Text), _Named(param.type))
        parts.append(sa.literal_column(_quote(key)).op(":=")(target))
    return _function(routine)(*parts)


def _function(routine: Routine) -> Any:
    """``sa.func.fn``, schema-qualified outside public (``personal.get_status``)."""
    if routine.schema == "public":
        return getattr(sa.func, routine.name)
    return getattr(getattr(sa.func, routine.schema), routine.name)


def single_object_call(routine: Routine, body: Any, bind: Any) -> sa.FunctionElement:
    """``Prefer: params=single-object``: the whole body is the one json/jsonb argument."""
    value = bind(orjson.dumps(body).decode(), sa.Text)
    return _function(routine)(sa.cast(sa.cast(value, sa.Text), _Named(routine.params[0].type)))


def _as_text(value: Any, type_name: str) -> str | None:
    if value is None:
        return None
    if type_name in ("json", "jsonb"):
        return orjson.dumps(value).decode()
    if type_name.endswith("[]") and isinstance(value, list):
        return "{" + ",".join(_array_item(v) for v in value) + "}"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return orjson.dumps(value).decode()
    return str(value)


def _array_item(value: Any) -> str:
    if value is None:
        return "NULL"
    text = orjson.dumps(value).decode() if isinstance(value, dict | list) else str(value)
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
