"""The human summary ``docbase inspect`` prints: tables, keys, enums, diagnostics."""

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
    console.print(grid)
    if schema.enums:
        console.print("enums: " + "; ".join(f"{e.name} ({', '.join(e.values)})" for e in schema.enums), highlight=False)
    if schema.policies:
        console.print(f"policies: {len(schema.policies)}", highlight=False)
    counts = {lvl: sum(d.level == lvl for d in schema.diagnostics) for lvl in ("error", "warning", "info")}
    for d in schema.diagnostics:
        if d.level != "info":
            console.print(d.format(path), highlight=False, markup=False, soft_wrap=True)
    console.print(
        f"{counts['error']} error(s), {counts['warning']} warning(s), {counts['info']} note(s)"
        + (" (see --json for the notes)" if counts["info"] else ""),
        highlight=False,
    )
