"""The ``drizzle-kit`` stage: ``drizzle-kit generate`` writes SQL migrations.

drizzle-kit asks in a terminal whether a changed column was renamed or
dropped. Without a terminal (CI, a pipe), drizzle-kit 0.31.10+ prints
"Interactive prompts require a TTY terminal", writes nothing and still exits
0. So off a terminal nanoka reads the output and turns that into a failure.

When nothing drizzle-kit reads has changed since its last successful run,
its answer is known ("No schema changes") and it is not started at all
(``nanoka_core/cache.py``); ``--no-cache`` runs it anyway.

drizzle-kit also exits 0 after its own errors (a module it cannot load, a
syntax error, a folder it cannot write), so its exit code proves nothing:
afterwards nanoka checks the migrations folder itself, as ``nanoka check``
does, and fails unless it is consistent and covers the schema.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

from nanoka_core import Stage, hookimpl
from nanoka_core.config import DRIZZLE_CONFIG_NAMES
from nanoka_core.drizzle import (
    NO_CHANGES,
    TTY_TRAP,
    find_drizzle_config,
    folder_problems,
    migrations_dir,
    sql_files,
)
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
    from nanoka_core import cache

    args = ["drizzle-kit", "generate", "--config", os.path.relpath(config, ctx.project_dir)]
    if ctx.options.custom is not None:
        return _custom_migration(ctx, config, [*args, "--custom", f"--name={ctx.options.custom}"])
    if ctx.options.migration_name is not None:
        args.append(f"--name={ctx.options.migration_name}")
    inputs = None if ctx.options.no_cache else cache.fingerprint(ctx.project_dir, config, ctx.output, args)
    if inputs is not None and cache.matches(ctx.project_dir, inputs):
        ctx.log.info("skipped, nothing changed since the last run")
        return config
    if inputs is not None:
        ctx.log.debug("running: inputs changed", changed=cache.changed_inputs(ctx.project_dir, inputs))
    migrations = migrations_dir(config, ctx.project_dir)
    before = sql_files(migrations)
    if sys.stdin.isatty() and sys.stdout.isatty() and not ctx.options.quiet:
        ctx.run_tool(args)  # the terminal stays drizzle-kit's, for its prompts
        verify_migrations(ctx, migrations, before, said=None)
    else:
        result = ctx.run_tool(args, capture=True, echo=True)
        output = (result.stdout + result.stderr).strip()
        if TTY_TRAP in output:
            raise ToolError(
                "drizzle-kit needs an answer: a column or table was renamed or dropped, and it asks "
                "which one you meant. No migration was written. Run `nanoka generate` (or "
                "`npx drizzle-kit generate`) in a terminal and answer the prompt."
            )
        verify_migrations(ctx, migrations, before, said=output)
    _remember(ctx, config, args)
    return config


def _remember(ctx: Context, config: Path, args: list[str]) -> None:
    """Record what this successful run saw, so that an identical next run can skip drizzle-kit."""
    from nanoka_core import cache

    inputs = cache.fingerprint(ctx.project_dir, config, ctx.output, args)
    if inputs is None:
        return
    try:
        cache.record(ctx.project_dir, inputs)
    except OSError as e:
        ctx.log.warning(f"could not record this run in {cache.CACHE_DIR}/ ({e}); the next run will not skip")


def verify_migrations(ctx: Context, migrations: Path, before: set[str], *, said: str | None) -> None:
    """Fail unless ``migrations`` is consistent and its latest snapshot is the schema.

    In a consistent folder, a migration drizzle-kit just wrote is the proof,
    and so is its "No schema changes" (it compared the schema with the latest
    snapshot). Otherwise drizzle-kit is asked again on a throwaway copy: an
    unchanged schema does not prove that an earlier run wrote its migration.
    ``said`` is drizzle-kit's captured output (None: it went to the terminal).
    """
    from nanoka_core.check import schema_coverage

    problems = folder_problems(migrations)
    if problems:
        wrong = f"the migrations folder {migrations} is inconsistent: " + "; ".join(problems)
    elif sql_files(migrations) - before or (said is not None and NO_CHANGES in said):
        return
    else:
        coverage = schema_coverage(ctx, migrations)
        if coverage.state == "covered":
            return
        if said is None and coverage.state == "unknown":
            said = coverage.output
        wrong = (
            f"drizzle-kit wrote no migration, and nothing shows that the migrations in {migrations} "
            f"already cover {os.path.relpath(ctx.output, ctx.project_dir)}: fix what drizzle-kit "
            "reports and run nanoka generate again"
        )
    shown = "(its output is above)" if said is None else said or "(nothing)"
    raise ToolError(f"{wrong}. drizzle-kit said:\n{shown}")


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
