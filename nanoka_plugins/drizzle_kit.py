"""The ``drizzle-kit`` stage: ``drizzle-kit generate`` writes SQL migrations.

drizzle-kit asks in a terminal whether a changed column was renamed or
dropped. Without a terminal (CI, a pipe), drizzle-kit 0.31.10+ prints
"Interactive prompts require a TTY terminal", writes nothing and still exits
0. So off a terminal nanoka reads the output and turns that into a failure.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

from nanoka_core import Stage, hookimpl
from nanoka_core.config import DRIZZLE_CONFIG_NAMES
from nanoka_core.drizzle import NO_CHANGES, TTY_TRAP, find_drizzle_config, migrations_dir, sql_files
from nanoka_core.errors import ConfigError, NanokaError, ToolError
from nanoka_core.pipeline import Context


def check(ctx: Context) -> None:
    if ctx.options.custom is not None and not ctx.output.is_file():
        raise NanokaError(
            f"--custom needs the schema drizzle-kit diffs against, and {ctx.output} does not exist: "
            "run nanoka generate first"
        )
    configured = ctx.config.migrate.drizzle_config
    if configured is not None and not configured.is_file():
        raise ConfigError(
            f"{ctx.config.path}: migrate.drizzle-config points at {configured}, which does not exist"
        )
    config = find_drizzle_config(ctx.config)
    if config is None and (ctx.options.custom or ctx.options.migration_name) is not None:
        flag = "--custom" if ctx.options.custom is not None else "--name"
        names = ", ".join(DRIZZLE_CONFIG_NAMES)
        raise ConfigError(f"{flag} needs a drizzle config ({names}) in {ctx.project_dir}")
    if config is not None:
        from nanoka_core.tools import require_node_package, require_package_manager

        require_package_manager(ctx.package_manager)
        require_node_package(ctx.project_dir, "drizzle-kit", ctx.package_manager)
        migrations_dir(config, ctx.project_dir)  # a config whose `out` cannot be known fails here


def generate_migrations(ctx: Context) -> Path | None:
    config = find_drizzle_config(ctx.config)
    if config is None:
        ctx.log.info(
            f"no {', '.join(DRIZZLE_CONFIG_NAMES)} in {ctx.project_dir}; skipping migrations "
            "(set migrate.drizzle-config to use another file)"
        )
        return None
    args = ["drizzle-kit", "generate", "--config", os.path.relpath(config, ctx.project_dir)]
    if ctx.options.custom is not None:
        return _custom_migration(ctx, config, [*args, "--custom", f"--name={ctx.options.custom}"])
    if ctx.options.migration_name is not None:
        args.append(f"--name={ctx.options.migration_name}")
    if sys.stdin.isatty() and sys.stdout.isatty():
        ctx.run_tool(args)
        return config
    migrations = migrations_dir(config, ctx.project_dir)
    before = sql_files(migrations)
    result = ctx.run_tool(args, capture=True)
    output = result.stdout + result.stderr
    schema_changed = getattr(ctx.results.get("codegen"), "changed", False)
    if TTY_TRAP in output or (
        schema_changed and NO_CHANGES not in output and sql_files(migrations) == before
    ):
        raise ToolError(
            "drizzle-kit needs an answer: a column or table was renamed or dropped, and it asks "
            "which one you meant. No migration was written. Run `nanoka generate` (or "
            "`npx drizzle-kit generate`) in a terminal and answer the prompt."
        )
    return config


def _custom_migration(ctx: Context, config: Path, args: list[str]) -> Path:
    """An empty migration for hand-written SQL: drizzle-kit copies the last snapshot, asks nothing."""
    migrations = migrations_dir(config, ctx.project_dir)
    before = sql_files(migrations)
    ctx.run_tool(args)
    written = sorted(sql_files(migrations) - before)
    if not written:
        raise ToolError(f"drizzle-kit exited 0 but wrote no migration in {migrations}")
    ctx.log.info(
        f"wrote {migrations / written[0]}: put your SQL there, then run nanoka generate --apply "
        "(or wrangler d1 migrations apply)"
    )
    return config


@hookimpl
def nanoka_register_stages(register: Callable[[Stage], None]) -> None:
    register(
        Stage(
            "drizzle-kit",
            run=generate_migrations,
            check=check,
            after=["codegen"],
            enabled=lambda ctx: not ctx.options.no_migrate,
            description="drizzle-kit generate: SQL migrations from the schema",
            runs_when="unless --no-migrate",
        )
    )
