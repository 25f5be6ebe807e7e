"""The user's code runs inside nanoka without changing what nanoka promises.

A model module that prints does not break ``--log-format json`` (stdout
stays one JSON document; the print goes to stderr), and ``nanoka check``,
which writes nothing, writes no ``__pycache__`` into the user's packages
either (``generate`` does, as any Python program importing them would: it
is a build step, and the bytecode makes the next run start faster). Real
processes, so the interpreter's own bytecode writing is what is tested.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import nanoka_subprocess

MODELS = {
    "app/models.py": """
    from nanoka_core import t, define_model
    print("hello from the models")
    User = define_model("users", {"id": t.uuid().primary()})
    """,
    "rules/plugin.py": """
    from nanoka_core import hookimpl
    """,
}
CONFIG = 'models = ["app.models"]\nplugins = ["rules.plugin"]\n'


@pytest.fixture
def project(nanoka_project: Any) -> Path:
    root: Path = nanoka_project(MODELS, config=CONFIG)
    return root.resolve()


# Empty means unset: bytecode is written as Python does by default, whatever this test run's environment says.
DEFAULT_BYTECODE = {"PYTHONDONTWRITEBYTECODE": "", "PYTHONPYCACHEPREFIX": ""}


def pycache(project: Path) -> list[Path]:
    return sorted(project.rglob("__pycache__"))


def test_json_check_prints_only_json_on_stdout_when_a_model_module_prints(project: Path) -> None:
    proc = nanoka_subprocess(["--log-format", "json", "check"], cwd=project)
    assert proc.returncode == 1, proc.stderr  # no schema yet
    assert json.loads(proc.stdout)["schema"]["state"] == "missing"
    assert "hello from the models" in proc.stderr


def test_generate_keeps_stdout_for_results_when_a_model_module_prints(project: Path) -> None:
    proc = nanoka_subprocess(["generate", "--no-migrate"], cwd=project)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""
    assert "hello from the models" in proc.stderr


def test_check_writes_no_pycache_into_the_project(project: Path) -> None:
    proc = nanoka_subprocess(["check"], cwd=project, env=DEFAULT_BYTECODE)
    assert proc.returncode == 1, proc.stderr
    assert "does not exist: run nanoka generate" in proc.stderr  # the models and the plugin were loaded
    assert pycache(project) == []


def test_generate_writes_pycache_as_python_does(project: Path) -> None:
    """The control for the test above: in this environment, importing the models writes bytecode."""
    proc = nanoka_subprocess(["generate", "--no-migrate"], cwd=project, env=DEFAULT_BYTECODE)
    assert proc.returncode == 0, proc.stderr
    assert pycache(project) == [project / "app" / "__pycache__", project / "rules" / "__pycache__"]
