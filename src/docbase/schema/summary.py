"""The human summary ``docbase inspect`` prints: tables, keys, enums (the CLI prints the diagnostics)."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table as RichTable

from .model import Schema


def print_summary(schema: Schema, path: str, console: Console) -> None:
    grid = RichTable(title=f"{path}: {len(schema.tables)} tables", show_lines=False)
    for header in ("table", "line", "columns", "primary key", "references", "unique", "enums"):
        grid.add_column(header, overflow="fold")
    for t in schema.tables:
        refs = ", ".join(f"{'/'.join(fk.columns)}→{fk.ref_table}" for fk in t.foreign_keys)
        uniq = "; ".join(",".join(u.columns) + (" (partial)" if u.where else "") for u in t.unique)
        enums = ", ".join(c.name for c in t.columns if c.enum)
        inferred = sum(c.inferred for c in t.columns)
        cols = f"{len(t.columns)}" + (f" ({inferred} inferred)" if inferred else "")
        grid.add_row(t.name, str(t.line), cols, ", ".join(t.primary_key) or "-", refs or "-", uniq or "-", enums or "-")
    console.print(grid, emoji=False)
    if schema.enums:
        console.print(
            "enums: " + "; ".join(f"{e.name} ({', '.join(e.values)})" for e in schema.enums),
            highlight=False,
            markup=False,
            emoji=False,
        )
    if schema.policies:
        console.print(f"policies: {len(schema.policies)}", highlight=False, markup=False, emoji=False)
