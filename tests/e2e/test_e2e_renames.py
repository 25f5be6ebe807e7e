"""Declared renames with the real drizzle-kit and wrangler, stdin not a terminal.

Rows go in before the change and are compared by value after: a declared
rename must give a RENAME migration that keeps every row.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from tests.e2e.conftest import ExampleProject

pytestmark = pytest.mark.e2e

USERS = [
    ("u1", "ada@example.com", "Ada", "h1", 1700000000000),
    ("u2", "bob@example.com", "Bob", "h2", 1700000000001),
    ("u3", "cy@example.com", "Cy O'Neil", "h3", 1700000000002),
]
POSTS = [
    ("p1", "u1", "First", "hello"),
    ("p2", "u1", "Second", None),
    ("p3", "u3", "Third", "bye"),
]


def _ok(proc: Any) -> str:
    return f"exit {proc.returncode}\n--- stdout\n{proc.stdout}\n--- stderr\n{proc.stderr}"


def _sql_value(value: object) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    return str(value)


def _insert(table: str, columns: str, rows: list[tuple[object, ...]]) -> str:
    values = ", ".join("(" + ", ".join(_sql_value(v) for v in row) + ")" for row in rows)
    return f"INSERT INTO {table} ({columns}) VALUES {values}"


def _seeded(p: ExampleProject) -> None:
    """The example applied to the local D1, with rows in both tables."""
    proc = p.nanoka("generate", "--apply", "--db", p.database_name)
    assert proc.returncode == 0, _ok(proc)
    p.d1_local(
        _insert("users", "id, email, name, passwordHash, createdAt", USERS),
        _insert("posts", "id, userId, title, body", POSTS),
    )


def test_declared_column_and_table_renames_give_rename_migrations_and_keep_every_row(
    example_project: ExampleProject,
) -> None:
    p = example_project
    _seeded(p)
    before = p.migrations()
    p.edit("app/models.py", '"name": t.string(),', '"fullName": t.string().renamed_from("name"),')
    p.edit("app/models.py", 'class Post(Model, table="posts", ', 'class Post(Model, table="articles", renamed_from="posts", ')

    proc = p.nanoka("generate", "--apply", "--db", p.database_name)

    assert proc.returncode == 0, _ok(proc)
    sql = p.new_migration(before)
    assert "ALTER TABLE `posts` RENAME TO `articles`" in sql, sql
    assert 'ALTER TABLE `users` RENAME COLUMN "name" TO "fullName"' in sql, sql
    # (drizzle-kit then rebuilds `articles` because its enum CHECK is named after the table)
    assert "DROP TABLE `posts`" not in sql and "DROP COLUMN" not in sql, sql
    assert "answered renamed from name" in proc.stderr and "answered renamed from posts" in proc.stderr, _ok(proc)
    users, articles, leftover = p.d1_local(
        "SELECT id, email, fullName, passwordHash, createdAt FROM users ORDER BY id",
        "SELECT id, userId, title, body FROM articles ORDER BY id",
        "SELECT name FROM sqlite_master WHERE name = 'posts'",
    )
    assert [tuple(row.values()) for row in users] == USERS
    assert [tuple(row.values()) for row in articles] == POSTS
    assert leftover == []
    # Once the migration exists the declarations do nothing: no new migration, and check notes them.
    again = p.nanoka("generate")
    assert again.returncode == 0, _ok(again)
    assert len(p.migrations()) == len(before) + 1
    check = p.nanoka("--log-format", "json", "check")
    assert check.returncode == 0, _ok(check)
    report = json.loads(check.stdout)
    assert report["ok"] is True
    assert [note.split(" does nothing")[0] for note in report["notes"]] == [
        "model 'articles': renamed_from='posts'",
        "users.fullName: .renamed_from('name')",
    ]


def test_undeclared_renames_off_a_terminal_fail_naming_the_declarations_and_write_nothing(
    example_project: ExampleProject,
) -> None:
    p = example_project
    _seeded(p)
    migrations_before = p.snapshot(p.migrations_dir)
    p.edit("app/models.py", '"name": t.string(),', '"fullName": t.string(),')
    p.edit("app/models.py", 'class Post(Model, table="posts", ', 'class Post(Model, table="articles", ')

    proc = p.nanoka("generate", "--apply", "--db", p.database_name)

    assert proc.returncode == 1, _ok(proc)
    assert "stage 'drizzle-kit' failed" in proc.stderr, _ok(proc)
    assert "column users.fullName: created, or renamed from users.name?" in proc.stderr, _ok(proc)
    assert 'add .renamed_from("name") on users.fullName' in proc.stderr, _ok(proc)
    assert "table articles: created, or renamed from posts?" in proc.stderr, _ok(proc)
    assert 'class ...(Model, table="articles", renamed_from="posts")' in proc.stderr, _ok(proc)
    assert "--no-renames" in proc.stderr, _ok(proc)
    assert p.snapshot(p.migrations_dir) == migrations_before
    (users,) = p.d1_local("SELECT name FROM users ORDER BY id")
    assert [row["name"] for row in users] == [u[2] for u in USERS]


def test_no_renames_answers_created_to_every_question(example_project: ExampleProject) -> None:
    p = example_project
    assert p.nanoka("generate").returncode == 0
    before = p.migrations()
    p.edit("app/models.py", '"name": t.string(),', '"fullName": t.string().optional(),')

    proc = p.nanoka("generate", "--no-renames")

    assert proc.returncode == 0, _ok(proc)
    assert "answered created" in proc.stderr, _ok(proc)
    sql = p.new_migration(before)
    assert "ADD `fullName` text" in sql and "DROP COLUMN `name`" in sql, sql
    assert "RENAME" not in sql, sql
