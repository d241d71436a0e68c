"""What the API serves: the model's tables with their SQLAlchemy tables, and the relationships between them.

Built once per app from the model and ``build_metadata`` (never by
reflecting the database per request). Relationships follow the foreign keys
that made it into the MetaData, as PostgREST finds them: many-to-one from
the table holding the key, one-to-many the other way (one-to-one either way
when the key's columns are also the holder's primary key or a unique
constraint), many-to-many through a junction whose primary key contains
both foreign keys' columns (a table that merely holds two keys, such as
``tests(organization_id, project_id)``, is no junction). ``resolve``
applies PostgREST's embedding rules, including hints
(``users!created_by``) and the PGRST200/PGRST201 errors.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from ..ddl.metadata import build_metadata, schemas
from ..ddl.types import column_type
from ..schema.model import Column, Schema, Table
from ..schema.views import View, views
from .computed import Computed, ComputedRelationship, computed_fields, computed_relationships
from .errors import ambiguous_relationship, no_relationship, postgresql_only_feature, unknown_table


@dataclass(frozen=True)
class Link:
    """One foreign key: ``table(columns) -> ref_table(ref_columns)``."""

    name: str
    table: str
    columns: tuple[str, ...]
    ref_table: str
    ref_columns: tuple[str, ...]


@dataclass(frozen=True)
class Relationship:
    """How to reach ``target`` from a parent: ``kind`` is m2o, o2m or m2m (``via`` the junction)."""

    kind: str
    target: str
    link: Link
    via: Link | None = None  # m2m: junction -> target
    one_to_one: bool = False  # the key's columns are unique in the table holding them
    function: str | None = None  # kind "computed": the function over the parent's row that gives the rows

    @property
    def to_one(self) -> bool:
        """Whether the embed is an object (many-to-one, one-to-one) rather than an array."""
        return self.kind == "m2o" or self.one_to_one

    @property
    def cardinality(self) -> str:
        if self.kind == "m2m":
            return "many-to-many"
        if self.one_to_one:
            return "one-to-one"
        return "many-to-one" if self.kind == "m2o" else "one-to-many"

    @property
    def hint(self) -> str:
        """What to write after ``!`` to pick this relationship (PostgREST's PGRST201 hint)."""
        return self.link.table if self.kind == "m2m" else self.link.name

    def detail(self, parent: str) -> dict[str, str]:
        """One entry of PGRST201's ``details``, worded as PostgREST words it."""
        link = self.link
        if self.kind == "m2m" and self.via is not None:
            used = f"{link.table} using {link.name}{_cols(link.columns)} and {self.via.name}{_cols(self.via.columns)}"
        elif self.kind == "m2o":
            used = f"{link.name} using {parent}{_cols(link.columns)} and {self.target}{_cols(link.ref_columns)}"
        else:
            used = f"{link.name} using {parent}{_cols(link.ref_columns)} and {self.target}{_cols(link.columns)}"
        return {"cardinality": self.cardinality, "embedding": f"{parent} with {self.target}", "relationship": used}


class Catalog:
    """Tables, columns and relationships of one schema for one dialect."""

    def __init__(self, schema: Schema, dialect: str, exposed: tuple[str, ...] = ()) -> None:
        self.schema = schema
        self.dialect = dialect
        # Accept-Profile's choices (setting db_schemas): by default public, then the document's other schemas
        self.exposed = exposed or ("public", *schemas(schema))
        self.metadata = build_metadata(schema, dialect)
        self.tables: dict[str, Table] = {t.name: t for t in schema.tables if t.name in self.metadata.tables}
        self.columns: dict[str, dict[str, Column]] = {n: {c.name: c for c in t.columns} for n, t in self.tables.items()}
        self.computed: dict[str, dict[str, Computed]] = computed_fields(schema)  # functions over a row type
        # functions over a row type returning another table's rows, embedded by name
        self.computed_relationships: dict[str, dict[str, ComputedRelationship]] = computed_relationships(schema)
        self.links: list[Link] = []
        for name in self.tables:
            sa_table = self.metadata.tables[name]
            for fkc in sorted(sa_table.foreign_key_constraints, key=lambda f: [c.name for c in f.columns]):
                cols = tuple(c.name for c in fkc.columns)
                refs = tuple(e.column.name for e in fkc.elements)
                ref_table = fkc.elements[0].column.table.fullname
                model_name = self._model_fk_name(name, cols)
                self.links.append(Link(model_name or f"{name}_{'_'.join(cols)}_fkey", name, cols, ref_table, refs))
        self.views: dict[str, View] = {}
        self.unserved: dict[str, str] = {}  # view -> why SQLite cannot serve it (PGRST127 names it)
        self.view_metadata = sa.MetaData()
        found, _ = views(schema)
        for view in found:
            if dialect == "sqlite" and not view.sqlite:
                self.unserved[view.name] = view.sqlite_why
            elif all(b in self.metadata.tables or b in self.views for b in view.bases):
                self._add_view(view)

    def _add_view(self, view: View) -> None:
        """A view read like a table; PostgREST's relationships through its plainly copied key columns."""
        table = view.as_table()
        columns = []
        for vc in view.columns:
            if vc.source is not None:
                kind = self.sa_table(vc.source[0]).c[vc.source[1]].type
            else:
                kind = column_type(vc.column, self.dialect)
            columns.append(sa.Column(vc.column.name, kind, primary_key=vc.column.name in table.primary_key))
        sa.Table(view.name, self.view_metadata, *columns)
        self.views[view.name] = view
        self.tables[view.name] = table
        self.columns[view.name] = {c.name: c for c in table.columns}
        for link in list(self.links):
            if link.table in view.bases:  # the view holds the key: many-to-one from the view
                cols = tuple(view.column_from(link.table, c) for c in link.columns)
                if all(cols):
                    self.links.append(Link(link.name, view.name, cols, link.ref_table, link.ref_columns))  # type: ignore[arg-type]
            if link.ref_table in view.bases:  # the view holds the referenced key: one-to-many to the view
                refs = tuple(view.column_from(link.ref_table, c) for c in link.ref_columns)
                if all(refs):
                    self.links.append(Link(link.name, link.table, link.columns, view.name, refs))  # type: ignore[arg-type]

    def _model_fk_name(self, table: str, cols: tuple[str, ...]) -> str | None:
        for fk in self.tables[table].foreign_keys:
            if tuple(fk.columns) == cols and fk.name:
                return fk.name
        return None

    def table(self, name: str) -> Table:
        table = self.tables.get(name)
        if table is None:
            if name in self.unserved:
                raise postgresql_only_feature(f"view {name}", self.unserved[name])
            raise unknown_table(name)
        return table

    def sa_table(self, name: str) -> sa.Table:
        found = self.metadata.tables.get(name)
        return found if found is not None else self.view_metadata.tables[name]

    def _unique_in_holder(self, link: Link) -> bool:
        """PostgREST's one-to-one: the key's columns are exactly the holder's primary key or a unique constraint."""
        table = self.tables[link.table]
        keys = {frozenset(table.primary_key)} | {frozenset(u.columns) for u in table.unique if u.where is None}
        return frozenset(link.columns) in keys

    def _junction(self, a: Link, b: Link) -> bool:
        """Both keys' columns lie inside the junction's primary key (PostgREST's addM2MRels)."""
        pk = set(self.tables[a.table].primary_key)
        return bool(pk) and set(a.columns) | set(b.columns) <= pk

    def candidates(self, parent: str, name: str) -> list[Relationship]:
        found: list[Relationship] = []
        schema_name, _, _ = parent.rpartition(".")
        if schema_name and f"{schema_name}.{name}" in self.tables:  # an embed names a table of its parent's schema
            name = f"{schema_name}.{name}"
        for link in self.links:
            one = self._unique_in_holder(link)
            # by a constraint or column name, PostgREST reaches tables only, never the views over them
            # (PostgREST issue 2277): ``username(*)`` is the users row, not also each view exposing users' key
            by_key = link.ref_table not in self.views and name in (link.name, *link.columns[:1])
            if link.table == parent and (link.ref_table == name or by_key):
                found.append(Relationship("m2o", link.ref_table, link, one_to_one=one))
            # the children by table name, or by the key's constraint name alone (``best_friends_first_user_fkey(*)``)
            by_name = name == link.name and link.table != parent and link.table not in self.views
            if link.ref_table == parent and (link.table == name or by_name):
                found.append(Relationship("o2m", link.table, link, one_to_one=one))
        if name in self.tables:
            for a in self.links:
                if a.ref_table != parent or a.table in (parent, name):
                    continue
                for b in self.links:
                    if b.table == a.table and b is not a and b.ref_table == name and self._junction(a, b):
                        found.append(Relationship("m2m", name, a, b))
        return found

    def resolve(self, parent: str, name: str, hint: str | None) -> Relationship:
        """The one relationship ``parent -> name`` (optionally narrowed by ``hint``), else PGRST200/201."""
        computed = self.computed_relationships.get(parent, {}).get(name) if hint is None else None
        if computed is not None:  # PostgREST: a computed relationship overrides a foreign key's of that name
            link = Link(computed.function, parent, (), computed.target, ())
            return Relationship("computed", computed.target, link, None, computed.to_one, computed.function)
        found = self.candidates(parent, name)
        if hint is not None:
            found = [r for r in found if _matches(r, hint)]
        if not found:
            raise no_relationship(parent, name, hint)
        if len(found) > 1:
            exact = [r for r in found if r.kind == "m2o" and name in (r.link.name, r.link.columns[0])]
            if len(exact) == 1:
                return exact[0]
            # A table embedding itself by name means its children (PostgREST's recursive one-to-many);
            # the parent is reached through the key column's name (``parent_id(*)``).
            if parent == name and len({r.link for r in found}) == 1:
                return next(r for r in found if r.kind == "o2m")
            raise ambiguous_relationship(parent, name, found)
        return found[0]


def _cols(columns: tuple[str, ...]) -> str:
    return "(" + ", ".join(columns) + ")"


def _matches(rel: Relationship, hint: str) -> bool:
    if hint in (rel.link.name, *rel.link.columns):
        return True
    if rel.via is not None and hint in (rel.link.table, rel.via.name, *rel.via.columns):
        return True
    return False
