"""Asymmetric signing keys (served as a JWKS) and third-party issuers (verified against theirs).

Two things Supabase's newer auth does that one HS256 secret cannot:

- **Signing keys.** With ``jwt_signing_alg = "RS256"`` or ``"ES256"`` a key pair is generated once into
  the state dir (``jwt_signing_key_<alg>.pem``, mode 0600, created with ``O_EXCL`` so workers agree) and
  user access tokens are signed with it, ``kid`` in the header. The public half is served at
  ``GET /auth/v1/.well-known/jwks.json``, so anyone can verify a session without the secret. The anon
  and service_role API keys stay HS256 with the project secret (as Supabase's legacy keys do), and
  every key file found in the state dir keeps verifying its own tokens after the setting changes back,
  so switching algorithms does not sign everybody out.
- **Third-party issuers.** With ``auth_third_party_issuer`` set, a token whose ``iss`` is that issuer
  is verified against the issuer's JWKS (``auth_third_party_jwks_url``; unset, the ``jwks_uri`` of the
  issuer's ``/.well-known/openid-configuration`` -- OIDC discovery, as Supabase does; oidc-provider, Keycloak
  and Auth0 serve their keys elsewhere than Clerk -- else ``<issuer>/.well-known/jwks.json`` when the issuer
  publishes no discovery document), which is cached for ``auth_third_party_jwks_ttl`` seconds and
  refetched when a token names an unknown ``kid`` -- at most once per :data:`REFETCH_INTERVAL`, so a
  stream of made-up kids cannot turn into a stream of fetches. Its role is the configured claim
  (``role`` by default), ``authenticated`` when the token has none; ``service_role`` is never taken
  from an outside issuer.

Only asymmetric algorithms are accepted on these paths and the algorithm comes from the key, never from
the token, so an HS256 token "signed" with a public key is refused.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import os
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from .. import settings
from . import keys, rotation
from .keys import TokenError

#: Algorithms docbase signs user tokens with, besides the default HS256.
SIGNING_ALGS = ("RS256", "ES256")
#: What a third-party JWKS may name (never HS*, never none).
ASYMMETRIC = frozenset({"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"})
#: The shortest gap between two JWKS fetches caused by unknown kids.
REFETCH_INTERVAL = 30.0
FETCH_TIMEOUT = 5.0
MAX_JWKS_BYTES = 256 * 1024

log = logging.getLogger("docbase.auth")

__all__ = ["SIGNING_ALGS", "SigningKey", "ThirdParty", "Trust", "install", "load_trust", "signing_key"]


@dataclass(frozen=True)
class SigningKey:
    alg: str
    kid: str
    private: Any = field(repr=False)
    #: For a retired key (docbase.auth.rotation): when it stops verifying (epoch seconds); None: no end.
    until: float | None = None

    @property
    def public_jwk(self) -> dict[str, Any]:
        algo = jwt.algorithms.RSAAlgorithm if self.alg == "RS256" else jwt.algorithms.ECAlgorithm
        jwk = json.loads(algo.to_jwk(self.private.public_key()))
        return {**jwk, "kid": self.kid, "alg": self.alg, "use": "sig", "key_ops": ["verify"]}

    def sign(self, claims: dict[str, Any]) -> str:
        return jwt.encode(claims, self.private, algorithm=self.alg, headers={"kid": self.kid})

    def verify(self, token: str) -> dict[str, Any]:
        return jwt.decode(token, self.private.public_key(), algorithms=[self.alg], options=_DECODE_OPTIONS)


# exp/iat/nbf and role are checked by keys.verify with the caller's clock, as for HS256 tokens.
_DECODE_OPTIONS = {
    "require": ["exp"],
    "verify_aud": False,
    "verify_exp": False,
    "verify_iat": False,
    "verify_nbf": False,
}


def _key_file(alg: str, create: bool = True) -> Path:
    """Where ``alg``'s key pair is kept; only making one creates the state dir (looking does not)."""
    folder = settings.state_dir() if create else Path(settings.get(settings.STATE_DIR))
    return folder / f"jwt_signing_key_{alg.lower()}.pem"


def _kid(private: Any) -> str:
    der = private.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return base64.urlsafe_b64encode(hashlib.sha256(der).digest()[:12]).decode().rstrip("=")


def _read_key(alg: str, path: Path) -> SigningKey:
    for _ in range(50):  # another worker may have created the file and not written it yet
        data = path.read_bytes()
        if data.strip():
            private = serialization.load_pem_private_key(data, password=None)
            return SigningKey(alg, _kid(private), private)
        time.sleep(0.02)
    raise RuntimeError(f"{path} is empty; delete it to generate a new signing key")


def signing_key(alg: str) -> SigningKey:
    """The key pair for ``alg`` kept in the state dir, generated once (mode 0600) when there is none."""
    if alg not in SIGNING_ALGS:
        raise ValueError(f"jwt_signing_alg must be HS256, {' or '.join(SIGNING_ALGS)}, not {alg!r}")
    path = _key_file(alg)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _read_key(alg, path)
    private = rsa.generate_private_key(65537, 2048) if alg == "RS256" else ec.generate_private_key(ec.SECP256R1())
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
    return _read_key(alg, path)


class ThirdParty:
    """An outside issuer (Clerk, Auth0, Firebase, any OIDC issuer) whose access tokens are accepted."""

    def __init__(
        self,
        issuer: str,
        jwks_url: str = "",
        audience: str = "",
        role_claim: str = "role",
        ttl: float = 600,
        refetch_interval: float = REFETCH_INTERVAL,
    ) -> None:
        self.issuer = issuer
        #: The configured JWKS URL; empty: discovered from the issuer (:meth:`_locate`), then cached.
        self.configured = jwks_url
        self.jwks_url = jwks_url or issuer.rstrip("/") + "/.well-known/jwks.json"
        self._located = -1e18  # monotonic time of the last discovery
        self.audience, self.role_claim, self.ttl = audience, role_claim or "role", ttl
        self.refetch_interval = refetch_interval
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched = -1e18  # monotonic time of the last fetch
        self._lock = threading.Lock()

    def _locate(self, now: float) -> None:
        """Where the keys are, unless configured: the discovery document's ``jwks_uri`` (re-read with the
        JWKS once ``ttl`` is over), else ``<issuer>/.well-known/jwks.json``. A document naming another issuer
        is refused (OpenID Connect Discovery 4.3): its keys would vouch for someone else's tokens."""
        if self.configured or now - self._located <= self.ttl:
            return
        url = self.issuer.rstrip("/") + "/.well-known/openid-configuration"
        try:
            found = _read_json(url)
        except (OSError, ValueError) as exc:
            fallback = self.issuer.rstrip("/") + "/.well-known/jwks.json"
            if self.jwks_url != fallback or self._located < -1e17:
                log.info("auth: %s could not be read (%s); the issuer's keys are read from %s", url, exc, fallback)
            self.jwks_url, self._located = fallback, now
            return
        if not isinstance(found, dict) or found.get("issuer") != self.issuer:
            named = found.get("issuer") if isinstance(found, dict) else None
            raise TokenError(
                "invalid", f"the issuer's discovery document ({url}) names issuer {named!r}, not {self.issuer!r}"
            )
        jwks_uri = found.get("jwks_uri")
        if not isinstance(jwks_uri, str) or not jwks_uri.startswith(("https://", "http://")):
            raise TokenError("invalid", f"the issuer's discovery document ({url}) has no jwks_uri")
        if jwks_uri != self.jwks_url or self._located < -1e17:
            log.info("auth: the keys of %s are read from %s (its discovery document)", self.issuer, jwks_uri)
        self.jwks_url, self._located = jwks_uri, now

    def _fetch(self) -> None:
        self._locate(time.monotonic())
        try:
            keyset = _read_json(self.jwks_url)
            found: dict[str, jwt.PyJWK] = {}
            for jwk in keyset.get("keys", []):
                try:
                    key = jwt.PyJWK(jwk)
                except jwt.PyJWTError:
                    continue  # a key type or algorithm we cannot use; the others still count
                if key.algorithm_name in ASYMMETRIC and key.key_id:
                    found[key.key_id] = key
        except (OSError, ValueError, AttributeError, TypeError) as exc:
            raise TokenError("invalid", f"the issuer's JWKS could not be read ({self.jwks_url}: {exc})") from None
        self._keys = found

    def key(self, kid: str) -> jwt.PyJWK:
        """The issuer's key ``kid``: cached for ``ttl`` seconds, refetched for an unknown kid (bounded)."""
        with self._lock:
            now = time.monotonic()
            stale = now - self._fetched > self.ttl
            if stale or (kid not in self._keys and now - self._fetched >= self.refetch_interval):
                self._fetched = now
                self._fetch()
            if kid not in self._keys:
                raise TokenError("invalid", f"JWT key id {kid!r} is not in the issuer's JWKS")
            return self._keys[kid]

    def verify(self, token: str, header: dict[str, Any]) -> dict[str, Any]:
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise TokenError("invalid", "JWT from the third-party issuer has no 'kid'")
        key = self.key(kid)
        if header.get("alg") != key.algorithm_name:
            raise TokenError("invalid", f"JWT algorithm {header.get('alg')!r} does not match the issuer's key")
        options = {**_DECODE_OPTIONS, "verify_aud": bool(self.audience), "require": ["exp", "iss", "sub"]}
        claims = jwt.decode(
            token,
            key.key,
            algorithms=[key.algorithm_name],
            issuer=self.issuer,
            audience=self.audience or None,
            options=options,
        )
        role = claims.get(self.role_claim)
        if role is None:
            role = "authenticated"  # as Supabase: a third-party token without a role is a signed-in user
        if not isinstance(role, str) or role in ("service_role", "supabase_admin", "postgres", ""):
            raise TokenError("invalid", f"JWT role {role!r} is not accepted from a third-party issuer")
        return {**claims, "role": role}


@dataclass
class Trust:
    """What tokens a project signs and accepts besides HS256: its signing key, older key files, an issuer.

    ``alg``/``overlap`` set (by :func:`load_trust`), the key files are rescanned at most once a second and
    reloaded when they changed (a rotation by another process: docbase.auth.rotation); ``clock`` decides
    when a retired key's overlap is over."""

    signing: SigningKey | None = None
    verifying: dict[str, SigningKey] = field(default_factory=dict)
    third_party: ThirdParty | None = None
    alg: str | None = None
    overlap: float = 0.0
    clock: Any = time.time
    _seen: tuple = ()
    _scanned: float = -1e18

    def _fresh(self) -> None:
        if self.alg is None:
            return
        now = time.monotonic()
        if now - self._scanned < rotation.RESCAN_SECONDS:
            return
        self._scanned = now
        seen = rotation.fingerprint(_key_file(self.alg, create=False).parent)
        if seen != self._seen:
            self.signing, self.verifying = _own_keys(self.alg, self.overlap)
            self._seen = rotation.fingerprint(_key_file(self.alg, create=False).parent)

    def _live(self, key: SigningKey) -> bool:
        return key.until is None or self.clock() < key.until

    def jwks(self) -> dict[str, Any]:
        """The public keys as ``/.well-known/jwks.json`` serves them (empty under HS256, as Supabase's):
        the signing key first, then older ones still verifying (retired keys within their overlap)."""
        self._fresh()
        ordered = sorted(self.verifying.values(), key=lambda k: self.signing is None or k.kid != self.signing.kid)
        return {"keys": [k.public_jwk for k in ordered if self._live(k)]}

    def sign(self, claims: dict[str, Any]) -> str | None:
        self._fresh()
        return self.signing.sign(claims) if self.signing else None

    def verify(self, token: str, header: dict[str, Any]) -> dict[str, Any]:
        """The claims of an asymmetric token: ours by ``kid``, else the third-party issuer's by ``iss``."""
        self._fresh()
        kid = header.get("kid")
        own = self.verifying.get(kid) if isinstance(kid, str) else None
        if own is not None and not self._live(own):
            raise TokenError("invalid", "JWT is signed by a retired key whose overlap is over")
        try:
            if own is not None:
                if header.get("alg") != own.alg:
                    raise TokenError("invalid", "JWT algorithm does not match its key")
                return own.verify(token)
            if self.third_party is not None and _unverified_issuer(token) == self.third_party.issuer:
                return self.third_party.verify(token, header)
        except jwt.InvalidIssuerError:
            raise TokenError("invalid", "JWT issuer is not trusted") from None
        except jwt.InvalidAudienceError:
            raise TokenError("invalid", "JWT audience is not accepted") from None
        except jwt.InvalidSignatureError:
            raise TokenError("invalid", "JWT signature does not match the key") from None
        except jwt.MissingRequiredClaimError as exc:
            raise TokenError("invalid", f"JWT lacks the required '{exc.claim}' claim") from None
        except jwt.DecodeError:
            raise TokenError("invalid", "JWT is malformed") from None
        except jwt.InvalidTokenError as exc:
            raise TokenError("invalid", f"JWT is invalid: {exc}") from None
        raise TokenError("invalid", "JWT is signed by a key or issuer this server does not trust")


def _read_json(url: str) -> Any:
    """The JSON document at ``url`` (at most 256 KiB, within :data:`FETCH_TIMEOUT`)."""
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT) as response:  # noqa: S310 - configured URL
        body = response.read(MAX_JWKS_BYTES + 1)
    if len(body) > MAX_JWKS_BYTES:
        raise ValueError("larger than 256 KiB")
    return json.loads(body)


def _unverified_issuer(token: str) -> Any:
    try:
        return jwt.decode(token, options={"verify_signature": False}).get("iss")
    except jwt.PyJWTError:
        return None


def load_trust(doc: str | Path | None = None, toml: dict[str, Any] | None = None) -> Trust:
    """The trust the settings describe: the signing key (made once), every key file present, the issuer."""
    t = toml if toml is not None else settings.load_toml(doc)
    alg = str(settings.get(settings.JWT_SIGNING_ALG, toml=t) or "HS256").upper()
    if alg != "HS256" and alg not in SIGNING_ALGS:
        raise ValueError(f"jwt_signing_alg must be HS256, RS256 or ES256, not {alg!r}")
    overlap = rotation.overlap(t)
    signing, verifying = _own_keys(alg, overlap)
    issuer = str(settings.get(settings.AUTH_THIRD_PARTY_ISSUER, toml=t) or "")
    third = None
    if issuer:
        third = ThirdParty(
            issuer,
            str(settings.get(settings.AUTH_THIRD_PARTY_JWKS_URL, toml=t) or ""),
            str(settings.get(settings.AUTH_THIRD_PARTY_AUDIENCE, toml=t) or ""),
            str(settings.get(settings.AUTH_THIRD_PARTY_ROLE_CLAIM, toml=t) or "role"),
            float(settings.get(settings.AUTH_THIRD_PARTY_JWKS_TTL, toml=t)),
        )
    seen = rotation.fingerprint(_key_file(alg, create=False).parent)
    return Trust(signing, verifying, third, alg, overlap, _seen=seen, _scanned=time.monotonic())


def _own_keys(alg: str, overlap: float) -> tuple[SigningKey | None, dict[str, SigningKey]]:
    """The signing key of ``alg`` (made once; None under HS256) and every key that verifies: each current
    key file, and each retired one with the end of its overlap."""
    signing = signing_key(alg) if alg != "HS256" else None
    verifying = {k.kid: k for a in SIGNING_ALGS if _key_file(a, create=False).is_file() for k in [signing_key(a)]}
    for retired_alg, at, path in rotation.retired_files(_key_file(alg, create=False).parent):
        try:
            key = _read_key(retired_alg, path)
        except (OSError, ValueError, RuntimeError):
            continue  # deleted meanwhile or unreadable: its tokens are refused
        if key.kid not in verifying:
            verifying[key.kid] = SigningKey(key.alg, key.kid, key.private, at + overlap)
    return signing, verifying


def install(secret: str, doc: str | Path | None = None, toml: dict[str, Any] | None = None) -> Trust:
    """Load the trust the settings describe and make it the one tokens under ``secret`` are signed and checked with."""
    trust = load_trust(doc, toml)
    keys.TRUSTS[secret] = trust
    return trust
