"""What nanoka knows about drizzle-kit's files and output.

Where the drizzle config and its migrations folder are, the messages
drizzle-kit prints that matter, and the consistency of a migrations folder
(the mistakes two branches make when each generates a migration).
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

from nanoka_core.config import DRIZZLE_CONFIG_NAMES, Config
from nanoka_core.errors import ConfigError

TTY_TRAP = "Interactive prompts require a TTY terminal"
"""drizzle-kit 0.31.10+ prints this (and exits 0) when it would ask about a rename off a terminal."""
NO_CHANGES = "No schema changes"
_NUMBERED = re.compile(r"(\d+)_.+\.sql\Z")


def find_drizzle_config(config: Config) -> Path | None:
    """``migrate.drizzle-config``, else the first drizzle.config.* in the project."""
    if config.migrate.drizzle_config is not None:
        return config.migrate.drizzle_config
    for name in DRIZZLE_CONFIG_NAMES:
        candidate = config.project_dir / name
        if candidate.is_file():
            return candidate
    return None


def migrations_dir(drizzle_config: Path, project_dir: Path) -> Path:
    """The config's ``out`` folder as drizzle-kit run in ``project_dir`` resolves it."""
    from nanoka_core.drizzle.config import read_drizzle_config

    return read_drizzle_config(drizzle_config, project_dir).out


def sql_files(folder: Path) -> set[str]:
    return {p.name for p in folder.glob("*.sql")} if folder.is_dir() else set()


def latest_snapshot(folder: Path) -> dict[str, Any] | None:
    """The snapshot of the newest migration (None when there is none yet).

    Snapshots are ``meta/NNNN_snapshot.json``; the highest number is the
    schema the last migration left.
    """
    snapshots = sorted((folder / "meta").glob("*_snapshot.json")) if folder.is_dir() else []
    if not snapshots:
        return None
    try:
        data = json.loads(snapshots[-1].read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise ConfigError(f"{snapshots[-1]} is not a drizzle-kit snapshot ({e}): restore it") from e
    if not isinstance(data, dict):
        raise ConfigError(f"{snapshots[-1]} is not a drizzle-kit snapshot: restore it")
    return data


def folder_problems(folder: Path) -> list[str]:
    """Inconsistencies in a migrations folder, each saying which files and what to do."""
    if not folder.is_dir():
        return []
    problems = []
    by_number: dict[str, list[str]] = defaultdict(list)
    for name in sorted(sql_files(folder)):
        match = _NUMBERED.match(name)
        if match:
            by_number[match.group(1)].append(name)
    for number, names in sorted(by_number.items()):
        if len(names) > 1:
            problems.append(
                f"migrations {' and '.join(names)} share the number {number} (two branches each "
                "generated one): keep one, delete the others and their snapshots, then run nanoka generate"
            )
    journal_path = folder / "meta" / "_journal.json"
    if not journal_path.is_file():
        if sql_files(folder):
            problems.append(f"{journal_path} is missing: drizzle-kit cannot tell which migrations exist")
        return problems
    try:
        entries = json.loads(journal_path.read_text(encoding="utf-8"))["entries"]
        tags = [str(entry["tag"]) for entry in entries]
    except (ValueError, KeyError, TypeError) as e:
        broken = f"{journal_path} is not a drizzle-kit journal ({e}): restore it from version control"
        return [*problems, broken]
    for tag in tags:
        if f"{tag}.sql" not in sql_files(folder):
            problems.append(
                f"{journal_path.name} lists {tag} but {tag}.sql is missing: restore the file, "
                "or remove the entry and its snapshot"
            )
    for name in sorted(sql_files(folder) - {f"{tag}.sql" for tag in tags}):
        problems.append(
            f"{name} is not in {journal_path.name}, so it will never be tracked: "
            "delete it and run nanoka generate, or restore the journal entry"
        )
    problems.extend(_snapshot_problems(folder / "meta"))
    return problems


def _snapshot_problems(meta: Path) -> list[str]:
    parents: dict[str, list[str]] = defaultdict(list)
    for snapshot in sorted(meta.glob("*_snapshot.json")):
        try:
            parents[str(json.loads(snapshot.read_text(encoding="utf-8"))["prevId"])].append(snapshot.name)
        except (ValueError, KeyError, TypeError) as e:
            return [f"{snapshot} is not a drizzle-kit snapshot ({e}): restore it from version control"]
    return [
        f"snapshots {' and '.join(names)} have the same parent {parent} (migrations generated on two "
        "branches): drop the later migration and its snapshot, then run nanoka generate again"
        for parent, names in sorted(parents.items())
        if len(names) > 1
    ]


class NewMigrations:
    """Which migrations a run's ``drizzle-kit`` stage writes.

    ``record`` is called from a stage's check, before any stage runs, so it
    sees the folder as it was.
    """

    def __init__(self) -> None:
        self.folder: Path | None = None
        self.before: set[str] = set()

    def record(self, config: Config) -> None:
        found = find_drizzle_config(config)
        self.folder = migrations_dir(found, config.project_dir) if found is not None else None
        self.before = sql_files(self.folder) if self.folder is not None else set()

    def tags(self) -> list[str]:
        """The new migrations, in journal order."""
        if self.folder is None or not (self.folder / "meta" / "_journal.json").is_file():
            return []
        new = sql_files(self.folder) - self.before
        if not new:
            return []
        from nanoka_core.migrations.reader import journal_tags

        return [tag for tag in journal_tags(self.folder) if f"{tag}.sql" in new]
