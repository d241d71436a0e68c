"""Who may read and write an object, by default and as ``docbase.toml`` overrides it.

Default (deny otherwise):
- ``service_role`` may do anything;
- an object whose first folder is a signed-in user's id is that user's (read and write);
- an object whose first folder is a tenant's key (``<bucket>/<organization id>/...``) is
  readable by the tenant's members and writable by its writers (a role at ``writer``
  level or above, as docbase.access ranks the roles);
- a public bucket serves reads to anyone, the anon key included;
- bucket rows: anyone with a key may list and get them (anon sees public buckets only);
  creating, changing, emptying and deleting buckets is ``service_role``'s.

Overrides, per bucket::

    [storage.buckets.avatars]
    read = "authenticated"   # prefix (default) | authenticated | public | service_role
    write = "prefix"         # prefix (default) | authenticated | service_role

A value docbase does not know stops the server with the key named, never a silent default.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..settings import ConfigError
from .names import first_segment
from .tenant_delete import on_tenant_delete

READ_CHOICES = ("prefix", "authenticated", "public", "service_role")
WRITE_CHOICES = ("prefix", "authenticated", "service_role")


class StorageConfigError(ConfigError):
    """``[storage]`` in docbase.toml says something docbase cannot use (the CLI prints it and exits 2)."""


@dataclass(frozen=True)
class BucketRule:
    read: str = "prefix"
    write: str = "prefix"


@dataclass(frozen=True)
class StorageRules:
    buckets: dict[str, BucketRule] = field(default_factory=dict)
    on_tenant_delete: str = "remove"  # docbase.storage.tenant_delete

    def rule(self, bucket: str) -> BucketRule:
        return self.buckets.get(bucket, BucketRule())


def parse_rules(config: dict[str, Any]) -> StorageRules:
    """The ``[storage]`` table of a parsed docbase.toml."""
    section = config.get("storage") or {}
    unknown = set(section) - {"buckets", "files_bucket", "on_tenant_delete"}
    if unknown:
        raise StorageConfigError(
            f"docbase.toml: error: unknown key storage.{sorted(unknown)[0]} "
            "(expected buckets, files_bucket or on_tenant_delete)"
        )
    bucket = section.get("files_bucket", "files")
    if not isinstance(bucket, str) or not bucket or "/" in bucket:
        raise StorageConfigError(f"docbase.toml: error: storage.files_bucket = {bucket!r}; give a bucket name")
    found: dict[str, BucketRule] = {}
    for name, body in (section.get("buckets") or {}).items():
        where = f"docbase.toml: error: storage.buckets.{name}"
        if not isinstance(body, dict) or set(body) - {"read", "write"}:
            raise StorageConfigError(f"{where} must be a table with read and/or write")
        read, write = body.get("read", "prefix"), body.get("write", "prefix")
        if read not in READ_CHOICES:
            raise StorageConfigError(f"{where}.read = {read!r}; choose one of {', '.join(READ_CHOICES)}")
        if write not in WRITE_CHOICES:
            raise StorageConfigError(f"{where}.write = {write!r}; choose one of {', '.join(WRITE_CHOICES)}")
        found[name] = BucketRule(read, write)
    try:
        mode = on_tenant_delete(config)
    except ConfigError as exc:
        raise StorageConfigError(str(exc)) from None
    return StorageRules(found, mode)


@dataclass(frozen=True)
class Caller:
    """Who is asking: the verified role and, for a signed-in user, their id; ``tenants`` maps key -> level."""

    role: str
    sub: str | None = None
    tenants: dict[str, str] | None = None  # filled lazily by the routes, only when a decision needs it

    @property
    def service(self) -> bool:
        return self.role == "service_role"

    @property
    def user(self) -> str | None:
        return self.sub if self.role not in ("anon", "service_role") else None


def needs_tenants(caller: Caller, rule: BucketRule, action: str) -> bool:
    return not caller.service and caller.user is not None and getattr(rule, action) == "prefix"


def allowed(caller: Caller, rule: BucketRule, public: bool, key: str, action: str) -> bool:
    """Whether ``caller`` may ``action`` ("read" or "write") the object ``key`` of a bucket."""
    if caller.service:
        return True
    if action == "read" and public:
        return True
    wanted = rule.read if action == "read" else rule.write
    if wanted == "public":
        return True
    if wanted == "service_role" or caller.user is None:
        return False
    if wanted == "authenticated":
        return True
    head = first_segment(key)
    if head is None:
        return False
    if _same(head, caller.user):
        return True
    level = (caller.tenants or {}).get(_norm(head))
    if level is None:
        return False
    return action == "read" or level in ("writer", "admin", "owner")


def _norm(value: str) -> str:
    return value.lower()


def _same(a: str, b: str) -> bool:
    return _norm(a) == _norm(b)
