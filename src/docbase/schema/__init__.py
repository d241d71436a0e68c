"""Stage 3: the schema model, built by merging fragments, inferring and validating."""

from .build import build_schema, load_schema
from .model import Check, Column, Enum, ForeignKey, Index, IndexColumn, Policy, Routine, Schema, Table, UniqueConstraint

__all__ = [
    "Check",
    "Column",
    "Enum",
    "ForeignKey",
    "Index",
    "IndexColumn",
    "Policy",
    "Routine",
    "Schema",
    "Table",
    "UniqueConstraint",
    "build_schema",
    "load_schema",
]
