"""PostgREST query language: parsing only (no tables, no SQL)."""

from .params import parse_query
from .syntax import Embed, Field, Filter, JsonStep, Logic, OrderTerm, Query, SelectColumn, SelectStar

__all__ = [
    "Embed",
    "Field",
    "Filter",
    "JsonStep",
    "Logic",
    "OrderTerm",
    "Query",
    "SelectColumn",
    "SelectStar",
    "parse_query",
]
