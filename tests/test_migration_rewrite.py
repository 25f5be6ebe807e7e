"""The row-preserving rewrite, on migrations drizzle-kit really wrote.

Applied here to SQLite the way D1 applies a migration: foreign keys on, the
whole file inside one transaction (where ``PRAGMA foreign_keys=OFF`` does
nothing, as on D1). tests/e2e/test_e2e_safe_migrations.py does the same
through the real wrangler on a local D1.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from nanoka_core.migrations.reader import read_migrations
from nanoka_core.migrations.rewrite import MARK, preserve_rows
from nanoka_core.migrations.risks import assess

CORPUS = Path(__file__).parent / "data" / "migrations"

ROWS = {
    "cascade_type_change": [
        "INSERT INTO users VALUES ('u1', 'a@x', 30), ('u2', 'b@x', NULL), ('u3', 'c@x', 7)",
        "INSERT INTO posts VALUES ('p1', 'u1', 'first'), ('p2', 'u2', 'second')",
        "INSERT INTO post_tags(postId, tag) VALUES ('p1', 'x'), ('p1', 'y'), ('p2', 'z')",
        "INSERT INTO comments VALUES (1, 'u1', 'hi'), (2, NULL, 'anon'), (3, 'u3', 'yo')",
        "INSERT INTO logins VALUES (1, 'u1', 100), (2, 'u2', 200)",
    ],
    "composite_parent_rebuilt": [
        "INSERT INTO members VALUES (1, 1, 5), (1, 2, NULL), (2, 1, 7)",
        "INSERT INTO posts VALUES (1, 1, 1, 'a'), (2, 1, 2, 'b'), (3, 2, 1, 'c')",
    ],
    "self_reference": [
        "INSERT INTO categories VALUES (1, NULL, 'root'), (2, 1, 'child'), (3, 2, 'grandchild')",
    ],
    "self_reference_with_children": [
        "INSERT INTO categories VALUES (1, NULL, 'root'), (2, 1, 'child')",
        "INSERT INTO products VALUES (1, 1, 'a'), (2, 2, 'b')",
    ],
    "two_recreations": [
        "INSERT INTO users VALUES ('u1', 1), ('u2', 2)",
        "INSERT INTO posts VALUES ('p1', 'u1', 3), ('p2', 'u2', NULL)",
        "INSERT INTO likes VALUES (1, 'p1', 'u2'), (2, 'p2', 'u1'), (3, 'p1', NULL)",
    ],
    "autoincrement_rebuilt": ["INSERT INTO tickets (title) VALUES ('a'), ('b'), ('c')", "DELETE FROM tickets WHERE id = 3"],
    "not_null_with_default": ["INSERT INTO things VALUES (1, 'a', 's'), (2, 'b', NULL)"],
    "added_column_and_changed_default": ["INSERT INTO things VALUES (1, 'a', 's'), (2, 'b', 'm')"],
}


def _d1_like() -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:", isolation_level=None)
    conn.execute("PRAGMA foreign_keys=ON")
    return conn


def _apply(conn: sqlite3.Connection, text: str) -> None:
    """One migration as D1 runs it: one transaction, foreign keys staying on."""
    conn.executescript(f"BEGIN;\n{text}\nCOMMIT;")


def _tables(conn: sqlite3.Connection) -> dict[str, list[tuple[Any, ...]]]:
    names = [
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    return {n: sorted(conn.execute(f'SELECT * FROM "{n}"').fetchall(), key=repr) for n in sorted(names)}


def _run(scenario: str, rewrite: bool) -> sqlite3.Connection:
    folder = CORPUS / scenario / "migrations"
    first, second = read_migrations(folder)
    conn = _d1_like()
    _apply(conn, first.path.read_text(encoding="utf-8"))
    for statement in ROWS[scenario]:
        conn.execute(statement)
    text = second.path.read_text(encoding="utf-8")
    _apply(conn, (preserve_rows(second, text) or text) if rewrite else text)
    return conn


@pytest.mark.parametrize(
    "scenario",
    [
        "cascade_type_change",
        "composite_parent_rebuilt",
        "self_reference",
        "self_reference_with_children",
        "two_recreations",
    ],
)
def test_rebuild_of_a_referenced_table_keeps_every_row_of_every_table(scenario: str) -> None:
    reference = _d1_like()
    _apply(reference, read_migrations(CORPUS / scenario / "migrations")[0].path.read_text(encoding="utf-8"))
    for statement in ROWS[scenario]:
        reference.execute(statement)
    before = _tables(reference)

    after = _tables(_run(scenario, rewrite=True))

    assert after == before  # same tables, same rows, value for value (no __nanoka_keep_ left)


def test_without_the_rewrite_d1_loses_the_rows() -> None:
    """The trap the rewrite exists for, reproduced: NO ACTION rows block, cascade rows vanish."""
    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
        _run("cascade_type_change", rewrite=False)
    lost = _tables(_run("self_reference", rewrite=False))["categories"]
    assert lost == [(1, None, "root")]
    assert _tables(_run("composite_parent_rebuilt", rewrite=False))["posts"] == []  # a key over two columns


def test_an_autoincrement_table_never_hands_out_a_deleted_id_again() -> None:
    kept = _run("autoincrement_rebuilt", rewrite=True)
    kept.execute("INSERT INTO tickets (title) VALUES ('d')")
    assert _tables(kept)["tickets"] == [(1, "a"), (2, "b"), (4, "d")]  # 3 was deleted: never again
    reused = _run("autoincrement_rebuilt", rewrite=False)
    reused.execute("INSERT INTO tickets (title) VALUES ('d')")
    assert _tables(reused)["tickets"] == [(1, "a"), (2, "b"), (3, "d")]  # drizzle-kit's rebuild alone

    emptied = _d1_like()  # every row deleted: the rebuilt table has no sequence entry until one is made
    first, second = read_migrations(CORPUS / "autoincrement_rebuilt" / "migrations")
    _apply(emptied, first.path.read_text(encoding="utf-8"))
    emptied.execute("INSERT INTO tickets (title) VALUES ('a'), ('b')")
    emptied.execute("DELETE FROM tickets")
    text = second.path.read_text(encoding="utf-8")
    _apply(emptied, preserve_rows(second, text) or text)
    emptied.execute("INSERT INTO tickets (title) VALUES ('c')")
    assert _tables(emptied)["tickets"] == [(3, "c")]


def test_nulls_become_the_default_when_a_column_turns_not_null() -> None:
    assert _tables(_run("not_null_with_default", rewrite=True))["things"] == [(1, "a", "s"), (2, "b", "m")]
    with pytest.raises(sqlite3.IntegrityError, match="NOT NULL"):
        _run("not_null_with_default", rewrite=False)


def test_a_column_the_old_table_lacks_gets_its_default_or_null() -> None:
    assert _tables(_run("added_column_and_changed_default", rewrite=True))["things"] == [
        (1, "a", "s", None, 0),
        (2, "b", "m", None, 0),
    ]
    broken = _tables(_run("added_column_and_changed_default", rewrite=False))["things"]
    assert broken[0][3] == "coupon"  # drizzle-kit's copy, as SQLite reads it


def test_rewrite_is_idempotent_and_leaves_other_migrations_alone() -> None:
    folder = CORPUS / "cascade_type_change" / "migrations"
    _, second = read_migrations(folder)
    once = preserve_rows(second, second.path.read_text(encoding="utf-8"))
    assert once is not None and MARK in once
    assert preserve_rows(second, once) is None
    for scenario in ("drop_column", "index_added", "add_columns", "check_added"):
        _, migration = read_migrations(CORPUS / scenario / "migrations")
        assert preserve_rows(migration, migration.path.read_text(encoding="utf-8")) is None, scenario


@pytest.mark.parametrize(
    "scenario",
    [
        "autoincrement_rebuilt",
        "cascade_type_change",
        "self_reference",
        "self_reference_with_children",
        "two_recreations",
        "not_null_with_default",
        "added_column_and_changed_default",
    ],
)
def test_rewritten_migration_has_no_risk_left_that_the_rewrite_removes(scenario: str, tmp_path: Path) -> None:
    folder = CORPUS / scenario / "migrations"
    _, second = read_migrations(folder)
    rewritten = preserve_rows(second, second.path.read_text(encoding="utf-8"))
    assert rewritten is not None
    copy = tmp_path / "migrations"
    shutil.copytree(folder, copy)
    (copy / second.path.name).write_text(rewritten, encoding="utf-8")
    again = read_migrations(copy)[1]
    assert [r.line() for r in assess(again)] == []


def test_drizzle_kits_own_statements_stay_byte_for_byte() -> None:
    _, second = read_migrations(CORPUS / "cascade_type_change" / "migrations")
    text = second.path.read_text(encoding="utf-8")
    rewritten = preserve_rows(second, text)
    assert rewritten is not None
    parts = rewritten.split("--> statement-breakpoint")
    original = text.split("--> statement-breakpoint")
    kept = [part for part in parts if part in original]
    assert kept == original  # every original part, unchanged and in order
    added = [part for part in parts if part not in original]
    assert all(part.startswith("\n") and part.strip().endswith(";") for part in added)


# --------------------------------------------------------------------------- proved by the rehearsal

CYCLE = """
CREATE TABLE a (id integer PRIMARY KEY NOT NULL, bId integer REFERENCES b(id) ON DELETE cascade, note text);
CREATE TABLE b (id integer PRIMARY KEY NOT NULL, aId integer REFERENCES a(id) ON DELETE cascade);
CREATE TABLE leaf (id integer PRIMARY KEY NOT NULL, bId integer NOT NULL REFERENCES b(id) ON DELETE cascade);
"""
CYCLE_ROWS = "INSERT INTO a VALUES (1, NULL, 'x'), (2, NULL, 'y'); INSERT INTO b VALUES (1, 1), (2, 2);\nUPDATE a SET bId = id; INSERT INTO leaf VALUES (1, 1), (2, 2);"


def _drizzle_rebuild(table: str, columns: str, names: str) -> str:
    return (
        "PRAGMA foreign_keys=OFF;--> statement-breakpoint\n"
        f"CREATE TABLE `__new_{table}` ({columns});\n--> statement-breakpoint\n"
        f'INSERT INTO `__new_{table}`({names}) SELECT {names} FROM `{table}`;--> statement-breakpoint\n'
        f"DROP TABLE `{table}`;--> statement-breakpoint\n"
        f"ALTER TABLE `__new_{table}` RENAME TO `{table}`;--> statement-breakpoint\n"
        "PRAGMA foreign_keys=ON;"
    )


def _rewritten_and_rehearsed(schema_sql: str, rows: str, text: str) -> Any:
    from nanoka_core.migrations.reader import Migration, read_statements
    from nanoka_core.migrations.rehearsal import rehearse

    _, before = read_statements(schema_sql, {})
    statements, after = read_statements(text, before)
    rewritten = preserve_rows(Migration("0001_x", Path("0001_x.sql"), statements, before, after), text)
    assert rewritten is not None
    [plain] = rehearse(schema_sql + rows, [("0001_x.sql", text)])
    [report] = rehearse(schema_sql + rows, [("0001_x.sql", rewritten)])
    return plain, report, rewritten


def test_case_1_a_renamed_then_rebuilt_table_keeps_the_rows_that_reference_it() -> None:
    schema = """
    CREATE TABLE p (id integer PRIMARY KEY NOT NULL, name text NOT NULL);
    CREATE TABLE c (id integer PRIMARY KEY NOT NULL, pId integer NOT NULL REFERENCES p(id) ON DELETE cascade);
    CREATE TABLE g (id integer PRIMARY KEY NOT NULL, cId integer NOT NULL REFERENCES c(id) ON DELETE cascade);
    """
    rows = "INSERT INTO p VALUES (1, 'a'), (2, 'b'); INSERT INTO c VALUES (1, 1), (2, 1), (3, 2); INSERT INTO g VALUES (1, 1), (2, 3);"
    text = "ALTER TABLE `p` RENAME TO `parents`;--> statement-breakpoint\n" + _drizzle_rebuild(
        "parents", "`id` integer PRIMARY KEY NOT NULL, `name` text DEFAULT 'x' NOT NULL", '"id", "name"'
    )
    plain, report, rewritten = _rewritten_and_rehearsed(schema, rows, text)
    assert {loss.table: loss.deleted for loss in plain.losses} == {"c": 3, "g": 2}
    assert report.ok, report.as_json()
    assert 'CREATE TABLE "__nanoka_keep_c" AS SELECT * FROM "c";' in rewritten


def test_a_foreign_key_cycle_rebuilt_in_one_migration_keeps_every_row() -> None:
    text = _drizzle_rebuild(
        "a", "`id` integer PRIMARY KEY NOT NULL, `bId` integer REFERENCES b(id) ON DELETE cascade, `note` text DEFAULT 'n'", '"id", "bId", "note"'
    ) + "--> statement-breakpoint\n" + _drizzle_rebuild(
        "b", "`id` integer PRIMARY KEY NOT NULL, `aId` integer REFERENCES a(id) ON DELETE cascade, `extra` text", '"id", "aId"'
    )
    plain, report, rewritten = _rewritten_and_rehearsed(CYCLE, CYCLE_ROWS, text)
    assert not plain.ok
    assert report.ok, (report.as_json(), rewritten)
    assert rewritten.count("PRAGMA defer_foreign_keys = on;") == 2


def test_the_guard_finds_nothing_destroyed_in_the_rewritten_cycle() -> None:
    from nanoka_core.migrations.reader import Migration, read_statements

    text = _drizzle_rebuild(
        "a", "`id` integer PRIMARY KEY NOT NULL, `bId` integer REFERENCES b(id) ON DELETE cascade, `note` text", '"id", "bId", "note"'
    )
    _, before = read_statements(CYCLE, {})
    statements, after = read_statements(text, before)
    rewritten = preserve_rows(Migration("0001_x", Path("0001_x.sql"), statements, before, after), text)
    assert rewritten is not None
    statements, after = read_statements(rewritten, before)
    assert [r.line() for r in assess(Migration("0001_x", Path("0001_x.sql"), statements, before, after)) if r.destroys] == []
