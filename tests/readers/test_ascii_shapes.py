"""ASCII boxes as hand-drawn: titles wrapped over two lines, arrows on borders, boxes inside a frame,
`PK: id` rows, and a box that draws a table the document also describes in a column table."""

from __future__ import annotations

from pathlib import Path

from docbase.pipeline import load_schema

DOC = Path(__file__).parent / "docs" / "ascii_shapes.md"


def facts(table):
    return (
        table.primary_key,
        [(fk.columns, fk.ref_table, fk.ref_columns) for fk in table.foreign_keys],
        [c.name for c in table.columns],
    )


def test_boxes_with_wrapped_titles_arrows_frames_and_key_rows() -> None:
    s = load_schema(DOC)
    assert [t.name for t in s.tables] == [
        "user_notification_preferences",  # "USER_NOTIFICATION_" / "PREFERENCES"
        "users",  # bottom edge "└───▼───┘"
        "orders",  # top edge "┌───┴───┐", reached by "└───│"
        "invoices",  # inside the BILLING frame
        "payments",
        "coupons",  # the COUPON box is this table, not a phantom "coupon"
    ]
    assert facts(s.table("user_notification_preferences")) == (
        ("id",),
        [(("user_id",), "users", ("id",))],
        ["id", "user_id", "channel"],
    )
    assert facts(s.table("users")) == (("id",), [], ["id", "email"])
    assert facts(s.table("orders")) == (("id",), [(("user_id",), "users", ("id",))], ["id", "user_id"])
    assert facts(s.table("payments")) == (("id",), [(("invoice_id",), "invoices", ("id",))], ["id", "invoice_id"])
    assert facts(s.table("coupons")) == (("id",), [], ["id", "code"])


def test_what_the_boxes_leave_out_is_said() -> None:
    s = load_schema(DOC)
    said = [
        (d.level, d.line, d.message)
        for d in s.diagnostics
        if d.level == "warning" or "box" in d.message or "read as" in d.message
    ]
    assert said == [
        ("info", 20, "box 'BILLING' frames other boxes; read as a group, not a table"),
        ("info", 40, "ascii 'coupon' is read as 'coupons', described at line 33"),
        (
            "warning",
            44,
            "coupons.discount is drawn only by the ascii at line 40, not by the column_table description at line 33; "
            "not added",
        ),
    ]
