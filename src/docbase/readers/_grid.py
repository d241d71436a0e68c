"""Find rectangles drawn on a character grid (the geometry behind ``ascii.py``).

Positions are code-point indices, not display cells: box-drawing characters
are one code point each, and a hand-drawn diagram lines up by characters.
Tabs are expanded to 8 columns first.

A box is a top edge (corner, horizontal run, corner), a left wall running
down to a bottom-left corner, and a bottom edge ending at the column of the
top-right corner. Rows in between are either *edges* (a full horizontal run
between a left tee and a right tee: the title separator, ``├──┤`` or
``+--+``) or *content rows*. The right wall is allowed to be pushed out by a
row whose text is one character too long (hand-drawn diagrams overflow), so
a content row's text ends at the first wall character at or after the right
edge column.

Boxes may be drawn inside other boxes (a frame around a group of tables);
a corner starts a new box unless it lies on an outline already found.
Arrowheads on an edge (``┌──▼──┐``) are part of the edge.

A top edge whose left wall never reaches a bottom corner is *unclosed*. It
is reported only when one of its rows holds text: a connector fork such as
``┌────┼────┐`` over ``▼`` arrows has the same shape and no text, and is
not a mistake.
"""

from __future__ import annotations

from dataclasses import dataclass, field

TOP_LEFT = set("┌╔╓╒┏╭+")
TOP_RIGHT = set("┐╗╖╕┓╮+")
BOTTOM_LEFT = set("└╚╙╘┗╰+")
BOTTOM_RIGHT = set("┘╝╜╛┛╯+")
HORIZONTAL = set("─═━-=┬┴┼╤╧╪╦╩╬┳┻╋")
# Arrowheads drawn on an edge where a connector meets the box (``┌──▼──┐``, ``└───▲───┘``).
ARROWHEADS = set("▲▼◄►▶◀△▽")
VERTICAL = set("│║┃|")
LEFT_TEE = set("├╠╟╞┣+")
RIGHT_TEE = set("┤╣╢╡┫+")
JUNCTION = set("┬┼╤╪╦╬┳╋+")
# A connector may leave a content row through its wall: ``──┤ id │`` or ``│ id ├──>``.
LEFT_WALL = VERTICAL | set("┤┼╢╡╣┫")
RIGHT_WALL = VERTICAL | set("├┼╟╞╠┣")
# How far a content row may push its right wall out before it counts as unwalled.
OVERFLOW = 24


@dataclass(frozen=True)
class Row:
    """A content row: its grid row, its text inside the walls, and where the box ends on it."""

    index: int
    text: str
    end: int
    cells: tuple[str, ...] = ()


@dataclass(frozen=True)
class Box:
    top: int
    left: int
    bottom: int
    right: int
    rows: tuple[Row, ...] = field(default=())
    separators: tuple[int, ...] = ()

    def spans(self, row: int) -> bool:
        return self.top <= row <= self.bottom

    def on_edge(self, row: int, col: int) -> bool:
        """Whether (row, col) is on this box's outline (a corner there starts no new box)."""
        inside = self.top <= row <= self.bottom and self.left <= col <= self.right
        return inside and (row in (self.top, self.bottom) or col in (self.left, self.right) or row in self.separators)

    def contains(self, other: Box) -> bool:
        """Whether ``other`` is drawn inside this box (a frame around a group of tables)."""
        return (
            other is not self
            and self.top < other.top
            and other.bottom < self.bottom
            and self.left < other.left
            and other.right < self.right
        )

    def overlap(self, start: int, end: int) -> int:
        """How many columns of ``[start, end)`` lie over this box."""
        return max(0, min(end, self.right + 1) - max(start, self.left))


@dataclass(frozen=True)
class Unclosed:
    """A top edge with text under it and no bottom edge: the line to blame."""

    top: int
    left: int
    title: str


class Grid:
    """The block's lines, padded so every row can be indexed anywhere."""

    def __init__(self, text: str) -> None:
        self.lines = [ln.expandtabs(8).rstrip() for ln in text.split("\n")]
        self.width = max((len(ln) for ln in self.lines), default=0)

    def __len__(self) -> int:
        return len(self.lines)

    def at(self, row: int, col: int) -> str:
        if 0 <= row < len(self.lines) and 0 <= col < len(self.lines[row]):
            return self.lines[row][col]
        return " "

    def span(self, row: int, start: int, end: int) -> str:
        if not 0 <= row < len(self.lines):
            return ""
        return self.lines[row][max(start, 0) : max(end, 0)]

    def blank(self, row: int, start: int, end: int) -> None:
        """Erase a span (text already used, such as a constraint line)."""
        line = self.lines[row].ljust(end)
        self.lines[row] = (line[:start] + " " * (end - start) + line[end:]).rstrip()


def find_boxes(grid: Grid) -> tuple[list[Box], list[Unclosed]]:
    """Every closed box on the grid, top to bottom, left to right, and the unclosed ones."""
    boxes: list[Box] = []
    unclosed: list[Unclosed] = []
    for r, line in enumerate(grid.lines):
        for c, ch in enumerate(line):
            if ch not in TOP_LEFT or any(b.on_edge(r, c) for b in boxes):
                continue
            right = _top_edge(grid, r, c)
            if right is None:
                continue
            box, text_seen = _walls(grid, r, c, right)
            if box is not None:
                boxes.append(box)
            elif text_seen:
                unclosed.append(Unclosed(r, c, text_seen))
    return boxes, unclosed


def _top_edge(grid: Grid, r: int, c: int) -> int | None:
    """The column of the top-right corner, or None if this is not a top edge."""
    ascii_style = grid.at(r, c) == "+"
    if ascii_style and grid.at(r, c + 1) not in "-=":
        return None
    col = c + 1
    while True:
        ch = grid.at(r, col)
        if ascii_style and ch == "+":
            if grid.at(r, col + 1) in "-=":  # a junction inside a longer edge
                col += 1
                continue
            return col if col > c + 1 else None
        if not ascii_style and ch in TOP_RIGHT and ch != "+":
            return col if col > c + 1 else None
        if (ch not in HORIZONTAL and ch not in ARROWHEADS) or ch == "+":
            return None
        col += 1


_EDGE_CHARS = HORIZONTAL | ARROWHEADS | {"+"}


def _is_edge(grid: Grid, r: int, left: int, right: int, ends_left: set[str], ends_right: set[str]) -> bool:
    if grid.at(r, left) not in ends_left or grid.at(r, right) not in ends_right:
        return False
    # both ends are on the line, so the slice between them is whole
    return set(grid.lines[r][left + 1 : right]) <= _EDGE_CHARS


def _walls(grid: Grid, top: int, left: int, right: int) -> tuple[Box | None, str]:
    """Follow the left wall down; return the closed box, or the first text seen if it never closes."""
    ascii_style = grid.at(top, left) == "+"
    rows: list[Row] = []
    separators: list[int] = []
    junctions = {col for col in range(left + 1, right) if grid.at(top, col) in JUNCTION}
    text_seen = ""
    r = top + 1
    while r < len(grid):
        ch = grid.at(r, left)
        if _is_edge(grid, r, left, right, BOTTOM_LEFT, BOTTOM_RIGHT):
            closes = ch != "+" or grid.at(r + 1, left) not in VERTICAL
            if closes:
                return Box(top, left, r, right, tuple(rows), tuple(separators)), text_seen
            separators.append(r)
        elif _is_edge(grid, r, left, right, LEFT_TEE, RIGHT_TEE) and (ch != "+" or ascii_style):
            separators.append(r)
            junctions |= {col for col in range(left + 1, right) if grid.at(r, col) in JUNCTION}
        elif ch in LEFT_WALL:
            row = _content_row(grid, r, left, right, junctions)
            rows.append(row)
            if not text_seen and any(x.isalnum() for x in row.text):
                text_seen = row.text.strip()
        else:
            return None, text_seen
        r += 1
    return None, text_seen


def _content_row(grid: Grid, r: int, left: int, right: int, junctions: set[int]) -> Row:
    end = right
    if grid.at(r, right) not in RIGHT_WALL:
        end = next(
            (
                col
                for col in range(right + 1, right + OVERFLOW)
                if grid.at(r, col) in VERTICAL and grid.at(r, col - 1) != " "
            ),
            right,
        )
        if end == right:  # no wall at all: the text runs on until a gap of two spaces
            col = right
            while grid.at(r, col) != " " or grid.at(r, col + 1) != " ":
                if col >= len(grid.lines[r]):
                    break
                col += 1
            end = col
    text = grid.span(r, left + 1, end)
    walls = sorted(col for col in junctions if grid.at(r, col) in VERTICAL and col < end)
    cells: tuple[str, ...] = ()
    if walls:
        bounds = [left, *walls, end]
        cells = tuple(grid.span(r, a + 1, b).strip() for a, b in zip(bounds, bounds[1:], strict=False))
    return Row(r, text, end, cells)
