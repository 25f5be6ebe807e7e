"""``nanoka check`` without the Node tools, and the migrations-folder checks.

The CLI tests use projects without a drizzle config, so only the schema is
compared. ``folder_problems`` is tested on hand-built migrations folders in
drizzle-kit 0.31's format (``NNNN_<name>.sql``, ``meta/_journal.json``,
``meta/NNNN_snapshot.json``), modelled on what ``drizzle-kit generate`` writes
for examples/basic.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from nanoka_core.drizzle.folder import folder_problems
from tests.conftest import link_example_node_modules, nanoka_subprocess

MODELS = {"app/models.py": """
    from nanoka_core import t, define_model
    User = define_model("users", {"id": t.uuid().primary(), "email": t.string().unique()})
"""}
EMAIL_LINE = "  email: text('email').notNull().unique(),\n"
EDITED_EMAIL_LINE = "  email: text('email'),\n"


@pytest.fixture
def project(nanoka_project: Any) -> Path:
    root: Path = nanoka_project(MODELS)
    return root.resolve()


def generated(run_nanoka: Any, project: Path) -> Path:
    result = run_nanoka(["generate", "--no-migrate"], cwd=project)
    assert result.exit_code == 0, result.output
    return project / "drizzle" / "schema.ts"


def edit_schema(schema: Path) -> None:
    """Hand-edit the generated file, as someone might, so it no longer matches the models."""
    text = schema.read_text(encoding="utf-8")
    assert text.count(EMAIL_LINE) == 1
    schema.write_text(text.replace(EMAIL_LINE, EDITED_EMAIL_LINE), encoding="utf-8")


def state(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under ``folder``: content and mtime."""
    return {
        str(p.relative_to(folder)): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


# --- nanoka check: the schema ------------------------------------------------------------------


def test_check_up_to_date_exits_0(run_nanoka: Any, project: Path) -> None:
    schema = generated(run_nanoka, project)
    result = run_nanoka(["check"], cwd=project)
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert f"{schema} and the schema are up to date" in result.stderr


def test_check_schema_differs_prints_a_unified_diff(run_nanoka: Any, project: Path) -> None:
    schema = generated(run_nanoka, project)
    edit_schema(schema)
    result = run_nanoka(["check"], cwd=project)
    assert result.exit_code == 1
    lines = result.stdout.splitlines(keepends=True)
    assert lines[0] == f"--- {schema} (on disk)\n"
    assert lines[1] == f"+++ {schema} (from the models)\n"
    assert lines[2].startswith("@@ ")
    assert "-" + EDITED_EMAIL_LINE in lines
    assert "+" + EMAIL_LINE in lines
    assert f"{schema} is not what the models give: run nanoka generate" in result.stderr


def test_check_after_a_model_change_shows_the_new_column(project: Path) -> None:
    # Real processes: each run imports the edited models afresh.
    assert nanoka_subprocess(["generate", "--no-migrate"], cwd=project, timeout=60).returncode == 0
    models = project / "app" / "models.py"
    models.write_text(
        models.read_text(encoding="utf-8").replace(
            '"email": t.string().unique()', '"email": t.string().unique(), "bio": t.string().optional()'
        ),
        encoding="utf-8",
    )
    done = nanoka_subprocess(["check"], cwd=project, timeout=60)
    assert done.returncode == 1
    assert "+  bio: text('bio'),\n" in done.stdout.splitlines(keepends=True)
    assert [line for line in done.stdout.splitlines() if line[:1] in "+-" and line[:3] not in ("+++", "---")] == [
        "+  bio: text('bio'),"
    ]
    assert "run nanoka generate" in done.stderr


def test_check_missing_schema_exits_1(run_nanoka: Any, project: Path) -> None:
    result = run_nanoka(["check"], cwd=project)
    assert result.exit_code == 1
    schema = project / "drizzle" / "schema.ts"
    assert f"{schema} does not exist: run nanoka generate" in result.stderr
    assert result.stdout == ""
    assert not schema.exists()


@pytest.mark.parametrize("case", ["up to date", "differs", "missing"])
def test_check_json_is_one_document_on_stdout(run_nanoka: Any, project: Path, case: str) -> None:
    schema = project / "drizzle" / "schema.ts"
    if case != "missing":
        generated(run_nanoka, project)
    if case == "differs":
        edit_schema(schema)
    result = run_nanoka(["--log-format", "json", "check"], cwd=project)
    assert result.exit_code == (0 if case == "up to date" else 1)
    assert result.stdout.endswith("\n") and result.stdout.count("\n") == 1
    report = json.loads(result.stdout)
    assert report["ok"] is (case == "up to date")
    assert report["schema"]["path"] == str(schema)
    assert report["schema"]["state"] == case
    assert report["migrations"] == {"path": None, "problems": [], "risks": [], "d1": []}
    if case == "differs":
        diff = report["schema"]["diff"].splitlines(keepends=True)
        assert diff[:2] == [f"--- {schema} (on disk)\n", f"+++ {schema} (from the models)\n"]
        assert "-" + EDITED_EMAIL_LINE in diff and "+" + EMAIL_LINE in diff
    else:
        assert report["schema"]["diff"] == ""


@pytest.mark.parametrize("case", ["up to date", "differs", "missing"])
def test_check_writes_nothing(project: Path, case: str) -> None:
    schema = project / "drizzle" / "schema.ts"
    if case != "missing":
        assert nanoka_subprocess(["generate", "--no-migrate"], cwd=project, timeout=60).returncode == 0
    if case == "differs":
        edit_schema(schema)
    if schema.exists():
        os.utime(schema, ns=(1_000_000_000, 1_000_000_000))
    before = state(project)
    for args in (["check"], ["--log-format", "json", "check"]):
        # No bytecode either, so that any new file would be nanoka's.
        done = nanoka_subprocess(args, cwd=project, env={"PYTHONDONTWRITEBYTECODE": "1"}, timeout=60)
        assert done.returncode == (0 if case == "up to date" else 1), done.stderr
    assert state(project) == before
    if case == "missing":
        assert not (project / "drizzle").exists()


# --- migrations folders --------------------------------------------------------------------------

ROOT_ID = "00000000-0000-0000-0000-000000000000"
IDS = [
    "c33bef72-75a5-426b-97d2-48c4b8801d06",
    "08a28dbb-592d-4624-bc38-00c6ef53b03e",
    "5b0e6f0a-2d8c-4a53-9d0c-6a3b6a7f2c11",
]
SQL = {
    "0000_init": (
        "CREATE TABLE `users` (\n\t`id` text PRIMARY KEY NOT NULL,\n\t`email` text NOT NULL\n);\n"
        "--> statement-breakpoint\n"
        "CREATE UNIQUE INDEX `users_email_unique` ON `users` (`email`);"
    ),
    "0001_add_bio": "ALTER TABLE `users` ADD `bio` text;",
    "0001_add_age": "ALTER TABLE `users` ADD `age` integer;",
    "0002_add_name": "ALTER TABLE `users` ADD `name` text;",
}


def _column(name: str, type_: str, primary: bool = False, not_null: bool = True) -> dict[str, Any]:
    return {"name": name, "type": type_, "primaryKey": primary, "notNull": not_null, "autoincrement": False}


def snapshot(id_: str, prev_id: str, extra: tuple[str, ...] = ()) -> dict[str, Any]:
    """A drizzle-kit sqlite snapshot (version 6) of users with the given extra text columns."""
    columns = {"id": _column("id", "text", primary=True), "email": _column("email", "text")}
    columns.update({name: _column(name, "text", not_null=False) for name in extra})
    return {
        "version": "6",
        "dialect": "sqlite",
        "id": id_,
        "prevId": prev_id,
        "tables": {
            "users": {
                "name": "users",
                "columns": columns,
                "indexes": {
                    "users_email_unique": {"name": "users_email_unique", "columns": ["email"], "isUnique": True}
                },
                "foreignKeys": {},
                "compositePrimaryKeys": {},
                "uniqueConstraints": {},
                "checkConstraints": {},
            }
        },
        "views": {},
        "enums": {},
        "_meta": {"schemas": {}, "tables": {}, "columns": {}},
        "internal": {"indexes": {}},
    }


def journal(tags: list[str]) -> dict[str, Any]:
    return {
        "version": "7",
        "dialect": "sqlite",
        "entries": [
            {"idx": i, "version": "6", "when": 1795770753953 + 1000 * i, "tag": tag, "breakpoints": True}
            for i, tag in enumerate(tags)
        ],
    }


def write_folder(
    folder: Path,
    sql: list[str],
    snapshots: dict[str, dict[str, Any]],
    journal_tags: list[str] | None,
) -> Path:
    """``sql`` tags get their .sql file; ``snapshots`` maps file names to content."""
    meta = folder / "meta"
    meta.mkdir(parents=True)
    for tag in sql:
        (folder / f"{tag}.sql").write_text(SQL[tag], encoding="utf-8")
    for name, content in snapshots.items():
        (meta / name).write_text(json.dumps(content, indent=2), encoding="utf-8")
    if journal_tags is not None:
        (meta / "_journal.json").write_text(json.dumps(journal(journal_tags), indent=2), encoding="utf-8")
    return folder


CONSISTENT_SNAPSHOTS = {
    "0000_snapshot.json": snapshot(IDS[0], ROOT_ID),
    "0001_snapshot.json": snapshot(IDS[1], IDS[0], ("bio",)),
}


def consistent(folder: Path) -> Path:
    return write_folder(folder, ["0000_init", "0001_add_bio"], CONSISTENT_SNAPSHOTS, ["0000_init", "0001_add_bio"])


def test_consistent_folder_has_no_problems(tmp_path: Path) -> None:
    assert folder_problems(consistent(tmp_path / "migrations")) == []


def test_single_migration_folder_has_no_problems(tmp_path: Path) -> None:
    folder = write_folder(
        tmp_path / "migrations", ["0000_init"], {"0000_snapshot.json": snapshot(IDS[0], ROOT_ID)}, ["0000_init"]
    )
    assert folder_problems(folder) == []


def test_missing_folder_has_no_problems(tmp_path: Path) -> None:
    assert folder_problems(tmp_path / "nothing-yet") == []


def test_two_sql_files_with_the_same_number(tmp_path: Path) -> None:
    tags = ["0000_init", "0001_add_age", "0001_add_bio"]
    folder = write_folder(tmp_path / "migrations", tags, CONSISTENT_SNAPSHOTS, tags)
    (problem,) = folder_problems(folder)
    assert "0001_add_age.sql and 0001_add_bio.sql" in problem
    assert "share the number 0001" in problem


def test_journal_entry_without_its_sql_file(tmp_path: Path) -> None:
    folder = consistent(tmp_path / "migrations")
    (folder / "0001_add_bio.sql").unlink()
    (problem,) = folder_problems(folder)
    assert "_journal.json" in problem
    assert "0001_add_bio.sql is missing" in problem


def test_sql_file_missing_from_the_journal(tmp_path: Path) -> None:
    folder = consistent(tmp_path / "migrations")
    (folder / "0002_add_name.sql").write_text(SQL["0002_add_name"], encoding="utf-8")
    (problem,) = folder_problems(folder)
    assert problem.startswith("0002_add_name.sql is not in _journal.json")


def test_two_snapshots_with_the_same_parent(tmp_path: Path) -> None:
    tags = ["0000_init", "0001_add_bio", "0002_add_name"]
    snapshots = {
        **CONSISTENT_SNAPSHOTS,
        "0002_snapshot.json": snapshot(IDS[2], IDS[0], ("name",)),  # generated on another branch from 0000
    }
    folder = write_folder(tmp_path / "migrations", tags, snapshots, tags)
    (problem,) = folder_problems(folder)
    assert "0001_snapshot.json and 0002_snapshot.json" in problem
    assert IDS[0] in problem


def test_merge_of_two_branches_that_each_generated_0001(tmp_path: Path) -> None:
    # Branch A's folder, plus branch B's SQL file; the journal conflict was resolved as A's.
    folder = consistent(tmp_path / "migrations")
    (folder / "0001_add_age.sql").write_text(SQL["0001_add_age"], encoding="utf-8")
    problems = folder_problems(folder)
    assert len(problems) == 2, problems
    assert "0001_add_age.sql and 0001_add_bio.sql" in problems[0]
    assert problems[1].startswith("0001_add_age.sql is not in _journal.json")


def test_sql_files_without_a_journal(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "migrations", ["0000_init", "0001_add_bio"], CONSISTENT_SNAPSHOTS, None)
    (problem,) = folder_problems(folder)
    assert f"{folder / 'meta' / '_journal.json'} is missing" in problem


def test_no_journal_and_no_sql_is_no_problem(tmp_path: Path) -> None:
    folder = tmp_path / "migrations"
    folder.mkdir()
    assert folder_problems(folder) == []


@pytest.mark.parametrize(
    "content",
    [
        pytest.param("<<<<<<< HEAD\n{\n=======\n}\n>>>>>>> branch\n", id="merge-conflict-markers"),
        pytest.param("", id="empty"),
        pytest.param('{"version": "7", "dialect": "sqlite"}', id="no-entries"),
        pytest.param("[1, 2]", id="not-an-object"),
    ],
)
def test_journal_that_is_not_a_journal(tmp_path: Path, content: str) -> None:
    folder = consistent(tmp_path / "migrations")
    journal_path = folder / "meta" / "_journal.json"
    journal_path.write_text(content, encoding="utf-8")
    (problem,) = folder_problems(folder)
    assert problem.startswith(f"{journal_path} is not a drizzle-kit journal")


def test_snapshot_that_is_not_json(tmp_path: Path) -> None:
    folder = consistent(tmp_path / "migrations")
    broken = folder / "meta" / "0001_snapshot.json"
    broken.write_text("{ not json", encoding="utf-8")
    (problem,) = folder_problems(folder)
    assert problem.startswith(f"{broken} is not a drizzle-kit snapshot")


def test_folder_problems_reads_but_never_writes(tmp_path: Path) -> None:
    folder = consistent(tmp_path / "migrations")
    (folder / "0001_add_age.sql").write_text(SQL["0001_add_age"], encoding="utf-8")
    before = state(folder)
    assert folder_problems(folder)
    assert state(folder) == before


# --- nanoka check with a drizzle config: folder problems come first ------------------------------


def test_check_reports_folder_problems_without_running_drizzle_kit(
    run_nanoka: Any, project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (project / "drizzle.config.ts").write_text(
        "export default { dialect: 'sqlite', schema: './drizzle/schema.ts', out: './drizzle/migrations' }\n",
        encoding="utf-8",
    )
    link_example_node_modules(project)
    generated(run_nanoka, project)
    folder = consistent(project / "drizzle" / "migrations")
    (folder / "0001_add_age.sql").write_text(SQL["0001_add_age"], encoding="utf-8")
    # An npx that records being run: folder problems must be found before any tool runs.
    bin_dir = tmp_path / "fake-bin"
    bin_dir.mkdir()
    calls = tmp_path / "npx-calls.log"
    (bin_dir / "npx").write_text(f'#!/bin/sh\necho "$@" >> "{calls}"\nexit 1\n', encoding="utf-8")
    (bin_dir / "npx").chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    before = state(project / "drizzle")
    result = run_nanoka(["check"], cwd=project)
    assert result.exit_code == 1
    assert "0001_add_age.sql and 0001_add_bio.sql share the number 0001" in result.stderr
    assert "0001_add_age.sql is not in _journal.json" in result.stderr
    assert not calls.exists()
    assert state(project / "drizzle") == before
    report = json.loads(run_nanoka(["--log-format", "json", "check"], cwd=project).stdout)
    assert report["ok"] is False
    assert report["schema"]["state"] == "up to date"
    assert report["migrations"]["path"] == str(folder)
    assert len(report["migrations"]["problems"]) == 2


def test_check_without_drizzle_kit_installed_says_to_install(run_nanoka: Any, project: Path) -> None:
    (project / "drizzle.config.ts").write_text("export default { dialect: 'sqlite' }\n", encoding="utf-8")
    (project / "package.json").write_text('{"devDependencies": {"drizzle-kit": "0.31.11"}}', encoding="utf-8")
    generated(run_nanoka, project)
    result = run_nanoka(["check"], cwd=project)
    assert result.exit_code == 1
    assert f"drizzle-kit is listed in {project / 'package.json'} but not installed: run `npm install`" in result.stderr
