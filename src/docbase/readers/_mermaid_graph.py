"""Tables drawn as Mermaid flowcharts: a ``subgraph`` per table, a node per column.

Some documents draw their schema with ``graph``/``flowchart`` instead of
``erDiagram``::

    graph LR
        subgraph "users"
            U_id[id: string PK]
            U_tenant[tenantId: string FK]
        end
        T[tenants] -->|1:N| U[users]

A subgraph becomes a table only when its nodes read as columns
(``name: type [PK|FK|UK]``); other subgraphs and nodes are a flowchart's
own business and are left alone. An edge labelled with a cardinality
(``1:N``, ``N:1``, ``1:1``, ``N:M``, or ``1-n``) between nodes that name tables is a
relationship.
"""

from __future__ import annotations

import re

from ..document import Block, Diagnostic, warning
from ..fragments import ColumnFragment, RelationshipFragment, TableFragment
from .base import Reading
from .column_notes import column_type

_GRAPH = re.compile(r"^\s*(graph|flowchart)\b", re.IGNORECASE)
_SUBGRAPH = re.compile(r'^\s*subgraph\s+(?:[\w-]+\s*\[\s*"?([^"\]]+?)"?\s*\]|"([^"]+)"|([\w.-]+))\s*$')
_END = re.compile(r"^\s*end\s*$")
_NODE = re.compile(
    r'^\s*([\w-]+)\s*(?:[\[(]{1,2}\s*"([^"]+)"\s*[\])]{1,2}|[\[({]{1,2}\s*([^\[\](){}"]+?)\s*[\])}]{1,2})\s*$'
)
_COLUMN = re.compile(r"^([^\W\d]\w*)\s*:\s*(\S.*?)(?:\s+((?:PK|FK|UK)(?:\s*[,/ ]\s*(?:PK|FK|UK))*))?\s*$")
_EDGE = re.compile(
    r'^\s*([\w-]+)(?:\s*[\[(]{1,2}"?([^\])"]+)"?[\])]{1,2})?\s*[-.=]+>?\s*\|\s*"?([^|"]*)"?\s*\|\s*'
    r'([\w-]+)(?:\s*[\[(]{1,2}"?([^\])"]+)"?[\])]{1,2})?\s*$'
)
_CARDS = {
    "1:n": ("||", "o{"),
    "1:*": ("||", "o{"),
    "1:m": ("||", "o{"),
    "n:1": ("}o", "||"),
    "*:1": ("}o", "||"),
    "1:1": ("||", "o|"),
    "n:m": ("}o", "o{"),
    "m:n": ("}o", "o{"),
    "n:n": ("}o", "o{"),
}


def is_graph(first_statement: str) -> bool:
    return bool(_GRAPH.match(first_statement))


def has_column_nodes(text: str) -> bool:
    """Whether any node reads as a column (``id: string PK``): then the flowchart draws tables."""
    for line in text.split("\n"):
        node = _NODE.match(line)
        if node is not None and _COLUMN.match((node.group(2) or node.group(3)).strip()):
            return True
    return False


def has_cardinality_edges(text: str) -> bool:
    """Whether any edge is labelled with a cardinality (``A[users] -->|1-n| B[orders]``): a relationship diagram."""
    for line in text.split("\n"):
        edge = _EDGE.match(line)
        if edge is not None and _cards(edge.group(3)) is not None:
            return True
    return False


def _cards(label: str) -> tuple[str, str] | None:
    label = label.strip().lower().replace(" ", "")
    return _CARDS.get(re.sub(r"^([1nm*])(?:-|\.\.)([1nm*])$", r"\1:\2", label))  # "1-n", "1..n" too


def read_graph(block: Block) -> Reading:
    """Tables from subgraphs of column nodes, relationships from cardinality-labelled edges."""
    diagnostics: list[Diagnostic] = []
    tables: list[TableFragment] = []
    labels: dict[str, str] = {}
    edges: list[tuple[str, str, str, int]] = []
    current: tuple[str, int, list[ColumnFragment]] | None = None
    for index, line in enumerate(block.text.split("\n")):
        number = block.line + index
        sub = _SUBGRAPH.match(line)
        if sub is not None:
            current = (next(g for g in sub.groups() if g).strip(), number, [])
            continue
        if _END.match(line) and current is not None:
            if current[2]:
                tables.append(_table(current, block))
            current = None
            continue
        node = _NODE.match(line)
        if node is not None:
            label = (node.group(2) or node.group(3)).strip()
            labels[node.group(1)] = label
            column = _COLUMN.match(label)
            if current is not None and column is not None:
                current[2].append(_column(column, number, current[0], diagnostics))
            continue
        edge = _EDGE.match(line)
        if edge is not None:
            left, right = edge.group(2) or edge.group(1), edge.group(5) or edge.group(4)
            labels.setdefault(edge.group(1), left)
            labels.setdefault(edge.group(4), right)
            edges.append((edge.group(1), edge.group(4), edge.group(3).strip().lower().replace(" ", ""), number))
    reading = Reading(list(tables), diagnostics)
    for left, right, label, number in edges:
        cards = _cards(label)
        a, b = labels.get(left, left), labels.get(right, right)
        if cards and re.fullmatch(r"[^\W\d][\w.]*", a) and re.fullmatch(r"[^\W\d][\w.]*", b):
            reading.fragments.append(RelationshipFragment(a, b, number, *cards, source="mermaid"))
    return reading


def _column(m: re.Match[str], number: int, table: str, diagnostics: list[Diagnostic]) -> ColumnFragment:
    keys = set(re.findall(r"PK|FK|UK", m.group(3) or ""))
    type_info, values, problem = column_type(m.group(2).strip())
    if problem:
        diagnostics.append(warning(number, f"{table}.{m.group(1)}: {problem}"))
    return ColumnFragment(
        m.group(1),
        number,
        type=type_info,
        nullable=False if "PK" in keys else None,
        primary_key="PK" in keys,
        unique="UK" in keys,
        fk_marked="FK" in keys,
        enum=values,
    )


def _table(current: tuple[str, int, list[ColumnFragment]], block: Block) -> TableFragment:
    name, line, columns = current
    return TableFragment(
        name,
        line,
        "mermaid",
        columns=tuple(columns),
        primary_key=tuple(c.name for c in columns if c.primary_key),
        section=block.section,
    )
