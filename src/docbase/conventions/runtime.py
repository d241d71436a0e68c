"""What the REST API calls on each request so the document's conventions hold.

``Conventions`` is built once per app from the model (and ``docbase.toml``)
and offers one hook per point of the request path: query parameters
(hashed lookups), rows about to be written
(cron checks, hashes, encryption), DELETE turned into a mark, rows on their
way out (secrets decrypted or masked, tokens revealed once), and the audit
row written inside the write's transaction.
"""

from __future__ import annotations

from typing import Any

from ..access.grants import KEY_CREATOR
from ..access.live_rows import DeleteMark
from ..access.model import KeyScope, TenantRoot
from ..auth.bearer import bearer_token
from ..rules.ledgers import detect_ledgers
from ..rules.quotas import detect_quotas
from ..rules.rbac import detect_rbac
from ..schema.model import Schema, Table
from . import audit, hashed_tokens, schedules, secrets, soft_delete
from .base import Applied, enabled
from .errors import bad_argument
from .keyring import Keyring, load_keyring
from .sqltext import Sql


class Conventions:
    def __init__(
        self, schema: Schema, dialect: str, toml: dict[str, Any] | None = None, keyring: Keyring | None = None
    ) -> None:
        from . import detect_all

        self.schema = schema
        self.sql = Sql(dialect)
        self.toml = toml or {}
        self.applied = detect_all(schema, toml)
        # Rules the tables state (docbase.rules), read once: the RPCs they serve are looked up per request.
        self.quotas = detect_quotas(schema, self.toml)[0]
        self.ledgers = detect_ledgers(schema, self.toml)
        self.rbac = detect_rbac(schema, self.toml)
        self._by: dict[tuple[str, str], Applied] = {(a.convention, a.table): a for a in self.applied}
        self._keyring = keyring
        self._doc = schema.path if schema.path != "<document>" else None
        found = audit.find_audit_table(schema) if self.get("audit", _audit_name(self.applied)) else None
        self.audit_table: Table | None = found[0] if found else None
        self.audit_roles: dict[str, str] = found[1] if found else {}
        self._audit_sources: dict[str, dict[str, str] | str] = {}
        # API-key tables whose keys may act as a tenant (docbase.access.grants.key_scope), with that tenant.
        self.key_scopes: dict[str, tuple[KeyScope, TenantRoot]] = {}
        if any(a.convention == "api_keys" for a in self.applied):
            from ..access import build_access, parse_overrides

            model = build_access(schema, parse_overrides(self.toml))
            for k in model.key_scopes:
                root = model.root(k.root)
                if root is not None:
                    self.key_scopes[k.table] = (k, root)

    def get(self, convention: str, table: str | None) -> Applied | None:
        return self._by.get((convention, table or ""))

    @property
    def keyring(self) -> Keyring:
        if self._keyring is None:
            self._keyring = load_keyring(self._doc)
        return self._keyring

    # -- query string -------------------------------------------------------------------------
    def query_params(self, table: str, items: list[tuple[str, str]]) -> list[tuple[str, str]]:
        """The caller's own filters, with hashed-token filters comparing hashes and ``include_deleted`` taken out.

        ``include_deleted`` is taken here even on a table that does not soft-delete (its embedded tables
        may), unless that table has a column of that name to filter on. Hiding soft-deleted rows is not
        done here, nor anywhere in the caller's query: a rule added as one more filter is one the caller
        never wrote (PUT then saw two), so it is the access layer's row filter (``delete_marks``).
        """
        hashed = self.get(hashed_tokens.NAME, table)
        soft = self.get(soft_delete.NAME, table)
        out = []
        for key, value in items:
            if key == soft_delete.QUERY_FLAG and (soft is not None or self._flag_is_free(table)):
                continue
            if hashed is not None and key in hashed.columns:
                value = hashed_tokens.hash_filter(value)
            out.append((key, value))
        return out

    def _flag_is_free(self, table: str) -> bool:
        t = self.schema.table(table)
        named = t is not None and t.column(soft_delete.QUERY_FLAG) is not None
        return not named and any(a.convention == soft_delete.NAME for a in self.applied)

    # -- rows written -------------------------------------------------------------------------
    def before_write(
        self, table: str, rows: list[dict[str, Any]], creating: bool
    ) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
        """(rows to store, plaintext tokens per row to show once)."""
        cron = self.get(schedules.NAME, table)
        hashed = self.get(hashed_tokens.NAME, table)
        secret = self.get(secrets.NAME, table)
        if cron is None and hashed is None and secret is None:
            return rows, []
        t = self.schema.table(table)
        assert t is not None
        out, revealed = [], []
        for row in rows:
            if cron is not None:
                nxt = cron.role("next")
                col = t.column(nxt) if nxt else None
                try:
                    row = schedules.apply(cron, row, col.type if col else None)
                except schedules.CronError as exc:
                    raise bad_argument(str(exc), "Write five fields, e.g. '*/5 * * * *'.") from None
            shown: dict[str, str] = {}
            if hashed is not None:
                row, shown = hashed_tokens.hash_row(hashed, row, creating)
            if secret is not None:
                row = secrets.seal_row(secret, row, self.keyring)
            out.append(row)
            revealed.append(shown)
        return out, revealed

    def delete_marks(self) -> dict[str, DeleteMark]:
        """Per soft-delete table, the column marking deleted rows: docbase.access.live_rows keeps them out."""
        return {a.table: soft_delete.delete_mark(a) for a in self.applied if a.convention == soft_delete.NAME}

    def delete_as_update(self, table: str) -> dict[str, Any] | None:
        """The body that marks rows deleted, when ``table`` soft-deletes; None to really delete."""
        soft = self.get(soft_delete.NAME, table)
        if soft is None:
            return None
        t = self.schema.table(table)
        stamp = t.column(soft.role("stamp")) if t is not None and soft.role("stamp") else None
        return soft_delete.mark(soft, stamp.type if stamp else None)

    # -- rows returned ------------------------------------------------------------------------
    def reshapes(self, table: str) -> bool:
        return self.get(secrets.NAME, table) is not None or self.get(hashed_tokens.NAME, table) is not None

    def present(
        self, table: str, rows: list[dict[str, Any]], role: str, revealed: list[dict[str, str]] | None = None
    ) -> list[dict[str, Any]]:
        """Secrets decrypted for service_role and masked for others; plaintext tokens shown once after insert."""
        secret = self.get(secrets.NAME, table)
        out = []
        for i, row in enumerate(rows):
            if secret is not None:
                row = secrets.open_row(secret, row, self.keyring, role == "service_role")
            if revealed and i < len(revealed) and revealed[i]:
                row = {**row, **{k: v for k, v in revealed[i].items() if k in row}}
            out.append(row)
        return out

    # -- audit --------------------------------------------------------------------------------
    def audits(self, table: str) -> bool:
        """Whether a write to ``table`` leaves audit rows in its transaction (a write that does not may send
        its COMMIT with its statement: docbase.api.rest)."""
        t = self.schema.table(table)
        a = self.audit_table
        if a is None or t is None or table == a.name or not enabled(self.toml, audit.NAME, table):
            return False
        copied = self._audit_sources.get(table)
        if copied is None:  # the same for every write to the table: worked out once
            copied = self._audit_sources[table] = audit.sources(self.schema, a, self.audit_roles, t)
        return not isinstance(copied, str)  # a str: this table's rows cannot fill the trail (inspect warns)

    async def after_write(
        self, tx: Any, table: str, action: str, rows: list[tuple], changed: tuple[str, ...], user: str | None
    ) -> None:
        """One audit row per written row, in the caller's transaction (so both commit or neither)."""
        if not rows or not self.audits(table):
            return
        t, a, roles = self.schema.table(table), self.audit_table, self.audit_roles
        assert t is not None and a is not None
        copied = self._audit_sources[table]
        assert not isinstance(copied, str)
        for row in rows:
            values = dict(zip(t.column_names, row, strict=False))
            key = ",".join(str(values.get(k)) for k in t.primary_key) if t.primary_key else None
            record: dict[str, Any] = {
                roles["action"]: action,
                roles["details"]: self.sql.json({"table": table, "row": key, "columns": list(changed)}),
            }
            if "user" in roles:
                record[roles["user"]] = user
            if "table" in roles:
                record[roles["table"]] = table
            if "row" in roles:
                record[roles["row"]] = key
            if "when" in roles:
                when = a.column(roles["when"])
                if when is not None and when.default is None:
                    record[roles["when"]] = self.sql.now(when.type)
            for name, source in copied.items():  # the tenant (organization_id...) as the written row gives it
                if name not in record:
                    record[name] = values.get(source)
            pk = a.column(a.primary_key[0]) if len(a.primary_key) == 1 else None
            if pk is not None and pk.type in ("uuid", "text", "varchar") and pk.default is None:
                import uuid

                record[pk.name] = str(uuid.uuid4())
            names = list(record)
            text = (
                f"INSERT INTO {self.sql.q(a.name)} ({', '.join(self.sql.q(n) for n in names)}) "
                f"VALUES ({', '.join('?' for _ in names)})"
            )
            await tx.rows(self.sql.render(text), [record[n] for n in names])


def _audit_name(applied: list[Applied]) -> str | None:
    return next((a.table for a in applied if a.convention == audit.NAME), None)


def claims_of(headers: Any, secret: str) -> dict[str, Any]:
    """The verified Bearer token's claims, or {} (the API has already refused tokens that do not verify)."""
    from ..auth import keys

    token = bearer_token(headers.get("authorization"))
    if token is None:
        return {}
    try:
        return keys.verify(token, secret)
    except keys.TokenError:
        return {}


async def api_key_claims(conventions: Conventions | None, headers: Any, db: Any) -> dict[str, Any] | None:
    """Claims for a request carrying one of the document's API keys (not a JWT); None when it carries none.

    401 for an unknown, disabled or expired key, 429 past its limits (docbase.conventions.api_key_sql).
    """
    from . import api_key_sql, api_keys

    if conventions is None:
        return None
    tables = [a for a in conventions.applied if a.convention == api_keys.NAME]
    if not tables:
        return None
    candidates = [bearer_token(headers.get("authorization")) or "", (headers.get("apikey") or "").strip()]
    token = next((t for t in candidates if t and not api_key_sql.looks_like_jwt(t)), None)
    if token is None:
        return None
    a = tables[0]
    table = conventions.schema.table(a.table)
    assert table is not None
    # A refusal raises inside the transaction, so it rolls back: only requests let through are counted.
    async with db.transaction() as tx:
        scope = conventions.key_scopes.get(a.table)
        return await api_key_sql.authenticate(tx, conventions.sql, table, a, token, scope[0] if scope else None)


def user_from(claims: dict[str, Any] | None) -> str | None:
    """The acting user's id from verified claims (a JWT's or an API key's owner); None for service_role and anon."""
    if not claims or claims.get("role") in ("service_role", "anon") or not claims.get("sub"):
        return None
    return str(claims.get(KEY_CREATOR) or claims["sub"])  # a tenant-scoped key: the user who created it
