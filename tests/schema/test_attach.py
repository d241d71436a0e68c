"""Facts stated apart from a table: here SQL ``COMMENT ON``, which reaches the model and the API's description."""

from __future__ import annotations

from docbase.api.catalog import Catalog
from docbase.api.openapi import openapi_document
from docbase.pipeline import build_schema

DOC = """# Shop

```sql
CREATE TABLE orders (
  id integer PRIMARY KEY,
  total numeric -- inline note
);
COMMENT ON TABLE orders IS 'One checkout';
COMMENT ON COLUMN public.orders.total IS 'Sum of the lines, in cents';
COMMENT ON COLUMN orders.missing IS 'nowhere';
COMMENT ON TABLE ghosts IS 'no such table';
```
"""


def test_comment_on_sets_table_and_column_descriptions():
    schema = build_schema(DOC, "shop.md")
    orders = schema.table("orders")
    assert orders.comment == "One checkout"
    assert orders.column("total").comment == "Sum of the lines, in cents"
    warnings = [(d.line, d.message) for d in schema.diagnostics if d.level == "warning"]
    assert any(line == 10 and "missing" in m for line, m in warnings), warnings
    assert any(line == 11 and "ghosts" in m for line, m in warnings), warnings


def test_comments_reach_the_openapi_description():
    spec = openapi_document(Catalog(build_schema(DOC, "shop.md"), "sqlite"), "http://x")
    orders = spec["components"]["schemas"]["orders"]
    assert orders["description"] == "One checkout"
    assert orders["properties"]["total"]["description"] == "Sum of the lines, in cents"
