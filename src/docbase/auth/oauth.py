"""Signing in with an OAuth / OpenID Connect provider: ``/authorize`` and ``/callback``, as GoTrue does them.

``/authorize?provider=...`` records a *flow state* (the random ``state`` as a
SHA-256 digest, the OpenID ``nonce``, where to send the user afterwards --
already checked against the redirect allow-list -- and the client's PKCE
challenge if any) and sends the browser to the provider. ``/callback``
takes the state back exactly once and within :data:`STATE_LIFETIME`,
exchanges the provider's code (with docbase's client secret) and, for
OpenID Connect, checks the ``id_token`` against the issuer's JWKS: issuer,
audience = our client id, expiry and the nonce. The person is then matched
by identity (provider + ``sub``), else by a *verified* email of an existing
user (linked), else created; :mod:`.provider_accounts` keeps the document's
own provider-account table in step. Without PKCE the session goes in the
redirect's fragment; with PKCE only an auth code does (:mod:`.pkce`).

Provider HTTP calls are bounded (timeout, response size) and run off the event loop.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import logging
import secrets
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import jwt
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from . import identities, pkce, users
from .errors import AuthError
from .jwks import ThirdParty
from .keys import TokenError
from .providers import Provider

if TYPE_CHECKING:
    from .service import AuthService

log = logging.getLogger("docbase.auth")

STATE_LIFETIME = 600  # seconds between /authorize and /callback
HTTP_TIMEOUT = 10.0
MAX_RESPONSE = 512 * 1024
_discovered: dict[str, dict[str, Any]] = {}
_verifiers: dict[tuple[str, str], ThirdParty] = {}


@dataclass(frozen=True)
class Person:
    """Who the provider says signed in."""

    sub: str
    email: str | None
    email_verified: bool
    data: dict[str, Any]
    provider_token: str
    provider_refresh_token: str | None


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def provider_of(svc: AuthService, name: Any) -> Provider:
    for p in svc.config.oauth:
        if p.name == name:
            return p
    raise AuthError(400, "validation_failed", f"Unsupported provider: Provider {str(name)[:64]} could not be found")


def _http(url: str, data: dict[str, str] | None = None, headers: dict[str, str] | None = None) -> dict[str, Any]:
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    request = urllib.request.Request(url, data=body, headers={"Accept": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT) as response:  # noqa: S310 - configured URL
            raw = response.read(MAX_RESPONSE + 1)
    except urllib.error.HTTPError as exc:
        raw = exc.read(MAX_RESPONSE + 1)
        detail = raw[:300].decode("utf-8", "replace")
        raise AuthError(400, "oauth_provider_error", f"The provider refused ({exc.code}): {detail}") from None
    except (OSError, ValueError) as exc:
        raise AuthError(502, "oauth_provider_unreachable", f"The provider could not be reached: {exc}") from None
    if len(raw) > MAX_RESPONSE:
        raise AuthError(502, "oauth_provider_error", "The provider's answer is too large")
    try:
        answer = json.loads(raw)
    except ValueError:
        raise AuthError(502, "oauth_provider_error", "The provider's answer is not JSON") from None
    if not isinstance(answer, dict) and not isinstance(answer, list):
        raise AuthError(502, "oauth_provider_error", "The provider's answer is not a JSON object")
    return answer  # type: ignore[return-value]


async def endpoints(p: Provider) -> dict[str, Any]:
    """The provider's endpoints: the preset's, or its discovery document (cached; issuer must match)."""
    if p.kind != "oidc":
        return {"authorization_endpoint": p.authorization_endpoint, "token_endpoint": p.token_endpoint}
    found = _discovered.get(p.issuer)
    if found is None:
        found = await asyncio.to_thread(_http, f"{p.issuer}/.well-known/openid-configuration")
        if str(found.get("issuer", "")).rstrip("/") != p.issuer:
            raise AuthError(502, "oauth_provider_error", "The provider's discovery document names another issuer")
        _discovered[p.issuer] = found
    return found


async def authorize_url(
    svc: AuthService, p: Provider, callback: str, redirect_to: str | None, challenge: pkce.Challenge | None,
    scopes: str | None = None, link_user: Any = None,
) -> str:  # fmt: skip
    """Record a flow state and answer the provider URL the browser goes to."""
    where = await endpoints(p)
    state, nonce = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
    moment = svc.now()
    async with svc.engine.begin() as conn:
        await conn.execute(
            sa.insert(svc.t.flow_state).values(
                id=uuid.uuid4(),
                user_id=None,
                code_challenge=challenge.value if challenge else "",
                code_challenge_method=challenge.method if challenge else "none",
                provider_type=p.name,
                authentication_method="oauth",
                state=_digest(state),
                nonce=nonce,
                redirect_to=svc.redirect(redirect_to),
                link_user_id=link_user,
                created_at=moment,
                updated_at=moment,
            )
        )
    wanted = list(p.scopes) + [s for s in (scopes or "").split() if s not in p.scopes]
    query = {"response_type": "code", "client_id": p.client_id, "redirect_uri": callback, "scope": " ".join(wanted)}
    query["state"] = state
    if p.kind == "oidc":
        query["nonce"] = nonce
    sep = "&" if "?" in where["authorization_endpoint"] else "?"
    return f"{where['authorization_endpoint']}{sep}{urllib.parse.urlencode(query)}"


async def take_state(svc: AuthService, state: Any) -> dict[str, Any]:
    """The flow a callback's ``state`` names, consumed: a state works once and for STATE_LIFETIME seconds."""
    if not isinstance(state, str) or not state or len(state) > 256:
        raise AuthError(400, "bad_oauth_state", "OAuth state parameter missing")
    fs = svc.t.flow_state
    async with svc.engine.begin() as conn:
        row = (await conn.execute(sa.select(fs).where(fs.c.state == _digest(state)))).mappings().first()
        if row is not None:
            await conn.execute(sa.update(fs).where(fs.c.id == row["id"]).values(state=None))
    if row is None or (svc.now() - users.aware(row["created_at"])).total_seconds() > STATE_LIFETIME:
        raise AuthError(400, "bad_oauth_state", "OAuth state is invalid or expired")
    return dict(row)


async def person(p: Provider, code: str, callback: str, nonce: str | None) -> Person:
    """Exchange the provider's code and say who signed in (id_token checked for OpenID Connect)."""
    where = await endpoints(p)
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": callback}
    basic = base64.b64encode(
        f"{urllib.parse.quote(p.client_id, safe='')}:{urllib.parse.quote(p.client_secret, safe='')}".encode()
    ).decode()
    if p.kind == "github":
        form |= {"client_id": p.client_id, "client_secret": p.client_secret}
        headers = {}
    else:
        headers = {"Authorization": f"Basic {basic}"}
    tokens = await asyncio.to_thread(_http, where["token_endpoint"], form, headers)
    access = tokens.get("access_token")
    if not isinstance(access, str) or not access:
        raise AuthError(400, "oauth_provider_error", f"The provider gave no access token: {tokens.get('error')}")
    refresh = tokens.get("refresh_token") if isinstance(tokens.get("refresh_token"), str) else None
    if p.kind == "github":
        return await _github(p, access, refresh)
    id_token = tokens.get("id_token")
    if not isinstance(id_token, str):
        raise AuthError(400, "oauth_provider_error", "The provider gave no id_token")
    claims = await asyncio.to_thread(_check_id_token, p, where, id_token, nonce)
    if "email" not in claims and where.get("userinfo_endpoint"):  # scope claims are often only served there
        info = await asyncio.to_thread(
            _http, str(where["userinfo_endpoint"]), None, {"Authorization": f"Bearer {access}"}
        )
        if isinstance(info, dict) and info.get("sub") == claims["sub"]:
            claims = {**info, **claims}
    data = {k: claims[k] for k in ("name", "picture", "email", "email_verified", "preferred_username") if k in claims}
    data |= {"iss": claims["iss"], "sub": claims["sub"], "provider_id": claims["sub"]}
    if "picture" in data:
        data["avatar_url"] = data["picture"]
    if "name" in data:
        data["full_name"] = data["name"]
    email = claims.get("email") if isinstance(claims.get("email"), str) else None
    return Person(str(claims["sub"]), email, claims.get("email_verified") is True, data, access, refresh)


#: Seconds a provider's clock may run ahead of ours for ``nbf`` (exp gets none: an expired token is refused).
ID_TOKEN_LEEWAY = 60


def _check_id_token(p: Provider, where: dict[str, Any], token: str, nonce: str | None) -> dict[str, Any]:
    key = (p.issuer, p.client_id)
    verifier = _verifiers.get(key)
    if verifier is None:
        verifier = _verifiers[key] = ThirdParty(p.issuer, str(where.get("jwks_uri") or ""), audience=p.client_id)
    try:
        header = jwt.get_unverified_header(token)
        claims = verifier.verify(token, header)
    except (TokenError, jwt.PyJWTError) as exc:
        raise AuthError(400, "oauth_provider_error", f"The provider's id_token is not valid: {exc}") from None
    # ThirdParty leaves exp/nbf to keys.verify's clock (the bearer path); this path has no other check.
    now = time.time()
    exp, nbf = claims.get("exp"), claims.get("nbf")
    if not isinstance(exp, int | float) or exp <= now:
        raise AuthError(400, "oauth_provider_error", "The provider's id_token has expired")
    if isinstance(nbf, int | float) and nbf > now + ID_TOKEN_LEEWAY:
        raise AuthError(400, "oauth_provider_error", "The provider's id_token is not valid yet")
    if nonce is not None and claims.get("nonce") != nonce:
        raise AuthError(400, "oauth_provider_error", "The provider's id_token has the wrong nonce")
    return claims


async def _github(p: Provider, access: str, refresh: str | None) -> Person:
    headers = {"Authorization": f"Bearer {access}", "Accept": "application/vnd.github+json"}
    me = await asyncio.to_thread(_http, p.userinfo_endpoint, None, headers)
    emails = await asyncio.to_thread(_http, p.userinfo_endpoint + "/emails", None, headers)
    primary = next((e for e in emails if isinstance(e, dict) and e.get("primary")), None) if isinstance(emails, list) else None  # fmt: skip
    email = primary.get("email") if primary else me.get("email")
    verified = bool(primary and primary.get("verified"))
    sub = str(me.get("id"))
    data = {
        "sub": sub,
        "provider_id": sub,
        "user_name": me.get("login"),
        "preferred_username": me.get("login"),
        "full_name": me.get("name"),
        "name": me.get("name"),
        "avatar_url": me.get("avatar_url"),
        "email": email,
        "email_verified": verified,
    }
    return Person(sub, email, verified, {k: v for k, v in data.items() if v is not None}, access, refresh)


async def sign_in(svc: AuthService, p: Provider, flow: dict[str, Any], who: Person) -> dict[str, Any]:
    """The user for ``who`` (matched, linked or created) and what the browser gets: a session or an auth code."""
    moment = svc.now()
    try:
        return await _sign_in(svc, p, flow, who, moment)
    except IntegrityError as exc:
        reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0][:300]
        raise AuthError(422, "validation_failed", f"The users table refused the new user: {reason}") from None


async def _sign_in(svc: AuthService, p: Provider, flow: dict[str, Any], who: Person, moment: Any) -> dict[str, Any]:
    async with svc.engine.begin() as conn:
        user = await identities.user_for(svc, conn, p.name, who, moment, flow.get("link_user_id"))
        await svc.accounts.signed_in(conn, user["id"], p.name, who.sub, p.scopes, who.data, moment)
        if users.banned(user, moment):
            raise AuthError(400, "user_banned", "User is banned")
        if flow["code_challenge_method"] != "none":
            code = pkce.new_code()
            await conn.execute(
                sa.update(svc.t.flow_state)
                .where(svc.t.flow_state.c.id == flow["id"])
                .values(user_id=user["id"], auth_code=pkce.digest(code), auth_code_issued_at=moment, updated_at=moment)
            )
            return {"code": code}
        await conn.execute(sa.delete(svc.t.flow_state).where(svc.t.flow_state.c.id == flow["id"]))
        session = await svc.open_session(conn, user, None, None, "oauth")
    return session | {"provider_token": who.provider_token, "provider_refresh_token": who.provider_refresh_token}
