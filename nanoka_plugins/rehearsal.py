"""The ``rehearsal`` stage: run the pending migrations on a copy before D1 sees them.

With ``--apply`` (local) the copy is ``wrangler d1 export --local`` of the
database as it is now; with ``--apply --remote`` it is a shadow (the applied
migrations replayed from the folder, generated rows in every table), or,
with ``--rehearse-with-data``, ``wrangler d1 export --remote``. Every row is
then accounted for (``nanoka_core.migrations.rehearsal``); a row deleted or changed in
a table the migration does not write itself, or a migration that fails on
the copy, stops the run before wrangler starts. ``--allow-data-loss`` goes
ahead anyway (the refusal offers it only for lost rows: a migration that fails
would fail on D1 too); ``--no-rehearsal`` or ``[migrate] rehearsal = false`` skip it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from nanoka_core import Context, Stage, hookimpl

if TYPE_CHECKING:
    from nanoka_core.d1.rehearse import Rehearsal


def rehearse(ctx: Context) -> Rehearsal:
    """Rehearse what wrangler would apply now, on the copy this run calls for."""
    from nanoka_core.d1.rehearse import rehearse_pending
    from nanoka_core.d1.wrangler_config import wrangler_database

    assert ctx.database is not None  # the wrangler stage's check makes sure
    found = wrangler_database(
        ctx.project_dir, ctx.wrangler_config, ctx.wrangler_env, ctx.database, required=True
    )
    assert found is not None
    return rehearse_pending(
        ctx.run_tool,
        ctx.database,
        remote=ctx.options.remote,
        wrangler_flags=ctx.wrangler_flags,
        folder=found[1].migrations_dir,
        migrations_table=found[1].migrations_table,
        with_data=ctx.options.rehearse_with_data,
        to=ctx.options.to,
        entry=found[1],
    )


def run_rehearsal(ctx: Context) -> Rehearsal | None:
    replacement = next((s for s in ctx.stages if s.replaces == "wrangler"), None)
    if replacement is not None:
        ctx.log.info(
            f"not rehearsing: plugin {replacement.plugin!r} applies the migrations in place of wrangler, "
            "so there is no D1 to copy"
        )
        return None
    from nanoka_core.d1.rehearse import RehearsalError

    result = rehearse(ctx)
    summary = (
        f"rehearsed {len(result.reports)} pending migration{'s' if len(result.reports) != 1 else ''} "
        f"on a {result.copy}"
    )
    if result.not_rehearsed:
        summary += f"; not rehearsed (no row could be made): {', '.join(sorted(result.not_rehearsed))}"
    log = ctx.log.info if result.ok else ctx.log.warning
    log(summary if result.ok else f"{summary}: rows at stake", data=result.as_json())
    if not result.ok and not ctx.options.allow_data_loss:
        raise RehearsalError(_refusal(ctx, result))
    return result


def _refusal(ctx: Context, result: Rehearsal) -> str:
    """Why the run stops, and what to do: ``--allow-data-loss`` only where it helps, for rows lost
    or changed by a migration that runs; a migration that fails would fail on D1 too."""
    where = "--remote" if ctx.options.remote else "--local"
    bad = [r for r in result.reports if not r.ok]
    failure = next((r.failure for r in bad if r.failure is not None), None)
    losses = any(r.losses for r in bad)
    found = [
        *(["it would lose rows nobody asked to lose"] if losses else []),
        *(["it fails on the database as it is"] if failure is not None else []),
    ]
    lines = [
        f"refusing to apply {', '.join(r.name for r in bad)} to {ctx.database} ({where}): rehearsed on a "
        f"{result.copy}, {' and '.join(found)}. Nothing has been applied."
    ]
    for report in bad:
        lines.extend(f"  {report.name}: {loss.line()}" for loss in report.losses)
        if report.failure is not None:
            lines.append(f"  {report.name}: {report.failure.line()}")
    if losses:
        text = (
            "Change the migration so that it keeps those rows (for a rebuild: PRAGMA defer_foreign_keys = "
            "on, and set the referencing rows aside as nanoka generate does)."
        )
        if failure is None:
            flags = " --remote" if ctx.options.remote else ""
            text += (
                " If losing them is what you want, say so: "
                f"nanoka generate --apply{flags} --db {ctx.database} --allow-data-loss"
            )
        lines.append(text)
    if failure is not None:
        if failure.about_rows:
            what = (
                "SQLite refuses it over rows the database holds (named above): change those rows first, or "
                "change the migration so that it handles them."
            )
        else:
            what = (
                "It fails whatever the rows: fix the migration, or the models it was generated from. If the "
                "database is not what the migrations make (a table made by hand, a migration edited after "
                "it was applied), `nanoka status` and `nanoka diff` show where they part."
            )
        lines.append(f"{what} --allow-data-loss cannot help: D1 would fail the same way and roll it back.")
    return "\n".join(lines)


@hookimpl
def nanoka_register_stages(register: Callable[[Stage], None]) -> None:
    register(
        Stage(
            "rehearsal",
            run=run_rehearsal,
            after=["drizzle-kit", "preserve-rows", "data-loss-guard", "d1-preflight"],
            before=["restore-point", "wrangler"],
            enabled=lambda ctx: (
                ctx.options.apply and not ctx.options.no_rehearsal and ctx.config.migrate.rehearsal
            ),
            description="run the pending migrations on a copy of the database; refuse if rows would be lost",
            runs_when="with --apply, unless --no-rehearsal or rehearsal = false",
        )
    )
