"""Closed value lists written in Mermaid attribute comments and DBML notes become enums; examples do not."""

from __future__ import annotations

from docbase.pipeline import build_schema

DOC = """# Accounts

```mermaid
erDiagram
    ACCOUNT {
        bigint id PK
        string role "권한 (ADMIN, USER), default USER"
        string status "WAIT / IN_PROGRESS / DONE, default WAIT"
        string kind "거래처유형(매입/매출)"
        string state "ACTIVE/INACTIVE"
        string birthday "YYYY/MM/DD"
        string zone "Timestamp (UTC, ms)"
        string color "색상 예: RED/BLUE"
        string shape "形状，例如 ROUND/SQUARE"
        string access "read/write access"
    }
```

```dbml
Table tickets {
  id int [pk]
  priority varchar [note: 'low | normal | high']
  channel varchar [note: 'e.g. web | mail']
}
```
"""


def test_comment_value_lists_are_enums_and_examples_are_not() -> None:
    schema = build_schema(DOC, "accounts.md")
    enums = {c.name: c.enum for c in schema.table("ACCOUNT").columns}
    assert enums == {
        "id": None,
        "role": ("ADMIN", "USER"),
        "status": ("WAIT", "IN_PROGRESS", "DONE"),
        "kind": ("매입", "매출"),
        "state": ("ACTIVE", "INACTIVE"),
        "birthday": None,
        "zone": None,
        "color": None,
        "shape": None,
        "access": None,
    }
    assert {c.name: c.enum for c in schema.table("tickets").columns} == {
        "id": None,
        "priority": ("low", "normal", "high"),
        "channel": None,
    }
