"""A streaming ``multipart/form-data`` reader: the file part goes to its sink chunk by chunk, never into memory.

Both clients upload a ``File``/``Blob`` this way: storage-js appends ``cacheControl``,
``metadata`` and the file (field name ``""``, a filename); storage3 sends the fields
then the file as ``file``. Text fields are small and kept (at most ``MAX_FIELD`` bytes
each, ``MAX_FIELDS`` of them); the one part with a filename (or named ``file``) is
the object. Anything malformed - no boundary, a part without headers, a second file,
a body that ends before the closing boundary - is a 400 (and what was written is
discarded by the caller).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Protocol

from .errors import invalid

MAX_FIELD = 64 * 1024
MAX_FIELDS = 16
MAX_HEADERS = 16 * 1024
_PARAM = re.compile(r';\s*([A-Za-z0-9_*-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]*))')


class Sink(Protocol):
    async def write(self, chunk: bytes) -> None: ...


@dataclass
class Parsed:
    fields: dict[str, str] = field(default_factory=dict)
    sink: Sink | None = None
    content_type: str | None = None


def boundary_of(content_type: str) -> bytes:
    """The boundary parameter of a multipart Content-Type, or a 400."""
    for name, quoted, bare in _PARAM.findall(content_type):
        if name.lower() == "boundary":
            value = (quoted or bare).strip()
            if 1 <= len(value) <= 70:
                return value.encode("latin-1", "replace")
    raise invalid("multipart body without a valid boundary")


def _headers(raw: bytes) -> dict[str, str]:
    found: dict[str, str] = {}
    for line in raw.decode("utf-8", "replace").split("\r\n"):
        name, colon, value = line.partition(":")
        if not colon:
            raise invalid("malformed multipart part header")
        found[name.strip().lower()] = value.strip()
    return found


def _disposition(value: str) -> tuple[str | None, str | None]:
    name = filename = None
    for key, quoted, bare in _PARAM.findall(";" + value.partition(";")[2]):
        text = quoted if quoted or not bare else bare.strip()
        if key.lower() == "name":
            name = text
        elif key.lower() in ("filename", "filename*"):
            filename = text
    return name, filename


async def read_multipart(
    chunks: AsyncIterator[bytes], content_type: str, open_file: Callable[[str | None], Sink]
) -> Parsed:
    """Read the whole body; ``open_file(part content type)`` gives the sink for the file part."""
    delimiter = b"--" + boundary_of(content_type)
    marker = b"\r\n" + delimiter
    parsed = Parsed()
    buf = b""
    state = "preamble"
    current: Sink | None = None
    value = bytearray()
    field_name: str | None = None
    async for chunk in chunks:
        buf += chunk
        while True:
            if state == "preamble":
                at = buf.find(delimiter)
                if at < 0:
                    if len(buf) > MAX_HEADERS:
                        raise invalid("multipart body does not start with its boundary")
                    break
                buf = buf[at + len(delimiter) :]
                state = "after"
            elif state == "after":
                if len(buf) < 2:
                    break
                if buf[:2] == b"--":
                    if parsed.sink is None:
                        raise invalid("multipart body has no file part")
                    return parsed
                if buf[:2] != b"\r\n":
                    raise invalid("malformed multipart boundary")
                buf = buf[2:]
                state = "headers"
            elif state == "headers":
                at = buf.find(b"\r\n\r\n")
                if at < 0:
                    if len(buf) > MAX_HEADERS:
                        raise invalid("multipart part headers too long")
                    break
                headers = _headers(buf[:at])
                buf = buf[at + 4 :]
                name, filename = _disposition(headers.get("content-disposition", ""))
                if filename is not None or name == "file":
                    if parsed.sink is not None:
                        raise invalid("multipart body has more than one file part")
                    parsed.content_type = headers.get("content-type")
                    current = parsed.sink = open_file(parsed.content_type)
                    field_name = None
                else:
                    if name is None:
                        raise invalid("multipart part without a name")
                    if len(parsed.fields) >= MAX_FIELDS:
                        raise invalid("too many multipart fields")
                    current, field_name, value = None, name, bytearray()
                state = "body"
            else:  # body
                at = buf.find(marker)
                take = at if at >= 0 else max(0, len(buf) - len(marker) + 1)
                if take:
                    if current is not None:
                        await current.write(buf[:take])
                    else:
                        value += buf[:take]
                        if len(value) > MAX_FIELD:
                            raise invalid(f"multipart field {field_name!r} is larger than {MAX_FIELD} bytes")
                    buf = buf[take:]
                if at < 0:
                    break
                if field_name is not None:
                    parsed.fields[field_name] = value.decode("utf-8", "replace")
                buf = buf[len(marker) :]
                state = "after"
    raise invalid("multipart body ended before its closing boundary")
