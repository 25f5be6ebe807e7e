"""What a D1 database says about itself, read through ``wrangler d1 execute --json``.

wrangler records each applied migration in the ``d1_migrations`` table
(created by the first ``migrations apply``), so a database without it has
applied nothing yet.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from nanoka_core.errors import ToolError

if TYPE_CHECKING:
    from nanoka_core.tools import ToolResult

MIGRATIONS_TABLE = "d1_migrations"
_MISSING_TABLE = f"no such table: {MIGRATIONS_TABLE}"

RunTool = Callable[..., "ToolResult"]
"""``run_tool(args, capture=True, echo=False)``, as ``Context.run_tool``."""


def applied_migrations(
    run_tool: RunTool, database: str, remote: bool, wrangler_flags: Sequence[str] = ()
) -> list[str]:
    """Names of the migrations ``database`` has applied (``name.sql``), in the order applied.

    Raises ``ToolError`` when the database cannot be asked: nanoka must not
    guess what is pending. ``wrangler_flags`` select the environment and
    config, as for every wrangler call of the run.
    """
    where = "--remote" if remote else "--local"
    args: Sequence[str] = [
        "wrangler",
        "d1",
        "execute",
        database,
        where,
        "--json",
        "--command",
        f"SELECT name FROM {MIGRATIONS_TABLE} ORDER BY id",
        *wrangler_flags,
    ]
    try:
        result = run_tool(args, capture=True, echo=False)
    except ToolError as e:
        if _MISSING_TABLE in str(e):
            return []
        raise ToolError(f"cannot tell which migrations {database} ({where}) has applied: {e}") from e
    return parse_names(result.stdout, database, where)


def parse_names(stdout: str, database: str, where: str) -> list[str]:
    """The ``name`` column of ``wrangler d1 execute --json`` output (one statement)."""
    try:
        [statement] = json.loads(stdout)
        return [str(row["name"]) for row in statement["results"]]
    except (ValueError, TypeError, KeyError) as e:
        raise ToolError(
            f"cannot tell which migrations {database} ({where}) has applied: wrangler printed "
            f"something other than one JSON result ({e}): {stdout.strip()[:300]}"
        ) from e
