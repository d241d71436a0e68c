"""ASCII box diagrams: what a reader of the drawing would say each box means."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from docbase.document import split
from docbase.fragments import Reference, TableFragment
from docbase.readers import ascii

from ..conftest import EXPECTED_DIR, seed_file

SEED_000 = seed_file("000")
EXPECTED_000 = EXPECTED_DIR / f"{SEED_000.stem}.json"


def blocks(text: str):
    return [b for b in split(text).blocks if b.kind == "code"]


def read(diagram: str):
    """Read a diagram fenced at document line 1, so its first line is line 2."""
    (block,) = blocks(f"```\n{diagram.strip(chr(10))}\n```\n")
    assert ascii.accepts(block)
    return ascii.read(block)


def tables(diagram: str) -> dict[str, TableFragment]:
    return {t.name: t for t in read(diagram).fragments}


def col(table: TableFragment, name: str):
    return next(c for c in table.columns if c.name == name)


USERS = """
┌──────────────────────┐
│       USERS          │
├──────────────────────┤
│ id (PK)              │
│ email (UNIQUE)       │
│ newsletter_subscribed│
│ org_id (FK → orgs)   │
│ team_id (FK -> teams.id)│
│ ws_id (FK, UNIQUE)   │
│ role (ENUM)          │
│ prefs (JSON)         │
│ kind (personal/team) │
│ nickname             │
└──────────────────────┘
"""


# --- accepts -----------------------------------------------------------------


@pytest.mark.parametrize(
    "fence, accepted",
    [("```", True), ("```text", True), ("```plain", True), ("```sql", False), ("```mermaid", False)],
)
def test_accepts_only_plain_code_blocks(fence, accepted):
    (block,) = blocks(f"{fence}\n{USERS.strip()}\n```\n")
    assert ascii.accepts(block) is accepted


def test_accepts_unfenced_box_art_in_the_text():
    doc = split("Intro.\n\n" + USERS.strip() + "\n")
    assert any(ascii.accepts(b) for b in doc.blocks)


@pytest.mark.parametrize(
    "text",
    [
        "src/\n├── app.py\n└── util.py",  # a directory tree has tees but no box
        "a + b = c\n|x| is 1",
        "┌────────────────┐\n│  CORE DOMAIN   │\n└────────────────┘",  # a banner alone draws no table
        "+----+-------+\n| id | name  |\n+----+-------+\n|  1 | alice |\n+----+-------+",  # query output
    ],
)
def test_does_not_accept_blocks_without_a_table_box(text):
    (block,) = blocks(f"```\n{text}\n```\n")
    assert not ascii.accepts(block)


# --- rows --------------------------------------------------------------------


def test_row_markers_become_keys_references_and_types():
    users = tables(USERS)["users"]
    assert [c.name for c in users.columns] == [
        "id", "email", "newsletter_subscribed", "org_id", "team_id", "ws_id", "role", "prefs", "kind", "nickname",
    ]  # fmt: skip
    assert col(users, "id").primary_key
    assert col(users, "email").unique and not col(users, "email").primary_key
    assert col(users, "org_id").references == Reference("orgs")
    assert col(users, "team_id").references == Reference("teams", ("id",))
    ws = col(users, "ws_id")
    assert ws.fk_marked and ws.unique and ws.references is None
    assert col(users, "role").type.name == "enum"
    assert col(users, "prefs").type.name == "json"
    kind = col(users, "kind")
    assert kind.type.name == "enum" and kind.enum == ("personal", "team")
    assert col(users, "nickname").type is None  # the document gives no type


def test_every_column_keeps_its_own_line():
    users = tables(USERS)["users"]
    assert users.line == 3  # the title row (fence on line 1, top edge on line 2)
    assert col(users, "id").line == 5
    assert col(users, "nickname").line == 14


def test_written_types_and_bare_markers_are_read_too():
    t = tables(
        """
+------------------------------+
| Order Items                  |
+------------------------------+
| id        uuid     PK        |
| order_id  uuid     FK orders |
| qty       integer  NOT NULL  |
| note      text               |
+------------------------------+
"""
    )["Order_Items"]
    assert col(t, "id").type.name == "uuid" and col(t, "id").primary_key
    assert col(t, "order_id").references == Reference("orders")
    assert col(t, "qty").type.name == "integer" and col(t, "qty").nullable is False
    assert col(t, "note").type.name == "text"


@pytest.mark.parametrize(
    "title, name",
    [("WORKSPACE_INVITATIONS", "workspace_invitations"), ("orderItems", "orderItems"), ("AuditLog", "AuditLog")],
)
def test_title_case_rules(title, name):
    diagram = f"┌────────────────────────┐\n│ {title:<23}│\n├────────────────────────┤\n│ id (PK)                │\n└────────────────────────┘"
    assert list(tables(diagram)) == [name]


def test_a_row_that_is_not_a_column_is_reported_with_its_line():
    result = read(
        "┌──────────────┐\n│ T            │\n├──────────────┤\n│ id (PK)      │\n│ 42 things    │\n└──────────────┘"
    )
    assert [c.name for c in result.fragments[0].columns] == ["id"]
    assert [(d.level, d.line) for d in result.diagnostics] == [("warning", 6)]
    assert "42 things" in result.diagnostics[0].message


def test_a_row_wider_than_its_box_still_reads():
    t = tables(
        "┌────────────┐\n│ T          │\n├────────────┤\n│ id (PK)    │\n│ very_long_name│  ← Encrypted\n└────────────┘"
    )
    assert col(t["t"], "very_long_name").notes == ("encrypted",)


# --- layout ------------------------------------------------------------------

LAYOUT = """
┌─────────────────────────────────────────┐
│              CORE DOMAIN                │
└─────────────────────────────────────────┘

┌───────────────┐          ┌───────────────┐
│    PLANS      │          │ SUBSCRIPTIONS │
├───────────────┤          ├───────────────┤
│ id (PK)       │<─────────│ plan_id (FK)  │  ← Billing link
│ kind (ENUM)   │  free    │ id (PK)       │
│ price         │  | pro   │ status (ENUM) │  active | past_due | ...
└───────┬───────┘          └───────────────┘
        │                  (UNIQUE: plan_id + status)
        ▼
┌───────────────┐
│    PRICES     │
├───────────────┤
│ id (PK)       │
│ plan_id (FK)  │
└───────────────┘
(UNIQUE: plan_id + id)
"""


def test_boxes_side_by_side_and_stacked_each_read_and_banners_do_not():
    found = tables(LAYOUT)
    assert list(found) == ["plans", "subscriptions", "prices"]
    assert [c.name for c in found["subscriptions"].columns] == ["plan_id", "id", "status"]


def test_connector_is_not_a_note_and_notes_stop_at_the_next_box():
    found = tables(LAYOUT)
    assert col(found["plans"], "id").comment is None  # "<─────────" is an arrow between boxes
    assert col(found["plans"], "kind").enum == ("free", "pro")
    assert col(found["subscriptions"], "plan_id").comment == "Billing link"


def test_constraint_lines_belong_to_the_box_they_sit_under():
    found = tables(LAYOUT)
    assert [u.columns for u in found["subscriptions"].unique] == [("plan_id", "status")]
    assert [u.columns for u in found["prices"].unique] == [("plan_id", "id")]
    assert found["prices"].unique[0].line == 21
    assert found["plans"].unique == ()


def test_constraint_line_under_no_box_is_reported():
    result = read(USERS + "\n                                   (UNIQUE: a + b)\n")
    assert not result.fragments[0].unique
    assert any("not under any box" in d.message and d.line == 17 for d in result.diagnostics)


def test_unclosed_box_is_reported_and_the_others_still_read():
    diagram = """
┌──────────────┐   ┌──────────────┐
│ BROKEN       │   │ FINE         │
├──────────────┤   ├──────────────┤
│ id (PK)      │   │ id (PK)      │
                   └──────────────┘
"""
    result = read(diagram)
    assert [t.name for t in result.fragments] == ["fine"]
    assert [(d.level, d.line) for d in result.diagnostics] == [("warning", 2)]
    assert "BROKEN" in result.diagnostics[0].message


def test_a_box_missing_its_bottom_right_corner_is_reported():
    diagram = "┌──────────┐\n│ T        │\n├──────────┤\n│ id (PK)  │\n└──────────"
    (block,) = blocks(f"```\n{diagram}\n```\n")
    result = ascii.read(block)
    assert result.fragments == [] and result.diagnostics[0].line == 2


def test_connector_forks_are_not_mistaken_for_unclosed_boxes():
    result = read("     ┌────┼────┐\n     ▼         ▼\n" + USERS)
    assert [t.name for t in result.fragments] == ["users"] and result.diagnostics == []


def test_double_line_and_plus_minus_boxes():
    double = "╔══════════╗\n║ ACCOUNTS ║\n╠══════════╣\n║ id (PK)  ║\n╚══════════╝"
    plain = "+----------+\n| accounts |\n+----------+\n| id (PK)  |\n| name     |\n+----------+"
    assert [c.name for c in tables(double)["accounts"].columns] == ["id"]
    assert [c.name for c in tables(plain)["accounts"].columns] == ["id", "name"]


# --- notes -------------------------------------------------------------------


def box_with_notes(notes: list[tuple[str, str]]) -> TableFragment:
    rows = "\n".join(f"│ {name:<20}│  {note}" for name, note in notes)
    diagram = (
        f"┌─────────────────────┐\n│ T                   │\n├─────────────────────┤\n{rows}\n└─────────────────────┘"
    )
    return tables(diagram)["t"]


def test_arrow_notes_mark_encryption_or_become_comments():
    t = box_with_notes(
        [("api_key", "← Encrypted"), ("owner_id (FK)", "← Null if unknown"), ("blob", "← Encrypted JSON")]
    )
    assert col(t, "api_key").notes == ("encrypted",) and col(t, "api_key").comment is None
    assert col(t, "owner_id").comment == "Null if unknown" and col(t, "owner_id").notes == ()
    assert col(t, "blob").notes == ("encrypted",) and col(t, "blob").comment == "Encrypted JSON"


def test_value_lists_labels_examples_and_open_lists():
    t = box_with_notes(
        [
            ("status", "pending | accepted | declined"),
            ("role (ENUM)", "Role: OWNER | USER"),
            ("window_key", "e.g., '2025-10-15'"),
            ("state", "active | past_due | ..."),
            ("health", "healthy | failed | null"),
            ("flavour", "vanilla/chocolate"),
        ]
    )
    assert col(t, "status").enum == ("pending", "accepted", "declined")
    assert col(t, "role").enum == ("OWNER", "USER")
    window = col(t, "window_key")
    assert window.examples == ("2025-10-15",) and window.enum is None
    state = col(t, "state")
    assert state.enum == ("active", "past_due") and "enum values incomplete" in state.notes
    health = col(t, "health")
    assert health.enum == ("healthy", "failed") and health.nullable is True
    assert col(t, "flavour").enum == ("vanilla", "chocolate")


def test_wrapped_notes_belong_to_the_row_where_they_start():
    t = box_with_notes(
        [
            ("source (ENUM)", "slack"),
            ("channel", "| web"),
            ("thread", "| ..."),
            ("ts", ""),
            ("status (ENUM)", "queued"),
            ("priority", "running"),
            ("retries", "failed"),
            ("gap", ""),
            ("event (ENUM)", "prompt"),
            ("severity", "injection"),
            ("workspace_id", "| guard"),
            ("reason", "degraded"),
        ]
    )
    source = col(t, "source")
    assert source.enum == ("slack", "web") and source.notes == ("enum values incomplete",)
    assert col(t, "status").enum == ("queued", "running", "failed")
    assert col(t, "event").enum == ("prompt_injection", "guard_degraded")
    for name in ("channel", "thread", "priority", "retries", "severity", "workspace_id", "reason"):
        assert col(t, name).enum is None and col(t, name).comment is None


def test_adjacent_notes_stay_apart():
    t = box_with_notes(
        [
            ("provider", "github | grafana"),
            ("status", "active | disabled"),
            ("kind (ENUM)", "free"),
            ("tier (ENUM)", "gold"),
            ("token_hash", "← For lookup"),
            ("token_type", "email | reset"),
        ]
    )
    assert col(t, "provider").enum == ("github", "grafana")
    assert col(t, "status").enum == ("active", "disabled")
    assert col(t, "kind").comment == "free" and col(t, "tier").comment == "gold"
    assert col(t, "token_hash").comment == "For lookup"
    assert col(t, "token_type").enum == ("email", "reset")


def test_title_row_note_is_the_table_comment():
    diagram = "┌──────────────┐\n│ INTEGRATIONS │  ← Central tracking table\n├──────────────┤\n│ id (PK)      │\n└──────────────┘"
    assert tables(diagram)["integrations"].comment == "Central tracking table"


# --- robustness --------------------------------------------------------------

_ALPHABET = "┌┐└┘├┤│─╔╗╚╝║═+-|<>▼← abcXY_()|.:,\n"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=_ALPHABET, max_size=400))
def test_random_grids_never_raise(text):
    (block,) = blocks(f"```\n{text}\n```\n") or [None]
    if block is not None:
        ascii.accepts(block)
        result = ascii.read(block)
        assert all(d.line >= block.line for d in result.diagnostics)


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_damaged_diagrams_never_raise(data):
    chars = list(LAYOUT)
    for _ in range(data.draw(st.integers(1, 8))):
        i = data.draw(st.integers(0, len(chars) - 1))
        chars[i] = data.draw(st.sampled_from([" ", "│", "─", "x", "┘", ""]))
    (block,) = blocks("```\n" + "".join(chars) + "\n```\n")
    ascii.read(block)


# --- seed 000 ----------------------------------------------------------------


@pytest.fixture(scope="module")
def found() -> dict[str, TableFragment]:
    out: dict[str, TableFragment] = {}
    for block in split(SEED_000.read_text()).blocks:
        if ascii.accepts(block):
            result = ascii.read(block)
            assert result.diagnostics == []
            out.update({t.name: t for t in result.fragments})
    return out


@pytest.fixture(scope="module")
def expected() -> dict:
    return json.loads(EXPECTED_000.read_text())["tables"]


class TestSeed000:
    """The ASCII overview of seed 000 against the hand reading (expected/README.md)."""

    # Where the box spells a column differently from the column tables (README: chosen table names).
    RENAMED = {("users", "last_visited_ws_id"), ("plans", "addl_service_cents"), ("plans", "rca_session_limit")}

    def test_28_tables_each_with_its_columns(self, found, expected):
        assert sorted(found) == sorted(expected) and len(found) == 28
        for name, table in found.items():
            drawn = {c.name for c in table.columns} - {c for t, c in self.RENAMED if t == name}
            assert drawn <= set(expected[name]["columns"]), name
            assert len(drawn) >= len(expected[name]["columns"]) - 2, name

    def test_keys_and_unique_markers(self, found, expected):
        for name, table in found.items():
            assert [c.name for c in table.columns if c.primary_key] == expected[name]["primary_key"], name
            unique = [[c.name] for c in table.columns if c.unique] + [list(u.columns) for u in table.unique]
            assert sorted(unique) == sorted(expected[name]["unique"]), name

    def test_unique_lines_under_boxes(self, found):
        assert [u.columns for u in found["memberships"].unique] == [("user_id", "workspace_id")]
        assert [u.columns for u in found["turn_feedbacks"].unique] == [
            ("turn_id", "user_id"),
            ("turn_id", "slack_user_id"),
        ]
        assert [u.columns for u in found["services"].unique] == [("workspace_id", "name")]
        assert [u.columns for u in found["rate_limit_tracking"].unique] == [
            ("workspace_id", "resource_type", "window_key")
        ]
        assert found["security_events"].unique == ()
        assert col(found["security_events"], "reason").comment is None

    def test_encrypted_arrows_mark_only_their_own_rows(self, found):
        marked = {
            (t.name, c.name) for t in found.values() for c in t.columns if c.notes == ("encrypted",) and not c.comment
        }
        assert marked == {("slack_installations", "access_token"), ("newrelic_integrations", "api_key")}

    def test_enum_notes(self, found, expected):
        for name, table in found.items():
            for c in table.columns:
                if c.enum and "enum values incomplete" not in c.notes and (name, c.name) != ("jobs", "status"):
                    assert [v.lower() for v in c.enum] == expected[name]["enums"][c.name], (name, c.name)
        assert col(found["jobs"], "source").enum == ("slack", "web")
        assert col(found["jobs"], "status").enum == ("queued", "running", "waiting", "complete", "failed")
        assert col(found["subscriptions"], "status").enum == ("active", "past_due", "canceled")
        assert col(found["security_events"], "event_type").enum == ("prompt_injection", "guard_degraded")
        assert col(found["integrations"], "health_status").nullable is True
        assert col(found["rate_limit_tracking"], "window_key").enum is None

    def test_references_and_types_as_drawn(self, found):
        assert col(found["chat_turns"], "job_id").references == Reference("jobs")
        assert col(found["workspace_invitations"], "invitee_id").references == Reference("users")
        assert not col(found["refresh_tokens"], "user_id").fk_marked
        assert col(found["security_events"], "event_metadata").type.name == "json"
        assert col(found["emails"], "sent_at").type is None


# --- other drawing habits ----------------------------------------------------


def test_cells_inside_a_box_read_as_name_type_and_markers():
    diagram = """
┌──────────────────────────┐
│ 📦 Table: auth.accounts   │
├────────┬─────────┬───────┤
│ id     │ uuid    │ PK    │
│ email  │ text    │ UK    │
└────────┴─────────┴───────┘
"""
    t = tables(diagram)["accounts"]
    assert t.schema == "auth"
    assert col(t, "id").type.name == "uuid" and col(t, "id").primary_key
    assert col(t, "email").type.name == "text" and col(t, "email").unique


def test_connectors_leaving_through_a_wall_do_not_break_the_box():
    diagram = """
      ┌──────────────┐
      │ ORDERS       │
      ├──────────────┤
 ─────┤ id (PK)      ├─────>
      │ • total      │
      │ ...          │
      └──────────────┘
"""
    result = read(diagram)
    assert [c.name for c in result.fragments[0].columns] == ["id", "total"]
    assert result.diagnostics == []


def test_a_title_that_is_not_a_name_is_reported():
    result = read("┌──────────────┐\n│ what is this?│\n├──────────────┤\n│ id (PK)      │\n└──────────────┘")
    assert result.fragments == []
    assert [(d.level, d.line) for d in result.diagnostics] == [("warning", 3)]


def test_a_lone_box_that_never_closes_is_reported():
    from docbase.pipeline import build_schema

    schema = build_schema("# x\n\n┌──────┐\n│ BOX  │\n├──────┤\n│ id   │\n")
    assert any(d.level == "warning" and "does not close" in d.message and d.line == 3 for d in schema.diagnostics)
