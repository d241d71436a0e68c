"""Prose: constraints, relationships and enum sections stated in sentences, lists and value blocks."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from docbase.document import split
from docbase.fragments import (
    ConstraintFragment,
    EnumFragment,
    IndexFragment,
    RelationshipFragment,
    TableFragment,
)
from docbase.readers import bullets, md_table, prose
from docbase.readers.registry import read_block

from ..conftest import SEEDS_DIR

# prose only sees what the readers before it leave; these are the ones it follows here
READERS = [md_table, bullets, prose]


def read(text: str):
    fragments, diagnostics = [], []
    for block in split(text).blocks:
        reading = read_block(block, READERS)
        fragments += reading.fragments
        diagnostics += reading.diagnostics
    return fragments, diagnostics


def of(kind, text: str):
    return [f for f in read(text)[0] if isinstance(f, kind)]


def test_constraint_list_after_a_constraints_lead() -> None:
    found = of(
        ConstraintFragment,
        """\
### 7. CHAT_SESSIONS

**Constraints:**
- UNIQUE(slack_team_id, slack_channel_id, slack_thread_ts) WHERE source = 'slack'
- UNIQUE(`turn_id`, `user_id`)
- PRIMARY KEY (a, b)
- CHECK (amount > 0 AND (currency IS NOT NULL))
- FOREIGN KEY (plan_id) REFERENCES plans(id) ON DELETE RESTRICT
""",
    )
    assert [(f.table, f.kind, f.columns, f.where) for f in found[:3]] == [
        ("chat_sessions", "unique", ("slack_team_id", "slack_channel_id", "slack_thread_ts"), "source = 'slack'"),
        ("chat_sessions", "unique", ("turn_id", "user_id"), None),
        ("chat_sessions", "primary_key", ("a", "b"), None),
    ]
    assert found[3].kind == "check" and found[3].expression == "amount > 0 AND (currency IS NOT NULL)"
    assert found[4].kind == "foreign_key" and found[4].references.table == "plans"
    assert found[4].references.on_delete == "restrict"
    assert found[0].line == 4


def test_constraints_in_a_paragraph_and_under_a_constraints_heading() -> None:
    found = of(
        ConstraintFragment,
        "### orders\n\n#### Constraints\n\nEach order is unique per customer: UNIQUE(customer_id, number).\n",
    )
    assert [(f.table, f.columns) for f in found] == [("orders", ("customer_id", "number"))]


def test_index_statements_become_indexes() -> None:
    found = of(IndexFragment, "### events\n\n- INDEX ON (created_at DESC)\n- UNIQUE INDEX idx_ev ON events (key)\n")
    assert [(i.table, [c.name for c in i.columns], i.unique, i.name) for i in found] == [
        ("events", ["created_at"], False, None),
        ("events", ["key"], True, "idx_ev"),
    ]
    assert found[0].columns[0].desc


def test_a_relationship_sentence_in_a_paragraph() -> None:
    found = of(RelationshipFragment, "### orders 🛒\n\nRelationships: Each order belongs to a `customers` row.\n")
    assert [(r.left, r.right, r.left_cardinality, r.right_cardinality) for r in found] == [
        ("orders", "customers", "}o", "||")
    ]


def test_a_constraint_without_a_table_keeps_table_none() -> None:
    found = of(ConstraintFragment, "## Notes\n\nUNIQUE(a, b)\n")
    assert found[0].table is None


@pytest.mark.parametrize(
    ("item", "right", "cards", "on_delete"),
    [
        ("One-to-Many with `memberships` (CASCADE DELETE)", "memberships", ("||", "o{"), "cascade"),
        ("One-to-One with `subscription`", "subscription", ("||", "o|"), None),
        ("Many-to-One with `workspaces` (ON DELETE SET NULL)", "workspaces", ("}o", "||"), "set null"),
        ("Many-to-many with **tags**", "tags", ("}o", "o{"), None),
        ("Belongs to `teams`", "teams", ("}o", "||"), None),
        ("Has many `posts`", "posts", ("||", "o{"), None),
    ],
)
def test_relationships_under_a_table_section(item, right, cards, on_delete) -> None:
    found = of(RelationshipFragment, f"### 1. USERS\n\n**Relationships:**\n- {item}\n")
    assert len(found) == 1
    r = found[0]
    assert (r.left, r.right, (r.left_cardinality, r.right_cardinality), r.on_delete, r.source) == (
        "users",
        right,
        cards,
        on_delete,
        "prose",
    )


def test_relationships_with_a_named_subject() -> None:
    found = of(
        RelationshipFragment,
        """\
## Relationships

*   **`organizations`** can have multiple **`organization_subscriptions`**.
*   **`organization_subscriptions`** link to **`subscription_plans`**.
*   **`roles`** are linked to **`permissions`** via **`role_permissions`**.
""",
    )
    assert [(r.left, r.right, r.left_cardinality, r.right_cardinality) for r in found] == [
        ("organizations", "organization_subscriptions", "||", "o{"),
        ("organization_subscriptions", "subscription_plans", "}o", "||"),
        ("role_permissions", "roles", "}o", "||"),
        ("role_permissions", "permissions", "}o", "||"),
    ]


def test_ordinary_sentences_state_nothing() -> None:
    text = """\
### users

The user has a profile and belongs to the billing module. Each row is unique.

- Create new organizations.
- Multi-tenant Architecture: Organizations contain projects
"""
    assert read(text) == ([], [])


def test_relationship_without_a_table_is_reported() -> None:
    _, diagnostics = read("## Overview\n\n- One-to-Many with `posts`\n")
    assert diagnostics and diagnostics[0].line == 3


def test_enum_sections_in_code_blocks() -> None:
    found = of(
        EnumFragment,
        """\
## Enums

### Role (Membership)
```
OWNER  - Full workspace management permissions
USER   - Standard access
```

### JobSource / FeedbackSource
```
WEB     - Web chat interface
SLACK   - Slack bot
```
""",
    )
    assert [(e.name, e.values) for e in found] == [
        ("Role", ("OWNER", "USER")),
        ("JobSource", ("WEB", "SLACK")),
        ("FeedbackSource", ("WEB", "SLACK")),
    ]
    assert found[0].line == 5  # the first value line, after the fence


@pytest.mark.parametrize(
    "body",
    [
        "- `draft`\n- `published`\n- `archived`\n",
        "- draft: not visible\n- published: live\n- archived: hidden\n",
        "`draft` | `published` | `archived`\n",
    ],
)
def test_enum_heading_with_a_list_or_paragraph(body: str) -> None:
    found = of(EnumFragment, f"### Enum: post_status\n\n{body}")
    assert [(e.name, e.values) for e in found] == [("post_status", ("draft", "published", "archived"))]


def test_enum_heading_with_a_value_table() -> None:
    found = of(
        EnumFragment,
        "## Enumerations\n\n### Priority\n\n| Value | Meaning |\n|---|---|\n| LOW | later |\n| HIGH | now |\n",
    )
    assert [(e.name, e.values) for e in found] == [("Priority", ("LOW", "HIGH"))]


def test_an_enums_section_with_one_enum_per_bullet() -> None:
    found = of(EnumFragment, "## Enums\n\n- `JobStatus`: queued, running, done\n- **Plan**\n  - free\n  - pro\n")
    assert [(e.name, e.values) for e in found] == [
        ("JobStatus", ("queued", "running", "done")),
        ("Plan", ("free", "pro")),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "### Role Hierarchy\n\n- **Organization Level**: `org_owner`, `org_admin`\n- **Project Level**: `project_admin`\n",
        "### Chat Flow\n```\nChatSession ──> ChatTurn\nChatTurn ──> Job\n```\n",
        "### Setup\n```\nnpm install\nnpm run dev\n```\n",
    ],
)
def test_value_looking_blocks_outside_enum_sections_are_not_enums(text: str) -> None:
    assert of(EnumFragment, text) == []


def test_seed_000_prose_matches_the_hand_reading() -> None:
    expected = json.loads((SEEDS_DIR / "expected" / "000_33417f4944292711.json").read_text())["tables"]
    fragments, diagnostics = read((SEEDS_DIR / "000_33417f4944292711.txt").read_text())
    assert diagnostics == []
    enums = {f.name: tuple(v.lower() for v in f.values) for f in fragments if isinstance(f, EnumFragment)}
    assert len(enums) == 14  # 13 sections, one of them naming two enums
    for enum, (table, column) in {
        "Role": ("memberships", "role"),
        "WorkspaceType": ("workspaces", "type"),
        "JobStatus": ("jobs", "status"),
        "JobSource": ("jobs", "source"),
        "FeedbackSource": ("turn_feedbacks", "source"),
        "TurnStatus": ("chat_turns", "status"),
        "InvitationStatus": ("workspace_invitations", "status"),
        "LLMProvider": ("llm_provider_configs", "provider"),
        "LLMConfigStatus": ("llm_provider_configs", "status"),
        "PlanType": ("plans", "plan_type"),
        "SubscriptionStatus": ("subscriptions", "status"),
    }.items():
        assert set(enums[enum]) == set(expected[table]["enums"][column]), enum
    constraints = [f for f in fragments if isinstance(f, ConstraintFragment)]
    got = {(c.table, c.columns, c.where) for c in constraints}
    sections = {f.name for f in fragments if isinstance(f, TableFragment)}  # the 13 described tables
    assert len(sections) == 13
    described = {t: v for t, v in expected.items() if t in sections}
    want = {(t, tuple(u), None) for t, v in described.items() for u in v["unique"] if len(u) > 1}
    want |= {(t, tuple(p["columns"]), p["where"]) for t, v in described.items() for p in v["partial_unique"]}
    assert got == want
    rels = [f for f in fragments if isinstance(f, RelationshipFragment)]
    assert len(rels) == 11 and {r.left for r in rels} == {"users", "workspaces"}
    cascades = {r.right for r in rels if r.on_delete == "cascade"}
    # every cascade the hand reading attributes to the Workspaces list is stated there
    for table in ("memberships", "environments"):
        fk = next(f for f in expected[table]["foreign_keys"] if f["references"] == "workspaces")
        assert fk["on_delete"] == "cascade" and table in cascades


def test_seed_002_relationships() -> None:
    fragments, _ = read((SEEDS_DIR / "002_e7a1635b430f2a63.txt").read_text())
    rels = {(r.left, r.right) for r in fragments if isinstance(r, RelationshipFragment)}
    assert ("organizations", "organization_subscriptions") in rels
    assert ("organizations", "credit_events") in rels  # the one the hand reading lists without columns


@pytest.mark.parametrize("seed", ["001_a9732afb61ad5db8", "003_2c36ee29cca562c5"])
def test_seeds_without_prose_statements_give_none(seed: str) -> None:
    fragments, diagnostics = read((SEEDS_DIR / f"{seed}.txt").read_text())
    assert fragments == [] and diagnostics == []


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200), st.sampled_from(["Enums", "users", "Enum: x", "Notes", "1. ORDERS"]))
def test_never_raises_on_any_text(text: str, heading: str) -> None:
    read(f"## Enums\n\n### {heading}\n\n{text}\n\n- {text}\n\n```\n{text}\n```\n")


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "UNIQUE",
                "(",
                ")",
                "a",
                ",",
                "WHERE",
                "CHECK",
                "INDEX ON",
                "One-to-Many with",
                "`t`",
                "**x**",
                "via",
                "belongs to",
                "CASCADE",
                "FOREIGN KEY",
                "REFERENCES",
            ]
        ),
        max_size=12,
    )
)
def test_never_raises_on_statement_soup(words: list[str]) -> None:
    read("### t\n\n- " + " ".join(words) + "\n\n" + " ".join(words) + "\n")
