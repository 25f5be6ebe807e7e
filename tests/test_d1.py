"""Reading ``wrangler d1 execute --json`` output (the real wrangler: tests/e2e/test_e2e_safe_migrations.py)."""

from __future__ import annotations

import pytest

from nanoka_core.d1.ledger import parse_names
from nanoka_core.errors import ToolError


def test_names_come_from_the_one_result() -> None:
    stdout = '[{"results": [{"name": "0000_a.sql"}, {"name": "0001_b.sql"}], "success": true, "meta": {}}]'
    assert parse_names(stdout, "db", "--local") == ["0000_a.sql", "0001_b.sql"]


@pytest.mark.parametrize("stdout", ["", "not json", "[]", '[{"results": [{"id": 1}]}]', '{"error": {"text": "x"}}'])
def test_anything_else_is_an_error_naming_the_database(stdout: str) -> None:
    with pytest.raises(ToolError, match=r"cannot tell which migrations db \(--remote\) has applied"):
        parse_names(stdout, "db", "--remote")


def test_the_ledger_is_read_from_the_configured_migrations_table() -> None:
    from nanoka_core.d1.ledger import applied_migrations
    from nanoka_core.tools import ToolResult

    calls: list[list[str]] = []

    def run_tool(args: list[str], capture: bool = False, echo: bool = False) -> ToolResult:
        calls.append(list(args))
        if "schema_log" in args[-1]:
            raise ToolError("`wrangler d1 execute` exited with code 1:\nno such table: schema_log")
        return ToolResult(list(args), 0, '[{"results": [{"name": "0000_a.sql"}], "success": true}]', "")

    assert applied_migrations(run_tool, "db", False, (), "schema_log") == []  # not created yet: nothing applied
    assert calls[-1][-1] == "SELECT name FROM schema_log ORDER BY id"
    assert applied_migrations(run_tool, "db", False) == ["0000_a.sql"]
    assert calls[-1][-1] == "SELECT name FROM d1_migrations ORDER BY id"
