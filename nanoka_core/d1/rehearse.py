"""Rehearse what ``wrangler d1 migrations apply`` would apply now, on a copy of the database.

The copy: SQLite's own copy of the local D1's file (``d1.local_file``), else
``wrangler d1 export`` of the local D1; ``wrangler d1 export`` of the remote
one, on request; or, for the remote D1 by default, a shadow built from the
folder (``nanoka_core.migrations.shadow``). The rows are accounted for by
``nanoka_core.migrations.rehearsal``. Used by the ``rehearsal`` stage and by
``nanoka status``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nanoka_core.d1.ledger import RunTool, applied_migrations
from nanoka_core.errors import NanokaError, ToolError

if TYPE_CHECKING:
    import sqlite3

    from nanoka_core.d1.wrangler_config import D1Database
    from nanoka_core.migrations.rehearsal import MigrationRehearsal

LOCAL_COPY = "local copy"
LOCAL_EXPORT = "local export"
REMOTE_EXPORT = "remote export"
SHADOW = "shadow (generated rows)"


class RehearsalError(NanokaError):
    """A pending migration loses rows or fails on the copy, or there is no copy to rehearse on."""


@dataclasses.dataclass(frozen=True)
class Rehearsal:
    copy: str
    """What the migrations ran on: ``LOCAL_COPY``, ``LOCAL_EXPORT``, ``REMOTE_EXPORT`` or ``SHADOW``."""
    pending: tuple[str, ...]
    reports: tuple[MigrationRehearsal, ...]
    not_rehearsed: dict[str, str] = dataclasses.field(default_factory=dict)
    """Tables the shadow could not fill -> why (no row of theirs was at stake in the rehearsal)."""

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
        if not found and report.rows == 0:
            found.append(f"rehearsed on the {self.copy}: it runs (no rows yet, so none at stake)")
        elif not found:
            found.append(
                f"rehearsed on the {self.copy} ({report.rows} rows): none lost or changed beyond what "
                "the migration itself writes or drops"
            )
        if self.not_rehearsed:
            found.append(f"not rehearsed (no row could be made): {', '.join(sorted(self.not_rehearsed))}")
        return found


def rehearse_pending(
    run_tool: RunTool,
    database: str,
    *,
    remote: bool,
    wrangler_flags: Sequence[str],
    folder: Path,
    migrations_table: str,
    with_data: bool = False,
    applied: Sequence[str] | None = None,
    to: str | None = None,
    entry: D1Database | None = None,
) -> Rehearsal:
    """Rehearse the folder's migrations that ``database`` has not applied (up to ``to``, with ``--to``).

    Local: on a copy of its file (with its wrangler config ``entry``), else on
    an export. Remote: on a shadow, or with ``with_data`` on an export.
    ``applied``: what the remote has applied, when the caller already asked.
    """
    from nanoka_core.d1.ledger import pending_up_to
    from nanoka_core.migrations.checksum import migration_files
    from nanoka_core.migrations.rehearsal import applied_names, load_dump, rehearse_on

    not_rehearsed: dict[str, str] = {}
    if remote and not with_data:
        if applied is None:
            applied = applied_migrations(run_tool, database, True, wrangler_flags, migrations_table)
        conn, not_rehearsed = _shadow(database, folder, migrations_table, applied)
        copy = SHADOW
    else:
        from nanoka_core.d1.local_file import local_copy

        local = local_copy(entry) if entry is not None and not remote else None
        copy = LOCAL_COPY
        if local is None:
            local = load_dump(export(run_tool, database, remote=remote, wrangler_flags=wrangler_flags))
            copy = REMOTE_EXPORT if remote else LOCAL_EXPORT
        conn = local
        applied = applied_names(conn, migrations_table)
    pending = pending_up_to(migration_files(folder), applied, to)
    try:
        texts = [(name, (folder / name).read_text(encoding="utf-8")) for name in pending]
        reports = rehearse_on(conn, texts, migrations_table)
    finally:
        conn.close()
    return Rehearsal(copy, tuple(pending), tuple(reports), not_rehearsed)


def export(run_tool: RunTool, database: str, *, remote: bool, wrangler_flags: Sequence[str]) -> str:
    """``wrangler d1 export`` of the database, as SQL text (an empty database exports one PRAGMA)."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="nanoka-rehearsal-") as scratch:
        output = Path(scratch) / "export.sql"
        where = "--remote" if remote else "--local"
        try:
            run_tool(
                ["wrangler", "d1", "export", database, where, f"--output={output}", *wrangler_flags],
                capture=True,
                echo=False,
            )
        except ToolError as e:
            raise RehearsalError(
                f"cannot make a copy of {database} ({where}) to rehearse the pending migrations on, so "
                f"nothing was applied: {e}\nFix the cause, or apply without a rehearsal: --no-rehearsal "
                "(wrangler cannot export a database with virtual tables, e.g. FTS5)"
            ) from e
        try:
            return output.read_text(encoding="utf-8")
        except OSError as e:
            raise RehearsalError(
                f"`wrangler d1 export {database} {where}` exited 0 but wrote no export to rehearse on "
                f"({e}); nothing was applied. Skip the rehearsal with --no-rehearsal if wrangler cannot "
                "export."
            ) from e


def _shadow(
    database: str, folder: Path, migrations_table: str, applied: Sequence[str]
) -> tuple[sqlite3.Connection, dict[str, str]]:
    from nanoka_core.migrations.shadow import build_shadow

    missing = [name for name in applied if not (folder / name).is_file()]
    if missing:
        raise RehearsalError(
            f"cannot rehearse on a shadow of {database}: it applied {', '.join(missing)}, which "
            f"{folder} does not hold. Rehearse on its data with --rehearse-with-data, or skip with "
            "--no-rehearsal."
        )
    texts = [(name, (folder / name).read_text(encoding="utf-8")) for name in applied]
    shadow = build_shadow(texts, migrations_table)
    if shadow.failure is not None:
        name, failure = shadow.failure
        shadow.conn.close()
        raise RehearsalError(
            f"cannot rehearse on a shadow of {database}: {name}, which it applied, {failure.line()} "
            "when replayed on an empty database. Rehearse on its data with --rehearse-with-data, or skip "
            "with --no-rehearsal."
        )
    return shadow.conn, shadow.empty
