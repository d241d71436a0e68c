"""HTML ``<table>`` blocks in Markdown -> the same ``table`` blocks a pipe table gives.

Documents written for GitHub often draw a table's columns as raw HTML
(markdown-it passes them through as an opaque ``html_block``). Each
``<table>`` becomes a ``table`` block with one row per ``<tr>`` and the
cells' text, so the column-table reader reads it like any other. A first
row with a single cell (``<th colspan="2">User</th>``) is the table's title:
it is added to the block's heading trail, as a heading above a pipe table
would be. A title table whose rows have no header row of ``<th>`` cells and
two cells each gets the header ``Name | Type`` (the only reading of a
two-cell name/definition row); wider header-less tables are left as they are.
"""

from __future__ import annotations

from html.parser import HTMLParser

from .blocks import Block, TableRow

__all__ = ["html_tables"]


class _Tables(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[list[tuple[list[str], list[bool], int]]] = []
        self._row: tuple[list[str], list[bool], int] | None = None
        self._cell: list[str] | None = None
        self._depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self._depth += 1
            if self._depth == 1:
                self.tables.append([])
        elif tag == "tr" and self._depth == 1:
            self._row = ([], [], self.getpos()[0])
            self.tables[-1].append(self._row)
        elif tag in ("td", "th") and self._row is not None:
            if not self._row[0]:  # a row is located at its first cell, not its <tr>
                self._row = (self._row[0], self._row[1], self.getpos()[0])
                self.tables[-1][-1] = self._row
            self._cell = []
            self._row[1].append(tag == "th")
            self._row[0].append("")
        elif tag == "br" and self._cell is not None:
            self._cell.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row[0][-1] = " ".join("".join(self._cell).split())
            self._cell = None
        elif tag == "tr":
            self._row = None
        elif tag == "table":
            self._depth = max(0, self._depth - 1)

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def html_tables(text: str, line: int, section: tuple[str, ...]) -> list[Block]:
    """The ``table`` blocks of the ``<table>`` elements in ``text`` (which starts on ``line``)."""
    parser = _Tables()
    try:
        parser.feed(text)
        parser.close()
    except Exception:  # html.parser is lenient; anything it still rejects is simply not a table here
        return []
    blocks = []
    for rows in parser.tables:
        rows = [r for r in rows if r[0]]
        if not rows:
            continue
        trail = section
        if len(rows[0][0]) == 1 and len(rows) > 1:
            trail = (*section, rows[0][0][0])
            rows = rows[1:]
        found = [TableRow(tuple(cells), line + offset - 1) for cells, _heads, offset in rows]
        if trail is not section and not all(rows[0][1]) and all(len(r[0]) == 2 for r in rows):
            found.insert(0, TableRow(("Name", "Type"), found[0].line))
        body = "\n".join("| " + " | ".join(r.cells) + " |" for r in found)
        blocks.append(Block("table", body, found[0].line, trail, rows=tuple(found)))
    return blocks
