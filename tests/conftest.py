"""Shared helpers for nanoka's own tests."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from filelock import FileLock

from nanoka_core.cli.main import cli


@pytest.fixture
def run_nanoka(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """Run the CLI in-process with click's runner: ``run_nanoka(args, cwd=...)``."""

    def run(args: Sequence[str], cwd: Path | None = None) -> Result:
        if cwd is not None:
            monkeypatch.chdir(cwd)
        return CliRunner().invoke(cli, list(args), catch_exceptions=False)

    return run


def nanoka_subprocess(
    args: Sequence[str], cwd: Path, env: dict[str, str] | None = None, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m nanoka_core`` as a real process (no shell)."""
    return _run([sys.executable, "-m", "nanoka_core", *args], cwd, env, timeout)


def _run(
    argv: Sequence[str], cwd: Path, env: dict[str, str] | None, timeout: float
) -> subprocess.CompletedProcess[str]:
    """A real process with the test's environment plus ``env``, stdin not a terminal."""
    return subprocess.run(
        list(argv),
        cwd=cwd,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=timeout,
    )


REPO = Path(__file__).resolve().parent.parent
DURATION = r"\d+ ms|\d+\.\d s"
NO_MIGRATE_WRITE = re.compile(
    rf"nanoka codegen: wrote drizzle/schema.ts in (?:{DURATION})\n"
    rf"nanoka: schema drizzle/schema.ts written; done in (?:{DURATION})\n"
)
"""The whole stderr of a ``generate --no-migrate`` that writes the schema."""
EXAMPLE_PLUGINS = REPO / "examples" / "plugins"
PLUGIN_PACKAGES = [
    *(EXAMPLE_PLUGINS / name for name in ("nanoka-money", "nanoka-uuid36", "nanoka-seed", "nanoka-sqlite-apply", "nanoka-tenant-index")),
    REPO / "tests" / "plugins" / "nanoka-broken",
]


def built_once_per_run(
    tmp_path_factory: pytest.TempPathFactory, name: str, build: Callable[[Path], None]
) -> Path:
    """The folder ``name``, filled by ``build(folder)`` once for the whole test run.

    Under pytest-xdist every worker is its own session; this shares one build
    between them all: the first worker builds under a file lock in the run's
    base temp folder, the others wait and reuse it. A failed build is not
    reused: the next worker tries again and fails the same way.
    """
    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent  # shared by this run's workers, never by another run
    folder = base / name
    built = base / f"{name}.built"
    with FileLock(base / f"{name}.lock"):
        if not built.exists():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            build(folder)
            built.touch()
    return folder


@pytest.fixture(scope="session")
def plugin_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtualenv with nanoka and the example plugin packages pip-installed.

    Plugins are found there only through their ``nanoka`` entry points, as
    they would be on a user's machine. Built once per run; returns its bin folder.
    """

    def build(venv: Path) -> None:
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        pip = [str(_bin_dir(venv) / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
        # The build backend once, rather than in a fresh build environment for each of the 7 packages.
        done = subprocess.run([*pip, "setuptools>=68"], capture_output=True, text=True)
        if done.returncode == 0:
            done = subprocess.run(
                [*pip, "--no-build-isolation", str(REPO), *map(str, PLUGIN_PACKAGES)], capture_output=True, text=True
            )
        if done.returncode != 0:
            pytest.fail(f"installing the plugin packages failed:\n{done.stdout}\n{done.stderr}")

    return _bin_dir(built_once_per_run(tmp_path_factory, "plugin-venv", build))


def _bin_dir(venv: Path) -> Path:
    return venv / ("Scripts" if os.name == "nt" else "bin")


def venv_nanoka(
    bin_dir: Path, args: Sequence[str], cwd: Path, env: dict[str, str] | None = None, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """Run the ``nanoka`` console script of ``bin_dir``'s virtualenv."""
    return _run([str(bin_dir / "nanoka"), *args], cwd, env, timeout)


def link_example_node_modules(project: Path) -> None:
    """Give ``project`` the example's real packages (installed by dev.py), but no ``.bin``.

    Needed wherever nanoka reads a drizzle config: Node evaluates it through
    the project's own drizzle-kit, as drizzle-kit does. Without ``.bin``
    nanoka runs drizzle-kit and wrangler through the package manager
    (``tools.resolve_tool``), which is where these tests' recording stand-ins
    are on PATH.
    """
    modules = REPO / "examples" / "basic" / "node_modules"
    if not (modules / "drizzle-kit" / "package.json").is_file():
        pytest.fail(f"{modules} lacks drizzle-kit: run `python3 dev.py test` (it runs npm ci there)", pytrace=False)
    (project / "node_modules").mkdir()
    for entry in modules.iterdir():
        if entry.name != ".bin":
            (project / "node_modules" / entry.name).symlink_to(entry, target_is_directory=entry.is_dir())
