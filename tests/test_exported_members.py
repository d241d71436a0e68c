"""The public API: sorted, complete, and every name importable."""

from __future__ import annotations

import docbase


def test_all_is_sorted_and_resolves():
    assert docbase.__all__ == sorted(docbase.__all__)
    for name in docbase.__all__:
        assert getattr(docbase, name) is not None, name


def test_the_pipeline_verbs_are_public():
    assert {"build_schema", "load_schema", "read_document", "to_ddl", "migrate", "create_app"} <= set(docbase.__all__)


def test_unknown_attribute_is_an_attribute_error():
    try:
        docbase.nonexistent  # noqa: B018
    except AttributeError as exc:
        assert "nonexistent" in str(exc)
    else:
        raise AssertionError("expected AttributeError")
