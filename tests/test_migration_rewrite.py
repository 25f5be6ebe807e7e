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
    "self_reference": [
        "INSERT INTO categories VALUES (1, NULL, 'root'), (2, 1, 'child'), (3, 2, 'grandchild')",
    ],
    "two_recreations": [
        "INSERT INTO users VALUES ('u1', 1), ('u2', 2)",
        "INSERT INTO posts VALUES ('p1', 'u1', 3), ('p2', 'u2', NULL)",
        "INSERT INTO likes VALUES (1, 'p1', 'u2'), (2, 'p2', 'u1'), (3, 'p1', NULL)",
    ],
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


@pytest.mark.parametrize("scenario", ["cascade_type_change", "self_reference", "two_recreations"])
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
        "cascade_type_change",
        "self_reference",
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
