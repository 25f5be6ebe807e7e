"""The ``nanoka`` command.

Errors raised anywhere as ``NanokaError`` end here, in one place: one line on
stderr, exit 1 (2 for usage), a traceback only with ``-v``. Heavy imports
wait inside the commands so that ``nanoka --help`` starts fast.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from nanoka_core.cli.common import (
    check_local,
    config_option,
    local_option,
    open_target,
    plugin_manager,
    target_options,
)
from nanoka_core.cli.ops import diff, hash_migrations, resolve
from nanoka_core.config import PACKAGE_MANAGERS
from nanoka_core.errors import NanokaError
from nanoka_core.version import __version__

if TYPE_CHECKING:
    from nanoka_core.config import Config
    from nanoka_core.d1.wrangler_config import D1Database
    from nanoka_core.pipeline.stage import Context

EXIT_INTERRUPTED = 130
MIGRATION_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_-]{0,63}\Z")


class _Group(click.Group):
    """Maps nanoka's errors and Ctrl-C to messages and exit codes."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except NanokaError as e:
            _fail(ctx, str(e), e.exit_code, e)
        except KeyboardInterrupt as e:
            _fail(ctx, "interrupted", EXIT_INTERRUPTED, e)
        except (click.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except Exception as e:
            _fail(
                ctx,
                f"unexpected {type(e).__name__}: {e} (a bug in nanoka or a plugin; "
                "run with -v for the traceback and report it)",
                1,
                e,
            )


def _fail(ctx: click.Context, message: str, code: int, error: BaseException) -> None:
    from nanoka_core.log import get_logger

    verbose = (ctx.obj or {}).get("verbosity", 0) > 0
    if verbose:
        import traceback

        traceback.print_exception(type(error), error, error.__traceback__, file=sys.stderr)
    get_logger().error(message)
    ctx.exit(code)




def _set_global(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    """Record a global option, whether given before or after the subcommand.

    Before the subcommand the group's value is the default; after it, the
    subcommand's value wins. Logging is configured again with the result.
    """
    if ctx.resilient_parsing:
        return value
    root = ctx.find_root()
    settings = root.ensure_object(dict)
    given = ctx.get_parameter_source(param.name or "") not in (
        click.core.ParameterSource.DEFAULT,
        None,
    )
    if param.name == "disabled":
        settings["disabled"] = (*settings.get("disabled", ()), *value)
    elif given or param.name not in settings:
        settings[param.name or ""] = value
    settings["verbosity"] = settings.get("verbose", 0) - settings.get("quiet", 0)
    if ctx is not root:
        from nanoka_core.log import configure

        configure(settings["log_format"], settings["verbosity"])
    return value


def global_options(command: Any) -> Any:
    """``--log-format``, ``-v``, ``-q`` and ``--disable-plugin``, on the group and on every command."""
    for decorator in reversed(
        [
            click.option(
                "--log-format",
                type=click.Choice(["console", "json"]),
                default="console",
                show_default=True,
                expose_value=False,
                callback=_set_global,
                help="console: lines for people. json: one JSON object per line, for CI.",
            ),
            click.option(
                "-v", "--verbose", count=True, expose_value=False, callback=_set_global,
                help="More output; tracebacks on errors.",
            ),
            click.option(
                "-q", "--quiet", count=True, expose_value=False, callback=_set_global,
                help="Only warnings and errors; the tools' output only when one fails.",
            ),
            click.option(
                "--disable-plugin",
                "disabled",
                multiple=True,
                metavar="NAME",
                expose_value=False,
                callback=_set_global,
                help="Do not load this plugin (repeatable). Also: NANOKA_DISABLE_PLUGINS=a,b.",
            ),
        ]
    ):
        command = decorator(command)
    return command


class _GlobalOptionsGroup(_Group):
    """Every command accepts the global options after its name too.

    They are added when a command is first looked up, so that a run builds
    them for the one command it runs, not for every command nanoka has.
    """

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is not None and not any(param.name == "log_format" for param in command.params):
            global_options(command)
        return command


@click.group(cls=_GlobalOptionsGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="nanoka")
@global_options
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Python models to a Cloudflare D1 database: Drizzle schema, migrations, apply."""
    from nanoka_core.log import configure

    configure(ctx.obj["log_format"], ctx.obj["verbosity"])


@cli.command()
@config_option
@click.option(
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Where to write the schema. Default: the config's output (drizzle/schema.ts).",
)
@click.option("--no-migrate", is_flag=True, help="Only write the schema; do not run drizzle-kit.")
@click.option("--apply", is_flag=True, help="Also apply the migrations with wrangler (local D1 by default).")
@click.option("--db", metavar="NAME", help="D1 database to apply to. Default: the config's migrate.database.")
@click.option("--remote", is_flag=True, help="With --apply: apply to the remote D1, not the local one.")
@click.option(
    "--package-manager",
    type=click.Choice(PACKAGE_MANAGERS),
    help="How to run drizzle-kit and wrangler. Default: the config's, else npx.",
)
@click.option("--name", "migration_name", metavar="NAME", help="Name the new migration (drizzle-kit --name).")
@click.option(
    "--custom",
    metavar="NAME",
    help="Create an empty migration NAME for hand-written SQL (drizzle-kit --custom); schema left alone.",
)
@click.option("--env", metavar="NAME", help="With --apply: the wrangler environment. Default: migrate.env.")
@click.option(
    "--wrangler-config",
    type=click.Path(path_type=Path, dir_okay=False),
    help="With --apply: the wrangler config. Default: migrate.wrangler-config, else wrangler's search.",
)
@click.option("--force", is_flag=True, help="Overwrite an output file that nanoka did not generate.")
@click.option("--no-wait", is_flag=True, help="Fail at once if another nanoka run holds this project.")
@click.option(
    "--no-cache", is_flag=True, help="Run drizzle-kit even when nothing changed since its last run."
)
@click.option(
    "--watch", is_flag=True, help="Rewrite the schema whenever a model or the config changes (schema only)."
)
@click.option(
    "--allow-data-loss",
    is_flag=True,
    help="With --apply: apply migrations that destroy data (dropped tables or columns...).",
)
@click.option(
    "--no-restore-point",
    is_flag=True,
    help="With --apply --remote: apply without taking a D1 Time Travel bookmark first.",
)
@click.option(
    "--no-rehearsal",
    is_flag=True,
    help="With --apply: do not rehearse the pending migrations on a copy of the database first.",
)
@click.option(
    "--rehearse-with-data",
    is_flag=True,
    help="With --apply --remote: rehearse on a full export of the remote D1, not on generated rows.",
)
@click.option(
    "--no-renames",
    is_flag=True,
    help='Answer "created" to every rename question no renamed_from declaration answers.',
)
@click.option(
    "--to",
    metavar="NAME",
    help="With --apply: apply pending migrations up to and including NAME (a file name), not later ones.",
)
@click.pass_context
def generate(
    ctx: click.Context,
    config_path: Path | None,
    output: Path | None,
    no_migrate: bool,
    apply: bool,
    db: str | None,
    remote: bool,
    package_manager: str | None,
    migration_name: str | None,
    custom: str | None,
    env: str | None,
    wrangler_config: Path | None,
    force: bool,
    no_wait: bool,
    no_cache: bool,
    watch: bool,
    allow_data_loss: bool,
    no_restore_point: bool,
    no_rehearsal: bool,
    rehearse_with_data: bool,
    no_renames: bool,
    to: str | None,
) -> None:
    """Write drizzle/schema.ts, generate migrations, and with --apply apply them.

    \b
      nanoka generate                       schema + drizzle-kit generate
      nanoka generate --no-migrate          schema only
      nanoka generate --apply --db NAME     ... + wrangler d1 migrations apply --local
      nanoka generate --apply --remote      ... to the remote D1
      nanoka generate --watch               schema on every save (needs nanoka[watch])
      nanoka generate --name add_reviews    name the new migration
      nanoka generate --custom backfill     an empty migration for your own SQL
      nanoka generate --apply --to 0003_x   apply pending migrations up to 0003_x.sql only
    """
    from nanoka_core.cli.summary import RunRecorder
    from nanoka_core.config import load_config
    from nanoka_core.lock import project_lock
    from nanoka_core.log import get_logger
    from nanoka_core.pipeline.runner import resolve_stages, run_pipeline
    from nanoka_core.pipeline.stage import Context, Options

    _check_flags(no_migrate, apply, db, remote)
    for flag, value in (("--env", env), ("--wrangler-config", wrangler_config)):
        if value is not None and not apply:
            raise click.UsageError(f"{flag} only applies with --apply")
    _check_migration_flags(migration_name, custom, no_migrate, apply)
    if allow_data_loss and not apply:
        raise click.UsageError("--allow-data-loss only applies with --apply")
    if no_renames and no_migrate:
        raise click.UsageError("--no-renames only applies when migrations are generated (not --no-migrate)")
    if no_restore_point and not remote:
        raise click.UsageError("--no-restore-point only applies with --apply --remote")
    if no_rehearsal and not apply:
        raise click.UsageError("--no-rehearsal only applies with --apply")
    if rehearse_with_data and (not remote or no_rehearsal):
        raise click.UsageError(
            "--rehearse-with-data only applies with --apply --remote (and not --no-rehearsal)"
        )
    if to is not None:
        if not apply:
            raise click.UsageError("--to only applies with --apply")
        to = to if to.endswith(".sql") else f"{to}.sql"
    quiet = ctx.obj["verbosity"] < 0
    options = Options(
        output, no_migrate, apply, db, remote, package_manager, force,
        quiet=quiet, no_cache=no_cache,
        env=env, wrangler_config=wrangler_config, migration_name=migration_name, custom=custom,
        allow_data_loss=allow_data_loss, no_renames=no_renames, no_restore_point=no_restore_point, to=to,
        no_rehearsal=no_rehearsal, rehearse_with_data=rehearse_with_data,
    )
    if watch:
        from nanoka_core.cli.watch import watch_schema

        if apply:
            raise click.UsageError(
                "--watch writes the schema only (a migration per save would be noise), so it cannot "
                "--apply: run nanoka generate --apply once you are done"
            )
        watch_schema(
            config_path,
            options,
            lambda config: plugin_manager(ctx, config),
            wait=not no_wait,
            verbose=ctx.obj["verbosity"] > 0,
        )
        return
    config = load_config(config_path)
    pm = plugin_manager(ctx, config)
    stages = resolve_stages(pm)
    with project_lock(config.project_dir, wait=not no_wait, log=get_logger()):
        run_ctx = Context(config, options, pm)
        recorder = RunRecorder(run_ctx)
        pm.register(recorder, name="run-summary")
        run_pipeline(stages, run_ctx)
    recorder.log(ctx.obj["log_format"])


def _check_flags(no_migrate: bool, apply: bool, db: str | None, remote: bool) -> None:
    if remote and not apply:
        raise click.UsageError("--remote only applies with --apply")
    if db is not None and not apply:
        raise click.UsageError("--db only applies with --apply")
    if apply and no_migrate:
        raise click.UsageError("--apply and --no-migrate contradict each other: choose one")


def _check_migration_flags(name: str | None, custom: str | None, no_migrate: bool, apply: bool) -> None:
    flag = "--custom" if custom is not None else "--name"
    given = custom if custom is not None else name
    if given is None:
        return
    if custom is not None and name is not None:
        raise click.UsageError("--custom NAME already names the migration: drop --name")
    if no_migrate:
        raise click.UsageError(f"{flag} and --no-migrate contradict each other: choose one")
    if custom is not None and apply:
        raise click.UsageError(
            "--custom writes an empty migration: add your SQL to it first, then run nanoka generate --apply"
        )
    if not MIGRATION_NAME.match(given):
        raise click.UsageError(
            f"{flag} {given!r} is not a valid migration name: use 1 to 64 letters, digits, '_' or '-', "
            "not starting with '-' (it becomes part of the file name)"
        )


def _optional_config(config_path: Path | None) -> Config | None:
    """The config when there is one: listing commands also work outside a project."""
    from nanoka_core.config import load_config
    from nanoka_core.errors import ConfigError

    try:
        return load_config(config_path)
    except ConfigError:
        if config_path is not None:
            raise
        return None


@cli.command()
@config_option
@target_options
@click.pass_context
def check(
    ctx: click.Context,
    config_path: Path | None,
    db: str | None,
    remote: bool,
    env: str | None,
    wrangler_config: Path | None,
) -> None:
    """Exit 1 if drizzle/schema.ts or the migrations are not current (for CI).

    Compares the schema the models give with the file (a diff when they
    differ) and, with a drizzle config, checks the migrations folder:
    duplicate numbers, journal and files out of step, snapshots on two
    branches, schema changes no migration covers, files that differ from
    nanoka.sum, and what D1 would refuse (D1 codes). With --db, also
    whether that database still matches its applied migrations (nanoka
    diff). Writes nothing.
    """
    from nanoka_core.cli.check import check_project
    from nanoka_core.config import load_config
    from nanoka_core.pipeline.runner import resolve_stages
    from nanoka_core.pipeline.stage import Context, Options

    sys.dont_write_bytecode = True  # "writes nothing" includes __pycache__ in the user's packages
    config = load_config(config_path)
    pm = plugin_manager(ctx, config)
    report = check_project(Context(config, Options(), pm), resolve_stages(pm))
    if db is not None:
        from nanoka_core.cli.ops import drift_report

        report.drift = drift_report(*open_target(ctx, config_path, db, remote, env, wrangler_config, "check"))
    elif (remote, env, wrangler_config) != (False, None, None):
        raise click.UsageError("--remote, --env and --wrangler-config only apply with --db")
    if ctx.obj["log_format"] == "json":
        click.echo(json.dumps(report.as_json()))
    else:
        _print_check(report)
    if not report.ok:
        ctx.exit(1)


def _print_check(report: Any) -> None:
    from nanoka_core.log import get_logger

    log = get_logger()
    if report.schema_state == "missing":
        log.error(f"{report.schema} does not exist: run nanoka generate")
    elif report.schema_state == "differs":
        click.echo(report.diff, nl=False)
        log.error(f"{report.schema} is not what the models give: run nanoka generate")
    for risk in report.risks:
        log.warning(f"{risk.migration}.sql: {risk.line()} ({risk.kind.level})", data=risk.as_json())
    for finding in report.d1:
        log_finding = log.error if finding.is_error else log.warning
        log_finding(
            f"{finding.migration}: {finding.text()}; instead: {finding.kind.safe_way}", data=finding.as_json()
        )
    for problem in report.problems:
        log.error(problem)
    if report.drift is not None:
        from nanoka_core.cli.ops import drift_lines

        (log.info if report.drift["state"] == "equal" else log.error)("\n".join(drift_lines(report.drift)))
    for note in report.notes:
        log.info(f"note: {note}")
    if report.ok:
        log.info(f"{report.schema} and {report.migrations or 'the schema'} are up to date")


@cli.command()
@config_option
@target_options
@click.option(
    "--no-rehearsal", is_flag=True, help="Do not rehearse the pending migrations on a copy of the database."
)
@click.pass_context
def status(
    ctx: click.Context,
    config_path: Path | None,
    db: str | None,
    remote: bool,
    env: str | None,
    wrangler_config: Path | None,
    no_rehearsal: bool,
) -> None:
    """List the migrations in the folder, applied or pending on the database.

    Each pending migration shows the data-loss guard's risk lines and what
    rehearsing it on a copy found (local: an export of the database; remote:
    a shadow with generated rows). Exit 0; exit 1 only when it cannot tell
    (no drizzle config, no database, the database cannot be asked).
    """
    from nanoka_core.cli.status import migration_status
    from nanoka_core.config import load_config
    from nanoka_core.d1.ledger import applied_migrations
    from nanoka_core.drizzle.folder import find_drizzle_config, migrations_dir

    config = load_config(config_path)
    drizzle_config = find_drizzle_config(config)
    if drizzle_config is None:
        raise NanokaError(
            f"no drizzle config next to {config.path.name} (or set migrate.drizzle-config): "
            "nanoka status reads the migrations folder the drizzle config names"
        )
    run_ctx, database = open_target(ctx, config_path, db, remote, env, wrangler_config, "status")
    assert run_ctx.database is not None
    applied = applied_migrations(
        run_ctx.run_tool,
        run_ctx.database,
        remote,
        run_ctx.wrangler_flags,
        database.migrations_table,
        entry=database,
    )
    rehearsed = None
    if not no_rehearsal and config.migrate.rehearsal:
        rehearsed = _rehearsed(run_ctx, database, remote=remote, applied=applied)
    report = migration_status(
        migrations_dir(drizzle_config, run_ctx.project_dir),
        run_ctx.database,
        remote=remote,
        applied=applied,
        rehearsed=rehearsed,
    )
    if ctx.obj["log_format"] == "json":
        click.echo(json.dumps(report.as_json()))
    else:
        click.echo("\n".join(report.lines()))


def _rehearsed(
    run_ctx: Context, database: D1Database, *, remote: bool, applied: list[str]
) -> dict[str, dict[str, Any]]:
    """For ``status``: what rehearsing each pending migration found, or why it could not be rehearsed."""
    from nanoka_core.d1.rehearse import rehearse_pending

    assert run_ctx.database is not None
    folder = database.migrations_dir
    pending = [p.name for p in sorted(folder.glob("*.sql")) if p.name not in set(applied)]
    try:
        result = rehearse_pending(
            run_ctx.run_tool,
            run_ctx.database,
            remote=remote,
            wrangler_flags=run_ctx.wrangler_flags,
            folder=folder,
            migrations_table=database.migrations_table,
            applied=applied,
            entry=database,
        )
    except NanokaError as e:
        why = str(e).splitlines()[0]
        failed = {"lines": [f"not rehearsed: {why}"], "result": {"rehearsed": False, "error": why}}
        return dict.fromkeys(pending, failed)
    return {n: {"lines": result.lines(n), "result": result.for_migration_json(n)} for n in result.pending}


@cli.command()
@config_option
@click.option("--no-migrate", is_flag=True, help="Show what would run with --no-migrate.")
@click.option("--apply", is_flag=True, help="Show what would run with --apply.")
@click.pass_context
def stages(ctx: click.Context, config_path: Path | None, no_migrate: bool, apply: bool) -> None:
    """List the pipeline's stages in the order they run."""
    from nanoka_core.config import Config
    from nanoka_core.pipeline.runner import resolve_stages
    from nanoka_core.pipeline.stage import Context, Options

    config = _optional_config(config_path)
    pm = plugin_manager(ctx, config)
    run_ctx = Context(
        config
        or Config(
            path=Path.cwd() / "nanoka.toml",
            project_dir=Path.cwd(),
            models=(),
            output=Path.cwd() / "drizzle/schema.ts",
        ),
        Options(no_migrate=no_migrate, apply=apply),
        pm,
    )
    rows: list[dict[str, Any]] = [
        {
            "name": s.name,
            "plugin": s.plugin,
            "replaces": s.replaced or None,
            "runs": s.is_enabled(run_ctx),
            "runs_when": s.runs_when,
            "description": s.description,
        }
        for s in resolve_stages(pm)
    ]
    if ctx.obj["log_format"] == "json":
        click.echo(json.dumps(rows))
        return
    _table(
        ["stage", "plugin", "replaces", "will run", "when", "does"],
        [
            [
                r["name"],
                r["plugin"],
                r["replaces"] or "-",
                "yes" if r["runs"] else "no",
                r["runs_when"],
                r["description"],
            ]
            for r in rows
        ],
    )


@cli.command()
@config_option
@click.option("--all", "show_all", is_flag=True, help="Include nanoka's built-in plugins.")
@click.pass_context
def plugins(ctx: click.Context, config_path: Path | None, show_all: bool) -> None:
    """List installed plugins and the hooks each implements."""
    pm = plugin_manager(ctx, _optional_config(config_path))
    rows: list[dict[str, Any]] = []
    for info in pm.info.values():
        if info.source == "builtin" and not show_all:
            continue
        plugin = pm.get_plugin(info.name)
        hooks = sorted(caller.name for caller in pm.get_hookcallers(plugin) or [])
        rows.append(
            {
                "name": info.name,
                "source": info.source,
                "module": info.module,
                "distribution": info.distribution,
                "version": info.version,
                "hooks": hooks,
            }
        )
    if ctx.obj["log_format"] == "json":
        click.echo(json.dumps(rows))
        return
    if not rows:
        click.echo("no plugins installed (nanoka plugins --all shows the built-ins)")
        return
    _table(
        ["plugin", "source", "distribution", "hooks"],
        [
            [
                r["name"],
                r["source"],
                f"{r['distribution']} {r['version']}" if r["distribution"] else r["module"],
                ", ".join(r["hooks"]),
            ]
            for r in rows
        ],
    )


@cli.command()
@click.option(
    "--database",
    metavar="NAME",
    help="The D1 database's name in wrangler.jsonc and the config. Default: this folder's name.",
)
def init(database: str | None) -> None:
    """Start a project here: models, config, drizzle.config.ts, wrangler.jsonc, package.json.

    Never overwrites a file: existing ones are listed as skipped.
    """
    from nanoka_core.cli import init as scaffold
    from nanoka_core.log import get_logger

    folder = Path.cwd()
    name = database if database is not None else scaffold.default_database(folder)
    source = "--database" if database is not None else f"the folder name {folder.name!r}"
    scaffold.check_database(name, source)
    todo = scaffold.plan(folder, name)
    scaffold.write(folder, todo)
    log = get_logger()
    for path in todo.create:
        log.info(f"created {path}")
    for path in todo.append:
        log.info(f"added nanoka's lines to {path}")
    if todo.skipped:
        log.info(f"skipped (already there, left as is): {', '.join(todo.skipped)}")
    click.echo("Next, run:\n" + "".join(f"  {step}\n" for step in scaffold.NEXT_STEPS), nl=False)


@cli.command("import")
@click.argument("schema", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@config_option
@click.option(
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    default=Path("app/models.py"),
    show_default=True,
    help="The models module to write.",
)
@click.option(
    "--partial", is_flag=True, help="Write the models even when some constructs cannot be imported."
)
@click.option("--force", is_flag=True, help="Replace an existing output file.")
def import_(schema: Path, config_path: Path | None, output: Path, partial: bool, force: bool) -> None:
    """Write nanoka models for an existing Drizzle SQLite schema (SCHEMA.ts).

    drizzle-orm loads the file as drizzle-kit does; `nanoka generate` on the
    models then writes a schema drizzle-kit finds identical.
    """
    from nanoka_core.cli import importer
    from nanoka_core.config import with_keys
    from nanoka_core.files import write_text_atomic
    from nanoka_core.log import get_logger

    config = _optional_config(config_path)
    project_dir = config.project_dir if config else Path.cwd()
    schema_output = config.output if config else project_dir / "drizzle" / "schema.ts"
    naming = (config.table_prefix, config.export_names) if config else ("", None)
    result = importer.import_schema(schema, project_dir, schema_output, *naming)
    target = output if output.is_absolute() else Path.cwd() / output
    if target.exists() and not force:
        raise NanokaError(
            f"{output} already exists; nothing was written: choose another --output, or --force"
        )
    prefix = naming[0] or result.config.get("table-prefix", "")
    rule = naming[1] or result.config.get("export-names")
    hook = plugin_manager(click.get_current_context(), config).hook
    # Without --partial, what cannot be imported is refused first (_write_models), all of it at once.
    problem = None
    if partial or not result.unimportable:
        problem = importer.generate_problem(result.source, hook, prefix, rule)
    if problem is not None:
        raise NanokaError(
            f"{schema}: `nanoka generate` would refuse the models written for it, so nothing was written:\n"
            f"  {problem}\n"
            "the names are your code's API, so nanoka does not choose others: rename that table or export "
            f"in {schema} (and where it is imported), then import again"
        )
    settings = ", ".join(f"{key} = {json.dumps(value)}" for key, value in result.config.items())
    config_text = with_keys(config, result.config) if config and result.config else None
    _write_models(str(schema), result, target, partial, output, project_dir)
    log = get_logger()
    if result.not_tables:
        log.warning(
            f"not tables, left where they are in {schema}: {', '.join(result.not_tables)}; keep that module "
            "for them, or move them to one of their own"
        )
    if config is not None and config_text is not None:
        write_text_atomic(config.path, config_text)
        log.info(f"added {settings} to {config.path.name}")
    module = importer.module_name(target, project_dir)
    if config is None:
        keys = {"models": [module], **result.config}
        lines = [f"{key} = {json.dumps(value)}" for key, value in keys.items()]
        click.echo(
            "No nanoka config here: put these lines in nanoka.toml (or under [tool.nanoka] in "
            "pyproject.toml), then run `nanoka generate`:\n" + "".join(f"  {line}\n" for line in lines),
            nl=False,
        )
    elif module not in config.models:
        log.info(f"add {module!r} to `models` in {config.path.name}, then run `nanoka generate`")


@cli.command()
@config_option
@target_options
@click.option(
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    default=Path("app/models.py"),
    show_default=True,
    help="The models module to write (it must be listed in the config's `models`).",
)
@click.option(
    "--partial", is_flag=True, help="Write the models even when some constructs cannot be imported."
)
@click.option("--force", is_flag=True, help="Replace an existing output file.")
@local_option
@click.pass_context
def pull(
    ctx: click.Context,
    config_path: Path | None,
    db: str | None,
    remote: bool,
    env: str | None,
    wrangler_config: Path | None,
    output: Path,
    partial: bool,
    force: bool,
    local: bool,
) -> None:
    """Write models for a live D1 that has no Drizzle schema, and a baseline migration.

    The baseline (the models' first migration, `NNNN_baseline.sql`) is
    recorded as applied on that database without running it. Where a CREATE
    TABLE declares UNIQUE, a pending `NNNN_unique_indexes.sql` rebuilds that
    table so it has the named unique index drizzle-kit declares.
    """
    from nanoka_core.cli import pull as pulling
    from nanoka_core.drizzle.cache import CACHE_DIR
    from nanoka_core.log import get_logger
    from nanoka_core.migrations.live_schema import inline_unique_tables

    check_local(local, remote)
    run_ctx, database = open_target(ctx, config_path, db, remote, env, wrangler_config, "pull")
    folder = pulling.empty_migrations_folder(run_ctx.config)
    name = pulling.check_target(run_ctx, output, force)
    result, statements = pulling.read_database(run_ctx, name, remote, database)
    target = output if output.is_absolute() else Path.cwd() / output
    cache = run_ctx.config.path.parent / CACHE_DIR
    with pulling.all_or_nothing([target, run_ctx.config.output], [folder, cache]):
        _write_models(name, result, target, partial, output, run_ctx.project_dir)
        try:
            ctx.invoke(generate, config_path=config_path, migration_name="baseline")
        except NanokaError as e:
            raise NanokaError(
                f"`nanoka generate` refused the models written for {name}, so nothing was written:\n  {e}"
            ) from e
        baseline, rebuilds = pulling.check_baseline(folder, statements, name)
        if rebuilds:
            ctx.invoke(generate, config_path=config_path, custom="unique_indexes")
            follow_up = pulling.write_unique_rebuilds(folder, baseline, rebuilds)
        pulling.record(run_ctx, name, remote, baseline, database.migrations_table)
    where = "remote" if remote else "local"
    log = get_logger()
    log.info(f"baseline {baseline} recorded as applied on {name} ({where}) without running it")
    if rebuilds:
        tables = ", ".join(inline_unique_tables(statements))
        log.warning(
            f"{follow_up} is pending: it rebuilds {tables}, whose CREATE TABLE declares UNIQUE, so that "
            "each becomes the named unique index drizzle-kit writes for unique() (a later migration that "
            f"drops or renames one needs it); run `nanoka generate --apply{' --remote' if remote else ''}`, "
            "which rehearses it on a copy of the database first"
        )


def _write_models(
    source: str, result: Any, target: Path, partial: bool, shown: Path, project_dir: Path
) -> None:
    """Write the imported models, unless something could not be imported and --partial is not given."""
    from nanoka_core.cli.importer import lacks_node_types
    from nanoka_core.files import write_text_atomic
    from nanoka_core.log import get_logger

    log = get_logger()
    if result.unimportable and not partial:
        raise NanokaError(
            f"{source}: {len(result.unimportable)} construct(s) nanoka cannot express; nothing was written:\n"
            + "\n".join(f"  {item}" for item in result.unimportable)
            + "\nRun with --partial to write the models without them."
        )
    for item in result.unimportable:
        log.warning(f"not imported: {item}")
    target.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(target, result.source)
    log.info(f"wrote {shown}: {result.tables} tables, {result.columns} columns")
    if result.buffer_columns and lacks_node_types(project_dir):
        log.warning(
            f"{', '.join(result.buffer_columns)}: blob({{ mode: 'buffer' }}) holds a Buffer, a type "
            f"TypeScript takes from @types/node, which {project_dir} lacks: tsc types these columns `any` "
            "(no error); "
            "add it with `npm install --save-dev @types/node`"
        )


def _table(header: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(str(c)) for c in column) for column in zip(header, *rows, strict=True)]
    for row in [header, *rows]:
        click.echo("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())


cli.add_command(hash_migrations)
cli.add_command(resolve)
cli.add_command(diff)


def main() -> None:
    import atexit
    import gc

    # Runs last, before the interpreter tears down: its collections at exit would
    # walk every field and model again (a sixth of a 5,000-model run) to free nothing.
    atexit.register(gc.freeze)
    cli(prog_name="nanoka")


if __name__ == "__main__":
    main()
