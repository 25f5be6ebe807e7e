"""Plugins doing real work: the seed stage runs wrangler after the migrations,
and the sqlite-apply stage takes wrangler's place.

nanoka here is the console script of a fresh virtualenv where nanoka and the
example plugin packages were pip-installed (the ``plugin_venv`` fixture):
the plugins are found through their entry points, as on a user's machine.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from tests.e2e.conftest import ExampleProject

pytestmark = pytest.mark.e2e

SEED = "INSERT INTO users (id, email, name, passwordHash) VALUES ('u1', 'ada@example.com', 'Ada', 'x');\n"


def nanoka(plugin_venv: Path, project: ExampleProject, *args: str, disable: str = "") -> tuple[int, str]:
    proc = project.run([str(plugin_venv / "nanoka"), *args], env={"NANOKA_DISABLE_PLUGINS": disable})
    return proc.returncode, proc.stdout + proc.stderr


def test_seed_stage_runs_after_the_migrations_are_applied(plugin_venv: Path, example_project: ExampleProject) -> None:
    (example_project.root / "seed.sql").write_text(SEED)
    code, output = nanoka(plugin_venv, example_project, "generate", "--apply", disable="sqlite-apply,money,uuid36")
    assert code == 0, output
    apply_at = output.index("running node_modules/.bin/wrangler d1 migrations apply nanoka-example --local")
    seed_at = output.index("running node_modules/.bin/wrangler d1 execute nanoka-example --local --file seed.sql")
    assert apply_at < seed_at
    ((row,),) = example_project.d1_local("SELECT email, name FROM users")
    assert row == {"email": "ada@example.com", "name": "Ada"}


def test_seed_stage_does_not_run_without_apply(plugin_venv: Path, example_project: ExampleProject) -> None:
    (example_project.root / "seed.sql").write_text(SEED)
    code, output = nanoka(plugin_venv, example_project, "generate", disable="sqlite-apply,money,uuid36")
    assert code == 0, output
    assert "wrangler" not in output
    assert not example_project.wrangler_state.exists()


def test_replacement_stage_applies_to_sqlite_and_wrangler_never_runs(
    plugin_venv: Path, example_project: ExampleProject
) -> None:
    code, output = nanoka(plugin_venv, example_project, "generate", "--apply", disable="seed,money,uuid36,rehearsal")
    assert code == 0, output
    assert "wrangler" not in output
    assert not example_project.wrangler_state.exists()
    (migration,) = example_project.migrations()
    assert f"nanoka sqlite-apply: applied {migration.removesuffix('.sql')} to local.db" in output
    with sqlite3.connect(example_project.root / "local.db") as db:
        tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        columns = [row[1] for row in db.execute("PRAGMA table_info(users)")]
    assert {"users", "posts", "__nanoka_migrations"} <= tables
    assert columns == ["id", "email", "name", "passwordHash", "createdAt"]
