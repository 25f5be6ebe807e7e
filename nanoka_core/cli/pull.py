"""``nanoka pull``: models for a live D1 that has no Drizzle schema, and a baseline.

The database's ``CREATE`` statements (``wrangler d1 export --no-data``) are
read back by SQLite (``migrations.live_schema``) and written as models by the
same writer as ``nanoka import``. ``nanoka generate --name baseline`` then
writes the first migration; it is checked to build the same schema as the
database (as SQLite reads both back) and only then recorded as applied on the
database, without running it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from nanoka_core.errors import NanokaError, ToolError

if TYPE_CHECKING:
    from nanoka_core.cli.importer import ImportResult
    from nanoka_core.config import Config
    from nanoka_core.d1.wrangler_config import D1Database
    from nanoka_core.pipeline.stage import Context


def empty_migrations_folder(config: Config) -> Path:
    """The migrations folder, which must hold no migration yet: a baseline starts the history."""
    from nanoka_core.drizzle.folder import find_drizzle_config, migrations_dir

    drizzle_config = find_drizzle_config(config)
    if drizzle_config is None:
        raise NanokaError(
            f"no drizzle config next to {config.path.name} (or set migrate.drizzle-config): "
            "nanoka pull writes the baseline migration where the drizzle config says"
        )
    folder = migrations_dir(drizzle_config, config.project_dir)
    existing = sorted(p.name for p in folder.glob("*.sql")) if folder.is_dir() else []
    if existing:
        raise NanokaError(
            f"{folder} already has migrations ({', '.join(existing)}); nanoka pull starts a project's "
            "migration history with a baseline, so it needs an empty migrations folder"
        )
    return folder


def check_target(ctx: Context, output: Path, force: bool) -> str:
    """The database to read (``open_target`` checked it); the output must be a listed module."""
    from nanoka_core.cli.importer import module_name

    assert ctx.database is not None
    target = output if output.is_absolute() else Path.cwd() / output
    module = module_name(target, ctx.project_dir)
    if module not in ctx.config.models:
        raise NanokaError(
            f"{output} would be module {module!r}, which is not in `models` of {ctx.config.path.name}; "
            "add it there first (the baseline is generated from the configured models)"
        )
    if target.exists() and not force:
        raise NanokaError(
            f"{output} already exists; nothing was written: choose another --output, or --force"
        )
    return ctx.database


def read_database(
    ctx: Context, database: str, remote: bool, entry: D1Database
) -> tuple[ImportResult, list[str]]:
    """The database's models, and the ``CREATE`` statements they were read from."""
    from nanoka_core.cli.importer import models_source
    from nanoka_core.d1.ledger import export_schema
    from nanoka_core.migrations.live_schema import create_statements, describe

    where = "remote" if remote else "local"
    try:
        dump = export_schema(ctx.run_tool, database, remote, ctx.wrangler_flags, entry=entry)
    except ToolError as e:
        if "virtual table" not in str(e).lower():
            raise
        raise NanokaError(
            f"D1 cannot export a database with virtual tables (FTS5 and the like), and nanoka pull reads "
            f"{database} ({where}) through `wrangler d1 export`; nothing was written. nanoka cannot declare "
            "a virtual table either: copy its rows and CREATE VIRTUAL TABLE aside, drop it, pull, then "
            "recreate it in a migration of your own (`nanoka generate --custom NAME`)"
        ) from e
    _refuse_a_migration_history(ctx, database, remote, entry, dump)
    statements = create_statements(dump, skip=(entry.migrations_table,))
    schema = describe(statements)
    if not schema["tables"]:
        raise NanokaError(
            f"D1 database {database} ({where}) has no tables, so there is nothing to pull; nothing was "
            "written: write models and run `nanoka generate --apply` instead"
        )
    result = models_source(
        schema,
        {},
        schema_file=Path(f"{database}.sql"),
        output_schema=ctx.config.output,
        origin=f"of D1 database {database} ({where}), read by `nanoka pull`",
        table_prefix=ctx.config.table_prefix,
        export_names=ctx.config.export_names,
        exports=False,
    )
    return result, statements


def _refuse_a_migration_history(
    ctx: Context, database: str, remote: bool, entry: D1Database, dump: str
) -> None:
    """A database whose ledger lists migrations was made by migrations: it needs none of pull."""
    import re

    from nanoka_core.d1.ledger import applied_migrations

    table = entry.migrations_table
    if not re.search(rf"CREATE TABLE\s+[`\"\[]?{re.escape(table)}\b", dump, re.IGNORECASE):
        return
    applied = applied_migrations(ctx.run_tool, database, remote, ctx.wrangler_flags, table, entry=entry)
    if applied:
        raise NanokaError(
            f"D1 database {database} ({'remote' if remote else 'local'}) already records {len(applied)} "
            f"applied migration(s) in {table} (the last: {applied[-1]}), so it has a migration history and "
            "needs no baseline; nothing was written. Put back the migrations folder those came from (from "
            "version control), then `nanoka status`"
        )


def check_baseline(folder: Path, statements: list[str], database: str) -> tuple[str, list[str]]:
    """The one migration generate wrote, which must build the database's schema exactly, and
    what the database must run to match it where a ``CREATE TABLE`` declares a UNIQUE
    (``live_schema.unique_rebuilds``; empty when nothing)."""
    from nanoka_core.migrations.live_schema import differences, read_back, unique_rebuilds

    written = sorted(folder.glob("*.sql"))
    if len(written) != 1:
        raise NanokaError(
            f"expected one baseline migration in {folder}, found {len(written)}; nothing was recorded"
        )
    text = written[0].read_text(encoding="utf-8")
    migration = [s.strip() for s in text.split("--> statement-breakpoint") if s.strip()]
    rebuilds = unique_rebuilds(statements, migration)
    found = differences(read_back(statements + rebuilds), read_back(migration))
    if found:
        raise NanokaError(
            f"{written[0].name} would not build the schema of {database}, so it was not recorded as "
            "applied, and nothing was written:\n" + "\n".join(f"  {line}" for line in found)
        )
    return written[0].name, rebuilds


def write_unique_rebuilds(folder: Path, baseline: str, rebuilds: list[str]) -> str:
    """Fill the empty migration ``generate --custom`` made after ``baseline`` with ``rebuilds``,
    rewritten by preserve-rows like any new rebuild, so the rows that reference a rebuilt
    table stay; its file name."""
    from nanoka_core.files import write_text_atomic
    from nanoka_core.migrations.reader import BREAKPOINT, read_migrations
    from nanoka_core.migrations.rewrite import preserve_rows

    (path,) = [p for p in sorted(folder.glob("*.sql")) if p.name != baseline]
    text = f"{BREAKPOINT}\n".join(f"{statement}\n" for statement in rebuilds)
    write_text_atomic(path, text)
    (migration,) = [m for m in read_migrations(folder) if m.path.name == path.name]
    write_text_atomic(path, preserve_rows(migration, text) or text)
    return path.name


def record(ctx: Context, database: str, remote: bool, name: str, migrations_table: str) -> None:
    """Enter ``name`` in the database's ledger as applied, as wrangler would after running it."""
    from nanoka_core.d1.ledger import ledger_change, record_applied_sql

    sql = record_applied_sql(migrations_table, name)
    ledger_change(ctx.run_tool, database, remote, sql, ctx.wrangler_flags)


@contextlib.contextmanager
def all_or_nothing(files: list[Path], folders: list[Path]) -> Iterator[None]:
    """On any failure, put ``files`` and ``folders`` (with all they hold) back as they were:
    a failed pull leaves nothing behind, so it runs again as it ran the first time."""
    import shutil

    before: dict[Path, bytes | None] = {file: file.read_bytes() if file.is_file() else None for file in files}
    existed = {folder: folder.is_dir() for folder in folders}
    kept_folders = set()
    for folder in (f for f in folders if existed[f]):
        for path in folder.rglob("*"):
            if path.is_dir():
                kept_folders.add(path)
            elif path.is_file():
                before[path] = path.read_bytes()
    try:
        yield
    except BaseException:
        for folder in folders:
            if not existed[folder]:
                shutil.rmtree(folder, ignore_errors=True)
                continue
            for path in sorted(folder.rglob("*"), reverse=True):
                if path.is_file() and path not in before:
                    path.unlink()
                elif path.is_dir() and path not in kept_folders and not any(path.iterdir()):
                    path.rmdir()
        for file, content in before.items():
            if content is None:
                file.unlink(missing_ok=True)
            elif not file.is_file() or file.read_bytes() != content:
                file.parent.mkdir(parents=True, exist_ok=True)
                file.write_bytes(content)
        raise
