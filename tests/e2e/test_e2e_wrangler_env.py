"""wrangler environments and config, with the real wrangler on a local D1.

nanoka reads the wrangler config before anything runs: a database that the
selected environment does not have, a ``migrations_dir`` that is not
drizzle-kit's ``out`` or ``--remote`` without a ``database_id`` fail at once,
instead of ending in wrangler's "No migrations present at ...".
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

from tests.e2e.conftest import shown

if TYPE_CHECKING:
    from tests.e2e.conftest import ExampleProject

pytestmark = pytest.mark.e2e

STAGING = """,
  "env": {
    "staging": {
      "d1_databases": [
        {
          "binding": "DB",
          "database_name": "nanoka-staging",
          "database_id": "0b5e1d2c-3a4f-4b6c-8d7e-9f0a1b2c3d4e",
          "migrations_dir": "MIGRATIONS_DIR",
        },
      ],
    },
  },
}
"""


def _add_staging(p: ExampleProject, relpath: str = "wrangler.jsonc", migrations_dir: str = "drizzle/migrations") -> None:
    path = p.root / relpath
    text = path.read_text(encoding="utf-8").rstrip()
    assert text.endswith("}")
    path.write_text(text[:-1].rstrip() + STAGING.replace("MIGRATIONS_DIR", migrations_dir), encoding="utf-8")


def _tables(p: ExampleProject, database: str, *flags: str) -> set[str]:
    proc = p.npx(
        "wrangler", "d1", "execute", database, "--local", "--json", *flags,
        "--command", "SELECT name FROM sqlite_master WHERE type = 'table'",
    )
    assert proc.returncode == 0, shown(proc)
    return {row["name"] for row in json.loads(proc.stdout)[0]["results"]}


def test_wrong_db_is_a_clear_error_before_anything_runs(example_project: ExampleProject) -> None:
    p = example_project
    proc = p.nanoka("generate", "--apply", "--db", "nanoka-exmaple")

    assert proc.returncode == 1, shown(proc)
    assert (
        f"stage 'wrangler' cannot run: database 'nanoka-exmaple' is not in {p.root / 'wrangler.jsonc'}: "
        "its d1_databases are nanoka-example (binding DB)"
    ) in proc.stderr, shown(proc)
    assert "No migrations present" not in proc.stdout + proc.stderr
    p.assert_nothing_written()


def test_env_specific_database_is_applied_with_env(example_project: ExampleProject) -> None:
    p = example_project
    _add_staging(p)

    # The top-level database is not in the staging environment (d1_databases is not inherited).
    proc = p.nanoka("generate", "--apply", "--env", "staging")
    assert proc.returncode == 1, shown(proc)
    assert "database 'nanoka-example' is not in environment 'staging'" in proc.stderr, shown(proc)
    p.assert_nothing_written()

    proc = p.nanoka("generate", "--apply", "--env", "staging", "--db", "nanoka-staging")
    assert proc.returncode == 0, shown(proc)
    assert "wrangler d1 migrations apply nanoka-staging --local --env=staging" in proc.stderr, shown(proc)
    assert {"users", "posts"} <= _tables(p, "nanoka-staging", "--env", "staging")
    assert {"users", "posts"}.isdisjoint(_tables(p, "nanoka-example")), "the top-level D1 was migrated"


def test_unknown_env_lists_the_environments(example_project: ExampleProject) -> None:
    p = example_project
    _add_staging(p)
    proc = p.nanoka("generate", "--apply", "--env", "stagign")

    assert proc.returncode == 1, shown(proc)
    assert f"{p.root / 'wrangler.jsonc'} has no environment 'stagign' (it has: staging)" in proc.stderr, shown(proc)
    p.assert_nothing_written()


def test_config_keys_pick_environment_and_wrangler_config(example_project: ExampleProject) -> None:
    """migrate.env and migrate.wrangler-config; migrations_dir is relative to the wrangler config's folder."""
    p = example_project
    deploy = p.root / "deploy"
    deploy.mkdir()
    (p.root / "wrangler.jsonc").rename(deploy / "wrangler.staging.jsonc")
    p.edit("deploy/wrangler.staging.jsonc", '"migrations_dir": "drizzle/migrations"', '"migrations_dir": "../drizzle/migrations"')
    _add_staging(p, "deploy/wrangler.staging.jsonc", "../drizzle/migrations")
    p.edit("nanoka.toml", 'database = "nanoka-example"', 'database = "nanoka-staging"\nenv = "staging"\nwrangler-config = "deploy/wrangler.staging.jsonc"')

    proc = p.nanoka("generate", "--apply")

    assert proc.returncode == 0, shown(proc)
    assert (
        "wrangler d1 migrations apply nanoka-staging --local --env=staging --config=deploy/wrangler.staging.jsonc"
    ) in proc.stderr, shown(proc)
    assert {"users", "posts"} <= _tables(p, "nanoka-staging", "--env", "staging", "--config", "deploy/wrangler.staging.jsonc")


def test_migrations_dir_that_is_not_drizzles_out_names_both(example_project: ExampleProject) -> None:
    p = example_project
    p.edit("wrangler.jsonc", '"migrations_dir": "drizzle/migrations"', '"migrations_dir": "migrations"')

    proc = p.nanoka("generate", "--apply")

    assert proc.returncode == 1, shown(proc)
    assert (
        f"drizzle-kit writes migrations to {p.root / 'drizzle' / 'migrations'} (`out` in drizzle.config.ts) "
        f"but wrangler applies them from {p.root / 'migrations'} (`migrations_dir` of 'nanoka-example' in "
        "wrangler.jsonc): make them the same folder"
    ) in proc.stderr, shown(proc)
    p.assert_nothing_written()


def test_remote_without_database_id_fails_before_anything_runs(example_project: ExampleProject) -> None:
    p = example_project
    p.edit("wrangler.jsonc", f'"database_id": "{p.database_id}",', "")

    proc = p.nanoka("generate", "--apply", "--remote")

    assert proc.returncode == 1, shown(proc)
    assert "database 'nanoka-example' in" in proc.stderr and "has no database_id, which --remote needs" in proc.stderr, shown(proc)
    p.assert_nothing_written()


def test_check_reports_a_migrations_dir_that_is_not_drizzles_out(example_project: ExampleProject) -> None:
    p = example_project
    proc = p.nanoka("generate")
    assert proc.returncode == 0, shown(proc)
    assert p.nanoka("check").returncode == 0
    p.edit("wrangler.jsonc", '"migrations_dir": "drizzle/migrations"', '"migrations_dir": "migrations"')

    proc = p.nanoka("check")

    assert proc.returncode == 1, shown(proc)
    assert f"but wrangler applies them from {p.root / 'migrations'}" in proc.stderr, shown(proc)
