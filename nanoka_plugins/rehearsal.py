"""The ``rehearsal`` stage: run the pending migrations on a copy before D1 sees them.

With ``--apply`` (local) the copy is ``wrangler d1 export --local`` of the
database as it is now; with ``--apply --remote`` it is a shadow (the applied
migrations replayed from the folder, generated rows in every table), or,
with ``--rehearse-with-data``, ``wrangler d1 export --remote``. Every row is
then accounted for (``nanoka_core.migrations.rehearsal``); a row deleted or changed in
a table the migration does not write itself, or a migration that fails on
the copy, stops the run before wrangler starts. ``--allow-data-loss`` goes
ahead anyway; ``--no-rehearsal`` or ``[migrate] rehearsal = false`` skip it.
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
    where = "--remote" if ctx.options.remote else "--local"
    bad = [r for r in result.reports if not r.ok]
    lines = [
        f"refusing to apply {', '.join(r.name for r in bad)} to {ctx.database} ({where}): rehearsed on a "
        f"{result.copy}, it would lose rows nobody asked to lose, or fail. Nothing has been applied."
    ]
    for report in bad:
        lines.extend(f"  {report.name}: {loss.line()}" for loss in report.losses)
        if report.failure is not None:
            lines.append(f"  {report.name}: {report.failure.line()}")
    flags = " --remote" if ctx.options.remote else ""
    lines.append(
        "Change the migration so that it keeps those rows (for a rebuild: PRAGMA defer_foreign_keys = on, "
        "and set the referencing rows aside as nanoka generate does). If losing them is what you want, "
        "say so: "
        f"nanoka generate --apply{flags} --db {ctx.database} --allow-data-loss"
    )
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
