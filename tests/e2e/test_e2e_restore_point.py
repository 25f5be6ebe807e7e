"""A Time Travel restore point before a remote apply, through the real wrangler
against the D1 API stand-in (tests/e2e/fake_d1.py)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.e2e.fake_d1 import FakeD1

if TYPE_CHECKING:
    from tests.e2e.conftest import ExampleProject

pytestmark = pytest.mark.e2e

RESTORE = re.compile(r"npx --no-install wrangler d1 time-travel restore nanoka-example --bookmark=(\S+)")


def _ok(proc: Any) -> str:
    return f"exit {proc.returncode}\n--- stdout\n{proc.stdout}\n--- stderr\n{proc.stderr}"


def _is_query(request: dict[str, Any]) -> bool:
    return str(request["path"]).endswith("/query")


def test_bookmark_is_logged_before_the_apply_and_its_restore_command_is_printed_last_when_it_fails(
    example_project: ExampleProject, tmp_path: Path
) -> None:
    p = example_project
    with FakeD1(str(tmp_path / "remote.sqlite"), database_id=p.database_id) as d1:
        env = d1.wrangler_env()
        first = p.nanoka("generate", "--apply", "--remote", "--no-rehearsal", env=env)
        assert first.returncode == 0, _ok(first)
        logged = RESTORE.search(first.stderr)
        assert logged is not None, _ok(first)
        assert logged.group(1) in d1.bookmarks
        assert first.stderr.index("restore point: bookmark") < first.stderr.index("migrations apply"), _ok(first)
        paths = [str(r["path"]) for r in d1.requests]
        assert paths[1].endswith("/time_travel/bookmark?") and not any(map(_is_query, d1.requests[:2])), paths
        assert d1.bookmarks[logged.group(1)] == b"", "the bookmark was taken after the apply began"

        # Two users with one name: making the name unique fails on the remote D1.
        d1.query(
            "INSERT INTO users (id, email, name, passwordHash, createdAt) VALUES "
            "('u1', 'a@example.com', 'Same', 'h', 1), ('u2', 'b@example.com', 'Same', 'h', 2)"
        )
        p.edit("app/models.py", '"name": t.string(),', '"name": t.string().unique(),')
        failed = p.nanoka("generate", "--apply", "--remote", "--no-rehearsal", env=env)

        assert failed.returncode == 1, _ok(failed)
        last_line = failed.stderr.rstrip().splitlines()[-1].strip()
        restore = RESTORE.fullmatch(last_line)
        assert restore is not None, _ok(failed)
        assert f"restore point: bookmark {restore.group(1)}" in failed.stderr  # the one taken in this run
        assert "UNIQUE constraint failed" in failed.stdout + failed.stderr, _ok(failed)
        before_failed_apply = d1.bookmarks[restore.group(1)]

        # The printed command works (--json: wrangler's confirmation defaults to "no" off a terminal).
        d1.query("DELETE FROM users")
        undo = p.run([*shlex.split(last_line), "--json"], env={**p.env, **env})
        assert undo.returncode == 0, _ok(undo)
        with open(d1.db_path, "rb") as restored:
            assert restored.read() == before_failed_apply
        assert [r["id"] for r in d1.query("SELECT id FROM users ORDER BY id")] == ["u1", "u2"]


def test_without_a_bookmark_the_remote_apply_does_not_start_unless_no_restore_point(
    example_project: ExampleProject, tmp_path: Path
) -> None:
    p = example_project
    with FakeD1(str(tmp_path / "remote.sqlite"), database_id=p.database_id, time_travel=False) as d1:
        env = d1.wrangler_env()
        refused = p.nanoka("generate", "--apply", "--remote", "--no-rehearsal", env=env)

        assert refused.returncode == 1, _ok(refused)
        assert "stage 'restore-point' failed: could not get a Time Travel bookmark for nanoka-example" in refused.stderr
        assert "Time travel is not available for alpha D1 databases" in refused.stderr, _ok(refused)
        assert "--no-restore-point" in refused.stderr
        assert not any(map(_is_query, d1.requests)), "wrangler applied migrations without a restore point"

        applied = p.nanoka("generate", "--apply", "--remote", "--no-restore-point", "--no-rehearsal", env=env)
        assert applied.returncode == 0, _ok(applied)
        assert [r["name"] for r in d1.query("SELECT name FROM d1_migrations")] == p.migrations()
        assert "restore point" not in applied.stderr
