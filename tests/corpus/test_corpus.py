"""Every corpus document is kept byte-exact with its source, has a hand reading, and reads without an exception."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from docbase.pipeline import load_schema
from tests.corpus.score import DOCS, EXPECTED, ROOT, documents

SOURCES = json.loads((ROOT / "sources.json").read_text(encoding="utf-8"))


def test_every_document_has_a_source_and_a_hand_reading():
    names = {d.stem for d in documents()}
    assert names == set(SOURCES)
    assert names == {p.stem for p in EXPECTED.glob("*.json")}


@pytest.mark.parametrize("doc", documents(), ids=lambda p: p.stem)
def test_document_is_byte_exact_copy_of_its_source(doc: Path):
    src = SOURCES[doc.stem]
    assert set(src) >= {"repo", "path", "commit", "licence", "sha256", "notation", "notations", "language"}
    assert len(src["commit"]) == 40
    assert hashlib.sha256(doc.read_bytes()).hexdigest() == src["sha256"]


@pytest.mark.parametrize("doc", documents(), ids=lambda p: p.stem)
def test_document_reads_without_an_exception(doc: Path):
    schema = load_schema(DOCS / doc.name)
    assert schema.path == str(DOCS / doc.name)
