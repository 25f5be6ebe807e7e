"""``nanoka check``: is the project's generated state current and consistent?

Nothing is written: the schema is rendered in memory and compared with the
file; the migrations folder is read, and drizzle-kit works on a temporary
copy of it.
"""

from __future__ import annotations

import dataclasses
import difflib
import os
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from nanoka_core.codegen import render_for
from nanoka_core.drizzle import (
    NO_CHANGES,
    TTY_TRAP,
    find_drizzle_config,
    folder_problems,
    latest_snapshot,
    migrations_dir,
    sql_files,
)
from nanoka_core.errors import NanokaError, PluginError
from nanoka_core.pipeline import Context, Stage, run_pipeline
from nanoka_core.renames import build_plan

if TYPE_CHECKING:
    from nanoka_core.migration_risks import Risk


@dataclasses.dataclass
class CheckReport:
    schema: Path
    schema_state: str  # "up to date", "differs" or "missing"
    diff: str = ""
    migrations: Path | None = None
    problems: list[str] = dataclasses.field(default_factory=list)
    notes: list[str] = dataclasses.field(default_factory=list)
    """Worth knowing, not wrong: renamed_from declarations that no longer do anything."""
    risks: list[Risk] = dataclasses.field(default_factory=list)
    """What the data-loss guard says about each migration's risky statements (warnings, not failures)."""

    @property
    def ok(self) -> bool:
        return self.schema_state == "up to date" and not self.problems

    def as_json(self) -> dict[str, object]:
        return {
            "ok": self.ok,
            "schema": {"path": str(self.schema), "state": self.schema_state, "diff": self.diff},
            "migrations": {
                "path": str(self.migrations) if self.migrations else None,
                "problems": self.problems,
                "risks": [risk.as_json() for risk in self.risks],
            },
            "notes": self.notes,
        }


def check_project(ctx: Context, stages: list[Stage]) -> CheckReport:
    """Load the models as ``generate`` would, then compare and inspect."""
    loaders = [s for s in stages if s.name == "load-config"]
    if not loaders:
        raise PluginError("nanoka check needs a 'load-config' stage, and none is registered")
    run_pipeline(loaders, ctx)
    expected = render_for(ctx)
    report = CheckReport(schema=ctx.output, schema_state="missing")
    if ctx.output.is_file():
        actual = ctx.output.read_text(encoding="utf-8")
        report.schema_state = "up to date" if actual == expected else "differs"
        report.diff = "".join(
            difflib.unified_diff(
                actual.splitlines(keepends=True),
                expected.splitlines(keepends=True),
                fromfile=f"{ctx.output} (on disk)",
                tofile=f"{ctx.output} (from the models)",
            )
        )
    drizzle_config = find_drizzle_config(ctx.config)
    if drizzle_config is None:
        return report
    report.migrations = migrations_dir(drizzle_config)
    report.problems = folder_problems(report.migrations)
    if report.problems:
        return report
    report.risks = _risks(report.migrations)
    report.notes = build_plan(ctx.models, latest_snapshot(report.migrations)).inert
    try:
        ctx.run_tool(
            ["drizzle-kit", "check", "--config", os.path.relpath(drizzle_config, ctx.project_dir)],
            capture=True,
            echo=False,
        )
    except NanokaError as e:
        report.problems.append(f"drizzle-kit check failed: {e}")
        return report
    if report.schema_state == "up to date":
        report.problems.extend(_uncovered_changes(ctx, report.migrations))
    return report


def _risks(migrations: Path) -> list[Risk]:
    """The guard's reading of every migration in the folder (``nanoka_core.migration_risks``)."""
    if not (migrations / "meta" / "_journal.json").is_file():
        return []
    from nanoka_core.migration_risks import assess
    from nanoka_core.migration_sql import read_migrations

    return [risk for migration in read_migrations(migrations) for risk in assess(migration)]


def _uncovered_changes(ctx: Context, migrations: Path) -> list[str]:
    """Would drizzle-kit generate write a migration? Asked of a throwaway copy."""
    with tempfile.TemporaryDirectory(prefix="nanoka-check-") as tmp:
        copy = Path(tmp) / "migrations"
        if migrations.is_dir():
            shutil.copytree(migrations, copy)
        # drizzle-kit mishandles absolute --out paths, so give it a relative one.
        result = ctx.run_tool(
            [
                "drizzle-kit",
                "generate",
                "--dialect",
                "sqlite",
                "--schema",
                os.path.relpath(ctx.output, ctx.project_dir),
                "--out",
                os.path.relpath(copy, ctx.project_dir),
            ],
            capture=True,
            echo=False,
        )
        output = result.stdout + result.stderr
        if TTY_TRAP in output or sql_files(copy) - sql_files(migrations):
            return [
                "the schema has changes that no migration covers yet: run nanoka generate "
                "(drizzle-kit would write a new migration)"
            ]
        if NO_CHANGES not in output:
            return [f"could not tell whether migrations are current; drizzle-kit said:\n{output.strip()}"]
        return []
