"""What each auth endpoint does, apart from HTTP: sign up, sign in, refresh, update, sign out, recover, verify.

Every operation that must count a failure (rate limits) or revoke a
session (refresh-token reuse) records it in a transaction that commits
before the refusal is raised; refusals never roll back their own evidence.
Mail is sent after the transaction commits, so no message announces an
account that does not exist, and after the HTTP answer (a returned job that
the route runs as a background task), so neither the status nor the time of
an answer depends on whether an address has an account.
"""

from __future__ import annotations

import logging
import math
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from functools import partial
from typing import Any
from urllib.parse import quote

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError, IntegrityError

from ..schema.model import Schema
from . import levels, mailer, pkce, ratelimit, redirects, sessions, tokens, users
from .clientip import limit_key
from .config import AuthConfig
from .db import Ready, engine_for
from .errors import AuthError, invalid_credentials, is_outage, rate_limited, reason
from .passwords import hash_password_async, verify_password_async
from .profiles import ProfileSync
from .provider_accounts import AccountSync
from .tables import auth_tables
from .throttle import SignInThrottle

log = logging.getLogger("docbase.auth")

#: Work done after the answer is sent (mail), as Starlette background tasks run it.
Job = Callable[[], Awaitable[None]]

#: The ``type`` of /verify -> the one-time token kind it consumes.
OTP_KINDS = {
    "signup": "confirmation",
    "email": "confirmation",
    "magiclink": "confirmation",
    "invite": "confirmation",
    "recovery": "recovery",
    "email_change": "email_change",
}
#: Every token kind a /verify ``type`` may consume: an email change's current-address token too (reauth.py).
_CONSUMES = {**{t: (k,) for t, k in OTP_KINDS.items()}, "email_change": ("email_change", "email_change_current")}


#: The ``type`` of /verify -> the authentication method its session's ``amr`` names, as GoTrue's.
AMR_METHODS = {
    "signup": "otp",
    "email": "otp",
    "magiclink": "magiclink",
    "invite": "invite",
    "recovery": "recovery",
    "email_change": "email_change",
}


def banned_error() -> AuthError:
    return AuthError(400, "user_banned", "User is banned")


def _exists_error() -> AuthError:
    return AuthError(422, "user_already_exists", "User already registered")


MAX_CODE_GUESSES = 5  # wrong 6-digit codes for one address before its outstanding code is void


def _otp_error() -> AuthError:
    return AuthError(403, "otp_expired", "Token has expired or is invalid")


class AuthService:
    def __init__(
        self, schema: Schema, engine: Any, config: AuthConfig, secret: str, clock: Callable[[], float] = time.time
    ) -> None:
        self.clock = clock  # seconds since the epoch; rate limits and backoff read only this clock
        self.engine = engine_for(engine)
        self.t = auth_tables(self.engine.dialect.name)
        self.config = config
        self.secret = secret
        self.profiles = ProfileSync(schema)
        self.accounts = AccountSync(schema)  # the document's provider-account table (OAuth sign-ins)
        self.mailer = mailer.Mailer(config, self.engine, self.t)
        self.ready = Ready(self.engine)
        self.throttle = SignInThrottle(self.engine, self.t, config, clock)

    def now(self) -> datetime:
        """The service clock as a timestamp: session, refresh-reuse and token times all read it, so
        tests move one injected clock instead of waiting for expiry."""
        return datetime.fromtimestamp(self.clock(), UTC)

    # -- sessions -------------------------------------------------------------

    def session_json(
        self,
        user: dict[str, Any],
        session_id: Any,
        refresh_token: str,
        aal: str = "aal1",
        amr: list[dict[str, Any]] | None = None,
        factors: list[dict[str, Any]] | None = None,
    ) -> dict[str, Any]:
        token, exp = tokens.issue_access_token(
            users.claims_view(user), session_id, self.config.jwt_exp, self.secret, int(self.clock()), aal, amr
        )
        return {
            "access_token": token,
            "token_type": "bearer",
            "expires_in": self.config.jwt_exp,
            "expires_at": exp,
            "refresh_token": refresh_token,
            "user": users.to_json(user) | ({"factors": factors} if factors else {}),
        }

    async def session_answer(self, conn: Any, user: dict[str, Any], session_id: Any, refresh_token: str) -> dict:
        """The session JSON with the session's own ``aal``/``amr`` and the user's MFA factors (:mod:`.levels`)."""
        aal, amr = await levels.of_session(conn, self.t, session_id)
        factors = await levels.factors(conn, self.t, user["id"])
        return self.session_json(user, session_id, refresh_token, aal, amr, factors)

    async def open_session(
        self, conn: Any, user: dict[str, Any], ip: str | None, agent: str | None, method: str = "password"
    ) -> dict:
        """A new session for ``user``, opened by ``method`` (its ``amr``)."""
        moment = self.now()
        await users.update(conn, self.t, user["id"], last_sign_in_at=moment)
        session_id, refresh = await sessions.create(conn, self.t, user["id"], moment, ip, agent)
        await levels.record(conn, self.t, session_id, method, moment)
        fresh = await users.by_id(conn, self.t, user["id"])
        return await self.session_answer(conn, fresh or user, session_id, refresh)

    async def _hit(self, keys: list[str]) -> None:
        async with self.engine.begin() as conn:
            for key in keys:
                await ratelimit.hit(conn, self.t, key, self.config.rate_window, self.clock())

    async def _over(self, keys: list[str]) -> bool:
        async with self.engine.connect() as conn:
            return await ratelimit.over(
                conn, self.t, keys, self.config.rate_limit, self.config.rate_window, self.clock()
            )

    # -- one-time tokens ------------------------------------------------------

    async def new_otp(self, conn: Any, user_id: Any, kind: str, email: str) -> tuple[str, str]:
        """A fresh code of ``kind`` for ``user_id`` (replacing any older one); returns (code, token_hash).

        One upsert, not delete-then-insert: two recover requests whose mail jobs run at once would
        otherwise both insert, and the second would fail on (user_id, token_type) and lose its mail.
        """
        code = tokens.new_otp()
        token_hash = tokens.otp_hash(email, code)
        ott = self.t.one_time_tokens
        moment = self.now()
        insert = (postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert)(ott)
        fresh = {"token_hash": token_hash, "relates_to": email.lower(), "created_at": moment, "updated_at": moment}
        stmt = insert.values(id=uuid.uuid4(), user_id=user_id, token_type=kind, **fresh)
        await conn.execute(stmt.on_conflict_do_update(index_elements=[ott.c.user_id, ott.c.token_type], set_=fresh))
        return code, token_hash

    def redirect(self, wanted: str | None) -> str:
        """``wanted`` when the allow-list allows it, else the site URL (:mod:`.redirects`)."""
        return redirects.redirect_target(self.config.site_url, self.config.redirect_urls, wanted)

    def link(self, verify_url: str, token_hash: str, kind: str, redirect_to: str | None) -> str:
        """An emailed link: /verify with the token and where to go after; a redirect off the allow-list is the site URL."""
        target = self.redirect(redirect_to)
        return f"{verify_url}?token={token_hash}&type={kind}&redirect_to={quote(target, safe='')}"

    # -- operations -----------------------------------------------------------

    async def signup(
        self,
        email: str,
        password: str,
        data: dict,
        ip: str,
        agent: str | None,
        verify_url: str,
        redirect_to: str | None,
        challenge: pkce.Challenge | None = None,
    ) -> tuple[dict[str, Any], Job | None]:
        """The new user (or session, without confirmations) and the mail to send after answering;
        ``challenge``: the client's PKCE challenge, which the confirmation link then ends in (:mod:`.pkce`)."""
        if self.config.disable_signup:
            raise AuthError(422, "signup_disabled", "Signups not allowed for this instance")
        if await self._over([f"signup:ip:{limit_key(ip)}"]):
            raise rate_limited()
        hashed = await hash_password_async(password, self.config.bcrypt_cost)
        moment = self.now()
        confirmed_at = None if self.config.confirm_email else moment
        mail = None
        try:
            async with self.engine.begin() as conn:
                existing = await users.by_email(conn, self.t, email)
                if existing or await self.profiles.email_taken(conn, email):
                    if not self.config.confirm_email:
                        raise _exists_error()
                    await ratelimit.hit(
                        conn, self.t, f"signup:ip:{limit_key(ip)}", self.config.rate_window, self.clock()
                    )
                    return await self._taken(conn, existing, email, data, moment, verify_url, redirect_to)
                user = await users.insert(conn, self.t, email, hashed, confirmed_at, data, moment)
                await self.profiles.created(
                    conn,
                    str(user["id"]),
                    email=email,
                    password_hash=hashed,
                    confirmed_at=confirmed_at,
                    metadata=data,
                    now=moment,
                )
                await ratelimit.hit(conn, self.t, f"signup:ip:{limit_key(ip)}", self.config.rate_window, self.clock())
                if confirmed_at is None:
                    code, token_hash = await self.new_otp(conn, user["id"], "confirmation", email)
                    if challenge is not None:
                        token_hash = await pkce.start(
                            conn, self.t, user["id"], "confirmation", token_hash, challenge, moment
                        )
                    await users.update(conn, self.t, user["id"], confirmation_sent_at=moment)
                    mail = mailer.confirmation(email, self.link(verify_url, token_hash, "signup", redirect_to), code)
                    result = users.to_json(await users.by_id(conn, self.t, user["id"]) or user)
                else:
                    result = await self.open_session(conn, user, ip, agent)
        except IntegrityError as exc:
            async with self.engine.connect() as conn:
                if await users.by_email(conn, self.t, email):
                    if self.config.confirm_email:  # lost a race with a concurrent sign-up: same answer as taken
                        return users.to_json(_stand_in(email, data, moment)), None
                    raise _exists_error() from None
            raise AuthError(422, "validation_failed", f"The users table refused the new user: {_reason(exc)}") from None
        except DBAPIError as exc:
            if is_outage(exc):
                raise
            raise AuthError(422, "validation_failed", f"The users table refused the new user: {_reason(exc)}") from None
        return result, (partial(self.mailer.deliver, mail) if mail else None)

    async def _taken(
        self,
        conn: Any,
        existing: dict[str, Any] | None,
        email: str,
        data: dict,
        moment: Any,
        verify_url: str,
        redirect_to: str | None,
    ) -> tuple[dict[str, Any], Job | None]:
        """With confirmations on, a taken address answers exactly like a new sign-up (no enumeration).

        GoTrue answers an "obfuscated user"; docbase's stand-in is built by the
        same code as a real new user's answer, so not even ``identities`` tells
        them apart. The owner of an unconfirmed account gets the confirmation
        mail again (as GoTrue does); a confirmed owner gets nothing.
        """
        job = None
        if existing is not None and existing.get("email_confirmed_at") is None:
            code, token_hash = await self.new_otp(conn, existing["id"], "confirmation", email)
            await users.update(conn, self.t, existing["id"], confirmation_sent_at=moment)
            mail = mailer.confirmation(email, self.link(verify_url, token_hash, "signup", redirect_to), code)
            job = partial(self.mailer.deliver, mail)
        return users.to_json(_stand_in(email, data, moment)), job

    async def sign_in(self, email: str, password: str, ip: str, agent: str | None) -> dict[str, Any]:
        """A session for the right password; failures slow this client for this email (:mod:`.throttle`)."""
        client = limit_key(ip)
        wait = await self.throttle.wait(client, email)
        if wait > 0:
            raise rate_limited(
                "Too many sign-in attempts; try again later", headers={"Retry-After": str(math.ceil(wait))}
            )
        async with self.engine.connect() as conn:
            user = await users.by_email(conn, self.t, email)
        stored = user.get("encrypted_password") if user else None
        if not await verify_password_async(password, stored, self.config.bcrypt_cost) or user is None:
            await self.throttle.failed(client, email)
            raise invalid_credentials()
        if self.config.confirm_email and user.get("email_confirmed_at") is None:
            raise AuthError(400, "email_not_confirmed", "Email not confirmed")
        if users.banned(user, self.now()):
            raise banned_error()
        async with self.engine.begin() as conn:
            await self.throttle.succeeded(conn, client, email)
            return await self.open_session(conn, user, ip, agent)

    async def refresh(self, token: str) -> dict[str, Any]:
        error: AuthError | None = None
        async with self.engine.begin() as conn:
            try:
                rotated = await sessions.rotate(conn, self.t, token, self.now(), self.config.refresh_reuse_interval)
            except AuthError as exc:
                error = exc
            else:
                user = await users.by_id(conn, self.t, rotated.user_id)
                if user is None:
                    error = AuthError(400, "refresh_token_not_found", "Invalid Refresh Token: Refresh Token Not Found")
                elif users.banned(user, self.now()):
                    error = banned_error()
                else:
                    return await self.session_answer(conn, user, rotated.session_id, rotated.refresh_token)
        assert error is not None
        raise error

    async def current(self, claims: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
        """The user and session a valid access token names; 403 when either is gone (signed out, deleted)."""
        async with self.engine.connect() as conn:
            user = await users.by_id(conn, self.t, claims["sub"])
            if user is None:
                raise AuthError(403, "user_not_found", "User from sub claim in JWT does not exist")
            session_id = claims.get("session_id")
            if session_id and not await sessions.exists(conn, self.t, session_id):
                raise AuthError(403, "session_not_found", "Session from session_id claim in JWT does not exist")
        return user, session_id

    async def update_user(
        self,
        claims: dict[str, Any],
        email: str | None,
        password: str | None,
        data: dict | None,
        verify_url: str,
        redirect_to: str | None,
        nonce: Any = None,
    ) -> tuple[dict[str, Any], Job | None]:
        from . import reauth  # reauth builds on this module

        user, session_id = await self.current(claims)
        hashed = await hash_password_async(password, self.config.bcrypt_cost) if password else None
        moment = self.now()
        values: dict[str, Any] = {"updated_at": moment}
        facts: dict[str, Any] = {"now": moment}
        mails: list[mailer.Mail] = []
        if data is not None:
            merged = {**(user.get("raw_user_meta_data") or {}), **data}
            values["raw_user_meta_data"] = {k: v for k, v in merged.items() if v is not None}
        if hashed:
            values["encrypted_password"] = hashed
            facts["password_hash"] = hashed
        if email and email != user.get("email") and self.config.confirm_email:
            await reauth.count_change_mail(self, user, email)  # committed before any refusal below
        async with self.engine.begin() as conn:
            if hashed:
                await reauth.check_password_change(self, conn, user, session_id, nonce)
            if email and email != user.get("email"):
                if await users.by_email(conn, self.t, email) or await self.profiles.email_taken(
                    conn, email, str(user["id"])
                ):
                    raise AuthError(422, "email_exists", "A user with this email address has already been registered")
                if self.config.confirm_email:
                    mails = await reauth.start_email_change(self, conn, user, email, verify_url, redirect_to, moment)
                    values.update(email_change=email, email_change_sent_at=moment)
                else:
                    values["email"] = email
                    facts["email"] = email
                    values.update(_linked(user))
            await users.update(conn, self.t, user["id"], **values)
            await self._sync_profile(conn, user, values, facts)
            fresh = await users.by_id(conn, self.t, user["id"])
        return users.to_json(fresh or user), (partial(self._deliver_all, mails) if mails else None)

    async def _deliver_all(self, mails: list[mailer.Mail]) -> None:
        for mail in mails:
            await self.mailer.deliver(mail)

    async def logout(self, claims: dict[str, Any], scope: str) -> None:
        user, session_id = await self.current(claims)
        async with self.engine.begin() as conn:
            await sessions.sign_out(conn, self.t, user["id"], session_id, scope)

    async def list_sessions(self, claims: dict[str, Any]) -> list[dict[str, Any]]:
        """The caller's live sessions, newest first, the one in use marked ``current``."""
        user, session_id = await self.current(claims)
        async with self.engine.connect() as conn:
            rows = await sessions.list_for(conn, self.t, user["id"])
        return [
            {
                "id": str(r["id"]),
                "created_at": _iso(r["created_at"]),
                "updated_at": _iso(r["updated_at"]),
                "refreshed_at": _iso(r["refreshed_at"]),
                "user_agent": r["user_agent"],
                "ip": r["ip"],
                "current": str(r["id"]) == str(session_id),
            }
            for r in rows
        ]

    async def revoke_session(self, claims: dict[str, Any], target: str) -> None:
        """Sign one of the caller's own sessions out; another user's session is 404, as if absent."""
        user, _ = await self.current(claims)
        async with self.engine.begin() as conn:
            mine = {str(r["id"]) for r in await sessions.list_for(conn, self.t, user["id"])}
            if target not in mine:
                raise AuthError(404, "session_not_found", "Session not found")
            await sessions.revoke_sessions(conn, self.t, [uuid.UUID(target)])

    async def recover(
        self, email: str, ip: str, verify_url: str, redirect_to: str | None, challenge: pkce.Challenge | None = None
    ) -> Job:
        """Count the request; the look-up, token and mail are the returned job, run after answering.

        Every address costs the same before the answer (two counter upserts
        keyed by the address and the client, whether an account exists or not),
        so neither the status nor the time of the answer tells whether it does.
        """
        async with self.engine.begin() as conn:
            per_email = await ratelimit.hit(conn, self.t, f"mail:{email}", self.config.rate_window, self.clock())
            per_ip = await ratelimit.hit(
                conn, self.t, f"recover:ip:{limit_key(ip)}", self.config.rate_window, self.clock()
            )
        if per_email > self.config.rate_limit or per_ip > self.config.rate_limit:
            raise AuthError(429, "over_email_send_rate_limit", "Email rate limit exceeded")
        return partial(self._recovery_mail, email, verify_url, redirect_to, challenge)

    async def _recovery_mail(
        self, email: str, verify_url: str, redirect_to: str | None, challenge: pkce.Challenge | None = None
    ) -> None:
        try:
            async with self.engine.begin() as conn:
                user = await users.by_email(conn, self.t, email)
                if user is None:
                    return
                code, token_hash = await self.new_otp(conn, user["id"], "recovery", email)
                if challenge is not None:
                    token_hash = await pkce.start(
                        conn, self.t, user["id"], "recovery", token_hash, challenge, self.now()
                    )
                else:
                    await pkce.forget(conn, self.t, user["id"], "recovery")
                await users.update(conn, self.t, user["id"], recovery_sent_at=self.now())
        except Exception as exc:  # noqa: BLE001 - after the answer there is no one to tell but the log
            log.error("auth: recovery mail to %s not prepared: %s", email, reason(exc))
            return
        await self.mailer.deliver(
            mailer.recovery(email, self.link(verify_url, token_hash, "recovery", redirect_to), code)
        )

    async def verify(
        self,
        otp_type: str,
        token_hash: str,
        ip: str,
        agent: str | None,
        email: str | None = None,
        finish: Callable[[Any, dict[str, Any]], Awaitable[Any]] | None = None,
    ) -> Any:
        """Consume a one-time token; confirm, recover or change email; answer with a new session.

        ``email``: the address a typed 6-digit code was given for; wrong codes for it are counted across
        every client address, and after ``MAX_CODE_GUESSES`` the outstanding code is void. A typed code
        also matches its PKCE-flow token (the code was read on the device that asked for it).
        ``finish(conn, user)``: what a consumed token yields instead of a session (a PKCE auth code).
        """
        kind = OTP_KINDS[otp_type]
        if await self._over([f"verify:ip:{limit_key(ip)}"]):
            raise rate_limited()
        ott = self.t.one_time_tokens
        moment = self.now()
        async with self.engine.begin() as conn:
            hashes = [token_hash] if email is None else [token_hash, pkce.PREFIX + token_hash]
            q = sa.select(ott).where(ott.c.token_hash.in_(hashes), ott.c.token_type.in_(_CONSUMES[otp_type]))
            row = (await conn.execute(q)).mappings().first()
            fresh = row is not None and (moment - users.aware(row["created_at"])).total_seconds() <= self.config.otp_exp
            if row is not None:
                await conn.execute(sa.delete(ott).where(ott.c.id == row["id"]))
            user = await users.by_id(conn, self.t, row["user_id"]) if fresh else None
            if user is not None and users.banned(user, moment):
                user = None
            if user is not None and kind == "email_change":
                from . import reauth

                if await reauth.other_address_pending(self, conn, user, row["token_type"]):
                    return {"msg": reauth.SINGLE_CONFIRMATION, "code": 200}
                relates_to = user.get("email_change") or row["relates_to"]
                await self._apply(conn, kind, user, relates_to, moment)
                user = await users.by_id(conn, self.t, user["id"])
                return await self.open_session(conn, user, ip, agent, AMR_METHODS[otp_type])
            if user is not None:
                await self._apply(conn, kind, user, row["relates_to"], moment)
                user = await users.by_id(conn, self.t, user["id"])
                if finish is not None:
                    return await finish(conn, user)
                return await self.open_session(conn, user, ip, agent, AMR_METHODS[otp_type])
        await self._hit([f"verify:ip:{limit_key(ip)}"])
        if email is not None:
            await self._wrong_code(email, kind)
        raise _otp_error()

    async def _wrong_code(self, email: str, kind: str) -> None:
        """A wrong code for ``email``: from many addresses, 10**6 codes could be tried within a code's hour;
        after MAX_CODE_GUESSES misses the code is void, so the owner asks for a new one and a guesser starts over.
        """
        key = f"verify:email:{email.lower()}"
        await self._hit([key])
        async with self.engine.connect() as conn:
            spent = await ratelimit.over(conn, self.t, [key], MAX_CODE_GUESSES, self.config.rate_window, self.clock())
        if spent:
            ott = self.t.one_time_tokens
            async with self.engine.begin() as conn:
                await conn.execute(sa.delete(ott).where(ott.c.relates_to == email.lower(), ott.c.token_type == kind))

    async def _apply(self, conn: Any, kind: str, user: dict[str, Any], relates_to: str, moment: Any) -> None:
        values: dict[str, Any] = {"updated_at": moment}
        facts: dict[str, Any] = {"now": moment}
        if user.get("email_confirmed_at") is None:
            values["email_confirmed_at"] = moment
            facts["confirmed_at"] = moment
        if kind == "email_change":
            if await users.by_email(conn, self.t, relates_to) or await self.profiles.email_taken(
                conn, relates_to, str(user["id"])
            ):
                raise AuthError(422, "email_exists", "A user with this email address has already been registered")
            values.update(email=relates_to, email_change=None, email_change_confirm_status=0, **_linked(user))
            facts["email"] = relates_to
        await users.update(conn, self.t, user["id"], **values)
        await self._sync_profile(conn, user, values, facts)

    async def _sync_profile(self, conn: Any, user: dict[str, Any], values: dict, facts: dict[str, Any]) -> None:
        """The document's users row follows; an anonymous user linking an email gets its row now."""
        if user.get("is_anonymous") and values.get("is_anonymous") is False:
            meta = values.get("raw_user_meta_data", user.get("raw_user_meta_data")) or {}
            await self.profiles.created(conn, str(user["id"]), metadata=meta, **facts)
        else:
            await self.profiles.changed(conn, str(user["id"]), **facts)


def _linked(user: dict[str, Any]) -> dict[str, Any]:
    """An anonymous user who now has an email is an email user (GoTrue's identity linking)."""
    if not user.get("is_anonymous"):
        return {}
    return {"is_anonymous": False, "raw_app_meta_data": {"provider": "email", "providers": ["email"]}}


def _stand_in(email: str, data: dict, moment: Any) -> dict[str, Any]:
    """What a fresh unconfirmed user looks like, for an address that is already taken (never stored)."""
    return {**users.new_row(email, "", None, data, moment), "confirmation_sent_at": moment}


def _reason(exc: DBAPIError) -> str:
    """The database's one-line reason, without the SQL and parameters SQLAlchemy appends."""
    text = str(getattr(exc, "orig", exc)).strip().splitlines()
    return (text[0] if text else "constraint failed")[:300]


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None
