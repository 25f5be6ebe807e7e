"""Named and data migrations with the real drizzle-kit: ``--name`` and ``--custom``."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tests.e2e.conftest import shown

if TYPE_CHECKING:
    from tests.e2e.conftest import ExampleProject

pytestmark = pytest.mark.e2e

BIO = '"name": t.string(),\n    "bio": t.string().optional(),'


def test_name_names_the_migration(example_project: ExampleProject) -> None:
    p = example_project
    proc = p.nanoka("generate", "--name", "create_users")
    assert proc.returncode == 0, shown(proc)
    assert "drizzle-kit generate --config drizzle.config.ts --name=create_users" in proc.stderr, shown(proc)
    assert p.migrations() == ["0000_create_users.sql"]

    p.edit("app/models.py", '"name": t.string(),', BIO)
    proc = p.nanoka("generate", "--name", "add_bio")
    assert proc.returncode == 0, shown(proc)
    assert p.migrations() == ["0000_create_users.sql", "0001_add_bio.sql"]
    assert "ADD `bio` text" in (p.migrations_dir / "0001_add_bio.sql").read_text(encoding="utf-8")


def test_custom_writes_an_empty_migration_for_hand_written_sql_and_leaves_the_schema(
    applied_project: ExampleProject,
) -> None:
    p = applied_project  # after a successful generate --apply
    p.d1_local("INSERT INTO users (id, email, name, passwordHash) VALUES ('u1', 'a@example.com', 'ada', 'x')")
    schema_before = (p.schema_ts.read_bytes(), p.schema_ts.stat().st_mtime_ns)
    p.edit("app/models.py", '"name": t.string(),', BIO)  # a pending model change --custom must not pick up

    proc = p.nanoka("generate", "--custom", "backfill_names")

    assert proc.returncode == 0, shown(proc)
    assert (p.schema_ts.read_bytes(), p.schema_ts.stat().st_mtime_ns) == schema_before, "--custom rewrote the schema"
    [_, custom] = p.migrations()
    assert custom == "0001_backfill_names.sql"
    custom_path = p.migrations_dir / custom
    assert "ALTER TABLE" not in custom_path.read_text(encoding="utf-8"), "the pending model change leaked in"
    assert f"wrote {custom_path}: put your SQL there" in proc.stderr, shown(proc)

    custom_path.write_text("UPDATE users SET name = upper(name);\n", encoding="utf-8")
    proc = p.nanoka("generate", "--apply")
    assert proc.returncode == 0, shown(proc)
    assert len(p.migrations()) == 3, "the pending model change became the next migration"
    [[row]] = p.d1_local("SELECT name, bio FROM users")
    assert row == {"name": "ADA", "bio": None}
    proc = p.nanoka("check")
    assert proc.returncode == 0, shown(proc)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(("--custom", "backfill", "--apply"), "--custom writes an empty migration: add your SQL to it first", id="custom-apply"),
        pytest.param(("--name", "../../escape"), "--name '../../escape' is not a valid migration name", id="path-in-name"),
        pytest.param(("--custom", "-x"), "--custom '-x' is not a valid migration name", id="flag-like"),
        pytest.param(("--custom", "a", "--name", "b"), "--custom NAME already names the migration", id="both"),
        pytest.param(("--name", "a", "--no-migrate"), "--name and --no-migrate contradict each other", id="no-migrate"),
    ],
)
def test_bad_migration_flags_are_usage_errors_before_anything_runs(
    example_project: ExampleProject, args: tuple[str, ...], message: str
) -> None:
    p = example_project
    proc = p.nanoka("generate", *args)

    assert proc.returncode == 2, shown(proc)
    assert message in proc.stderr, shown(proc)
    p.assert_nothing_written()


def test_custom_without_a_schema_says_to_generate_first(example_project: ExampleProject) -> None:
    p = example_project
    proc = p.nanoka("generate", "--custom", "backfill")

    assert proc.returncode == 1, shown(proc)
    assert "--custom needs the schema drizzle-kit diffs against" in proc.stderr, shown(proc)
    p.assert_nothing_written()
