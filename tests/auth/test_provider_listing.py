"""Which sign-in providers a project offers, as clients and people see it: /auth/v1/settings and inspect."""

from __future__ import annotations

from typer.testing import CliRunner

from docbase.auth.providers import Provider
from docbase.cli import app

from .conftest import DOCUMENT, make_harness


async def test_settings_name_every_gotrue_provider_and_only_configured_ones_are_on(db_url):
    github = Provider("github", "gh-client", "gh-secret", kind="github")
    h = await make_harness(db_url, oauth=(github,))
    try:
        external = (await h.client.get("/auth/v1/settings")).json()["external"]
    finally:
        await h.client.aclose()
        await h.engine.dispose()
    # GoTrue answers every provider it knows, false when off: UIs read a missing key as an error.
    assert external["github"] is True and external["email"] is True
    assert external["google"] is False and external["apple"] is False and external["phone"] is False
    assert {"azure", "discord", "gitlab", "keycloak", "linkedin_oidc", "slack_oidc", "zoom"} <= set(external)


def test_inspect_lists_the_configured_providers_and_the_third_party_issuer(tmp_path):
    doc = tmp_path / "accounts.md"
    doc.write_text(DOCUMENT)
    (tmp_path / "docbase.toml").write_text(
        'auth_external_url = "https://api.example.com"\n'
        'auth_third_party_issuer = "https://clerk.example.com"\n'
        '[oauth.github]\nclient_id = "gh"\nclient_secret = "gh-secret"\n'
        '[oauth.keycloak]\nissuer = "https://sso.example.com/realms/app"\nclient_id = "kc"\nclient_secret = "kc-s"\n'
    )
    out = CliRunner().invoke(app, ["inspect", str(doc)]).output
    assert "sign-in providers" in out
    assert "[oauth.github] GitHub preset" in out
    assert "[oauth.keycloak] OpenID Connect, issuer https://sso.example.com/realms/app" in out
    assert "redirect URI https://api.example.com/auth/v1/callback" in out
    assert "https://clerk.example.com/.well-known/jwks.json" in out
    assert "gh-secret" not in out and "kc-s" not in out  # secrets are never printed


def test_inspect_stops_on_a_provider_that_cannot_work(tmp_path):
    doc = tmp_path / "accounts.md"
    doc.write_text(DOCUMENT)
    (tmp_path / "docbase.toml").write_text('[oauth.okta]\nclient_id = "x"\nclient_secret = "y"\n')
    result = CliRunner().invoke(app, ["inspect", str(doc)])
    assert result.exit_code == 2 and "[oauth.okta] needs issuer" in result.output
