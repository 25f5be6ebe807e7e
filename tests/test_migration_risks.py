"""The classifier on migrations drizzle-kit 0.31.11 really wrote (tests/data/migrations).

Each scenario folder holds the Drizzle schemas that produced its migrations
(make_corpus.py regenerates them). The expectations are read off the schema
change, as D1 runs it (foreign keys enforced inside migrations).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from nanoka_core.migrations.reader import read_migrations
from nanoka_core.migrations.risks import KINDS, assess

CORPUS = Path(__file__).parent / "data" / "migrations"

# scenario -> (code, table, column) of each risk in its second migration, in statement order.
EXPECTED = {
    "add_columns": [("MF103", "things", "sku")],
    "autoincrement_rebuilt": [],
    "added_column_and_changed_default": [("DS113", "things", "coupon"), ("DS113", "things", "stock")],
    "cascade_type_change": [
        ("DS112", "comments", "userId"),
        ("MF108", "logins", "userId"),
        ("DS111", "posts", None),
        ("DS111", "post_tags", None),
    ],
    "check_added": [("MF105", "things", None)],
    "composite_parent_rebuilt": [("DS111", "posts", None)],
    "composite_foreign_key_added": [("MF101", "members", 'LOWER("email")'), ("MF106", "posts", "orgId, authorId")],
    "drop_column": [("DS103", "users", "nickname")],
    "drop_table": [("DS102", "sessions", None)],
    "enum_narrowed": [("MF107", "things", "size")],
    "foreign_key_added": [("MF106", "sessions", "userId")],
    "index_added": [],
    "not_null_with_default": [("MF104", "things", "size")],
    "not_null_without_default": [("MF104", "things", "size")],
    "recreation_drops_column": [("DS110", "users", "nickname")],
    "self_reference": [("DS111", "categories", None)],
    "self_reference_with_children": [("DS111", "products", None), ("DS111", "categories", None)],
    "two_recreations": [
        ("DS111", "likes", None),
        ("DS112", "likes", "userId"),
        ("DS111", "posts", None),
        ("DS111", "likes", None),
    ],
    "unique_added": [("MF101", "things", "name"), ("MF101", "things", "size, name")],
}


def test_every_scenario_in_the_corpus_has_an_expectation() -> None:
    assert sorted(p.name for p in CORPUS.iterdir() if (p / "migrations").is_dir()) == sorted(EXPECTED)


@pytest.mark.parametrize("scenario", sorted(EXPECTED))
def test_classifier_on_the_corpus(scenario: str) -> None:
    first, second = read_migrations(CORPUS / scenario / "migrations")
    assert assess(first) == [], "creating tables risks nothing"
    assert [(r.code, r.table, r.column) for r in assess(second)] == EXPECTED[scenario]


def test_destroying_codes_are_ds_and_the_rest_may_fail() -> None:
    for code, kind in KINDS.items():
        assert kind.code == code
        assert (code.startswith("DS")) == (kind.level == "destroys data")
        assert kind.safe_way and kind.title


def test_a_risk_names_migration_statement_and_reason() -> None:
    [risk] = assess(read_migrations(CORPUS / "drop_column" / "migrations")[1])
    assert risk.destroys
    assert risk.line() == "DS103 users.nickname: ALTER TABLE users DROP COLUMN nickname deletes its values"
    assert risk.as_json()["migration"] == "0001_step_1"
    assert risk.as_json()["statement"] == 0


FAMILY = """
CREATE TABLE p (id integer PRIMARY KEY, name text NOT NULL);
CREATE TABLE c (id integer PRIMARY KEY, pId integer REFERENCES p(id) ON DELETE cascade ON UPDATE cascade);
CREATE TABLE g (id integer PRIMARY KEY, cId integer REFERENCES c(id) ON DELETE cascade);
CREATE TABLE n (id integer PRIMARY KEY, pId integer REFERENCES p(id) ON UPDATE set null);
"""


def _judged(sql: str) -> list[tuple[str, str, str | None]]:
    from nanoka_core.migrations.reader import Migration, read_statements

    _, before = read_statements(FAMILY, {})
    statements, after = read_statements(sql, before)
    return [(r.code, r.table, r.column) for r in assess(Migration("0001_x", Path("0001_x.sql"), statements, before, after))]


@pytest.mark.parametrize(
    "sql",
    ["INSERT OR REPLACE INTO p(id, name) VALUES (1, 'renamed');", "REPLACE INTO p(id, name) VALUES (1, 'renamed');"],
)
def test_case_3_replace_counts_as_the_deletes_it_causes(sql: str) -> None:
    assert _judged(sql) == [("DS111", "c", None), ("MF108", "n", "pId"), ("DS111", "g", None)]


def test_updating_a_referenced_key_changes_children_by_their_on_update_action() -> None:
    assert _judged("UPDATE p SET id = id + 100;") == [("DS116", "c", "pId"), ("DS116", "n", "pId")]
    assert _judged("UPDATE p SET name = upper(name);") == []
    upsert = "INSERT INTO p(id, name) VALUES (1, 'x') ON CONFLICT(id) DO UPDATE SET id = excluded.id + 1;"
    assert _judged(upsert) == [("DS116", "c", "pId"), ("DS116", "n", "pId")]


def test_case_4_a_rename_repoints_children_so_the_drop_names_every_table_it_reaches() -> None:
    sql = (
        "ALTER TABLE p RENAME TO p_old;\nCREATE TABLE p (id integer PRIMARY KEY, name text NOT NULL);\n"
        "INSERT INTO p SELECT id, name FROM p_old;\nDROP TABLE p_old;\n"
    )
    assert _judged(sql) == [("DS102", "p_old", None), ("DS111", "c", None), ("MF108", "n", "pId"), ("DS111", "g", None)]


def test_case_2_a_file_without_breakpoints_is_judged_statement_by_statement() -> None:
    assert _judged("UPDATE p SET name = upper(name);\nDROP TABLE c;\n") == [("DS102", "c", None), ("DS111", "g", None)]
