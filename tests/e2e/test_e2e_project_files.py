"""End to end: files in the user's project do not change how nanoka itself runs.

Through the installed ``nanoka`` console script (as users start it: the
project folder is not on ``sys.path`` until nanoka adds it), with the real
drizzle-kit and wrangler, in a copy of examples/basic that also holds one
``NAME.py`` for every standard-library module name (``shlex.py``,
``json.py``, ``subprocess.py``, ...), each of which stops the process if it
is ever imported.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from tests.e2e.conftest import ExampleProject

pytestmark = pytest.mark.e2e

NANOKA = Path(sys.executable).parent / "nanoka"
SHADOWED = "shadowed-standard-module"


def test_project_files_named_like_standard_modules_do_not_replace_them(example_project: ExampleProject) -> None:
    p = example_project
    names = sorted(name for name in sys.stdlib_module_names if not (p.root / f"{name}.py").exists())
    assert {"shlex", "decimal", "glob", "json", "subprocess", "threading", "tempfile", "difflib"} <= set(names)
    for name in names:
        (p.root / f"{name}.py").write_text(f"raise SystemExit('{SHADOWED}: {name}')\n", encoding="utf-8")

    runs = {
        "generate --apply": p.run([str(NANOKA), "generate", "--apply"]),
        "check": p.run([str(NANOKA), "check"]),
        "json check": p.run([str(NANOKA), "--log-format", "json", "check"]),
        "stages": p.run([str(NANOKA), "stages", "--apply"]),
        "plugins": p.run([str(NANOKA), "plugins", "--all"]),
    }
    for what, proc in runs.items():
        shown = f"{what}: exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
        assert proc.returncode == 0, shown
        assert SHADOWED not in proc.stdout + proc.stderr, shown
    assert json.loads(runs["json check"].stdout)["ok"] is True
    [tables] = p.d1_local("SELECT name FROM sqlite_master WHERE name IN ('users', 'posts') ORDER BY name")
    assert tables == [{"name": "posts"}, {"name": "users"}]
