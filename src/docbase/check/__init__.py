"""Drift check: does a live database still match the document? For CI, before a deploy or after a hotfix.

The comparison is the migration planner's own (``docbase.migrate.diff``),
run read-only: whatever ``migrate`` would change is drift, so ``check`` and
``migrate`` can never disagree. Each difference is reported as a located
line (``design.md:12: error: column tasks.estimate missing in the
database``); on PostgreSQL the row-level security policies are compared too.
"""

from .drift import CheckError, Finding, check

__all__ = ["CheckError", "Finding", "check"]
