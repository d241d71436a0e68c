"""markdown-it's GFM table rule, emitting only what ``blocks`` reads: the table's and each row's line span.

``blocks`` cuts every cell from the source line itself, so the ``th``/``td``/``inline``
tokens markdown-it pushes for each cell (fourteen tokens for a four-column row) were
built only to be skipped; on a large document they were a third of the block parse.
Which lines start, continue and end a table is decided exactly as markdown-it 4.x
decides it (the same header, delimiter-row and termination tests, the same
cell-expansion limit), so the blocks are the same; only the tokens are fewer.
"""

from __future__ import annotations

import re

from markdown_it.common.utils import isStrSpace, mdTrim
from markdown_it.rules_block.state_block import StateBlock
from markdown_it.rules_block.table import MAX_AUTOCOMPLETED_CELLS, escapedSplit

_DELIMITER_CELL = re.compile(r"^:?-+:?$")


def _line(state: StateBlock, line: int) -> str:
    return state.src[state.bMarks[line] + state.tShift[line] : state.eMarks[line]]


def _delimiter_columns(state: StateBlock, line: int) -> int | None:
    """The number of columns the delimiter row ``|---|:--|`` declares, or None when it is not one."""
    pos, end = state.bMarks[line] + state.tShift[line], state.eMarks[line]
    if pos + 1 >= end:
        return None
    first, second = state.src[pos], state.src[pos + 1]
    if first not in "|-:" or (second not in "|-:" and not isStrSpace(second)):
        return None
    if first == "-" and isStrSpace(second):
        return None  # a list item, not a table
    for ch in state.src[pos + 2 : end]:
        if ch not in "|-:" and not isStrSpace(ch):
            return None
    columns = _line(state, line).split("|")
    count = 0
    for i, column in enumerate(columns):
        t = mdTrim(column)
        if not t:
            if i == 0 or i == len(columns) - 1:
                continue
            return None
        if not _DELIMITER_CELL.search(t):
            return None
        count += 1
    return count


def table(state: StateBlock, startLine: int, endLine: int, silent: bool) -> bool:  # noqa: N803 (markdown-it's names)
    if startLine + 2 > endLine:
        return False
    nextLine = startLine + 1  # noqa: N806
    if state.sCount[nextLine] < state.blkIndent or state.is_code_block(nextLine):
        return False
    aligns = _delimiter_columns(state, nextLine)
    if aligns is None:
        return False
    header = mdTrim(_line(state, startLine))
    if "|" not in header or state.is_code_block(startLine):
        return False
    columns = escapedSplit(header)
    if columns and columns[0] == "":
        columns.pop(0)
    if columns and columns[-1] == "":
        columns.pop()
    column_count = len(columns)
    if column_count == 0 or column_count != aligns:
        return False
    if silent:
        return True

    old_parent, state.parentType = state.parentType, "table"
    terminators = state.md.block.ruler.getRules("blockquote")
    token = state.push("table_open", "table", 1)
    token.map = spans = [startLine, 0]
    token = state.push("tr_open", "tr", 1)
    token.map = [startLine, startLine + 1]
    state.push("tr_close", "tr", -1)

    autocompleted = 0
    nextLine = startLine + 2  # noqa: N806
    while nextLine < endLine:
        if state.sCount[nextLine] < state.blkIndent:
            break
        # a row starting with "|" can start none of the terminators (fence, quote, rule, list, HTML, heading)
        first = state.src[
            state.bMarks[nextLine] + state.tShift[nextLine] : state.bMarks[nextLine] + state.tShift[nextLine] + 1
        ]
        if first != "|" and any(rule(state, nextLine, endLine, True) for rule in terminators):
            break
        text = mdTrim(_line(state, nextLine))
        if not text or state.is_code_block(nextLine):
            break
        row = escapedSplit(text)
        if row and row[0] == "":
            row.pop(0)
        if row and row[-1] == "":
            row.pop()
        autocompleted += column_count - len(row)
        if autocompleted > MAX_AUTOCOMPLETED_CELLS:
            break
        token = state.push("tr_open", "tr", 1)
        token.map = [nextLine, nextLine + 1]
        state.push("tr_close", "tr", -1)
        nextLine += 1  # noqa: N806

    state.push("table_close", "table", -1)
    spans[1] = nextLine
    state.parentType = old_parent
    state.line = nextLine
    return True
