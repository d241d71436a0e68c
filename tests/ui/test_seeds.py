"""Every seed opens in the console: its data builds, and the diagram draws every table without a page error."""

from __future__ import annotations

import threading
import time

import pytest
from playwright.sync_api import expect
from starlette.applications import Starlette

from docbase.auth import keys
from docbase.pipeline import load_schema
from docbase.ui import console_data, console_routes

from ..conftest import SEEDS, seed_ids
from .conftest import _free_port

SECRET = "console-seed-secret-0123456789-abcdefgh"


def test_console_data_for_every_seed(seed_path):
    schema = load_schema(seed_path)
    data = console_data(schema)
    assert sorted(n for s in data["sections"] for n in s["tables"]) == sorted(t.name for t in schema.tables)
    names = {t.name for t in schema.tables}
    assert all(r["from"] in names for r in data["relationships"])
    assert all(r["known_target"] == (r["to"] in names) for r in data["relationships"])
    assert all(t["access"] is not None for t in data["tables"])


@pytest.mark.slow
@pytest.mark.parametrize("seed", SEEDS, ids=seed_ids())
def test_diagram_draws_every_seed(browser, seed):
    import uvicorn

    schema = load_schema(seed)
    server = uvicorn.Server(
        uvicorn.Config(
            Starlette(routes=console_routes(schema, secret=SECRET)),
            host="127.0.0.1",
            port=_free_port(),
            log_level="warning",
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        assert thread.is_alive(), "console server did not start"
        time.sleep(0.05)
    try:
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(f"http://127.0.0.1:{server.config.port}/#/diagram")
        page.wait_for_selector("body[data-ready=true]")
        page.click("#session button:has-text('Sign in')")  # anon is shown only the tables anon may use
        page.fill("textarea[name=service_key]", keys.service_key(SECRET))
        page.click("button:has-text('Use key')")
        page.wait_for_selector("body[data-schema-for=service_role]")
        targets = {fk.ref_table for t in schema.tables for fk in t.foreign_keys}
        expect(page.locator(".er-table")).to_have_count(len({t.name for t in schema.tables} | targets))
        drawn = set(page.locator(".er-table").evaluate_all("els => els.map(e => e.dataset.table)"))
        assert drawn == {t.name for t in schema.tables} | targets  # tables only referenced (auth.users) get a box too
        expect(page.locator(".er-edge")).to_have_count(sum(len(t.foreign_keys) for t in schema.tables))
        page.goto(f"http://127.0.0.1:{server.config.port}/#/schema")
        page.wait_for_selector(".overview")
        assert page.locator(".diagnostics tbody tr, .overview p.muted").count() >= 1
        page.close()
        assert not errors, errors
    finally:
        server.should_exit = True
        thread.join(timeout=10)
