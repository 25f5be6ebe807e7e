"""End to end: the drizzle-kit cache is never wrong (real drizzle-kit).

After a successful run, an identical next run skips drizzle-kit; each input
drizzle-kit reads, changed alone, makes it run again; a corrupt cache is
ignored; a failed run records nothing.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from tests.e2e.conftest import ExampleProject

pytestmark = pytest.mark.e2e

SKIPPED = "nanoka drizzle-kit: skipped, nothing changed since the last run"
RUNNING = "nanoka drizzle-kit: running node_modules/.bin/drizzle-kit generate"
AFTER_LINE = '    "name": t.string(),\n'


def _ok(proc: Any) -> str:
    return f"exit {proc.returncode}\n--- stdout\n{proc.stdout}\n--- stderr\n{proc.stderr}"


def _generate(p: ExampleProject, *args: str) -> str:
    """Run ``nanoka generate``; whether drizzle-kit 'ran' or was 'skipped'."""
    proc = p.nanoka("generate", *args)
    assert proc.returncode == 0, _ok(proc)
    ran, skipped = RUNNING in proc.stderr, SKIPPED in proc.stderr
    assert ran != skipped, _ok(proc)
    if ran:
        assert "Reading config file" in proc.stdout, _ok(proc)  # drizzle-kit's own output
    return "ran" if ran else "skipped"


def _primed(p: ExampleProject) -> None:
    assert _generate(p) == "ran"
    assert _generate(p) == "skipped"


def test_unchanged_project_skips_drizzle_kit_in_one_line_and_no_cache_runs_it(
    example_project: ExampleProject,
) -> None:
    p = example_project
    assert _generate(p) == "ran"
    before = p.snapshot(p.migrations_dir)
    proc = p.nanoka("generate")
    assert proc.returncode == 0, _ok(proc)
    assert proc.stdout == ""  # drizzle-kit not started
    assert [line for line in proc.stderr.splitlines() if "drizzle-kit" in line] == [SKIPPED]
    assert p.snapshot(p.migrations_dir) == before
    assert _generate(p, "--no-cache") == "ran"
    assert (p.root / ".nanoka_cache" / ".gitignore").read_text(encoding="utf-8").splitlines()[-1] == "*"


def _shadow_node_modules(p: ExampleProject, version: str) -> None:
    """The shared install, but with drizzle-kit's package.json saying another version."""
    shared = (p.root / "node_modules").resolve()
    (p.root / "node_modules").unlink()
    local = p.root / "node_modules"
    local.mkdir()
    for entry in shared.iterdir():
        if entry.name != "drizzle-kit":
            (local / entry.name).symlink_to(entry)
    kit = local / "drizzle-kit"
    kit.mkdir()
    for entry in (shared / "drizzle-kit").iterdir():
        if entry.name != "package.json":
            (kit / entry.name).symlink_to(entry)
    manifest = json.loads((shared / "drizzle-kit" / "package.json").read_text(encoding="utf-8"))
    manifest["version"] = version
    (kit / "package.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")


def _only_sql(p: ExampleProject) -> str:
    [name] = p.migrations()
    return name


def _journal(p: ExampleProject) -> Path:
    return p.migrations_dir / "meta" / "_journal.json"


def _add_migration_by_hand(p: ExampleProject) -> None:
    """A hand-written migration with its journal entry, as ``drizzle-kit generate --custom`` writes it."""
    journal = json.loads(_journal(p).read_text(encoding="utf-8"))
    last = journal["entries"][-1]
    journal["entries"].append({**last, "idx": last["idx"] + 1, "when": last["when"] + 1, "tag": "0001_by_hand"})
    _journal(p).write_text(json.dumps(journal, indent=2), encoding="utf-8")
    (p.migrations_dir / "0001_by_hand.sql").write_text("SELECT 1;\n", encoding="utf-8")
    meta = p.migrations_dir / "meta"
    snapshot = json.loads((meta / "0000_snapshot.json").read_text(encoding="utf-8"))
    snapshot = {**snapshot, "prevId": snapshot["id"], "id": str(uuid.uuid4())}
    (meta / "0001_snapshot.json").write_text(json.dumps(snapshot, indent=2), encoding="utf-8")


def _remove_migration(p: ExampleProject) -> None:
    """The only migration deleted with its journal entry and snapshot: the folder stays consistent."""
    tag = _only_sql(p).removesuffix(".sql")
    journal = json.loads(_journal(p).read_text(encoding="utf-8"))
    journal["entries"] = [entry for entry in journal["entries"] if entry["tag"] != tag]
    _journal(p).write_text(json.dumps(journal, indent=2), encoding="utf-8")
    (p.migrations_dir / f"{tag}.sql").unlink()
    (p.migrations_dir / "meta" / f"{tag.split('_')[0]}_snapshot.json").unlink()


CHANGES: dict[str, Callable[[ExampleProject], None]] = {
    "schema (a model changed)": lambda p: p.edit(
        "app/models.py", AFTER_LINE, AFTER_LINE + '    "bio": t.string().optional(),\n'
    ),
    "drizzle config": lambda p: p.edit(
        "drizzle.config.ts", "dialect: 'sqlite',", "dialect: 'sqlite', // edited"
    ),
    "migration added": _add_migration_by_hand,
    "migration edited": lambda p: p.migrations_dir.joinpath(_only_sql(p)).open("a").write("\n-- reviewed\n"),
    "migration removed": _remove_migration,
    "snapshot edited": lambda p: (p.migrations_dir / "meta" / "0000_snapshot.json").write_text(
        json.dumps(json.loads((p.migrations_dir / "meta" / "0000_snapshot.json").read_text()), indent=4)
    ),
    "journal edited": lambda p: (p.migrations_dir / "meta" / "_journal.json").write_text(
        (p.migrations_dir / "meta" / "_journal.json").read_text() + "\n"
    ),
    "drizzle-kit version": lambda p: _shadow_node_modules(p, "0.31.12"),
}


@pytest.mark.parametrize("change", CHANGES)
def test_each_input_changed_alone_makes_drizzle_kit_run_again(
    example_project: ExampleProject, change: str
) -> None:
    p = example_project
    _primed(p)
    CHANGES[change](p)
    assert _generate(p) == "ran", change
    assert _generate(p) == "skipped", change


def test_a_corrupt_or_hand_edited_cache_is_ignored(example_project: ExampleProject) -> None:
    p = example_project
    _primed(p)
    record = p.root / ".nanoka_cache" / "drizzle-kit.json"
    good = record.read_text(encoding="utf-8")
    record.write_text(good[: len(good) // 2], encoding="utf-8")
    assert _generate(p) == "ran"
    assert record.read_text(encoding="utf-8") == good  # rewritten whole
    document = json.loads(good)
    document["inputs"]["drizzle-kit"] = "0" * 64  # a hand edit: fingerprint no longer matches
    record.write_text(json.dumps(document), encoding="utf-8")
    assert _generate(p) == "ran"
    assert _generate(p) == "skipped"


def test_a_failed_drizzle_kit_run_records_nothing_and_runs_again(example_project: ExampleProject) -> None:
    p = example_project
    _primed(p)
    record = p.root / ".nanoka_cache" / "drizzle-kit.json"
    recorded = record.read_bytes()
    # Node reads this config fine; drizzle-kit itself rejects the dialect and exits 1.
    p.edit("drizzle.config.ts", "dialect: 'sqlite',", "dialect: 'sqlite3',")
    for _ in range(2):
        proc = p.nanoka("generate")
        assert proc.returncode == 1, _ok(proc)
        assert RUNNING in proc.stderr and "exited with code 1" in proc.stderr, _ok(proc)
        assert "received 'sqlite3'" in proc.stdout + proc.stderr, _ok(proc)  # drizzle-kit's own words
        assert record.read_bytes() == recorded


def test_an_unwritable_cache_folder_warns_and_the_run_succeeds(example_project: ExampleProject) -> None:
    p = example_project
    (p.root / ".nanoka_cache").write_text("not a folder", encoding="utf-8")
    proc = p.nanoka("generate")
    assert proc.returncode == 0, _ok(proc)
    assert "could not record this run" in proc.stderr, _ok(proc)
    assert os.path.isfile(p.root / ".nanoka_cache")
    assert _generate(p) == "ran"
