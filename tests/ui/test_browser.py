"""The console in a real browser against a live server for seed 003: diagram, explorer, and a row's whole life.

Each step saves a screenshot under tests/artifacts/ui/ (gitignored) so a
person can check the page really looks right.
"""

from __future__ import annotations

import uuid

import httpx
import pytest
from playwright.sync_api import expect

from .conftest import LiveServer, shot

pytestmark = pytest.mark.slow


def open_console(page, live: LiveServer, hash_: str) -> None:
    page.goto(f"{live.url}/#{hash_}")
    page.wait_for_selector("body[data-ready=true]")


def use_service_key(page, live: LiveServer) -> None:
    page.click("#session button:has-text('Sign in')")
    page.fill("textarea[name=service_key]", live.service_key)
    page.click("button:has-text('Use key')")
    page.wait_for_selector("#session [data-role=service_role]")
    page.wait_for_selector("body[data-schema-for=service_role]")  # the schema JSON is re-read with the key


def field(page, name: str):
    return page.locator(f".field[data-field='{name}']")


def test_diagram_shows_every_table_and_foreign_key(page, live_server):
    open_console(page, live_server, "/diagram")
    use_service_key(page, live_server)  # anon is shown only the tables anon may use
    schema = live_server.schema
    expect(page.locator(".er-table")).to_have_count(len(schema.tables))
    names = set(page.locator(".er-table").evaluate_all("els => els.map(e => e.dataset.table)"))
    assert names == {t.name for t in schema.tables}
    assert len(names) == 49
    expect(page.locator(".er-edge")).to_have_count(sum(len(t.foreign_keys) for t in schema.tables))
    expect(page.locator(".er-edge[data-from='monitors'][data-to='organization']")).to_have_count(1)
    shot(page, "01-diagram")
    page.click(".er-table[data-table='monitors']")
    panel = page.locator(".er-panel[data-table='monitors']")
    assert panel.is_visible()
    assert "line 187" in panel.inner_text()
    expect(page.locator(".er-edge.lit")).to_have_count(10)  # 3 references + 7 tables referencing monitors
    shot(page, "02-diagram-monitors-selected")
    panel.locator("a:has-text('Focus')").click()
    page.wait_for_url("**/#/diagram/monitors")
    neighbourhood = {
        "monitors",
        "organization",
        "projects",
        "user",
        "monitor_results",
        "monitor_aggregates",
        "monitor_tags",
        "monitor_notification_settings",
        "alerts",
        "alert_history",
        "status_page_component_monitors",
    }
    # The focus view replaces the whole diagram; wait for it before reading which tables it shows.
    expect(page.locator(".er-table")).to_have_count(len(neighbourhood))
    focused = set(page.locator(".er-table").evaluate_all("els => els.map(e => e.dataset.table)"))
    assert focused == neighbourhood
    shot(page, "03-diagram-focus-monitors")


def test_zoom_changes_the_scale(page, live_server):
    open_console(page, live_server, "/diagram")
    use_service_key(page, live_server)
    world = page.locator(".er-world")
    before = world.get_attribute("transform")
    page.click("button[aria-label='zoom in']")
    assert world.get_attribute("transform") != before


def test_explorer_shows_columns_access_and_source_line(page, live_server):
    open_console(page, live_server, "/schema/monitors")
    use_service_key(page, live_server)  # the schema and the design document are for signed-in users and the service key
    detail = page.locator(".table-detail[data-table='monitors']")
    expect(detail.locator("tbody tr[data-column]")).to_have_count(19)
    assert "tenant" in detail.locator(".access").inner_text()
    assert "organization" in detail.locator("tr[data-column='organizationId']").inner_text()
    shot(page, "04-explorer-monitors")
    detail.locator("h2 a.line").click()
    page.wait_for_selector(".doc-line.target")
    assert "monitors" in page.locator(".doc-line.target").inner_text()


def test_monitor_row_create_list_edit_duplicate_delete(page, live_server):
    open_console(page, live_server, "/data/monitors")
    use_service_key(page, live_server)
    page.wait_for_selector(".rows[data-table='monitors'] .count")
    page.click("a:has-text('New row')")
    page.wait_for_selector("form.row-form")
    name = f"Homepage {uuid.uuid4().hex[:6]}"
    field(page, "name").locator("input").fill(name)
    field(page, "target").locator("input").fill("https://example.org/health")
    field(page, "frequencyMinutes").locator("input").fill("5")
    field(page, "enabled").locator(".toggle").click()
    field(page, "lastCheckAt").locator("input").fill("2024-05-01T10:30:00")
    field(page, "config").locator("textarea").fill("{not json")
    assert "Not valid JSON" in page.locator("[data-error-for='config']").inner_text()
    field(page, "config").locator("textarea").fill('{"method": "GET"}')
    assert page.locator("[data-error-for='config']").inner_text() == ""
    shot(page, "05-create-form")
    page.click("button:has-text('Create row')")
    page.wait_for_selector(".banner.ok:has-text('Row created')")
    row = page.locator(f".grid.data tr:has-text('{name}')")
    expect(row).to_have_count(1)
    shot(page, "06-list-with-new-row")

    row.click()
    page.wait_for_selector(".row-view[data-table='monitors']")
    record = page.locator(".grid.record")
    assert record.locator("tr[data-column='enabled'] td").inner_text() == "true"
    assert "GET" in record.locator("tr[data-column='config'] td").inner_text()
    row_id = record.locator("tr[data-column='id'] td").inner_text()
    page.click("a:has-text('Edit')")
    page.wait_for_selector("form.row-form")
    field(page, "name").locator("input").fill(name + " (edited)")
    page.click("button:has-text('Save changes')")
    page.wait_for_selector(".row-view")
    expect(page.locator(".grid.record tr[data-column='name'] td")).to_have_text(name + " (edited)")
    shot(page, "07-row-edited")

    open_console(page, live_server, "/data/monitors/new")
    page.wait_for_selector("form.row-form")
    field(page, "id").locator("input").fill(row_id)
    field(page, "name").locator("input").fill("A copy")
    page.click("button:has-text('Create row')")
    error = page.locator("[data-error-for='id']")
    error.wait_for(state="visible")
    assert "already used" in error.inner_text()
    assert field(page, "id").get_attribute("class").split().count("invalid") == 1
    assert page.locator("[data-error-for='name']").inner_text() == ""
    shot(page, "08-duplicate-key-error")

    field(page, "id").locator("input").fill(str(uuid.uuid4()))
    field(page, "organizationId").locator("input").fill(str(uuid.uuid4()))
    page.click("button:has-text('Create row')")
    fk_error = page.locator("[data-error-for='organizationId']")
    fk_error.wait_for(state="visible")
    assert "No row in organization" in fk_error.inner_text()
    shot(page, "09-foreign-key-error")

    open_console(page, live_server, f"/data/monitors/row?id=eq.{row_id}")
    page.wait_for_selector(".row-view")
    assert not page.locator("button:has-text('Yes, delete it')").is_visible()
    page.click(".row-view button:has-text('Delete')")
    page.click("button:has-text('Yes, delete it')")
    page.wait_for_selector(".banner.ok:has-text('Row deleted')")
    expect(page.locator(f".grid.data tr:has-text('{name}')")).to_have_count(0)
    shot(page, "10-row-deleted")


def test_the_service_key_stays_in_memory_only(page, live_server):
    open_console(page, live_server, "/data/monitors")
    use_service_key(page, live_server)
    stored = page.evaluate("() => JSON.stringify(localStorage) + JSON.stringify(sessionStorage) + document.cookie")
    assert live_server.service_key not in stored
    page.reload()
    page.wait_for_selector("body[data-ready=true]")
    expect(page.locator("#session [data-role=anon]")).to_have_count(1)


def test_sorting_filtering_and_related_rows(page, live_server):
    headers = {"apikey": live_server.service_key, "Authorization": f"Bearer {live_server.service_key}"}
    org = str(uuid.uuid4())
    with httpx.Client(base_url=live_server.url, headers=headers) as c:
        assert (
            c.post("/rest/v1/organization", json={"id": org, "name": "Acme", "slug": f"acme-{org[:6]}"}).status_code
            == 201
        )
        rows = [{"name": f"probe-{i}", "organizationId": org, "frequencyMinutes": i} for i in (3, 1, 2)]
        assert c.post("/rest/v1/monitors", json=rows).status_code == 201
    open_console(page, live_server, f"/data/monitors?organizationId=eq.{org}")
    use_service_key(page, live_server)
    page.wait_for_selector(".grid.data")
    expect(page.locator(".grid.data tbody tr")).to_have_count(3)
    page.click("th[data-column='frequencyMinutes'] a")
    page.wait_for_url("**order=frequencyMinutes.asc**")
    page.wait_for_selector(".grid.data")
    expect(page.locator(".grid.data tbody td[data-column='frequencyMinutes']")).to_have_text(["1", "2", "3"])
    page.select_option("select[aria-label='filter column']", "name")
    page.select_option("select[aria-label='filter operator']", "eq")
    page.fill("input[aria-label='filter value']", "probe-2")
    page.click("button:has-text('Add filter')")
    page.wait_for_selector(".chip.filter:has-text('name=eq.probe-2')")
    page.wait_for_selector(".grid.data")
    expect(page.locator(".grid.data tbody tr")).to_have_count(1)
    shot(page, "11-filtered-list")
    page.locator(".grid.data tbody tr").click()
    page.wait_for_selector(".row-view")
    expect(page.locator(f".row-view a:has-text('organization {org}')")).to_have_count(1)
    page.click(f".row-view a:has-text('organization {org}')")
    page.wait_for_selector(".row-view[data-table='organization']")
    children = page.locator(".children[data-child='monitors']")
    children.locator(".count:has-text('3 row(s)')").wait_for()
    shot(page, "12-organization-with-children")


def test_a_signed_in_user_sees_their_organization_and_not_another(page, live_server):
    service = {"apikey": live_server.service_key, "Authorization": f"Bearer {live_server.service_key}"}
    email = f"eve-{uuid.uuid4().hex[:6]}@example.com"
    with httpx.Client(base_url=live_server.url) as c:
        org_a, org_b = str(uuid.uuid4()), str(uuid.uuid4())
        for org in (org_a, org_b):
            assert (
                c.post(
                    "/rest/v1/organization", headers=service, json={"id": org, "name": "org", "slug": org[:8]}
                ).status_code
                == 201
            )
        secret_name = f"private-{uuid.uuid4().hex[:6]}"
        assert (
            c.post(
                "/rest/v1/monitors", headers=service, json={"name": secret_name, "organizationId": org_a}
            ).status_code
            == 201
        )
        signup = c.post(
            "/auth/v1/signup",
            headers={"apikey": live_server.anon_key},
            json={"email": email, "password": "correct horse battery"},
        )
        assert signup.status_code == 200, signup.text
        body = signup.json()
        user_id = (body.get("user") or body)["id"]
        # Eve belongs to organization B: she sees B's monitors and never A's (row-level access)
        member = {"id": str(uuid.uuid4()), "organizationId": org_b, "userId": user_id, "role": "owner"}
        assert c.post("/rest/v1/member", headers=service, json=member).status_code == 201
        own_name = f"mine-{uuid.uuid4().hex[:6]}"
        assert (
            c.post("/rest/v1/monitors", headers=service, json={"name": own_name, "organizationId": org_b}).status_code
            == 201
        )
    open_console(page, live_server, "/data/monitors")
    page.click("#session button:has-text('Sign in')")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", "correct horse battery")
    page.click("form.signin-user button:has-text('Sign in')")
    page.wait_for_selector("#session [data-role=authenticated]")
    assert email in page.locator("#session").inner_text()
    page.wait_for_selector(f"text={own_name}")
    expect(page.locator(f"text={secret_name}")).to_have_count(0)
    shot(page, "13-other-organization-user")


def test_wrong_password_is_reported_in_the_dialog(page, live_server):
    open_console(page, live_server, "/schema")
    page.click("#session button:has-text('Sign in')")
    page.fill("input[name=email]", "nobody@example.com")
    page.fill("input[name=password]", "not the password")
    page.click("form.signin-user button:has-text('Sign in')")
    error = page.locator("form.signin-user .field-error")
    error.wait_for(state="visible")
    assert error.inner_text().strip()
    expect(page.locator("#session [data-role=anon]")).to_have_count(1)
