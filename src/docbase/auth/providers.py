"""OAuth / OpenID Connect sign-in providers, as docbase.toml's ``[oauth.<name>]`` tables declare them.

``[oauth.github]`` and ``[oauth.google]`` are presets (endpoints known; only
``client_id`` and ``client_secret`` needed); any other name is a generic
OpenID Connect provider found by discovery from its ``issuer``
(``<issuer>/.well-known/openid-configuration``), so Keycloak, Auth0, Okta,
Azure AD or a company's own provider are configuration, not code. A
table that cannot work (no client id, no issuer) stops the server at start
with the file and key named, rather than failing at the first sign-in.
The secret may come from the environment (``client_secret_env``) so it
need not sit in the file.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from ..settings import ConfigError

#: Providers whose endpoints docbase knows. GitHub is OAuth 2 only (no id_token: its API names the user).
PRESETS: dict[str, dict[str, Any]] = {
    "github": {
        "kind": "github",
        "authorization_endpoint": "https://github.com/login/oauth/authorize",
        "token_endpoint": "https://github.com/login/oauth/access_token",
        "userinfo_endpoint": "https://api.github.com/user",
        "scopes": ("read:user", "user:email"),
    },
    "google": {"kind": "oidc", "issuer": "https://accounts.google.com", "scopes": ("openid", "email", "profile")},
}

#: Every provider GoTrue's ``/settings`` names under ``external`` (supabase/auth internal/api/settings.go),
#: each false unless configured: clients (supabase-js's UI kits) read a missing key as "not offered".
GOTRUE_PROVIDERS = (
    "anonymous_users", "apple", "azure", "bitbucket", "discord", "facebook", "snapchat", "figma", "fly",
    "github", "gitlab", "google", "keycloak", "kakao", "linkedin", "linkedin_oidc", "notion", "spotify",
    "slack", "slack_oidc", "workos", "twitch", "twitter", "email", "phone", "zoom",
)  # fmt: skip

_KEYS = {"issuer", "client_id", "client_secret", "client_secret_env", "scopes", "enabled"}


@dataclass(frozen=True)
class Provider:
    """One configured provider. ``kind``: ``oidc`` (discovery, id_token checked) or ``github``."""

    name: str
    client_id: str
    client_secret: str = field(repr=False)
    kind: str = "oidc"
    issuer: str = ""
    scopes: tuple[str, ...] = ("openid", "email", "profile")
    authorization_endpoint: str = ""
    token_endpoint: str = ""
    userinfo_endpoint: str = ""


def parse(section: dict[str, Any], where: str = "docbase.toml") -> tuple[Provider, ...]:
    """The providers of the ``[oauth]`` section; ConfigError naming the table for one that cannot work."""
    found = []
    for name, table in section.items():
        if not isinstance(table, dict):
            raise ConfigError(f"{where}: error: [oauth.{name}] must be a table (issuer, client_id, client_secret)")
        unknown = sorted(set(table) - _KEYS)
        if unknown:
            raise ConfigError(f"{where}: error: [oauth.{name}] has unknown key(s) {', '.join(unknown)}")
        if table.get("enabled") is False:
            continue
        preset = PRESETS.get(name, {})
        client_id = table.get("client_id")
        if not isinstance(client_id, str) or not client_id:
            raise ConfigError(f"{where}: error: [oauth.{name}] needs client_id")
        secret = table.get("client_secret") or os.environ.get(str(table.get("client_secret_env") or ""), "")
        if not isinstance(secret, str) or not secret:
            raise ConfigError(f"{where}: error: [oauth.{name}] needs client_secret (or client_secret_env)")
        issuer = str(table.get("issuer") or preset.get("issuer") or "").rstrip("/")
        kind = preset.get("kind", "oidc")
        if kind == "oidc" and not issuer.startswith(("https://", "http://")):
            raise ConfigError(f"{where}: error: [oauth.{name}] needs issuer (the OpenID Connect issuer URL)")
        scopes = table.get("scopes", preset.get("scopes", ("openid", "email", "profile")))
        if isinstance(scopes, str):
            scopes = scopes.split()
        found.append(
            Provider(
                name=name,
                client_id=client_id,
                client_secret=secret,
                kind=kind,
                issuer=issuer,
                scopes=tuple(scopes),
                authorization_endpoint=preset.get("authorization_endpoint", ""),
                token_endpoint=preset.get("token_endpoint", ""),
                userinfo_endpoint=preset.get("userinfo_endpoint", ""),
            )
        )
    return tuple(found)


def describe(provider: Provider, callback: str) -> str:
    """One line for ``docbase inspect``: what signs users in through ``provider`` and where it returns."""
    if provider.kind == "github":
        how = "GitHub preset (OAuth 2, user from the GitHub API)"
    elif provider.name in PRESETS:
        how = f"{provider.name.capitalize()} preset (OpenID Connect, issuer {provider.issuer})"
    else:
        how = f"OpenID Connect, issuer {provider.issuer} (endpoints by discovery)"
    scopes = " ".join(provider.scopes)
    return f"docbase.toml: [oauth.{provider.name}] {how}; scopes {scopes}; redirect URI {callback}"
