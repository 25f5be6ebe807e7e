"""``nanoka pull`` on a local D1 made by hand-written SQL, with the real wrangler and drizzle-kit."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from nanoka_core.migrations.live_schema import create_statements, read_back
from tests.e2e.conftest import ExampleProject, shown

pytestmark = pytest.mark.e2e

HAND_WRITTEN = """
CREATE TABLE authors (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  email VARCHAR(255) NOT NULL,
  age INTEGER CHECK (age >= 0),
  created_at INTEGER NOT NULL DEFAULT (unixepoch())
);
CREATE UNIQUE INDEX authors_email_unique ON authors (email);
CREATE TABLE books (
  id INTEGER PRIMARY KEY,
  author_id INTEGER NOT NULL REFERENCES authors(id) ON DELETE CASCADE,
  editor_id INTEGER REFERENCES authors(id) ON DELETE SET NULL,
  title TEXT NOT NULL,
  price REAL DEFAULT 9.5,
  status TEXT NOT NULL DEFAULT 'draft',
  CONSTRAINT books_price_positive CHECK (price > 0)
);
CREATE INDEX books_author_idx ON books (author_id);
CREATE UNIQUE INDEX books_title_unique ON books (author_id, title) WHERE status <> 'draft';
CREATE TABLE tags (book_id INTEGER NOT NULL, tag TEXT NOT NULL, PRIMARY KEY (book_id, tag));
INSERT INTO authors (name, email, age) VALUES ('Ada', 'ada@example.com', 36);
"""


def _schema(project: ExampleProject) -> dict[str, object]:
    rows = project.d1_local("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL")[0]
    return read_back(create_statements(";\n".join(row["sql"] for row in rows) + ";"))


def _made_by_hand(project: ExampleProject, sql: str) -> dict[str, object]:
    """Run ``sql`` on the local D1; its schema as SQLite reads it back."""
    (project.root / "hand.sql").write_text(sql, encoding="utf-8")
    proc = project.npx("wrangler", "d1", "execute", project.database_name, "--local", "--file", "hand.sql")
    assert proc.returncode == 0, shown(proc)
    return _schema(project)


def _pulled(project: ExampleProject, before: dict[str, object]) -> subprocess.CompletedProcess[str]:
    """``nanoka pull``, whose baseline must build ``before`` without having been run."""
    proc = project.nanoka("pull", "--output", "app/models.py", "--force")
    assert proc.returncode == 0, shown(proc)
    assert project.migrations() == ["0000_baseline.sql"]
    assert "recorded as applied" in proc.stderr
    baseline = (project.migrations_dir / "0000_baseline.sql").read_text(encoding="utf-8")
    statements = [s.strip() for s in baseline.split("--> statement-breakpoint") if s.strip()]
    assert read_back(statements) == before  # the models' first migration recreates the database
    assert _schema(project) == before  # and it was not run: the database is as it was
    return proc


def test_pull_adopts_a_hand_made_d1_with_a_baseline(example_project: ExampleProject) -> None:
    project = example_project
    _pulled(project, _made_by_hand(project, HAND_WRITTEN))
    assert project.d1_local("SELECT name FROM authors")[0] == [{"name": "Ada"}]

    proc = project.nanoka("status")
    assert proc.returncode == 0, shown(proc)
    assert "1 applied, 0 pending" in proc.stdout and "applied  0000_baseline.sql" in proc.stdout

    project.edit("app/models.py", '    "status": t.string().default("draft"),\n',
                 '    "status": t.string().default("draft"),\n    "isbn": t.string().optional(),\n')
    proc = project.nanoka("generate", "--apply")
    assert proc.returncode == 0, shown(proc)
    assert len(project.migrations()) == 2
    columns = [row["name"] for row in project.d1_local("PRAGMA table_info(books)")[0]]
    assert columns[-1] == "isbn"
    proc = project.nanoka("status")
    assert "2 applied, 0 pending" in proc.stdout, shown(proc)


def test_pull_refuses_a_project_with_migrations(example_project: ExampleProject) -> None:
    project = example_project
    proc = project.nanoka("generate")
    assert proc.returncode == 0, shown(proc)
    proc = project.nanoka("pull", "--output", "app/models.py", "--force")
    assert proc.returncode == 1
    assert "already has migrations" in proc.stderr and "needs an empty migrations folder" in proc.stderr


KEYS_AND_EXPRESSIONS = """
CREATE TABLE orgs (id INTEGER PRIMARY KEY, slug TEXT NOT NULL);
CREATE UNIQUE INDEX orgs_slug_lower ON orgs (lower(slug));
CREATE TABLE members (
  org_id INTEGER NOT NULL REFERENCES orgs ON DELETE CASCADE,
  user_id INTEGER NOT NULL,
  email TEXT NOT NULL,
  PRIMARY KEY (org_id, user_id)
);
CREATE INDEX members_email ON members (lower(email), user_id DESC) WHERE email <> '';
CREATE TABLE posts (
  id INTEGER PRIMARY KEY,
  org_id INTEGER NOT NULL,
  author_id INTEGER,
  title TEXT NOT NULL,
  CONSTRAINT posts_author FOREIGN KEY (org_id, author_id) REFERENCES members (org_id, user_id)
    ON DELETE CASCADE ON UPDATE RESTRICT
);
INSERT INTO orgs (slug) VALUES ('acme');
"""


def test_pull_reads_composite_foreign_keys_and_expression_indexes(example_project: ExampleProject) -> None:
    project = example_project
    before = _made_by_hand(project, KEYS_AND_EXPRESSIONS)
    assert before["posts"]["foreign keys"] == [  # type: ignore[index]
        ("members", ("org_id", "author_id"), ("org_id", "user_id"), "RESTRICT", "CASCADE", "")
    ]
    _pulled(project, before)
    models = (project.root / "app" / "models.py").read_text(encoding="utf-8")
    assert "foreign_key((" in models and "sql('LOWER(\"email\")')" in models, models
    assert project.d1_local("SELECT slug FROM orgs")[0] == [{"slug": "acme"}]


PREFIXED = """
CREATE TABLE app_authors (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, avatar BLOB);
CREATE TABLE app_books (
  id INTEGER PRIMARY KEY,
  author_id INTEGER NOT NULL REFERENCES app_authors(id) ON DELETE CASCADE,
  title TEXT NOT NULL
);
CREATE INDEX app_books_author_idx ON app_books (author_id);
"""


def _defined(project: ExampleProject) -> list[str]:
    models = (project.root / "app" / "models.py").read_text(encoding="utf-8")
    return [line.split(" = ", 1)[1] for line in models.splitlines() if "define_model(" in line]


def test_pull_under_the_configs_table_prefix_names_models_without_it(example_project: ExampleProject) -> None:
    project = example_project
    project.edit("nanoka.toml", 'models = ["app.models"]\n', 'models = ["app.models"]\ntable-prefix = "app_"\n')
    _made_by_hand(project, PREFIXED + "CREATE TABLE legacy (id INTEGER PRIMARY KEY);\n")
    models_before = (project.root / "app" / "models.py").read_text(encoding="utf-8")
    proc = project.nanoka("pull", "--output", "app/models.py", "--force")
    assert proc.returncode == 1, shown(proc)
    assert "legacy: a table without the config's table-prefix 'app_': a model for it would be table app_legacy" in (
        proc.stderr
    ), shown(proc)
    assert (project.root / "app" / "models.py").read_text(encoding="utf-8") == models_before
    assert project.migrations() == [] and "recorded" not in proc.stderr

    project.d1_local("DROP TABLE legacy")
    proc = _pulled(project, _schema(project))
    assert _defined(project) == ['define_model("authors", {', 'define_model("books", {'], shown(proc)
    schema = project.schema_ts.read_text(encoding="utf-8")
    assert "export const createTable = sqliteTableCreator((name) => `app_${name}`)" in schema, schema
    # The example installs no @types/node: the BLOB column (a Buffer in TypeScript) is typed any.
    assert "app_authors.avatar: blob({ mode: 'buffer' }) holds a Buffer" in proc.stderr, shown(proc)


def test_pull_without_a_table_prefix_keeps_the_tables_full_names(example_project: ExampleProject) -> None:
    project = example_project
    _pulled(project, _made_by_hand(project, PREFIXED))
    assert _defined(project) == ['define_model("app_authors", {', 'define_model("app_books", {']
    assert "sqliteTableCreator" not in project.schema_ts.read_text(encoding="utf-8")


GENERATED = """
CREATE TABLE g (
  id INTEGER PRIMARY KEY,
  email TEXT NOT NULL,
  lower_email TEXT GENERATED ALWAYS AS (lower(email)) VIRTUAL,
  len INTEGER AS (length(email)) STORED
);
INSERT INTO g (email) VALUES ('Ada@Example.com');
"""


def test_generated_columns_are_pulled_and_kept_by_later_migrations(example_project: ExampleProject) -> None:
    project = example_project
    _pulled(project, _made_by_hand(project, GENERATED))
    models = (project.root / "app" / "models.py").read_text(encoding="utf-8")
    assert """.generated(sql('LENGTH("email")'), stored=True)""" in models, models

    project.edit("app/models.py", '"email": t.string(),', '"email": t.string(),\n    "note": t.string().optional(),')
    proc = project.nanoka("generate", "--apply")
    assert proc.returncode == 0, shown(proc)
    migration = (project.migrations_dir / project.migrations()[-1]).read_text(encoding="utf-8")
    assert migration.strip() == "ALTER TABLE `g` ADD `note` text;", migration  # nothing else differs
    rows = project.d1_local("SELECT lower_email, len, note FROM g")[0]
    assert rows == [{"lower_email": "ada@example.com", "len": 15, "note": None}]


def test_a_refused_pull_leaves_nothing_behind_and_runs_again(example_project: ExampleProject) -> None:
    project = example_project
    _made_by_hand(project, "CREATE TABLE s (id INTEGER PRIMARY KEY, n INTEGER NOT NULL) STRICT;\n")

    def files() -> dict[str, bytes]:
        return {name: content for name, (content, _) in project.snapshot(project.root).items()
                if name.startswith(("app/", "drizzle/", "nanoka.toml"))}

    before = files()

    def refused(*args: str) -> str:
        proc = project.nanoka("pull", "--output", "app/models.py", "--force", *args)
        assert proc.returncode == 1, shown(proc)
        assert files() == before, "models, schema, migrations or snapshot left behind"
        ledger = "SELECT count(*) AS n FROM sqlite_master WHERE name = 'd1_migrations'"
        assert project.d1_local(ledger)[0] == [{"n": 0}]
        return proc.stderr

    assert "s: STRICT (nanoka cannot declare a STRICT table" in refused("--local")
    assert "s: STRICT True in the database, False in the baseline" in refused("--partial")
    assert "s: STRICT True in the database" in refused("--partial")  # the same, not "already exists"

    project.d1_local("DROP TABLE s")
    project.d1_local("CREATE TABLE p (id INTEGER PRIMARY KEY, code TEXT)",
                     "CREATE TABLE q (id INTEGER PRIMARY KEY, pcode TEXT REFERENCES p(code))")
    stderr = refused()
    assert "`nanoka generate` refused the models written for" in stderr and "q" in stderr, stderr


INLINE_UNIQUE = """
CREATE TABLE users (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  email TEXT NOT NULL UNIQUE,
  org TEXT,
  handle TEXT,
  invited_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
  UNIQUE (org, handle)
);
CREATE TABLE sessions (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  token TEXT NOT NULL
);
CREATE TABLE invites (id INTEGER PRIMARY KEY, email TEXT NOT NULL REFERENCES users(email) ON DELETE CASCADE);
INSERT INTO users (email, org, handle) VALUES ('ada@example.com', 'acme', 'ada');
INSERT INTO users (email, org, handle, invited_by) VALUES ('bob@example.com', 'acme', 'bob', 1);
INSERT INTO sessions (user_id, token) VALUES (1, 't1'), (2, 't2'), (2, 't3');
INSERT INTO invites (email) VALUES ('bob@example.com');
INSERT INTO users (email) VALUES ('gone@example.com');
DELETE FROM users WHERE email = 'gone@example.com';
"""


def test_a_unique_in_create_table_becomes_drizzle_kits_named_index_by_a_rehearsed_rebuild(
    example_project: ExampleProject,
) -> None:
    project = example_project
    before = _made_by_hand(project, INLINE_UNIQUE)
    rows = ["SELECT * FROM users ORDER BY id", "SELECT * FROM sessions ORDER BY id", "SELECT * FROM invites"]
    kept = project.d1_local(*rows)
    proc = project.nanoka("pull", "--output", "app/models.py", "--force")
    assert proc.returncode == 0, shown(proc)
    assert project.migrations() == ["0000_baseline.sql", "0001_unique_indexes.sql"]
    assert "0001_unique_indexes.sql is pending: it rebuilds users, whose CREATE TABLE declares UNIQUE" in (
        proc.stderr
    ), shown(proc)
    assert _schema(project) == before  # nothing ran yet
    rebuild = (project.migrations_dir / "0001_unique_indexes.sql").read_text(encoding="utf-8")
    assert "CREATE TABLE \"__new_users\"" in rebuild and "-- nanoka:" in rebuild, rebuild  # sessions set aside
    proc = project.nanoka("status")
    assert "1 applied, 1 pending" in proc.stdout, shown(proc)

    proc = project.nanoka("generate", "--apply")
    assert proc.returncode == 0, shown(proc)
    assert project.d1_local(*rows) == kept  # every user, session and invite (ON DELETE CASCADE, SET NULL) kept
    sequence = "SELECT seq FROM sqlite_sequence WHERE name = 'users'"
    assert project.d1_local(sequence) == [[{"seq": 3}]]  # user 3 was deleted: its id is never handed out again
    baseline = (project.migrations_dir / "0000_baseline.sql").read_text(encoding="utf-8")
    assert _schema(project) == read_back([s for s in baseline.split("--> statement-breakpoint") if s.strip()])
    indexes = {row["name"] for row in project.d1_local("PRAGMA index_list(users)")[0]}
    assert indexes == {"users_email_unique", "users_org_handle_unique"}, indexes

    # The first later change that drops one of them, as drizzle-kit writes it, now applies.
    project.edit("app/models.py", 'name="users_org_handle_unique"', 'name="users_org_handle_key"')
    proc = project.nanoka("generate", "--apply")
    assert proc.returncode == 0, shown(proc)
    migration = (project.migrations_dir / project.migrations()[-1]).read_text(encoding="utf-8")
    assert "DROP INDEX `users_org_handle_unique`;" in migration, migration
    indexes = {row["name"] for row in project.d1_local("PRAGMA index_list(users)")[0]}
    assert indexes == {"users_email_unique", "users_org_handle_key"}, indexes

    # The folder lost, the database keeps its history: pull says so rather than record a second one.
    shutil.rmtree(project.migrations_dir)
    proc = project.nanoka("pull", "--output", "app/models.py", "--force")
    assert proc.returncode == 1, shown(proc)
    assert "already records 3 applied migration(s) in d1_migrations (the last: 0002_" in proc.stderr, shown(proc)
