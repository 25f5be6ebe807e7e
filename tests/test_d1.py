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
