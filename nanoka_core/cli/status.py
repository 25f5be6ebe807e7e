"""``nanoka status``: the migrations in the folder, applied or pending on a D1 database.

Which ones a database has applied comes from the database itself (wrangler's
``d1_migrations`` table, read by the caller); what a pending one risks comes
from the data-loss classifier (``migration_risks``), as ``generate`` reports it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any


@dataclasses.dataclass(frozen=True)
class MigrationState:
    name: str
    """The file name, as wrangler records it (``0001_x.sql``)."""
    applied: bool
    risks: tuple[Mapping[str, Any], ...] = ()
    """For a pending migration: each risky statement (``code``, ``table``, ``column``, ``reason``...)."""


@dataclasses.dataclass(frozen=True)
class StatusReport:
    database: str
    remote: bool
    folder: Path
    migrations: tuple[MigrationState, ...]
    unknown: tuple[str, ...]
    """Applied on the database, but not in the folder (deleted, or from another branch)."""

    @property
    def where(self) -> str:
        return "remote" if self.remote else "local"

    @property
    def pending(self) -> list[MigrationState]:
        return [m for m in self.migrations if not m.applied]

    def as_json(self) -> dict[str, Any]:
        return {
            "database": self.database,
            "where": self.where,
            "folder": str(self.folder),
            "migrations": [
                {"name": m.name, "state": "applied" if m.applied else "pending", "risks": list(m.risks)}
                for m in self.migrations
            ],
            "applied_not_in_folder": list(self.unknown),
        }

    def lines(self) -> list[str]:
        """The report for people: one line per migration, risk lines under pending ones."""
        applied = len(self.migrations) - len(self.pending)
        lines = [
            f"{self.database} ({self.where}): {applied} applied, {len(self.pending)} pending, "
            f"in {self.folder}"
        ]
        for migration in self.migrations:
            lines.append(f"  {'applied' if migration.applied else 'pending'}  {migration.name}")
            lines.extend(f"           {risk['line']}" for risk in migration.risks)
        lines.extend(f"  applied  {name}  (not in the folder)" for name in self.unknown)
        return lines


def migration_status(
    folder: Path,
    database: str,
    *,
    remote: bool,
    applied: Sequence[str],
) -> StatusReport:
    """Line up the folder's migrations with what ``database`` has applied.

    :param applied: the names the database has applied, as wrangler records them.
    """
    names = sorted(p.name for p in folder.glob("*.sql")) if folder.is_dir() else []
    done = set(applied)
    pending = [name for name in names if name not in done]
    risks = pending_risks(folder, pending) if pending else {}
    return StatusReport(
        database=database,
        remote=remote,
        folder=folder,
        migrations=tuple(
            MigrationState(name, name in done, tuple(risks.get(name, ()))) for name in names
        ),
        unknown=tuple(name for name in applied if name not in names),
    )


def pending_risks(folder: Path, names: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
    """Each named migration's risky statements, judged against the schema before it, and its D1 findings."""
    from nanoka_core.migrations.d1_lint import lint_file
    from nanoka_core.migrations.reader import read_migrations
    from nanoka_core.migrations.risks import assess

    wanted = set(names)
    risks: dict[str, list[dict[str, Any]]] = {name: [] for name in names}
    if (folder / "meta" / "_journal.json").is_file():
        for migration in read_migrations(folder):
            if migration.path.name in wanted:
                risks[migration.path.name] = [{**r.as_json(), "line": r.line()} for r in assess(migration)]
    for name in names:
        risks[name] += [{**f.as_json(), "line": f.text()} for f in lint_file(folder / name)]
    return risks
