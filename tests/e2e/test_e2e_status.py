"""``nanoka status`` against a real local D1 (and the remote stand-in), through the real wrangler."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.e2e.fake_d1 import FakeD1

if TYPE_CHECKING:
    from tests.e2e.conftest import ExampleProject

pytestmark = pytest.mark.e2e

BODY_LINE = "    body = t.string().optional()\n"


def _ok(proc: Any) -> str:
    return f"exit {proc.returncode}\n--- stdout\n{proc.stdout}\n--- stderr\n{proc.stderr}"


def test_status_lists_applied_and_pending_migrations_with_risk_lines(example_project: ExampleProject) -> None:
    p = example_project
    assert p.nanoka("generate").returncode == 0
    [first] = p.migrations()

    nothing_applied = p.nanoka("status")  # the local D1 has no d1_migrations table yet
    assert nothing_applied.returncode == 0, _ok(nothing_applied)
    assert nothing_applied.stdout.splitlines()[1:] == [
        f"  pending  {first}",
        "           rehearsal: rehearsed on the local copy: it runs (no rows yet, so none at stake)",
    ]

    assert p.nanoka("generate", "--apply").returncode == 0
    p.edit("app/models.py", BODY_LINE, "")
    assert p.nanoka("generate").returncode == 0
    [second] = [m for m in p.migrations() if m != first]

    proc = p.nanoka("status")

    assert proc.returncode == 0, _ok(proc)
    assert proc.stdout.splitlines() == [
        f"nanoka-example (local): 1 applied, 1 pending, in {p.migrations_dir}",
        f"  applied  {first}",
        f"  pending  {second}",
        "           DS103 posts.body: ALTER TABLE posts DROP COLUMN body deletes its values",
        "           rehearsal: rehearsed on the local copy: it runs (no rows yet, so none at stake)",
    ]
    as_json = p.nanoka("--log-format", "json", "status")
    assert as_json.returncode == 0, _ok(as_json)
    report = json.loads(as_json.stdout)
    assert [(m["name"], m["state"]) for m in report["migrations"]] == [(first, "applied"), (second, "pending")]
    assert [(r["code"], r["table"], r["column"]) for r in report["migrations"][1]["risks"]] == [("DS103", "posts", "body")]
    assert report["migrations"][1]["rehearsal"]["ok"] is True
    assert report["migrations"][1]["rehearsal"]["copy"] == "local copy"
    assert "rehearsal" not in report["migrations"][0]  # applied: nothing to rehearse


def test_status_remote_reads_the_remote_database(remote_applied_project: ExampleProject, tmp_path: Path) -> None:
    p = remote_applied_project  # after a successful generate --apply --remote
    with FakeD1(str(tmp_path / "remote.sqlite"), database_id=p.database_id) as d1:
        env = d1.wrangler_env()
        proc = p.nanoka("--log-format", "json", "status", "--remote", env=env)
    assert proc.returncode == 0, _ok(proc)
    report = json.loads(proc.stdout)
    assert report["where"] == "remote"
    assert [m["state"] for m in report["migrations"]] == ["applied"]


def test_status_without_a_database_cannot_tell(example_project: ExampleProject) -> None:
    p = example_project
    p.edit("nanoka.toml", 'database = "nanoka-example"', "")
    proc = p.nanoka("status")
    assert proc.returncode == 1, _ok(proc)
    assert "nanoka status needs a database: pass --db NAME" in proc.stderr
