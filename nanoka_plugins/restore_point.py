"""The ``restore-point`` stage: a D1 Time Travel bookmark before a remote apply.

A migration that fails half-way, or one that does what it says but not what
was meant, is undone on D1 by restoring the database to a bookmark. So
before ``--apply --remote`` runs wrangler, nanoka asks for the current
bookmark and logs the exact restore command; the ``wrangler`` stage repeats
it as the last line when the apply fails. No bookmark, no apply, unless
``--no-restore-point`` says so.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import NamedTuple

from nanoka_core import Context, Stage, hookimpl
from nanoka_core.errors import NanokaError


class RestorePoint(NamedTuple):
    bookmark: str
    command: str
    """The command that restores the database to ``bookmark``, as the user would type it."""


def take_restore_point(ctx: Context) -> RestorePoint:
    import shlex

    from nanoka_core.tools import tool_command

    assert ctx.database is not None  # the wrangler stage's check makes sure
    database = ctx.database
    try:
        result = ctx.run_tool(
            ["wrangler", "d1", "time-travel", "info", database, "--json", *ctx.wrangler_flags],
            capture=True,
            echo=False,
        )
        bookmark = json.loads(result.stdout)["bookmark"]
        if not isinstance(bookmark, str) or not bookmark:
            raise ValueError(f"no bookmark in {result.stdout.strip()!r}")
    except (NanokaError, ValueError, KeyError, TypeError) as e:
        raise NanokaError(
            f"could not get a Time Travel bookmark for {database}, so there would be no restore point "
            f"if the migrations go wrong; nothing was applied. {e}\n"
            "Fix the cause and run again, or pass --no-restore-point to apply without one."
        ) from e
    restore = [
        "wrangler", "d1", "time-travel", "restore", database, f"--bookmark={bookmark}", *ctx.wrangler_flags
    ]
    point = RestorePoint(bookmark, shlex.join(tool_command(ctx.package_manager, restore)))
    ctx.log.info(
        f"restore point: bookmark {bookmark}; to put {database} back as it is now, run: {point.command}"
    )
    return point


@hookimpl
def nanoka_register_stages(register: Callable[[Stage], None]) -> None:
    register(
        Stage(
            "restore-point",
            run=take_restore_point,
            after=["drizzle-kit", "data-loss-guard"],  # no bookmark for an apply the guard refuses
            before=["wrangler"],
            enabled=lambda ctx: ctx.options.apply and ctx.options.remote and not ctx.options.no_restore_point,
            description="D1 Time Travel bookmark and its restore command, before a remote apply",
            runs_when="with --apply --remote, unless --no-restore-point",
        )
    )
