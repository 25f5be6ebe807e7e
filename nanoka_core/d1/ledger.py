"""What a D1 database says about itself, read through ``wrangler d1 execute --json``,
or for the local D1 straight from its file when it is where wrangler keeps it (``d1.local_file``).

wrangler records each applied migration in the ``d1_migrations`` table, or
the database's ``migrations_table`` in the wrangler config (created by the
first ``migrations apply``), so a database without it has applied nothing yet.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from nanoka_core.errors import ToolError
from nanoka_core.migrations.reader import sql_string

if TYPE_CHECKING:
    import sqlite3

    from nanoka_core.d1.wrangler_config import D1Database
    from nanoka_core.tools import ToolResult

MIGRATIONS_TABLE = "d1_migrations"

RunTool = Callable[..., "ToolResult"]
"""``run_tool(args, capture=True, echo=False)``, as ``Context.run_tool``."""


def applied_migrations(
    run_tool: RunTool,
    database: str,
    remote: bool,
    wrangler_flags: Sequence[str] = (),
    migrations_table: str = MIGRATIONS_TABLE,
    *,
    entry: D1Database | None = None,
) -> list[str]:
    """Names of the migrations ``database`` has applied (``name.sql``), in the order applied.

    Raises ``ToolError`` when the database cannot be asked: nanoka must not
    guess what is pending. ``wrangler_flags`` select the environment and
    config, as for every wrangler call of the run. With its wrangler config
    ``entry``, the local D1 is read from its file when it is there.
    """
    if not remote and entry is not None:
        from nanoka_core.d1.local_file import read_local

        names = read_local(entry, lambda conn: _ledger(conn, migrations_table))
        if names is not None:
            return names
    where = "--remote" if remote else "--local"
    args: Sequence[str] = [
        "wrangler",
        "d1",
        "execute",
        database,
        where,
        "--json",
        "--command",
        f"SELECT name FROM {migrations_table} ORDER BY id",
        *wrangler_flags,
    ]
    try:
        result = run_tool(args, capture=True, echo=False)
    except ToolError as e:
        if f"no such table: {migrations_table}" in str(e):
            return []
        raise ToolError(f"cannot tell which migrations {database} ({where}) has applied: {e}") from e
    return parse_names(result.stdout, database, where)


def _ledger(conn: sqlite3.Connection, migrations_table: str) -> list[str]:
    """The ledger's names, read from the database itself (none before the first apply made it)."""
    exists = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ? COLLATE NOCASE"
    if conn.execute(exists, (migrations_table,)).fetchone() is None:
        return []
    return [str(name) for (name,) in conn.execute(f'SELECT name FROM "{migrations_table}" ORDER BY id')]


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


def pending_up_to(files: Sequence[str], applied: Sequence[str], to: str | None) -> list[str]:
    """The migrations an apply runs, in wrangler's order: not applied, and not after ``to``."""
    done = set(applied)
    ordered = sorted(files, key=apply_order)
    if to is not None:
        ordered = ordered[: ordered.index(to) + 1]
    return [name for name in ordered if name not in done]


def apply_order(name: str) -> tuple[int, str]:
    """wrangler sorts by name, then (stably) by the number before the first ``_``."""
    number = name.split("_", 1)[0]
    return (int(number) if number.isdigit() else -1, name)


def ledger_change(
    run_tool: RunTool,
    database: str,
    remote: bool,
    sql: str,
    wrangler_flags: Sequence[str] = (),
) -> None:
    """Run one statement on the ledger (``nanoka resolve``); a failure is a ``ToolError`` that says so."""
    where = "--remote" if remote else "--local"
    args = ["wrangler", "d1", "execute", database, where, "--json", "--command", sql, *wrangler_flags]
    try:
        run_tool(args, capture=True, echo=False)
    except ToolError as e:
        raise ToolError(f"could not change the ledger of {database} ({where}): {e}") from e


def record_applied_sql(migrations_table: str, name: str) -> str:
    """What ``wrangler d1 migrations apply`` records for a migration, without running it."""
    return (
        f"CREATE TABLE IF NOT EXISTS {migrations_table}(id INTEGER PRIMARY KEY AUTOINCREMENT, "
        "name TEXT UNIQUE, applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL); "
        f"INSERT INTO {migrations_table} (name) VALUES ({sql_string(name)})"
    )


def remove_record_sql(migrations_table: str, name: str) -> str:
    return f"DELETE FROM {migrations_table} WHERE name = {sql_string(name)}"


def export_schema(
    run_tool: RunTool,
    database: str,
    remote: bool,
    wrangler_flags: Sequence[str] = (),
    *,
    entry: D1Database | None = None,
) -> str:
    """The database's schema as SQL (``wrangler d1 export --no-data``); else a ``ToolError``.

    With its wrangler config ``entry``, the local D1's file gives the same text without wrangler.
    """
    import tempfile
    from pathlib import Path

    where = "--remote" if remote else "--local"
    if not remote and entry is not None:
        from nanoka_core.d1.local_file import local_schema_dump

        try:
            dump = local_schema_dump(entry)
        except ValueError as e:  # a virtual table: the export refuses it too
            raise ToolError(f"cannot read the schema of {database} ({where}): {e}") from e
        if dump is not None:
            return dump
    with tempfile.TemporaryDirectory(prefix="nanoka-export-") as tmp:
        output = Path(tmp) / "schema.sql"
        args = ["wrangler", "d1", "export", database, where, "--no-data", f"--output={output}"]
        args += wrangler_flags
        try:
            run_tool(args, capture=True, echo=False)
            return output.read_text(encoding="utf-8")
        except (ToolError, OSError) as e:
            raise ToolError(f"cannot read the schema of {database} ({where}): {e}") from e
