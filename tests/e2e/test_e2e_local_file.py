"""nanoka reads the local D1 from the real wrangler's file exactly as the real wrangler reads it."""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING, Any

import pytest

from nanoka_core.d1.local_file import local_copy, local_database_file, local_schema_dump
from nanoka_core.d1.wrangler_config import wrangler_database
from nanoka_core.migrations.rehearsal import load_dump

if TYPE_CHECKING:
    from tests.e2e.conftest import ExampleProject

pytestmark = pytest.mark.e2e


def _shown(proc: Any) -> str:
    return f"exit {proc.returncode}\n--- stdout\n{proc.stdout}\n--- stderr\n{proc.stderr}"


def _contents(conn: sqlite3.Connection) -> dict[str, Any]:
    """Every schema object's SQL and every table's rows, with their SQLite storage types."""
    objects = sorted(conn.execute("SELECT type, name, sql FROM sqlite_master WHERE sql NOT NULL"))
    rows = {}
    for _, name, _ in (o for o in objects if o[0] == "table"):
        columns = [c[1] for c in conn.execute(f'PRAGMA table_info("{name}")')]
        values = ", ".join(f'"{c}", typeof("{c}")' for c in columns)
        rows[name] = sorted(conn.execute(f'SELECT {values} FROM "{name}"'), key=repr)
    return {"objects": objects, "rows": rows}


def test_the_file_holds_what_wrangler_exports_and_status_diff_read_it_without_wrangler(
    example_project: ExampleProject,
) -> None:
    p = example_project
    assert p.nanoka("generate", "--apply").returncode == 0
    p.d1_local(  # through the real wrangler: quirks of the export, values of every storage type
        "CREATE TABLE \"Notes\" (id INTEGER PRIMARY KEY AUTOINCREMENT, body TEXT, score REAL, data BLOB)",
        "INSERT INTO \"Notes\" (body, score, data) VALUES ('it''s\ntwo lines', 1.5, x'00ff'), (NULL, 2.0, NULL)",
        "DELETE FROM \"Notes\" WHERE body IS NULL",
        "CREATE VIEW note_bodies AS SELECT body FROM \"Notes\"",
        "CREATE INDEX notes_score ON \"Notes\" (score)",
        "INSERT INTO users (id, email, name, passwordHash) VALUES ('u1', 'a@example.com', 'A', 'h')",
    )
    found = wrangler_database(p.root, None, None, p.database_name, required=True)
    assert found is not None
    entry = found[1]
    path = local_database_file(entry)
    assert path is not None and path in p.local_d1_files(), p.local_d1_files()

    schema = p.root / "schema.sql"
    proc = p.tool("wrangler", "d1", "export", p.database_name, "--local", "--no-data", f"--output={schema}")
    assert proc.returncode == 0, _shown(proc)
    assert local_schema_dump(entry) == schema.read_text(encoding="utf-8")

    full = p.root / "full.sql"
    proc = p.tool("wrangler", "d1", "export", p.database_name, "--local", f"--output={full}")
    assert proc.returncode == 0, _shown(proc)
    exported, copied = load_dump(full.read_text(encoding="utf-8")), local_copy(entry)
    assert copied is not None
    assert _contents(copied) == _contents(exported)
    assert copied.execute("SELECT seq FROM sqlite_sequence WHERE name = 'Notes'").fetchall() == [(2,)]
    exported.close()
    copied.close()

    status = p.nanoka("status")
    assert status.returncode == 0, _shown(status)
    assert "wrangler" not in status.stderr, _shown(status)  # no tool started: the file answered
    assert status.stdout.splitlines()[0].startswith("nanoka-example (local): 1 applied, 0 pending")
    diff = p.nanoka("diff")
    assert diff.returncode == 1, _shown(diff)
    assert "wrangler" not in diff.stderr, _shown(diff)
    assert "table notes exists in the database, not in the migrations" in diff.stdout, _shown(diff)
