"""References and value sets that documents state without an FK marker or an enum type.

Each test is a small document in one notation people write: a key named after the column
(``author`` -> ``id_author``), a flowchart edge labelled ``1-n``, ``projects (1) -> licenses (N)``,
a description saying "linked" (关联, Bağlı), a type cell ``status_id FK``, a column stated in a
sentence, categories written as words, "idem team1". Every guess is a located note.
"""

from __future__ import annotations

from docbase.pipeline import build_schema


def fks(schema, table):
    return sorted((fk.columns, fk.ref_table, fk.ref_columns) for fk in schema.table(table).foreign_keys)


def said(schema, line, *words):
    return any(d.line == line and all(w in d.message for w in words) for d in schema.diagnostics)


KEYED_AFTER = """\
## Автор
| Attribute | Type | PKey | FKey |
|---|---|---|---|
| id_author | int | + | - |
| name | varchar | - | - |

## Exhibit
| Attribute | Type | PKey | FKey |
|---|---|---|---|
| id_piece | int | + | - |
| author | int | - | + |
| curator | int | - | + |
"""


def test_a_marked_column_references_the_table_keyed_by_its_name_with_id() -> None:
    s = build_schema(KEYED_AFTER, "d.md")
    assert fks(s, "Exhibit") == [(("author",), "Автор", ("id_author",))]
    assert said(s, 11, "Exhibit.author references Автор", "id_author")
    # nothing is keyed id_curator: still reported, never guessed
    assert said(s, 12, "curator is marked as a foreign key but names no target")


FLOWCHART = """\
## KhachHang
| Column | Type |
|---|---|
| MaKH | INT PRIMARY KEY |
| HoTen | NVARCHAR(100) |

## DatVe
| Column | Type |
|---|---|
| MaDatVe | INT PRIMARY KEY |
| MaKH | INT NOT NULL |
| GhiChu | NVARCHAR(100) |

```mermaid
graph TB
    A[KhachHang] -->|1-n| B[DatVe]
    B -->|n-1| C[MayBay]
    A --> D[Report]
```
"""


def test_a_flowchart_edge_labelled_1_n_relates_the_tables_through_the_column_named_as_the_key() -> None:
    s = build_schema(FLOWCHART, "d.md")
    assert fks(s, "DatVe") == [(("MaKH",), "KhachHang", ("MaKH",))]
    assert said(s, 16, "DatVe.MaKH references KhachHang", "the name of KhachHang's key")
    assert said(s, 17, "'MayBay', which is not a table")  # an edge to a table not described: said, not made


RAILS_LIKE_ARROWS = """\
## `projects`
- `id`: kimlik
- `name`: ad

## `licenses`
- `id`: kimlik
- `project_id`: proje
- `license_key`: anahtar

## `activations`
- `id`: kimlik
- `license_id`: lisans

## İlişkiler
- `projects (1) -> licenses (N)`
- `activations (N) -> licenses (1)`
- `draft -> active -> expired`
"""


def test_a_relationship_summary_in_one_code_span_with_cardinalities() -> None:
    s = build_schema(RAILS_LIKE_ARROWS, "d.md")
    assert fks(s, "licenses") == [(("project_id",), "projects", ("id",))]
    assert fks(s, "activations") == [(("license_id",), "licenses", ("id",))]  # (N) on the left: many activations
    assert said(s, 15, "licenses.project_id references projects")
    assert not any(d.line == 17 for d in s.diagnostics)  # a state change in a span, no cardinalities: not tables


LINKED = """\
## orders 表
| 字段 | 类型 | 说明 |
|------|------|------|
| id | INT | 主键 |
| user_id | INT | FK→users.id |

## users 表
| 字段 | 类型 | 说明 |
|------|------|------|
| id | INT | 主键 |

## payments 表
| 字段 | 类型 | 说明 |
|------|------|------|
| id | INT | 主键 |
| order_id | INT | 关联订单 |
| user_id | INT | 支付用户 |
"""


def test_a_description_saying_linked_makes_a_reference_even_where_the_document_marks_others() -> None:
    s = build_schema(LINKED, "d.md")
    assert fks(s, "payments") == [(("order_id",), "orders", ("id",))]
    assert said(s, 16, "payments.order_id read as a reference to orders", "links to another row")
    # "支付用户" (paying user) says no link: the column stays plain, with the usual hint
    assert said(s, 17, "payments.user_id looks like a reference to users but is not marked")


TYPE_CELL_NAMES_THE_KEY = """\
## user_role
| Column | Type |
|---|---|
| user_id | user_id FK |
| role_id | FK → role |

## role
| Column | Type |
|---|---|
| id | int PK |

## user
| Column | Type |
|---|---|
| id | int PK |
"""


def test_a_type_cell_naming_the_key_it_holds_is_a_reference() -> None:
    s = build_schema(TYPE_CELL_NAMES_THE_KEY, "d.md")
    assert fks(s, "user_role") == [(("role_id",), "role", ("id",)), (("user_id",), "user", ("id",))]
    assert s.table("user_role").column("user_id").inferred  # no type written: inferred, with a note


COLUMN_IN_A_SENTENCE = """\
## `matches`

| Colonne | Type | Contrainte |
|---|---|---|
| `id` | INTEGER | PK |
| `stage` | TEXT | |

Chaque manche est une ligne. Une colonne `first_leg_match_id` (FK → `matches`, *nullable*)
sur la manche retour pointe vers la manche aller.
"""


def test_a_column_stated_in_a_sentence_joins_the_sections_table() -> None:
    s = build_schema(COLUMN_IN_A_SENTENCE, "d.md")
    col = s.table("matches").column("first_leg_match_id")
    assert col is not None and col.nullable
    assert fks(s, "matches") == [(("first_leg_match_id",), "matches", ("id",))]
    assert said(s, 8, "matches.first_leg_match_id: column read from a sentence")


CATEGORIES = """\
## product_visits Tablosu

| Sütun | Tip | Açıklama |
|-------|-----|----------|
| id | bigint | PK |
| device_type | string(64) | Mobil, Tablet, Masaüstü |
| address | string | Street, City, Country |
| id_type | string | Loại giấy tờ (CCCD/Hộ chiếu) |
| status | string | Active, Archived, ... |
"""


def test_a_column_named_as_a_category_lists_its_values_as_words() -> None:
    s = build_schema(CATEGORIES, "d.md")
    t = s.table("product_visits")
    assert t.column("device_type").enum == ("Mobil", "Tablet", "Masaüstü")
    assert t.column("id_type").enum == ("CCCD", "Hộ chiếu")
    assert t.column("address").enum is None  # not a category's name: capitalised words stay prose
    assert t.column("status").enum is None  # an open list stays open


SUPPLEMENT = """\
## 表

| 表 | 字段 |
| --- | --- |
| `orders` | `id`、`user_id`、`total`、`status` |

## 补充

订单表 `orders` 同步补充状态字段：

- `status`：`pending_payment`、`paid`、`cancelled`。
- `paid_at`：后台确认收款后写入。
"""


def test_untyped_bullets_after_a_sentence_naming_the_table_add_to_it() -> None:
    s = build_schema(SUPPLEMENT, "d.md")
    t = s.table("orders")
    assert t.column_names == ("id", "user_id", "total", "status", "paid_at")
    assert t.column("status").enum == ("pending_payment", "paid", "cancelled")


IDEM = """\
## `matches`

| Colonne | Type | Contrainte | Rôle |
|---|---|---|---|
| `id` | INTEGER | PK | |
| `team1_src_type` | TEXT | *nullable* | `group_position` / `match_winner` / `match_loser`. |
| `team1_src_rank` | INTEGER | *nullable* | rang |
| `team2_src_type` | TEXT | *nullable* | idem team1. |
| `team2_src_rank` | INTEGER | *nullable* | idem. |
"""


def test_a_column_described_as_the_same_as_another_takes_its_values() -> None:
    s = build_schema(IDEM, "d.md")
    t = s.table("matches")
    assert t.column("team2_src_type").enum == ("group_position", "match_winner", "match_loser")
    assert t.column("team2_src_rank").enum is None
    assert said(s, 8, "team2_src_type: values", "taken from team1_src_type")


RAILS = """\
## usersテーブル
|Column|Type|Options|
|------|----|-------|
|email|string|null: false|

## commentsテーブル
|Column|Type|Options|
|------|----|-------|
|text|text|null:false|
|user_id|references|null:false, foreign_key:true|
"""


def test_a_marked_column_named_as_a_table_references_it() -> None:
    s = build_schema(RAILS.replace("|user_id|references|", "|user|references|"), "d.md")
    assert said(s, 10, "comments.user references users (its name names users)")


def test_rails_foreign_key_true_marks_a_reference_and_never_names_a_table_true() -> None:
    s = build_schema(RAILS, "d.md")
    assert not any("'true'" in d.message for d in s.diagnostics)
    # Rails' implicit id is not written, so there is no key to point at: said, not invented
    assert said(s, 10, "comments.user_id references users, which has no single-column primary key")


ONE_NAME_ITEMS = """\
## CharactersTable

Campos:

- `id`: chave primária.
- `name`
- `status`
- `originName`
"""


def test_bare_quoted_names_among_described_fields_are_columns_too() -> None:
    s = build_schema(ONE_NAME_ITEMS, "d.md")
    assert s.table("CharactersTable").column_names == ("id", "name", "status", "originName")


SQL_SERVER_BIT = """\
## Users
| Column | Type |
|---|---|
| UserID | INT PRIMARY KEY |
| IsLocked | BIT DEFAULT 0 |
| Flags | BIT(8) |
"""


def test_sql_server_bit_is_a_boolean_and_a_wider_bit_string_is_not_guessed() -> None:
    s = build_schema(SQL_SERVER_BIT, "d.md")
    locked = s.table("Users").column("IsLocked")
    assert (locked.type, locked.default, locked.inferred) == ("boolean", "0", False)
    assert said(s, 6, "unknown column type 'BIT(8)'")


SENTENCES = """\
## tasks
| Column | Type |
|---|---|
| id | uuid PK |
| project_id | uuid |
| assignee_id | uuid |

## users
| Column | Type |
|---|---|
| id | uuid PK |

## orders
| Column | Type |
|---|---|
| id | uuid PK |
| user_id | uuid |

## projects
| Column | Type |
|---|---|
| id | uuid PK |

## Relationships

Each task belongs to a project. A task is assigned to one user (assignee_id).
A user can have many orders. A user has many sessions.
"""


def test_relationship_sentences_sharing_a_line_and_a_link_naming_its_column() -> None:
    s = build_schema(SENTENCES, "d.md")
    assert fks(s, "tasks") == [(("assignee_id",), "users", ("id",)), (("project_id",), "projects", ("id",))]
    assert fks(s, "orders") == [(("user_id",), "users", ("id",))]
    assert said(s, 27, "orders.user_id references users (this relationship sentence)")
    assert said(s, 27, "relationship names 'sessions', which is not a table here")


def test_a_category_column_described_in_a_clause_gets_no_values() -> None:
    s = build_schema(
        "## products\n| Column | Type | Description |\n|---|---|---|\n| id | int | PK |\n"
        "| category | text | Product category, used for filtering |\n| status | text | Active / On hold |\n",
        "d.md",
    )
    assert s.table("products").column("category").enum is None
    assert s.table("products").column("status").enum == ("Active", "On hold")


def test_names_listed_for_an_integer_column_are_said_not_made_a_check() -> None:
    s = build_schema(
        "## License\n| Column | Type | Description |\n|---|---|---|\n| Id | int | PK |\n"
        "| LicenseType | int | Trial, SingleBranch, Enterprise |\n",
        "d.md",
    )
    assert s.table("License").column("LicenseType").enum is None  # the column stores numbers
    assert said(s, 5, "LicenseType: the description lists Trial, SingleBranch, Enterprise, but the column is int")


VALUES_IN_SENTENCES = """\
## invoices
| Column | Type |
|---|---|
| id | uuid PK |
| channel | text |
| level | text |
| mode | text |
| note | text |

El `channel` puede ser web, app o phone.
Der `level` ist einer von low, medium, high.
Trường `mode` là một trong manual, auto.
El `note` puede ser Largo o Corto.
"""


def test_value_lists_said_in_other_languages() -> None:
    s = build_schema(VALUES_IN_SENTENCES, "d.md")
    t = s.table("invoices")
    assert t.column("channel").enum == ("web", "app", "phone")
    assert t.column("level").enum == ("low", "medium", "high")
    assert t.column("mode").enum == ("manual", "auto")
    assert t.column("note").enum is None  # capitalised words without "one of": display words, not a set
    assert said(s, 11, "invoices.level is one of low, medium, high")
