"""``nanoka status``'s report: the folder's migrations against what a database applied.

The migrations are the committed corpus drizzle-kit wrote (tests/data/migrations).
"""

from __future__ import annotations

from pathlib import Path

from nanoka_core.cli.status import migration_status

DROP_COLUMN = Path(__file__).parent / "data" / "migrations" / "drop_column" / "migrations"
RISK = "DS103 users.nickname: ALTER TABLE users DROP COLUMN nickname deletes its values"


def test_applied_and_pending_in_folder_order_with_risk_lines_for_pending_ones() -> None:
    report = migration_status(DROP_COLUMN, "db", remote=False, applied=["0000_step_0.sql"])
    assert [(m.name, m.applied) for m in report.migrations] == [("0000_step_0.sql", True), ("0001_step_1.sql", False)]
    assert [r["line"] for r in report.migrations[1].risks] == [RISK]
    assert report.lines() == [
        f"db (local): 1 applied, 1 pending, in {DROP_COLUMN}",
        "  applied  0000_step_0.sql",
        "  pending  0001_step_1.sql",
        f"           {RISK}",
    ]


def test_applied_migrations_carry_no_risk_lines_and_unknown_ones_are_listed() -> None:
    applied = ["0000_step_0.sql", "0001_step_1.sql", "0002_from_another_branch.sql"]
    report = migration_status(DROP_COLUMN, "db", remote=True, applied=applied)
    assert report.pending == [] and all(m.risks == () for m in report.migrations)
    assert report.unknown == ("0002_from_another_branch.sql",)
    assert report.lines()[0] == f"db (remote): 2 applied, 0 pending, in {DROP_COLUMN}"
    assert report.lines()[-1] == "  applied  0002_from_another_branch.sql  (not in the folder)"


def test_json_has_the_same_content() -> None:
    data = migration_status(DROP_COLUMN, "db", remote=False, applied=[]).as_json()
    assert data["database"] == "db" and data["where"] == "local" and data["folder"] == str(DROP_COLUMN)
    assert [(m["name"], m["state"]) for m in data["migrations"]] == [
        ("0000_step_0.sql", "pending"), ("0001_step_1.sql", "pending"),
    ]
    [risk] = data["migrations"][1]["risks"]
    assert (risk["code"], risk["table"], risk["column"], risk["line"]) == ("DS103", "users", "nickname", RISK)
    assert data["applied_not_in_folder"] == []


def test_no_folder_means_no_migrations(tmp_path: Path) -> None:
    report = migration_status(tmp_path / "missing", "db", remote=False, applied=[])
    assert report.migrations == () and report.lines() == [f"db (local): 0 applied, 0 pending, in {tmp_path / 'missing'}"]


def test_a_pending_migration_shows_what_d1_would_refuse(tmp_path: Path) -> None:
    folder = tmp_path / "migrations"
    folder.mkdir()
    (folder / "0000_a.sql").write_text("CREATE TABLE a (x);\n")
    (folder / "0001_b.sql").write_text("CREATE TABLE b (x);\nBEGIN TRANSACTION;\nDELETE FROM a;\nCOMMIT;\n")
    report = migration_status(folder, "db", remote=False, applied=["0000_a.sql"])
    assert report.lines()[1:] == [
        "  applied  0000_a.sql",
        "  pending  0001_b.sql",
        "           D1102 line 2: BEGIN TRANSACTION inside a migration",
        "           D1102 line 4: COMMIT inside a migration",
    ]
    assert report.as_json()["migrations"][1]["risks"][0]["level"] == "error"
