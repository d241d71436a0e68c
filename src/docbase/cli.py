"""The ``docbase`` command: thin over the packages; parses flags, prints, sets exit codes.

Exit codes: 0 ok, 1 document (or database) errors, 2 usage errors.
Each command lives in a small function here; the work is done by the
package named in its docstring.
"""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

import typer
from rich.console import Console
from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption

from .pipeline import load_schema
from .schema import Schema

# The names --help gives the values options take (other options: their own name in capitals).
_VALUE_NAMES = {"db": "URL", "out": "FILE", "workers": "N", "rows": "N", "tenants": "N", "seed_value": "N"}
_MODULE = re.compile(r"\s*\(docbase\.[\w.]+\)")


class _Argument(TyperArgument):
    """A positional value shown by its name alone (``DOC``), as Unix tools do, not ``{doc} <path>``."""

    def display_type_rich(self, ctx: object) -> str | None:
        return None

    def _usage_display_name(self) -> str:
        return self.metavar or (self.name or "").upper()


def _for_users(params: list) -> None:  # type: ignore[type-arg]
    """Flags show no type placeholder (``<bool>``); an option's value is named for what it holds (URL)."""
    for param in params:
        if isinstance(param, TyperOption):
            if param.is_flag:
                param.metavar = ""
            elif param.metavar is None:
                param.metavar = _VALUE_NAMES.get(param.name or "", (param.name or "value").upper())
        elif isinstance(param, TyperArgument):
            param.__class__ = _Argument  # a subclass adding display only: same state, same parsing
            param.metavar = param.metavar or (param.name or "").upper()


class _UserHelp:
    """--help that speaks to users: no type placeholders, no internal module names (docstrings name the
    package doing the work for developers; the help drops it)."""

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.help = _MODULE.sub("", self.help or "")
        _for_users(self.params)

    def get_help_option(self, ctx):  # type: ignore[no-untyped-def]
        option = super().get_help_option(ctx)
        _for_users([option] if option is not None else [])
        return option


class _UserCommand(_UserHelp, TyperCommand):
    pass


class _UserGroup(_UserHelp, TyperGroup):
    pass


app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    cls=_UserGroup,
    help="Turn a database design document into a running backend.",
)
# Piped output (CI logs, `| less`) is not 80 columns wide; tables wrap badly there.
console = Console(width=None if sys.stdout.isatty() else 160)
err_console = Console(stderr=True, width=None if sys.stderr.isatty() else 160)


def fail(message: str, code: int = 1) -> None:
    err_console.print("[red]error:[/red] ", end="", highlight=False, soft_wrap=True)
    err_console.print(message, highlight=False, markup=False, emoji=False, soft_wrap=True)
    raise typer.Exit(code)


def report_lines(schema: Schema, path: str) -> list[str]:
    """The diagnostics (notes left to ``--json``) and the count line every command prints alike."""
    counts = {lvl: sum(d.level == lvl for d in schema.diagnostics) for lvl in ("error", "warning", "info")}
    lines = [d.format(path) for d in schema.diagnostics if d.level != "info"]
    lines.append(
        f"{path}: {len(schema.tables)} table(s); {counts['error']} error(s), {counts['warning']} warning(s), "
        f"{counts['info']} note(s)" + (" (see inspect --json for the notes)" if counts["info"] else "")
    )
    return lines


def _write(lines: list[str], stream) -> None:
    """Plain writes: a terminal library must never rewrite ``file.md:100:`` (Rich made it an emoji)."""
    stream.write("".join(line + "\n" for line in lines))
    stream.flush()


class ReadProgress:
    """How far reading a long document has got, on stderr (``--progress``; by default only on a terminal).

    Nothing is shown for the first half second, so short reads print nothing. On a terminal one line
    is redrawn in place and wiped at the end; elsewhere (``--progress`` into a log) a line at most
    every two seconds. The lines start with ``docbase:`` and carry no line number, so they can never
    be mistaken for the ``path:line: level: message`` diagnostics, which are written after.
    """

    DELAY = 0.5  # seconds of reading before anything is shown

    def __init__(self, path: str, stream=None, tty: bool | None = None, clock=time.monotonic) -> None:
        self.path, self.stream, self.clock = path, stream or sys.stderr, clock
        self.tty = self.stream.isatty() if tty is None else tty
        self.start = clock()
        self.shown = 0.0  # when a line was last written; 0 while nothing is on screen
        self.every = 0.2 if self.tty else 2.0

    def __call__(self, done: int, total: int) -> None:
        now = self.clock()
        if now - self.start < self.DELAY or (self.shown and now - self.shown < self.every and done < total):
            return
        line = f"docbase: reading {self.path}: {done}/{total} blocks ({100 * done // max(total, 1)}%)"
        if self.tty:
            self.stream.write("\r\x1b[K" + ("" if done == total else line))
        else:
            self.stream.write(line + "\n")
        self.stream.flush()
        self.shown = now


def _progress(doc: Path) -> ReadProgress | None:
    """The progress display ``--progress`` / ``--no-progress`` asks for (default: when stderr is a terminal)."""
    wanted = _options.get("progress")
    if wanted is None:
        wanted = sys.stderr.isatty()
    return ReadProgress(str(doc)) if wanted else None


_options: dict[str, bool | None] = {}


def _schema(doc: Path, report: bool = False) -> Schema:
    """Read a document for a command; refuse it only when no backend can be made from it.

    Problems cost their line, block or table, never the document (docs/reading.md):
    a document with errors still gives the tables it does describe. ``report``
    prints the diagnostics and summary to stderr, as ``inspect`` prints them.
    """
    from .settings import load_toml

    if not doc.exists():
        fail(f"{doc}: no such file", 2)
    load_toml(doc)  # a broken docbase.toml stops every command alike, before any work
    schema = load_schema(doc, _progress(doc))
    if not schema.tables:
        _write(report_lines(schema, str(doc)), sys.stderr)
        raise typer.Exit(1)
    if report:
        _write(report_lines(schema, str(doc)), sys.stderr)
    return schema


@app.command()
def keys(
    doc: Path,
    json_out: bool = typer.Option(False, "--json", help="Print {anon, service_role} as JSON."),
    rotate: bool = typer.Option(
        False,
        "--rotate",
        help="Retire the signing key (RS256/ES256): a new one signs, the old verifies for jwt_key_overlap.",
    ),
) -> None:
    """Print the anon and service_role API keys (docbase.auth.keys), or rotate the signing key."""
    import json

    from .auth import keys as api_keys

    _schema(doc)
    if rotate:
        _rotate_signing_key(doc)
        return
    try:
        secret = api_keys.jwt_secret(doc)
    except ValueError as exc:
        fail(str(exc), 2)
    pair = {"anon": api_keys.anon_key(secret), "service_role": api_keys.service_key(secret)}
    if json_out:
        typer.echo(json.dumps(pair))
    else:
        typer.echo(f"anon key:         {pair['anon']}\nservice_role key: {pair['service_role']}")


def _rotate_signing_key(doc: Path) -> None:
    """``docbase keys DOC --rotate``: say which key retired, which signs now and until when the old one verifies."""
    from datetime import UTC, datetime

    from . import settings as s
    from .auth import jwks, rotation

    toml = s.load_toml(doc)
    alg = str(s.get(s.JWT_SIGNING_ALG, toml=toml) or "HS256").upper()
    if alg not in jwks.SIGNING_ALGS:
        fail(f"rotation needs jwt_signing_alg RS256 or ES256 (it is {alg}); HS256 uses the JWT secret", 2)
    old = jwks.signing_key(alg)
    rotation.rotate(alg)
    new = jwks.signing_key(alg)
    until = datetime.fromtimestamp(datetime.now(UTC).timestamp() + rotation.overlap(toml), UTC)
    typer.echo(f"signing key {new.kid} ({alg}) signs new tokens")
    typer.echo(f"retired key {old.kid} verifies until {until.isoformat(timespec='seconds')} (jwt_key_overlap)")


@app.command()
def serve(
    doc: Path,
    db: str = typer.Option(None, "--db", help="Database URL (default: DOCBASE_DB_URL, else sqlite:///<doc stem>.db)."),
    host: str = typer.Option("127.0.0.1", "--host"),
    port: int = typer.Option(8000, "--port"),
    workers: int = typer.Option(1, "--workers", min=1, help="Worker processes."),
) -> None:
    """Migrate the database (refusing destructive changes), then serve /rest/v1; SIGHUP reloads (docbase.api.serve)."""
    _serve(doc, db, host, port, workers, watch=False)


@app.command()
def dev(
    doc: Path,
    db: str = typer.Option(None, "--db", help="Database URL (default: DOCBASE_DB_URL, else sqlite:///<doc stem>.db)."),
    host: str = typer.Option("127.0.0.1", "--host"),
    port: int = typer.Option(8000, "--port"),
) -> None:
    """Serve DOC and reload on every save: diagnostics, safe migrations, the new model (docbase.api.reload)."""
    _serve(doc, db, host, port, 1, watch=True)


def _serve(doc: Path, db: str | None, host: str, port: int, workers: int, watch: bool) -> None:
    from .api.serve import ServeError, run

    schema = _schema(doc, report=True)
    _port_free(host, port)
    try:
        run(schema, doc, db, host, port, workers, echo=typer.echo, watch=watch)
    except ServeError as exc:
        fail(str(exc), exc.exit_code)


def _port_free(host: str, port: int) -> None:
    """Refuse before migrating or printing a URL: a port in use was a 300-line traceback after "serving: ..."."""
    import errno
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        fail(f"--host {host}: cannot be resolved ({exc})", 2)
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                fail(f"port {port} on {host} is in use; stop the other server or choose another with --port", 2)
            if exc.errno == errno.EACCES:
                fail(f"port {port} on {host} needs more privileges; choose a port above 1023 with --port", 2)
            fail(f"cannot listen on {host}:{port}: {exc.strerror}", 2)


@app.command()
def inspect(
    doc: Path,
    json_out: bool = typer.Option(False, "--json", help="Print the schema model as JSON instead of a summary."),
    strict: bool = typer.Option(False, "--strict", help="Exit 1 on any warning, not only on errors."),
    fmt: str = typer.Option(None, "--format", help="Write the model back as 'mermaid' or 'markdown'."),
) -> None:
    """Summarise what docbase read from DOC, with diagnostics (docbase.schema)."""
    from .schema.export import to_json
    from .schema.summary import print_summary
    from .schema.writer import to_markdown, to_mermaid

    if fmt not in (None, "mermaid", "markdown"):
        fail(f"--format must be mermaid or markdown, not {fmt!r}", 2)
    from .conventions import detect_all, row_order
    from .conventions.audit import left_out as audit_left_out
    from .rules.report import rule_lines, rules_dict
    from .settings import load_toml

    if not doc.exists():
        fail(f"{doc}: no such file", 2)
    schema = load_schema(doc, _progress(doc))
    toml = load_toml(doc)
    # the row-order rule is the database's, not a table's: listed here, not among the API's conventions
    applied = detect_all(schema, toml) + row_order.detect(schema, toml)
    if json_out:
        import json

        data = {**to_json(schema), "conventions": [a.as_dict() for a in applied], "rules": rules_dict(schema, toml)}
        typer.echo(json.dumps(data, indent=2, ensure_ascii=False))
    elif fmt == "mermaid":
        typer.echo(to_mermaid(schema), nl=False)
    elif fmt == "markdown":
        typer.echo(to_markdown(schema), nl=False)
    else:
        print_summary(schema, str(doc), console)
        if applied:
            console.print("\n[bold]conventions[/bold]")
            for a in applied:
                console.print(
                    f"  {a.table}: {a.convention} - {a.why}", highlight=False, markup=False, emoji=False, soft_wrap=True
                )
            _write([f"{doc}:{line}: warning: {why}" for _, line, why in audit_left_out(schema, toml)], sys.stdout)
        from .access import build_access, parse_overrides

        defaults = build_access(schema, parse_overrides(toml)).notes
        if defaults:  # access rules docbase inferred on its own, each located and switchable
            console.print("\n[bold]access defaults[/bold] (switch off in docbase.toml \\[access.defaults])")
            _write([d.format(str(doc)) for d in defaults], sys.stdout)
        _print_channels(schema, doc, toml)
        rules = rule_lines(schema, str(doc), toml)
        if rules:  # plain writes: located lines editors jump to
            console.print("\n[bold]rules[/bold] (enforced by the database; switch off in docbase.toml \\[rules])")
            _write(rules, sys.stdout)
        functions = [r for r in schema.routines if r.kind == "function"]
        if functions:
            from .api.sqlite_routines import runs_on_sqlite

            on_sqlite = runs_on_sqlite(schema)

            console.print(
                "\n[bold]functions[/bold] (served at /rest/v1/rpc/<name>; on SQLite only SQL-language functions "
                "sqlglot translates run, others answer PGRST127)"
            )
            roles = _computed_roles(schema)
            for r in functions:
                where = "PostgreSQL and SQLite" if on_sqlite.get(r.name) else "PostgreSQL only"
                role = roles.get(r.name.rsplit(".", 1)[-1])
                console.print(
                    f"  {doc}:{r.line}: {r.name} ({where}{'; ' + role if role else ''})",
                    highlight=False, markup=False, emoji=False, soft_wrap=True,
                )  # fmt: skip
        _print_views(schema, str(doc), console)
        _print_sign_in(toml, schema, str(doc))
        _write(_storage_notes(schema, doc, toml), sys.stdout)
        _write(report_lines(schema, str(doc)), sys.stdout)
    levels = {d.level for d in schema.diagnostics}
    if "error" in levels or (strict and "warning" in levels):
        raise typer.Exit(1)


def _print_channels(schema, doc: Path, toml: dict) -> None:  # type: ignore[type-arg]
    """Who may join which private realtime channel ([realtime] in docbase.toml, then docbase's default)."""
    from .access import build_access, parse_overrides
    from .realtime.channel_rules import load_rules, rule_lines
    from .settings import ConfigError

    try:
        rules = load_rules(toml)
    except ConfigError as exc:
        fail(str(exc), 2)
    roots = build_access(schema, parse_overrides(toml)).roots
    table = schema.table(roots[0].table) if roots else None
    lines = rule_lines(rules, str(doc), table.line if table is not None else None)
    if lines:
        console.print("\n[bold]private realtime channels[/bold] (first match decides; docbase.toml \\[realtime])")
        _write(lines, sys.stdout)


def _print_sign_in(toml: dict, schema, doc: str) -> None:  # type: ignore[type-arg]
    """Who signs users in besides email: each [oauth.<name>] provider and the third-party issuer, if any,
    with the users column its tokens are matched with (docbase.auth.third_party_users)."""
    from . import settings
    from .auth.providers import describe, parse
    from .auth.third_party_users import notes

    try:
        providers = parse(toml.get("oauth", {}))
    except settings.ConfigError as exc:
        fail(str(exc), 2)
    base = str(settings.get(settings.AUTH_EXTERNAL_URL, toml=toml) or "").rstrip("/")
    callback = f"{base or '<auth_external_url>'}/auth/v1/callback"
    lines = [describe(p, callback) for p in providers]
    issuer = str(settings.get(settings.AUTH_THIRD_PARTY_ISSUER, toml=toml) or "")
    if issuer:
        jwks = str(settings.get(settings.AUTH_THIRD_PARTY_JWKS_URL, toml=toml) or "")
        root = issuer.rstrip("/")
        jwks = jwks or f"the jwks_uri of {root}/.well-known/openid-configuration, else {root}/.well-known/jwks.json"
        lines.append(f"docbase.toml: auth_third_party_issuer {issuer}: its access tokens are accepted (keys {jwks})")
    lines += notes(schema, toml, doc)
    if lines:
        console.print("\n[bold]sign-in providers[/bold] (besides email; /auth/v1/settings lists them as `external`)")
        _write(lines, sys.stdout)


def _storage_notes(schema, doc: Path, toml: dict) -> list[str]:  # type: ignore[type-arg]
    """What deleting a tenant does to its stored files (docbase.storage.tenant_delete), one note per tenant."""
    from .access import build_access, load_overrides
    from .settings import ConfigError
    from .storage.tenant_delete import notes, on_tenant_delete

    try:
        mode = on_tenant_delete(toml)
    except ConfigError as exc:
        fail(str(exc), 2)
    roots = build_access(schema, load_overrides(str(doc))).roots
    return notes(roots, {t.name: t.line for t in schema.tables}, mode, str(doc))


def _computed_roles(schema: Schema) -> dict[str, str]:
    """What a function over a table's row type also is: a computed field or relationship PostgREST serves in
    ``select=``, with where it runs (SQLite runs a one-expression or one-``SELECT *`` SQL body)."""
    from .api.computed import computed_fields, computed_relationships

    def where(sqlite: str | None) -> str:
        return "PostgreSQL and SQLite" if sqlite is not None else "PostgreSQL only"

    roles: dict[str, str] = {}
    for table, fields in computed_fields(schema).items():
        for f in fields.values():
            roles[f.name] = f"also a computed field of {table} in select=, which runs on {where(f.sqlite)}"
    for table, rels in computed_relationships(schema).items():
        for r in rels.values():
            roles[r.name] = (
                f"also a computed relationship {table} -> {r.target} in select=, which runs on {where(r.sqlite)}"
            )
    return roles


def _print_views(schema, doc: str, console) -> None:  # type: ignore[no-untyped-def]
    """The document's views: served at /rest/v1/<view>; SQLite's refusals and unread views as warnings."""
    from .schema.views import views

    found, _ = views(schema)  # what cannot be served is among the document's warnings (schema.freeze)
    if not found:
        return
    console.print("\n[bold]views[/bold] (served at /rest/v1/<view>; read with the base tables' row rules)")
    for view in found:
        writes = "writable on PostgreSQL" if view.updatable else "read-only"
        console.print(
            f"  {doc}:{view.line}: {view.name} ({', '.join(view.bases)}; {writes})",
            highlight=False,
            markup=False,
            emoji=False,
            soft_wrap=True,
        )


@app.command()
def sql(
    doc: Path,
    dialect: str = typer.Option("sqlite", "--dialect", help="sqlite or postgresql."),
    pgvector: bool = typer.Option(False, "--pgvector", help="PostgreSQL: vector columns as pgvector's vector(N)."),
) -> None:
    """Print the DDL that builds DOC's database, ready to pipe into sqlite3 or psql (docbase.ddl)."""
    from .ddl import to_ddl

    if dialect not in ("sqlite", "postgresql"):
        fail(f"--dialect must be sqlite or postgresql, not {dialect!r}", 2)
    schema = _schema(doc, report=True)
    typer.echo(to_ddl(schema, dialect, pgvector), nl=False)
    if dialect == "postgresql":  # never grants without the policies: the same access script migrate applies
        from .access import build_access, load_overrides
        from .access.policies import access_sql

        typer.echo("\n-- who may read and write which rows (docbase access DOC): roles, grants, row-level security")
        typer.echo(access_sql(schema, build_access(schema, load_overrides(doc))), nl=False)


@app.command()
def migrate(
    doc: Path,
    db: str = typer.Option(None, "--db", help="Database URL (default: DOCBASE_DB_URL, else sqlite:///<doc stem>.db)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Print the plan; change nothing."),
    allow_destructive: bool = typer.Option(False, "--allow-destructive", help="Apply drops and narrowing changes."),
) -> None:
    """Create or update DOC's database to match the document (docbase.migrate)."""
    from .migrate import MigrateError
    from .migrate import migrate as run_migrate
    from .settings import database_url

    schema = _schema(doc, report=True)
    try:
        plan = run_migrate(schema, database_url(doc, db), dry_run=dry_run, allow_destructive=allow_destructive)
    except MigrateError as exc:
        if exc.plan is not None:  # every step, the refused ones marked with why
            typer.echo(exc.plan.describe(dry_run, allow_destructive))
        fail(str(exc), 1)
    typer.echo(plan.describe(dry_run, allow_destructive))


@app.command()
def access(doc: Path, json_out: bool = typer.Option(False, "--json", help="Print the access model as JSON.")) -> None:
    """Who may read and write which rows and columns, per table, and why (docbase.access)."""
    import json

    from .access import build_access, load_overrides
    from .access.rbac import rbac_notes
    from .access.report import access_table, authority_dict, authority_table, roles_lines
    from .conventions import access_notes
    from .rules.report import rule_lines, rules_dict
    from .settings import load_toml

    overrides = load_overrides(doc)
    schema = _schema(doc)
    model = build_access(schema, overrides)
    notes = access_notes(schema, load_toml(str(doc)))  # access sits below conventions: joined here
    for d in model.diagnostics:
        _write([d.format("docbase.toml" if d.line == 0 else str(doc))], sys.stderr)
    _write([d.format(str(doc)) for d in model.notes], sys.stderr)  # access defaults applied, each switchable
    if json_out:
        data = model.as_dict()
        kinds = authority_dict(model)
        for table in data["tables"]:
            table["conventions"] = notes.get(table["name"], [])
            table["authority"] = kinds.get(table["name"])
        data["rules"] = rules_dict(schema, load_toml(str(doc)))
        from .realtime.channel_rules import load_rules

        data["realtime_channels"] = [
            {"topic": r.topic, "roles": list(r.roles), "member_roles": list(r.member_roles), "send": r.send}
            | {"source": "default" if r.default else "docbase.toml", "means": r.describe()}
            for r in load_rules(load_toml(str(doc)))
        ]
        typer.echo(json.dumps(data, indent=2))
    else:
        for line in roles_lines(model):
            console.print(line, highlight=False, markup=False)
        console.print(access_table(model))
        console.print(authority_table(model))
        if notes:
            console.print("Conventions that change access:", highlight=False, markup=False)
            for table, lines in notes.items():
                for line in lines:
                    console.print(f"  {table}: {line}", highlight=False, markup=False)
        rules = rule_lines(schema, str(doc), load_toml(str(doc))) + rbac_notes(schema, model, str(doc))
        if rules:
            console.print("Rules the database enforces on writes:", highlight=False, markup=False)
            _write(rules, sys.stdout)
        _print_channels(schema, doc, load_toml(str(doc)))
    if any(d.level == "error" for d in model.diagnostics):
        raise typer.Exit(1)


@app.command()
def outbox(
    doc: Path,
    db: str = typer.Option(None, "--db", help="Database URL (default: DOCBASE_DB_URL, else sqlite:///<doc stem>.db)."),
    json_out: bool = typer.Option(False, "--json", help="Print one JSON object per message."),
) -> None:
    """Mail docbase would have sent (no SMTP configured), oldest first (docbase.auth.mailer)."""
    import json

    from .auth.mailer import outbox_messages
    from .settings import database_url

    _schema(doc)
    for mail in outbox_messages(database_url(doc, db)):
        if json_out:
            typer.echo(json.dumps({**mail, "created_at": str(mail["created_at"])}))
        else:
            head = f"--- {mail['created_at']}  to {mail['recipient']}  [{mail['kind']}]"
            typer.echo(f"{head}\nSubject: {mail['subject']}\n\n{mail['body']}")


@app.command()
def seed(
    doc: Path,
    db: str = typer.Option(None, "--db", help="Database URL (default: DOCBASE_DB_URL, else sqlite:///<doc stem>.db)."),
    rows: int = typer.Option(100, "--rows", min=1, help="Rows per table (tenant roots get --tenants rows)."),
    tenants: int = typer.Option(3, "--tenants", min=1, help="Tenants (workspaces, organizations) to spread rows over."),
    seed_value: int = typer.Option(0, "--seed", help="Same seed, same rows."),
) -> None:
    """Fill every table with realistic rows that satisfy every constraint (docbase.seed)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from .seed import SeedError, seed_database
    from .settings import database_url

    schema = _schema(doc, report=True)
    columns = (TextColumn("{task.description:<32}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err_console, transient=False) as bar:

        def track(table: str, total: int):
            task = bar.add_task(table, total=total)
            return lambda n: bar.advance(task, n)

        try:
            report = seed_database(schema, database_url(doc, db), rows, tenants, seed_value, progress=track)
        except SeedError as exc:
            fail(str(exc), 1)
    typer.echo(
        f"seeded {report.total} rows in {len(report.tables)} tables over {report.tenants} tenants "
        f"in {report.seconds:.1f} s ({report.rows_per_second:,.0f} rows/s)"
    )


@app.command()
def types(
    language: str,
    doc: Path,
    out: str = typer.Option(None, "--out", "-o", help="Write to this file instead of stdout."),
) -> None:
    """Client types: the Database type supabase-js takes, or Python TypedDicts (docbase.typegen)."""
    from .access import build_access, load_overrides
    from .typegen import LANGUAGES, generate

    if language not in LANGUAGES:
        fail(f"language must be typescript or python, not {language!r}", 2)
    schema = _schema(doc)
    text, notes = generate(schema, language, build_access(schema, load_overrides(doc)))
    _write([f"{doc}:{line}: warning: {message}" for line, message in notes], sys.stderr)
    if out is None:
        typer.echo(text, nl=False)
        return
    try:
        Path(out).write_text(text)
    except OSError as exc:
        fail(f"{out}: cannot write ({exc.strerror})", 1)
    _write([f"wrote {out}"], sys.stderr)


@app.command()
def check(
    doc: Path,
    db: str = typer.Option(None, "--db", help="Database URL (default: DOCBASE_DB_URL, else sqlite:///<doc stem>.db)."),
) -> None:
    """Compare a live database with DOC; exit 1 on drift, each difference on a located line (docbase.check)."""
    from .check import CheckError
    from .check import check as run_check
    from .settings import database_url

    schema = _schema(doc)
    url = database_url(doc, db)
    try:
        findings = run_check(schema, url)
    except CheckError as exc:
        fail(str(exc), exc.exit_code)
    from .dburl import parse

    shown = parse(url).shown
    if findings:
        _write([f.format(str(doc)) for f in findings], sys.stdout)
        _write([f"{doc}: {len(findings)} difference(s) between the document and {shown}"], sys.stderr)
        raise typer.Exit(1)
    typer.echo(f"{shown} matches {doc}")


@app.command("rotate-key")
def rotate_key(
    doc: Path,
    db: str = typer.Option(None, "--db", help="Database URL (default: DOCBASE_DB_URL, else sqlite:///<doc stem>.db)."),
) -> None:
    """Re-encrypt every secret column under a new key, in one transaction (docbase.conventions.rotate)."""
    from .conventions.rotate import RotateError, rotate
    from .settings import database_url, load_toml

    try:
        count, kid = rotate(_schema(doc), database_url(doc, db), doc, load_toml(doc))
    except RotateError as exc:
        fail(str(exc), 1)
    typer.echo(f"re-encrypted {count} secret values under key {kid}")


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            typer.echo(f"docbase {version('docbase')}")
        except PackageNotFoundError:
            typer.echo("docbase (not installed)")
        raise typer.Exit(0)


@app.callback()
def _root(
    show_version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print docbase's version and exit."
    ),
    progress: bool = typer.Option(
        None, "--progress/--no-progress", help="Show how far reading a long document has got (default: on a terminal)."
    ),
) -> None:
    """Turn a database design document into a running backend."""
    _options["progress"] = progress


for _info in app.registered_commands:  # every command, however it was declared
    _info.cls = _UserCommand


def main() -> None:
    """The console script: every failure a user can cause ends in one line and an exit code, never a traceback."""
    import os

    from .dburl import DbUrlError
    from .settings import ConfigError

    try:
        app()  # click handles usage errors and exits itself; what escapes is ours to word
    except ConfigError as exc:  # already "place: error: message"
        _write([str(exc)], sys.stderr)
        sys.exit(2)
    except DbUrlError as exc:
        _write([f"error: {exc}"], sys.stderr)
        sys.exit(2)
    except Exception as exc:  # a database that cannot be reached, a file that cannot be read, a bug
        if os.environ.get("DOCBASE_DEBUG"):
            raise
        _write([f"error: {_one_line(exc)} (set DOCBASE_DEBUG=1 for the traceback)"], sys.stderr)
        sys.exit(1)


def _one_line(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    text = str(orig).strip().splitlines()
    return f"{type(orig).__name__}: {text[0]}" if text else type(orig).__name__
