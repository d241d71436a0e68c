"""The access model as PostgreSQL: roles, grants, RLS and one policy per table and command.

So that a bug in docbase cannot leak rows, PostgreSQL itself enforces the
model. Requests run as ``anon``/``authenticated`` with the JWT claims in
``request.jwt.claims`` (as PostgREST does); ``service_role`` bypasses RLS.
Membership is looked up through one ``SECURITY DEFINER`` function per tenant
root, because a policy on the membership table that queried the membership
table would recurse. Policies the document writes itself replace the
inferred policy for the same table and command.

Creates ``anon``/``authenticated``/``service_role`` when missing, as the
auth shim does; every statement here is idempotent, so it can run after
each migration.
"""

from __future__ import annotations

from collections.abc import Callable

from ..schema.model import Schema, Table
from . import rbac, references
from .grants import KEY_SUB, project_hops
from .model import AccessModel, Hop, KeyScope, Limit, TableAccess, TenantRoot

_PG_TYPES = {"uuid": "uuid", "integer": "integer", "bigint": "bigint", "smallint": "smallint"}
_ALL = ("select", "insert", "update", "delete")
_TENANT_AUDIENCE = {"member": "reader", "writer": "writer", "admin": "admin", "owner": "owner"}

PREAMBLE = """DO $$
DECLARE r text;
BEGIN
  FOREACH r IN ARRAY ARRAY['anon', 'authenticated', 'service_role'] LOOP
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN
      BEGIN
        EXECUTE format('CREATE ROLE %I NOLOGIN NOINHERIT', r);
      EXCEPTION WHEN duplicate_object OR unique_violation OR internal_error THEN NULL;
      END;
    END IF;
  END LOOP;
  -- The API connects as this user and switches to the request's role (SET LOCAL ROLE), as PostgREST does.
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = current_user AND rolsuper) THEN
    BEGIN
      EXECUTE format('GRANT anon, authenticated, service_role TO %I', current_user);
    EXCEPTION WHEN OTHERS THEN NULL;  -- not allowed to: serve then fails at SET ROLE, loudly
    END;
  END IF;
  IF NOT (SELECT rolbypassrls FROM pg_roles WHERE rolname = 'service_role') THEN
    BEGIN
      ALTER ROLE service_role BYPASSRLS;
    EXCEPTION WHEN OTHERS THEN NULL;  -- another database on this server is doing the same
    END;
  END IF;
END
$$;
CREATE SCHEMA IF NOT EXISTS docbase;
CREATE OR REPLACE FUNCTION docbase.uid() RETURNS text LANGUAGE sql STABLE AS $$
  SELECT nullif(nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub', '')
$$;
-- The user id typed like the column it meets; NULL (matching nothing) when the sub cannot be one,
-- so a token whose sub is not a number never turns a read into a 400.
CREATE OR REPLACE FUNCTION docbase.uid_uuid() RETURNS uuid LANGUAGE sql STABLE AS $$
  SELECT CASE WHEN docbase.uid() ~* '^[0-9a-f]{8}-?([0-9a-f]{4}-?){3}[0-9a-f]{12}$' THEN docbase.uid()::uuid END
$$;
CREATE OR REPLACE FUNCTION docbase.uid_bigint() RETURNS bigint LANGUAGE sql STABLE AS $$
  SELECT CASE WHEN docbase.uid() ~ '^-?[0-9]{1,18}$' THEN docbase.uid()::bigint END
$$;
-- Who a creator column records: the signed-in user, or for a tenant-scoped API key (sub apikey:<id>) the
-- user who created the key (docbase.access.grants.KEY_CREATOR).
CREATE OR REPLACE FUNCTION docbase.author() RETURNS text LANGUAGE sql STABLE AS $$
  SELECT coalesce(nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'key_creator', docbase.uid())
$$;
CREATE OR REPLACE FUNCTION docbase.author_uuid() RETURNS uuid LANGUAGE sql STABLE AS $$
  SELECT CASE WHEN docbase.author() ~* '^[0-9a-f]{8}-?([0-9a-f]{4}-?){3}[0-9a-f]{12}$' THEN docbase.author()::uuid END
$$;
CREATE OR REPLACE FUNCTION docbase.author_bigint() RETURNS bigint LANGUAGE sql STABLE AS $$
  SELECT CASE WHEN docbase.author() ~ '^-?[0-9]{1,18}$' THEN docbase.author()::bigint END
$$;
-- Tenant rows created in this transaction, so RETURNING shows the creator the row the AFTER trigger
-- is about to make them owner of (PostgreSQL checks RETURNING before AFTER triggers run).
CREATE TABLE IF NOT EXISTS docbase.just_created (txid bigint NOT NULL, tbl text NOT NULL, key text NOT NULL);
REVOKE ALL ON docbase.just_created FROM PUBLIC;
-- VOLATILE, not STABLE: it must see the row the BEFORE trigger wrote during this very statement.
CREATE OR REPLACE FUNCTION docbase.created_here(tbl text, key text) RETURNS boolean
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path FROM CURRENT AS $$
  SELECT EXISTS (SELECT 1 FROM docbase.just_created j WHERE j.txid = txid_current() AND j.tbl = $1 AND j.key = $2)
$$;
GRANT USAGE ON SCHEMA docbase TO anon, authenticated, service_role;
GRANT USAGE ON SCHEMA public TO anon, authenticated, service_role;
-- serial ids: whoever may insert a row may draw its id
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO authenticated, service_role;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA docbase TO anon, authenticated, service_role"""


def q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def quote_table(name: str) -> str:
    """``personal.users``: table users of schema personal (PostgreSQL; docbase.ddl.metadata)."""
    schema, _, table = name.rpartition(".")
    return f"{q(schema)}.{q(table)}" if schema else q(table)


def lit(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def uid_for(type_: str) -> str:
    """The signed-in user's id, typed like the column it is compared with (NULL when it cannot be)."""
    cast = _PG_TYPES.get(type_)
    if cast == "uuid":
        return "docbase.uid_uuid()"
    if cast in ("integer", "bigint", "smallint"):
        return f"docbase.uid_bigint()::{cast}" if cast == "smallint" else "docbase.uid_bigint()"
    return "docbase.uid()"


def author_for(type_: str) -> str:
    """Who a creator column records (the user, or a tenant key's creator), typed like the column."""
    return uid_for(type_).replace("docbase.uid", "docbase.author")


def _col_type(schema: Schema, table: str, column: str) -> str:
    t = schema.table(table)
    c = t.column(column) if t else None
    return c.type if c else "uuid"


def tenant_function(root: TenantRoot) -> str:
    return f"docbase.{q('tenants_' + root.table)}"


def _definer_sql(signature: str, returns: str, body: str) -> str:
    """A set-returning SQL function run as its owner: a policy may ask it about tables the caller cannot
    read (memberships, key rows) without recursing through their own policies."""
    return (
        f"CREATE OR REPLACE FUNCTION {signature} RETURNS SETOF {returns}\n"
        f"LANGUAGE sql STABLE SECURITY DEFINER SET search_path FROM CURRENT AS $$\n  {body}\n$$"
    )


def _tenant_function_sql(schema: Schema, model: AccessModel, root: TenantRoot) -> str:
    uid = uid_for(_col_type(schema, root.membership, root.member_user))
    m = q(root.membership)
    role_filter = ""
    if root.role_lookup:
        lt, lk, ln = root.role_lookup
        role_filter = f" AND (roles IS NULL OR m.{q(root.role_column)} IN (SELECT r.{q(lk)} FROM {q(lt)} r WHERE r.{q(ln)}::text = ANY (roles)))"
    elif root.role_column:
        role_filter = f" AND (roles IS NULL OR m.{q(root.role_column)}::text = ANY (roles))"
    returns = _PG_TYPES.get(_col_type(schema, root.membership, root.member_tenant), "text")
    keys = "".join(_key_tenants(schema, k, returns) for k in model.key_scopes if k.root == root.table)
    return _definer_sql(
        f"{tenant_function(root)}(roles text[] DEFAULT NULL)",
        returns,
        f"SELECT m.{q(root.member_tenant)}::{returns} FROM {m} m WHERE m.{q(root.member_user)} = {uid}{role_filter}"
        f"{keys}",
    )


def _key_match(key: KeyScope) -> str:
    """``k`` is the key row the request was made with (sub ``apikey:<id>``)."""
    cast = _PG_TYPES.get(key.key_type)
    wanted = f"substr(docbase.uid(), {len(KEY_SUB) + 1})"
    wanted = f"CASE WHEN docbase.uid() LIKE {lit(KEY_SUB + '%')} THEN {wanted} END"
    return f"k.{q(key.key)} = ({wanted})::{cast}" if cast else f"k.{q(key.key)}::text = {wanted}"


def key_project_function(key: KeyScope) -> str:
    return f"docbase.{q('key_project_' + key.table)}"


def _key_project_function_sql(schema: Schema, key: KeyScope) -> str:
    """The project a project-scoped key's request may reach (none for any other request); SECURITY DEFINER,
    as the tenant function: the key's own request cannot read the key table."""
    assert key.project is not None
    column, project, project_key, _ = key.project
    returns = _PG_TYPES.get(_col_type(schema, project, project_key), "text")
    return _definer_sql(
        f"{key_project_function(key)}()",
        returns,
        f"SELECT k.{q(column)}::{returns} FROM {q(key.table)} k WHERE {_key_match(key)} AND k.{q(column)} IS NOT NULL",
    )


def _key_project_condition(schema: Schema, model: AccessModel, access: TableAccess) -> str:
    """Not a project key's request, or the row is its project's (grants.project_limits)."""
    conds = []
    for key in model.key_scopes:
        if key.project is None or key.root != access.tenant:
            continue
        _, project, project_key, _ = key.project
        mine = f"(SELECT {key_project_function(key)}())"
        hops = project_hops(access, project)
        if hops is None:
            inside = "false"
        elif not hops:
            inside = f"{q(project_key)} IN {mine}"
        else:
            inside = _chain(schema, hops, lambda column, _type, mine=mine: f"{column} IN {mine}")
        conds.append(f"(NOT EXISTS {mine} OR {inside})")
    return " AND ".join(conds) or "true"


def _key_tenants(schema: Schema, key: KeyScope, returns: str) -> str:
    """The tenant of the API key the request was made with (sub ``apikey:<id>``), at the key's role."""
    match = _key_match(key)
    role = (
        f"coalesce(k.{q(key.role_column)}::text, {lit(key.default_role)})" if key.role_column else lit(key.default_role)
    )
    return (
        f"\n  UNION ALL SELECT k.{q(key.tenant_column)}::{returns} FROM {q(key.table)} k WHERE {match} "
        f"AND k.{q(key.tenant_column)} IS NOT NULL AND (roles IS NULL OR {role} = ANY (roles))"
    )


def missing_owner_role(root: TenantRoot) -> tuple[str, str]:
    """What creating a tenant says when the owner role it would give its creator is not a row of the roles
    table (``user_roles.role_id -> roles``): before, a NULL role failed as a bare 23502, or, where the column
    allows NULL, left the creator a member with no role, silently."""
    assert root.role_lookup is not None
    lt, _lk, ln = root.role_lookup
    return (
        f"creating a row of {root.table} makes its creator its owner ({lt}.{ln} = '{root.top_role}'), "
        f"but {lt} has no such row",
        f'Add the role first, as service_role: POST /rest/v1/{lt} with {{"{ln}": "{root.top_role}"}} '
        "(docbase access lists the role order).",
    )


def _claim_trigger_sql(schema: Schema, root: TenantRoot) -> str:
    """Creating a tenant makes its creator the owner, in the same transaction."""
    uid = uid_for(_col_type(schema, root.membership, root.member_user))
    top = root.top_role
    cols = [q(root.member_tenant), q(root.member_user)]
    vals = [f"NEW.{q(root.key)}", uid]
    missing = ""
    if root.role_column and top:
        cols.append(q(root.role_column))
        if root.role_lookup:
            lt, lk, ln = root.role_lookup
            vals.append(f"(SELECT r.{q(lk)} FROM {q(lt)} r WHERE r.{q(ln)}::text = {lit(top)} LIMIT 1)")
            message, hint = missing_owner_role(root)
            missing = (
                f"    IF NOT EXISTS (SELECT 1 FROM {q(lt)} r WHERE r.{q(ln)}::text = {lit(top)}) THEN\n"
                f"      RAISE EXCEPTION USING ERRCODE = 'P0001', MESSAGE = {lit(message)}, HINT = {lit(hint)};\n"
                f"    END IF;\n"
            )
        else:
            vals.append(lit(top))
    fn = f"docbase.{q('claim_' + root.table)}"
    note = f"docbase.{q('note_' + root.table)}"
    key = f"(txid_current(), {lit(root.table)}, NEW.{q(root.key)}::text)"
    head = "RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$"
    return (
        f"CREATE OR REPLACE FUNCTION {note}() {head}\n"
        f"BEGIN\n  IF docbase.uid() IS NOT NULL THEN\n"
        f"    INSERT INTO docbase.just_created VALUES {key};\n"
        f"  END IF;\n  RETURN NEW;\nEND\n$$;\n"
        f"CREATE OR REPLACE FUNCTION {fn}() {head}\n"
        f"BEGIN\n  IF docbase.uid() IS NOT NULL THEN\n{missing}"
        f"    DELETE FROM docbase.just_created WHERE (txid, tbl, key) = {key};\n"
        f"    INSERT INTO {q(root.membership)} ({', '.join(cols)}) VALUES ({', '.join(vals)});\n"
        f"  END IF;\n  RETURN NEW;\nEND\n$$;\n"
        f"DROP TRIGGER IF EXISTS docbase_note ON {q(root.table)};\n"
        f"CREATE TRIGGER docbase_note BEFORE INSERT ON {q(root.table)} FOR EACH ROW EXECUTE FUNCTION {note}();\n"
        f"DROP TRIGGER IF EXISTS docbase_claim ON {q(root.table)};\n"
        f"CREATE TRIGGER docbase_claim AFTER INSERT ON {q(root.table)} FOR EACH ROW EXECUTE FUNCTION {fn}()"
    )


def _chain(schema: Schema, path: tuple[Hop, ...], final: Callable[[str, str], str], depth: int = 0) -> str:
    """``col IN (SELECT t1.ref FROM next t1 WHERE <rest>)``, innermost condition ``final`` on the last hop."""
    hop = path[0]
    prefix = "" if depth == 0 else f"t{depth}."
    column = prefix + q(hop.columns[0])
    if len(path) == 1:
        return final(column, _col_type(schema, hop.table, hop.columns[0]))
    alias = f"t{depth + 1}"
    inner = _chain(schema, path[1:], final, depth + 1)
    return f"{column} IN (SELECT {alias}.{q(hop.ref_columns[0])} FROM {q(hop.ref_table)} {alias} WHERE {inner})"


def tenant_condition(schema: Schema, model: AccessModel, access: TableAccess, level: str) -> str:
    root = model.root(access.tenant)
    if root is None:
        return "false"
    roles = (
        "NULL" if level == "reader" else "ARRAY[" + ", ".join(lit(r) for r in root.names_at_least(level)) + "]::text[]"
    )
    membership = f"SELECT {tenant_function(root)}({roles})"
    if access.scope == "tenant_root":
        return f"{q(root.key)} IN ({membership})"
    return _chain(schema, access.path, lambda column, _type: f"{column} IN ({membership})")


def self_condition(schema: Schema, model: AccessModel, access: TableAccess) -> str:
    if access.scope == "user":
        return f"{q(model.user_key)} = {uid_for(model.user_key_type)}"
    if not access.path:
        return "false"
    own = _chain(schema, access.path, lambda column, type_: f"{column} = {uid_for(type_)}")
    root = model.root(access.admins_of[1]) if access.admins_of is not None else None
    if root is None or access.admins_of is None:
        return own
    admins = "ARRAY[" + ", ".join(lit(r) for r in root.names_at_least("admin")) + "]::text[]"
    return f"({own}) OR {q(access.admins_of[0])} IN (SELECT {tenant_function(root)}({admins}))"


def teammates_function(root: TenantRoot) -> str:
    return f"docbase.{q('teammates_' + root.table)}"


def _teammates_function_sql(schema: Schema, root: TenantRoot) -> str:
    """The users who share one of the caller's tenants (the caller included); SECURITY DEFINER, as the
    tenant function, so a profile policy reading memberships cannot recurse."""
    returns = _PG_TYPES.get(_col_type(schema, root.membership, root.member_user), "text")
    return _definer_sql(
        f"{teammates_function(root)}()",
        returns,
        f"SELECT m.{q(root.member_user)}::{returns} FROM {q(root.membership)} m "
        f"WHERE m.{q(root.member_tenant)} IN (SELECT {tenant_function(root)}(NULL))",
    )


def teammate_condition(schema: Schema, model: AccessModel, access: TableAccess) -> str:
    """The row is the caller's, or its user shares a tenant with the caller (team_defaults.teammate_profiles)."""
    if access.scope != "user" and not access.owner_column:  # no single user column: nobody else's row
        return self_condition(schema, model, access)
    column = q(model.user_key) if access.scope == "user" else q(access.owner_column or "")
    mates = " OR ".join(f"{column} IN (SELECT {teammates_function(r)}())" for r in model.roots)
    return f"({self_condition(schema, model, access)}) OR {mates}" if mates else self_condition(schema, model, access)


def condition(schema: Schema, model: AccessModel, access: TableAccess, command: str) -> tuple[str, str] | None:
    """(roles clause, SQL condition) for one command, or None when only service_role may."""
    if rbac.owns(model, access, command):  # the RBAC tables' own writes (docbase.access.rbac)
        return rbac.own_condition(schema, model, access, command, _condition(schema, model, access, command))
    return _condition(schema, model, access, command)


def _condition(schema: Schema, model: AccessModel, access: TableAccess, command: str) -> tuple[str, str] | None:
    rule = access.rule(command)
    if rule == "service_role":
        return None
    if rule == "anon":
        return "anon, authenticated", "true"
    if rule == "authenticated":
        return "authenticated", "true"
    if rule == "self":
        return "authenticated", self_condition(schema, model, access)
    if rule == "teammate":
        return "authenticated", teammate_condition(schema, model, access)
    cond = tenant_condition(schema, model, access, _TENANT_AUDIENCE[rule])
    return "authenticated", rbac.policy_condition(schema, model, access, rule, command, cond)


def _table_sql(schema: Schema, model: AccessModel, table: Table, access: TableAccess, written: set[str]) -> list[str]:
    name = quote_table(table.name)
    out = [
        f"ALTER TABLE {name} ENABLE ROW LEVEL SECURITY",
        f"REVOKE ALL ON {name} FROM anon, authenticated",
        f"GRANT ALL ON {name} TO service_role",
    ]
    for command in _ALL:
        out.append(f"DROP POLICY IF EXISTS {q('docbase ' + command)} ON {name}")
    visible = [c.name for c in table.columns if c.name not in access.hidden_columns]
    # Creator columns never change after insert; a user may not rewrite their own secrets directly.
    frozen = set(access.creator_columns) | (set(access.hidden_columns) if access.scope == "user" else set())
    # balances, plan, usage (ledger.py); roles, bans, verification, a profile's email (authority.py)
    system = set(access.ledger_columns) | {name for name, _ in access.authority_columns}
    frozen |= system
    updatable = [c.name for c in table.columns if c.name not in frozen and c.name not in access.frozen_columns]
    insertable = [c.name for c in table.columns if c.name not in system]
    for command in _ALL:
        cond = condition(schema, model, access, command)
        if cond is None and command not in written:
            continue
        roles = cond[0] if cond else "authenticated"
        for role in roles.split(", "):
            if command == "select" and access.hidden_columns:
                out.append(f"GRANT SELECT ({', '.join(q(c) for c in visible)}) ON {name} TO {role}")
            elif command == "update":
                out.append(f"GRANT UPDATE ({', '.join(q(c) for c in updatable)}) ON {name} TO {role}")
            elif command == "insert" and system:
                out.append(f"GRANT INSERT ({', '.join(q(c) for c in insertable)}) ON {name} TO {role}")
            else:
                out.append(f"GRANT {command.upper()} ON {name} TO {role}")
        if command in written or cond is None:
            continue
        out.append(_policy(schema, model, table, access, command, *cond))
    for column in access.creator_columns:
        col = table.column(column)
        if col is not None and col.default is None and access.rule("insert") != "service_role":
            out.append(f"ALTER TABLE {name} ALTER COLUMN {q(column)} SET DEFAULT {author_for(col.type)}")
    out += references.policy_sql(schema, model, access)
    out += _own_membership_sql(schema, model, access)
    return out


def _own_membership_sql(schema: Schema, model: AccessModel, access: TableAccess) -> list[str]:
    """Nobody inserts a membership naming themself, and nobody writes a role higher than one they hold in
    that tenant (so no raising one's own role, no making an alternate account owner). RESTRICTIVE, so a
    document's own policies or a docbase.toml rule cannot undo it; creating a tenant and accepting an
    invitation write memberships as the system."""
    name = quote_table(access.table)
    out = [f"DROP POLICY IF EXISTS {q(p)} ON {name}" for p in ("docbase own membership", "docbase role cap")]
    if access.scope != "membership" or not access.member_user:
        return out
    not_me = f"{q(access.member_user)} IS DISTINCT FROM {uid_for(_col_type(schema, access.table, access.member_user))}"
    root = model.root(access.tenant)
    capped = root is not None and root.membership == access.table
    held = _holds_at_least(root) if capped and root is not None else not_me
    head = "AS RESTRICTIVE FOR {} TO anon, authenticated"
    out.append(
        f"CREATE POLICY {q('docbase own membership')} ON {name} {head.format('INSERT')} "
        f"WITH CHECK ({not_me} AND {held})"
    )
    out.append(
        f"CREATE POLICY {q('docbase role cap')} ON {name} {head.format('UPDATE')} USING (true) WITH CHECK ({held})"
    )
    return out


def _holds_at_least(root: TenantRoot) -> str:
    """The caller holds, in the row's tenant, a role at least as high as the row's (as before this statement).
    No role needs membership; a role outside the known order needs the top level."""
    tenant, fn = q(root.member_tenant), tenant_function(root)
    if not root.role_column:
        return f"{tenant} IN (SELECT {fn}(NULL))"
    role = q(root.role_column)
    if root.role_lookup:
        lt, lk, ln = root.role_lookup
        role = f"(SELECT r.{q(ln)} FROM {q(lt)} r WHERE r.{q(lk)} = {role})"

    def holds(names) -> str:
        return f"{tenant} IN (SELECT {fn}(ARRAY[{', '.join(lit(n) for n in names)}]::text[]))"

    cases = " ".join(
        f"WHEN {role}::text = {lit(r.name)} THEN {holds([x.name for x in root.roles[: i + 1]])}"
        for i, r in enumerate(root.roles)
    )
    top = root.names_at_least(root.roles[0].level) if root.roles else ()
    return f"CASE WHEN {role} IS NULL THEN {tenant} IN (SELECT {fn}(NULL)) {cases} ELSE {holds(top)} END"


def _policy(
    schema: Schema, model: AccessModel, table: Table, access: TableAccess, command: str, roles: str, cond: str
) -> str:
    head = f"CREATE POLICY {q('docbase ' + command)} ON {quote_table(table.name)} AS PERMISSIVE FOR {command.upper()} TO {roles}"
    if command == "select":
        if access.scope in ("tenant_root", "membership") and (extra := _own_rows(schema, model, table, access)):
            cond = f"({cond}) OR {extra}"
        return f"{head} USING ({cond})"
    if command == "delete":
        return f"{head} USING ({cond})"
    check = cond
    for column in access.creator_columns:
        col = table.column(column)
        if column == access.owner_column and access.scope == "owned":
            continue
        check += f" AND {q(column)} = {author_for(col.type if col else 'uuid')}"
    if command == "insert":
        return f"{head} WITH CHECK ({check})"
    return f"{head} USING ({cond}) WITH CHECK ({cond})"


def _own_rows(schema: Schema, model: AccessModel, table: Table, access: TableAccess) -> str | None:
    """A creator sees the tenant row just made (RETURNING) and each user sees their own memberships."""
    root = model.root(access.tenant)
    if access.scope == "membership" and root and root.membership == table.name:
        return f"{q(root.member_user)} = {uid_for(_col_type(schema, table.name, root.member_user))}"
    if access.scope == "tenant_root" and root:
        return f"docbase.created_here({lit(table.name)}, {q(root.key)}::text)"
    return None


def access_sql(schema: Schema, model: AccessModel) -> str:
    """Every statement, in order, as one script (``;``-separated) to run after the tables exist."""
    written: dict[str, set[str]] = {}
    for p in schema.policies:
        cmds = set(_ALL) if p.command.upper() == "ALL" else {p.command.lower()}
        written.setdefault(p.table.rsplit(".", 1)[-1], set()).update(cmds)
    out = [PREAMBLE]
    out += [_tenant_function_sql(schema, model, r) for r in model.roots]
    out += [_teammates_function_sql(schema, r) for r in model.roots]
    out += [_key_project_function_sql(schema, k) for k in model.key_scopes if k.project is not None]
    out += references.functions_sql(schema, model)
    out += rbac.functions_sql(schema, model)
    out.append("GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA docbase TO anon, authenticated, service_role")
    for table in schema.tables:
        access = model.table(table.name)
        if access is not None:
            out.extend(_table_sql(schema, model, table, access, written.get(table.name, set())))
            out.extend(limit_sql(schema, model, access))
    out += [_claim_trigger_sql(schema, r) for r in model.roots]
    return ";\n".join(out) + ";\n"


def limit_sql(schema: Schema, model: AccessModel, access: TableAccess) -> list[str]:
    """One RESTRICTIVE policy per command the access's limits bind (docbase.access.grants): ANDed with whatever
    permissive policy allows the command, the document's own included. Dropped first, so a limit that no
    longer applies goes away."""
    name = quote_table(access.table)
    out = [f"DROP POLICY IF EXISTS {q('docbase limit ' + c)} ON {name}" for c in _ALL]
    for command in _ALL:
        conds = [_limit(schema, model, access, x) for x in access.limits if command in x.commands]
        if not conds:
            continue
        cond = " AND ".join(f"({c})" for c in conds)
        clause = f"WITH CHECK ({cond})" if command == "insert" else f"USING ({cond})"
        out.append(
            f"CREATE POLICY {q('docbase limit ' + command)} ON {name} AS RESTRICTIVE FOR {command.upper()} "
            f"TO anon, authenticated {clause}"
        )
    return out


def _limit(schema: Schema, model: AccessModel, access: TableAccess, limit: Limit) -> str:
    if limit.kind == "not_by_api_key":
        return "(nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'api_key') IS NULL"
    if limit.kind == "aal2":
        return "coalesce(nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'aal', '') = 'aal2'"
    if limit.kind == "key_project":
        return _key_project_condition(schema, model, access)
    root = model.root(access.tenant)
    if limit.kind == "own_or_admin":
        admin = tenant_condition(schema, model, access, "admin") if root else "false"
        if limit.column is None:
            return admin
        return f"{q(limit.column)} = {uid_for(_col_type(schema, access.table, limit.column))} OR {admin}"
    if limit.kind == "role_within_own" and root is not None and limit.column and access.path:
        fn = tenant_function(root)
        cases = []
        for i, role in enumerate(root.roles):
            held = "ARRAY[" + ", ".join(lit(r.name) for r in root.roles[: i + 1]) + "]::text[]"
            inside = _chain(schema, access.path, lambda column, _type, held=held: f"{column} IN (SELECT {fn}({held}))")
            cases.append(f"WHEN {lit(role.name)} THEN {inside}")
        return f"CASE {q(limit.column)}::text {' '.join(cases)} ELSE false END"
    return "false"  # a limit this table cannot express refuses (deny by default)
