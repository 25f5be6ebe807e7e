"""The ``drizzle-kit`` stage: ``drizzle-kit generate`` writes SQL migrations.

drizzle-kit asks in a terminal whether a changed column was renamed or
dropped. The models answer with ``renamed_from`` declarations: nanoka works
out the questions from the latest snapshot before drizzle-kit runs, and
answers them on a pseudo-terminal, in CI and in a terminal alike. A question
nothing answers goes to the user in a terminal, and fails the stage
elsewhere before anything is written. Without a terminal, drizzle-kit
0.31.10+ would print "Interactive prompts require a TTY terminal", write
nothing and still exit 0, so nanoka also reads its output for that.
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
    latest_snapshot,
    migrations_dir,
    sql_files,
)
from nanoka_core.errors import ConfigError, ToolError
from nanoka_core.pipeline import Context
from nanoka_core.renames import CREATE, RenamePlan, build_plan


def check(ctx: Context) -> None:
    configured = ctx.config.migrate.drizzle_config
    if configured is not None and not configured.is_file():
        raise ConfigError(
            f"{ctx.config.path}: migrate.drizzle-config points at {configured}, which does not exist"
        )
    if find_drizzle_config(ctx.config) is not None:
        from nanoka_core.tools import require_package_manager

        require_package_manager(ctx.package_manager)


def generate_migrations(ctx: Context) -> Path | None:
    config = find_drizzle_config(ctx.config)
    if config is None:
        ctx.log.info(
            f"no {', '.join(DRIZZLE_CONFIG_NAMES)} in {ctx.project_dir}; skipping migrations "
            "(set migrate.drizzle-config to use another file)"
        )
        return None
    args = ["drizzle-kit", "generate", "--config", os.path.relpath(config, ctx.project_dir)]
    migrations = migrations_dir(config)
    interactive = sys.stdin.isatty() and sys.stdout.isatty()
    plan = build_plan(ctx.models, latest_snapshot(migrations), no_renames=ctx.options.no_renames)
    answered = [q for q in plan.questions if q.answer is not None]
    if plan.unanswered and not interactive:
        from nanoka_core.drizzle_prompts import unanswered_message

        raise ToolError(unanswered_message(plan.unanswered))
    if interactive and not answered:
        ctx.run_tool(args)
        return config
    before = sql_files(migrations)
    if answered:
        output = _answering_prompts(ctx, args, plan, interactive)
    else:
        result = ctx.run_tool(args, capture=True)
        output = result.stdout + result.stderr
    schema_changed = getattr(ctx.results.get("codegen"), "changed", False)
    if TTY_TRAP in output or (
        schema_changed and NO_CHANGES not in output and sql_files(migrations) == before
    ):
        raise ToolError(
            "drizzle-kit needs an answer: a column or table was renamed or dropped, and it asks "
            "which one you meant. No migration was written. Declare the rename in the model "
            "(.renamed_from(...) on a field, renamed_from=... on a model), pass --no-renames if "
            "nothing was renamed, or run `nanoka generate` in a terminal and answer the prompt."
        )
    return config


def _answering_prompts(ctx: Context, args: list[str], plan: RenamePlan, interactive: bool) -> str:
    """Run drizzle-kit on a pseudo-terminal, its rename questions answered from the plan."""
    import shlex

    from nanoka_core.drizzle_prompts import Prompt, PromptSession
    from nanoka_core.tools import require_package_manager, tool_command

    def on_answer(prompt: Prompt, answer: str) -> None:
        where = f"{prompt.table}.{prompt.name}" if prompt.kind == "column" else prompt.name
        said = "created" if answer == CREATE else f"renamed from {answer}"
        ctx.log.info(f"drizzle-kit asked about {prompt.kind} {where}: answered {said}")

    shown = tool_command(ctx.package_manager, args)
    argv = [require_package_manager(ctx.package_manager), *shown[1:]]
    ctx.log.info(f"running {shlex.join(shown)} (rename questions answered from renamed_from)")
    session = PromptSession(
        argv, cwd=ctx.project_dir, plan=plan, interactive=interactive, on_answer=on_answer
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
