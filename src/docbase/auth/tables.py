"""docbase's own auth storage: the ONE definition of the auth tables, for every dialect.

PostgreSQL keeps them in schema ``auth`` with Supabase's names and columns
(``auth.users.encrypted_password``, ``raw_user_meta_data`` ...), so that SQL
written for Supabase (``REFERENCES auth.users(id)``, a trigger ``AFTER INSERT
ON auth.users`` reading ``NEW.id``/``NEW.email``) runs unchanged. SQLite has
no schemas, so the same tables are named ``auth_users``, ``auth_sessions``...

Differences from Supabase, on purpose: refresh tokens and one-time tokens
are stored as SHA-256 digests (a leaked table cannot be replayed), and the
outbox of unsent mail, the rate-limit counters and the sign-in backoff live here too.

The DDL stage uses :func:`auth_metadata` for the ``auth.users`` that a
document references, so there is one definition, never a second shim.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

SCHEMA = "auth"
SQLITE_PREFIX = "auth_"

_JSON = sa.JSON().with_variant(JSONB(), "postgresql")
_TS = sa.DateTime(timezone=True)


@dataclass(frozen=True)
class AuthTables:
    """The auth tables of one dialect, as SQLAlchemy Core tables."""

    metadata: sa.MetaData
    users: sa.Table
    sessions: sa.Table
    refresh_tokens: sa.Table
    one_time_tokens: sa.Table
    rate_limits: sa.Table
    signin_throttle: sa.Table
    outbox: sa.Table
    mfa_factors: sa.Table
    mfa_challenges: sa.Table
    mfa_amr_claims: sa.Table
    flow_state: sa.Table
    identities: sa.Table


def users_table_name(dialect: str) -> str:
    """How SQL in this dialect names the auth users table (``auth.users`` or ``auth_users``)."""
    return f"{SCHEMA}.users" if dialect == "postgresql" else f"{SQLITE_PREFIX}users"


@cache
def auth_tables(dialect: str) -> AuthTables:
    """The auth tables for ``dialect`` ("postgresql" uses schema ``auth``; others the ``auth_`` prefix)."""
    pg = dialect == "postgresql"
    md = sa.MetaData(schema=SCHEMA if pg else None)
    prefix = "" if pg else SQLITE_PREFIX

    def name(n: str) -> str:
        return prefix + n

    users_fk = f"{SCHEMA}.users.id" if pg else f"{prefix}users.id"
    sessions_fk = f"{SCHEMA}.sessions.id" if pg else f"{prefix}sessions.id"
    users = sa.Table(
        name("users"),
        md,
        sa.Column("instance_id", sa.Uuid, nullable=True),
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("aud", sa.String(255), nullable=True),
        sa.Column("role", sa.String(255), nullable=True),
        sa.Column("email", sa.String(255), nullable=True, unique=True),
        sa.Column("encrypted_password", sa.String(255), nullable=True),
        sa.Column("email_confirmed_at", _TS, nullable=True),
        sa.Column("invited_at", _TS, nullable=True),
        sa.Column("confirmation_sent_at", _TS, nullable=True),
        sa.Column("recovery_sent_at", _TS, nullable=True),
        sa.Column("email_change", sa.String(255), nullable=True),
        sa.Column("email_change_sent_at", _TS, nullable=True),
        sa.Column("reauthentication_sent_at", _TS, nullable=True),
        sa.Column("email_change_confirm_status", sa.SmallInteger, nullable=True, comment="addresses confirmed so far"),
        sa.Column("last_sign_in_at", _TS, nullable=True),
        sa.Column("raw_app_meta_data", _JSON, nullable=True),
        sa.Column("raw_user_meta_data", _JSON, nullable=True),
        sa.Column("is_super_admin", sa.Boolean, nullable=True),
        sa.Column("created_at", _TS, nullable=True),
        sa.Column("updated_at", _TS, nullable=True),
        sa.Column("phone", sa.Text, nullable=True),
        sa.Column("phone_confirmed_at", _TS, nullable=True),
        sa.Column("banned_until", _TS, nullable=True),
        sa.Column("deleted_at", _TS, nullable=True),
        sa.Column("is_sso_user", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("is_anonymous", sa.Boolean, nullable=False, server_default=sa.false()),
    )
    sessions = sa.Table(
        name("sessions"),
        md,
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("user_id", sa.Uuid, sa.ForeignKey(users_fk, ondelete="CASCADE"), nullable=False, index=True),
        sa.Column("created_at", _TS, nullable=True),
        sa.Column("updated_at", _TS, nullable=True),
        sa.Column("refreshed_at", _TS, nullable=True),
        sa.Column("not_after", _TS, nullable=True),
        sa.Column("aal", sa.String(16), nullable=True),
        sa.Column("factor_id", sa.Uuid, nullable=True, comment="the MFA factor that raised it to aal2"),
        sa.Column("user_agent", sa.Text, nullable=True),
        sa.Column("ip", sa.String(64), nullable=True),
    )
    refresh_tokens = sa.Table(
        name("refresh_tokens"),
        md,
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True),
        sa.Column("token", sa.String(255), nullable=False, unique=True, comment="SHA-256 of the token"),
        sa.Column("user_id", sa.Uuid, nullable=False),
        sa.Column("revoked", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("created_at", _TS, nullable=True),
        sa.Column("updated_at", _TS, nullable=True),
        sa.Column("parent", sa.String(255), nullable=True, index=True),
        sa.Column("session_id", sa.Uuid, sa.ForeignKey(sessions_fk, ondelete="CASCADE"), nullable=True, index=True),
    )
    one_time_tokens = sa.Table(
        name("one_time_tokens"),
        md,
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("user_id", sa.Uuid, sa.ForeignKey(users_fk, ondelete="CASCADE"), nullable=False),
        sa.Column("token_type", sa.String(32), nullable=False),
        sa.Column("token_hash", sa.String(255), nullable=False, index=True),
        sa.Column("relates_to", sa.Text, nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("updated_at", _TS, nullable=False),
        sa.UniqueConstraint("user_id", "token_type"),
    )
    rate_limits = sa.Table(
        name("rate_limits"),
        md,
        sa.Column("key", sa.String(512), primary_key=True),
        sa.Column("window_start", sa.BigInteger, nullable=False),
        sa.Column("count", sa.Integer, nullable=False),
    )
    signin_throttle = sa.Table(
        name("signin_throttle"),
        md,
        sa.Column("key", sa.String(512), primary_key=True, comment="client (address or IPv6 /64) and email"),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("last_failure", sa.Float, nullable=False, comment="seconds since the epoch"),
        sa.Column("blocked_until", sa.Float, nullable=False, comment="seconds since the epoch"),
    )
    outbox = sa.Table(
        name("outbox"),
        md,
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("recipient", sa.Text, nullable=False),
        sa.Column("subject", sa.Text, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
    )
    mfa_factors = sa.Table(
        name("mfa_factors"),
        md,
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("user_id", sa.Uuid, sa.ForeignKey(users_fk, ondelete="CASCADE"), nullable=False, index=True),
        sa.Column("friendly_name", sa.Text, nullable=True),
        sa.Column("factor_type", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("secret", sa.Text, nullable=False, comment="the TOTP shared secret (base32)"),
        sa.Column("last_step", sa.BigInteger, nullable=True, comment="the last TOTP time step accepted: no reuse"),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("updated_at", _TS, nullable=False),
        sa.UniqueConstraint("user_id", "friendly_name"),
    )
    mfa_challenges = sa.Table(
        name("mfa_challenges"),
        md,
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column(
            "factor_id",
            sa.Uuid,
            sa.ForeignKey(f"{SCHEMA}.mfa_factors.id" if pg else f"{prefix}mfa_factors.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("verified_at", _TS, nullable=True),
        sa.Column("ip", sa.String(64), nullable=True),
    )
    mfa_amr_claims = sa.Table(
        name("mfa_amr_claims"),
        md,
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("session_id", sa.Uuid, sa.ForeignKey(sessions_fk, ondelete="CASCADE"), nullable=False, index=True),
        sa.Column("authentication_method", sa.String(32), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("updated_at", _TS, nullable=False),
        sa.UniqueConstraint("session_id", "authentication_method"),
    )
    flow_state = sa.Table(
        name("flow_state"),
        md,
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("user_id", sa.Uuid, sa.ForeignKey(users_fk, ondelete="CASCADE"), nullable=True, index=True),
        sa.Column("auth_code", sa.String(255), nullable=True, unique=True, comment="SHA-256 of the code"),
        sa.Column("code_challenge", sa.Text, nullable=False),
        sa.Column("code_challenge_method", sa.String(8), nullable=False),
        sa.Column("provider_type", sa.String(64), nullable=False, comment="email kind or OAuth provider"),
        sa.Column("authentication_method", sa.String(32), nullable=False),
        sa.Column("auth_code_issued_at", _TS, nullable=True),
        sa.Column("state", sa.String(255), nullable=True, unique=True, comment="SHA-256 of the OAuth state"),
        sa.Column("nonce", sa.String(255), nullable=True, comment="the OpenID Connect nonce sent"),
        sa.Column("redirect_to", sa.Text, nullable=True),
        sa.Column("link_user_id", sa.Uuid, nullable=True, comment="the signed-in user linking this identity"),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("updated_at", _TS, nullable=False),
    )
    identities = sa.Table(
        name("identities"),
        md,
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("provider_id", sa.Text, nullable=False, comment="the provider's subject (sub)"),
        sa.Column("user_id", sa.Uuid, sa.ForeignKey(users_fk, ondelete="CASCADE"), nullable=False, index=True),
        sa.Column("identity_data", _JSON, nullable=False),
        sa.Column("provider", sa.Text, nullable=False),
        sa.Column("last_sign_in_at", _TS, nullable=True),
        sa.Column("created_at", _TS, nullable=True),
        sa.Column("updated_at", _TS, nullable=True),
        sa.Column("email", sa.Text, nullable=True),
        sa.UniqueConstraint("provider_id", "provider"),
    )
    return AuthTables(
        md,
        users,
        sessions,
        refresh_tokens,
        one_time_tokens,
        rate_limits,
        signin_throttle,
        outbox,
        mfa_factors,
        mfa_challenges,
        mfa_amr_claims,
        flow_state,
        identities,
    )


def auth_metadata(dialect: str) -> sa.MetaData:
    """The MetaData holding every auth table of ``dialect`` (for DDL, migrations and create_all)."""
    return auth_tables(dialect).metadata


def create_auth_tables(conn: sa.Connection) -> None:
    """Create the auth schema and tables on a (sync) connection when missing; leave existing ones alone."""
    dialect = conn.dialect.name
    if dialect == "postgresql":
        conn.execute(sa.text(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}"))
    auth_metadata(dialect).create_all(conn, checkfirst=True)
    _add_missing_columns(conn, auth_tables(dialect))


def _add_missing_columns(conn: sa.Connection, t: AuthTables) -> None:
    """Complete an auth table made elsewhere (a minimal ``auth.users`` shim) with the columns auth needs.

    Only nullable or defaulted columns are added, which never fails on existing rows.
    """
    inspector = sa.inspect(conn)
    for table in t.metadata.sorted_tables:
        present = {c["name"] for c in inspector.get_columns(table.name, schema=table.schema)}
        for col in table.columns:
            if col.name in present or col.primary_key:
                continue
            ddl = f"{col.name} {col.type.compile(conn.dialect)}"
            if col.server_default is not None:
                ddl += " NOT NULL DEFAULT false"
            conn.execute(
                sa.text(f"ALTER TABLE {conn.dialect.identifier_preparer.format_table(table)} ADD COLUMN {ddl}")
            )
