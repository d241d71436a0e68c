"""Settings: one declaration per setting drives ``docbase.toml``, ``DOCBASE_*`` and the docs.

Precedence, highest first: a command-line flag, the ``DOCBASE_<NAME>``
environment variable, ``docbase.toml`` beside the document (or in the
working directory), then the default declared here. Secrets are never read
from ``docbase.toml`` into logs; they are declared ``secret=True`` so any
code that prints settings can mask them.
"""

from __future__ import annotations

import os
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
STATE_DIR = declare("state_dir", ".docbase", "Where generated secrets (JWT secret, encryption key) are kept, mode 0600.")
JWT_SECRET = declare(
    "jwt_secret", None, "HS256 secret signing API keys and sessions; default: generated once into the state dir.", secret=True
)
MAX_BODY_BYTES = declare("max_body_bytes", 1_048_576, "Largest request body /rest/v1 accepts; larger bodies get 413.")


def load_toml(doc: str | Path | None) -> dict[str, Any]:
    """Read ``docbase.toml`` beside the document, else in the working directory."""
    candidates = []
    if doc is not None:
        candidates.append(Path(doc).resolve().parent / "docbase.toml")
    candidates.append(Path.cwd() / "docbase.toml")
    for path in candidates:
        if path.is_file():
            with path.open("rb") as fh:
                return tomllib.load(fh)
    return {}


def get(setting: Setting, flag: Any = None, toml: dict[str, Any] | None = None) -> Any:
    if flag is not None:
        return flag
    if setting.env in os.environ:
        return _coerce(os.environ[setting.env], setting.default)
    if toml and setting.name in toml:
        return toml[setting.name]
    return setting.default


def _coerce(raw: str, default: Any) -> Any:
    if isinstance(default, bool):
        return raw.strip().lower() in ("1", "true", "yes", "on")
    if isinstance(default, int):
        return int(raw)
    if isinstance(default, float):
        return float(raw)
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
