"""The ``wrangler`` stage: apply migrations to D1 with ``--apply``.

wrangler applies every file in the folder it has not applied yet, in name
order, journal or not: two migrations with one number (from two branches)
would both run. So a folder ``nanoka check`` calls inconsistent is refused
before wrangler starts.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from nanoka_core import Context, Stage, hookimpl
from nanoka_core.errors import ConfigError, NanokaError, ToolError

if TYPE_CHECKING:
    from pathlib import Path

    from nanoka_core.d1.wrangler_config import D1Database


def check(ctx: Context) -> None:
    database = ctx.database
    if database is None:
        raise NanokaError(
            "--apply needs a database: pass --db NAME or set database under [migrate] "
            f"in {ctx.config.path.name}"
        )
    from nanoka_core.d1.wrangler_config import DATABASE_NAME

    if not DATABASE_NAME.match(database):
        raise NanokaError(
            f"database name {database!r} is not valid: use 1 to 64 letters, digits, '_' or '-', "
            "not starting with '-' "
            "(the name of the D1 binding's database in wrangler.jsonc)"
        )
    from nanoka_core.tools import require_node_package, require_package_manager

    require_package_manager(ctx.package_manager)
    require_node_package(ctx.project_dir, "wrangler", ctx.package_manager)
    _check_wrangler_config(ctx, database)


def _check_wrangler_config(ctx: Context, name: str) -> None:
    """The database exists in the selected environment, where drizzle-kit writes, with an id for --remote."""
    from nanoka_core.d1.wrangler_config import check_migrations_dir, wrangler_database
    from nanoka_core.drizzle.folder import find_drizzle_config, migrations_dir

    found = wrangler_database(ctx.project_dir, ctx.wrangler_config, ctx.wrangler_env, name, required=True)
    assert found is not None
    path, database = found
    if ctx.options.remote and database.database_id is None:
        raise ConfigError(
            f"database {name!r} in {path} has no database_id, which --remote needs: put the id that "
            f"`npx wrangler d1 create {name}` printed there"
        )
    drizzle_config = find_drizzle_config(ctx.config)
    if drizzle_config is not None:
        out = migrations_dir(drizzle_config, ctx.project_dir)
        check_migrations_dir(out, drizzle_config, database, name, path)
    to = ctx.options.to
    if to is not None and not (database.migrations_dir / to).is_file():
        raise ConfigError(
            f"--to {to}: there is no such migration in {database.migrations_dir} "
            "(give a file name from nanoka status)"
        )


def apply_migrations(ctx: Context) -> str:
    assert ctx.database is not None
    from nanoka_core.drizzle.folder import find_drizzle_config, folder_problems, migrations_dir

    drizzle_config = find_drizzle_config(ctx.config)
    if drizzle_config is not None:
        folder = migrations_dir(drizzle_config, ctx.project_dir)
        problems = folder_problems(folder)
        if problems:
            raise NanokaError(
                f"not applying: the migrations folder {folder} is inconsistent "
                f"(nanoka check reports the same): {'; '.join(problems)}"
            )
    where = "--remote" if ctx.options.remote else "--local"
    _seal(ctx)
    try:
        if ctx.options.to is None:
            ctx.run_tool(["wrangler", "d1", "migrations", "apply", ctx.database, where, *ctx.wrangler_flags])
        else:
            _apply_up_to(ctx, ctx.options.to, where)
    except ToolError as e:
        restore = getattr(ctx.results.get("restore-point"), "command", None)
        if restore is None:
            raise
        raise ToolError(
            f"{e}\nMigrations before the failing one stay applied. To put {ctx.database} back as it "
            f"was before this run, restore the bookmark taken first:\n  {restore}"
        ) from e
    return where


def _target(ctx: Context) -> tuple[Path, D1Database]:
    """The wrangler config and its entry for the database this run applies to."""
    from nanoka_core.d1.wrangler_config import wrangler_database

    assert ctx.database is not None
    found = wrangler_database(
        ctx.project_dir, ctx.wrangler_config, ctx.wrangler_env, ctx.database, required=True
    )
    assert found is not None
    return found


def _seal(ctx: Context) -> None:
    """Unsealed (``--custom``) migrations get their hash in nanoka.sum as they are applied now."""
    from nanoka_core.d1.ledger import apply_order
    from nanoka_core.migrations.checksum import migration_files, seal

    folder = _target(ctx)[1].migrations_dir
    files = sorted(migration_files(folder), key=apply_order)
    to = ctx.options.to
    for name in seal(folder, files[: files.index(to) + 1] if to in files else files):
        ctx.log.info(f"{name}: hash recorded in nanoka.sum as it is applied; from now on an edit is reported")


def _apply_up_to(ctx: Context, to: str, where: str) -> None:
    """wrangler applies from a folder holding the migrations up to ``to`` only (it has no such flag)."""
    import os

    from nanoka_core.d1.ledger import apply_order
    from nanoka_core.d1.partial_apply import config_applying_only
    from nanoka_core.migrations.checksum import migration_files

    assert ctx.database is not None
    path, database = _target(ctx)
    files = sorted(migration_files(database.migrations_dir), key=apply_order)
    wanted = files[: files.index(to) + 1]
    env = [f"--env={ctx.wrangler_env}"] if ctx.wrangler_env is not None else []
    ctx.log.info(f"applying pending migrations up to {to} only; {len(files) - len(wanted)} later ones wait")
    with config_applying_only(path, ctx.wrangler_env, database, database.migrations_dir, wanted) as partial:
        config = f"--config={os.path.relpath(partial, ctx.project_dir)}"
        ctx.run_tool(["wrangler", "d1", "migrations", "apply", ctx.database, where, *env, config])


@hookimpl
def nanoka_register_stages(register: Callable[[Stage], None]) -> None:
    register(
        Stage(
            "wrangler",
            run=apply_migrations,
            check=check,
            after=["drizzle-kit"],
            enabled=lambda ctx: ctx.options.apply,
            description="wrangler d1 migrations apply, --local or --remote",
            runs_when="with --apply",
        )
    )
