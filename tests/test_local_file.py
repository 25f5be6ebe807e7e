"""Reading the local D1 from its file (the real wrangler's file: tests/e2e/test_e2e_local_file.py)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from nanoka_core.d1.local_file import (
    OBJECT_CLASS,
    VirtualTableError,
    durable_object_id,
    local_copy,
    local_database_file,
    schema_dump,
)
from nanoka_core.d1.wrangler_config import D1Database
from nanoka_core.errors import ToolError
from nanoka_core.tools import ToolResult

EXAMPLE_ID = "6f1c2a3e-0b7d-4c8e-9a51-2d4e6f8a0b1c"  # examples/basic/wrangler.jsonc


def _entry(root: Path, wrangler: str | None = "4.85.0", local_id: str | None = EXAMPLE_ID) -> D1Database:
    if wrangler is not None:
        _install_wrangler(root, wrangler)
    return D1Database(
        binding="DB",
        database_name="db",
        database_id=EXAMPLE_ID,
        migrations_dir=root / "migrations",
        local_id=local_id,
        local_state=root / ".wrangler" / "state",
    )


def _install_wrangler(root: Path, version: str) -> None:
    (root / "node_modules" / "wrangler").mkdir(parents=True, exist_ok=True)
    (root / "node_modules" / "wrangler" / "package.json").write_text(f'{{"version": "{version}"}}')


def _make_file(entry: D1Database, name: str, script: str) -> Path:
    folder = entry.local_state / "v3" / "d1" / OBJECT_CLASS
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{durable_object_id(OBJECT_CLASS, name)}.sqlite"
    with sqlite3.connect(path) as conn:
        conn.executescript(script)
    conn.close()
    return path


def _no_wrangler(args: list[str], capture: bool = False, echo: bool = False) -> ToolResult:
    raise AssertionError(f"wrangler ran: {args}")


def test_the_file_name_is_the_id_workerd_derives_from_the_database_id() -> None:
    # The name wrangler 4.85's workerd gave the example's local D1 on this project's machine.
    expected = "da67642499061d33258368bb31d9467aa7da70eaafa4fadfc9b575f6f0c7312c"
    assert durable_object_id(OBJECT_CLASS, EXAMPLE_ID) == expected


CONFIG = """{
  "d1_databases": [
    {"binding": "A", "database_name": "a", "database_id": "id-a", "preview_database_id": "preview-a"},
    {"binding": "B", "database_name": "b", "database_id": ""},
    {"binding": "C", "database_name": "c"},
    {"binding": "D", "database_name": "d", "database_id": null, "preview_database_id": ""}
  ],
  "env": {"staging": {"d1_databases": [{"binding": "A", "database_name": "a", "database_id": "id-staging"}]}}
}"""


@pytest.mark.parametrize(("name", "local_id"), [("a", "preview-a"), ("b", ""), ("c", "C"), ("d", "")])
def test_the_name_is_wranglers_preview_id_then_database_id_then_binding_as_javascripts_nullish_or(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, local_id: str
) -> None:
    from nanoka_core.d1.wrangler_config import wrangler_database

    monkeypatch.delenv("CLOUDFLARE_ENV", raising=False)
    (tmp_path / "wrangler.jsonc").write_text(CONFIG, encoding="utf-8")
    found = wrangler_database(tmp_path, None, None, name, required=True)
    assert found is not None and found[1].local_id == local_id  # an empty id is a name too, as wrangler has it
    _install_wrangler(tmp_path, "4.85.0")
    made = _make_file(found[1], local_id, "CREATE TABLE t (x)")
    assert local_database_file(found[1]) == made


def test_when_cloudflare_env_may_choose_another_entry_wrangler_is_asked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from nanoka_core.d1.wrangler_config import wrangler_database

    (tmp_path / "wrangler.jsonc").write_text(CONFIG, encoding="utf-8")
    monkeypatch.setenv("CLOUDFLARE_ENV", "staging")
    assert wrangler_database(tmp_path, None, None, "a", required=True)[1].local_id is None  # type: ignore[index]
    found = wrangler_database(tmp_path, None, "staging", "a", required=True)  # --env wins over it
    assert found is not None and found[1].local_id == "id-staging"
    monkeypatch.delenv("CLOUDFLARE_ENV")
    (tmp_path / ".env.local").write_text("CLOUDFLARE_API_TOKEN=x\nCLOUDFLARE_ENV=staging\n", encoding="utf-8")
    assert wrangler_database(tmp_path, None, None, "a", required=True)[1].local_id is None  # type: ignore[index]
    (tmp_path / ".env.local").unlink()
    assert wrangler_database(tmp_path, None, None, "a", required=True)[1].local_id == "preview-a"  # type: ignore[index]


def test_the_copy_is_the_databases_rows_without_d1s_own_tables(tmp_path: Path) -> None:
    entry = _entry(tmp_path)
    _make_file(
        entry,
        EXAMPLE_ID,
        "CREATE TABLE _cf_METADATA (key INTEGER PRIMARY KEY, value BLOB);"
        "INSERT INTO _cf_METADATA VALUES (2, x'00');"
        "CREATE TABLE _CF_tagged (id INTEGER PRIMARY KEY);"  # D1 reserves _cf_ in lower case only
        "INSERT INTO _CF_tagged VALUES (1);"
        "CREATE TABLE users (id INTEGER PRIMARY KEY AUTOINCREMENT, score REAL, big INTEGER);"
        "INSERT INTO users (score, big) VALUES (1.0, 9007199254740993);"
        "CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users(id));",
    )
    copy = local_copy(entry)
    assert copy is not None
    tables = {name for (name,) in copy.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert tables == {"users", "sqlite_sequence", "posts", "_CF_tagged"}
    # Exactly the stored values: a REAL stays REAL, an integer beyond 2**53 stays exact.
    assert copy.execute("SELECT typeof(score), big FROM users").fetchall() == [("real", 9007199254740993)]
    assert copy.execute("SELECT seq FROM sqlite_sequence").fetchall() == [(1,)]
    with pytest.raises(sqlite3.IntegrityError):  # foreign keys enforced, as in D1
        copy.execute("INSERT INTO posts VALUES (1, 42)")
    copy.close()


@pytest.mark.parametrize("wrangler", [None, "5.0.0", "2.20.0", "not a version"])
def test_a_wrangler_of_another_layout_or_none_found_means_ask_wrangler(tmp_path: Path, wrangler: str | None) -> None:
    made = _make_file(_entry(tmp_path / "project"), EXAMPLE_ID, "CREATE TABLE t (x)")
    (tmp_path / "project" / "node_modules").rename(tmp_path / "elsewhere")
    entry = _entry(tmp_path / "project", wrangler=wrangler)
    assert made.is_file() and local_database_file(entry) is None
    assert local_copy(entry) is None


def test_the_wrangler_next_to_the_config_or_above_it_counts(tmp_path: Path) -> None:
    _entry(tmp_path)  # node_modules at the root of a monorepo
    entry = _entry(tmp_path / "packages" / "api", wrangler=None)
    assert local_database_file(entry) is None
    made = _make_file(entry, EXAMPLE_ID, "CREATE TABLE t (x)")
    assert local_database_file(entry) == made


def test_a_link_or_a_virtual_table_means_ask_wrangler(tmp_path: Path) -> None:
    entry = _entry(tmp_path)
    path = _make_file(entry, EXAMPLE_ID, "CREATE VIRTUAL TABLE search USING fts5(body)")
    assert local_database_file(entry) == path and local_copy(entry) is None  # the export refuses it: say so
    real = path.rename(tmp_path / "elsewhere.sqlite")
    path.symlink_to(real)
    assert local_database_file(entry) is None  # workerd will not open a link


def test_the_wrangler_that_runs_is_the_one_checked(tmp_path: Path) -> None:
    import dataclasses

    entry = _entry(tmp_path)  # config and node_modules (wrangler 4) at the root of a monorepo
    made = _make_file(entry, EXAMPLE_ID, "CREATE TABLE t (x)")
    app = tmp_path / "app"
    assert local_database_file(dataclasses.replace(entry, project_dir=app)) == made
    _install_wrangler(app, "5.0.0")  # the app's own wrangler is the one nanoka runs
    assert local_database_file(dataclasses.replace(entry, project_dir=app)) is None


def test_a_file_sqlite_cannot_read_means_ask_wrangler(tmp_path: Path) -> None:
    entry = _entry(tmp_path)
    path = _make_file(entry, EXAMPLE_ID, "")
    path.write_bytes(b"not a database, whatever wrangler's next layout is" * 100)
    assert local_copy(entry) is None

    from nanoka_core.d1.ledger import applied_migrations

    calls = []

    def run_tool(args: list[str], capture: bool = False, echo: bool = False) -> ToolResult:
        calls.append(args)
        return ToolResult(list(args), 0, '[{"results": [{"name": "0000_a.sql"}], "success": true}]', "")

    assert applied_migrations(run_tool, "db", False, (), entry=entry) == ["0000_a.sql"]
    assert calls and calls[0][:3] == ["wrangler", "d1", "execute"]


def test_the_ledger_is_read_from_the_file_without_wrangler(tmp_path: Path) -> None:
    from nanoka_core.d1.ledger import applied_migrations

    entry = _entry(tmp_path)
    path = _make_file(entry, EXAMPLE_ID, "CREATE TABLE users (id INTEGER PRIMARY KEY)")
    assert applied_migrations(_no_wrangler, "db", False, (), "ledger", entry=entry) == []  # no ledger yet
    with sqlite3.connect(path) as conn:
        conn.executescript(
            "CREATE TABLE ledger (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT UNIQUE);"
            "INSERT INTO ledger (name) VALUES ('0001_b.sql'), ('0000_a.sql');"
        )
    conn.close()
    assert applied_migrations(_no_wrangler, "db", False, (), "ledger", entry=entry) == ["0001_b.sql", "0000_a.sql"]
    with pytest.raises(ToolError):  # remote: always wrangler, whatever file is here
        applied_migrations(_raising, "db", True, (), "ledger", entry=entry)


def _raising(args: list[str], capture: bool = False, echo: bool = False) -> ToolResult:
    raise ToolError("wrangler was asked")


def test_the_schema_dump_follows_d1_exports_order_and_quirks() -> None:
    conn = sqlite3.connect(":memory:")
    conn.executescript(
        'CREATE TABLE "Quoted" (id INTEGER PRIMARY KEY AUTOINCREMENT, note TEXT);'
        "CREATE TABLE _cf_METADATA (key INTEGER PRIMARY KEY);"
        "CREATE VIEW recent AS SELECT id FROM Quoted;"
        "CREATE TABLE `plain` (id INTEGER PRIMARY KEY, q INTEGER REFERENCES Quoted(id));"
        "CREATE TRIGGER touch AFTER INSERT ON plain BEGIN SELECT 1; END;"
        "CREATE INDEX plain_q ON plain (q);"
    )
    assert schema_dump(conn).splitlines() == [
        "PRAGMA defer_foreign_keys=TRUE;",
        'CREATE TABLE IF NOT EXISTS "Quoted" (id INTEGER PRIMARY KEY AUTOINCREMENT, note TEXT);',
        "CREATE TABLE `plain` (id INTEGER PRIMARY KEY, q INTEGER REFERENCES Quoted(id));",
        "DELETE FROM sqlite_sequence;",
        "CREATE INDEX plain_q ON plain (q);",
        "CREATE TRIGGER touch AFTER INSERT ON plain BEGIN SELECT 1; END;",
        "CREATE VIEW recent AS SELECT id FROM Quoted;",
    ]
    conn.execute("CREATE VIRTUAL TABLE search USING fts5(body)")
    with pytest.raises(VirtualTableError, match="Virtual Tables"):
        schema_dump(conn)
    conn.close()


def test_the_rehearsal_copies_the_file_and_falls_back_to_an_export(tmp_path: Path) -> None:
    from nanoka_core.d1.rehearse import LOCAL_COPY, LOCAL_EXPORT, rehearse_pending

    entry = _entry(tmp_path)
    folder = entry.migrations_dir
    folder.mkdir()
    (folder / "0000_a.sql").write_text("CREATE TABLE users (id INTEGER PRIMARY KEY);", encoding="utf-8")
    (folder / "0001_b.sql").write_text("ALTER TABLE users ADD COLUMN name TEXT;", encoding="utf-8")
    exported = []

    def export(args: list[str], capture: bool = False, echo: bool = False) -> ToolResult:
        exported.append(args)
        output = Path(next(a for a in args if a.startswith("--output=")).split("=", 1)[1])
        output.write_text("PRAGMA defer_foreign_keys=TRUE;", encoding="utf-8")
        return ToolResult(list(args), 0, "", "")

    options = {"remote": False, "wrangler_flags": [], "folder": folder, "migrations_table": "d1_migrations"}
    result = rehearse_pending(export, "db", **options, entry=entry)  # type: ignore[arg-type]
    assert (result.copy, result.pending, len(exported)) == (LOCAL_EXPORT, ("0000_a.sql", "0001_b.sql"), 1)

    _make_file(
        entry,
        EXAMPLE_ID,
        "CREATE TABLE users (id INTEGER PRIMARY KEY); INSERT INTO users VALUES (1), (2);"
        "CREATE TABLE d1_migrations (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT UNIQUE, applied_at TEXT);"
        "INSERT INTO d1_migrations (name) VALUES ('0000_a.sql');",
    )
    result = rehearse_pending(_no_wrangler, "db", **options, entry=entry)  # type: ignore[arg-type]
    assert (result.copy, result.pending, result.ok) == (LOCAL_COPY, ("0001_b.sql",), True)
    assert result.reports[0].rows == 2


def test_a_project_folder_with_spaces_and_uri_characters_is_read(tmp_path: Path) -> None:
    entry = _entry(tmp_path / "my app #2 ?x=%20")
    _make_file(entry, EXAMPLE_ID, "CREATE TABLE t (x); INSERT INTO t VALUES (1)")
    copy = local_copy(entry)
    assert copy is not None and copy.execute("SELECT x FROM t").fetchall() == [(1,)]
    copy.close()
