"""End to end: a no-op ``nanoka generate`` (the drizzle-kit cache hits) reads no SQL.

Nothing is new and nothing is applied, so nothing needs sqlglot, pexpect or
json5; the unit tests in tests/test_startup.py pin ``--help`` and ``--no-migrate``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.e2e.conftest import shown
from tests.startup import heavy, loaded_modules, recording_argv

if TYPE_CHECKING:
    from tests.e2e.conftest import ExampleProject

pytestmark = pytest.mark.e2e


def test_a_no_op_generate_imports_nothing_heavy(example_project: ExampleProject, tmp_path: Path) -> None:
    first = example_project.nanoka("generate")
    assert first.returncode == 0, shown(first)
    record = tmp_path / "modules.json"
    again = example_project.run(recording_argv(record, "generate"))
    assert again.returncode == 0, shown(again)
    assert "nanoka drizzle-kit: skipped, nothing changed since the last run" in again.stderr, shown(again)
    modules = loaded_modules(record)
    assert "nanoka_plugins.data_loss_guard" in modules  # the guard ran, and had nothing to read
    assert heavy(modules) == set()
    assert "nanoka_core.migrations.reader" not in modules
    assert "subprocess" not in modules  # the tools are checked, none is started


def test_a_run_that_writes_a_migration_does_read_it(example_project: ExampleProject, tmp_path: Path) -> None:
    """The other side: a new migration is read (the guard reports its risks), so sqlglot loads."""
    record = tmp_path / "modules.json"
    proc = example_project.run(recording_argv(record, "generate"))
    assert proc.returncode == 0, shown(proc)
    modules = loaded_modules(record)
    assert "sqlglot" in heavy(modules)
    assert "subprocess" in modules  # the record sees a tool being run
