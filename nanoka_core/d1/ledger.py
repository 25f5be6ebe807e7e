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


def record_baseline(
    run_tool: RunTool, database: str, remote: bool, names: Sequence[str], wrangler_flags: Sequence[str] = ()
) -> None:
    """Record ``names`` as applied on ``database`` without running them (a baseline).

    The table is created as wrangler creates it, when the database has none yet.
    """
    import re

    for name in names:
        if not re.fullmatch(r"[A-Za-z0-9_-]+\.sql", name):
            raise ToolError(f"{name!r} is not a migration file name drizzle-kit writes; nothing was recorded")
    values = ", ".join(f"('{name}')" for name in names)
    statements = (
        f"CREATE TABLE IF NOT EXISTS {MIGRATIONS_TABLE}("
        "id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT UNIQUE, "
        "applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL); "
        f"INSERT INTO {MIGRATIONS_TABLE} (name) VALUES {values}"
    )
    where = "--remote" if remote else "--local"
    run_tool(
        ["wrangler", "d1", "execute", database, where, "--command", statements, *wrangler_flags],
        capture=True,
        echo=False,
    )


def export_schema(
    run_tool: RunTool, database: str, remote: bool, output: str, wrangler_flags: Sequence[str] = ()
) -> None:
    """``wrangler d1 export --no-data``: the database's ``CREATE`` statements, written to ``output``."""
    where = "--remote" if remote else "--local"
    run_tool(
        ["wrangler", "d1", "export", database, where, "--no-data", "--output", output, *wrangler_flags],
        capture=True,
        echo=False,
    )
