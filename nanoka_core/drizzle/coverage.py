"""Whether a migrations folder covers a schema: drizzle-kit itself is asked, on a copy."""

from __future__ import annotations

import dataclasses
import os
import shutil
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Literal

from nanoka_core.drizzle.folder import NO_CHANGES, TTY_TRAP, sql_files
from nanoka_core.tools import ToolResult

RunTool = Callable[[Sequence[str]], ToolResult]


@dataclasses.dataclass(frozen=True)
class Coverage:
    state: Literal["covered", "uncovered", "unknown"]
    """"covered" (the latest snapshot is the schema), "uncovered" (drizzle-kit would
    write a migration) or "unknown" (drizzle-kit did not say: it failed)."""
    output: str
    """What drizzle-kit printed."""


def schema_coverage(run_tool: RunTool, project_dir: Path, schema: Path, migrations: Path) -> Coverage:
    """Does the migrations folder's latest snapshot cover ``schema``?

    ``run_tool(args)`` runs a Node tool in ``project_dir`` and returns its
    captured output (a run's ``ctx.run_tool`` with ``capture=True``).

    drizzle-kit generate is asked, on a throwaway copy of the folder: only its
    "No schema changes" proves the snapshot matches; a new file means a
    migration is missing; anything else (drizzle-kit exits 0 after its own
    errors) proves nothing.
    """
    with tempfile.TemporaryDirectory(prefix="nanoka-check-") as tmp:
        copy = Path(tmp) / "migrations"
        if migrations.is_dir():
            shutil.copytree(migrations, copy)
        # drizzle-kit mishandles absolute --out paths, so give it a relative one.
        result = run_tool(
            [
                "drizzle-kit",
                "generate",
                "--dialect",
                "sqlite",
                "--schema",
                os.path.relpath(schema, project_dir),
                "--out",
                os.path.relpath(copy, project_dir),
            ]
        )
        output = (result.stdout + result.stderr).strip()
        if TTY_TRAP in output or sql_files(copy) - sql_files(migrations):
            return Coverage("uncovered", output)
        return Coverage("covered" if NO_CHANGES in output else "unknown", output)
