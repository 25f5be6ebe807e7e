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
    url = f"{d1.url}/accounts/{d1.account_id}/d1/database/{db_id}/query"
    req = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        method="POST",
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
