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
    "added_column_and_changed_default": [("DS113", "things", "coupon"), ("DS113", "things", "stock")],
    "cascade_type_change": [
        ("DS112", "comments", "userId"),
        ("MF108", "logins", "userId"),
        ("DS111", "posts", None),
        ("DS111", "post_tags", None),
    ],
    "check_added": [("MF105", "things", None)],
    "drop_column": [("DS103", "users", "nickname")],
    "drop_table": [("DS102", "sessions", None)],
    "enum_narrowed": [("MF107", "things", "size")],
    "foreign_key_added": [("MF106", "sessions", "userId")],
    "index_added": [],
    "not_null_with_default": [("MF104", "things", "size")],
    "not_null_without_default": [("MF104", "things", "size")],
    "recreation_drops_column": [("DS110", "users", "nickname")],
    "self_reference": [("DS111", "categories", None)],
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
