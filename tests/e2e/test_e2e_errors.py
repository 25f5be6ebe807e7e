"""End to end: how ``nanoka generate`` fails, with the real drizzle-kit and wrangler.

Bad input must stop the run before anything is written; a failing tool must
be named, with its command line and exit code.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from tests.e2e.conftest import ExampleProject

pytestmark = pytest.mark.e2e

DRIZZLE_KIT_COMMAND = "node_modules/.bin/drizzle-kit generate --config drizzle.config.ts"


def _ok(proc: Any) -> str:
    return f"exit {proc.returncode}\n--- stdout\n{proc.stdout}\n--- stderr\n{proc.stderr}"


def _assert_nothing_written(p: ExampleProject) -> None:
    assert not p.schema_ts.exists(), "schema.ts was written"
    assert not (p.root / "drizzle").exists(), "drizzle/ was created"
    assert not p.wrangler_state.exists(), "wrangler ran: .wrangler/ exists"


@pytest.mark.parametrize(
    "bad",
    [
        pytest.param("mydb --remote", id="space-and-flag"),
        pytest.param("a;b", id="semicolon"),
        pytest.param("x" * 65, id="65-chars"),
        # Would reach wrangler as its --remote flag, not as a database name.
        pytest.param("--remote", id="looks-like-a-flag"),
    ],
)
def test_bad_db_name_fails_before_anything_is_written(example_project: ExampleProject, bad: str) -> None:
    p = example_project
    proc = p.nanoka("generate", "--apply", f"--db={bad}")

    assert proc.returncode == 1, _ok(proc)
    assert "stage 'wrangler' cannot run" in proc.stderr, _ok(proc)
    assert repr(bad) in proc.stderr and "not valid" in proc.stderr, _ok(proc)
    assert proc.stdout == "", "a tool ran"
    _assert_nothing_written(p)


def test_missing_database_fails_before_anything_is_written(example_project: ExampleProject) -> None:
    p = example_project
    p.edit("nanoka.toml", f'database = "{p.database_name}"\n', "")

    proc = p.nanoka("generate", "--apply")

    assert proc.returncode == 1, _ok(proc)
    assert "stage 'wrangler' cannot run" in proc.stderr, _ok(proc)
    assert "--apply needs a database" in proc.stderr and "--db" in proc.stderr, _ok(proc)
    assert proc.stdout == "", "a tool ran"
    _assert_nothing_written(p)


def test_failing_drizzle_kit_names_stage_command_and_exit_code(example_project: ExampleProject) -> None:
    p = example_project
    # drizzle.config.ts reads ./drizzle/schema.ts; nanoka now writes elsewhere.
    p.edit("nanoka.toml", 'output = "drizzle/schema.ts"', 'output = "elsewhere/schema.ts"')

    proc = p.nanoka("generate", "--apply", "--db", p.database_name)

    assert proc.returncode == 1, _ok(proc)
    assert (p.root / "elsewhere" / "schema.ts").is_file()
    direct = p.run(DRIZZLE_KIT_COMMAND.split())  # the same command, run by hand
    assert direct.returncode != 0, _ok(direct)
    assert "stage 'drizzle-kit' failed" in proc.stderr, _ok(proc)
    assert f"`{DRIZZLE_KIT_COMMAND}` exited with code {direct.returncode}" in proc.stderr, _ok(proc)
    # drizzle-kit's own reason reaches the user.
    reasons = [line for line in direct.stdout.splitlines() if re.match(r"\s*Error\b", line)]
    assert reasons and all(line in proc.stdout for line in reasons), (reasons, _ok(proc))
    assert not (p.root / "drizzle").exists(), "drizzle-kit wrote migrations"
    assert not p.wrangler_state.exists(), "wrangler ran after drizzle-kit failed"


def test_rename_without_terminal_fails_in_drizzle_kit_and_writes_no_migration(
    example_project: ExampleProject,
) -> None:
    p = example_project
    proc = p.nanoka("generate", "--apply", "--db", p.database_name)
    assert proc.returncode == 0, _ok(proc)
    migrations_before = p.snapshot(p.migrations_dir)
    assert migrations_before

    p.edit("app/models.py", '"name": t.string(),', '"fullName": t.string(),')
    proc = p.nanoka("generate")  # stdin is /dev/null: drizzle-kit cannot ask

    assert proc.returncode == 1, _ok(proc)
    assert "stage 'drizzle-kit' failed" in proc.stderr, _ok(proc)
    assert '.renamed_from("name") on users.fullName' in proc.stderr, _ok(proc)
    assert p.snapshot(p.migrations_dir) == migrations_before
    # The schema codegen wrote stays: it is what the models say.
    assert "'fullName'" in p.schema_ts.read_text(encoding="utf-8")


@pytest.mark.parametrize("args", [("generate",), ("generate", "--apply")], ids=["generate", "apply"])
def test_tools_missing_from_node_modules_say_to_install_before_anything_runs(
    example_project: ExampleProject, args: tuple[str, ...]
) -> None:
    """Without this check npx says only "npx canceled due to missing packages"."""
    p = example_project
    (p.root / "node_modules").unlink()

    proc = p.nanoka(*args)

    assert proc.returncode == 1, _ok(proc)
    assert (
        f"drizzle-kit is listed in {p.root / 'package.json'} but not installed: run `npm install` "
        f"(or your package manager's install) in {p.root}"
    ) in proc.stderr, _ok(proc)
    _assert_nothing_written(p)
