"""Auth mail templates from ``docbase.toml``, with GoTrue's names, so Supabase templates paste in unchanged.

    [auth.email.template.recovery]
    subject = "Reset your {{ .SiteURL }} password"
    body = '''<a href="{{ .ConfirmationURL }}">Reset</a> or enter {{ .Token }}'''
    # or: content_path = "templates/recovery.html" (beside docbase.toml)

Types: ``confirmation``, ``invite``, ``magic_link``, ``recovery``,
``email_change``, ``reauthentication``. Variables: ``{{ .ConfirmationURL }}``,
``{{ .Token }}``, ``{{ .TokenHash }}``, ``{{ .SiteURL }}``, ``{{ .RedirectTo }}``,
``{{ .Email }}``, ``{{ .NewEmail }}``. Only these substitutions, not Go's
template language: anything else between ``{{ }}`` (or an unclosed ``{{``) is
an error naming the file, the template and the line and column inside it, when
the server starts, not when the first mail goes out. A type without a template
keeps docbase's plain-text default.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..settings import ConfigError

TYPES = ("confirmation", "invite", "magic_link", "recovery", "email_change", "reauthentication")
VARIABLES = ("ConfirmationURL", "Token", "TokenHash", "SiteURL", "RedirectTo", "Email", "NewEmail")
#: A mail's kind (docbase.auth.mailer) -> the template type that writes it.
KIND_TO_TYPE = {
    "signup": "confirmation",
    "invite": "invite",
    "magiclink": "magic_link",
    "recovery": "recovery",
    "email_change": "email_change",
    "reauthentication": "reauthentication",
}
_TAG = re.compile(r"\{\{(.*?)\}\}", re.S)
_VARIABLE = re.compile(r"^\s*\.([A-Za-z]+)\s*$")
_KEYS = ("subject", "body", "content_path")


@dataclass(frozen=True)
class Template:
    kind: str
    subject: str | None
    body: str | None


def load_templates(toml: dict[str, Any], where: str = "docbase.toml", base: Path | None = None) -> tuple[Template, ...]:
    """The templates of ``[auth.email.template.*]``, each checked; raise ConfigError naming the first mistake."""
    section = ((toml.get("auth") or {}).get("email") or {}).get("template")
    if section is None:
        return ()
    if not isinstance(section, dict):
        raise ConfigError(f"{where}: error: [auth.email.template] must be a table of templates, one per type")
    out = []
    for kind, body in section.items():
        name = f"auth.email.template.{kind}"
        if kind not in TYPES:
            raise ConfigError(f"{where}: error: [{name}]: unknown type; choose from {', '.join(TYPES)}")
        if not isinstance(body, dict) or set(body) - set(_KEYS):
            extra = sorted(set(body) - set(_KEYS)) if isinstance(body, dict) else []
            raise ConfigError(
                f"{where}: error: [{name}] takes subject, body or content_path"
                + (f"; not {', '.join(extra)}" if extra else "")
            )
        if "body" in body and "content_path" in body:
            raise ConfigError(f"{where}: error: [{name}] has both body and content_path; keep one")
        subject, text = body.get("subject"), body.get("body")
        origin = f"{where}: [{name}]"
        if "content_path" in body:
            path = (base or Path.cwd()) / str(body["content_path"])
            try:
                text = path.read_text(encoding="utf-8")
            except OSError as exc:
                raise ConfigError(f"{where}: error: [{name}] content_path {path}: {exc.strerror}") from None
            origin = str(path)
        for field, value in (("subject", subject), ("body", text)):
            if value is None:
                continue
            if not isinstance(value, str):
                raise ConfigError(f"{where}: error: [{name}] {field} must be a string")
            check(value, f"{origin} {field}")
        out.append(Template(kind, subject, text))
    return tuple(out)


def check(text: str, origin: str) -> None:
    """Every ``{{ }}`` names a known variable and every ``{{`` closes; else ConfigError with line and column."""
    for match in _TAG.finditer(text):
        found = _VARIABLE.match(match.group(1))
        if found is None or found.group(1) not in VARIABLES:
            line, column = _position(text, match.start())
            raise ConfigError(
                f"{origin}, line {line} column {column}: error: {match.group(0)!r} is not a template variable; "
                f"use one of {', '.join('{{ .' + v + ' }}' for v in VARIABLES)}"
            )
    complete = {m.start() for m in _TAG.finditer(text)}
    for opened in re.finditer(r"\{\{", text):
        if opened.start() not in complete:
            line, column = _position(text, opened.start())
            raise ConfigError(f"{origin}, line {line} column {column}: error: '{{{{' is never closed with '}}}}'")


def _position(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def render(text: str, values: dict[str, str]) -> str:
    """``text`` with each variable replaced (checked already, so every tag is known)."""
    return _TAG.sub(lambda m: values.get(_VARIABLE.match(m.group(1)).group(1), ""), text)
