"""What several commands share: ``--config``, the database options, the plugin manager, the target D1."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from nanoka_core.errors import NanokaError

if TYPE_CHECKING:
    from nanoka_core.config import Config
    from nanoka_core.d1.wrangler_config import D1Database
    from nanoka_core.pipeline.manager import NanokaPluginManager
    from nanoka_core.pipeline.stage import Context

config_option = click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Config file (nanoka.toml or pyproject.toml). Default: search upward from here.",
)
_target_options = [
    click.option("--db", metavar="NAME", help="D1 database. Default: the config's migrate.database."),
    click.option("--remote", is_flag=True, help="The remote D1, not the local one."),
    click.option("--env", metavar="NAME", help="The wrangler environment. Default: migrate.env."),
    click.option(
        "--wrangler-config",
        type=click.Path(path_type=Path, dir_okay=False),
        help="The wrangler config. Default: migrate.wrangler-config, else wrangler's search.",
    ),
]

local_option = click.option("--local", "local", is_flag=True, help="The local D1 (the default).")
"""``--local``, for commands whose ``--remote`` reads: saying the default aloud (as wrangler takes it)."""


def check_local(local: bool, remote: bool) -> None:
    if local and remote:
        raise click.UsageError("--local and --remote contradict each other: choose one")


def target_options(command: Any) -> Any:
    for option in reversed(_target_options):
        command = option(command)
    return command


def open_target(
    ctx: click.Context,
    config_path: Path | None,
    db: str | None,
    remote: bool,
    env: str | None,
    wrangler_config: Path | None,
    command: str,
) -> tuple[Context, D1Database]:
    """The run context for database ``db`` and its wrangler entry, checked as an apply would check them."""
    from nanoka_core.config import load_config
    from nanoka_core.d1.wrangler_config import wrangler_database
    from nanoka_core.pipeline.runner import resolve_stages
    from nanoka_core.pipeline.stage import Context, Options

    config = load_config(config_path)
    run_ctx = Context(
        config,
        Options(apply=True, db=db, remote=remote, env=env, wrangler_config=wrangler_config),
        plugin_manager(ctx, config),
    )
    if run_ctx.database is None:
        raise NanokaError(
            f"nanoka {command} needs a database: pass --db NAME or set database under [migrate] "
            f"in {config.path.name}"
        )
    # The name and the package manager, checked as an apply would: by the stage that applies.
    for stage in resolve_stages(run_ctx.plugin_manager):
        if "wrangler" in (stage.name, stage.replaces) and stage.check is not None:
            stage.check(run_ctx)
    found = wrangler_database(
        run_ctx.project_dir, run_ctx.wrangler_config, run_ctx.wrangler_env, run_ctx.database, required=True
    )
    assert found is not None
    return run_ctx, found[1]



def plugin_manager(ctx: click.Context, config: Config | None) -> NanokaPluginManager:
    from nanoka_core.config import extend_sys_path
    from nanoka_core.pipeline.manager import get_plugin_manager

    if config is not None:
        extend_sys_path(config)
    return get_plugin_manager(config.plugins if config else (), ctx.obj["disabled"])


