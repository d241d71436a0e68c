"""References stated in words: `a.id 与 b.c 关联` lines, FK phrases inside descriptions, and (only in documents
that mark no reference at all) ``*_id`` columns whose description calls them the ID of another table."""

from __future__ import annotations

from pathlib import Path

from docbase.pipeline import load_schema

DOCS = Path(__file__).parent / "docs"


def fks(table):
    return [(fk.columns, fk.ref_table, fk.ref_columns, fk.on_delete) for fk in table.foreign_keys]


def test_described_ids_reference_tables_in_a_document_without_markers() -> None:
    s = load_schema(DOCS / "references_in_words.md")
    users, store = s.table("users"), s.table("store")
    assert [c.name for c in users.columns] == ["id", "nickname", "latitude", "longitude"]  # two names, one description
    assert [u.columns for u in users.unique] == [("nickname",)]  # 고유값: unique value
    assert [(fk.columns, fk.ref_table) for fk in store.foreign_keys] == [(("user_id",), "users")]
    # seat_id names no table of the document: a plain column
    assert any(d.line == 10 and "read as a reference to users" in d.message for d in s.diagnostics)


def test_link_lines_and_fk_phrases_in_descriptions() -> None:
    s = load_schema(DOCS / "references_stated.md")
    assert fks(s.table("orders")) == [(("user_id",), "users", ("id",), None)]
    assert fks(s.table("posts")) == [(("user_id",), "users", ("id",), None)]
    assert fks(s.table("shelves")) == [(("room_id",), "rooms", ("id",), "set null")]
    # the document marks references, so "所属书库 ID" alone makes no reference (and no libraries table exists)
    assert fks(s.table("rooms")) == []


def test_sentences_leads_and_untyped_tables() -> None:
    s = load_schema(DOCS / "references_stated.md")
    # "使用唯一约束" (use a unique constraint) for each quoted column; a negated sentence says nothing
    assert [u.columns for u in s.table("users").unique] == [("name",)]
    assert [u.columns for u in s.table("orders").unique] == [("total",)]
    assert s.table("posts").unique == ()
    # a name | description table under a lead naming `payments` with the table word beside it
    payments = s.table("payments")
    assert [c.name for c in payments.columns] == ["id", "method"]
    assert payments.column("method").enum == ("wechat", "alipay")
