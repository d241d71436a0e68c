"""Design documents nobody working on docbase had seen, read as a careful person would.

Each document in ``docs/`` is written the way a real team writes one, in a
style the seeds do not use: DBML for a marketplace, a Prisma schema, a
mysqldump, a German wiki page with column tables and bullets, hand-drawn
``+---+`` boxes side by side, and Mermaid with column tables for the same
tables. The tests state the facts a reader would write down (tables,
columns, types, keys, ON DELETE, uniques, enums, examples) and that the
document reads without an error.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from docbase.pipeline import load_schema
from docbase.schema import Schema

DOCS = Path(__file__).parent / "docs"


def read(name: str) -> Schema:
    schema = load_schema(DOCS / name)
    errors = [f"{d.line}: {d.message}" for d in schema.errors]
    assert not errors, errors
    return schema


def cols(schema: Schema, table: str) -> dict[str, tuple]:
    """column -> (type, nullable) of ``table``."""
    t = schema.table(table)
    assert t is not None, f"no table {table!r} in {[t.name for t in schema.tables]}"
    return {c.name: (c.type, c.nullable) for c in t.columns}


def fks(schema: Schema, table: str) -> dict[tuple[str, ...], tuple[str, tuple[str, ...], str | None]]:
    return {fk.columns: (fk.ref_table, fk.ref_columns, fk.on_delete) for fk in schema.table(table).foreign_keys}


def uniques(schema: Schema, table: str) -> set[tuple[str, ...]]:
    t = schema.table(table)
    return {u.columns for u in t.unique} | {ix.column_names for ix in t.indexes if ix.unique}


@pytest.mark.parametrize("name", sorted(p.name for p in DOCS.glob("*.md")))
def test_every_document_reads_without_errors_or_warnings_about_its_tables(name: str) -> None:
    schema = read(name)
    assert schema.tables
    unread = [d.message for d in schema.diagnostics if d.level == "warning" and "not read" in d.message]
    assert not unread


def test_dbml_marketplace() -> None:
    s = read("marketplace_dbml.md")
    assert [t.name for t in s.tables] == ["users", "shops", "listings", "orders", "order_lines", "favourites"]
    assert cols(s, "users") == {
        "id": ("uuid", False),
        "email": ("varchar", False),
        "display_name": ("varchar", False),
        "created_at": ("timestamptz", False),
    }
    assert s.table("users").column("email").length == 320
    assert uniques(s, "users") == {("email",)}
    assert fks(s, "shops") == {("owner_id",): ("users", ("id",), None)}
    assert uniques(s, "shops") == {("slug",)}
    assert s.table("shops").column("rating").precision == 3
    listings = s.table("listings")
    assert listings.primary_key == ("id",) and listings.column("id").type == "bigint"
    assert listings.column("status").enum == ("draft", "active", "sold_out", "archived")
    assert listings.column("status").default.strip("'") == "draft"
    assert listings.column("tags").type == "array" and listings.column("tags").item_type == "text"
    assert fks(s, "listings") == {("shop_id",): ("shops", ("id",), "cascade")}
    assert {ix.column_names for ix in listings.indexes} == {("shop_id", "status"), ("title",)}
    assert fks(s, "orders") == {("buyer_id",): ("users", ("id",), "restrict")}
    assert s.table("order_lines").primary_key == ("order_id", "listing_id")
    assert fks(s, "order_lines") == {
        ("order_id",): ("orders", ("id",), "cascade"),
        ("listing_id",): ("listings", ("id",), None),
    }
    assert s.table("order_lines").column("quantity").default == "1"
    assert uniques(s, "favourites") == {("user_id", "listing_id")}


def test_prisma_saas() -> None:
    s = read("saas_prisma.md")
    assert [t.name for t in s.tables] == ["Organization", "User", "Membership", "Project", "Task"]
    # relation fields (memberships, projects, user, organization...) are not columns
    assert list(cols(s, "Organization")) == ["id", "name", "slug", "plan", "createdAt"]
    assert list(cols(s, "User")) == ["id", "email", "name", "avatar_url"]  # @map renames the column
    assert cols(s, "User")["name"] == ("text", True)
    assert s.table("Organization").column("plan").enum == ("FREE", "PRO", "ENTERPRISE")
    assert s.table("Organization").column("createdAt").default.lower() == "now()"
    assert uniques(s, "Organization") == {("slug",)}
    membership = s.table("Membership")
    assert membership.primary_key == ("userId", "organizationId")
    assert membership.column("role").enum == ("OWNER", "ADMIN", "MEMBER")
    assert fks(s, "Membership") == {
        ("userId",): ("User", ("id",), "cascade"),
        ("organizationId",): ("Organization", ("id",), "cascade"),
    }
    project = s.table("Project")
    assert project.column("id").type == "integer"
    assert project.column("key").type == "varchar" and project.column("key").length == 10
    assert (project.column("budget").type, project.column("budget").precision, project.column("budget").scale) == (
        "numeric",
        12,
        2,
    )
    assert project.column("settings").type in ("json", "jsonb")
    assert uniques(s, "Project") == {("organizationId", "key")}
    assert fks(s, "Task") == {
        ("projectId",): ("Project", ("id",), "cascade"),
        ("assigneeId",): ("User", ("id",), "set null"),
    }
    assert cols(s, "Task")["dueOn"] == ("date", True)


def test_mysql_dump() -> None:
    s = read("shop_mysql_dump.md")
    assert [t.name for t in s.tables] == ["customers", "addresses", "orders", "order_items"]
    # a dump's DROP TABLE IF EXISTS and SET lines are housekeeping, not something to warn about
    assert not [d for d in s.diagnostics if d.level != "info"]
    customers = s.table("customers")
    assert customers.primary_key == ("id",) and customers.column("id").type == "integer"
    assert customers.column("tier").enum == ("bronze", "silver", "gold")
    assert customers.column("full_name").default is None  # DEFAULT NULL is no default
    assert uniques(s, "customers") == {("email",)}
    assert fks(s, "addresses") == {("customer_id",): ("customers", ("id",), "cascade")}
    orders = s.table("orders")
    assert orders.column("id").type == "bigint"
    assert orders.column("status").enum == ("pending", "paid", "shipped", "cancelled")
    assert (orders.column("total").precision, orders.column("total").scale) == (10, 2)
    assert fks(s, "orders") == {
        ("customer_id",): ("customers", ("id",), "set null"),
        ("shipping_address_id",): ("addresses", ("id",), None),
    }
    assert [ix.column_names for ix in orders.indexes] == [("status", "placed_at")]
    assert s.table("order_items").primary_key == ("order_id", "sku")
    assert fks(s, "order_items") == {("order_id",): ("orders", ("id",), "cascade")}


def test_german_wiki_page() -> None:
    s = read("clinic_de.md")
    assert [t.name for t in s.tables] == ["patienten", "aerzte", "termine", "befunde"]
    patienten = cols(s, "patienten")
    assert patienten["versichertennummer"] == ("varchar", False)  # Pflichtfeld: ja
    assert patienten["telefon"] == ("varchar", True)  # Pflichtfeld: nein
    assert uniques(s, "patienten") == {("versichertennummer",)}
    assert s.table("patienten").column("erstellt_am").default == "now()"  # "Standard: now()"
    aerzte = s.table("aerzte")
    assert aerzte.column("fachrichtung").examples == ("Allgemeinmedizin", "Kardiologie")  # z.B.
    assert aerzte.column("fachrichtung").enum is None
    termine = s.table("termine")
    assert termine.column("status").enum == ("geplant", "bestaetigt", "abgesagt", "erledigt")
    assert fks(s, "termine") == {
        ("patient_id",): ("patienten", ("id",), "cascade"),
        ("arzt_id",): ("aerzte", ("id",), None),
    }
    assert uniques(s, "termine") == {("arzt_id", "beginnt_um")}
    # the bullet list: Primärschlüssel, Fremdschlüssel auf `termine.id`, nicht null, Standard: `now()`
    befunde = s.table("befunde")
    assert befunde.primary_key == ("id",)
    assert fks(s, "befunde") == {("termin_id",): ("termine", ("id",), None)}
    assert cols(s, "befunde")["text"] == ("text", False)
    assert befunde.column("erstellt_am").default == "now()"


def test_ascii_boxes_side_by_side() -> None:
    s = read("library_ascii.md")
    assert sorted(t.name for t in s.tables) == ["books", "loans", "members", "reservations"]
    assert list(cols(s, "members")) == ["id", "card_number", "full_name", "email", "joined_at"]
    assert list(cols(s, "books")) == ["id", "isbn", "title", "published_year", "copies_total"]
    assert uniques(s, "members") == {("card_number",)}
    assert uniques(s, "books") == {("isbn",)}
    for table in ("loans", "reservations"):
        assert s.table(table).primary_key == ("id",)
        assert fks(s, table) == {("member_id",): ("members", ("id",), None), ("book_id",): ("books", ("id",), None)}
    assert s.table("reservations").column("status").enum == ("waiting", "ready", "expired")
    assert uniques(s, "reservations") == {("member_id", "book_id")}
    assert "returned_at" in cols(s, "loans")


def test_mermaid_with_column_tables_for_the_same_tables() -> None:
    s = read("fleet_mixed.md")
    assert sorted(t.name for t in s.tables) == ["depots", "drivers", "positions", "trips", "vehicles"]
    # the column table outranks the diagram: its types, NOT NULL, defaults and ON DELETE win
    vehicles = s.table("vehicles")
    assert cols(s, "vehicles")["plate"] == ("varchar", False) and vehicles.column("plate").length == 12
    assert vehicles.column("kind").enum == ("van", "truck", "car")
    assert vehicles.column("kind").default.strip("'") == "van"
    assert vehicles.column("odometer_km").default == "0"
    assert fks(s, "vehicles") == {("depot_id",): ("depots", ("id",), "restrict")}
    assert uniques(s, "vehicles") == {("plate",)}
    assert fks(s, "trips") == {
        ("vehicle_id",): ("vehicles", ("id",), "cascade"),
        ("driver_id",): ("drivers", ("id",), "set null"),
    }
    assert cols(s, "trips")["started_at"] == ("timestamptz", False)
    assert cols(s, "positions")["lat"] == ("float", False)
    assert uniques(s, "positions") == {("trip_id", "recorded_at")}
    # tables only the diagram draws still come through, with its keys
    assert cols(s, "drivers") == {"id": ("uuid", False), "full_name": ("text", None), "licence_no": ("text", None)}
    assert uniques(s, "drivers") == {("licence_no",)}


def test_supabase_migration_in_lower_case() -> None:
    s = read("journal_supabase.md")
    assert [t.name for t in s.tables] == ["notebooks", "entries"]  # auth.users is docbase's own
    notebooks = s.table("notebooks")
    assert notebooks.column("id").type == "bigint" and notebooks.primary_key == ("id",)
    # "references auth.users" names no column: the table's key is meant
    assert fks(s, "notebooks") == {("owner_id",): ("auth.users", ("id",), "cascade")}
    assert notebooks.column("colour").enum == ("blue", "green", "orange")
    assert notebooks.rls and s.table("entries").rls
    entries = s.table("entries")
    assert entries.column("mood").enum == ("great", "good", "meh", "bad")
    assert entries.column("tags").type == "array" and entries.column("tags").nullable is False
    assert fks(s, "entries") == {
        ("notebook_id",): ("notebooks", ("id",), "cascade"),
        ("owner_id",): ("auth.users", ("id",), "cascade"),
    }
    assert uniques(s, "entries") == {("notebook_id", "written_on")}
    methods = {ix.column_names: ix.method for ix in entries.indexes}
    assert methods[("tags",)] == "gin" and ("owner_id", "written_on") in methods
    assert {p.table for p in s.policies} == {"notebooks", "entries"}


def test_mysql_describe_output_pasted_as_tables() -> None:
    s = read("inventory_describe.md")
    assert [t.name for t in s.tables] == ["warehouses", "stock_levels"]
    assert cols(s, "warehouses") == {
        "id": ("integer", False),
        "code": ("varchar", False),
        "name": ("varchar", False),
        "country": ("varchar", False),
    }
    assert s.table("warehouses").column("code").default is None  # Default: NULL
    assert uniques(s, "warehouses") == {("code",)}  # Key: UNI
    levels = s.table("stock_levels")
    assert levels.primary_key == ("id",) and levels.column("id").type == "bigint"
    assert levels.column("on_hand").default == "0"
    assert cols(s, "stock_levels")["updated_at"] == ("timestamp", True)
    assert {ix.column_names for ix in levels.indexes} >= {("warehouse_id",), ("sku",)}  # Key: MUL
    # the sentences under the tables
    assert fks(s, "stock_levels") == {("warehouse_id",): ("warehouses", ("id",), "cascade")}
    assert uniques(s, "stock_levels") == {("warehouse_id", "sku")}


def test_sqlite_schema_dump() -> None:
    s = read("notes_sqlite.md")
    # sqlite_sequence is SQLite's own bookkeeping, not the app's
    assert [t.name for t in s.tables] == ["folders", "notes", "note_links"]
    assert fks(s, "folders") == {("parent_id",): ("folders", ("id",), "cascade")}
    assert uniques(s, "folders") == {("name",)}
    notes = cols(s, "notes")
    assert notes["pinned"] == ("boolean", False)  # as written, not SQLite's INTEGER affinity
    assert notes["created"] == ("float", False)
    assert notes["title"] == ("text", False)
    # WITHOUT ROWID is a storage option; the table is still read
    links = s.table("note_links")
    assert links.primary_key == ("from_note", "to_note")
    assert fks(s, "note_links") == {
        ("from_note",): ("notes", ("id",), "cascade"),
        ("to_note",): ("notes", ("id",), "cascade"),
    }


def test_spanish_wiki_page() -> None:
    s = read("gym_es.md")
    assert [t.name for t in s.tables] == ["socios", "clases", "instructores", "reservas"]
    socios = s.table("socios")
    assert socios.column("plan").enum == ("mensual", "trimestral", "anual")
    assert socios.column("plan").default.strip("'") == "mensual"
    assert uniques(s, "socios") == {("dni",)}
    clases = s.table("clases")
    assert clases.column("id").type == "integer"  # SERIAL
    assert clases.column("nombre").examples == ("Spinning", "Yoga")  # "p. ej." is "e.g."
    assert clases.column("nombre").enum is None
    assert fks(s, "clases") == {("instructor_id",): ("instructores", ("id",), "set null")}
    # bullets: clave primaria, no nulo, único
    assert s.table("instructores").primary_key == ("id",)
    assert cols(s, "instructores")["email"] == ("varchar", False)
    assert uniques(s, "instructores") == {("email",)}
    assert fks(s, "reservas") == {
        ("socio_id",): ("socios", ("id",), "cascade"),
        ("clase_id",): ("clases", ("id",), "cascade"),
    }
    assert uniques(s, "reservas") == {("socio_id", "clase_id", "fecha")}
