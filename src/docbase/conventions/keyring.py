"""The AES-256 keys that encrypt secret columns, and the envelope a secret is stored in.

The current key comes from ``DOCBASE_SECRET_KEY`` (64 hex digits or base64
of 32 bytes; any other text is stretched with SHA-256), else from
``<state dir>/secret_key``, generated once with mode 0600 like the JWT
secret. That file holds one ``<key id> <base64 key>`` per line, newest
first: ``docbase rotate-key`` adds a line and re-encrypts every row, and
older lines stay so a server still running on the old key can read what
it wrote a moment before the rotation.

A stored secret is text: ``enc:v1:<key id>:<base64 of nonce + ciphertext>``.
The table and column name are the GCM associated data, so a ciphertext
copied into another column does not decrypt.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import secrets as _random
import time
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from .. import settings

PREFIX = "enc:v1:"
KEY_FILE = "secret_key"
SECRET_KEY = settings.SECRET_KEY


class SecretError(Exception):
    """A stored secret that cannot be read: unknown key id or tampered ciphertext."""


def key_id(key: bytes) -> str:
    return hashlib.sha256(key).hexdigest()[:8]


def parse_key(text: str) -> bytes:
    """Key text -> 32 bytes: hex, then base64, then SHA-256 of the text itself."""
    text = text.strip()
    try:
        raw = bytes.fromhex(text)
        if len(raw) == 32:
            return raw
    except ValueError:
        pass
    try:
        raw = base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_" if "-" in text or "_" in text else None)
        if len(raw) == 32:
            return raw
    except (binascii.Error, ValueError):
        pass
    return hashlib.sha256(text.encode()).digest()


@dataclass
class Keyring:
    """Keys by id; ``current`` encrypts, any known key decrypts."""

    current: bytes
    older: tuple[bytes, ...] = ()

    @property
    def current_id(self) -> str:
        return key_id(self.current)

    def key(self, kid: str) -> bytes:
        for key in (self.current, *self.older):
            if key_id(key) == kid:
                return key
        raise SecretError(f"secret encrypted under key {kid}, which this server does not have")

    def encrypt(self, plain: str, context: str) -> str:
        nonce = os.urandom(12)
        sealed = AESGCM(self.current).encrypt(nonce, plain.encode(), context.encode())
        return f"{PREFIX}{self.current_id}:{base64.b64encode(nonce + sealed).decode()}"

    def decrypt(self, stored: str, context: str) -> str:
        """The plaintext of an envelope; text that is not an envelope (written before docbase) comes back as is."""
        if not is_envelope(stored):
            return stored
        kid, _, body = stored[len(PREFIX) :].partition(":")
        try:
            raw = base64.b64decode(body, validate=True)
            return AESGCM(self.key(kid)).decrypt(raw[:12], raw[12:], context.encode()).decode()
        except (InvalidTag, binascii.Error, ValueError, UnicodeDecodeError) as exc:
            raise SecretError(
                f"secret for {context} does not decrypt (tampered, or encrypted for another column)"
            ) from exc


def is_envelope(value: object) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX)


def load_keyring(doc: str | Path | None = None) -> Keyring:
    """The keyring: ``DOCBASE_SECRET_KEY`` first, then the keys kept in the state dir (created once)."""
    configured = settings.get(SECRET_KEY, toml=settings.load_toml(doc))
    stored = _read_file(_path(), create=not configured)
    if configured:
        current = parse_key(str(configured))
        return Keyring(current, tuple(k for k in stored if k != current))
    return Keyring(stored[0], tuple(stored[1:]))


def add_key(doc: str | Path | None = None) -> Keyring:
    """A new current key, written first in the key file; older keys stay readable. Refused under DOCBASE_SECRET_KEY."""
    if settings.get(SECRET_KEY, toml=settings.load_toml(doc)):
        raise SecretError(
            "the key comes from DOCBASE_SECRET_KEY (or docbase.toml); unset it to let docbase keep keys in its "
            "state dir, or re-encrypt by hand"
        )
    path = _path()
    old = _read_file(path, create=True)
    new = _random.token_bytes(32)
    lines = [_line(k) for k in (new, *old)]
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write("\n".join(lines) + "\n")
    os.replace(tmp, path)
    return Keyring(new, tuple(old))


def _path() -> Path:
    return settings.state_dir() / KEY_FILE


def _line(key: bytes) -> str:
    return f"{key_id(key)} {base64.b64encode(key).decode()}"


def _read_file(path: Path, create: bool) -> list[bytes]:
    if create:
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as fh:
                fh.write(_line(_random.token_bytes(32)) + "\n")
    if not path.is_file():
        return []
    keys: list[bytes] = []
    for _ in range(50):  # another worker may have created the file a moment ago and not written it yet
        keys = [base64.b64decode(p[1]) for p in (ln.split() for ln in path.read_text().splitlines()) if len(p) == 2]
        if keys or not create:
            break
        time.sleep(0.02)
    if create and not keys:
        raise SecretError(f"{path} holds no key; delete it to generate one")
    return keys
