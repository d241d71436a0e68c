"""Rules a document states through its tables, beyond keys and constraints: plan quotas (and, next, RBAC
and ledgers). Each is detected from the model alone, explained with the lines it came from, switchable in
``docbase.toml`` (``[rules] quotas = false``, or per table ``[rules.monitors] quota = false``), and enforced
by the database itself (``docbase.ddl.quotas``) so every writer is held to it, not only the API.
"""

from __future__ import annotations

from .quotas import Quota, QuotaNote, detect_quotas

__all__ = ["Quota", "QuotaNote", "detect_quotas"]
