"""redirect_to is compared by scheme, host and port against the allow-list; everything else goes to the site URL."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from docbase.auth.config import AuthConfig
from docbase.auth.redirects import RedirectSettingError, redirect_target

from .conftest import make_harness
from .test_mailer import link_in

SITE = "https://app.example.com"
ALLOWED = ("https://admin.example.com/auth", "myapp://callback", "http://localhost:5173/**", "https://x.io/t/*/done")

ATTACKS = [
    "https://app.example.com.evil.com",
    "https://app.example.com.evil.com/reset",
    "https://app.example.com@evil.com",
    "https://app.example.com@evil.com/reset",
    "https://user:pw@app.example.com/reset",
    "https://evil.com/https://app.example.com",
    "https://evil.com?https://app.example.com",
    "https://evil.com#https://app.example.com",
    "http://app.example.com/reset",
    "https://app.example.com:8443/reset",
    "https://app.example.com\\@evil.com",
    "https://app.example.com\\.evil.com",
    "https://app.example.com%2eevil.com",
    "https://app.example.com%40evil.com",
    "https://app.example.com\t.evil.com",
    "https://app.example.com\n.evil.com",
    "https://app.example.com:99999/",
    "https://app.example.com:abc/",
    "//evil.com",
    "///evil.com",
    "/\\evil.com",
    "evil.com",
    "javascript:alert(1)//app.example.com",
    "data:text/html,<script>alert(1)</script>",
    "https://admin.example.com/authz",
    "https://admin.example.com/",
    "https://admin.example.com.evil.com/auth",
    "myapp://callback.evil.com",
    "myapp://evil",
    "http://localhost:5174/",
    "https://localhost:5173/",
    "https://x.io/t/a/b/done",
    "",
]

KEPT = [
    "https://app.example.com",
    "https://app.example.com/",
    "https://app.example.com/reset?next=%2Fhome#top",
    "https://APP.example.com:443/x",
    "https://admin.example.com/auth",
    "https://admin.example.com/auth/callback?x=1",
    "myapp://callback",
    "myapp://callback/deep/link",
    "http://localhost:5173/",
    "http://localhost:5173/a/b/c",
    "https://x.io/t/anything/done",
]


@pytest.mark.parametrize("wanted", ATTACKS)
def test_lookalike_and_malformed_targets_fall_back_to_the_site_url(wanted):
    assert redirect_target(SITE, ALLOWED, wanted) == SITE


@pytest.mark.parametrize("wanted", KEPT)
def test_targets_on_the_allow_list_are_kept_as_given(wanted):
    assert redirect_target(SITE, ALLOWED, wanted) == wanted


@pytest.mark.parametrize("entry", ["https://*.example.com", "*://app.example.com", "not a url", "https://"])
def test_an_entry_that_cannot_be_matched_exactly_is_refused_when_the_settings_are_read(entry):
    with pytest.raises(RedirectSettingError) as err:
        AuthConfig(site_url=SITE, redirect_urls=(entry,))
    assert entry in str(err.value)


def _redirect_of(mail: dict) -> str:
    return parse_qs(urlsplit(link_in(mail["body"])).query)["redirect_to"][0]


async def test_recovery_mail_never_links_to_a_lookalike_host(db_url):
    h = await make_harness(db_url, site_url=SITE)
    try:
        await h.signup()
        for evil in ("https://app.example.com.evil.com/reset", "https://app.example.com@evil.com/reset"):
            r = await h.client.post("/auth/v1/recover", params={"redirect_to": evil}, json={"email": "ada@example.com"})
            assert (r.status_code, r.json()) == (200, {})
        r = await h.client.post(
            "/auth/v1/recover", params={"redirect_to": f"{SITE}/reset"}, json={"email": "ada@example.com"}
        )
        assert r.status_code == 200
        mails = await h.outbox()
        assert [_redirect_of(m) for m in mails] == [SITE, SITE, f"{SITE}/reset"]
        assert all("evil" not in m["body"] for m in mails)
    finally:
        await h.client.aclose()
        await h.engine.dispose()


async def test_signup_mail_and_the_followed_link_keep_to_the_allow_list(db_url):
    h = await make_harness(db_url, site_url=SITE, confirm_email=True)
    try:
        r = await h.client.post(
            "/auth/v1/signup",
            params={"redirect_to": "https://app.example.com.evil.com/"},
            json={"email": "ada@example.com", "password": "correct horse"},
        )
        assert r.status_code == 200
        [mail] = await h.outbox()
        assert _redirect_of(mail) == SITE
        link = urlsplit(link_in(mail["body"]))
        params = {**parse_qs(link.query), "redirect_to": "https://app.example.com@evil.com/"}
        followed = await h.client.get(link.path, params=params, headers={"apikey": ""})
        assert followed.status_code == 303
        assert followed.headers["location"].startswith(SITE + "#access_token=")
    finally:
        await h.client.aclose()
        await h.engine.dispose()


async def test_email_change_mail_keeps_to_the_allow_list(db_url):
    h = await make_harness(db_url, site_url=SITE, confirm_email=False)
    try:
        token = (await h.signup()).json()["access_token"]
        await h.engine.dispose()
        h2 = await make_harness(db_url, ddl=None, site_url=SITE, confirm_email=True, secure_email_change=False)
        r = await h2.client.put(
            "/auth/v1/user",
            params={"redirect_to": "https://evil.com/"},
            headers={"authorization": f"Bearer {token}"},
            json={"email": "grace@example.com"},
        )
        assert r.status_code == 200, r.text
        [mail] = await h2.outbox()
        assert (mail["kind"], _redirect_of(mail)) == ("email_change", SITE)
        await h2.client.aclose()
        await h2.engine.dispose()
    finally:
        await h.client.aclose()
        await h.engine.dispose()


async def test_emailed_links_point_at_the_external_url_not_the_host_header(db_url):
    h = await make_harness(db_url, site_url=SITE, external_url="https://api.example.com")
    try:
        await h.signup()
        r = await h.client.post("/auth/v1/recover", headers={"host": "evil.com"}, json={"email": "ada@example.com"})
        assert r.status_code == 200
        [mail] = await h.outbox()
        link = urlsplit(link_in(mail["body"]))
        assert (link.scheme, link.netloc, link.path) == ("https", "api.example.com", "/auth/v1/verify")
    finally:
        await h.client.aclose()
        await h.engine.dispose()


@pytest.mark.parametrize(
    ("host", "expected"),
    [("0.0.0.0", "http://localhost:8123"), ("127.0.0.1", "http://127.0.0.1:8123"), ("::1", "http://[::1]:8123")],
)
def test_serve_points_emailed_links_at_the_address_it_serves(monkeypatch, tmp_path, host, expected):
    from docbase import settings
    from docbase.api.serve import _default_external_url

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(settings.AUTH_EXTERNAL_URL.env, raising=False)
    _default_external_url(tmp_path / "design.md", host, 8123)
    assert AuthConfig.load(tmp_path / "design.md").external_url == expected
    monkeypatch.setenv(settings.AUTH_EXTERNAL_URL.env, "https://api.example.com/")
    _default_external_url(tmp_path / "design.md", host, 8123)
    assert AuthConfig.load(tmp_path / "design.md").external_url == "https://api.example.com"
