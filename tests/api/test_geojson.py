"""``Accept: application/geo+json`` (docbase.api.geojson): a FeatureCollection as PostgREST answers with
PostGIS's ``ST_AsGeoJSON``, on both databases, from the (E)WKT a geometry column keeps."""

from __future__ import annotations

import httpx
import pytest

from docbase.api import create_app
from docbase.api.errors import ApiError
from docbase.api.geojson import to_geometry
from docbase.pipeline import build_schema

from .conftest import SECRET, create_tables

DOC = """# Shops

```sql
create table shops (id int primary key, address text, shop_geom geometry(POINT, 4326));
create table notes (id int primary key, body text);
```
"""
GEO = {"Accept": "application/geo+json"}


@pytest.fixture
async def shops(db_url: str, service_headers):
    schema = build_schema(DOC, "shops.md")
    create_tables(schema, db_url)
    app = create_app(schema, db_url, secret=SECRET)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        client.headers.update(service_headers)
        rows = [
            {"id": 1, "address": "1369 Cambridge St", "shop_geom": "SRID=4326;POINT(-71.10044 42.373695)"},
            {"id": 2, "address": "nowhere", "shop_geom": None},
        ]
        assert (await client.post("/rest/v1/shops", json=rows)).status_code == 201
        assert (await client.post("/rest/v1/notes", json={"id": 1, "body": "x"})).status_code == 201
        yield client
    await app.state.db.close()


async def test_rows_come_back_as_a_feature_collection(shops):
    # Before: the plain JSON array, with the geometry as text
    got = await shops.get("/rest/v1/shops?select=*&order=id", headers=GEO)
    assert got.status_code == 200, got.text
    assert got.headers["content-type"].startswith("application/geo+json")
    assert got.json() == {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [-71.10044, 42.373695]},
                "properties": {"id": 1, "address": "1369 Cambridge St"},
            },
            {"type": "Feature", "geometry": None, "properties": {"id": 2, "address": "nowhere"}},
        ],
    }


async def test_a_selection_without_geometry_is_refused(shops):
    got = await shops.get("/rest/v1/notes?select=*", headers=GEO)
    assert got.status_code == 400 and got.json()["message"] == "geometry column is missing", got.text


def test_wkt_shapes_read_as_postgis_writes_them():
    assert to_geometry("LINESTRING(0 0, 1 1.5)") == {"type": "LineString", "coordinates": [[0, 0], [1, 1.5]]}
    assert to_geometry("POLYGON((0 0,1 0,1 1,0 0))") == {
        "type": "Polygon",
        "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]],
    }
    assert to_geometry("MULTIPOINT(1 2, 3 4)") == to_geometry("MULTIPOINT((1 2),(3 4))")
    assert to_geometry("POINT Z (1 2 3)") == {"type": "Point", "coordinates": [1, 2, 3]}
    assert to_geometry("GEOMETRYCOLLECTION(POINT(1 2),LINESTRING(0 0,1 1))")["geometries"][1]["type"] == "LineString"
    assert to_geometry("POINT EMPTY") == {"type": "Point", "coordinates": []}
    with pytest.raises(ApiError) as exc:
        to_geometry("not a shape")
    assert exc.value.code == "XX000"
