"""Auth mail: SMTP when configured, else the outbox table, and never silently dropped.

Without SMTP (the default, as with local Supabase's Inbucket) every message
is kept in the outbox table for the operator to read with ``docbase outbox
DOC``. With SMTP, a message the server refuses is kept in the outbox too and
the failure logged. Log lines name the recipient, subject and kind only:
links and codes are secrets and stay out of logs.
"""

from __future__ import annotations

import asyncio
import logging
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import sqlalchemy as sa

from .. import dburl
from ..db import connections
from .config import AuthConfig
from .tables import AuthTables
from .templates import KIND_TO_TYPE, render
from .users import now

log = logging.getLogger("docbase.auth")


@dataclass(frozen=True)
class Mail:
    """A message; ``values`` are the template variables (docbase.auth.templates) it was written from."""

    recipient: str
    subject: str
    body: str
    kind: str
    values: tuple[tuple[str, str], ...] = ()


def _values(email: str, link: str | None, code: str, new_email: str | None = None) -> tuple[tuple[str, str], ...]:
    query = parse_qs(urlsplit(link).query) if link else {}
    found = {
        "ConfirmationURL": link or "",
        "Token": code,
        "TokenHash": (query.get("token") or [""])[0],
        "RedirectTo": (query.get("redirect_to") or [""])[0],
        "Email": email,
        "NewEmail": new_email or "",
    }
    return tuple(found.items())


def confirmation(recipient: str, link: str, code: str) -> Mail:
    body = f"Follow this link to confirm your email address:\n\n{link}\n\nOr enter this code: {code}\n"
    return Mail(recipient, "Confirm your signup", body, "signup", _values(recipient, link, code))


def recovery(recipient: str, link: str, code: str) -> Mail:
    body = f"Follow this link to reset the password for your account:\n\n{link}\n\nOr enter this code: {code}\n"
    return Mail(recipient, "Reset your password", body, "recovery", _values(recipient, link, code))


def email_change(recipient: str, link: str, code: str) -> Mail:
    body = f"Follow this link to confirm the update of your email address:\n\n{link}\n\nOr enter this code: {code}\n"
    return Mail(recipient, "Confirm email change", body, "email_change", _values(recipient, link, code, recipient))


def email_change_current(recipient: str, new_email: str, link: str, code: str) -> Mail:
    body = (
        f"Someone asked to change the email address of your account from {recipient} to {new_email}.\n"
        f"Follow this link to confirm it from this address:\n\n{link}\n\nOr enter this code: {code}\n\n"
        "If it was not you, do not follow the link and change your password.\n"
    )
    return Mail(recipient, "Confirm email change", body, "email_change", _values(recipient, link, code, new_email))


def reauthentication(recipient: str, code: str) -> Mail:
    body = f"Enter this code to confirm it is you: {code}\n"
    return Mail(recipient, "Confirm reauthentication", body, "reauthentication", _values(recipient, None, code))


def magic_link(recipient: str, link: str, code: str) -> Mail:
    body = f"Follow this link to sign in:\n\n{link}\n\nOr enter this code: {code}\n"
    return Mail(recipient, "Your Magic Link", body, "magiclink", _values(recipient, link, code))


def invite(recipient: str, link: str, code: str) -> Mail:
    body = f"You have been invited. Follow this link to accept the invite:\n\n{link}\n\nOr enter this code: {code}\n"
    return Mail(recipient, "You have been invited", body, "invite", _values(recipient, link, code))


class Mailer:
    def __init__(self, config: AuthConfig, engine: Any, tables: AuthTables) -> None:
        self.config = config
        self.engine = engine
        self.tables = tables

    def written(self, mail: Mail) -> Mail:
        """``mail`` as docbase.toml's template for its type writes it (unchanged without one)."""
        wanted = KIND_TO_TYPE.get(mail.kind)
        template = next((t for t in self.config.templates if t.kind == wanted), None)
        if template is None or not mail.values:
            return mail
        values = {**dict(mail.values), "SiteURL": self.config.site_url}
        subject = render(template.subject, values) if template.subject is not None else mail.subject
        body = render(template.body, values) if template.body is not None else mail.body
        return Mail(mail.recipient, subject, body, mail.kind, mail.values)

    async def send(self, mail: Mail) -> None:
        mail = self.written(mail)
        if self.config.smtp_host:
            try:
                await asyncio.to_thread(self._smtp, mail)
                log.info("auth mail (%s) sent to %s: %s", mail.kind, mail.recipient, mail.subject)
                return
            except (OSError, smtplib.SMTPException) as exc:
                log.error(
                    "auth mail (%s) to %s failed over SMTP (%s); kept in the outbox", mail.kind, mail.recipient, exc
                )
        async with self.engine.begin() as conn:
            await conn.execute(
                sa.insert(self.tables.outbox).values(
                    created_at=now(), recipient=mail.recipient, subject=mail.subject, body=mail.body, kind=mail.kind
                )
            )
        log.info(
            "auth mail (%s) to %s: %s (kept in the outbox: docbase outbox)", mail.kind, mail.recipient, mail.subject
        )

    async def deliver(self, mail: Mail) -> None:
        """Send after the answer: a failure is logged (kind, recipient, reason; never the body) and not raised."""
        try:
            await self.send(mail)
        except Exception as exc:  # noqa: BLE001 - the request is answered; the log is the only place left
            reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[:1]
            log.error("auth mail (%s) to %s was lost: %s", mail.kind, mail.recipient, reason[0] if reason else exc)

    def _smtp(self, mail: Mail) -> None:
        c = self.config
        msg = EmailMessage()
        msg["From"] = c.smtp_sender
        msg["To"] = mail.recipient
        msg["Subject"] = mail.subject
        msg.set_content(mail.body, subtype="html" if mail.body.lstrip().startswith("<") else "plain")
        with smtplib.SMTP(c.smtp_host, c.smtp_port, timeout=15) as smtp:
            if c.smtp_starttls:
                smtp.starttls()
            if c.smtp_user:
                smtp.login(c.smtp_user, c.smtp_password)
            smtp.send_message(msg)


def read_outbox(conn: sa.Connection) -> list[dict[str, Any]]:
    """Every message in the outbox, oldest first (sync: for the CLI). Empty when auth never ran."""
    from .tables import auth_tables

    t = auth_tables(conn.dialect.name)
    if not sa.inspect(conn).has_table(t.outbox.name, schema=t.outbox.schema):
        return []
    return [dict(r) for r in conn.execute(sa.select(t.outbox).order_by(t.outbox.c.id)).mappings()]


def outbox_messages(url: str) -> list[dict[str, Any]]:
    """The outbox of the database at ``url`` (a plain sqlite:/// or postgresql:// URL), for ``docbase outbox``.

    A SQLite file that does not exist yet has no mail; it is not created.
    """
    parsed = dburl.parse(url)
    if parsed.dialect == "sqlite" and parsed.path != ":memory:" and not Path(parsed.path).exists():
        return []
    engine = connections.engine(url)
    try:
        with engine.connect() as conn:
            return read_outbox(conn)
    finally:
        engine.dispose()
