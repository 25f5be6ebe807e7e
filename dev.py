#!/usr/bin/env python3
"""Set up a development environment and run the example or the tests.

    python3 dev.py example   # .venv + npm deps, then the example's full pipeline on a local D1
    python3 dev.py test      # .venv + npm deps, then the whole test suite (e2e included)

Needs only Python >= 3.10 and Node.js >= 20 with npm. Extra arguments after
``test`` go to pytest (``python3 dev.py test -k codegen -x``). The tests run in
parallel (pytest-xdist, ``-n`` workers per CPU core, see WORKERS_PER_CORE) and
the 20 slowest are listed at the end; ``-n 0`` runs them in one process.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
EXAMPLE = ROOT / "examples" / "basic"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
# A worker often waits on a node process it started (drizzle-kit, wrangler, tsc):
# two per core keep every core busy.
WORKERS_PER_CORE = 2
NO_TESTS_COLLECTED = 5


def run(args: list[str], cwd: Path = ROOT) -> None:
    print("+", " ".join(args), flush=True)
    subprocess.run(args, cwd=cwd, check=True)


def setup() -> None:
    """A venv with nanoka installed (editable), and the example's npm packages."""
    for tool in ("node", "npm"):
        if shutil.which(tool) is None:
            sys.exit(f"dev.py: {tool} not found on PATH: install Node.js >= 20 (with npm)")
    if not (BIN / "python").exists():
        venv.create(VENV, with_pip=True)
    run(
        [
            str(BIN / "python"),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--editable",
            ".[test]",
            "--config-settings",
            "editable_mode=compat",
        ]
    )
    # An editable install is not byte-compiled, and where PYTHONDONTWRITEBYTECODE is set (CI
    # machines, many containers) Python never caches it: each of the suite's hundreds of nanoka
    # processes would compile what it imports again (40 ms of a 100 ms `generate --no-migrate`).
    run([str(BIN / "python"), "-m", "compileall", "-q", "nanoka_core", "nanoka_plugins"])
    if not (EXAMPLE / "node_modules" / ".package-lock.json").exists():
        run(["npm", "ci", "--no-audit", "--no-fund"], cwd=EXAMPLE)


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("example", "test"):
        print(__doc__)
        return 2
    setup()
    os.environ.setdefault("WRANGLER_SEND_METRICS", "false")
    if argv[0] == "example":
        run([str(BIN / "nanoka"), "generate", "--apply"], cwd=EXAMPLE)
        run(
            [
                "npx",
                "--no-install",
                "wrangler",
                "d1",
                "execute",
                "nanoka-example",
                "--local",
                "--command",
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name",
            ],
            cwd=EXAMPLE,
        )
        return 0
    code = subprocess.run([str(BIN / "python"), "-m", "pytest", *pytest_args(argv[1:])], cwd=ROOT).returncode
    if code == NO_TESTS_COLLECTED:
        print(f"dev.py: pytest collected no tests (exit {code}): a failure, not a pass", file=sys.stderr)
    return code


def pytest_args(extra: list[str], cores: int | None = None) -> list[str]:
    """``extra``, plus parallel workers and a durations report unless ``extra`` chooses them."""
    added = []
    xdist_off = any(arg in ("no:xdist", "-pno:xdist") for arg in extra)
    if not xdist_off and not any(arg.startswith(("-n", "--numprocesses")) for arg in extra):
        added += ["-n", str(WORKERS_PER_CORE * (cores or os.cpu_count() or 1))]
    if not xdist_off and not any(arg.startswith("--dist") for arg in extra):
        added += ["--dist", "loadgroup"]  # tests marked with one xdist_group share a worker
    if not any(arg.startswith("--durations") for arg in extra):
        added.append("--durations=20")
    return [*added, *extra]


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
