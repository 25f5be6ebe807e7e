"""End to end: ``nanoka generate`` on a copy of examples/basic, with the real
drizzle-kit and wrangler, against the local D1 (and a fake remote D1 API).

The expected tables are written out from examples/basic/app/models.py, not
from anything nanoka or the tools printed: see EXPECTED_SCHEMA.
"""

from __future__ import annotations

import dataclasses
import os
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.e2e.fake_d1 import FakeD1

if TYPE_CHECKING:
    from tests.e2e.conftest import ExampleProject

pytestmark = pytest.mark.e2e

NOW_MS = "<the current time in epoch milliseconds>"


@dataclasses.dataclass(frozen=True)
class Column:
    type: str
    notnull: bool
    pk: bool = False
    default: str | None = None
    """None: no default; NOW_MS: evaluates to now (ms); else the SQL as SQLite reports it."""


@dataclasses.dataclass(frozen=True)
class Schema:
    tables: frozenset[str]
    columns: dict[str, dict[str, Column]]
    indexes: dict[str, frozenset[tuple[bool, tuple[str, ...]]]]
    """Per table, (unique, columns) of each index other than the primary key's."""


# examples/basic/app/models.py, read by hand: t.uuid() and t.string() are TEXT,
# t.timestamp() an INTEGER of epoch milliseconds; every field is NOT NULL unless
# .optional(); .primary() is the primary key, .unique() a unique index,
# .default_now() defaults to the current time; a relation (Post.author) is no column.
EXPECTED_COLUMNS: dict[str, dict[str, Column]] = {
    "users": {
        "id": Column("TEXT", notnull=True, pk=True),  # t.uuid().primary()
        "email": Column("TEXT", notnull=True),  # t.string().email().unique()
        "name": Column("TEXT", notnull=True),  # t.string()
        "passwordHash": Column("TEXT", notnull=True),  # t.string().server_only()
        "createdAt": Column("INTEGER", notnull=True, default=NOW_MS),  # t.timestamp().default_now()
    },
    "posts": {
        "id": Column("TEXT", notnull=True, pk=True),  # t.uuid().primary().read_only()
        "userId": Column("TEXT", notnull=True),  # t.uuid()
        "title": Column("TEXT", notnull=True),  # t.string().min(1).max(200)
        "body": Column("TEXT", notnull=False),  # t.string().optional()
        "status": Column("TEXT", notnull=True, default="'draft'"),  # t.enum(Status).default(Status.DRAFT)
        "meta": Column("TEXT", notnull=False),  # t.json(PostMeta).optional()
    },
}
EXPECTED_SCHEMA = Schema(
    tables=frozenset(EXPECTED_COLUMNS),
    columns=EXPECTED_COLUMNS,
    # users: .unique() on email; posts: indexes=[index("userId", "status")]
    indexes={"users": frozenset({(True, ("email",))}), "posts": frozenset({(False, ("userId", "status"))})},
)

# The field test_added_optional_field... adds to the users model, and its column.
NEW_FIELD_LINE = '    "bio": t.string().optional(),\n'
NEW_COLUMN = ("bio", Column("TEXT", notnull=False))
AFTER_LINE = '    "name": t.string(),\n'

Query = Callable[..., list[list[dict[str, Any]]]]
"""``query(*statements)`` -> the rows of each statement."""


def _default(expr: str | None) -> str | None:
    """NOW_MS if the default SQL evaluates to the current time in ms, else the SQL."""
    if expr is None:
        return None
    with sqlite3.connect(":memory:") as conn:
        value = conn.execute(f"SELECT {expr}").fetchone()[0]
    if isinstance(value, int) and abs(value - time.time() * 1000) < 10 * 60 * 1000:
        return NOW_MS
    return expr


def _column(row: dict[str, Any]) -> Column:
    return Column(
        row["type"].upper(), notnull=bool(row["notnull"]), pk=row["pk"] > 0, default=_default(row["dflt_value"])
    )


def _is_user_table(name: str) -> bool:
    """Not SQLite's, D1's/miniflare's own (_cf_*) or wrangler's migration log."""
    return not name.startswith(("sqlite_", "_cf_")) and name != "d1_migrations"


def read_schema(query: Query) -> tuple[Schema, list[str]]:
    """The D1's tables (for the tables the models define) and its applied migrations.

    Two ``query`` calls: D1 refuses pragma table-valued functions, so each
    index's columns need a second round of PRAGMA index_info.
    """
    tables = sorted(EXPECTED_COLUMNS)
    rows = query(
        "SELECT name FROM sqlite_master WHERE type = 'table'",
        *(f"PRAGMA table_info({t})" for t in tables),
        *(f"PRAGMA index_list({t})" for t in tables),
        "SELECT name FROM d1_migrations ORDER BY id",
    )
    found = frozenset(r["name"] for r in rows[0] if _is_user_table(r["name"]))
    infos = dict(zip(tables, rows[1 : 1 + len(tables)], strict=True))
    index_lists = dict(zip(tables, rows[1 + len(tables) : 1 + 2 * len(tables)], strict=True))
    applied = [r["name"] for r in rows[-1]]
    wanted = [(t, ix) for t in tables for ix in index_lists[t] if ix["origin"] != "pk"]
    index_cols = query(*(f"PRAGMA index_info('{ix['name']}')" for _, ix in wanted)) if wanted else []
    indexes: dict[str, set[tuple[bool, tuple[str, ...]]]] = {t: set() for t in tables}
    for (table, ix), cols in zip(wanted, index_cols, strict=True):
        ordered = tuple(c["name"] for c in sorted(cols, key=lambda c: c["seqno"]))
        indexes[table].add((bool(ix["unique"]), ordered))
    schema = Schema(
        tables=found,
        columns={t: {r["name"]: _column(r) for r in infos[t]} for t in tables},
        indexes={t: frozenset(v) for t, v in indexes.items()},
    )
    return schema, applied


def _ok(proc: Any) -> str:
    return f"exit {proc.returncode}\n--- stdout\n{proc.stdout}\n--- stderr\n{proc.stderr}"


def _apply(project: ExampleProject, *extra: str, env: dict[str, str] | None = None) -> None:
    proc = project.nanoka("generate", "--apply", "--db", project.database_name, *extra, env=env)
    assert proc.returncode == 0, _ok(proc)


def test_apply_creates_one_migration_and_the_model_tables_in_local_d1(example_project: ExampleProject) -> None:
    p = example_project
    _apply(p)

    migrations = p.migrations()
    assert len(migrations) == 1, migrations
    schema, applied = read_schema(p.d1_local)
    assert schema == EXPECTED_SCHEMA
    assert applied == migrations


def test_added_optional_field_gives_one_new_migration_and_nullable_column_then_no_change_gives_none(
    applied_project: ExampleProject,
) -> None:
    p = applied_project  # after a successful generate --apply
    [first] = p.migrations()

    p.edit("app/models.py", AFTER_LINE, AFTER_LINE + NEW_FIELD_LINE)
    # No --db: the database comes from nanoka.toml's [migrate] database.
    proc = p.nanoka("generate", "--apply")
    assert proc.returncode == 0, _ok(proc)
    migrations = p.migrations()
    assert len(migrations) == 2 and migrations[0] == first, migrations
    users, applied = p.d1_local("PRAGMA table_info(users)", "SELECT name FROM d1_migrations ORDER BY id")
    name, column = NEW_COLUMN
    assert {r["name"]: _column(r) for r in users} == {**EXPECTED_COLUMNS["users"], name: column}
    assert [r["name"] for r in applied] == migrations

    before = p.snapshot(p.migrations_dir)
    proc = p.nanoka("generate", "--apply")
    assert proc.returncode == 0, _ok(proc)
    assert "drizzle-kit: skipped, nothing changed since the last run" in proc.stderr, _ok(proc)
    proc = p.nanoka("generate", "--apply", "--no-cache")
    assert proc.returncode == 0, _ok(proc)
    assert "No schema changes" in proc.stdout  # drizzle-kit's own "nothing to do"
    assert p.snapshot(p.migrations_dir) == before


def test_no_migrate_rewrites_schema_but_leaves_migrations_and_local_d1_untouched(
    applied_project: ExampleProject,
) -> None:
    p = applied_project  # after a successful generate --apply
    migrations_before = p.snapshot(p.migrations_dir)
    d1_before = p.snapshot(p.wrangler_state)
    assert p.local_d1_files(), "the first --apply should have created the local D1"
    schema_before = p.schema_ts.read_text(encoding="utf-8")

    p.edit("app/models.py", AFTER_LINE, AFTER_LINE + NEW_FIELD_LINE)
    proc = p.nanoka("generate", "--no-migrate")

    assert proc.returncode == 0, _ok(proc)
    schema_after = p.schema_ts.read_text(encoding="utf-8")
    assert schema_after != schema_before
    assert f"'{NEW_COLUMN[0]}'" in schema_after
    assert p.snapshot(p.migrations_dir) == migrations_before
    assert p.snapshot(p.wrangler_state) == d1_before


def test_remote_apply_creates_tables_in_fake_d1_and_leaves_local_d1_alone(
    example_project: ExampleProject, tmp_path: Path
) -> None:
    p = example_project
    with FakeD1(str(tmp_path / "fake-remote-d1.sqlite"), database_id=p.database_id) as d1:
        _apply(p, "--remote", "--no-rehearsal", env=d1.wrangler_env())  # the remote path alone: no shadow queries

        schema, applied = read_schema(lambda *statements: [d1.query(s) for s in statements])
        assert schema == EXPECTED_SCHEMA
        assert applied == p.migrations() and len(applied) == 1
        query_path = f"/client/v4/accounts/{d1.account_id}/d1/database/{p.database_id}/query"
        assert d1.requests, "wrangler sent nothing to the fake D1 API"
        database_path = query_path.removesuffix("/query")
        time_travel = [("GET", database_path, 200), ("GET", f"{database_path}/time_travel/bookmark?", 200)]
        requests = [(r["method"], r["path"], r["status"]) for r in d1.requests]
        assert requests == [*time_travel, *[("POST", query_path, 200)] * (len(requests) - 2)]
        assert any("CREATE TABLE `users`" in r["body"]["sql"] for r in d1.requests if r["body"])
    assert p.local_d1_files() == []


def test_package_manager_npm_applies_through_npm_exec(example_project: ExampleProject, tmp_path: Path) -> None:
    p = example_project
    # An npx that fails: proves drizzle-kit and wrangler really ran through npm.
    trap = tmp_path / "no-npx-bin"
    trap.mkdir()
    (trap / "npx").write_text("#!/bin/sh\necho 'npx must not run here' >&2\nexit 97\n", encoding="utf-8")
    (trap / "npx").chmod(0o755)
    env = {"PATH": f"{trap}{os.pathsep}{p.env['PATH']}"}

    _apply(p, "--package-manager", "npm", env=env)

    migrations = p.migrations()
    assert len(migrations) == 1, migrations
    schema, applied = read_schema(p.d1_local)
    assert schema == EXPECTED_SCHEMA
    assert applied == migrations


def test_readme_step_by_step_flow_gives_same_tables_as_apply(
    make_example_project: Callable[..., ExampleProject], applied_example: Path
) -> None:
    with_apply = make_example_project("with-apply", start=applied_example)  # after generate --apply

    step = make_example_project("step-by-step")
    proc = step.nanoka("generate")
    assert proc.returncode == 0, _ok(proc)
    assert step.local_d1_files() == [], "`nanoka generate` without --apply must not touch the D1"
    proc = step.npx("wrangler", "d1", "migrations", "apply", step.database_name, "--local")
    assert proc.returncode == 0, _ok(proc)

    schema, applied = read_schema(step.d1_local)
    assert schema == read_schema(with_apply.d1_local)[0]
    assert schema == EXPECTED_SCHEMA
    assert applied == step.migrations() and len(applied) == 1
