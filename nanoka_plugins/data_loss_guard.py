"""The ``data-loss-guard`` stage: report risky migrations, refuse to apply destructive ones.

After ``drizzle-kit`` it prints, for each migration that run wrote, one line
per statement that destroys data or may fail on existing rows (codes in
``nanoka_core.migrations.risks``). With ``--apply`` it asks the target D1
which migrations it has applied and, before wrangler runs, refuses a
pending one that destroys data unless ``--allow-data-loss`` is given.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from nanoka_core import Context, Stage, hookimpl
from nanoka_core.drizzle.folder import NewMigrations
from nanoka_core.errors import NanokaError

if TYPE_CHECKING:
    from nanoka_core.migrations.reader import Migration
    from nanoka_core.migrations.risks import Risk


class DataLossError(NanokaError):
    """A pending migration destroys data and --allow-data-loss was not given."""


def guard(ctx: Context, new: NewMigrations) -> list[dict[str, object]]:
    if new.folder is None or not (new.folder / "meta" / "_journal.json").is_file():
        return []
    written = set(new.tags())
    if not written and not ctx.options.apply:
        return []  # nothing new to report and nothing to apply: no SQL to read
    from nanoka_core.migrations.reader import read_migrations
    from nanoka_core.migrations.risks import assess

    risks = [(m, assess(m)) for m in read_migrations(new.folder)]
    reported = []
    for migration, found in risks:
        if migration.tag not in written:
            continue
        for risk in found:
            log = ctx.log.warning if risk.destroys else ctx.log.info
            log(f"{migration.path.name}: {risk.line()}", data=risk.as_json())
            reported.append(risk.as_json())
    destroying = [(m, r) for m, found in risks for r in found if r.destroys]
    if ctx.options.apply and not ctx.options.allow_data_loss and destroying:
        refuse_destructive_pending(ctx, destroying)
    return reported


REWRITE_CODES = ("DS111", "DS112", "MF108")
"""Risks of a drizzle-kit rebuild that the preserve-rows rewrite removes."""


def safe_way(ctx: Context, migration: Migration, risk: Risk) -> str:
    """The advice that is true for this migration: the rewrite is offered only where it would help."""
    from nanoka_core.migrations.rewrite import is_rewritten

    if risk.code not in REWRITE_CODES:
        return risk.kind.safe_way
    by_rebuild = any(r.drop.index == risk.statement for r in migration.recreations)
    set_aside = (
        "set the referencing rows aside in the migration (CREATE TABLE keep AS SELECT ..., DELETE leaves "
        "first, put them back after; PRAGMA defer_foreign_keys = on when the tables form a cycle)"
    )
    if not by_rebuild:
        return set_aside
    if is_rewritten(migration.path.read_text(encoding="utf-8")):
        return f"nanoka's rewrite of this migration does not cover this case: {set_aside}"
    if not ctx.config.migrate.preserve_rows or not ctx.will_run("preserve-rows"):
        return (
            "turn the preserve-rows rewrite back on ([migrate] preserve-rows = true, no --disable-plugin "
            "preserve-rows) and regenerate the migration"
        )
    return (
        "delete this migration (it is not applied) and let nanoka generate write it again: "
        "the preserve-rows rewrite keeps those rows"
    )


def refuse_destructive_pending(ctx: Context, destroying: list[tuple[Migration, Risk]]) -> None:
    """Refuse when a migration that destroys data is not applied yet (D1 is asked only then)."""
    from nanoka_core.d1.ledger import MIGRATIONS_TABLE, applied_migrations
    from nanoka_core.d1.wrangler_config import wrangler_database

    assert ctx.database is not None
    found = wrangler_database(
        ctx.project_dir, ctx.wrangler_config, ctx.wrangler_env, ctx.database, required=False
    )
    entry = found[1] if found is not None else None
    table = entry.migrations_table if entry is not None else MIGRATIONS_TABLE
    remote, wrangler_flags = ctx.options.remote, ctx.wrangler_flags
    applied = set(applied_migrations(ctx.run_tool, ctx.database, remote, wrangler_flags, table, entry=entry))
    pending = [(m, r) for m, r in destroying if m.path.name not in applied]
    if not pending:
        return
    where = "--remote" if ctx.options.remote else "--local"
    lines = [
        f"refusing to apply {', '.join(sorted({m.path.name for m, _ in pending}))} to {ctx.database} "
        f"({where}): it destroys data. Nothing has been applied."
    ]
    for migration, risk in pending:
        lines.append(f"  {migration.path.name}: {risk.line()}")
        lines.append(f"    why: {risk.kind.title}; the safe way: {safe_way(ctx, migration, risk)}")
    flags = " --remote" if ctx.options.remote else ""
    lines.append(
        "If losing this data is what you want, say so: "
        f"nanoka generate --apply{flags} --db {ctx.database} --allow-data-loss"
    )
    raise DataLossError("\n".join(lines))


@hookimpl
def nanoka_register_stages(register: Callable[[Stage], None]) -> None:
    new = NewMigrations()
    register(
        Stage(
            "data-loss-guard",
            run=lambda ctx: guard(ctx, new),
            check=lambda ctx: new.record(ctx.config),
            after=["drizzle-kit", "preserve-rows"],
            before=["wrangler"],
            enabled=lambda ctx: not ctx.options.no_migrate,
            description="report risky new migrations; refuse to apply one that destroys data",
            runs_when="unless --no-migrate (refuses only with --apply)",
        )
    )
