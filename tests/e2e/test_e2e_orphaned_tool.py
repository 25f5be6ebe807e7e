"""End to end: a killed nanoka's drizzle-kit keeps the project locked; --apply
refuses an inconsistent migrations folder before wrangler runs.

``kill -9`` on nanoka leaves the tool it started running (its package
manager and drizzle-kit are not nanoka's to take down any more). The test
freezes that orphan with SIGSTOP right after killing nanoka, so that it is
certainly still running while a second ``nanoka generate --no-wait`` starts:
that run must find the project locked, and write nothing. Once the orphan
has finished, the next run adds nothing, and ``--apply`` applies one
migration per change with the rows kept.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from nanoka_core.drizzle.folder import folder_problems
from tests.e2e.conftest import ANN_ROW, BIO_LINE, NAME_LINE

if TYPE_CHECKING:
    from tests.e2e.conftest import ExampleProject

pytestmark = pytest.mark.e2e

WAITING = "another nanoka run is in progress"
TIMEOUT = 120


def _report(proc: subprocess.CompletedProcess[str]) -> str:
    return f"exit {proc.returncode}\n--- stdout\n{proc.stdout}\n--- stderr\n{proc.stderr}"


def _descendants(pid: int) -> list[int]:
    """Every process below ``pid`` (from /proc, Linux)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _wait_for_drizzle_kit(nanoka: subprocess.Popen[bytes]) -> list[int]:
    """The processes under nanoka once drizzle-kit's own node process runs."""
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline and nanoka.poll() is None:
        tree = _descendants(nanoka.pid)
        if any("node_modules/.bin/drizzle-kit generate" in _cmdline(pid) for pid in tree):
            return tree
        time.sleep(0.02)
    raise AssertionError(f"drizzle-kit never started under nanoka (exit {nanoka.poll()})")


def test_drizzle_kit_left_by_a_killed_nanoka_holds_the_lock_until_it_exits(
    applied_project: ExampleProject,
) -> None:
    p = applied_project  # after a successful generate --apply
    p.d1_local(ANN_ROW)
    [first] = p.migrations()
    p.edit("app/models.py", NAME_LINE, NAME_LINE + BIO_LINE)

    killed = subprocess.Popen(
        [sys.executable, "-m", "nanoka_core", "generate"],
        cwd=p.root, env=p.env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    orphans = _wait_for_drizzle_kit(killed)
    try:
        for pid in orphans:
            os.kill(pid, signal.SIGSTOP)
        killed.kill()
        killed.wait(timeout=TIMEOUT)
        assert any(_alive(pid) for pid in orphans)

        second = p.nanoka("generate", "--no-wait")
        assert second.returncode == 1, _report(second)
        assert WAITING in second.stderr
        assert p.migrations() == [first]
    finally:
        for pid in orphans:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGCONT)
    deadline = time.monotonic() + TIMEOUT
    while any(_alive(pid) for pid in orphans):
        assert time.monotonic() < deadline, "the orphaned drizzle-kit did not finish"
        time.sleep(0.1)

    # The orphan wrote the migration; the next run finds nothing to do.
    [new] = [name for name in p.migrations() if name != first]
    assert new.startswith("0001_") and folder_problems(p.migrations_dir) == []
    # The orphan wrote it after nanoka was killed, so nanoka.sum does not know it: nothing runs
    # until it is recorded on purpose.
    refused = p.nanoka("generate", "--apply", "--no-wait")
    assert refused.returncode == 1, _report(refused)
    assert "nanoka.sum" in refused.stderr, _report(refused)
    sealed = p.nanoka("hash")
    assert sealed.returncode == 0, _report(sealed)
    after = p.nanoka("generate", "--apply", "--no-wait")
    assert after.returncode == 0, _report(after)
    assert p.migrations() == [first, new]
    [columns, rows] = p.d1_local("PRAGMA table_info(users)", "SELECT name FROM users")
    assert "bio" in {c["name"] for c in columns}
    assert rows == [{"name": "Ann"}]


@pytest.mark.parametrize("mistake", ["duplicate number", "missing from the journal"])
def test_apply_refuses_an_inconsistent_migrations_folder_before_wrangler_runs(
    make_example_project: Callable[..., ExampleProject], bio_pending_example: Path, mistake: str
) -> None:
    """With drizzle-kit's stage disabled (migrations written by hand or on another branch),
    the wrangler stage itself refuses the folder."""
    p = make_example_project("example", start=bio_pending_example)  # 0000 applied with a row, 0001 (bio) written
    [first, second] = p.migrations()
    if mistake == "duplicate number":  # two branches each generated 0001
        shutil.copy(p.migrations_dir / second, p.migrations_dir / "0001_other_branch.sql")
    else:
        (p.migrations_dir / "0002_hand_written.sql").write_text("DROP TABLE posts;\n", encoding="utf-8")

    # migrations-sum, the guard and the rehearsal refuse such a folder too; with them stood aside,
    # the wrangler stage's own check must hold.
    stand_aside = [f"--disable-plugin={name}" for name in ("drizzle-kit", "migrations-sum", "data-loss-guard", "rehearsal")]
    proc = p.nanoka(*stand_aside, "generate", "--apply")
    assert proc.returncode == 1, _report(proc)
    assert "stage 'wrangler' failed: not applying: the migrations folder" in proc.stderr
    assert ("share the number 0001" if mistake == "duplicate number" else "0002_hand_written.sql is not in") in proc.stderr
    assert "wrangler d1 migrations apply" not in proc.stderr  # wrangler never started
    [names, tables] = p.d1_local(
        "SELECT name FROM d1_migrations", "SELECT name FROM sqlite_master WHERE name = 'posts'"
    )
    assert names == [{"name": first}] and tables == [{"name": "posts"}]
