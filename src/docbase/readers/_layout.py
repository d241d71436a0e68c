"""Which Markdown table is a column table or an index table, and what each column holds.

Header words vary with the author and the language (Column / Field / Spalte /
Colonne / Campo / 列; Type / Typ / Tipo / 型), and some tables have none that
help. So a role is taken from the header when a known word names it, and the
two that matter most (name and type) are otherwise found from the cells:
the leftmost column of identifiers is the name, the column whose cells read
as types is the type.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..document import Block
from ._cells import is_identifier, strip_markup
from ._typewords import read_type_words

_ROLE_WORDS: dict[str, set[str]] = {
    "name": {"column", "field", "name", "column name", "field name", "attribute", "attribute name"}
    | {"property", "property name", "nom de colonne", "nombre de columna", "spalte", "spaltenname", "feld"}
    | {"feldname", "colonne", "champ", "nom", "campo", "columna", "coluna", "nombre", "nome", "kolumn", "kolom"}
    | {"列", "列名", "字段", "字段名", "カラム", "カラム名", "フィールド", "項目", "столбец", "поле"},
    "type": {"type", "data type", "datatype", "typ", "datentyp", "tipo", "tipo de dato", "tipo de datos", "sql type"}
    | {"db type", "column type", "field type", "type de données", "类型", "数据类型", "型", "データ型", "тип"},
    "constraints": {"constraints", "constraint", "modifiers", "flags", "options", "attributes", "restrictions"}
    | {"einschränkungen", "contraintes", "restricciones", "restrições", "约束", "制約", "ограничения"}
    | {"key", "keys", "pk/fk", "key type", "schlüssel", "clé", "clave", "键", "キー"},
    "pk_flag": {"pk", "pk?", "primary key", "primary", "primary key?"},
    "fk_flag": {"fk", "fk?", "foreign key", "references", "refs", "ref", "foreign key to", "links to"},
    "nullable": {"nullable", "null", "null?", "nullable?", "allow null", "allows null", "is nullable", "optional"}
    | {"nulls", "null allowed"},
    "required": {"required", "not null", "mandatory", "req", "req.", "obligatoire", "pflicht", "obligatorio"}
    | {"requerido", "必須", "必填", "non-null", "pflichtfeld", "erforderlich", "obligatorisch", "requis"},
    "default": {"default", "default value", "defaults", "standard", "standardwert", "défaut", "valeur par défaut"}
    | {"valor por defecto", "predeterminado", "默认值", "デフォルト", "default value(s)"},
    "description": {"description", "desc", "notes", "note", "comment", "comments", "purpose", "details"}
    | {"remarks", "meaning", "beschreibung", "bemerkung", "descripción", "descrição", "说明", "描述", "備考"}
    | {"説明", "explanation", "info", "usage"},
    "examples": {"example", "examples", "sample", "sample value", "example value", "example values"},
    "values": {"values", "allowed values", "enum values", "possible values", "valid values"},
    "table": {"table", "table name", "collection", "entity", "model", "tabelle", "tabla", "表"},
    "index": {"index", "index name", "indexes", "indices", "idx"},
    "fields": {"fields", "columns", "column(s)", "field(s)", "on", "indexed fields", "indexed columns"},
    "method": {"method", "using", "kind", "index type"},
    "unique": {"unique", "unique?"},
}


def header_role(cell: str) -> str | None:
    word = re.sub(r"\s+", " ", strip_markup(cell).lower()).strip(" :")
    for role, words in _ROLE_WORDS.items():
        if word in words:
            return role
    return None


@dataclass
class Layout:
    kind: str  # "columns" or "indexes"
    roles: dict[int, str] = field(default_factory=dict)

    def index_of(self, role: str) -> int | None:
        for i, r in self.roles.items():
            if r == role:
                return i
        return None


def _ratio(rows: list[tuple[str, ...]], col: int, test) -> float:
    cells = [strip_markup(r[col]) for r in rows if col < len(r) and strip_markup(r[col])]
    return sum(1 for c in cells if test(c)) / len(cells) if cells else 0.0


def _is_type(cell: str) -> bool:
    head = re.split(r"\s+(?=[A-Z]{2}|not\b|null|primary|unique|default|pk\b|fk\b)", cell, maxsplit=1)[0]
    return read_type_words(cell).type is not None or read_type_words(head).type is not None


def _name_cell(cell: str) -> str:
    text = strip_markup(cell)
    text = re.sub(r"\s*\([^)]*\)\s*$", "", text)
    return text.rstrip("*?🔑 ").strip()


def layout_of(block: Block) -> Layout | None:
    """How to read a table block, or None when it is neither a column table nor an index table."""
    if block.kind != "table" or len(block.rows) < 2:
        return None
    header = block.rows[0].cells
    body = [r.cells for r in block.rows[1:]]
    roles: dict[int, str] = {}
    for i, cell in enumerate(header):
        role = header_role(cell)
        if role is not None and role not in roles.values():
            roles[i] = role
    values = set(roles.values())
    if ("index" in values or "name" in values) and "fields" in values:
        renamed = {"name": "index", "type": "method"}  # an index's name and kind
        roles = {i: renamed.get(r, r) if renamed.get(r) not in values else r for i, r in roles.items()}
        return Layout("indexes", roles)
    if "type" not in values:
        scores = [(_ratio(body, i, _is_type), i) for i in range(len(header)) if i not in roles]
        best = max(scores, default=(0.0, -1))
        # a column that reads as types but not only as identifiers (names like "date" are types too)
        for score, i in sorted(scores, reverse=True):
            if score >= 0.6 and _ratio(body, i, lambda c: bool(re.search(r"[A-Z(\[<|]", c))) > 0:
                best = (score, i)
                break
        if best[0] < 0.6:
            return None
        roles[best[1]] = "type"
    if "name" not in roles.values():
        for i in range(len(header)):
            if i not in roles and _ratio(body, i, lambda c: is_identifier(_name_cell(c))) >= 0.8:
                roles[i] = "name"
                break
        else:
            return None
    name_col = next(i for i, r in roles.items() if r == "name")
    type_col = next(i for i, r in roles.items() if r == "type")
    if _ratio(body, name_col, lambda c: is_identifier(_name_cell(c))) < 0.5:
        return None
    if _ratio(body, type_col, _is_type) < 0.3:
        return None
    return Layout("columns", roles)
