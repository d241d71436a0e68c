"""A migration plan: the operations that take the live database to the model, each described for people.

``Plan`` is what ``docbase migrate`` prints and ``docbase_migrations``
records. Operations know whether they lose data or narrow what the
database accepts (``destructive``): those are refused unless the caller
allows them, and the refusal lists each one. ``tolerant`` operations (the
document's own routines and policies, run as written) may fail without
failing the migration; their failure becomes a warning.
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: Apply order: types before the tables that use them, tables before keys, keys before policies.
ORDER = {
    "schema": 0,
    "extension": 0,
    "auth": 1,
    "enum": 2,
    "create_table": 3,
    "add_column": 4,
    "change": 5,
    "rebuild": 6,
    "constraint": 7,
    "index": 8,
    "trigger": 9,
    "routine": 10,
    "rls": 11,
    "policy": 12,
    "grant": 13,
    "drop": 14,
}


@dataclass
class Operation:
    kind: str
    description: str
    statements: list[str] = field(default_factory=list)
    table: str | None = None
    destructive: bool = False
    tolerant: bool = False
    #: SQLite only: this change needs the table rebuilt (it has no ALTER for it).
    rebuild: bool = False
    #: (column name, type family) of a column added or dropped, for spotting renames.
    column: tuple[str, str] | None = None
    #: Why this step cannot be applied as the document stands, even with --allow-destructive
    #: (``path:line: ...`` with the fix); the whole plan is then refused.
    refused: str | None = None
    #: How a change is carried out (SQLite's table rebuild), not a change of its own: not counted or listed.
    mechanism: bool = False

    def to_json(self) -> dict[str, object]:
        return {"kind": self.kind, "table": self.table, "description": self.description, "sql": self.statements}


@dataclass
class Plan:
    operations: list[Operation] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    created: bool = False
    applied: bool = False
    document_hash: str = ""

    @property
    def destructive(self) -> list[Operation]:
        return [op for op in self.operations if op.destructive]

    @property
    def refused(self) -> list[Operation]:
        return [op for op in self.operations if op.refused]

    @property
    def changes(self) -> list[Operation]:
        """The steps a user asked for, in apply order: what the plan counts and lists."""
        return [op for op in self.ordered() if not op.mechanism]

    @property
    def empty(self) -> bool:
        return not self.operations

    def ordered(self) -> list[Operation]:
        """Apply order; a new database's plan is already in dependency order (``ddl.render``)."""
        if self.created:
            return list(self.operations)
        return sorted(self.operations, key=lambda op: ORDER.get(op.kind, 99))

    def describe(self, dry_run: bool = False, allow_destructive: bool = False) -> str:
        """The plan as lines for a terminal: every step (``!`` marks a refused one, with why), then warnings.

        The head counts the same steps in the dry run and the real run.
        """
        if self.empty:
            return "database is up to date; nothing to do"
        changes = self.changes
        blocked = [op for op in changes if op.refused or (op.destructive and not allow_destructive)]
        if self.created:
            tables = sum(1 for op in self.operations if op.kind == "create_table")
            head = f"{'would create' if dry_run else 'created'} the database: {tables} tables"
        else:
            head = f"{'plan' if dry_run or blocked else 'applied'}: {_count(len(changes))}"
            if blocked:
                head += f", {len(blocked)} refused; nothing {'would be' if dry_run else 'was'} applied"
        lines = [head]
        if not self.created:
            lines += [_line(op, allow_destructive) for op in changes]
        lines += [f"  warning: {w}" for w in self.warnings]
        return "\n".join(lines)


def _count(n: int) -> str:
    return f"{n} change" if n == 1 else f"{n} changes"


def _line(op: Operation, allow_destructive: bool) -> str:
    if op.refused:
        return f"  ! {op.description}: refused: {op.refused}"
    if op.destructive and not allow_destructive:
        return f"  ! {op.description}: refused: destructive, needs --allow-destructive"
    return f"  {'-' if op.destructive else '+'} {op.description}"
