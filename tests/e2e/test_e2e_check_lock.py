"""End to end: ``nanoka check`` and the project lock with the real drizzle-kit.

On copies of examples/basic: check after generate, after a model change that
has no migration yet, and after two branches each generated a migration; two
``nanoka generate`` runs started at once in one project; ``--no-wait`` while
another process holds the project.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from tests.e2e.conftest import ExampleProject

pytestmark = pytest.mark.e2e

AFTER_LINE = '    "name": t.string(),\n'
BIO_LINE = '    "bio": t.string().optional(),\n'
AGE_LINE = '    "age": t.integer().optional(),\n'
UNCOVERED = "the schema has changes that no migration covers yet: run nanoka generate"
WAITING = "another nanoka run is in progress"
TIMEOUT = 300


def _ok(proc: Any) -> str:
    return f"exit {proc.returncode}\n--- stdout\n{proc.stdout}\n--- stderr\n{proc.stderr}"


def _generate(project: ExampleProject, *args: str) -> None:
    proc = project.nanoka("generate", *args)
    assert proc.returncode == 0, _ok(proc)


def test_check_after_generate_then_uncovered_change_then_generate_again(
    example_project: ExampleProject, tmp_path: Path
) -> None:
    p = example_project
    _generate(p)
    [first] = p.migrations()
    # check's drizzle-kit works on a throwaway copy in the temp folder: give it its own.
    tmp = tmp_path / "check-tmp"
    tmp.mkdir()
    env = {"TMPDIR": str(tmp)}

    proc = p.nanoka("check", env=env)
    assert proc.returncode == 0, _ok(proc)
    assert "are up to date" in proc.stderr

    p.edit("app/models.py", AFTER_LINE, AFTER_LINE + BIO_LINE)
    _generate(p, "--no-migrate")
    before = p.snapshot(p.migrations_dir)
    schema_before = p.schema_ts.stat().st_mtime_ns
    proc = p.nanoka("check", env=env)
    assert proc.returncode == 1, _ok(proc)
    assert UNCOVERED in proc.stderr
    assert p.snapshot(p.migrations_dir) == before, "check changed the real migrations folder"
    assert p.schema_ts.stat().st_mtime_ns == schema_before
    assert list(tmp.glob("nanoka-check-*")) == [], "check left its copy of the migrations behind"

    _generate(p)
    migrations = p.migrations()
    assert len(migrations) == 2 and migrations[0] == first, migrations
    assert "ADD `bio` text" in (p.migrations_dir / migrations[1]).read_text(encoding="utf-8")
    proc = p.nanoka("check", env=env)
    assert proc.returncode == 0, _ok(proc)


def test_check_fails_after_merging_two_branches_that_each_generated_a_migration(
    make_example_project: Callable[[str], ExampleProject],
) -> None:
    main = make_example_project("main")
    _generate(main)
    # The branch starts from main's history.
    branch = make_example_project("branch")
    shutil.copytree(main.root / "drizzle", branch.root / "drizzle")
    main.edit("app/models.py", AFTER_LINE, AFTER_LINE + BIO_LINE)
    _generate(main)
    branch.edit("app/models.py", AFTER_LINE, AFTER_LINE + AGE_LINE)
    _generate(branch)
    [ours] = sorted(set(main.migrations()) - set(branch.migrations()))
    [theirs] = sorted(set(branch.migrations()) - set(main.migrations()))
    assert ours[:5] == theirs[:5] == "0001_"

    # The merge: the branch's new SQL file arrives; meta/ conflicted and main's copy was kept.
    shutil.copy2(branch.migrations_dir / theirs, main.migrations_dir / theirs)
    before = main.snapshot(main.migrations_dir)
    proc = main.nanoka("check")
    assert proc.returncode == 1, _ok(proc)
    first, second = sorted([ours, theirs])
    assert f"migrations {first} and {second} share the number 0001" in proc.stderr
    assert f"{theirs} is not in _journal.json" in proc.stderr
    assert main.snapshot(main.migrations_dir) == before


def test_two_generate_runs_at_once_make_one_migration(example_project: ExampleProject) -> None:
    p = example_project
    _generate(p)
    [first] = p.migrations()
    p.edit("app/models.py", AFTER_LINE, AFTER_LINE + BIO_LINE)

    argv = [sys.executable, "-m", "nanoka_core", "generate"]
    procs = [
        subprocess.Popen(
            argv,
            cwd=p.root,
            env=p.env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    try:
        outputs = [proc.communicate(timeout=TIMEOUT) for proc in procs]
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    report = "\n".join(
        f"run {i}: exit {proc.returncode}\n--- stdout\n{out}\n--- stderr\n{err}"
        for i, (proc, (out, err)) in enumerate(zip(procs, outputs, strict=True))
    )
    assert [proc.returncode for proc in procs] == [0, 0], report
    migrations = p.migrations()
    assert len(migrations) == 2 and migrations[0] == first, (migrations, report)
    assert "ADD `bio` text" in (p.migrations_dir / migrations[1]).read_text(encoding="utf-8")
    waited = [i for i, (_, err) in enumerate(outputs) if WAITING in err]
    assert len(waited) == 1, report
    [waiter] = waited
    # The run that waited found the schema written and drizzle-kit's last run recorded: nothing to do.
    assert "drizzle-kit: skipped, nothing changed since the last run" in outputs[waiter][1], report
    assert "drizzle/schema.ts is up to date" in outputs[waiter][1], report
    assert "No schema changes" not in outputs[1 - waiter][0], report
    record = json.loads((p.root / ".nanoka_cache" / "drizzle-kit.json").read_text(encoding="utf-8"))
    assert f"migrations/{migrations[1]}" in record["inputs"], record

    proc = p.nanoka("check")
    assert proc.returncode == 0, _ok(proc)


def test_generate_with_no_wait_fails_while_another_run_holds_the_project(example_project: ExampleProject) -> None:
    p = example_project
    _generate(p, "--no-migrate")
    p.edit("app/models.py", AFTER_LINE, AFTER_LINE + BIO_LINE)
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLDER, str(p.root)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
        before = p.snapshot(p.root / "drizzle")
        proc = p.nanoka("generate", "--no-wait")
        assert proc.returncode == 1, _ok(proc)
        assert WAITING in proc.stderr
        assert "drizzle-kit" not in proc.stderr  # no tool ran
        assert p.snapshot(p.root / "drizzle") == before
    finally:
        holder.kill()
        holder.wait(timeout=TIMEOUT)
    assert not p.migrations_dir.exists()
    _generate(p, "--no-wait")
    assert len(p.migrations()) == 1


_HOLDER = """
import sys, time
from pathlib import Path
from nanoka_core.lock import project_lock
with project_lock(Path(sys.argv[1]), wait=False, log=None):
    print("locked", flush=True)
    time.sleep(600)
"""
