"""Stage 4 (consumer): keep a live database in step with the document (plan, lock, apply, record)."""

from .apply import MigrateError, migrate
from .plan import Operation, Plan

__all__ = ["MigrateError", "Operation", "Plan", "migrate"]
