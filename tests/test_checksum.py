"""nanoka.sum (nanoka_core/migrations/checksum.py): written, sealed, checked, rewritten."""

from __future__ import annotations

from pathlib import Path

from nanoka_core.migrations.checksum import (
    SUM_NAME,
    read_sum,
    record,
    rehash,
    seal,
    sum_problems,
)


def folder_with(tmp_path: Path, **files: str) -> Path:
    folder = tmp_path / "migrations"
    folder.mkdir()
    for name, text in files.items():
        (folder / f"{name}.sql").write_text(text)
    return folder


def test_no_sum_is_a_note_and_the_first_record_covers_every_migration(tmp_path: Path) -> None:
    folder = folder_with(tmp_path, m0000_a="CREATE TABLE a (x);\n")
    assert sum_problems(folder) == ([], [f"no {SUM_NAME} in {folder}: run nanoka hash to start checking the migrations against edits"])
    (folder / "0001_b.sql").write_text("CREATE TABLE b (x);\n")
    record(folder, ["0001_b.sql"])
    current = read_sum(folder)
    assert current is not None and sorted(current.entries) == ["0001_b.sql", "m0000_a.sql"]
    assert sum_problems(folder) == ([], [])


def test_an_edit_a_new_file_a_removed_file_and_a_hand_edited_sum_are_problems(tmp_path: Path) -> None:
    folder = folder_with(tmp_path, **{"0000_a": "CREATE TABLE a (x);\n", "0001_b": "CREATE TABLE b (x);\n"})
    record(folder, [])
    (folder / "0000_a.sql").write_text("CREATE TABLE a (x, y);\n")
    (folder / "0002_c.sql").write_text("SELECT 1;\n")
    (folder / "0001_b.sql").unlink()
    problems, _ = sum_problems(folder)
    assert [p.split(" ")[0] for p in problems] == ["0000_a.sql", "0002_c.sql", "0001_b.sql"]
    assert "was edited after it was written" in problems[0] and "put the change in a new migration" in problems[0]
    assert "is not in nanoka.sum: added by hand" in problems[1]

    assert sorted(rehash(folder)) == ["0000_a.sql", "0001_b.sql", "0002_c.sql"]
    assert sum_problems(folder) == ([], [])
    path = folder / SUM_NAME
    path.write_text(path.read_text().replace("0002_c.sql", "0003_c.sql"))
    (folder / "0002_c.sql").rename(folder / "0003_c.sql")
    problems, _ = sum_problems(folder)
    assert len(problems) == 1 and "was edited by hand" in problems[0]


def test_two_branches_conflict_in_git_or_share_a_number(tmp_path: Path) -> None:
    folder = folder_with(tmp_path, **{"0000_a": "CREATE TABLE a (x);\n", "0001_b": "CREATE TABLE b (x);\n"})
    record(folder, [])
    path = folder / SUM_NAME
    lines = path.read_text().splitlines()
    path.write_text("\n".join(["<<<<<<< HEAD", lines[0], "=======", "h1:other", ">>>>>>> theirs", *lines[1:]]) + "\n")
    [problem], _ = sum_problems(folder)
    assert "git conflict markers: two branches each added a migration" in problem
    assert "run nanoka generate to write it again on top" in problem

    (folder / "0001_c.sql").write_text("CREATE TABLE c (x);\n")
    rehash(folder)
    problems, _ = sum_problems(folder)
    assert any("0001_b.sql and 0001_c.sql with the same number 0001" in p for p in problems), problems


def test_a_custom_migration_is_unsealed_until_it_is_applied(tmp_path: Path) -> None:
    folder = folder_with(tmp_path, **{"0000_a": "CREATE TABLE a (x);\n"})
    record(folder, [])
    (folder / "0001_fill.sql").write_text("-- Custom SQL migration file, put your code below! --")
    record(folder, ["0001_fill.sql"], unsealed=True)
    assert (folder / SUM_NAME).read_text().splitlines()[-1].endswith(" unsealed")
    (folder / "0001_fill.sql").write_text("-- header\nUPDATE a SET x = 1;\n")
    problems, notes = sum_problems(folder)
    assert problems == [] and notes and "its hash is taken when nanoka first applies it" in notes[0]

    assert seal(folder, ["0001_fill.sql"]) == ["0001_fill.sql"]
    assert sum_problems(folder) == ([], [])
    (folder / "0001_fill.sql").write_text("-- header\nUPDATE a SET x = 2;\n")
    assert "was edited after it was written" in sum_problems(folder)[0][0]


def test_an_allow_line_is_not_an_edit(tmp_path: Path) -> None:
    folder = folder_with(tmp_path, **{"0000_a": "BEGIN TRANSACTION;\nCREATE TABLE a (x);\nCOMMIT;\n"})
    record(folder, [])
    (folder / "0000_a.sql").write_text("-- nanoka: allow D1102\nBEGIN TRANSACTION;\nCREATE TABLE a (x);\nCOMMIT;\n")
    assert sum_problems(folder) == ([], [])
