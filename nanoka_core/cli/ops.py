"""Commands for running D1 in production: ``nanoka hash``, ``nanoka resolve``, ``nanoka diff``.

Registered on the ``nanoka`` group by ``nanoka_core.cli.main``, which maps
errors to exit codes. Heavy imports wait inside the commands.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from nanoka_core.cli.common import check_local, config_option, local_option, open_target, target_options
from nanoka_core.errors import NanokaError

if TYPE_CHECKING:
    from nanoka_core.d1.wrangler_config import D1Database
    from nanoka_core.pipeline.stage import Context

@click.command("hash")
@config_option
@click.pass_context
def hash_migrations(ctx: click.Context, config_path: Path | None) -> None:
    """Write nanoka.sum afresh from the migrations, after a deliberate edit.

    The sum records each migration's hash; `nanoka check` and `--apply`
    report a migration that no longer matches it. Run this only for an edit
    no database has applied: a database that applied the old version keeps it.
    """
    from nanoka_core.config import load_config
    from nanoka_core.drizzle.folder import find_drizzle_config, migrations_dir
    from nanoka_core.migrations.checksum import SUM_NAME, rehash

    config = load_config(config_path)
    drizzle_config = find_drizzle_config(config)
    if drizzle_config is None:
        raise NanokaError(f"no drizzle config next to {config.path.name}: nanoka hash reads its migrations")
    folder = migrations_dir(drizzle_config, config.project_dir)
    if not folder.is_dir():
        raise NanokaError(f"{folder} does not exist yet: run nanoka generate first")
    changed = rehash(folder)
    import structlog

    log = structlog.get_logger("nanoka")
    what = f"new hash for {', '.join(changed)}" if changed else "nothing changed"
    log.info(f"wrote {folder / SUM_NAME}: {what}", data={"changed": changed})


@click.command()
@config_option
@target_options
@click.option("--applied", "applied_name", metavar="NAME", help="Record NAME as applied; run nothing.")
@click.option("--rolled-back", "rolled_back_name", metavar="NAME", help="Remove the record of NAME.")
@click.option("--yes", is_flag=True, help="Do not ask (needed off a terminal).")
@click.pass_context
def resolve(
    ctx: click.Context,
    config_path: Path | None,
    db: str | None,
    remote: bool,
    env: str | None,
    wrangler_config: Path | None,
    applied_name: str | None,
    rolled_back_name: str | None,
    yes: bool,
) -> None:
    """Change the database's migration ledger by hand, after an incident or for a baseline.

    \b
      --applied NAME      the changes of NAME are in the database (made by hand, or a
                          baseline): record it as applied; --apply will not run it
      --rolled-back NAME  the changes of NAME are not in the database: forget the
                          record; the next --apply runs NAME again
    Shows the change first and asks; off a terminal it needs --yes.
    """
    from nanoka_core.d1.ledger import applied_migrations, ledger_change, record_applied_sql, remove_record_sql
    from nanoka_core.migrations.checksum import migration_files, seal

    if (applied_name is None) == (rolled_back_name is None):
        raise click.UsageError("give one of --applied NAME or --rolled-back NAME")
    name = applied_name or rolled_back_name or ""
    name = name if name.endswith(".sql") else f"{name}.sql"
    run_ctx, database = open_target(ctx, config_path, db, remote, env, wrangler_config, "resolve")
    assert run_ctx.database is not None
    where = f"{run_ctx.database} ({'remote' if remote else 'local'})"
    table = database.migrations_table
    flags = run_ctx.wrangler_flags
    applied = applied_migrations(run_ctx.run_tool, run_ctx.database, remote, flags, table, entry=database)
    folder = database.migrations_dir
    if applied_name is not None:
        if name not in migration_files(folder):
            raise NanokaError(f"--applied {name}: there is no such migration in {folder}")
        if name in applied:
            click.echo(f"{name} is already recorded as applied on {where}: nothing to do")
            return
        sql = record_applied_sql(table, name)
        change = f"record {name} as applied on {where} without running it"
    else:
        if name not in applied:
            raise NanokaError(f"--rolled-back {name}: {where} has no record of it in {table}")
        sql = remove_record_sql(table, name)
        change = f"remove the record of {name} from {table} on {where}; the next --apply runs it again"
    click.echo(f"nanoka resolve will {change}:\n  {sql}", err=True)
    if not yes:
        if not sys.stdin.isatty():
            raise NanokaError("nanoka resolve changes the ledger only when told: run it again with --yes")
        if not click.confirm("Go ahead?", default=False, err=True):
            raise NanokaError("nothing was changed")
    ledger_change(run_ctx.run_tool, run_ctx.database, remote, sql, run_ctx.wrangler_flags)
    if applied_name is not None:
        seal(folder, [name])
    click.echo(f"done: {change}", err=True)


def echo_json(data: object) -> None:
    click.echo(json.dumps(data))


EXIT_DRIFT = 1
EXIT_CANNOT_TELL = 2


@click.command()
@config_option
@target_options
@local_option
@click.pass_context
def diff(
    ctx: click.Context,
    config_path: Path | None,
    db: str | None,
    remote: bool,
    env: str | None,
    wrangler_config: Path | None,
    local: bool,
) -> None:
    """Compare the database's schema with what its applied migrations promise.

    Replays the migrations the database's ledger lists into a scratch SQLite,
    reads the live schema (wrangler d1 export --no-data) and prints every
    table, column, index, foreign key, check, trigger or view that differs.
    Exit 0 when they match, 1 when they drift, 2 when it cannot tell.
    """
    check_local(local, remote)
    run_ctx, database = open_target(ctx, config_path, db, remote, env, wrangler_config, "diff")
    report = drift_report(run_ctx, database)
    if ctx.obj["log_format"] == "json":
        echo_json(report)
    else:
        click.echo("\n".join(drift_lines(report)))
    ctx.exit({"equal": 0, "drift": EXIT_DRIFT}.get(str(report["state"]), EXIT_CANNOT_TELL))


def drift_report(run_ctx: Context, database: D1Database) -> dict[str, object]:
    """``state`` (equal, drift, unknown), the ``differences`` as data, or ``reason`` when unknown."""
    from nanoka_core.d1.ledger import applied_migrations, export_schema
    from nanoka_core.errors import ToolError
    from nanoka_core.migrations.drift import CannotTell, describe, differences, replayed

    assert run_ctx.database is not None
    remote = run_ctx.options.remote
    head: dict[str, object] = {"database": run_ctx.database, "where": "remote" if remote else "local"}
    table = database.migrations_table
    folder = database.migrations_dir
    try:
        flags = run_ctx.wrangler_flags
        applied = applied_migrations(run_ctx.run_tool, run_ctx.database, remote, flags, table, entry=database)
        missing = [name for name in applied if not (folder / name).is_file()]
        if missing:
            raise CannotTell(f"applied migrations not in {folder}: {', '.join(missing)} (restore them)")
        live = export_schema(run_ctx.run_tool, run_ctx.database, remote, flags, entry=database)
        promised = replayed((name, (folder / name).read_text(encoding="utf-8")) for name in applied)
        actual = replayed([("the exported schema", live)])
        found = differences(describe(promised, [table]), describe(actual, [table]))
    except (CannotTell, ToolError) as e:
        return {**head, "state": "unknown", "reason": str(e), "differences": []}
    return {
        **head,
        "state": "drift" if found else "equal",
        "applied": applied,
        "differences": [d.as_json() for d in found],
    }


def drift_lines(report: dict[str, object]) -> list[str]:
    where = f"{report['database']} ({report['where']})"
    if report["state"] == "unknown":
        return [f"cannot tell whether {where} matches its migrations: {report['reason']}"]
    differences = report["differences"]
    assert isinstance(differences, list)
    if not differences:
        return [f"{where} matches its {len(report['applied'])} applied migration(s)"]  # type: ignore[arg-type]
    lines = [f"{where} differs from what its applied migrations give ({len(differences)} difference(s)):"]
    lines += [f"  {d['line']}" for d in differences]
    lines.append(
        "Write the change as a migration (nanoka generate, or --custom for hand SQL) and, if the database "
        "already has it, record it with nanoka resolve --applied NAME; or undo the change by hand"
    )
    return lines
