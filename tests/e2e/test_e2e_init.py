"""End to end: the README's newcomer path, run as written, with the real tools.

``pip install`` into a fresh virtualenv, ``nanoka init`` in an empty folder,
``npm install`` (from the npm cache the session's ``npm ci`` filled), and
``nanoka generate --apply`` against a local D1.
"""

from __future__ import annotations

import dataclasses
import os
import re
import shlex
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.conftest import REPO

if TYPE_CHECKING:
    from tests.e2e.conftest import ExampleProject

pytestmark = pytest.mark.e2e

MARKER = "<!-- newcomer path: tests/e2e/test_e2e_init.py runs these lines as written -->"
CHECKOUT_PLACEHOLDER = "/path/to/nanoka"


def readme_newcomer_commands() -> list[list[str]]:
    """The commands of the README block under MARKER, comments dropped."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = re.search(re.escape(MARKER) + r"\n```sh\n(.*?)```", readme, re.S)
    assert block is not None, "README.md lost its newcomer-path block"
    return [shlex.split(line, comments=True) for line in block.group(1).splitlines() if line.strip()]


def test_readme_newcomer_path_is_the_four_promised_commands() -> None:
    assert [argv[:2] for argv in readme_newcomer_commands()] == [
        ["pip", "install"],
        ["nanoka", "init"],
        ["npm", "install"],
        ["nanoka", "generate"],
    ]


def test_readme_newcomer_path_runs_as_written(
    make_example_project: Callable[[str], ExampleProject], tmp_path: Path
) -> None:
    # Borrow the e2e environment (private wrangler dirs, no Cloudflare credentials);
    # building it also runs the session's npm ci, which fills the npm cache npm install uses.
    tools = make_example_project("tool-env")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    folder = tmp_path / "newcomer"
    folder.mkdir()
    project = dataclasses.replace(tools, root=folder)
    env = {
        "PATH": f"{venv / 'bin'}{os.pathsep}{tools.env['PATH']}",
        "VIRTUAL_ENV": str(venv),
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        "npm_config_prefer_offline": "true",
        "npm_config_audit": "false",
        "npm_config_fund": "false",
        "npm_config_update_notifier": "false",
    }
    outputs = []
    for argv in readme_newcomer_commands():
        argv = [str(REPO) if arg == CHECKOUT_PLACEHOLDER else arg for arg in argv]
        done = project.run(argv, env)
        assert done.returncode == 0, f"`{shlex.join(argv)}` failed:\n{done.stdout}\n{done.stderr}"
        outputs.append(done)
    assert outputs[1].stdout.endswith("Next, run:\n  npm install\n  nanoka generate --apply\n")
    assert (folder / "node_modules" / ".bin" / "wrangler").exists()
    migrations = sorted(p.name for p in (folder / "drizzle" / "migrations").glob("*.sql"))
    assert len(migrations) == 1, migrations
    assert migrations[0] in outputs[3].stdout + outputs[3].stderr
    tables = project.d1_local("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'users'")
    assert tables == [[{"name": "users"}]]
    columns = project.d1_local("SELECT name FROM pragma_table_info('users') ORDER BY cid")
    assert [row["name"] for row in columns[0]] == ["id", "email", "name", "createdAt"]
