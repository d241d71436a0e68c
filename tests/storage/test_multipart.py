"""The streaming multipart reader gives the same result however the body is cut into chunks."""

from __future__ import annotations

import asyncio

import pytest

from docbase.storage.errors import StorageError
from docbase.storage.multipart import read_multipart

TYPE = "multipart/form-data; boundary=----b0und"
BODY = (
    b'------b0und\r\nContent-Disposition: form-data; name="cacheControl"\r\n\r\n60\r\n'
    b'------b0und\r\nContent-Disposition: form-data; name="metadata"\r\n\r\n{"a": 1}\r\n'
    b'------b0und\r\nContent-Disposition: form-data; name=""; filename="blob"\r\nContent-Type: image/png\r\n\r\n'
    + b"\r\n------b0un not yet\r\n" * 3
    + b"\r\n------b0und--\r\n"
)
FILE = b"\r\n------b0un not yet\r\n" * 3


class Sink:
    def __init__(self) -> None:
        self.data = bytearray()

    async def write(self, chunk: bytes) -> None:
        self.data += chunk


def _read(body: bytes, size: int):
    async def chunks():
        for i in range(0, len(body), size):
            yield body[i : i + size]

    sink = Sink()
    parsed = asyncio.run(read_multipart(chunks(), TYPE, lambda _type: sink))
    return parsed, bytes(sink.data)


@pytest.mark.parametrize("size", [1, 2, 3, 7, 13, 64, len(BODY)])
def test_any_chunking_reads_the_same(size):
    parsed, data = _read(BODY, size)
    assert data == FILE
    assert parsed.fields == {"cacheControl": "60", "metadata": '{"a": 1}'}
    assert parsed.content_type == "image/png"


@pytest.mark.parametrize("cut", [10, len(BODY) // 2, len(BODY) - 3])
def test_a_truncated_body_is_refused(cut):
    with pytest.raises(StorageError) as exc:
        _read(BODY[:cut], 5)
    assert exc.value.status == 400
