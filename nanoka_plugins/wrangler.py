"""The ``wrangler`` stage: apply migrations to D1 with ``--apply``."""

from __future__ import annotations

import re
from collections.abc import Callable

from nanoka_core import Stage, hookimpl
from nanoka_core.errors import NanokaError, ToolError
from nanoka_core.pipeline import Context

# 1-64 of A-Za-z0-9_-; not starting with "-", which wrangler would read as a flag.
DATABASE_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_-]{0,63}\Z")


def check(ctx: Context) -> None:
    database = ctx.database
    if database is None:
        raise NanokaError(
            "--apply needs a database: pass --db NAME or set database under [migrate] "
            f"in {ctx.config.path.name}"
        )
    if not DATABASE_NAME.match(database):
        raise NanokaError(
            f"database name {database!r} is not valid: use 1 to 64 letters, digits, '_' or '-', "
            "not starting with '-' "
            "(the name of the D1 binding's database in wrangler.jsonc)"
        )
    from nanoka_core.tools import require_package_manager

    require_package_manager(ctx.package_manager)


def apply_migrations(ctx: Context) -> str:
    assert ctx.database is not None
    where = "--remote" if ctx.options.remote else "--local"
    try:
        ctx.run_tool(["wrangler", "d1", "migrations", "apply", ctx.database, where])
    except ToolError as e:
        restore = getattr(ctx.results.get("restore-point"), "command", None)
        if restore is None:
            raise
        raise ToolError(
            f"{e}\nMigrations before the failing one stay applied. To put {ctx.database} back as it "
            f"was before this run, restore the bookmark taken first:\n  {restore}"
        ) from e
    return where


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
