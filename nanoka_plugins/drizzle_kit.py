"""The ``drizzle-kit`` stage: ``drizzle-kit generate`` writes SQL migrations.

drizzle-kit asks in a terminal whether a changed column was renamed or
dropped. The models answer with ``renamed_from`` declarations: nanoka works
out the questions from the latest snapshot before drizzle-kit runs, and
answers them on a pseudo-terminal, in CI and in a terminal alike. A question
nothing answers goes to the user in a terminal, and fails the stage
elsewhere before anything is written. Without a terminal, drizzle-kit
0.31.10+ would print "Interactive prompts require a TTY terminal", write
nothing and still exit 0, so nanoka also reads its output for that.

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
from typing import TYPE_CHECKING

from nanoka_core import Context, Stage, hookimpl
from nanoka_core.config import DRIZZLE_CONFIG_NAMES
from nanoka_core.drizzle.folder import (
    NO_CHANGES,
    TTY_TRAP,
    find_drizzle_config,
    folder_problems,
    latest_snapshot,
    migrations_dir,
    sql_files,
)
from nanoka_core.errors import ConfigError, NanokaError, ToolError

if TYPE_CHECKING:
    from nanoka_core.migrations.renames import RenamePlan


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
    from nanoka_core.drizzle import cache

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
    interactive = sys.stdin.isatty() and sys.stdout.isatty() and not ctx.options.quiet
    from nanoka_core.migrations.renames import build_plan

    plan = build_plan(ctx.models, latest_snapshot(migrations), no_renames=ctx.options.no_renames)
    answered = [q for q in plan.questions if q.answer is not None]
    if plan.unanswered and not interactive:
        from nanoka_core.drizzle.prompts import unanswered_message

        raise ToolError(unanswered_message(plan.unanswered))
    before = sql_files(migrations)
    said: str | None
    if answered:
        said = _answering_prompts(ctx, args, plan, interactive)
    elif interactive:
        ctx.run_tool(args)  # the terminal stays drizzle-kit's, for its prompts
        said = None
    else:
        result = ctx.run_tool(args, capture=True, echo=True)
        said = (result.stdout + result.stderr).strip()
    if said is not None and TTY_TRAP in said:
        raise ToolError(
            "drizzle-kit needs an answer: a column or table was renamed or dropped, and it asks "
            "which one you meant. No migration was written. Declare the rename in the model "
            "(.renamed_from(...) on a field, renamed_from=... on a model), pass --no-renames if "
            "nothing was renamed, or run `nanoka generate` in a terminal and answer the prompt."
        )
    verify_migrations(ctx, config, migrations, before, said=said)
    _remember(ctx, config, args)
    return config


def _remember(ctx: Context, config: Path, args: list[str]) -> None:
    """Record what this successful run saw, so that an identical next run can skip drizzle-kit."""
    from nanoka_core.drizzle import cache

    inputs = cache.fingerprint(ctx.project_dir, config, ctx.output, args)
    if inputs is None:
        return
    try:
        cache.record(ctx.project_dir, inputs)
    except OSError as e:
        ctx.log.warning(f"could not record this run in {cache.CACHE_DIR}/ ({e}); the next run will not skip")


def verify_migrations(
    ctx: Context, config: Path, migrations: Path, before: set[str], *, said: str | None
) -> None:
    """Fail unless ``migrations`` is consistent and its latest snapshot is the schema.

    In a consistent folder, a migration drizzle-kit just wrote is the proof,
    and so is its "No schema changes" (it compared the schema with the latest
    snapshot). Otherwise drizzle-kit is asked again on a throwaway copy: an
    unchanged schema does not prove that an earlier run wrote its migration.
    ``said`` is drizzle-kit's captured output (None: it went to the terminal).
    """
    from nanoka_core.drizzle.coverage import schema_coverage

    problems = folder_problems(migrations)
    if problems:
        wrong = f"the migrations folder {migrations} is inconsistent: " + "; ".join(problems)
    elif sql_files(migrations) - before or (said is not None and NO_CHANGES in said):
        return
    else:
        coverage = schema_coverage(
            lambda args: ctx.run_tool(args, capture=True), ctx.project_dir, config, migrations
        )
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


def _answering_prompts(ctx: Context, args: list[str], plan: RenamePlan, interactive: bool) -> str:
    """Run drizzle-kit on a pseudo-terminal, its rename questions answered from the plan."""
    import shlex

    from nanoka_core.drizzle.prompts import Prompt, PromptSession
    from nanoka_core.migrations.renames import CREATE
    from nanoka_core.tools import resolve_tool

    def on_answer(prompt: Prompt, answer: str) -> None:
        where = f"{prompt.table}.{prompt.name}" if prompt.kind == "column" else prompt.name
        said = "created" if answer == CREATE else f"renamed from {answer}"
        ctx.log.info(f"drizzle-kit asked about {prompt.kind} {where}: answered {said}")

    argv, shown, env = resolve_tool(ctx.package_manager, args, ctx.project_dir)
    ctx.log.info(f"running {shlex.join(shown)} (rename questions answered from renamed_from)")
    session = PromptSession(
        argv, cwd=ctx.project_dir, plan=plan, interactive=interactive, on_answer=on_answer, env=env
    )
    code, output = session.run()
    sys.stdout.write(output)
    sys.stdout.flush()
    if code != 0:
        raise ToolError(f"`{shlex.join(shown)}` exited with code {code}")
    return output


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
