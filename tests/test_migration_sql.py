"""Reading migrations: statements, drizzle-kit's rebuilds, the schema before each statement."""

from __future__ import annotations

from pathlib import Path

from nanoka_core.migrations.reader import (
    Column,
    ForeignKey,
    read_migrations,
    read_statements,
    split_statements,
)

CORPUS = Path(__file__).parent / "data" / "migrations"


def test_statements_split_on_drizzle_kits_breakpoints() -> None:
    text = "CREATE TABLE `a` (`x` integer);--> statement-breakpoint\nDROP TABLE `b`;\n"
    assert split_statements(text) == ["CREATE TABLE `a` (`x` integer);", "DROP TABLE `b`;"]


def test_rebuild_is_found_with_its_copy() -> None:
    [_, migration] = read_migrations(CORPUS / "added_column_and_changed_default" / "migrations")
    [rebuild] = migration.recreations
    assert rebuild.table == "things"
    assert [s.kind for s in (rebuild.create, rebuild.drop, rebuild.rename)] == [
        "create table",
        "drop table",
        "rename table",
    ]
    assert {k: v.name for k, v in rebuild.copied.items()} == {
        "id": "id",
        "name": "name",
        "size": "size",
        "coupon": "coupon",
        "stock": "stock",
    }


def test_schema_before_comes_from_the_previous_snapshot() -> None:
    [_, migration] = read_migrations(CORPUS / "cascade_type_change" / "migrations")
    posts = migration.before["posts"]
    assert posts.foreign_keys == (ForeignKey(("userId",), "users", ("id",), "cascade"),)
    assert migration.before["comments"].foreign_keys[0].on_delete == "set null"
    assert migration.after["users"].column_names == ("id", "email", "age")


def test_each_statement_sees_the_tables_earlier_statements_made() -> None:
    [_, migration] = read_migrations(CORPUS / "not_null_with_default" / "migrations")
    drop = next(s for s in migration.statements if s.kind == "drop table")
    assert drop.schema["__new_things"].column("size") == Column("size", not_null=True, default="'m'")
    assert drop.created_in_migration == {"__new_things"}
    rename = next(s for s in migration.statements if s.kind == "rename table")
    assert "things" not in rename.schema


def test_create_table_as_select_takes_the_source_columns() -> None:
    before = {"t": read_statements("CREATE TABLE `t` (`a` integer, `b` text);", {})[1]["t"]}
    statements, after = read_statements("CREATE TABLE `k` AS SELECT * FROM `t`;", before)
    assert after["k"].column_names == ("a", "b")
    assert statements[0].kind == "create table"


def test_unreadable_sql_is_other_not_an_error() -> None:
    [statement], _ = read_statements("THIS IS NOT SQL AT ALL (;", {})
    assert statement.kind == "other" and statement.node is None
