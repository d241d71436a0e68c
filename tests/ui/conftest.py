"""A live docbase server (the same app ``docbase serve`` builds) and a headless chromium for the browser tests.

The server runs uvicorn in a thread on a free port of 127.0.0.1 over a
throwaway SQLite database migrated from seed 003. The browser is Debian's
chromium driven by Playwright; without either, the browser tests skip and say why.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from ..conftest import seed_file

SEED_003 = seed_file("003")
CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "ui"
SECRET = "ui-test-secret-long-enough-for-hs256-0123456789"
BROWSER_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@dataclass
class LiveServer:
    url: str
    schema: object
    service_key: str
    anon_key: str


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    import uvicorn

    from docbase.api.serve import build_app
    from docbase.auth import keys
    from docbase.migrate import migrate
    from docbase.pipeline import load_schema

    work = tmp_path_factory.mktemp("ui-live")
    doc = work / "monitoring.md"
    shutil.copy(SEED_003, doc)
    (work / "docbase.toml").write_text(f'storage_dir = "{work / "storage"}"\n')  # uploads stay in the tmp dir
    schema = load_schema(doc)
    url = f"sqlite:///{work / 'monitoring.db'}"
    migrate(schema, url)
    app = build_app(schema, url, SECRET)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the live docbase server did not start")
        time.sleep(0.05)
    try:
        yield LiveServer(f"http://127.0.0.1:{port}", schema, keys.service_key(SECRET), keys.anon_key(SECRET))
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def _missing(what: str) -> None:
    """Outside CI a missing browser skips the browser tests, saying why; in CI (``CI`` set) it fails them."""
    if os.environ.get("CI"):
        pytest.fail(f"{what}: CI must run the browser tests")
    pytest.skip(f"{what}: browser tests skipped")


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        _missing(f"{CHROMIUM} is missing (apt-get install -y chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("playwright is not installed (pip install playwright)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=BROWSER_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, live_server: LiveServer, request: pytest.FixtureRequest):
    """A fresh page (so a fresh in-memory session); page errors and failed requests fail the test."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    pg = context.new_page()
    problems: list[str] = []
    pg.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    pg.on("requestfailed", lambda req: problems.append(f"request failed: {req.url}"))
    pg.on(
        "request",
        lambda req: (
            req.url.startswith(live_server.url)
            or req.url.startswith("data:")
            or req.url.startswith("blob:")  # file previews: bytes fetched with the session, shown as blob: URLs
            or problems.append(f"external request: {req.url}")
        ),
    )
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    yield pg
    context.close()
    assert not problems, problems


def shot(page, name: str) -> None:
    """Save a screenshot of this step under tests/artifacts/ui/."""
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))
