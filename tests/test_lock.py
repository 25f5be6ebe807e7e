"""One nanoka run per project at a time: the project lock, seen from real processes.

The test process (or a helper process) holds ``project_lock`` on a project;
a real ``python -m nanoka_core generate`` is started there. Every wait
has a timeout so a broken lock fails the test instead of hanging the suite.
"""

from __future__ import annotations

import contextlib
import os
import queue
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from nanoka_core.lock import project_lock
from tests.conftest import NO_MIGRATE_WRITE, nanoka_subprocess

MODELS = {"app/models.py": """
    from nanoka_core import t, define_model
    User = define_model("users", {"id": t.uuid().primary(), "email": t.string().unique()})
"""}
BUSY = "another nanoka run is in progress"
TIMEOUT = 60


class _NoLog:
    def info(self, message: str) -> None:  # pragma: no cover - only called when waiting
        raise AssertionError(f"the test's own lock should never wait: {message}")


@pytest.fixture
def project(nanoka_project: Any) -> Path:
    root: Path = nanoka_project(MODELS)
    return root.resolve()


@contextlib.contextmanager
def held(project: Path) -> Iterator[None]:
    """The project's lock, held by the test process."""
    with project_lock(project, wait=False, log=_NoLog()):
        yield


class Run:
    """A ``nanoka generate`` process whose stderr is read line by line as it comes."""

    def __init__(self, project: Path, *args: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "nanoka_core", "generate", "--no-migrate", *args],
            cwd=project,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.stderr: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.lines.put(line)

    def wait_for_line(self, text: str, timeout: float = TIMEOUT) -> str:
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no line with {text!r} on stderr after {timeout} s; got {self.stderr}")
            try:
                line = self.lines.get(timeout=left)
            except queue.Empty:
                continue
            self.stderr.append(line)
            if text in line:
                return line

    def finish(self, timeout: float = TIMEOUT) -> int:
        code = self.proc.wait(timeout=timeout)
        self._reader.join(timeout)
        while not self.lines.empty():
            self.stderr.append(self.lines.get())
        return code

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


@pytest.fixture
def runs() -> Iterator[list[Run]]:
    started: list[Run] = []
    yield started
    for run in started:
        run.kill()


def tree(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*") if "__pycache__" not in p.parts}


def test_no_wait_fails_at_once_while_another_run_holds_the_project(project: Path) -> None:
    before = tree(project)
    with held(project):
        started = time.monotonic()
        done = nanoka_subprocess(["generate", "--no-migrate", "--no-wait"], cwd=project, timeout=TIMEOUT)
        elapsed = time.monotonic() - started
    assert done.returncode == 1, done.stderr
    assert BUSY in done.stderr
    assert str(project) in done.stderr
    assert "Traceback" not in done.stderr
    assert elapsed < 30
    assert tree(project) == before  # nothing written, and the lock itself leaves no file
    # Released: the same command now runs.
    done = nanoka_subprocess(["generate", "--no-migrate", "--no-wait"], cwd=project, timeout=TIMEOUT)
    assert done.returncode == 0, done.stderr
    assert (project / "drizzle" / "schema.ts").is_file()


def test_second_run_waits_for_the_lock_then_finishes(project: Path, runs: list[Run]) -> None:
    schema = project / "drizzle" / "schema.ts"
    with held(project):
        run = Run(project)
        runs.append(run)
        line = run.wait_for_line("waiting")
        assert BUSY in line and str(project) in line
        time.sleep(1.0)  # long enough for an unlocked run to have written the schema
        assert run.proc.poll() is None, "the waiting run did not wait"
        assert not schema.exists(), "the waiting run wrote while the lock was held"
    assert run.finish() == 0, "".join(run.stderr)
    assert schema.is_file()
    assert any("wrote drizzle/schema.ts" in line for line in run.stderr), run.stderr


def test_run_without_a_held_lock_does_not_wait(project: Path) -> None:
    done = nanoka_subprocess(["generate", "--no-migrate"], cwd=project, timeout=TIMEOUT)
    assert done.returncode == 0, done.stderr
    assert "waiting" not in done.stderr
    assert NO_MIGRATE_WRITE.fullmatch(done.stderr), done.stderr


def test_lock_is_per_project(project: Path, nanoka_project: Any) -> None:
    other = nanoka_project(MODELS, name="other").resolve()
    with held(project):
        done = nanoka_subprocess(["generate", "--no-migrate", "--no-wait"], cwd=other, timeout=TIMEOUT)
    assert done.returncode == 0, done.stderr
    assert (other / "drizzle" / "schema.ts").is_file()
    assert not (project / "drizzle").exists()


_HOLDER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from nanoka_core.lock import project_lock

    with project_lock(Path(sys.argv[1]), wait=False, log=None):
        print("locked", flush=True)
        time.sleep(600)
""")


@pytest.fixture
def holder(project: Path) -> Iterator[subprocess.Popen[str]]:
    """Another process holding the project's lock (as a run would), until it is killed."""
    proc = subprocess.Popen(
        [sys.executable, "-c", _HOLDER, str(project)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        lines: list[str] = []
        reader = threading.Thread(target=lambda: lines.append(proc.stdout.readline()), daemon=True)  # type: ignore[union-attr]
        reader.start()
        reader.join(TIMEOUT)
        assert lines == ["locked\n"], f"the lock holder did not start: {lines}"
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def _sigkill(proc: subprocess.Popen[str]) -> None:
    os.kill(proc.pid, signal.SIGKILL)
    assert proc.wait(timeout=TIMEOUT) == -signal.SIGKILL


def test_lock_of_a_killed_process_does_not_block_the_next_run(
    project: Path, holder: subprocess.Popen[str]
) -> None:
    done = nanoka_subprocess(["generate", "--no-migrate", "--no-wait"], cwd=project, timeout=TIMEOUT)
    assert done.returncode == 1 and BUSY in done.stderr, done.stderr  # the holder really holds it
    _sigkill(holder)
    done = nanoka_subprocess(["generate", "--no-migrate", "--no-wait"], cwd=project, timeout=TIMEOUT)
    assert done.returncode == 0, done.stderr
    assert (project / "drizzle" / "schema.ts").is_file()


def test_waiting_run_proceeds_when_the_holder_is_killed(
    project: Path, holder: subprocess.Popen[str], runs: list[Run]
) -> None:
    run = Run(project)
    runs.append(run)
    run.wait_for_line("waiting")
    assert not (project / "drizzle").exists()
    _sigkill(holder)
    assert run.finish() == 0, "".join(run.stderr)
    assert (project / "drizzle" / "schema.ts").is_file()
