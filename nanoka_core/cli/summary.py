"""The one line a ``nanoka generate`` run ends with, and how durations read.

The facts come from what the built-in stages returned (``ctx.results``) and
from the migrations folder before and after the run, so a stage replaced by
a plugin is simply left out of the summary rather than guessed at.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, NamedTuple

from nanoka_core.log import format_duration
from nanoka_core.pipeline.hookspecs import hookimpl
from nanoka_core.pipeline.stage import Context, Stage


def _migration_files(ctx: Context) -> tuple[Path | None, set[str]]:
    """The folder and its migrations; none when the config cannot say where they are.

    An unreadable drizzle config is the ``drizzle-kit`` stage's to report (its
    check names the stage); the summary only notes what it can.
    """
    from nanoka_core.drizzle.folder import find_drizzle_config, migrations_dir, sql_files
    from nanoka_core.errors import NanokaError

    config = find_drizzle_config(ctx.config)
    if config is None:
        return None, set()
    try:
        folder = migrations_dir(config, ctx.project_dir)
    except NanokaError:
        return None, set()
    return folder, sql_files(folder)


class Summary(NamedTuple):
    schema: str | None
    """The schema file, when the ``codegen`` stage ran."""
    schema_written: bool | None
    """True: written; False: unchanged; None: not run."""
    migrations_created: list[str] | None
    """New migration files, by name; None when ``drizzle-kit`` did not run."""
    applied_to: str | None
    """The database, when the ``wrangler`` stage applied migrations."""
    where: str | None
    """``local`` or ``remote``, with ``applied_to``."""
    seconds: float

    def as_json(self) -> dict[str, Any]:
        return self._asdict()

    def line(self) -> str:
        parts = []
        if self.schema is not None:
            parts.append(f"schema {self.schema} {'written' if self.schema_written else 'unchanged'}")
        if self.migrations_created is not None:
            created = self.migrations_created
            count = f"{len(created)} migration{'' if len(created) == 1 else 's'}"
            parts.append(f"{count} created ({', '.join(created)})" if created else "no new migration")
        if self.applied_to is not None:
            parts.append(f"migrations applied to {self.applied_to} ({self.where})")
        parts.append(f"done in {format_duration(self.seconds)}")
        return "; ".join(parts)


class RunRecorder:
    """Notes the migrations folder before a run, and sums the run up after it.

    Registered as a plugin for the run: the folder is noted when the first
    stage starts, after every check passed, so a refused run reads nothing
    (the drizzle config is evaluated by Node, which caches its answer).
    """

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.started = time.perf_counter()
        self.folder: Path | None = None
        self.before: set[str] = set()
        self._noted = False

    @hookimpl
    def nanoka_stage_started(self, stage: Stage, ctx: Context) -> None:
        if ctx is self.ctx and not self._noted:
            self._noted = True
            self.folder, self.before = _migration_files(ctx) if not ctx.options.no_migrate else (None, set())

    def summary(self) -> Summary:
        from nanoka_core.drizzle.folder import sql_files
        from nanoka_core.files import display_path

        results = self.ctx.results
        schema: Any = results.get("codegen")
        created = None
        if "drizzle-kit" in results:
            now = sql_files(self.folder) if self.folder is not None else set()
            created = sorted(now - self.before)
        applied = "wrangler" in results
        return Summary(
            schema=display_path(schema.path) if isinstance(getattr(schema, "path", None), Path) else None,
            schema_written=getattr(schema, "changed", None),
            migrations_created=created,
            applied_to=self.ctx.database if applied else None,
            where=("remote" if self.ctx.options.remote else "local") if applied else None,
            seconds=time.perf_counter() - self.started,
        )

    def log(self, log_format: str) -> None:
        """One line for people; with ``--log-format json`` one ``summary`` event with the same facts."""
        from nanoka_core.log import get_logger

        summary = self.summary()
        log = get_logger()
        if log_format == "json":
            log.info("summary", **summary.as_json())
        else:
            log.info(summary.line())

