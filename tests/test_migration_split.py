"""Cutting a migration into statements exactly as wrangler 4.85's splitter does."""

from __future__ import annotations

import pytest

from nanoka_core.migrations.split import SplitError, migration_batch, split_like_wrangler


def test_breakpoints_are_comments_and_semicolons_cut() -> None:
    text = "UPDATE p SET name = upper(name);\nDROP TABLE c;"
    assert split_like_wrangler(text) == ["UPDATE p SET name = upper(name)", "DROP TABLE c"]
    drizzle = "CREATE TABLE `a` (`x` integer);--> statement-breakpoint\nDROP TABLE `b`;\n"
    assert split_like_wrangler(drizzle) == ["CREATE TABLE `a` (`x` integer)", "DROP TABLE `b`"]


def test_a_statement_without_breakpoint_between_two_is_still_two() -> None:
    assert split_like_wrangler("DELETE FROM a; --> statement-breakpoint\nDELETE FROM b; DELETE FROM c;") == [
        "DELETE FROM a",
        "DELETE FROM b",
        "DELETE FROM c",
    ]


def test_quotes_and_comments_hide_semicolons() -> None:
    text = "INSERT INTO t VALUES ('a;b', \"c;d\");/* x; */ -- y;\nSELECT `e;f`;"
    assert split_like_wrangler(text) == ["INSERT INTO t VALUES ('a;b', \"c;d\")", "SELECT `e;f`"]


def test_trigger_bodies_stay_whole() -> None:
    text = (
        "CREATE TRIGGER t AFTER UPDATE ON p BEGIN DELETE FROM c WHERE x = old.id; END;\nUPDATE p SET a = 1;"
    )
    assert split_like_wrangler(text) == [
        "CREATE TRIGGER t AFTER UPDATE ON p BEGIN DELETE FROM c WHERE x = old.id; END",
        "UPDATE p SET a = 1",
    ]


def test_a_single_statement_is_sent_as_written() -> None:
    assert split_like_wrangler("SELECT 1;") == ["SELECT 1;"]


def test_one_transaction_is_unwrapped_two_are_refused() -> None:
    assert split_like_wrangler("BEGIN TRANSACTION;\nDELETE FROM a;\nDELETE FROM b;\nCOMMIT;") == [
        "DELETE FROM a",
        "DELETE FROM b",
    ]
    with pytest.raises(SplitError, match="several transactions"):
        split_like_wrangler("BEGIN TRANSACTION; COMMIT; BEGIN TRANSACTION; COMMIT;")


def test_the_ledger_row_is_appended_as_wrangler_does() -> None:
    assert migration_batch("CREATE TABLE a (x);", "0001_a.sql", "d1_migrations")[-1] == (
        "INSERT INTO d1_migrations (name)\n\t\t\t\t\t\t\t\tvalues ('0001_a.sql')"
    )
