"""End to end: a schema with every table-level construct, through the real drizzle-kit
and wrangler into the local D1, read back from SQLite and enforced by it.

The expectations are written from MODELS below by the rules in the README's
model reference, not from anything nanoka or the tools printed.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from tests.e2e.conftest import ExampleProject

pytestmark = pytest.mark.e2e

MODELS = '''\
import datetime
import uuid
from enum import Enum
from typing import Literal, TypedDict

try:
    from typing import NotRequired
except ImportError:  # Python 3.10
    from typing_extensions import NotRequired

from nanoka_core import Model, define_model, index, t


class Status(str, Enum):
    DRAFT = "draft"
    PUBLISHED = "published"


class Prefs(TypedDict):
    theme: Literal["dark", "light"]
    tags: list[str]
    pinned: NotRequired[int | None]


User = define_model("users", {
    "id": t.uuid().primary().default(uuid.uuid4),
    "email": t.string().unique(),
    "managerId": t.uuid().optional().references(lambda: User, on_delete="set null"),
    "age": t.integer().optional().index(),
    "prefs": t.json(Prefs).optional(),
    "createdAt": t.timestamp().default_now().column("created_at"),
    "updatedAt": t.timestamp().optional().on_update_now(),
}, checks={"age_non_negative": "age >= 0"})


class Post(Model, table="posts", indexes=[index("userId", "slug", unique=True)]):
    id = t.integer().primary()
    userId = t.uuid()
    slug = t.string()
    status = t.enum(Status).default(Status.DRAFT)
    author = t.belongs_to(lambda: User, foreign_key="userId", on_delete="cascade")


Tagging = define_model("post_tags", {
    "postId": t.integer().references(lambda: Post, on_delete="cascade"),
    "tag": t.string(),
}, primary_key=("postId", "tag"))
'''

VALID_ROWS = (
    "INSERT INTO users (id, email) VALUES ('boss', 'boss@example.com')",
    "INSERT INTO users (id, email, managerId, age) VALUES ('ann', 'ann@example.com', 'boss', 30)",
    "INSERT INTO posts (id, userId, slug) VALUES (1, 'ann', 'hello')",
    "INSERT INTO post_tags (postId, tag) VALUES (1, 'news')",
)


GOLDEN = Path(__file__).resolve().parents[1] / "golden"
CONSTRUCT_GOLDENS = (
    "foreign_keys.ts", "indexes.ts", "enums.ts", "composite_key.ts", "checks.ts",
    "column_names.ts", "runtime_defaults.ts", "typed_json.ts", "realworld.ts",
)


def _ok(proc: Any) -> str:
    return f"exit {proc.returncode}\n--- stdout\n{proc.stdout}\n--- stderr\n{proc.stderr}"


def _refused(p: ExampleProject, statement: str) -> str:
    """The error text the local D1 gives for ``statement``, which must fail."""
    proc = p.npx("wrangler", "d1", "execute", p.database_name, "--local", "--json", "--command", statement)
    assert proc.returncode == 1, f"D1 accepted {statement!r}:\n{_ok(proc)}"
    return str(json.loads(proc.stdout)["error"]["text"])


def _apply_models(p: ExampleProject) -> None:
    (p.root / "app" / "models.py").write_text(MODELS, encoding="utf-8")
    proc = p.nanoka("generate", "--apply", "--db", p.database_name)
    assert proc.returncode == 0, _ok(proc)


@pytest.fixture
def applied(make_example_project: Callable[..., ExampleProject], prepared_example: Callable[..., Path]) -> ExampleProject:
    """The example with MODELS, after generate --apply (prepared once per run)."""
    return make_example_project("example", start=prepared_example("schema-constructs-applied", _apply_models))


def test_every_construct_reaches_the_local_d1(applied: ExampleProject) -> None:
    p = applied
    typecheck = p.typecheck()
    assert typecheck.returncode == 0, _ok(typecheck)

    (
        users_indexes, posts_indexes, tags_indexes, users_fks, posts_fks, tags_fks,
        users_info, tags_info, tables,
    ) = p.d1_local(
        "PRAGMA index_list(users)",
        "PRAGMA index_list(posts)",
        "PRAGMA index_list(post_tags)",
        "PRAGMA foreign_key_list(users)",
        "PRAGMA foreign_key_list(posts)",
        "PRAGMA foreign_key_list(post_tags)",
        "PRAGMA table_info(users)",
        "PRAGMA table_info(post_tags)",
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name IN ('users', 'posts')",
    )

    def indexes(rows: list[dict[str, Any]]) -> set[tuple[str, int, str]]:
        return {(r["name"], r["unique"], r["origin"]) for r in rows}

    assert indexes(users_indexes) == {
        ("users_age_idx", 0, "c"),  # .index()
        ("users_email_unique", 1, "c"),  # .unique()
        ("sqlite_autoindex_users_1", 1, "pk"),  # the text primary key
    }
    assert indexes(posts_indexes) == {("posts_userId_slug_unique", 1, "c")}  # index(..., unique=True)
    assert indexes(tags_indexes) == {("sqlite_autoindex_post_tags_1", 1, "pk")}  # primary_key=(...)

    def fks(rows: list[dict[str, Any]]) -> set[tuple[str, str, str, str, str]]:
        return {(r["from"], r["table"], r["to"], r["on_delete"], r["on_update"]) for r in rows}

    assert fks(users_fks) == {("managerId", "users", "id", "SET NULL", "NO ACTION")}
    assert fks(posts_fks) == {("userId", "users", "id", "CASCADE", "NO ACTION")}  # from t.belongs_to
    assert fks(tags_fks) == {("postId", "posts", "id", "CASCADE", "NO ACTION")}

    assert [r["name"] for r in users_info] == ["id", "email", "managerId", "age", "prefs", "created_at", "updatedAt"]
    assert {r["name"]: r["pk"] for r in tags_info} == {"postId": 1, "tag": 2}

    sql = {r["name"]: r["sql"] for r in tables}
    assert 'CONSTRAINT "users_age_non_negative" CHECK(' in sql["users"]
    assert 'CONSTRAINT "posts_status_enum" CHECK(' in sql["posts"]


def test_the_local_d1_enforces_them(applied: ExampleProject) -> None:
    p = applied
    p.d1_local(*VALID_ROWS)

    assert "FOREIGN KEY constraint failed" in _refused(
        p, "INSERT INTO posts (id, userId, slug) VALUES (2, 'nobody', 'orphan')"
    )
    assert "CHECK constraint failed: posts_status_enum" in _refused(
        p, "INSERT INTO posts (id, userId, slug, status) VALUES (3, 'ann', 'x', 'archived')"
    )
    assert "CHECK constraint failed: users_age_non_negative" in _refused(
        p, "INSERT INTO users (id, email, age) VALUES ('kid', 'kid@example.com', -1)"
    )
    assert "UNIQUE constraint failed" in _refused(
        p, "INSERT INTO posts (id, userId, slug) VALUES (4, 'ann', 'hello')"
    )
    assert "UNIQUE constraint failed" in _refused(p, "INSERT INTO post_tags (postId, tag) VALUES (1, 'news')")


def test_the_local_d1_carries_out_the_actions(applied: ExampleProject) -> None:
    p = applied
    p.d1_local(*VALID_ROWS)
    status, _, manager, _, posts, tags = p.d1_local(
        "SELECT status FROM posts WHERE id = 1",
        "DELETE FROM users WHERE id = 'boss'",
        "SELECT managerId FROM users WHERE id = 'ann'",
        "DELETE FROM users WHERE id = 'ann'",
        "SELECT count(*) AS n FROM posts",
        "SELECT count(*) AS n FROM post_tags",
    )
    assert status == [{"status": "draft"}]  # the enum's default
    assert manager == [{"managerId": None}]  # on_delete="set null"
    assert (posts, tags) == ([{"n": 0}], [{"n": 0}])  # cascade, through two tables


def test_every_construct_golden_file_type_checks(example_project: ExampleProject) -> None:
    """The hand-written golden files are what nanoka must write, so they must compile too."""
    folder = example_project.root / "golden"
    folder.mkdir()
    for name in CONSTRUCT_GOLDENS:
        (folder / name).write_bytes((GOLDEN / name).read_bytes())
    proc = example_project.typecheck(*(f"golden/{name}" for name in CONSTRUCT_GOLDENS))
    assert proc.returncode == 0, _ok(proc)
