"""End to end: migrations that never lose data on D1 (issue 10, sections 2 and 3).

The real drizzle-kit writes each migration, the real wrangler applies it to
a local D1, and rows inserted before the change are compared value by value
after it: every row of every table, not only counts.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.e2e.fake_d1 import FakeD1

if TYPE_CHECKING:
    from tests.e2e.conftest import ExampleProject

pytestmark = pytest.mark.e2e

HEADER = "from nanoka_core import define_model, t\n\n"

CASCADE_MODELS = HEADER + '''
User = define_model("users", {
    "id": t.uuid().primary(),
    "email": t.string(),
    "age": t.integer().optional(),
})
Post = define_model("posts", {
    "id": t.uuid().primary(),
    "userId": t.uuid().references(lambda: User, on_delete="cascade"),
    "title": t.string(),
})
PostTag = define_model("post_tags", {
    "id": t.integer().primary(),
    "postId": t.uuid().references(lambda: Post, on_delete="cascade"),
    "tag": t.string(),
})
Comment = define_model("comments", {
    "id": t.integer().primary(),
    "userId": t.uuid().optional().references(lambda: User, on_delete="set null"),
    "body": t.string(),
})
'''
CASCADE_ROWS = [
    "INSERT INTO users VALUES ('u1', 'a@example.com', 30), ('u2', 'b@example.com', NULL), ('u3', 'c@example.com', 7)",
    "INSERT INTO posts VALUES ('p1', 'u1', 'first'), ('p2', 'u2', 'second'), ('p3', 'u1', 'third')",
    "INSERT INTO post_tags VALUES (1, 'p1', 'x'), (2, 'p1', 'y'), (3, 'p2', 'z'), (4, 'p3', 'x')",
    "INSERT INTO comments VALUES (1, 'u1', 'hi'), (2, NULL, 'anonymous'), (3, 'u3', 'yo')",
]


def _ok(proc: Any) -> str:
    return f"exit {proc.returncode}\n--- stdout\n{proc.stdout}\n--- stderr\n{proc.stderr}"


def _apply(p: ExampleProject, *extra: str, env: dict[str, str] | None = None) -> Any:
    proc = p.nanoka("generate", "--apply", *extra, env=env)
    assert proc.returncode == 0, _ok(proc)
    return proc


def _rows(p: ExampleProject, *tables: str) -> dict[str, list[dict[str, Any]]]:
    """Every row of each table, ordered by all its values."""
    results = p.d1_local(*(f"SELECT * FROM {t}" for t in tables))
    return {t: sorted(rows, key=lambda r: repr(sorted(r.items()))) for t, rows in zip(tables, results, strict=True)}


def _start(p: ExampleProject, models: str, rows: list[str]) -> None:
    (p.root / "app" / "models.py").write_text(models, encoding="utf-8")
    _apply(p)
    p.d1_local(*rows)


def _applied(p: ExampleProject) -> list[str]:
    [rows] = p.d1_local("SELECT name FROM d1_migrations ORDER BY id")
    return [r["name"] for r in rows]


def _cascade_start(p: ExampleProject) -> None:
    _start(p, CASCADE_MODELS, CASCADE_ROWS)


@pytest.fixture
def cascade_project(
    make_example_project: Callable[..., ExampleProject], prepared_example: Callable[..., Path]
) -> ExampleProject:
    """CASCADE_MODELS applied with CASCADE_ROWS in the local D1 (prepared once per run)."""
    return make_example_project("example", start=prepared_example("cascade-rows", _cascade_start))


def test_type_change_on_a_table_referenced_by_cascade_two_levels_deep_and_set_null_keeps_every_row(
    cascade_project: ExampleProject,
) -> None:
    p = cascade_project  # CASCADE_MODELS applied, CASCADE_ROWS in
    tables = ("users", "posts", "post_tags", "comments")
    before = _rows(p, *tables)
    assert len(before["post_tags"]) == 4 and len(before["comments"]) == 3

    p.edit("app/models.py", '"age": t.integer().optional()', '"age": t.number().optional()')
    proc = _apply(p)

    [_, second] = p.migrations()
    text = (p.migrations_dir / second).read_text(encoding="utf-8")
    assert "DROP TABLE `users`" in text and "-- nanoka:" in text  # drizzle-kit's rebuild, rewritten
    assert f"rewrote {second}" in proc.stderr
    assert _rows(p, *tables) == before
    assert _applied(p) == p.migrations()
    [leftovers] = p.d1_local("SELECT name FROM sqlite_master WHERE name LIKE '%nanoka_keep%'")
    assert leftovers == []

    again = p.nanoka("generate")
    assert again.returncode == 0, _ok(again)
    assert (p.migrations_dir / second).read_text(encoding="utf-8") == text  # idempotent


def test_without_the_rewrite_the_guard_refuses_the_cascade_before_wrangler_runs(
    cascade_project: ExampleProject,
) -> None:
    p = cascade_project  # CASCADE_MODELS applied, CASCADE_ROWS in
    tables = ("users", "posts", "post_tags", "comments")
    before = _rows(p, *tables)

    p.edit("app/models.py", '"age": t.integer().optional()', '"age": t.number().optional()')
    refused = p.nanoka("--disable-plugin", "preserve-rows", "generate", "--apply")

    assert refused.returncode == 1, _ok(refused)
    for line in ("DS111 posts:", "DS111 post_tags:", "DS112 comments.userId:"):
        assert line in refused.stderr
    assert "the safe way: turn the preserve-rows rewrite back on" in refused.stderr  # not "let nanoka write it"
    assert "wrangler d1 migrations apply" not in refused.stderr
    assert _rows(p, *tables) == before


THINGS_V1 = HEADER + '''
Thing = define_model("things", {
    "id": t.integer().primary(),
    "name": t.string(),
    "size": t.string().default("m"),
})
'''


def test_optional_column_added_with_a_changed_default_is_null_on_existing_rows(
    example_project: ExampleProject,
) -> None:
    p = example_project
    _start(p, THINGS_V1, ["INSERT INTO things VALUES (1, 'a', 's'), (2, 'b', 'm')"])

    p.edit("app/models.py", '"size": t.string().default("m"),', '"size": t.string().default("l"),\n    "coupon": t.string().optional(),')
    _apply(p)

    assert _rows(p, "things")["things"] == [
        {"id": 1, "name": "a", "size": "s", "coupon": None},
        {"id": 2, "name": "b", "size": "m", "coupon": None},
    ]


def test_nullable_made_not_null_with_a_default_replaces_the_nulls_with_the_default(
    example_project: ExampleProject,
) -> None:
    p = example_project
    models = THINGS_V1.replace('"size": t.string().default("m"),', '"size": t.string().optional(),')
    _start(p, models, ["INSERT INTO things VALUES (1, 'a', 's'), (2, 'b', NULL), (3, 'c', NULL)"])

    p.edit("app/models.py", '"size": t.string().optional(),', '"size": t.string().default("m"),')
    _apply(p)

    assert _rows(p, "things")["things"] == [
        {"id": 1, "name": "a", "size": "s"},
        {"id": 2, "name": "b", "size": "m"},
        {"id": 3, "name": "c", "size": "m"},
    ]


def test_dropped_column_is_refused_before_wrangler_runs_and_applied_with_allow_data_loss(
    example_project: ExampleProject,
) -> None:
    p = example_project
    models = THINGS_V1.replace('"size": t.string().default("m"),', '"size": t.string().default("m"),\n    "note": t.string().optional(),')
    _start(p, models, ["INSERT INTO things VALUES (1, 'a', 's', 'keep me')"])
    [first] = p.migrations()

    p.edit("app/models.py", '    "note": t.string().optional(),\n', "")
    refused = p.nanoka("generate", "--apply")

    assert refused.returncode == 1, _ok(refused)
    assert "Traceback" not in refused.stderr
    [second] = [m for m in p.migrations() if m != first]
    assert f"nanoka data-loss-guard warning: {second}: DS103 things.note:" in refused.stderr  # the report
    assert f"refusing to apply {second} to nanoka-example (--local): it destroys data" in refused.stderr
    assert "DS103 things.note" in refused.stderr
    assert "--allow-data-loss" in refused.stderr
    assert "wrangler d1 migrations apply" not in refused.stderr  # stopped before wrangler ran
    assert _applied(p) == [first]
    assert _rows(p, "things")["things"] == [{"id": 1, "name": "a", "size": "s", "note": "keep me"}]

    check = p.nanoka("--log-format", "json", "check")
    assert check.returncode == 0, _ok(check)  # a risk is reported, not a failure: it may be applied already
    risks = json.loads(check.stdout)["migrations"]["risks"]
    assert [(r["code"], r["migration"], r["table"], r["column"]) for r in risks] == [
        ("DS103", second.removesuffix(".sql"), "things", "note")
    ]

    _apply(p, "--allow-data-loss")
    assert _applied(p) == p.migrations() and len(p.migrations()) == 2
    assert _rows(p, "things")["things"] == [{"id": 1, "name": "a", "size": "s"}]


def test_a_database_that_never_applied_anything_gets_every_migration_checked(
    example_project: ExampleProject,
) -> None:
    p = example_project
    models = THINGS_V1.replace('"size": t.string().default("m"),', '"size": t.string().default("m"),\n    "note": t.string().optional(),')
    (p.root / "app" / "models.py").write_text(models, encoding="utf-8")
    assert p.nanoka("generate").returncode == 0
    p.edit("app/models.py", '    "note": t.string().optional(),\n', "")
    reported = p.nanoka("--log-format", "json", "generate")
    assert reported.returncode == 0, _ok(reported)
    events = [json.loads(line) for line in reported.stderr.splitlines() if line.startswith("{")]
    [risk] = [e for e in events if e.get("stage") == "data-loss-guard"]
    assert risk["level"] == "warning"
    assert {k: risk["data"][k] for k in ("code", "table", "column", "level")} == {
        "code": "DS103", "table": "things", "column": "note", "level": "destroys data"
    }

    refused = p.nanoka("generate", "--apply")  # no d1_migrations table yet: nothing applied

    assert refused.returncode == 1, _ok(refused)
    assert "DS103 things.note" in refused.stderr
    [tables] = p.d1_local("SELECT name FROM sqlite_master WHERE name IN ('things', 'd1_migrations')")
    assert tables == []


def test_remote_apply_is_refused_the_same_way_against_the_d1_api_stand_in(
    example_project: ExampleProject, tmp_path: Path
) -> None:
    p = example_project
    models = THINGS_V1.replace('"size": t.string().default("m"),', '"size": t.string().default("m"),\n    "note": t.string().optional(),')
    (p.root / "app" / "models.py").write_text(models, encoding="utf-8")
    with FakeD1(str(tmp_path / "remote.sqlite"), database_id=p.database_id) as d1:
        env = d1.wrangler_env()
        _apply(p, "--remote", env=env)
        d1.query("INSERT INTO things VALUES (1, 'a', 's', 'keep me')")
        p.edit("app/models.py", '    "note": t.string().optional(),\n', "")

        refused = p.nanoka("generate", "--apply", "--remote", env=env)

        assert refused.returncode == 1, _ok(refused)
        assert "(--remote): it destroys data" in refused.stderr
        assert "nanoka generate --apply --remote --db nanoka-example --allow-data-loss" in refused.stderr
        assert d1.query("SELECT * FROM things") == [{"id": 1, "name": "a", "size": "s", "note": "keep me"}]

        _apply(p, "--remote", "--allow-data-loss", env=env)
        assert d1.query("SELECT * FROM things") == [{"id": 1, "name": "a", "size": "s"}]
    assert p.local_d1_files() == []
