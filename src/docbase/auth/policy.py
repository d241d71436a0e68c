"""Which new passwords are accepted: length, required character classes, guessability, no invisible text.

The refusal is GoTrue's ``weak_password`` error (HTTP 422, ``weak_password:
{"reasons": [...]}``), so supabase-js and supabase-py raise their
``AuthWeakPasswordError``. The reasons are GoTrue's: ``length`` (shorter than
``auth_password_min_length``), ``characters`` (a class of
``auth_password_required_characters`` missing, or characters a person cannot
see or type back) and ``pwned`` (GoTrue asks HaveIBeenPwned; docbase runs
offline, so it asks zxcvbn, whose dictionaries hold the common and leaked
passwords, and refuses a zxcvbn score below ``auth_password_min_score``).

Whitespace-only passwords and passwords with control, zero-width or other
invisible characters (Unicode categories Cc, Cf, Cs, Co, Cn, Zl, Zp, and the
blank fillers U+115F, U+1160, U+3164, U+FFA0, U+2800) are refused: they look
empty on screen, paste differently across systems, and ``"        "`` is a
password nobody chose on purpose. The 72-byte bcrypt limit and non-strings
stay ``validation_failed``: those are malformed input, not weak choices.
Rules apply to new passwords (sign-up, password change), never to sign-in.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from zxcvbn import zxcvbn

from .passwords import MAX_BYTES

INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
BLANK_FILLERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")
NAMED_CLASSES = {
    "lower": "abcdefghijklmnopqrstuvwxyz",
    "upper": "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "digits": "0123456789",
    "symbols": "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~",
}


class PasswordError(ValueError):
    """A password the rules refuse. ``code`` is ``weak_password`` or ``validation_failed``."""

    def __init__(self, code: str, message: str, reasons: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.reasons = reasons


@dataclass(frozen=True)
class PasswordPolicy:
    min_length: int = 8
    required_characters: tuple[str, ...] = ()
    min_score: int = 1


def parse_required_characters(text: str) -> tuple[str, ...]:
    """GoTrue's ``password_required_characters``: sets separated by ``:`` (``\\:`` is a literal colon).

    docbase also reads the names ``lower``, ``upper``, ``digits`` and ``symbols`` as those sets.

    Example:
        >>> parse_required_characters("lower:upper:0123456789")
        ('abcdefghijklmnopqrstuvwxyz', 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', '0123456789')
    """
    sets, current, i = [], "", 0
    while i < len(text):
        if text[i] == "\\" and text[i + 1 : i + 2] == ":":
            current, i = current + ":", i + 2
            continue
        if text[i] == ":":
            sets.append(current)
            current = ""
        else:
            current += text[i]
        i += 1
    sets.append(current)
    return tuple(NAMED_CLASSES.get(s.strip(), s) for s in sets if s)


def _invisible(ch: str) -> bool:
    return unicodedata.category(ch) in INVISIBLE_CATEGORIES or ch in BLANK_FILLERS


def check_password(password: object, policy: PasswordPolicy, user_inputs: tuple[str, ...] = ()) -> str:
    """The password if the policy accepts it; raise PasswordError saying why not.

    ``user_inputs`` (the email and its local part) count as known words, so
    ``ada@example.com`` cannot choose ``ada12345``.
    """
    if not isinstance(password, str) or password == "":
        raise PasswordError("validation_failed", "Password is required and must be a string")
    if len(password.encode("utf-8")) > MAX_BYTES:
        raise PasswordError("validation_failed", f"Password cannot be longer than {MAX_BYTES} bytes")
    if any(_invisible(ch) for ch in password):
        raise PasswordError(
            "weak_password", "Password cannot contain control or invisible characters.", reasons=("characters",)
        )
    if all(ch.isspace() for ch in password):
        raise PasswordError("weak_password", "Password cannot be only whitespace.", reasons=("characters",))
    reasons, messages = [], []
    if len(password) < policy.min_length:
        reasons.append("length")
        messages.append(f"Password should be at least {policy.min_length} characters.")
    if any(not any(ch in charset for ch in password) for charset in policy.required_characters):
        reasons.append("characters")
        joined = ", ".join(policy.required_characters)
        messages.append(f"Password should contain at least one character of each: {joined}.")
    if policy.min_score > 0 and zxcvbn(password, user_inputs=list(user_inputs))["score"] < policy.min_score:
        reasons.append("pwned")
        messages.append("Password is known to be weak and easy to guess, please choose a different one.")
    if reasons:
        raise PasswordError("weak_password", " ".join(messages), reasons=tuple(reasons))
    return password
