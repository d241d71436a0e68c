"""Stage 3: the schema model, built by merging fragments, inferring and validating.

``docbase.pipeline`` composes the stages (``build_schema``, ``load_schema``).
"""

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
]
