"""Relationships and foreign-key targets.

A column the document marks as a reference but whose target it does not
name (``user_id (FK)``, Mermaid ``uuid organizationId FK``) gets a target
from, in order: a table its name names (``user_id`` -> ``users``); the
target the same column name has elsewhere in the document
(``slack_integration_id``); a table the document relates this one to whose
name ends with the column's noun (``componentId`` -> ``status_page_components``);
the one related table no other reference of the table claims (``inviterId``
with ``user ||--o{ invitation``; two lines between the same tables let two
columns claim it). A relationship labelled with the column's
name (``orders ||--o{ invoices : "order_ref"``) comes before all of these.
Each such choice is an info diagnostic.

A column the document does not mark as a reference is never made one.
Relationship sentences and Mermaid lines also carry ON DELETE rules
(``(CASCADE DELETE)``), applied to the foreign keys that link the two tables.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import replace

from ..document.diagnostics import Diagnostic, info, warning
from ..fragments import Fragment, Reference, RelationshipFragment
from .attach import resolve
from .drafts import ColumnDraft, TableDraft
from .names import key, stem_of_reference, words


def relate(tables: dict[str, TableDraft], fragments: Sequence[Fragment], diags: list[Diagnostic]) -> None:
    rels = _resolved_relationships(tables, [f for f in fragments if isinstance(f, RelationshipFragment)], diags)
    related: dict[str, Counter[str]] = {}
    for _rel, left, right in rels:  # two lines between the same tables allow two references
        related.setdefault(left.name, Counter())[right.name] += 1
        if right is not left:
            related.setdefault(right.name, Counter())[left.name] += 1
    _normalise_explicit(tables, diags)
    _targets_from_labels(rels, diags)
    _columns_from_relationships(tables, rels, diags)
    _infer_targets(tables, related, diags)
    _suggest_unmarked(tables, diags)
    for rel, left, right in rels:
        _apply_relationship(rel, left, right, diags)


def _resolved_relationships(
    tables: dict[str, TableDraft], rels: list[RelationshipFragment], diags: list[Diagnostic]
) -> list[tuple[RelationshipFragment, TableDraft, TableDraft]]:
    out = []
    for rel in rels:
        left, right = resolve(tables, rel.left), resolve(tables, rel.right)
        if left is None or right is None:
            missing = rel.left if left is None else rel.right
            diags.append(info(rel.line, f"relationship names {missing!r}, which is not a table here; ignored"))
            continue
        out.append((rel, left, right))
    return out


def _normalise_explicit(tables: dict[str, TableDraft], diags: list[Diagnostic]) -> None:
    """Spell explicit targets as the tables are spelled (``subscription`` -> ``subscriptions``), and say so
    when more than letter case or a ``public.`` prefix differs: never silent."""

    def said(where: str, name: str, target: TableDraft, line: int) -> None:
        if target.name.lower() != name.removeprefix("public.").lower():
            diags.append(info(line, f"{where} references {name!r}; read as table {target.name}, the nearest spelling"))

    for table in tables.values():
        for col in table.columns.values():
            ref = col.references
            if ref is not None:
                target = resolve(tables, ref.table)
                if target is not None and target.name != ref.table:
                    said(f"{table.name}.{col.name}", ref.table, target, col.line)
                    col.references = replace(ref, table=target.name)
        for i, fk in enumerate(table.foreign_keys):
            target = resolve(tables, fk.references.table)
            if target is not None and target.name != fk.references.table:
                said(f"{table.name}({', '.join(fk.columns)})", fk.references.table, target, fk.line)
                table.foreign_keys[i] = replace(fk, references=replace(fk.references, table=target.name))


def _targets_from_labels(
    rels: list[tuple[RelationshipFragment, TableDraft, TableDraft]], diags: list[Diagnostic]
) -> None:
    """A relationship labelled with a column's name (``a ||--o{ b : "a_ref"``) names that column's target."""
    for rel, left, right in rels:
        label = (rel.label or "").strip().strip("`\"'")
        for child, parent in ((right, left), (left, right)):
            col = child.columns.get(label)
            if col is not None and col.fk_marked and col.references is None:
                col.references = Reference(parent.name, (), line=col.line)
                col.notes.append("foreign key target inferred: a relationship labelled with its name")
                diags.append(
                    info(rel.line, f"{child.name}.{col.name} references {parent.name} (the relationship's label)")
                )
                break


_MARKING_SOURCES = {"prose": "relationship sentence", "mermaid": "relationship line"}


def _columns_from_relationships(
    tables: dict[str, TableDraft],
    rels: list[tuple[RelationshipFragment, TableDraft, TableDraft]],
    diags: list[Diagnostic],
) -> None:
    """ "Each order belongs to one customer" with an unmarked ``orders.customer_id``: the sentence marks it.

    A relationship stated in words (prose) or drawn as a Mermaid line
    (``customer ||--o{ order : places``) does this, and only through the one
    column whose name names the other table (``customer_id``, ``customerId``), or else the one
    column named as the other table's own key (``MaKH`` beside ``KhachHang`` keyed by ``MaKH``);
    a column is never invented, and tables the document does not relate are
    never linked by their column names alone.
    """
    for rel, left, right in rels:
        if rel.source not in _MARKING_SOURCES or _links(right, left) or _links(left, right):
            continue
        many_left = rel.left_cardinality.startswith("}") or rel.right_cardinality in ("||", "|o", "o|")
        for child, parent in ((left, right), (right, left)) if many_left else ((right, left), (left, right)):
            hits = [
                c
                for c in child.columns.values()
                if not c.fk_marked
                and not c.primary_key
                and (stem := stem_of_reference(c.name))
                and resolve(tables, stem) is parent
            ]
            how = ""
            if not hits:
                hits, how = _holding_the_key(child, parent), f"; it has the name of {parent.name}'s key"
            if len(hits) == 1:
                col = hits[0]
                col.references, col.fk_marked = Reference(parent.name, (), line=rel.line), True
                what = _MARKING_SOURCES[rel.source]
                col.notes.append(f"foreign key target inferred: a {what}")
                diags.append(info(rel.line, f"{child.name}.{col.name} references {parent.name} (this {what}{how})"))
                break


def _holding_the_key(child: TableDraft, parent: TableDraft) -> list[ColumnDraft]:
    """``DatVe.MaKH`` for ``KhachHang`` keyed by ``MaKH``: the column named as the parent's own key
    (never a bare ``id``, which every table has)."""
    if len(parent.primary_key) != 1 or key(parent.primary_key[0]) == "id":
        return []
    name = parent.primary_key[0].casefold()
    return [c for c in child.columns.values() if not c.fk_marked and not c.primary_key and c.name.casefold() == name]


def _infer_targets(tables: dict[str, TableDraft], related: dict[str, Counter[str]], diags: list[Diagnostic]) -> None:
    known = _known_targets(tables)
    for table in tables.values():
        claimed = Counter(c.references.table for c in table.columns.values() if c.references is not None)
        pending = [c for c in table.columns.values() if c.fk_marked and c.references is None]
        for col in pending:
            target, why = _target_for(col, table, tables, related.get(table.name, Counter()), known, claimed)
            if target is None:
                diags.append(
                    warning(
                        col.line,
                        f"{table.name}.{col.name} is marked as a foreign key but names no target, "
                        "and none can be told from its name or the relationships; not a foreign key",
                    )
                )
                col.fk_marked = False
                continue
            col.references = Reference(target, (), line=col.line)
            claimed[target] += 1
            col.notes.append(f"foreign key target inferred: {why}")
            diags.append(info(col.line, f"{table.name}.{col.name} references {target} ({why})"))


def _known_targets(tables: dict[str, TableDraft]) -> dict[str, str]:
    known: dict[str, str] = {}
    for table in tables.values():
        for col in table.columns.values():
            if col.references is not None and col.name not in known:
                known[col.name] = col.references.table
    return known


def _target_for(
    col: ColumnDraft,
    table: TableDraft,
    tables: dict[str, TableDraft],
    related: Counter[str],
    known: dict[str, str],
    claimed: Counter[str],
) -> tuple[str | None, str]:
    stem = stem_of_reference(col.name)
    if stem:
        direct = resolve(tables, stem)
        if direct is not None:
            return direct.name, f"its name names {direct.name}"
    if col.name in known:
        return known[col.name], f"{col.name} references {known[col.name]} elsewhere in the document"
    keyed = [
        t.name
        for t in tables.values()
        if t is not table and len(t.primary_key) == 1 and t.primary_key[0].casefold() == col.name.casefold()
    ]
    if len(keyed) == 1:  # "id_piece (FK)" and the one table whose primary key is id_piece
        return keyed[0], f"{keyed[0]}'s primary key has its name"
    named_table = resolve(tables, col.name) if not stem else None
    if named_table is not None and named_table is not table:  # Rails "user | references": the table users
        return named_table.name, f"its name names {named_table.name}"
    if not stem:  # "author (FK)" and the one table whose primary key is id_author / author_id
        named = [
            t.name
            for t in tables.values()
            if t is not table and len(t.primary_key) == 1 and _key_names(t.primary_key[0], col.name)
        ]
        if len(named) == 1:
            return named[0], f"{named[0]}'s primary key {tables[named[0]].primary_key[0]} is named after it"
    if stem:
        for pool, where in ((sorted(related), "a related table"), (_noun_candidates(stem, tables), "a table")):
            hits = [n for n in pool if _noun_matches(stem, n) and n != table.name]
            if len(hits) == 1:
                return hits[0], f"{where} whose name matches {stem!r}"
    free = sorted(n for n in related if claimed[n] < related[n] and n != table.name)
    if len(free) == 1:
        if claimed[free[0]]:
            return free[0], "another relationship line to the table, not yet claimed by a column"
        return free[0], "the one related table no other column references"
    return None, ""


_SUFFIXES: list[object] = [None, -1, None]  # the tables dict last indexed, its size, and the index


def _noun_candidates(stem: str, tables: dict[str, TableDraft]) -> list[str]:
    """The tables ``_noun_matches`` could accept, found by word suffix rather than by testing every table
    (which made reading quadratic in the number of FK columns times tables)."""
    if not (_SUFFIXES[0] is tables and _SUFFIXES[1] == len(tables)):
        index: dict[str, set[str]] = {}
        for name in tables:
            parts = key(name).split("_")
            for j in range(len(parts)):
                index.setdefault("_".join(parts[j:]), set()).add(name)
        _SUFFIXES[:] = [tables, len(tables), index]
    index = _SUFFIXES[2]  # type: ignore[assignment]
    parts = key(stem).split("_")
    found: set[str] = set()
    for j in range(len(parts)):
        found |= index.get("_".join(parts[j:]), set())  # type: ignore[union-attr]
    return sorted(found)


def _key_names(primary_key: str, column: str) -> bool:
    """Whether ``primary_key`` is ``column`` with an id word before or after it (``id_author`` for ``author``)."""
    ws, cs = words(primary_key), words(column)
    return bool(cs) and len(ws) == len(cs) + 1 and (ws[1:] == cs and ws[0] == "id" or ws[:-1] == cs and ws[-1] == "id")


def _noun_matches(stem: str, table_name: str) -> bool:
    s, t = key(stem), key(table_name)
    return t.endswith("_" + s) or s.endswith("_" + t)


def _suggest_unmarked(tables: dict[str, TableDraft], diags: list[Diagnostic]) -> None:
    for table in tables.values():
        fk_cols = {c for fk in table.foreign_keys for c in fk.columns}
        for col in table.columns.values():
            if col.references is not None or col.name in fk_cols or col.primary_key:
                continue
            stem = stem_of_reference(col.name)
            target = resolve(tables, stem) if stem else None
            if target is not None and target is not table:
                diags.append(
                    info(
                        col.line,
                        f"{table.name}.{col.name} looks like a reference to {target.name} but is not "
                        "marked as one; no foreign key made",
                    )
                )


def _links(child: TableDraft, parent: TableDraft) -> list[ColumnDraft]:
    return [c for c in child.columns.values() if c.references is not None and c.references.table == parent.name]


def _apply_relationship(
    rel: RelationshipFragment, left: TableDraft, right: TableDraft, diags: list[Diagnostic]
) -> None:
    cols = _links(right, left) or _links(left, right)
    table_fks = [fk for fk in right.foreign_keys if fk.references.table == left.name] + [
        fk for fk in left.foreign_keys if fk.references.table == right.name
    ]
    if not cols and not table_fks:
        diags.append(
            info(
                rel.line,
                f"relationship {left.name} - {right.name} has no foreign key column in either table; "
                "nothing to enforce",
            )
        )
        return
    if rel.on_delete:
        for col in cols:
            if col.references is not None and col.references.on_delete is None:
                col.references = replace(col.references, on_delete=rel.on_delete)
        for owner in (left, right):
            for i, fk in enumerate(owner.foreign_keys):
                if fk in table_fks and fk.references.on_delete is None:
                    owner.foreign_keys[i] = replace(fk, references=replace(fk.references, on_delete=rel.on_delete))
