"""Settings: one declaration per setting drives ``docbase.toml``, ``DOCBASE_*`` and the docs.

Precedence, highest first: a command-line flag, the ``DOCBASE_<NAME>``
environment variable, ``docbase.toml`` beside the document (or in the
working directory), then the default declared here. Secrets are never read
from ``docbase.toml`` into logs; they are declared ``secret=True`` so any
code that prints settings can mask them.
"""

from __future__ import annotations

import difflib
import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str
    secret: bool = False

    @property
    def env(self) -> str:
        return "DOCBASE_" + self.name.upper()


SETTINGS: dict[str, Setting] = {}


def declare(name: str, default: Any, help: str, secret: bool = False) -> Setting:
    setting = Setting(name, default, help, secret)
    SETTINGS[name] = setting
    return setting


DB_URL = declare("db_url", None, "Database URL; default sqlite:///<document stem>.db in the working directory.")
DB_READ_URLS = declare(
    "db_read_urls",
    "",
    "PostgreSQL streaming replicas for read-only requests, comma-separated; writes and a writer's next reads stay "
    "on the primary until the replica has replayed them.",
)
DB_READ_YOUR_WRITES_SECONDS = declare(
    "db_read_your_writes_seconds",
    300,
    "How long a worker remembers a caller's last write position when routing its reads to replicas.",
)
REQUEST_LOG = declare(
    "request_log",
    "off",
    "One JSON line per request (time, request_id, role, method, path, status, ms): `stderr`, a file path to "
    "append to, or `off`. Never holds a key, token, password, query string or body.",
)
STATE_DIR = declare(
    "state_dir", ".docbase", "Where generated secrets (JWT secret, encryption key) are kept, mode 0600."
)
JWT_SECRET = declare(
    "jwt_secret",
    None,
    "HS256 secret signing API keys and sessions; default: generated once into the state dir.",
    secret=True,
)
SECRET_KEY = declare(
    "secret_key",
    None,
    "AES-256 key encrypting secret columns (64 hex digits or base64); default: generated once into the state dir.",
    secret=True,
)
MAX_BODY_BYTES = declare(
    "max_body_bytes",
    1_048_576,
    "Largest request body any route accepts (/rest/v1, /auth/v1, ...); counted while it streams in, 413 past it.",
)
STORAGE_DIR = declare(
    "storage_dir",
    "",
    "Where /storage/v1 keeps object bytes; default: `storage` inside the state dir. Rows live in the database.",
)
STORAGE_MAX_FILE_BYTES = declare(
    "storage_max_file_bytes",
    52_428_800,
    "Largest object /storage/v1 accepts (a bucket's file_size_limit can only lower it); checked while the "
    "upload streams in, 413 past it.",
)
STORAGE_ERROR_STATUS = declare(
    "storage_error_status",
    "storage",
    "HTTP status of a /storage/v1 refusal: `storage` sends 400 (500 for a server fault) with the real status "
    "in the body's statusCode, as Supabase's Storage server does; `http` sends the body's status on the wire. "
    "Resumable (TUS) uploads always use the real status.",
)
STORAGE_BACKEND = declare(
    "storage_backend",
    "fs",
    "Where /storage/v1 keeps object bytes: `fs` (files under storage_dir) or `s3` (an S3-compatible bucket, "
    "storage_s3_*; needs `pip install docbase[s3]`).",
)
STORAGE_S3_ENDPOINT = declare(
    "storage_s3_endpoint",
    "",
    "S3-compatible endpoint URL (MinIO, SeaweedFS, R2, ...; path-style requests); empty: AWS S3 itself.",
)
STORAGE_S3_BUCKET = declare("storage_s3_bucket", "", "The S3 bucket holding the blobs (made at start if missing).")
STORAGE_S3_REGION = declare("storage_s3_region", "us-east-1", "The S3 region requests are signed for.")
STORAGE_S3_ACCESS_KEY = declare(
    "storage_s3_access_key", "", "S3 access key id; empty: the AWS default chain (AWS_* variables, profiles, roles)."
)
STORAGE_S3_SECRET_KEY = declare("storage_s3_secret_key", "", "S3 secret access key (never logged).", secret=True)
STORAGE_S3_PREFIX = declare(
    "storage_s3_prefix", "", "Key prefix inside the bucket, so several backends can share one bucket."
)
MAX_JSON_DEPTH = declare(
    "max_json_depth", 64, "Deepest nesting of arrays and objects a JSON body may have (1..250); deeper is a 400."
)
MAX_SELECT_ITEMS = declare(
    "max_select_items",
    300,
    "Most columns one request's select may ask for, embeds included, each `*` counting as every column it "
    "stands for; more is a 400 (PGRST100).",
)
MAX_EMBED_DEPTH = declare(
    "max_embed_depth", 8, "Deepest nesting of embedded resources in a select (1..32); deeper is a 400."
)
MAX_FILTERS = declare(
    "max_filters",
    500,
    "Most filters one request may have, each term of an or/and tree counted (one tree may hold 500); more is a 400.",
)
STATEMENT_TIMEOUT = declare(
    "statement_timeout",
    8000,
    "Longest a request's SQL may run, in milliseconds (0: no limit); past it the request is cancelled with "
    "57014 (PostgreSQL: statement_timeout; SQLite: CPU time of the whole transaction).",
)
CONSOLE_PUBLIC_DOCUMENT = declare(
    "console_public_document",
    False,
    "Serve the design document to the console without sign-in; by default it needs a signed-in user or the "
    "service_role key.",
)
JWT_EXP = declare("jwt_exp", 3600, "Lifetime of a user's access token, in seconds (Supabase: 3600).")
JWT_SIGNING_ALG = declare(
    "jwt_signing_alg",
    "HS256",
    "How user access tokens are signed: `HS256` with the JWT secret, or `RS256`/`ES256` with a key pair "
    "generated once into the state dir (mode 0600) whose public half is served at "
    "/auth/v1/.well-known/jwks.json. API keys stay HS256.",
)
JWT_KEY_OVERLAP = declare(
    "jwt_key_overlap",
    7200,
    "Seconds a signing key retired by `docbase keys DOC --rotate` keeps verifying its tokens and stays in the JWKS "
    "(keep it at least jwt_exp).",
)
AUTH_THIRD_PARTY_ISSUER = declare(
    "auth_third_party_issuer",
    "",
    "Accept access tokens from this outside issuer (its `iss`, e.g. a Clerk or Auth0 domain URL), verified "
    "against its JWKS; empty: none.",
)
AUTH_THIRD_PARTY_JWKS_URL = declare(
    "auth_third_party_jwks_url",
    "",
    "The outside issuer's JWKS; default: the `jwks_uri` its `/.well-known/openid-configuration` names (OIDC "
    "discovery, re-read with the JWKS), else `<auth_third_party_issuer>/.well-known/jwks.json`.",
)
AUTH_THIRD_PARTY_AUDIENCE = declare(
    "auth_third_party_audience", "", "The `aud` an outside issuer's token must carry; empty: not checked."
)
AUTH_THIRD_PARTY_ROLE_CLAIM = declare(
    "auth_third_party_role_claim",
    "role",
    "The claim of an outside token that names its role; a token without it is `authenticated` (as Supabase); "
    "`service_role` is never accepted from outside.",
)
AUTH_THIRD_PARTY_JWKS_TTL = declare(
    "auth_third_party_jwks_ttl",
    600,
    "Seconds the outside issuer's JWKS is cached; an unknown `kid` refetches it at most every 30 seconds.",
)
AUTH_THIRD_PARTY_USER_COLUMN = declare(
    "auth_third_party_user_column",
    "",
    "The column of the document's users table holding the outside issuer's user id (`users.clerkId`): an outside "
    "token then acts as the row whose column equals its `sub`. Empty: the users column named for one (clerkId, "
    "externalId, auth_sub...), as `docbase inspect` says; `none`: the token's `sub` is the user id as it comes.",
)
AUTH_THIRD_PARTY_CREATE_USERS = declare(
    "auth_third_party_create_users",
    True,
    "Create the users row of an outside token's `sub` on first sight (with only what the token states: email, "
    "name, picture); false: such a token is refused (403) until service_role makes the row.",
)
SQLITE_SYNCHRONOUS = declare(
    "sqlite_synchronous",
    "full",
    "SQLite durability: full (every acknowledged write survives power loss) or normal (survives a crash of "
    "docbase, as PocketBase runs; power loss may lose the last writes; several times faster writes).",
)
SQLITE_HEAP_ORDER_ROWS = declare(
    "sqlite_heap_order_rows",
    1_000,
    "SQLite: unordered reads of a table of at most this many rows come back in PostgreSQL's heap order "
    "(insertion order, an updated row last), which costs a sort of the rows read; a bigger table is read in "
    "rowid order (an updated row keeps its place) at no cost. 0 switches the size rule off: every table keeps "
    "heap order, whatever its size.",
)
DB_SCHEMAS = declare(
    "db_schemas",
    "",
    "Schemas /rest/v1 serves, comma-separated, chosen per request by Accept-Profile / Content-Profile (PostgREST's "
    "db-schemas); the first is the default. Empty: public, then every schema the document puts tables in.",
)
TX_END = declare(
    "tx_end",
    "commit-allow-override",
    "How /rest/v1 transactions end (PostgREST's db-tx-end): commit, commit-allow-override, rollback or "
    "rollback-allow-override; *-allow-override lets a request choose with `Prefer: tx=commit|rollback`.",
)
REALTIME_POLL_MS = declare(
    "realtime_poll_ms",
    50,
    "SQLite: how often each worker looks for new changes for its realtime subscribers, in milliseconds "
    "(PostgreSQL is woken by NOTIFY).",
)
REALTIME_RETENTION_SECONDS = declare(
    "realtime_retention_seconds",
    600,
    "How long captured changes stay in _docbase_changes before they are deleted, in seconds; also how long a "
    "realtime subscription whose socket dropped is caught up when it rejoins (docs/realtime.md).",
)
REALTIME_MAX_CHANNELS = declare(
    "realtime_max_channels", 100, "Most channels one realtime socket may join (Supabase: 100); more get an error."
)
REALTIME_MAX_MESSAGE_BYTES = declare(
    "realtime_max_message_bytes", 1_000_000, "Largest realtime frame a client may send; larger get an error reply."
)
SERVER = declare(
    "server", "granian", "HTTP server `docbase serve` runs: granian (Rust HTTP/1.1, measured faster) or uvicorn."
)
AUTH_CONFIRM_EMAIL = declare(
    "auth_confirm_email", False, "Sign-up needs email confirmation before sign-in (default off, as local Supabase)."
)
AUTH_SECURE_PASSWORD_CHANGE = declare(
    "auth_secure_password_change",
    False,
    "Changing the password from a session older than 24 hours needs the nonce /auth/v1/reauthenticate mails (GoTrue's).",
)
AUTH_SECURE_EMAIL_CHANGE = declare(
    "auth_secure_email_change",
    True,
    "An email change (with auth_confirm_email) is confirmed from both the old and the new address, as GoTrue does.",
)
AUTH_DISABLE_SIGNUP = declare("auth_disable_signup", False, "Refuse new sign-ups on /auth/v1/signup.")
AUTH_ANONYMOUS_SIGN_INS = declare(
    "auth_anonymous_sign_ins",
    False,
    "Allow anonymous sign-ins (`signInAnonymously`: POST /auth/v1/signup without email or password); off as in Supabase.",
)
AUTH_BCRYPT_COST = declare("auth_bcrypt_cost", 12, "bcrypt cost factor for password hashes (4..31).")
AUTH_PASSWORD_MIN_LENGTH = declare(
    "auth_password_min_length", 8, "Shortest password sign-up and password change accept."
)
AUTH_PASSWORD_REQUIRED_CHARACTERS = declare(
    "auth_password_required_characters",
    "",
    "Character sets a new password needs one of each, separated by `:` as GoTrue's "
    "password_required_characters (`\\:` is a colon); `lower`, `upper`, `digits`, `symbols` name the usual sets.",
)
AUTH_PASSWORD_MIN_SCORE = declare(
    "auth_password_min_score",
    1,
    "Lowest zxcvbn score (0-4) a new password may have; lower is refused as weak_password `pwned` "
    "(1 refuses `password`, `12345678`, `qwertyuiop`); 0 turns the check off.",
)
AUTH_RATE_LIMIT = declare(
    "auth_rate_limit",
    30,
    "Per window, before 429: failed sign-ins from one client address (IPv6: /64), recovery mails per address "
    "and per client, sign-ups and bad codes per client.",
)
AUTH_SIGNIN_FREE_ATTEMPTS = declare(
    "auth_signin_free_attempts",
    5,
    "Failed sign-ins one client may make for one email before each further failure blocks that pair (only) "
    "for twice as long as the last: 1 s, 2 s, 4 s ...",
)
AUTH_SIGNIN_MAX_BACKOFF = declare(
    "auth_signin_max_backoff", 900, "Longest a client and email pair is blocked after failed sign-ins, in seconds."
)
TRUSTED_PROXIES = declare(
    "trusted_proxies",
    "",
    "Comma-separated addresses or CIDRs of reverse proxies; only a request from one of them has its "
    "X-Forwarded-For read for the client's address (rate limits, sessions). Empty: the TCP peer is the client.",
)
AUTH_RATE_WINDOW = declare("auth_rate_window", 300, "Length of the auth rate-limit window, in seconds.")
AUTH_REFRESH_REUSE_INTERVAL = declare(
    "auth_refresh_reuse_interval",
    0,
    "Seconds a rotated refresh token may be replayed (concurrent tabs) before reuse revokes the session.",
)
AUTH_OTP_EXP = declare("auth_otp_exp", 3600, "Lifetime of confirmation, recovery and email-change tokens, in seconds.")
AUTH_SITE_URL = declare(
    "auth_site_url",
    "http://localhost:3000",
    "Where GET /auth/v1/verify redirects when the link names no allowed redirect_to.",
)
AUTH_REDIRECT_URLS = declare(
    "auth_redirect_urls",
    "",
    "Comma-separated URLs redirect_to may point at besides site_url's origin: scheme, host and port must match "
    "exactly; the path matches itself and below, or GoTrue-style `*` (one segment) / `**` (any) wildcards.",
)
AUTH_EXTERNAL_URL = declare(
    "auth_external_url",
    "",
    "Public base URL of this server (e.g. https://api.example.com) that emailed links point at; "
    "`docbase serve` defaults it to http://HOST:PORT. Never taken from a request's Host header.",
)
SMTP_HOST = declare("smtp_host", "", "SMTP server for auth mail; empty: mail goes to the outbox (docbase outbox DOC).")
SMTP_PORT = declare("smtp_port", 587, "SMTP port.")
SMTP_USER = declare("smtp_user", "", "SMTP user name.")
SMTP_PASSWORD = declare("smtp_password", "", "SMTP password.", secret=True)
SMTP_SENDER = declare("smtp_sender", "docbase <noreply@localhost>", "From address of auth mail.")
SMTP_STARTTLS = declare("smtp_starttls", True, "Use STARTTLS with the SMTP server.")


SECTIONS: dict[str, str] = {
    "access": "Access overrides: tenant root, role names, per-table scope, rules and hidden columns, and "
    "`[access.defaults]` switching off the defaults docbase infers (docs/access.md).",
    "storage": 'Who may read and write objects, per bucket (`[storage.buckets.avatars] read = "authenticated"`; '
    "docs/storage.md).",
    "conventions": "Switch conventions off, for every table or per table (`[conventions.audit] off = [...]`).",
    "auth": "Auth mail templates, subject and body per type (`[auth.email.template.recovery] subject = ...`; "
    "docs/auth.md).",
    "realtime": "Private realtime channels: `[[realtime.channels]]` rules mapping a topic pattern "
    '(`"org:{tenant}:*"`, `"inbox:{user}"`) to who may join and send, and `tenant_channels = false` switching off '
    "the default (a channel named after a tenant key admits its members; docs/realtime.md).",
    "oauth": "OAuth / OpenID Connect sign-in providers, one table each: `[oauth.github]` or `[oauth.google]` "
    '(presets) or any OIDC issuer `[oauth.corp] issuer = "https://login.corp"`, with `client_id`, `client_secret` '
    "(or `client_secret_env`), optional `scopes` (docs/auth.md).",
    "rules": "Switch rules the tables state off: `[rules] quotas = false`, or per table `[rules.monitors] quota = false`.",
}


class ConfigError(Exception):
    """``docbase.toml`` or a ``DOCBASE_*`` variable docbase cannot use; the message names the place."""


def load_toml(doc: str | Path | None) -> dict[str, Any]:
    """Read ``docbase.toml`` beside the document, else in the working directory, checked against the settings.

    Raises:
        ConfigError: malformed TOML (with its line), an unknown key (with "did you mean"), or a value of the
            wrong type.
    """
    candidates = []
    if doc is not None:
        candidates.append(Path(doc).resolve().parent / "docbase.toml")
    candidates.append(Path.cwd() / "docbase.toml")
    for path in candidates:
        if path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace")
            try:
                data = tomllib.loads(text)
            except tomllib.TOMLDecodeError as exc:
                found = re.search(r"\(at line (\d+), column \d+\)", str(exc))
                line = found.group(1) if found else "1"
                reason = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc)) or "not valid TOML"
                raise ConfigError(f"{path}:{line}: error: {reason} (docbase.toml must be TOML)") from None
            check_toml(data, path, text)
            return data
    return {}


def check_toml(data: dict[str, Any], path: Path | str = "docbase.toml", text: str = "") -> None:
    """Every top-level key is a declared setting (of the right type) or a known section."""
    for key, value in data.items():
        line = _line_of(text, key)
        where = f"{path}:{line}"
        if key in SECTIONS:
            if not isinstance(value, dict):
                raise ConfigError(f"{where}: error: [{key}] must be a table: {SECTIONS[key]}")
            continue
        setting = SETTINGS.get(key)
        if setting is None:
            close = difflib.get_close_matches(key, [*SETTINGS, *SECTIONS], n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else " (docs/settings.md lists the settings)"
            raise ConfigError(f"{where}: error: unknown setting '{key}'{hint}")
        if not _fits(value, setting.default):
            raise ConfigError(
                f"{where}: error: {key} = {value!r} should be {_kind(setting.default)} (default {setting.default!r})"
            )


def _line_of(text: str, key: str) -> int:
    found = re.search(rf"^[ \t]*(\[[ \t]*)?[\"']?{re.escape(key)}[\"']?[ \t]*[=\].]", text, re.MULTILINE)
    return text.count("\n", 0, found.start()) + 1 if found else 1


def _fits(value: Any, default: Any) -> bool:
    if default is None:
        return isinstance(value, str | int | float | bool)
    if isinstance(default, bool):
        return isinstance(value, bool)
    if isinstance(default, int):
        return isinstance(value, int) and not isinstance(value, bool)
    if isinstance(default, float):
        return isinstance(value, int | float) and not isinstance(value, bool)
    return isinstance(value, type(default))


def _kind(default: Any) -> str:
    if isinstance(default, bool):
        return "true or false"
    if isinstance(default, int | float):
        return "a number"
    return "a string"


def get(setting: Setting, flag: Any = None, toml: dict[str, Any] | None = None) -> Any:
    if flag is not None:
        return flag
    if setting.env in os.environ:
        return _coerce(setting, os.environ[setting.env])
    if toml and setting.name in toml:
        return toml[setting.name]
    return setting.default


def _coerce(setting: Setting, raw: str) -> Any:
    default = setting.default
    if isinstance(default, bool):
        return raw.strip().lower() in ("1", "true", "yes", "on")
    try:
        if isinstance(default, int):
            return int(raw)
        if isinstance(default, float):
            return float(raw)
    except ValueError:
        raise ConfigError(f"{setting.env}: error: {raw!r} should be {_kind(default)} (default {default!r})") from None
    return raw


def database_url(doc: str | Path, flag: str | None = None) -> str:
    """``--db``, else ``DOCBASE_DB_URL``, else ``sqlite:///<doc stem>.db`` in the working directory."""
    url = get(DB_URL, flag, load_toml(doc))
    if url:
        return str(url)
    return f"sqlite:///{Path(Path(doc).stem + '.db').resolve()}"


def state_dir() -> Path:
    path = Path(get(STATE_DIR))
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def reference_markdown() -> str:
    """The settings reference (docs/settings.md), generated so it cannot drift from the code."""
    lines = [
        "# Settings",
        "",
        "Each setting can be given as a `DOCBASE_<NAME>` environment variable or as `name = value`",
        "in `docbase.toml` beside the document; command-line flags win over both.",
        "Generated from `docbase/settings.py` by `python -m docbase.settings`.",
        "",
        "| name | variable | default | meaning |",
        "|---|---|---|---|",
    ]
    for s in SETTINGS.values():
        default = "(generated)" if s.secret and s.default in (None, "") else repr(s.default)
        lines.append(f"| `{s.name}` | `{s.env}` | `{default}` | {s.help} |")
    lines += ["", "Sections (TOML tables) of `docbase.toml`:", "", "| section | meaning |", "|---|---|"]
    lines += [f"| `[{name}]` | {meaning} |" for name, meaning in SECTIONS.items()]
    lines += [
        "",
        "An unknown key, a value of the wrong type or malformed TOML stops every command with one line naming",
        "the file and line (`docbase.toml:3: error: unknown setting 'db_ur' (did you mean 'db_url'?)`).",
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(reference_markdown(), end="")
