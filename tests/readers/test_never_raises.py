"""No input makes a reader, or the whole read, raise.

A design document is written by people, half-finished and pasted from
elsewhere; docbase must answer every one of them with diagnostics. Hypothesis
feeds each registered reader blocks of every kind holding arbitrary text and
text built from its notation's own pieces (keywords, brackets, arrows, box
corners), which reach much deeper into a parser than random characters do,
and feeds ``build_schema`` arbitrary strings and Markdown assembled from
fences, tables and lists.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from docbase.document import Block
from docbase.document.blocks import ListItem, TableRow
from docbase.pipeline import build_schema
from docbase.readers.base import Reading
from docbase.readers.registry import readers

# Pieces of every notation docbase reads, so random text looks enough like each to be read seriously.
_PIECES = (
    "CREATE TABLE", "CREATE TYPE", "AS ENUM", "CREATE UNIQUE INDEX", "ON", "USING gin", "ALTER TABLE",
    "ADD CONSTRAINT", "FOREIGN KEY", "REFERENCES", "ON DELETE CASCADE", "PRIMARY KEY", "NOT NULL",
    "UNIQUE", "DEFAULT", "CHECK", "IN", "WHERE", "CREATE POLICY", "FOR SELECT", "USING", "WITH CHECK",
    "ENABLE ROW LEVEL SECURITY", "AUTO_INCREMENT", "ENGINE=InnoDB", "users", "orgs", "id", "user_id",
    "orgId", "name", "uuid", "varchar(255)", "numeric(10,2)", "int", "text[]", "timestamptz", "jsonb",
    "vector(3)", "enum", "string", "number", "(", ")", "{", "}", "[", "]", ",", ";", ":", ".", "'",
    '"', "`", "$$", "--", "/*", "*/", "erDiagram", "||--o{", "}o--||", "|o--o|", "PK", "FK", "UK",
    "Table", "Ref:", ">", "<", "-", "[pk, increment]", "[ref: > users.id]", "Enum", "note:",
    "model", "@id", "@unique", "@default(now())", "@relation(fields: [a], references: [id])", "@@unique([a, b])",
    "┌", "┐", "└", "┘", "│", "─", "├", "┤", "+", "|", "+---+", "(PK)", "(FK → users)", "← Encrypted",
    "pending | accepted", "e.g.", "Foreign Key to", "Constraints:", "Relationships:", "One-to-Many with",
    "(CASCADE DELETE)", "UNIQUE(a, b)", "Not Null", "Default:", "→", "\n", "\n", " ", "  ", "\t",
    "@startuml", "@enduml", "entity", "class", "<<PK>>", "<<FK>>", "* id : int", "pk(id)", "Table(t, \"d\")",
    '"1" --> "*"', "graph LR", "subgraph", "end", "T_id[id: uuid PK]", "-->|1:N|", "GO", "\n/\n",
    "VARCHAR2(50)", "NUMBER(10, 2)", "IDENTITY(1,1)", "[dbo].[T]", "AS IDENTITY START WITH 1", "user",
    'unique "a, b"', "PK_FK", "varchar_50", "DEFAULT true", "# note", "ADD COLUMN", "## Heading", "```sql",
)  # fmt: skip

_notation_text = st.lists(st.sampled_from(_PIECES), max_size=40).map(" ".join)
_any_text = st.one_of(st.text(max_size=200), _notation_text)
_INFOS = ("", "sql", "postgresql", "mysql", "mermaid", "dbml", "prisma", "text", "plaintext", "ascii")


@st.composite
def blocks(draw: st.DrawFn) -> Block:
    kind = draw(st.sampled_from(("heading", "code", "table", "list", "paragraph")))
    text = draw(_any_text)
    line = draw(st.integers(1, 5000))
    section = tuple(draw(st.lists(_any_text, max_size=3)))
    lead = draw(st.one_of(st.just(""), _any_text))
    if kind == "table":
        width = draw(st.integers(1, 5))
        cells = st.lists(_any_text, min_size=width, max_size=width).map(tuple)
        rows = tuple(TableRow(c, line + i) for i, c in enumerate(draw(st.lists(cells, min_size=1, max_size=5))))
        return Block("table", text, line, section, rows=rows, lead=lead)
    if kind == "list":
        items = tuple(
            ListItem(t, line + i, draw(st.integers(0, 3))) for i, t in enumerate(draw(st.lists(_any_text, max_size=6)))
        )
        return Block("list", text, line, section, items=items, lead=lead)
    if kind == "code":
        info = draw(st.sampled_from(_INFOS))
        return Block("code", text, line, section, info=info, fenced=draw(st.booleans()), lead=lead)
    return Block(kind, text, line, section, level=draw(st.integers(0, 6)), lead=lead)


_SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.parametrize("reader", readers(), ids=lambda m: m.NAME)
@_SETTINGS
@given(block=blocks())
def test_a_reader_never_raises(reader, block: Block) -> None:
    if reader.accepts(block):
        reading = reader.read(block)
        assert isinstance(reading, Reading)
        assert all(d.level in ("error", "warning", "info") for d in reading.diagnostics)


@_SETTINGS
@given(st.text(max_size=400))
def test_build_schema_never_raises_on_any_string(text: str) -> None:
    schema = build_schema(text)
    assert all(d.line >= 0 for d in schema.diagnostics)


@st.composite
def markdown(draw: st.DrawFn) -> str:
    """A Markdown document of headings, fences (closed or not), column tables and lists with random content."""
    parts: list[str] = []
    for _ in range(draw(st.integers(1, 6))):
        shape = draw(st.sampled_from(("heading", "fence", "table", "list", "paragraph")))
        content = draw(_notation_text)
        if shape == "heading":
            parts.append("#" * draw(st.integers(1, 4)) + " " + content.replace("\n", " "))
        elif shape == "fence":
            close = "```" if draw(st.booleans()) else ""
            parts.append(f"```{draw(st.sampled_from(_INFOS))}\n{content}\n{close}")
        elif shape == "table":
            cells = draw(st.lists(_notation_text.map(lambda s: s.replace("\n", " ")), min_size=2, max_size=12))
            width = draw(st.integers(1, 4))
            rows = [cells[i : i + width] for i in range(0, len(cells), width)]
            parts += ["| " + " | ".join(r) + " |" for r in rows[:1]]
            parts.append("|" + "---|" * width)
            parts += ["| " + " | ".join(r) + " |" for r in rows[1:]]
        elif shape == "list":
            for item in draw(st.lists(_notation_text, min_size=1, max_size=5)):
                parts.append(draw(st.sampled_from(("* ", "- ", "  - ", "1. "))) + item.replace("\n", " "))
        else:
            parts.append(content)
        parts.append("")
    return "\n".join(parts)


@_SETTINGS
@given(markdown())
def test_build_schema_never_raises_on_markdown_of_random_pieces(text: str) -> None:
    schema = build_schema(text)
    # A reader that raised is caught by the registry and reported; that still is a bug.
    failed = [d.message for d in schema.diagnostics if "reader failed" in d.message]
    assert not failed, failed
