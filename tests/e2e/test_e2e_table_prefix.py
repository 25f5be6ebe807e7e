"""A project with ``table-prefix`` and ``export-names``, with the real drizzle-kit and wrangler.

Models keep their base names; the SQL names carry the prefix everywhere
nanoka looks: the migration drizzle-kit writes, the D1, the rename plan,
the data-loss guard and ``nanoka check``.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

from tests.e2e.conftest import shown

if TYPE_CHECKING:
    from tests.e2e.conftest import ExampleProject

pytestmark = pytest.mark.e2e

NAMING = 'models = ["app.models"]\ntable-prefix = "app_"\nexport-names = "{camel}Table"'


def test_a_prefixed_project_migrates_renames_and_guards_under_the_full_sql_names(
    example_project: ExampleProject,
) -> None:
    p = example_project
    p.edit("nanoka.toml", 'models = ["app.models"]', NAMING)

    proc = p.nanoka("generate", "--apply", "--db", p.database_name)

    assert proc.returncode == 0, shown(proc)
    schema = p.schema_ts.read_text(encoding="utf-8")
    assert "export const createTable = sqliteTableCreator((name) => `app_${name}`)" in schema
    assert "export const usersTable = createTable('users', {" in schema
    assert "export const postsTable = createTable('posts', {" in schema
    assert ".references(() => usersTable.id, { onDelete: 'cascade' })" in schema
    [first] = p.migrations()
    sql = (p.migrations_dir / first).read_text(encoding="utf-8")
    assert "CREATE TABLE `app_users`" in sql and "CREATE TABLE `app_posts`" in sql, sql
    assert "REFERENCES `app_users`(`id`)" in sql and "`app_posts_userId_status_idx`" in sql, sql
    p.d1_local(
        "INSERT INTO app_users (id, email, name, passwordHash, createdAt) VALUES ('u1', 'a@b.c', 'Ada', 'h', 1)",
        "INSERT INTO app_posts (id, userId, title, body) VALUES ('p1', 'u1', 'First', 'hello')",
    )

    # An undeclared table rename: the hint is written with the names the models use.
    p.edit("app/models.py", 'class Post(Model, table="posts", ', 'class Post(Model, table="articles", ')
    refused = p.nanoka("generate")
    assert refused.returncode == 1, shown(refused)
    assert "table app_articles: created, or renamed from app_posts?" in refused.stderr, shown(refused)
    assert 'class ...(Model, table="articles", renamed_from="posts")' in refused.stderr, shown(refused)

    # Declared, with the base name: a RENAME of the prefixed table that keeps its rows.
    p.edit("app/models.py", 'table="articles", ', 'table="articles", renamed_from="posts", ')
    before = p.migrations()
    proc = p.nanoka("generate", "--apply", "--db", p.database_name)
    assert proc.returncode == 0, shown(proc)
    assert "ALTER TABLE `app_posts` RENAME TO `app_articles`" in p.new_migration(before)
    (articles,) = p.d1_local("SELECT id, title FROM app_articles")
    assert articles == [{"id": "p1", "title": "First"}]

    # Dropping a column of a prefixed table: the guard names the SQL table and refuses.
    p.edit("app/models.py", "    body = t.string().optional()\n", "")
    before = p.migrations()
    refused = p.nanoka("generate", "--apply", "--db", p.database_name)
    assert refused.returncode == 1, shown(refused)
    assert "DS103 app_articles.body" in refused.stderr, shown(refused)
    (articles,) = p.d1_local("SELECT body FROM app_articles")
    assert articles == [{"body": "hello"}]

    check = p.nanoka("--log-format", "json", "check")
    assert check.returncode == 0, shown(check)
    report = json.loads(check.stdout)
    assert report["ok"] is True, report
    assert [note.split(" does nothing")[0] for note in report["notes"]] == [
        "model 'articles': renamed_from='posts'"
    ]
    assert [(r["code"], r["table"], r["column"]) for r in report["migrations"]["risks"]] == [
        ("DS103", "app_articles", "body")
    ]


def test_a_prefix_added_to_a_project_with_rows_is_refused_until_declared_then_every_row_is_renamed(
    example_project: ExampleProject,
) -> None:
    p = example_project
    assert p.nanoka("generate", "--apply", "--db", p.database_name).returncode == 0
    p.d1_local(
        "INSERT INTO users (id, email, name, passwordHash, createdAt) VALUES ('u1', 'a@b.c', 'Ada', 'h', 1)",
        "INSERT INTO posts (id, userId, title, body) VALUES ('p1', 'u1', 'First', 'hello')",
    )
    p.edit("nanoka.toml", 'models = ["app.models"]', 'models = ["app.models"]\ntable-prefix = "app_"')
    before = p.migrations()

    # Every table would be dropped and created: drizzle-kit's questions name the config key, not a
    # renamed_from="users" on model users (that would be the table's own name).
    refused = p.nanoka("generate", "--apply", "--db", p.database_name)
    assert refused.returncode == 1, shown(refused)
    assert "table app_users: created, or renamed from posts or users?" in refused.stderr, shown(refused)
    assert 'add table-prefix-renamed-from = "" in the nanoka config' in refused.stderr, shown(refused)
    assert 'renamed_from="users" on the model of table \'app_users\'' not in refused.stderr, shown(refused)
    assert p.migrations() == before

    # Answered "created": the guard refuses before wrangler runs, naming each table and the way out.
    refused = p.nanoka("generate", "--apply", "--db", p.database_name, "--no-renames")
    assert refused.returncode == 1, shown(refused)
    for table in ("posts", "users"):
        assert f"DS102 {table}: DROP TABLE {table}" in refused.stderr, shown(refused)
    assert "table-prefix-renamed-from in the nanoka config" in refused.stderr, shown(refused)
    assert "wrangler d1 migrations apply" not in refused.stderr, shown(refused)
    (users,) = p.d1_local("SELECT id FROM users")
    assert users == [{"id": "u1"}]

    # The way out, as the guard says: the dropping migration goes, the rename is declared.
    dropping = [name for name in p.migrations() if name not in before]
    assert len(dropping) == 1
    (p.migrations_dir / dropping[0]).unlink()
    (p.migrations_dir / "meta" / f"{dropping[0][:4]}_snapshot.json").unlink()
    journal_path = p.migrations_dir / "meta" / "_journal.json"
    journal = json.loads(journal_path.read_text(encoding="utf-8"))
    journal["entries"] = journal["entries"][:-1]
    journal_path.write_text(json.dumps(journal), encoding="utf-8")
    assert p.nanoka("hash").returncode == 0
    p.edit("nanoka.toml", 'table-prefix = "app_"', 'table-prefix = "app_"\ntable-prefix-renamed-from = ""')
    proc = p.nanoka("generate", "--apply", "--db", p.database_name)
    assert proc.returncode == 0, shown(proc)
    sql = p.new_migration(before)
    assert "ALTER TABLE `users` RENAME TO `app_users`" in sql, sql
    assert "ALTER TABLE `posts` RENAME TO `app_posts`" in sql, sql
    assert "DROP TABLE `users`" not in sql and "DROP TABLE `posts`" not in sql, sql
    users, posts = p.d1_local("SELECT id, email FROM app_users", "SELECT id, userId, body FROM app_posts")
    assert users == [{"id": "u1", "email": "a@b.c"}]
    assert posts == [{"id": "p1", "userId": "u1", "body": "hello"}]

    # Done: the key now does nothing, and nanoka check says to remove it.
    check = p.nanoka("--log-format", "json", "check")
    assert check.returncode == 0, shown(check)
    assert [n.split(" does nothing")[0] for n in json.loads(check.stdout)["notes"]] == [
        "table-prefix-renamed-from = ''"
    ]
