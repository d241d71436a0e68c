"""Auth mail written from docbase.toml's ``[auth.email.template.*]`` with GoTrue's variable names, through the
outbox on both databases; a malformed template stops the start with an error naming where it is."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from docbase.auth.config import AuthConfig
from docbase.settings import ConfigError, load_toml

from .conftest import make_harness

TOML = """
auth_site_url = "https://app.example.com"

[auth.email.template.recovery]
subject = "Reset your password for {{ .SiteURL }}"
body = '''
<h2>Hello {{ .Email }}</h2>
<p><a href="{{ .ConfirmationURL }}">Reset</a> or type {{.Token}}</p>
'''

[auth.email.template.magic_link]
subject = "Sign in"
content_path = "templates/magic.txt"
"""


def write(tmp_path, toml: str = TOML, magic: str = "Code {{ .Token }} (hash {{ .TokenHash }})\n"):
    (tmp_path / "templates").mkdir(exist_ok=True)
    (tmp_path / "templates" / "magic.txt").write_text(magic)
    (tmp_path / "docbase.toml").write_text(toml)
    return tmp_path / "design.md"


async def test_templated_mail_reaches_the_outbox_and_its_link_and_code_work(tmp_path, db_url):
    config = AuthConfig.load(write(tmp_path))
    h = await make_harness(db_url, site_url=config.site_url, templates=config.templates)
    try:
        await h.signup()
        assert (await h.client.post("/auth/v1/recover", json={"email": "ada@example.com"})).status_code == 200
        assert (await h.client.post("/auth/v1/otp", json={"email": "ada@example.com"})).status_code == 200
        recovery, magic = await h.outbox()
        assert recovery["subject"] == "Reset your password for https://app.example.com"
        assert "<h2>Hello ada@example.com</h2>" in recovery["body"]
        link = re.search(r'href="([^"]+)"', recovery["body"]).group(1)
        code = re.search(r"type (\d{6})", recovery["body"]).group(1)
        assert "{{" not in recovery["body"] and link.startswith("http")
        r = await h.client.get("/auth/v1/verify", params=parse_qs(urlsplit(link).query))
        assert r.status_code == 303 and "access_token" in r.headers["location"]

        token = re.search(r"Code (\d{6}) \(hash ([0-9a-f]+)\)", magic["body"])
        assert magic["subject"] == "Sign in" and token
        r = await h.client.post("/auth/v1/verify", json={"type": "magiclink", "token_hash": token.group(2)})
        assert r.status_code == 200 and r.json()["access_token"]
        again = await h.client.post("/auth/v1/verify", json={"type": "magiclink", "token_hash": token.group(2)})
        assert again.status_code == 403  # a one-time code, whatever the template
        stale = await h.client.post(
            "/auth/v1/verify", json={"type": "recovery", "email": "ada@example.com", "token": code}
        )
        assert stale.status_code == 403  # the link was followed first: the code went with it
    finally:
        await h.client.aclose()
        await h.engine.dispose()


@pytest.mark.parametrize(
    ("toml", "magic", "says"),
    [
        (
            '[auth.email.template.recovery]\nbody = "Hi\\n  {{ .ConfirmationUrl }}"\n',
            "",
            r"\[auth.email.template.recovery\] body, line 2 column 3: error: '\{\{ .ConfirmationUrl \}\}' is not a template variable",
        ),
        (
            '[auth.email.template.invite]\nsubject = "Join {{ .SiteURL"\n',
            "",
            r"\[auth.email.template.invite\] subject, line 1 column 6: error: '\{\{' is never closed",
        ),
        ('[auth.email.template.welcome]\nsubject = "x"\n', "", r"\[auth.email.template.welcome\]: unknown type"),
        ('[auth.email.template.recovery]\nsubjct = "x"\n', "", r"takes subject, body or content_path; not subjct"),
        (
            '[auth.email.template.magic_link]\ncontent_path = "templates/magic.txt"\n',
            "line one\n{{ if .Data }}x{{ end }}\n",
            r"magic.txt body, line 2 column 1: error: '\{\{ if .Data \}\}' is not a template variable",
        ),
    ],
)
def test_a_malformed_template_is_an_error_naming_where(tmp_path, toml, magic, says):
    doc = write(tmp_path, toml, magic)
    with pytest.raises(ConfigError, match=says) as raised:
        AuthConfig.load(doc)
    assert str(tmp_path / "docbase.toml") in str(raised.value) or "magic.txt" in str(raised.value)


def test_templates_pass_the_settings_check(tmp_path):
    assert load_toml(write(tmp_path))["auth"]["email"]["template"]["recovery"]["subject"].startswith("Reset")
