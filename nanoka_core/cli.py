"""The ``nanoka`` command.

Errors raised anywhere as ``NanokaError`` end here, in one place: one line on
stderr, exit 1 (2 for usage), a traceback only with ``-v``. Heavy imports
wait inside the commands so that ``nanoka --help`` starts fast.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from nanoka_core import __version__
from nanoka_core.config import PACKAGE_MANAGERS
from nanoka_core.errors import NanokaError

if TYPE_CHECKING:
    from nanoka_core.config import Config
    from nanoka_core.plugins import NanokaPluginManager

EXIT_INTERRUPTED = 130


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
    import structlog

    verbose = (ctx.obj or {}).get("verbosity", 0) > 0
    if verbose:
        import traceback

        traceback.print_exception(type(error), error, error.__traceback__, file=sys.stderr)
    structlog.get_logger("nanoka").error(message)
    ctx.exit(code)


config_option = click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Config file (nanoka.toml or pyproject.toml). Default: search upward from here.",
)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="nanoka")
@click.option(
    "--log-format",
    type=click.Choice(["console", "json"]),
    default="console",
    show_default=True,
    help="console: lines for people. json: one JSON object per line, for CI.",
)
@click.option("-v", "--verbose", count=True, help="More output; tracebacks on errors.")
@click.option("-q", "--quiet", count=True, help="Only warnings and errors.")
@click.option(
    "--disable-plugin",
    "disabled",
    multiple=True,
    metavar="NAME",
    help="Do not load this plugin (repeatable). Also: NANOKA_DISABLE_PLUGINS=a,b.",
)
@click.pass_context
def cli(ctx: click.Context, log_format: str, verbose: int, quiet: int, disabled: tuple[str, ...]) -> None:
    """Python models to a Cloudflare D1 database: Drizzle schema, migrations, apply."""
    from nanoka_core.log import configure

    ctx.obj = {"verbosity": verbose - quiet, "log_format": log_format, "disabled": disabled}
    configure(log_format, verbose - quiet)


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
@click.option("--force", is_flag=True, help="Overwrite an output file that nanoka did not generate.")
@click.option("--no-wait", is_flag=True, help="Fail at once if another nanoka run holds this project.")
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
    "--no-renames",
    is_flag=True,
    help='Answer "created" to every rename question no renamed_from declaration answers.',
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
    force: bool,
    no_wait: bool,
    allow_data_loss: bool,
    no_restore_point: bool,
    no_renames: bool,
) -> None:
    """Write drizzle/schema.ts, generate migrations, and with --apply apply them.

    \b
      nanoka generate                       schema + drizzle-kit generate
      nanoka generate --no-migrate          schema only
      nanoka generate --apply --db NAME     ... + wrangler d1 migrations apply --local
      nanoka generate --apply --remote      ... to the remote D1
    """
    import structlog

    from nanoka_core.config import load_config
    from nanoka_core.lock import project_lock
    from nanoka_core.pipeline import Context, Options, resolve_stages, run_pipeline

    _check_flags(no_migrate, apply, db, remote)
    if allow_data_loss and not apply:
        raise click.UsageError("--allow-data-loss only applies with --apply")
    if no_renames and no_migrate:
        raise click.UsageError("--no-renames only applies when migrations are generated (not --no-migrate)")
    if no_restore_point and not remote:
        raise click.UsageError("--no-restore-point only applies with --apply --remote")
    options = Options(
        output, no_migrate, apply, db, remote, package_manager, force,
        allow_data_loss=allow_data_loss, no_renames=no_renames, no_restore_point=no_restore_point,
    )  # fmt: skip
    config = load_config(config_path)
    pm = _plugin_manager(ctx, config)
    stages = resolve_stages(pm)
    with project_lock(config.project_dir, wait=not no_wait, log=structlog.get_logger("nanoka")):
        run_pipeline(stages, Context(config, options, pm))


def _check_flags(no_migrate: bool, apply: bool, db: str | None, remote: bool) -> None:
    if remote and not apply:
        raise click.UsageError("--remote only applies with --apply")
    if db is not None and not apply:
        raise click.UsageError("--db only applies with --apply")
    if apply and no_migrate:
        raise click.UsageError("--apply and --no-migrate contradict each other: choose one")


def _plugin_manager(ctx: click.Context, config: Config | None) -> NanokaPluginManager:
    from nanoka_core.config import extend_sys_path
    from nanoka_core.plugins import get_plugin_manager

    if config is not None:
        extend_sys_path(config)
    return get_plugin_manager(config.plugins if config else (), ctx.obj["disabled"])


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
@click.pass_context
def check(ctx: click.Context, config_path: Path | None) -> None:
    """Exit 1 if drizzle/schema.ts or the migrations are not current (for CI).

    Compares the schema the models give with the file (a diff when they
    differ) and, with a drizzle config, checks the migrations folder:
    duplicate numbers, journal and files out of step, snapshots on two
    branches, and schema changes no migration covers. Writes nothing.
    """
    from nanoka_core.check import check_project
    from nanoka_core.config import load_config
    from nanoka_core.pipeline import Context, Options, resolve_stages

    config = load_config(config_path)
    pm = _plugin_manager(ctx, config)
    report = check_project(Context(config, Options(), pm), resolve_stages(pm))
    if ctx.obj["log_format"] == "json":
        click.echo(json.dumps(report.as_json()))
    else:
        _print_check(report)
    if not report.ok:
        ctx.exit(1)


def _print_check(report: Any) -> None:
    import structlog

    log = structlog.get_logger("nanoka")
    if report.schema_state == "missing":
        log.error(f"{report.schema} does not exist: run nanoka generate")
    elif report.schema_state == "differs":
        click.echo(report.diff, nl=False)
        log.error(f"{report.schema} is not what the models give: run nanoka generate")
    for risk in report.risks:
        log.warning(f"{risk.migration}.sql: {risk.line()} ({risk.kind.level})", data=risk.as_json())
    for problem in report.problems:
        log.error(problem)
    for note in report.notes:
        log.info(f"note: {note}")
    if report.ok:
        log.info(f"{report.schema} and {report.migrations or 'the schema'} are up to date")


@cli.command()
@config_option
@click.option("--db", metavar="NAME", help="D1 database to ask. Default: the config's migrate.database.")
@click.option("--remote", is_flag=True, help="Ask the remote D1, not the local one.")
@click.pass_context
def status(ctx: click.Context, config_path: Path | None, db: str | None, remote: bool) -> None:
    """List the migrations in the folder, applied or pending on the database.

    Each pending migration shows the data-loss guard's risk lines. Exit 0;
    exit 1 only when it cannot tell (no drizzle config, no database, the
    database cannot be asked).
    """
    from nanoka_core.config import load_config
    from nanoka_core.d1 import applied_migrations
    from nanoka_core.drizzle import find_drizzle_config, migrations_dir
    from nanoka_core.pipeline import Context, Options
    from nanoka_core.status import migration_status
    from nanoka_plugins.wrangler import check as check_target

    config = load_config(config_path)
    drizzle_config = find_drizzle_config(config)
    if drizzle_config is None:
        raise NanokaError(
            f"no drizzle config next to {config.path.name} (or set migrate.drizzle-config): "
            "nanoka status reads the migrations folder the drizzle config names"
        )
    run_ctx = Context(config, Options(apply=True, db=db, remote=remote), _plugin_manager(ctx, config))
    if run_ctx.database is None:
        raise NanokaError(
            "nanoka status needs a database: pass --db NAME or set database under [migrate] "
            f"in {config.path.name}"
        )
    check_target(run_ctx)  # the name and the package manager, as an apply would check them
    applied = applied_migrations(run_ctx.run_tool, run_ctx.database, remote)
    report = migration_status(
        migrations_dir(drizzle_config), run_ctx.database, remote=remote, applied=applied
    )
    if ctx.obj["log_format"] == "json":
        click.echo(json.dumps(report.as_json()))
    else:
        click.echo("\n".join(report.lines()))


@cli.command()
@config_option
@click.option("--no-migrate", is_flag=True, help="Show what would run with --no-migrate.")
@click.option("--apply", is_flag=True, help="Show what would run with --apply.")
@click.pass_context
def stages(ctx: click.Context, config_path: Path | None, no_migrate: bool, apply: bool) -> None:
    """List the pipeline's stages in the order they run."""
    from nanoka_core.config import Config
    from nanoka_core.pipeline import Context, Options, resolve_stages

    config = _optional_config(config_path)
    pm = _plugin_manager(ctx, config)
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
    pm = _plugin_manager(ctx, _optional_config(config_path))
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


def _table(header: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(str(c)) for c in column) for column in zip(header, *rows, strict=True)]
    for row in [header, *rows]:
        click.echo("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())


def main() -> None:
    cli(prog_name="nanoka")


if __name__ == "__main__":
    main()
