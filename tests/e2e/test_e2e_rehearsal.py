"""End to end: every pending migration is rehearsed on a copy and every row accounted for (issue 16).

The real drizzle-kit writes the migrations (or ``--custom`` gives an empty
one to fill by hand), the real wrangler exports and applies to a local D1,
and the rows put in every table before the change are compared by value
after it: kept, or the apply refused before wrangler runs naming every
table that would lose rows, and ``--allow-data-loss`` then losing only what
the refusal named.
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

FAMILY = '''from nanoka_core import Model, t


class P(Model, table="p"):
    id = t.integer().primary()
    name = t.string()


class C(Model, table="c"):
    id = t.integer().primary()
    pId = t.integer().references(lambda: P, on_delete="cascade")


class G(Model, table="g"):
    id = t.integer().primary()
    cId = t.integer().references(lambda: C, on_delete="cascade")
'''
FAMILY_ROWS = [
    "INSERT INTO p VALUES (1, 'a'), (2, 'b')",
    "INSERT INTO c VALUES (1, 1), (2, 1), (3, 2)",
    "INSERT INTO g VALUES (1, 1), (2, 3)",
]
TABLES = ("p", "c", "g")


def _show(proc: Any) -> str:
    return f"exit {proc.returncode}\n--- stdout\n{proc.stdout}\n--- stderr\n{proc.stderr}"


def _rows(p: ExampleProject, *tables: str) -> dict[str, list[dict[str, Any]]]:
    """Every row of each table, ordered by all its values."""
    results = p.d1_local(*(f"SELECT * FROM {t}" for t in tables))
    return {t: sorted(rows, key=lambda r: repr(sorted(r.items()))) for t, rows in zip(tables, results, strict=True)}


def _start(p: ExampleProject, models: str = FAMILY, rows: list[str] = FAMILY_ROWS) -> None:
    (p.root / "app" / "models.py").write_text(models, encoding="utf-8")
    proc = p.nanoka("generate", "--apply")
    assert proc.returncode == 0, _show(proc)
    p.d1_local(*rows)


@pytest.fixture
def family_project(
    make_example_project: Callable[..., ExampleProject], prepared_example: Callable[..., Path]
) -> ExampleProject:
    """The example with FAMILY as its models, applied, and FAMILY_ROWS in the local D1 (prepared once per run)."""
    return make_example_project("example", start=prepared_example("rehearsal-family", _start))


def _custom(p: ExampleProject, name: str, sql: str) -> str:
    proc = p.nanoka("generate", "--custom", name)
    assert proc.returncode == 0, _show(proc)
    [path] = [m for m in p.migrations() if name in m]
    (p.migrations_dir / path).write_text(sql, encoding="utf-8")
    return path


def _applied(p: ExampleProject) -> list[str]:
    [rows] = p.d1_local("SELECT name FROM d1_migrations ORDER BY id")
    return [r["name"] for r in rows]


def _rehearsal_event(stderr: str) -> dict[str, Any]:
    [event] = [json.loads(line) for line in stderr.splitlines() if '"stage": "rehearsal"' in line and '"data"' in line]
    return dict(event["data"])


def _refused(p: ExampleProject, before: dict[str, Any], *names: str, flags: tuple[str, ...] = ()) -> str:
    """``generate --apply`` refuses before wrangler runs, naming ``names``; nothing changed."""
    proc = p.nanoka(*flags, "generate", "--apply")
    assert proc.returncode == 1, _show(proc)
    assert "Nothing has been applied" in proc.stderr, _show(proc)
    assert "migrations apply" not in proc.stderr, _show(proc)
    for name in names:
        assert name in proc.stderr, _show(proc)
    assert _rows(p, *TABLES) == before
    return str(proc.stderr)


def test_case_3_insert_or_replace_on_a_referenced_table_is_refused_then_loses_only_what_was_named(
    family_project: ExampleProject,
) -> None:
    p = family_project  # FAMILY applied, FAMILY_ROWS in
    before = _rows(p, *TABLES)
    name = _custom(p, "replace_p", "INSERT OR REPLACE INTO p(id, name) VALUES (1, 'renamed');\n")

    # The static reading names every table the replace reaches...
    _refused(p, before, name, "DS111 c: INSERT OR REPLACE INTO p deletes the rows of c", "DS111 g:")
    # ...and the rehearsal, on its own, counts them.
    stderr = _refused(p, before, name, flags=("--disable-plugin", "data-loss-guard"))
    assert "c: 2 rows deleted, e.g. id=1; by: INSERT OR REPLACE INTO p(id, name) VALUES (1, 'renamed')" in stderr
    assert "g: 1 row deleted, e.g. id=1" in stderr

    proc = p.nanoka("--log-format", "json", "generate", "--apply", "--allow-data-loss")
    assert proc.returncode == 0, _show(proc)
    event = _rehearsal_event(proc.stderr)
    assert [(loss["table"], loss["deleted"]) for loss in event["migrations"][0]["losses"]] == [("c", 2), ("g", 1)]
    after = _rows(p, *TABLES)
    assert after["p"] == [{"id": 1, "name": "renamed"}, {"id": 2, "name": "b"}]
    assert after["c"] == [{"id": 3, "pId": 2}]  # exactly the two rows the refusal counted
    assert after["g"] == [{"id": 2, "cId": 3}]


def test_case_2_a_hand_written_file_without_breakpoints_is_read_and_rehearsed_statement_by_statement(
    family_project: ExampleProject,
) -> None:
    p = family_project  # FAMILY applied, FAMILY_ROWS in
    before = _rows(p, *TABLES)
    _custom(p, "manual", "UPDATE p SET name = upper(name);\nDROP TABLE c;\n")

    status = p.nanoka("status")
    assert status.returncode == 0, _show(status)
    assert "DS102 c" in status.stdout, status.stdout  # the static reading sees the DROP
    assert "rehearsal: loses rows: g: 2 rows deleted" in status.stdout, status.stdout

    stderr = _refused(p, before, "DS102 c")
    assert "DS102" in stderr


def test_a_trigger_that_deletes_when_the_migrations_own_update_fires_it_is_refused(
    family_project: ExampleProject,
) -> None:
    p = family_project  # FAMILY applied, FAMILY_ROWS in
    before = _rows(p, *TABLES)
    sql = (
        "CREATE TRIGGER purge AFTER UPDATE ON p BEGIN DELETE FROM c WHERE pId = old.id; END;\n"
        "--> statement-breakpoint\nUPDATE p SET name = name || '!';\n"
    )
    name = _custom(p, "trigger", sql)

    stderr = _refused(p, before, name)
    assert "c: 3 rows deleted, e.g. id=1; by: UPDATE p SET name = name || '!'" in stderr
    assert "g: 2 rows deleted" in stderr


def test_case_4_a_hand_written_rebuild_names_every_table_the_drop_reaches(family_project: ExampleProject) -> None:
    p = family_project  # FAMILY applied, FAMILY_ROWS in
    before = _rows(p, *TABLES)
    _custom(
        p,
        "rebuild_p",
        "ALTER TABLE p RENAME TO p_old;\n"
        "CREATE TABLE p (id integer PRIMARY KEY NOT NULL, name text NOT NULL);\n"
        "INSERT INTO p SELECT id, name FROM p_old;\nDROP TABLE p_old;\n",
    )
    _refused(p, before, "DS102 p_old", "DS111 c: DROP TABLE p_old", "DS111 g:")
    stderr = _refused(p, before, "c: 3 rows deleted", "g: 2 rows deleted", flags=("--disable-plugin", "data-loss-guard"))
    assert "by: DROP TABLE p_old" in stderr
    agreed = p.nanoka("generate", "--apply", "--allow-data-loss")
    assert agreed.returncode == 0, _show(agreed)
    after = _rows(p, *TABLES)
    assert (after["p"], after["c"], after["g"]) == (before["p"], [], [])  # exactly the tables named


def test_a_migration_that_would_fail_on_d1_is_reported_with_the_offending_rows_before_d1_sees_it(
    family_project: ExampleProject,
) -> None:
    p = family_project  # FAMILY applied, FAMILY_ROWS in
    before = _rows(p, *TABLES)
    name = _custom(p, "one_child", "CREATE UNIQUE INDEX one_child ON c (pId);\n")
    _refused(p, before, name, "UNIQUE constraint failed: c.pId", "pId=1, duplicates=2")
    assert _applied(p) == [m for m in p.migrations() if m != name]


def test_the_rehearsal_is_one_json_event_and_can_be_switched_off(family_project: ExampleProject) -> None:
    p = family_project  # FAMILY applied, FAMILY_ROWS in
    p.edit("app/models.py", "    name = t.string()\n", "    name = t.string()\n    note = t.string().optional()\n")
    proc = p.nanoka("--log-format", "json", "generate", "--apply")
    assert proc.returncode == 0, _show(proc)
    for line in proc.stderr.splitlines():
        json.loads(line)  # stderr stays JSON lines
    event = _rehearsal_event(proc.stderr)
    assert event["copy"] == "local copy" and event["ok"] is True
    assert [m["rows"] for m in event["migrations"]] == [7]

    p.edit("app/models.py", "    note = t.string().optional()\n", "    note = t.string().optional()\n    x = t.integer().optional()\n")
    off = p.nanoka("generate", "--apply", "--no-rehearsal")
    assert off.returncode == 0, _show(off)
    assert "wrangler d1 export" not in off.stderr


def test_case_1_a_table_renamed_and_rebuilt_in_one_edit_keeps_its_childrens_rows(family_project: ExampleProject) -> None:
    p = family_project  # FAMILY applied, FAMILY_ROWS in
    before = _rows(p, *TABLES)
    p.edit("app/models.py", 'class P(Model, table="p"):', 'class P(Model, table="parents", renamed_from="p"):')
    p.edit("app/models.py", "    name = t.string()\n", '    name = t.string().default("x")\n')
    proc = p.nanoka("generate", "--apply")
    assert proc.returncode == 0, _show(proc)
    text = (p.migrations_dir / p.migrations()[-1]).read_text(encoding="utf-8")
    assert "RENAME TO `parents`" in text and "DROP TABLE `parents`" in text  # drizzle-kit's rename, then rebuild
    assert "-- nanoka:" in text
    after = _rows(p, "parents", "c", "g")
    assert (after["parents"], after["c"], after["g"]) == (before["p"], before["c"], before["g"])


CYCLE = '''from nanoka_core import Model, t


class A(Model, table="a"):
    id = t.integer().primary()
    bId = t.integer().optional().references(lambda: B, on_delete="cascade")
    age = t.integer().optional()


class B(Model, table="b"):
    id = t.integer().primary()
    aId = t.integer().optional().references(lambda: A, on_delete="cascade")
    age = t.integer().optional()


class Leaf(Model, table="leaf"):
    id = t.integer().primary()
    bId = t.integer().references(lambda: B, on_delete="cascade")
'''
CYCLE_ROWS = [
    "INSERT INTO a VALUES (1, NULL, 10), (2, NULL, NULL)",
    "INSERT INTO b VALUES (1, 1, 20), (2, 2, NULL)",
    "UPDATE a SET bId = id",
    "INSERT INTO leaf VALUES (1, 1), (2, 2), (3, 1)",
]


def test_a_foreign_key_cycle_rebuilt_in_one_migration_keeps_every_row_on_a_local_d1(
    example_project: ExampleProject,
) -> None:
    p = example_project
    _start(p, CYCLE, CYCLE_ROWS)
    before = _rows(p, "a", "b", "leaf")
    p.edit("app/models.py", "    bId = t.integer().optional().references(lambda: B, on_delete=\"cascade\")\n    age = t.integer().optional()",
           "    bId = t.integer().optional().references(lambda: B, on_delete=\"cascade\")\n    age = t.number().optional()")
    p.edit("app/models.py", "    aId = t.integer().optional().references(lambda: A, on_delete=\"cascade\")\n    age = t.integer().optional()",
           "    aId = t.integer().optional().references(lambda: A, on_delete=\"cascade\")\n    age = t.number().optional()")
    proc = p.nanoka("generate", "--apply")
    assert proc.returncode == 0, _show(proc)
    text = (p.migrations_dir / p.migrations()[-1]).read_text(encoding="utf-8")
    assert "DROP TABLE `a`" in text and "DROP TABLE `b`" in text
    assert "PRAGMA defer_foreign_keys = on;" in text
    assert _rows(p, "a", "b", "leaf") == before
    [leftovers] = p.d1_local("SELECT name FROM sqlite_master WHERE name LIKE '%nanoka_keep%'")
    assert leftovers == []


TRIGGER_SQL = (
    "CREATE TRIGGER purge AFTER UPDATE ON p BEGIN DELETE FROM c WHERE pId = old.id; END;\n"
    "--> statement-breakpoint\nUPDATE p SET name = name || '!';\n"
)


def test_remote_rehearsal_runs_on_a_shadow_with_generated_rows_and_refuses_what_it_loses(
    example_project: ExampleProject, tmp_path: Path
) -> None:
    """No export of the remote D1: its schema is replayed from the folder and rows are made up."""
    p = example_project
    (p.root / "app" / "models.py").write_text(FAMILY, encoding="utf-8")
    with FakeD1(str(tmp_path / "remote.sqlite"), database_id=p.database_id) as d1:
        env = d1.wrangler_env()
        first = p.nanoka("generate", "--apply", "--remote", env=env)
        assert first.returncode == 0, _show(first)
        name = _custom(p, "trigger", TRIGGER_SQL)  # the remote D1 holds no rows: only the shadow's are at stake

        refused = p.nanoka("--log-format", "json", "generate", "--apply", "--remote", env=env)
        assert refused.returncode == 1, _show(refused)
        event = _rehearsal_event(refused.stderr)
        assert event["copy"] == "shadow (generated rows)" and event["not_rehearsed"] == {}
        [report] = event["migrations"]
        assert report["migration"] == name and report["rows"] >= 6  # two generated rows in each of p, c, g
        assert {loss["table"] for loss in report["losses"]} == {"c", "g"}
        assert "wrangler d1 migrations apply" not in refused.stderr
        assert [r["name"] for r in d1.query("SELECT name FROM d1_migrations")] == [m for m in p.migrations() if m != name]

        # A cascading rebuild the static guard is not there to see: the shadow alone refuses it.
        (p.migrations_dir / name).unlink()
        _drop_journal_entry(p, name)
        assert p.nanoka("hash").returncode == 0  # the migration never left this machine: forget it in nanoka.sum
        p.edit("app/models.py", "    name = t.string()\n", '    name = t.string().default("x")\n')
        blind = ("--disable-plugin", "preserve-rows", "--disable-plugin", "data-loss-guard")
        cascade = p.nanoka(*blind, "generate", "--apply", "--remote", env=env)
        assert cascade.returncode == 1, _show(cascade)
        assert "shadow (generated rows)" in cascade.stderr
        assert "c: 2 rows deleted" in cascade.stderr and "g: 2 rows deleted" in cascade.stderr, _show(cascade)


def test_rehearse_with_data_uses_a_full_export_of_the_remote_d1(example_project: ExampleProject, tmp_path: Path) -> None:
    p = example_project
    (p.root / "app" / "models.py").write_text(FAMILY, encoding="utf-8")
    with FakeD1(str(tmp_path / "remote.sqlite"), database_id=p.database_id) as d1:
        env = d1.wrangler_env()
        assert p.nanoka("generate", "--apply", "--remote", env=env).returncode == 0
        for statement in FAMILY_ROWS:
            d1.query(statement)
        name = _custom(p, "trigger", TRIGGER_SQL)
        refused = p.nanoka("--log-format", "json", "generate", "--apply", "--remote", "--rehearse-with-data", env=env)
        assert refused.returncode == 1, _show(refused)
        event = _rehearsal_event(refused.stderr)
        assert event["copy"] == "remote export"
        [report] = event["migrations"]
        assert report["migration"] == name and report["rows"] == 7  # the remote's own rows
        assert [(loss["table"], loss["deleted"]) for loss in report["losses"]] == [("c", 3), ("g", 2)]
        assert "wrangler d1 export nanoka-example --remote" in refused.stderr
        assert len(d1.query("SELECT * FROM c")) == 3
    assert p.local_d1_files() == []


def _drop_journal_entry(p: ExampleProject, name: str) -> None:
    journal = p.migrations_dir / "meta" / "_journal.json"
    data = json.loads(journal.read_text(encoding="utf-8"))
    data["entries"] = [e for e in data["entries"] if f"{e['tag']}.sql" != name]
    journal.write_text(json.dumps(data, indent=2), encoding="utf-8")
    number = name.split("_", 1)[0]
    (p.migrations_dir / "meta" / f"{number}_snapshot.json").unlink()
