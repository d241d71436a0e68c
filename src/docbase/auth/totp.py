"""Time-based one-time passwords (RFC 6238) for MFA factors: secrets, ``otpauth://`` URIs, QR codes, checking codes.

The arithmetic is pyotp's (HMAC-SHA1, 6 digits, 30-second steps: what every
authenticator app assumes); this module adds what a server needs on top:

- a code is accepted one step either side of now (clock skew between the
  phone and the server), and the step it matched is returned, so the caller
  stores it and refuses that code, or any earlier one, the next time
  (RFC 6238 section 5.2: a code is one-time even within its 30 seconds);
- the QR code is an SVG string, as GoTrue answers it (the clients prefix
  ``data:image/svg+xml;utf-8,`` themselves).
"""

from __future__ import annotations

import hmac
import io
from urllib.parse import quote

import pyotp
import segno

STEP = 30
DIGITS = 6
SKEW = 1  # steps either side of now


def new_secret() -> str:
    """A fresh base32 shared secret (160 bits, RFC 4226's recommended length)."""
    return pyotp.random_base32(32)


def uri(secret: str, account: str, issuer: str) -> str:
    """The ``otpauth://totp/...`` URI authenticator apps read, as GoTrue builds it."""
    label = quote(f"{issuer}:{account}", safe="@:")
    return f"otpauth://totp/{label}?secret={secret}&issuer={quote(issuer, safe='')}"


def qr_svg(text: str) -> str:
    """``text`` as a QR code in SVG, without an XML declaration so it can follow a data-URI prefix."""
    out = io.BytesIO()
    segno.make(text, error="m").save(out, kind="svg", xmldecl=False, svgns=True, scale=4, border=2)
    return out.getvalue().decode("ascii")


def step_of(now: float) -> int:
    return int(now) // STEP


def code_at(secret: str, step: int) -> str:
    """The code of time step ``step``."""
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP).at(step * STEP)


def matching_step(secret: str, code: str, now: float, last_step: int | None) -> int | None:
    """The time step ``code`` belongs to (within SKEW of now and later than ``last_step``), else None."""
    if not isinstance(code, str) or len(code) != DIGITS or not (code.isascii() and code.isdigit()):
        return None
    current = step_of(now)
    found = None
    for step in range(current - SKEW, current + SKEW + 1):
        # compare every candidate, in constant time, so timing tells nothing about which one matched
        if hmac.compare_digest(code_at(secret, step), code) and found is None:
            found = step
    if found is None or (last_step is not None and found <= last_step):
        return None
    return found
