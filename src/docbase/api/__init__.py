"""docbase/api: the HTTP API (PostgREST dialect at /rest/v1, OpenAPI, docs)."""

from .app import create_app, mount

__all__ = ["create_app", "mount"]
