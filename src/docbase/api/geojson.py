"""``Accept: application/geo+json``: the rows as a GeoJSON FeatureCollection, as PostgREST answers with PostGIS.

PostgREST runs ``ST_AsGeoJSON(row)`` on each row: a Feature whose geometry is the row's first geometry
column and whose properties are the other selected columns. docbase keeps a ``geometry``/``geography``
column as its (E)WKT text on both databases (``SRID=4326;POINT(-71.1 42.37)``), so the geometry is read
from that text here: points, line strings, polygons, their multi- forms and collections, with Z/M
ordinates and ``EMPTY``. A row without a geometry value has ``"geometry": null``; text that is not WKT
is PostGIS's own error (XX000 ``parse error - invalid geometry``); a selection without a geometry
column is 400, as ``ST_AsGeoJSON`` refuses a record without one.
"""

from __future__ import annotations

import re
from typing import Any

from ..schema.model import Table
from .errors import ApiError

GEOJSON = "application/geo+json"
_SPATIAL = ("geometry", "geography")
_TOKEN = re.compile(r"\s*([A-Za-z]+|\(|\)|,|[-+0-9.eE]+)")
_TYPES = {
    "POINT": "Point",
    "LINESTRING": "LineString",
    "POLYGON": "Polygon",
    "MULTIPOINT": "MultiPoint",
    "MULTILINESTRING": "MultiLineString",
    "MULTIPOLYGON": "MultiPolygon",
    "GEOMETRYCOLLECTION": "GeometryCollection",
}


def geometry_columns(table: Table) -> list[str]:
    """The table's spatial columns, in order (by the type the document wrote)."""
    return [c.name for c in table.columns if (c.raw_type or "").lower().replace("extensions.", "").startswith(_SPATIAL)]


def feature_collection(table: Table, rows: list[dict[str, Any]]) -> dict[str, Any]:
    spatial = [c for c in geometry_columns(table) if not rows or c in rows[0]]
    if not spatial:
        raise ApiError(400, "XX000", "geometry column is missing", None, None)
    column = spatial[0]
    features = []
    for row in rows:
        properties = {k: v for k, v in row.items() if k != column}
        value = row.get(column)
        features.append(
            {"type": "Feature", "geometry": None if value is None else to_geometry(value), "properties": properties}
        )
    return {"type": "FeatureCollection", "features": features}


def to_geometry(text: str) -> dict[str, Any]:
    """A GeoJSON geometry from (E)WKT text."""
    body = text.split(";", 1)[1] if text.upper().startswith("SRID=") else text
    tokens = [m.group(1) for m in _TOKEN.finditer(body)]
    if "".join(tokens).replace(" ", "") != re.sub(r"\s+", "", body):
        raise _invalid()
    geometry, end = _geometry(tokens, 0)
    if end != len(tokens):
        raise _invalid()
    return geometry


def _invalid() -> ApiError:
    return ApiError(400, "XX000", "parse error - invalid geometry", None, None)


def _geometry(tokens: list[str], i: int) -> tuple[dict[str, Any], int]:
    if i >= len(tokens) or tokens[i].upper() not in _TYPES:
        raise _invalid()
    kind = _TYPES[tokens[i].upper()]
    i += 1
    while i < len(tokens) and tokens[i].upper() in ("Z", "M", "ZM"):
        i += 1
    if i < len(tokens) and tokens[i].upper() == "EMPTY":
        return (
            {"type": kind, "geometries": []} if kind == "GeometryCollection" else {"type": kind, "coordinates": []}
        ), i + 1
    if kind == "GeometryCollection":
        i = _expect(tokens, i, "(")
        parts = []
        while True:
            part, i = _geometry(tokens, i)
            parts.append(part)
            if tokens[i] == ",":
                i += 1
                continue
            return {"type": kind, "geometries": parts}, _expect(tokens, i, ")")
    depth = {"Point": 0, "LineString": 1, "MultiPoint": 1, "Polygon": 2, "MultiLineString": 2, "MultiPolygon": 3}[kind]
    coordinates, i = _nested(tokens, i, depth, kind == "MultiPoint")
    return {"type": kind, "coordinates": coordinates}, i


def _nested(tokens: list[str], i: int, depth: int, loose_points: bool = False) -> tuple[Any, int]:
    """``( ... )`` holding a position (depth 0) or a list of depth-1 items."""
    i = _expect(tokens, i, "(")
    if depth == 0:
        position, i = _position(tokens, i)
        return position, _expect(tokens, i, ")")
    items = []
    while True:
        if depth == 1 and (not loose_points or tokens[i] != "("):
            item, i = _position(tokens, i)  # MULTIPOINT(1 2, 3 4) as well as MULTIPOINT((1 2), (3 4))
        else:
            item, i = _nested(tokens, i, depth - 1 if not loose_points else 0)
        items.append(item)
        if i < len(tokens) and tokens[i] == ",":
            i += 1
            continue
        return items, _expect(tokens, i, ")")


def _position(tokens: list[str], i: int) -> tuple[list[float | int], int]:
    out: list[float | int] = []
    while i < len(tokens) and tokens[i] not in ("(", ")", ","):
        try:
            value = float(tokens[i])
        except ValueError:
            raise _invalid() from None
        value = round(value, 9)  # ST_AsGeoJSON's default: at most 9 decimal digits
        out.append(int(value) if value.is_integer() else value)
        i += 1
    if len(out) < 2:
        raise _invalid()
    return out, i


def _expect(tokens: list[str], i: int, token: str) -> int:
    if i >= len(tokens) or tokens[i] != token:
        raise _invalid()
    return i + 1


__all__ = ["GEOJSON", "feature_collection", "geometry_columns", "to_geometry"]
