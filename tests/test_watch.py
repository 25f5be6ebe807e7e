"""``nanoka generate --watch``, driven for real: a nanoka process, real file events.

Each test starts ``python -m nanoka_core generate --watch`` in a fresh
project, edits files as an editor would, and reads the schema and the log.
"""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

MODELS = """from nanoka_core import define_model, t

User = define_model("users", {
    "id": t.uuid().primary(),
    "name": t.string(),
})
"""
WAIT = 30.0


class Watcher:
    """A running ``nanoka generate --watch`` and the lines it has logged."""

    def __init__(self, root: Path, *args: str) -> None:
        self.root = root
        env = {k: v for k, v in os.environ.items() if not k.startswith("NANOKA_")}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "nanoka_core", "generate", "--watch", *args],
            cwd=root,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: list[str] = []
        self._queue: queue.Queue[str] = queue.Queue()
        assert self.proc.stderr is not None
        self._reader = threading.Thread(target=self._read, args=(self.proc.stderr,), daemon=True)
        self._reader.start()

    def _read(self, stream: object) -> None:
        for line in stream:  # type: ignore[attr-defined]
            self._queue.put(line.rstrip("\n"))

    def wait_for_line(self, text: str) -> str:
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            for line in self.lines:
                if text in line:
                    self.lines.remove(line)
                    return line
            try:
                self.lines.append(self._queue.get(timeout=0.1))
            except queue.Empty:
                assert self.proc.poll() is None, f"watch ended early ({self.proc.returncode}): {self.lines}"
        raise AssertionError(f"no line with {text!r} in {WAIT}s; got {self.lines}")

    def wait_until(self, condition: Callable[[], bool], what: str) -> None:
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            if condition():
                return
            time.sleep(0.05)
        raise AssertionError(f"{what} did not happen in {WAIT}s; log: {self.drain()}")

    def drain(self) -> list[str]:
        while not self._queue.empty():
            self.lines.append(self._queue.get())
        return self.lines

    def interrupt(self) -> tuple[int, str]:
        """Ctrl-C; the exit code and everything logged since the last wait."""
        self.proc.send_signal(signal.SIGINT)
        code = self.proc.wait(timeout=WAIT)
        self._reader.join(timeout=WAIT)
        return code, "\n".join(self.drain())


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "nanoka.toml").write_text('models = ["app.models"]\n')
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("")
    (tmp_path / "app" / "models.py").write_text(MODELS)
    return tmp_path


@pytest.fixture
def watch(project: Path) -> Iterator[Callable[..., Watcher]]:
    started: list[Watcher] = []

    def start(*args: str) -> Watcher:
        watcher = Watcher(project, *args)
        started.append(watcher)
        return watcher

    yield start
    for watcher in started:
        if watcher.proc.poll() is None:
            watcher.proc.kill()
            watcher.proc.communicate()


def _schema(project: Path) -> str:
    try:
        return (project / "drizzle" / "schema.ts").read_text()
    except FileNotFoundError:
        return ""


def test_edit_error_fix_and_ctrl_c(project: Path, watch: Callable[..., Watcher]) -> None:
    w = watch()
    start = w.wait_for_line("watching")
    assert "schema only" in start and "no migrations" in start
    w.wait_for_line("wrote drizzle/schema.ts")
    assert "name: text('name').notNull()," in _schema(project)

    models = project / "app" / "models.py"
    models.write_text(MODELS.replace('"name": t.string(),', '"name": t.string(),\n    "age": t.integer(),'))
    w.wait_until(lambda: "age: integer('age').notNull()," in _schema(project), "the new column")

    before = _schema(project)
    models.write_text(MODELS + "def broken(:\n")
    error = w.wait_for_line("SyntaxError")
    assert "app.models" in error and "still watching" in error
    assert "Traceback" not in "\n".join(w.drain())
    assert w.proc.poll() is None
    assert _schema(project) == before

    models.write_text(MODELS.replace('"name": t.string(),', '"nickname": t.string().optional(),'))
    w.wait_until(lambda: "nickname: text('nickname')," in _schema(project), "the schema after the fix")
    assert "age" not in _schema(project)

    code, rest = w.interrupt()
    assert code == 0, rest
    assert "Traceback" not in rest and "stopped watching" in rest


def test_a_save_without_change_rewrites_nothing_and_a_burst_is_one_run(
    project: Path, watch: Callable[..., Watcher]
) -> None:
    w = watch()
    w.wait_for_line("wrote drizzle/schema.ts")
    schema = project / "drizzle" / "schema.ts"
    written = schema.stat().st_mtime_ns
    (project / "app" / "models.py").write_text(MODELS)  # saved again, same text
    w.wait_for_line("drizzle/schema.ts is up to date")
    assert schema.stat().st_mtime_ns == written

    models = project / "app" / "models.py"
    for n in range(5):  # one burst of saves
        models.write_text(MODELS.replace('"name"', f'"name{n}"'))
    w.wait_until(lambda: "name4: text('name4')" in _schema(project), "the burst's last save")
    time.sleep(0.5)
    # Usually one run; a busy machine may pause this test between two saves for longer than
    # the watcher waits for quiet, which makes two. Never one run per save.
    assert 1 <= sum("wrote drizzle/schema.ts" in line for line in w.drain()) <= 2, w.lines


def test_files_outside_the_models_do_not_trigger_a_run(project: Path, watch: Callable[..., Watcher]) -> None:
    w = watch()
    w.wait_for_line("wrote drizzle/schema.ts")
    for ignored in ("node_modules/pkg/index.py", ".wrangler/state.py", ".venv/lib/x.py", "notes.txt"):
        (project / ignored).parent.mkdir(parents=True, exist_ok=True)
        (project / ignored).write_text("x = 1\n")
    time.sleep(1.0)
    w.drain()
    w.lines.clear()
    (project / "app" / "other.py").write_text("")  # a Python file of the project: one run
    w.wait_for_line("is up to date")
    (project / "node_modules" / "pkg" / "index.py").write_text("x = 2\n")
    (project / ".venv" / "lib" / "x.py").write_text("x = 2\n")
    time.sleep(1.0)
    assert not any("drizzle/schema.ts" in line for line in w.drain()), w.lines


def test_config_change_is_picked_up(project: Path, watch: Callable[..., Watcher]) -> None:
    w = watch()
    w.wait_for_line("wrote drizzle/schema.ts")
    (project / "nanoka.toml").write_text('models = ["app.models"]\noutput = "db/schema.ts"\n')
    w.wait_until(lambda: (project / "db" / "schema.ts").is_file(), "the schema at the new output")


def _run(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], cwd=project, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=WAIT
    )


def test_watch_with_apply_is_a_usage_error_saying_why(project: Path) -> None:
    proc = _run(project, "-m", "nanoka_core", "generate", "--watch", "--apply", "--db", "x")
    assert proc.returncode == 2
    assert "--watch writes the schema only" in proc.stderr and "--apply" in proc.stderr
    assert not (project / "drizzle").exists()


def test_without_watchfiles_the_message_says_what_to_install(project: Path) -> None:
    script = (
        "import sys; sys.modules['watchfiles'] = None\n"  # as if it were not installed
        "from nanoka_core.cli.main import main; sys.argv = ['nanoka', 'generate', '--watch']; main()\n"
    )
    proc = _run(project, "-c", script)
    assert proc.returncode == 1
    assert "pip install 'nanoka[watch]'" in proc.stderr and "Traceback" not in proc.stderr
    assert not (project / "drizzle").exists()


def test_a_module_the_models_import_is_read_afresh_too(project: Path, watch: Callable[..., Watcher]) -> None:
    (project / "app" / "shared.py").write_text('COLUMN = "first"\n')
    (project / "app" / "models.py").write_text(
        MODELS.replace('"name": t.string(),', "shared.COLUMN: t.string(),").replace(
            "from nanoka_core", "from app import shared\nfrom nanoka_core"
        )
    )
    w = watch()
    w.wait_for_line("wrote drizzle/schema.ts")
    assert "first: text('first')" in _schema(project)
    (project / "app" / "shared.py").write_text('COLUMN = "other"\n')  # same size, maybe the same second
    w.wait_until(lambda: "other: text('other')" in _schema(project), "the column renamed in shared.py")
