"""The ``rehearsal`` stage: run the pending migrations on a copy before D1 sees them.

With ``--apply`` (local) the copy is ``wrangler d1 export --local`` of the
database as it is now; with ``--apply --remote`` it is a shadow (the applied
migrations replayed from the folder, generated rows in every table), or,
with ``--rehearse-with-data``, ``wrangler d1 export --remote``. Every row is
then accounted for (``nanoka_core.rehearsal``); a row deleted or changed in
a table the migration does not write itself, or a migration that fails on
the copy, stops the run before wrangler starts. ``--allow-data-loss`` goes
ahead anyway; ``--no-rehearsal`` or ``[migrate] rehearsal = false`` skip it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nanoka_core import Stage, hookimpl
from nanoka_core.errors import NanokaError
from nanoka_core.pipeline import Context

if TYPE_CHECKING:
    import sqlite3

    from nanoka_core.rehearsal import MigrationRehearsal


class RehearsalError(NanokaError):
    """A pending migration loses rows or fails on the copy."""


@dataclasses.dataclass(frozen=True)
class Rehearsal:
    copy: str
    """What the migrations ran on: "local export", "remote export", "shadow (generated rows)"."""
    pending: tuple[str, ...]
    reports: tuple[MigrationRehearsal, ...]
    not_rehearsed: dict[str, str] = dataclasses.field(default_factory=dict)
    """Tables the shadow could not fill -> why (their rows were never at stake in the rehearsal)."""

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.reports)

    def for_migration(self, name: str) -> MigrationRehearsal | None:
        return next((r for r in self.reports if r.name == name), None)

    def as_json(self) -> dict[str, Any]:
        return {
            "copy": self.copy,
            "ok": self.ok,
            "pending": list(self.pending),
            "migrations": [r.as_json() for r in self.reports],
            "not_rehearsed": self.not_rehearsed,
        }

    def for_migration_json(self, name: str) -> dict[str, Any]:
        report = self.for_migration(name)
        if report is None:
            return {"migration": name, "rehearsed": False, "copy": self.copy}
        return {**report.as_json(), "rehearsed": True, "copy": self.copy}

    def lines(self, name: str) -> list[str]:
        """What the rehearsal found for migration ``name``, one finding a line."""
        report = self.for_migration(name)
        if report is None:
            return ["not rehearsed (an earlier migration fails on the copy)"] if name in self.pending else []
        found = [f"loses rows: {loss.line()}" for loss in report.losses]
        if report.failure is not None:
            found.append(report.failure.line())
        return found or [f"rehearsed on the {self.copy}: every row kept ({report.rows} rows)"]


def rehearse_pending(ctx: Context, applied: Sequence[str] | None = None) -> Rehearsal:
    """Rehearse what ``wrangler d1 migrations apply`` would apply now, on the copy this run calls for.

    ``applied``: the migrations the remote has applied, when the caller already asked.
    """
    from nanoka_core.rehearsal import applied_names, load_dump, rehearse_on
    from nanoka_core.wrangler_config import wrangler_database

    assert ctx.database is not None
    found = wrangler_database(ctx, ctx.database, required=True)
    assert found is not None
    database = found[1]
    folder, table = database.migrations_dir, database.migrations_table
    remote = ctx.options.remote
    not_rehearsed: dict[str, str] = {}
    if remote and not ctx.options.rehearse_with_data:
        conn, applied, not_rehearsed = _shadow(ctx, folder, table, applied)
        copy = "shadow (generated rows)"
    else:
        conn = load_dump(_export(ctx, remote=remote))
        applied = applied_names(conn, table)
        copy = "remote export" if remote else "local export"
    done = set(applied)
    pending = [p for p in sorted(folder.glob("*.sql")) if p.name not in done]
    try:
        reports = rehearse_on(conn, [(p.name, p.read_text(encoding="utf-8")) for p in pending], table)
    finally:
        conn.close()
    return Rehearsal(copy, tuple(p.name for p in pending), tuple(reports), not_rehearsed)


def _export(ctx: Context, *, remote: bool) -> str:
    """``wrangler d1 export`` of the database, as SQL text."""
    import tempfile

    assert ctx.database is not None
    with tempfile.TemporaryDirectory(prefix="nanoka-rehearsal-") as scratch:
        output = Path(scratch) / "export.sql"
        args = ["wrangler", "d1", "export", ctx.database, "--remote" if remote else "--local"]
        ctx.run_tool([*args, f"--output={output}", *ctx.wrangler_flags], capture=True, echo=False)
        try:
            return output.read_text(encoding="utf-8")
        except OSError as e:
            raise RehearsalError(
                f"`wrangler d1 export {ctx.database}` exited 0 but wrote no export to rehearse on ({e}); "
                "nothing was applied. Skip the rehearsal with --no-rehearsal if wrangler cannot export."
            ) from e


def _shadow(
    ctx: Context, folder: Path, table: str, applied: Sequence[str] | None
) -> tuple[sqlite3.Connection, Sequence[str], dict[str, str]]:
    from nanoka_core.d1 import applied_migrations
    from nanoka_core.shadow import build_shadow

    assert ctx.database is not None
    if applied is None:
        applied = applied_migrations(ctx.run_tool, ctx.database, True, ctx.wrangler_flags, table)
    missing = [name for name in applied if not (folder / name).is_file()]
    if missing:
        raise RehearsalError(
            f"cannot rehearse on a shadow of {ctx.database}: it applied {', '.join(missing)}, which "
            f"{folder} does not hold. Rehearse on its data with --rehearse-with-data, or skip with "
            "--no-rehearsal."
        )
    shadow = build_shadow([(n, (folder / n).read_text(encoding="utf-8")) for n in applied], table)
    if shadow.failure is not None:
        name, failure = shadow.failure
        shadow.conn.close()
        raise RehearsalError(
            f"cannot rehearse on a shadow of {ctx.database}: {name}, which it applied, {failure.line()} "
            "when replayed on an empty database. Rehearse on its data with --rehearse-with-data, or skip "
            "with --no-rehearsal."
        )
    return shadow.conn, applied, shadow.empty


def run_rehearsal(ctx: Context) -> Rehearsal | None:
    replacement = next((s for s in ctx.stages if s.replaces == "wrangler"), None)
    if replacement is not None:
        ctx.log.info(
            f"not rehearsing: plugin {replacement.plugin!r} applies the migrations in place of wrangler, "
            "so there is no D1 to copy"
        )
        return None
    result = rehearse_pending(ctx)
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
            after=["drizzle-kit", "preserve-rows", "data-loss-guard"],
            before=["restore-point", "wrangler"],
            enabled=lambda ctx: (
                ctx.options.apply and not ctx.options.no_rehearsal and ctx.config.migrate.rehearsal
            ),
            description="run the pending migrations on a copy of the database; refuse if rows would be lost",
            runs_when="with --apply, unless --no-rehearsal or rehearsal = false",
        )
    )
