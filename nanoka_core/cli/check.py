"""``nanoka check``: is the project's generated state current and consistent?

Nothing is written: the schema is rendered in memory and compared with the
file; the migrations folder is read, and drizzle-kit works on a temporary
copy of it.
"""

from __future__ import annotations

import dataclasses
import difflib
import os
from pathlib import Path
from typing import TYPE_CHECKING

from nanoka_core.drizzle.coverage import schema_coverage
from nanoka_core.drizzle.folder import find_drizzle_config, folder_problems, latest_snapshot, migrations_dir
from nanoka_core.errors import NanokaError, PluginError
from nanoka_core.migrations.renames import build_plan
from nanoka_core.pipeline.runner import run_pipeline
from nanoka_core.pipeline.stage import Context, Stage
from nanoka_core.render.codegen import render_with_hooks

if TYPE_CHECKING:
    from nanoka_core.migrations.d1_lint import Finding
    from nanoka_core.migrations.risks import Risk


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
    d1: list[Finding] = dataclasses.field(default_factory=list)
    """The D1 pre-flight lint's findings (``d1_lint``): errors fail the check, as they refuse --apply."""

    drift: dict[str, object] | None = None
    """With ``--db``: ``nanoka diff``'s report on that database (``state`` equal, drift or unknown)."""

    @property
    def ok(self) -> bool:
        refused = any(f.is_error for f in self.d1)
        drifted = self.drift is not None and self.drift["state"] != "equal"
        return self.schema_state == "up to date" and not self.problems and not refused and not drifted

    def as_json(self) -> dict[str, object]:
        return {
            "ok": self.ok,
            "schema": {"path": str(self.schema), "state": self.schema_state, "diff": self.diff},
            "migrations": {
                "path": str(self.migrations) if self.migrations else None,
                "problems": self.problems,
                "risks": [risk.as_json() for risk in self.risks],
                "d1": [finding.as_json() for finding in self.d1],
            },
            "notes": self.notes,
            "drift": self.drift,
        }


def check_project(ctx: Context, stages: list[Stage]) -> CheckReport:
    """Load the models as ``generate`` would, then compare and inspect."""
    loaders = [s for s in stages if s.name == "load-config"]
    if not loaders:
        raise PluginError("nanoka check needs a 'load-config' stage, and none is registered")
    run_pipeline(loaders, ctx)
    expected = render_with_hooks(ctx.models, ctx.hook, ctx)
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
    from nanoka_core.tools import require_node_package

    require_node_package(ctx.project_dir, "drizzle-kit", ctx.package_manager)
    report.migrations = migrations_dir(drizzle_config, ctx.project_dir)
    report.problems = folder_problems(report.migrations) + _wrangler_problems(
        ctx, drizzle_config, report.migrations
    )
    if report.problems:
        return report
    report.problems, report.notes = _sum_and_lint(report)
    report.risks = _risks(report.migrations)
    report.notes += build_plan(ctx.models, latest_snapshot(report.migrations)).inert
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
        coverage = schema_coverage(
            lambda args: ctx.run_tool(args, capture=True), ctx.project_dir, ctx.output, report.migrations
        )
        if coverage.state == "uncovered":
            report.problems.append(
                "the schema has changes that no migration covers yet: run nanoka generate "
                "(drizzle-kit would write a new migration)"
            )
        elif coverage.state == "unknown":
            report.problems.append(
                f"could not tell whether migrations are current; drizzle-kit said:\n{coverage.output}"
            )
    return report


def _wrangler_problems(ctx: Context, drizzle_config: Path, migrations: Path) -> list[str]:
    """The configured database's ``migrations_dir`` must be drizzle-kit's ``out``."""
    from nanoka_core.d1.wrangler_config import check_migrations_dir, wrangler_database
    from nanoka_core.errors import ConfigError

    if ctx.database is None:
        return []
    try:
        found = wrangler_database(
            ctx.project_dir, ctx.wrangler_config, ctx.wrangler_env, ctx.database, required=False
        )
        if found is not None:
            path, database = found
            check_migrations_dir(migrations, drizzle_config, database, ctx.database, path)
    except ConfigError as e:
        return [str(e)]
    return []


def _sum_and_lint(report: CheckReport) -> tuple[list[str], list[str]]:
    """nanoka.sum against the files (problems, notes); the D1 lint's findings go into ``report.d1``."""
    from nanoka_core.migrations.checksum import migration_files, sum_problems
    from nanoka_core.migrations.d1_lint import lint_file

    folder = report.migrations
    assert folder is not None
    report.d1 = [finding for name in migration_files(folder) for finding in lint_file(folder / name)]
    return sum_problems(folder)


def _risks(migrations: Path) -> list[Risk]:
    """The guard's reading of every migration in the folder (``nanoka_core.migrations.risks``)."""
    if not (migrations / "meta" / "_journal.json").is_file():
        return []
    from nanoka_core.migrations.reader import read_migrations
    from nanoka_core.migrations.risks import assess

    return [risk for migration in read_migrations(migrations) for risk in assess(migration)]
