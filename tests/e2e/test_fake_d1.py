"""Fast checks of the fake D1 API itself (no wrangler, no network)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.e2e.fake_d1 import FakeD1, split_statements

DB_ID = "6f1c2a3e-0b7d-4c8e-9a51-2d4e6f8a0b1c"


@pytest.fixture
def d1(tmp_path: Path):
    with FakeD1(str(tmp_path / "d1.sqlite"), database_id=DB_ID) as fake:
        yield fake


def post(d1: FakeD1, body: dict, db_id: str = DB_ID) -> tuple[int, dict]:
    """POST to the query endpoint the way wrangler does; return (status, JSON)."""
    return call(d1, "POST", "/query", body, db_id)


def call(d1: FakeD1, method: str, rest: str, body: dict | None = None, db_id: str = DB_ID) -> tuple[int, dict]:
    """Any endpoint of one database, as wrangler's fetchResult calls it."""
    url = f"{d1.url}/accounts/{d1.account_id}/d1/database/{db_id}{rest}"
    req = urllib.request.Request(
        url,
        data=json.dumps(body).encode() if body is not None else None,
        method=method,
        headers={"Content-Type": "application/json", "Authorization": "Bearer x"},
    )
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, json.load(resp)
    except urllib.error.HTTPError as err:
        return err.code, json.load(err)


def test_query_returns_rows_as_dicts(d1: FakeD1) -> None:
    d1.query("create table users (id text primary key, name text)")
    status, body = post(d1, {"sql": "insert into users values (?, ?)", "params": ["u1", "Ann"]})
    assert status == 200 and body["result"][0]["meta"]["changes"] == 1

    status, body = post(d1, {"sql": "select id, name from users"})
    assert status == 200
    assert body["success"] is True and body["errors"] == [] and body["messages"] == []
    [result] = body["result"]
    assert result["success"] is True
    assert result["results"] == [{"id": "u1", "name": "Ann"}]
    assert d1.requests[-1]["method"] == "POST" and d1.requests[-1]["status"] == 200


def test_multi_statement_gives_one_result_per_statement(d1: FakeD1) -> None:
    sql = (
        "CREATE TABLE t (a int);\n--> statement-breakpoint\n"
        "INSERT INTO t VALUES (1), (2);\n"
        "SELECT 'x;y' AS s, count(*) AS n FROM t"
    )
    status, body = post(d1, {"sql": sql})
    assert status == 200
    assert [r["results"] for r in body["result"]] == [[], [], [{"s": "x;y", "n": 2}]]


def test_sql_error_has_cloudflare_shape_and_rolls_back(d1: FakeD1) -> None:
    status, body = post(d1, {"sql": "CREATE TABLE t1 (a int); CREATE TABLE oops (;"})
    assert status == 400
    assert body["success"] is False and body["result"] is None
    [error] = body["errors"]
    assert error["code"] == 7500 and "syntax error" in error["message"]
    # The whole request is one transaction, like a D1 migration.
    assert d1.query("select name from sqlite_master where name = 't1'") == []


def test_unknown_route_is_logged_404(d1: FakeD1) -> None:
    status, body = post(d1, {"sql": "select 1"}, db_id="another-db")
    assert status == 404 and body["success"] is False
    assert body["errors"][0]["code"] == 7003
    assert d1.requests[-1]["status"] == 404


def test_split_statements_keeps_trigger_bodies_and_drops_empty() -> None:
    sql = "create trigger tr after insert on t begin select 1; end; ;; -- done\n"
    assert split_statements(sql) == ["create trigger tr after insert on t begin select 1; end;"]


def test_foreign_keys_are_enforced_and_pragma_off_inside_a_request_does_nothing(d1: FakeD1) -> None:
    d1.query("CREATE TABLE users (id TEXT PRIMARY KEY)")
    d1.query("CREATE TABLE posts (id TEXT PRIMARY KEY, userId TEXT REFERENCES users(id) ON DELETE CASCADE)")
    d1.query("INSERT INTO users VALUES ('u1')")
    status, body = post(d1, {"sql": "INSERT INTO posts VALUES ('p1', 'nobody')"})
    assert status == 400 and "FOREIGN KEY constraint failed" in body["errors"][0]["message"]
    d1.query("INSERT INTO posts VALUES ('p1', 'u1')")
    # What drizzle-kit's table recreation does: D1 still cascades the DROP.
    status, _ = post(d1, {"sql": "PRAGMA foreign_keys=OFF; DROP TABLE users; PRAGMA foreign_keys=ON"})
    assert status == 200
    assert d1.query("SELECT count(*) AS n FROM posts") == [{"n": 0}]


def test_a_bookmark_restores_the_database_as_it_was(d1: FakeD1) -> None:
    status, info = call(d1, "GET", "")
    assert status == 200 and info["result"]["uuid"] == DB_ID and info["result"]["version"] == "production"
    d1.query("CREATE TABLE t (a INT)")
    d1.query("INSERT INTO t VALUES (1)")
    status, body = call(d1, "GET", "/time_travel/bookmark?")
    assert status == 200
    bookmark = body["result"]["bookmark"]
    d1.query("DROP TABLE t")
    status, body = call(d1, "POST", f"/time_travel/restore?bookmark={bookmark}")
    assert status == 200 and body["result"]["bookmark"] == bookmark and body["result"]["previous_bookmark"]
    assert d1.query("SELECT a FROM t") == [{"a": 1}]
    status, body = call(d1, "POST", "/time_travel/restore?bookmark=nope")
    assert status == 400 and "Invalid bookmark" in body["errors"][0]["message"]


def test_without_time_travel_the_database_reports_alpha(tmp_path: Path) -> None:
    with FakeD1(str(tmp_path / "d1.sqlite"), database_id=DB_ID, time_travel=False) as fake:
        status, info = call(fake, "GET", "")
    assert status == 200 and info["result"]["version"] == "alpha"


def test_export_is_complete_at_the_first_poll_and_its_signed_url_serves_the_dump(d1: FakeD1) -> None:
    d1.query("create table users (id text primary key, name text)")
    d1.query("create index users_name on users (name)")
    d1.query("insert into users values ('u1', 'O''Brien')")
    status, body = call(d1, "POST", "/export", {"output_format": "polling", "dump_options": {"no_data": False}})
    assert status == 200 and body["result"]["status"] == "complete", body
    with urllib.request.urlopen(body["result"]["result"]["signed_url"], timeout=10) as resp:
        dump = resp.read().decode()
    assert dump.splitlines() == [
        "PRAGMA defer_foreign_keys=TRUE;",
        "CREATE TABLE users (id text primary key, name text);",
        """INSERT INTO "users" VALUES('u1','O''Brien');""",
        "CREATE INDEX users_name on users (name);",
    ]
    status, body = call(d1, "POST", "/export", {"output_format": "polling", "dump_options": {"no_data": True}})
    with urllib.request.urlopen(body["result"]["result"]["signed_url"], timeout=10) as resp:
        assert "INSERT" not in resp.read().decode()
