"""Merge fragments into one model: one table described in several places becomes one table.

Sources rank SQL > column table > bullets/DBML/Prisma > Mermaid > ASCII
(``fragments.SOURCE_RANK``). The highest-ranked description of a
table decides which columns exist and their types; lower-ranked ones only
add what it lacks (markers, FK targets, notes, enum values) to the columns
they share. A column only a lower-ranked source draws is reported, as a
likely abbreviation of a column it does have, or as an extra, and is not
added: the better description is the one a team maintains. Every conflict
is a diagnostic naming both lines.

The passes after grouping live in their own modules: ``attach`` (indexes,
constraints, policies), ``rules`` (constraints stated in sentences), ``relate`` (relationships and FK targets),
``enums``, ``infer`` (types from names) and ``validate``; ``freeze`` builds
the immutable model.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields, replace

from ..document.diagnostics import Diagnostic, error, info, warning
from ..fragments import (
    SOURCE_RANK,
    TYPE_ELSEWHERE,
    ColumnFragment,
    EnumFragment,
    Fragment,
    RoutineFragment,
    TableFragment,
    TypeInfo,
    UniqueFragment,
)
from . import attach, enums, freeze, infer, relate, rules, validate
from .drafts import ColumnDraft, TableDraft
from .model import Schema
from .names import is_abbreviation, key, same_name


def merge(fragments: Sequence[Fragment], diagnostics: Sequence[Diagnostic], path: str = "<document>") -> Schema:
    """Build the model from every reader's fragments (see the module docstring)."""
    diags: list[Diagnostic] = list(diagnostics)
    created = _created_schemas(fragments)
    tables = _group_tables(
        [f for f in fragments if isinstance(f, TableFragment) and not _provided(f, diags)], created, diags
    )
    attach.attach(tables, fragments, diags)
    rules.apply(tables, fragments, diags)
    _types_from_other_blocks(tables, fragments, diags)
    relate.relate(tables, fragments, diags)
    named = enums.apply(tables, fragments, diags)
    infer.infer(tables, diags)
    validate.validate(tables, named, diags)
    if not tables and not any(d.level == "error" for d in diags):
        diags.append(error(1, "no tables found: the document describes no table docbase can read"))
    return freeze.freeze(tables, named, fragments, diags, path)


def _types_from_other_blocks(
    tables: dict[str, TableDraft], fragments: Sequence[Fragment], diags: list[Diagnostic]
) -> None:
    """A Prisma field typed by a name its block does not define: an enum of another fence stays a column,
    a model of another fence makes it a relation field (no column), anything else is text."""
    enum_names = {f.name for f in fragments if isinstance(f, EnumFragment)}
    for table in tables.values():
        for col in list(table.columns.values()):
            if TYPE_ELSEWHERE not in col.notes or col.type is None:
                continue
            col.notes.remove(TYPE_ELSEWHERE)
            name = col.type.enum_name or ""
            if name in enum_names:
                continue
            if attach.resolve(tables, name) is not None:
                del table.columns[col.name]
                diags.append(info(col.line, f"{table.name}.{col.name} is a relation to {name}, not a column"))
                continue
            col.type = TypeInfo("text", name)
            diags.append(warning(col.line, f"{table.name}.{col.name}: type {name} is defined nowhere; read as text"))


def _provided(frag: TableFragment, diags: list[Diagnostic]) -> bool:
    """``auth.users`` is docbase's own (its Supabase Auth stand-in), not the document's ``users``."""
    qualified = f"{frag.schema}.{frag.name}"
    if frag.schema and qualified in validate.EXTERNAL_TABLES:
        diags.append(info(frag.line, f"{qualified} is provided by docbase; this description of it is not used"))
        return True
    return False


def _created_schemas(fragments: Sequence[Fragment]) -> set[str]:
    """The schemas the document creates (``CREATE SCHEMA personal``): only their tables keep the qualifier."""
    return {
        f.name.lower()
        for f in fragments
        if isinstance(f, RoutineFragment)
        and f.kind == "other"
        and f.sql.lstrip()[:13].upper().split() == ["CREATE", "SCHEMA"]
    }


def _group_tables(fragments: list[TableFragment], created: set[str], diags: list[Diagnostic]) -> dict[str, TableDraft]:
    by_key: dict[str, list[TableFragment]] = {}
    order: list[str] = []
    folded: set[str] = set()
    for frag in fragments:
        if frag.schema and frag.schema.lower() in created:  # personal.users stays beside public users
            frag = replace(frag, name=f"{frag.schema}.{frag.name}")
        elif frag.schema and frag.schema.lower() != "public" and frag.schema.lower() not in folded:
            folded.add(frag.schema.lower())  # MySQL's `db`.`table`, SQL Server's dbo.X: a database, not a schema
            diags.append(
                info(
                    frag.line,
                    f"{frag.schema}.{frag.name} is read as {frag.name}: the document creates no schema "
                    f"{frag.schema} (add CREATE SCHEMA {frag.schema}; to keep its tables apart)",
                )
            )
        k = frag.name.lower()
        if k not in by_key:
            by_key[k] = []
            order.append(k)
        by_key[k].append(frag)
    _join_diagram_spellings(by_key, order, diags)
    tables: dict[str, TableDraft] = {}
    for k in order:
        group = sorted(by_key[k], key=_rank)
        _check_case([f for f in group if not f.extends and f.columns], diags)  # a bare mention describes nothing
        draft = _draft(group[0], diags)
        for other in group[1:]:
            _enrich(draft, other, group[0], diags)
        tables[draft.name] = draft
    return tables


_DIAGRAMS = {"ascii", "mermaid"}


def _join_diagram_spellings(by_key: dict[str, list[TableFragment]], order: list[str], diags: list[Diagnostic]) -> None:
    """A box or entity drawn as ``COUPON`` beside SQL or a column table for ``coupons`` is that table, not a
    second one: diagram-only groups join the described table their name means (case and plural aside)."""
    described = {key(k): k for k in order if any(f.source not in _DIAGRAMS for f in by_key[k])}
    for k in list(order):
        frags = by_key[k]
        target = described.get(key(k))
        if target is None or target == k or any(f.source not in _DIAGRAMS for f in frags):
            continue
        for frag in frags:
            diags.append(
                info(
                    frag.line,
                    f"{frag.source} {frag.name!r} is read as {by_key[target][0].name!r}, described at line "
                    f"{by_key[target][0].line}",
                )
            )
        by_key[target].extend(replace(f, name=by_key[target][0].name) for f in frags)
        del by_key[k]
    order[:] = [k for k in order if k in by_key]  # once: ``order.remove`` per joined group was quadratic


def _rank(frag: TableFragment) -> tuple[bool, int, int, int]:
    """Better notation first; within one notation, a one-column mention (a key summary table's row)
    after a full description, then document order. ``ALTER TABLE ... ADD COLUMN`` only adds, so last."""
    return (frag.extends, SOURCE_RANK.get(frag.source, 9), 1 if len(frag.columns) <= 1 else 0, frag.line)


def _check_case(group: list[TableFragment], diags: list[Diagnostic]) -> None:
    """Two descriptions in one notation whose names differ only in case are two tables in conflict."""
    seen: dict[tuple[str, str], TableFragment] = {}
    for frag in group:
        prior = seen.get((frag.source, frag.name))
        if prior is not None:
            diags.append(
                warning(frag.line, f"table {frag.name!r} is described again (first at line {prior.line}); merged")
            )
            continue
        for (source, name), other in seen.items():
            if source == frag.source and name != frag.name:
                diags.append(
                    error(
                        frag.line,
                        f"table {frag.name!r} differs only in case from {name!r} at line {other.line}; "
                        "a database cannot hold both reliably, rename one",
                    )
                )
        seen[(frag.source, frag.name)] = frag


def _draft(frag: TableFragment, diags: list[Diagnostic]) -> TableDraft:
    draft = TableDraft(
        name=frag.name,
        line=frag.line,
        source=frag.source,
        section=frag.section,
        schema=frag.schema,
        comment=frag.comment,
        notes=list(frag.notes),
    )
    for col in frag.columns:
        if draft.find(col.name) is not None:
            diags.append(
                warning(col.line, f"column {col.name!r} appears twice in table {frag.name!r}; the first is kept")
            )
            continue
        draft.columns[col.name] = _column(col, frag.source)
    _table_level(draft, frag)
    return draft


def _says_optional(comment: str | None) -> bool:
    """``← Optional link to x`` / ``"optional cron expression"``: the document allows NULL."""
    return bool(comment) and comment.strip().lower().startswith("optional")


_COLUMN_FACTS = tuple(f.name for f in fields(ColumnFragment))  # asked once: ``fields`` rebuilds its tuple per call


def _column(col: ColumnFragment, source: str) -> ColumnDraft:
    nullable = True if col.nullable is None and _says_optional(col.comment) else col.nullable
    facts = {name: getattr(col, name) for name in _COLUMN_FACTS}
    facts.update(
        source=source,
        nullable=nullable,
        default=_stated_default(col.default),
        fk_marked=col.fk_marked or col.references is not None,
        enum_source=source if col.enum else "",
        notes=list(col.notes),
    )
    return ColumnDraft(**facts)


def _stated_default(value: str | None) -> str | None:
    """``DEFAULT NULL`` (every MySQL dump writes it) is the absence of a default, not the text NULL."""
    return None if value is None or value.strip().upper() in ("NULL", "NULL()") else value


def _table_level(draft: TableDraft, frag: TableFragment) -> None:
    if frag.primary_key and not draft.primary_key:
        draft.primary_key = list(frag.primary_key)
    for u in frag.unique:
        _add_unique(draft, u)
    draft.foreign_keys.extend(frag.foreign_keys)
    draft.checks.extend(frag.checks)
    draft.indexes.extend(frag.indexes)


def _add_unique(draft: TableDraft, u: UniqueFragment) -> None:
    for existing in draft.unique:
        if set(existing.columns) == set(u.columns) and existing.where == u.where:
            return
    draft.unique.append(u)


def _enrich(draft: TableDraft, frag: TableFragment, primary: TableFragment, diags: list[Diagnostic]) -> None:
    """Add what a lower-ranked description knows to the columns the better one has."""
    unmatched: list[ColumnFragment] = []
    matched: set[str] = set()
    for col in frag.columns:
        target = draft.find(col.name) or _same_meaning(draft, col.name)
        if target is None:
            unmatched.append(col)
            continue
        matched.add(target.name)
        _fill(target, col, frag, diags)
    for col in unmatched:
        if frag.extends:  # ALTER TABLE ... ADD COLUMN adds what the description lacks
            draft.columns[col.name] = _column(col, frag.source)
            continue
        _report_extra(draft, col, frag, primary, matched, diags)
    _table_level(draft, frag)
    for note in frag.notes:
        if note not in draft.notes:
            draft.notes.append(note)
    if draft.comment is None:
        draft.comment = frag.comment


def _same_meaning(draft: TableDraft, name: str) -> ColumnDraft | None:
    for col in draft.columns.values():
        if same_name(col.name, name):
            return col
    return None


def _fill(target: ColumnDraft, col: ColumnFragment, frag: TableFragment, diags: list[Diagnostic]) -> None:
    if target.type is None:
        target.type = col.type
    elif col.type is not None and col.type.name != target.type.name and col.type.name != "enum":
        diags.append(
            info(
                col.line,
                f"{frag.name}.{col.name}: {frag.source} says {col.type.raw or col.type.name}, "
                f"line {target.line} says {target.type.raw or target.type.name}; line {target.line} is used",
            )
        )
    if target.nullable is None and col.nullable is not None:
        target.nullable = col.nullable
    if target.nullable is None and _says_optional(col.comment):
        target.nullable = True
    if target.default is None and _stated_default(col.default) is not None:
        target.default = col.default
    target.primary_key = target.primary_key or col.primary_key
    target.unique = target.unique or col.unique
    if target.references is None and col.references is not None:
        target.references = col.references
    target.fk_marked = target.fk_marked or col.fk_marked or col.references is not None
    if col.enum and not target.enum:
        target.enum, target.enum_source = col.enum, frag.source
    if col.examples and not target.examples:
        target.examples = col.examples
    if target.comment is None:
        target.comment = col.comment
    for note in col.notes:
        if note not in target.notes:
            target.notes.append(note)


def _report_extra(
    draft: TableDraft,
    col: ColumnFragment,
    frag: TableFragment,
    primary: TableFragment,
    matched: set[str],
    diags: list[Diagnostic],
) -> None:
    candidates = [c for c in draft.columns.values() if c.name not in matched and is_abbreviation(col.name, c.name)]
    if len(candidates) == 1:
        target = candidates[0]
        matched.add(target.name)
        # The lower source's facts, under the name the better source uses; every field carried over.
        _fill(target, replace(col, name=target.name), frag, diags)
        note = f"{frag.source} spells {target.name} as {col.name}"
        draft.notes.append(note)
        diags.append(
            info(
                col.line,
                f"{draft.name}.{col.name} ({frag.source}) is read as {target.name!r} (line {target.line}), "
                "a likely abbreviation; the name from line "
                f"{primary.line} is used",
            )
        )
        return
    diags.append(
        warning(
            col.line,
            f"{draft.name}.{col.name} is drawn only by the {frag.source} at line {frag.line}, not by the "
            f"{primary.source} description at line {primary.line}; not added",
        )
    )
