"""Rotating the asymmetric signing key with an overlap window (``docbase keys DOC --rotate``).

Rotating renames the current key file to ``jwt_signing_key_<alg>.retired-<epoch>.pem``
(one atomic rename) and makes a new key, which signs every new token from then on.
A retired key keeps verifying the tokens it signed for ``jwt_key_overlap`` seconds
after its retirement and stays in ``/.well-known/jwks.json`` for as long, so
sessions issued just before the rotation live out their access token and services
that cached the JWKS see the new key before the old one goes. After the overlap
its tokens are refused and it leaves the JWKS; the file can then be deleted.

Running servers notice a rotation by themselves: :class:`docbase.auth.jwks.Trust`
looks at the state dir's key files at most once a second (:data:`RESCAN_SECONDS`)
and reloads when they changed, so every worker moves to the new key without a restart.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

from .. import settings

RESCAN_SECONDS = 1.0
_RETIRED = re.compile(r"^jwt_signing_key_(rs256|es256)\.retired-(\d+)\.pem$")


def retired_files(folder: Path) -> list[tuple[str, float, Path]]:
    """Every retired key file in ``folder``: (alg, retired at, path)."""
    if not folder.is_dir():
        return []
    out = []
    for path in folder.iterdir():
        found = _RETIRED.match(path.name)
        if found:
            out.append((found.group(1).upper(), float(found.group(2)), path))
    return sorted(out, key=lambda x: x[1])


def fingerprint(folder: Path) -> tuple[tuple[str, float], ...]:
    """What changes when a key is made, rotated or deleted: the key files' names and mtimes."""
    if not folder.is_dir():
        return ()
    return tuple(
        sorted(
            (p.name, p.stat().st_mtime)
            for p in folder.iterdir()
            if p.name.startswith("jwt_signing_key_") and p.name.endswith(".pem")
        )
    )


def rotate(alg: str, now: float | None = None) -> Path:
    """Retire ``alg``'s current key (the caller then makes the new one); the retired file's path."""
    from .jwks import _key_file  # the key files' one naming

    current = _key_file(alg)
    if not current.is_file():
        raise FileNotFoundError(f"there is no {alg} signing key to rotate yet in {current.parent}")
    moment = int(now if now is not None else time.time())
    retired = current.with_name(f"jwt_signing_key_{alg.lower()}.retired-{moment}.pem")
    while retired.exists():  # two rotations in one second: keep both
        moment += 1
        retired = current.with_name(f"jwt_signing_key_{alg.lower()}.retired-{moment}.pem")
    os.rename(current, retired)
    return retired


def overlap(toml: dict) -> float:
    return float(settings.get(settings.JWT_KEY_OVERLAP, toml=toml))
