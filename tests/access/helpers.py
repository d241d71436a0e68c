"""Small hand-built schemas for access tests (the reader has its own tests)."""

from __future__ import annotations

from docbase.schema.model import Column, ForeignKey, Schema, Table


def table(name: str, columns: str, fks: dict[str, str] | None = None, pk: str = "id", **types: str) -> Table:
    """``table("projects", "id workspace_id! name", {"workspace_id": "workspaces"})``; ``!`` marks NOT NULL,
    ``?`` nullable; keyword arguments give a column a type or an enum (``role="owner|admin"``)."""
    cols = []
    for spec in columns.split():
        name_ = spec.rstrip("!?")
        nullable = False if spec.endswith("!") or name_ == pk else True if spec.endswith("?") else None
        kind = types.get(name_, "uuid" if name_ == pk or name_.lower().endswith("id") else "text")
        enum = tuple(kind.split("|")) if "|" in kind else None
        cols.append(Column(name_, "enum" if enum else kind, nullable=nullable, enum=enum))
    keys = tuple(
        ForeignKey((col,), ref.split(".")[0] if "." in ref and not ref.startswith("auth.") else ref, ("id",))
        for col, ref in (fks or {}).items()
    )
    return Table(name, tuple(cols), (pk,) if pk else (), keys)


def schema(*tables: Table) -> Schema:
    return Schema(tuple(tables))


def saas() -> Schema:
    """Users, workspaces with members, projects, files, and the usual hangers-on."""
    return schema(
        table("users", "id email password_hash"),
        table("workspaces", "id name owner_id!", {"owner_id": "users"}),
        table(
            "workspace_members",
            "id workspace_id! user_id! role",
            {"workspace_id": "workspaces", "user_id": "users"},
            role="owner|admin|member|viewer",
        ),
        table("projects", "id workspace_id! name", {"workspace_id": "workspaces"}),
        table("files", "id project_id! created_by body", {"project_id": "projects", "created_by": "users"}),
        table("notes", "id user_id! body", {"user_id": "users"}),
        table("plans", "id name price_cents", price_cents="integer"),
        table("subscriptions", "id workspace_id! plan_id", {"workspace_id": "workspaces", "plan_id": "plans"}),
        table("refresh_tokens", "id user_id token", {"user_id": "users"}),
        table("job_runs", "id status attempts", attempts="integer"),
    )
