"""Schema drift (nanoka_core/migrations/drift.py): what counts as a difference and what does not."""

from __future__ import annotations

import pytest

from nanoka_core.migrations.drift import CannotTell, describe, differences, normalise, replayed

BASE = """
CREATE TABLE `users` (`id` text PRIMARY KEY NOT NULL, `email` text NOT NULL, `age` integer DEFAULT 0,
  CONSTRAINT adult CHECK ("users"."age" >= 18));
CREATE UNIQUE INDEX `users_email_unique` ON `users` (`email`);
CREATE TABLE posts (id text PRIMARY KEY, author text REFERENCES users(id) ON DELETE CASCADE, UNIQUE (id, author));
CREATE TRIGGER posts_stamp AFTER INSERT ON posts BEGIN UPDATE posts SET id = id WHERE id = new.id; END;
CREATE VIEW adults AS SELECT id FROM users WHERE age >= 18;
CREATE TABLE d1_migrations (id integer primary key, name text);
"""


def diff(migrations: str, database: str) -> list[tuple[str, str | None, str]]:
    ours = describe(replayed([("migrations", migrations)]), ["d1_migrations"])
    theirs = describe(replayed([("database", database)]), ["d1_migrations"])
    return [(d.object, d.part, d.state) for d in differences(ours, theirs)]


def test_quoting_spacing_case_and_order_do_not_count() -> None:
    reordered = """
    CREATE TABLE d1_migrations (id integer primary key, name text, applied_at text);
    create view ADULTS as select id from users where age>=18;
    CREATE TABLE "posts" ("id" TEXT PRIMARY KEY, [author] TEXT REFERENCES "users" ("id") ON DELETE CASCADE,
                          UNIQUE ("id", "author"));
    CREATE TABLE users (id text primary key not null, email text not null, age integer default 0,
      constraint adult check (users.age >= 18));
    CREATE UNIQUE INDEX users_email_unique ON users (email);
    create trigger posts_stamp after insert on posts begin update posts set id=id where id=new.id; end;
    """
    assert diff(BASE, reordered) == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ("ALTER TABLE users ADD COLUMN nick text", ("table users", "column nick", "only in the database")),
        ("DROP INDEX users_email_unique", ("index users_email_unique", None, "only in the migrations")),
        ("DROP VIEW adults", ("view adults", None, "only in the migrations")),
        ("DROP TRIGGER posts_stamp", ("trigger posts_stamp", None, "only in the migrations")),
        ("CREATE TABLE notes (id text)", ("table notes", None, "only in the database")),
    ],
)
def test_each_hand_change_is_named(change: str, expected: tuple[str, str | None, str]) -> None:
    assert diff(BASE, BASE + change + ";") == [expected]


def test_a_changed_column_foreign_key_action_and_check_are_named() -> None:
    changed = (
        BASE.replace("DEFAULT 0", "DEFAULT 1")
        .replace("ON DELETE CASCADE", "ON DELETE SET NULL")
        .replace('"users"."age" >= 18', '"users"."age" >= 21')
    )
    found = diff(BASE, changed)
    assert ("table users", "column age", "differs") in found
    assert ("table posts", "foreign key (author)", "differs") in found
    assert ("table users", "check users.age>=18", "only in the migrations") in found
    assert ("table users", "check users.age>=21", "only in the database") in found
    ours = describe(replayed([("m", BASE)]))
    theirs = describe(replayed([("d", changed)]))
    [column] = [d for d in differences(ours, theirs) if d.part == "column age"]
    assert column.line() == (
        "table users: column age differs: migrations integer default 0; database integer default 1"
    )


def test_a_migration_that_does_not_replay_means_the_answer_is_unknown() -> None:
    with pytest.raises(CannotTell, match=r"0001_x\.sql does not run on a scratch SQLite database"):
        replayed([("0000_a.sql", "CREATE TABLE a (x);"), ("0001_x.sql", "ALTER TABLE nope ADD COLUMN y;")])


def test_normalise_keeps_string_literals_as_written() -> None:
    assert normalise("CREATE  INDEX `I` ON t (\"A\") WHERE b = 'X  Y'") == "create index i on t(a)where b='X  Y'"
