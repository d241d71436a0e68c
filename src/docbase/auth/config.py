"""Auth configuration read once from the settings registry, then passed around as a value.

Reading settings once (not per request) keeps every handler pure over its
config and lets tests build a config with a cheap bcrypt cost and a short
token lifetime without touching the environment.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from .. import settings as s
from .clientip import Network, parse_networks
from .policy import PasswordPolicy, parse_required_characters
from .providers import Provider, parse
from .redirects import allow_list
from .templates import Template, load_templates


@dataclass(frozen=True)
class AuthConfig:
    jwt_exp: int = 3600
    confirm_email: bool = False
    secure_password_change: bool = False
    secure_email_change: bool = True
    disable_signup: bool = False
    anonymous_sign_ins: bool = False
    bcrypt_cost: int = 12
    password_min_length: int = 8
    password_required_characters: tuple[str, ...] = ()
    password_min_score: int = 1
    rate_limit: int = 30
    rate_window: int = 300
    signin_free_attempts: int = 5
    signin_max_backoff: int = 900
    trusted_proxies: tuple[str, ...] = ()
    refresh_reuse_interval: int = 0
    otp_exp: int = 3600
    site_url: str = "http://localhost:3000"
    redirect_urls: tuple[str, ...] = ()
    external_url: str = ""
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_sender: str = "docbase <noreply@localhost>"
    smtp_starttls: bool = True
    oauth: tuple[Provider, ...] = ()
    # [auth.email.template.*] of docbase.toml, checked at load (docbase.auth.templates).
    templates: tuple[Template, ...] = ()

    def __post_init__(self) -> None:
        # A bad allow-list entry stops the server at start, naming the entry, not at the first redirect.
        allow_list(self.site_url, self.redirect_urls)
        proxy_networks(self.trusted_proxies)

    @property
    def proxies(self) -> tuple[Network, ...]:
        return proxy_networks(self.trusted_proxies)

    @property
    def password_policy(self) -> PasswordPolicy:
        return PasswordPolicy(self.password_min_length, self.password_required_characters, self.password_min_score)

    @classmethod
    def load(cls, doc: str | Path | None = None, toml: dict[str, Any] | None = None) -> AuthConfig:
        """The configuration the settings registry gives (flags aside): env, then docbase.toml, then defaults."""
        t = toml if toml is not None else s.load_toml(doc)
        redirects = str(s.get(s.AUTH_REDIRECT_URLS, toml=t) or "")
        return cls(
            jwt_exp=int(s.get(s.JWT_EXP, toml=t)),
            confirm_email=bool(s.get(s.AUTH_CONFIRM_EMAIL, toml=t)),
            secure_password_change=bool(s.get(s.AUTH_SECURE_PASSWORD_CHANGE, toml=t)),
            secure_email_change=bool(s.get(s.AUTH_SECURE_EMAIL_CHANGE, toml=t)),
            disable_signup=bool(s.get(s.AUTH_DISABLE_SIGNUP, toml=t)),
            anonymous_sign_ins=bool(s.get(s.AUTH_ANONYMOUS_SIGN_INS, toml=t)),
            bcrypt_cost=int(s.get(s.AUTH_BCRYPT_COST, toml=t)),
            password_min_length=int(s.get(s.AUTH_PASSWORD_MIN_LENGTH, toml=t)),
            password_required_characters=parse_required_characters(
                str(s.get(s.AUTH_PASSWORD_REQUIRED_CHARACTERS, toml=t) or "")
            ),
            password_min_score=int(s.get(s.AUTH_PASSWORD_MIN_SCORE, toml=t)),
            rate_limit=int(s.get(s.AUTH_RATE_LIMIT, toml=t)),
            rate_window=int(s.get(s.AUTH_RATE_WINDOW, toml=t)),
            signin_free_attempts=int(s.get(s.AUTH_SIGNIN_FREE_ATTEMPTS, toml=t)),
            signin_max_backoff=int(s.get(s.AUTH_SIGNIN_MAX_BACKOFF, toml=t)),
            trusted_proxies=tuple(
                p.strip() for p in str(s.get(s.TRUSTED_PROXIES, toml=t) or "").split(",") if p.strip()
            ),
            refresh_reuse_interval=int(s.get(s.AUTH_REFRESH_REUSE_INTERVAL, toml=t)),
            otp_exp=int(s.get(s.AUTH_OTP_EXP, toml=t)),
            site_url=str(s.get(s.AUTH_SITE_URL, toml=t)),
            redirect_urls=tuple(u.strip() for u in redirects.split(",") if u.strip()),
            external_url=str(s.get(s.AUTH_EXTERNAL_URL, toml=t) or "").rstrip("/"),
            smtp_host=str(s.get(s.SMTP_HOST, toml=t) or ""),
            smtp_port=int(s.get(s.SMTP_PORT, toml=t)),
            smtp_user=str(s.get(s.SMTP_USER, toml=t) or ""),
            smtp_password=str(s.get(s.SMTP_PASSWORD, toml=t) or ""),
            smtp_sender=str(s.get(s.SMTP_SENDER, toml=t)),
            smtp_starttls=bool(s.get(s.SMTP_STARTTLS, toml=t)),
            oauth=parse(t.get("oauth", {})),
            templates=load_templates(t, *_toml_place(doc)),
        )


def _toml_place(doc: str | Path | None) -> tuple[str, Path]:
    """Where docbase.toml was read from (as settings.load_toml looks), for errors and ``content_path``."""
    beside = Path(doc).resolve().parent if doc is not None else None
    folder = beside if beside is not None and (beside / "docbase.toml").is_file() else Path.cwd()
    return str(folder / "docbase.toml"), folder


@cache
def proxy_networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    """The trusted proxies as networks (parsed once); a bad entry stops the server at start, naming it."""
    return parse_networks(",".join(entries))
