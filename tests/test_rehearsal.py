"""The rehearsal: pending migrations run on an in-memory copy, every row accounted for."""

from __future__ import annotations

import pytest

from nanoka_core.migrations.rehearsal import DumpError, MigrationRehearsal, rehearse

FAMILY = """
CREATE TABLE p (id integer PRIMARY KEY, name text NOT NULL);
CREATE TABLE c (id integer PRIMARY KEY, pId integer REFERENCES p(id) ON DELETE cascade);
CREATE TABLE g (id integer PRIMARY KEY, cId integer REFERENCES c(id) ON DELETE cascade);
INSERT INTO p VALUES (1, 'a'), (2, 'b');
INSERT INTO c VALUES (1, 1), (2, 1), (3, 2);
INSERT INTO g VALUES (1, 1), (2, 3);
"""

PLAIN_KEYS = FAMILY.replace(" ON DELETE cascade", "")
"""The same rows under foreign keys without an action: a parent's rebuild must defer them."""

DRIZZLE_REBUILD = """PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_{t}` (`id` integer PRIMARY KEY, `name` text DEFAULT 'x' NOT NULL);--> statement-breakpoint
INSERT INTO `__new_{t}`("id", "name") SELECT "id", "name" FROM `{t}`;--> statement-breakpoint
DROP TABLE `{t}`;--> statement-breakpoint
ALTER TABLE `__new_{t}` RENAME TO `{t}`;--> statement-breakpoint
PRAGMA foreign_keys=ON;"""


def rebuild(table: str, columns: str, select: str, suffix: str = "") -> str:
    """A hand-written rebuild of ``table``: the new table, the copy, the drop, the rename."""
    return (
        f"CREATE TABLE __new_{table} ({columns}){suffix};\n"
        f"INSERT INTO __new_{table} {select};\nDROP TABLE {table};\nALTER TABLE __new_{table} RENAME TO {table};"
    )


def one(dump: str, sql: str) -> MigrationRehearsal:
    [report] = rehearse(dump, [("0001_x.sql", sql)])
    return report


def lost(report: MigrationRehearsal) -> dict[str, int]:
    return {loss.table: loss.rows for loss in report.losses}


def test_a_rebuild_of_a_referenced_table_deletes_its_children_and_grandchildren() -> None:
    report = one(FAMILY, DRIZZLE_REBUILD.format(t="p"))
    assert lost(report) == {"c": 3, "g": 2}
    [c, g] = report.losses
    assert c.example == {"id": 1}
    assert c.statement == "DROP TABLE `p`"
    assert g.statement == "DROP TABLE `p`"
    assert c.line() == "c: 3 rows deleted, e.g. id=1; by: DROP TABLE `p`"


def test_case_1_rename_then_rebuild_is_followed_through_the_rename() -> None:
    sql = "ALTER TABLE `p` RENAME TO `parents`;--> statement-breakpoint\n" + DRIZZLE_REBUILD.format(
        t="parents"
    )
    report = one(FAMILY, sql)
    assert lost(report) == {"c": 3, "g": 2}
    assert report.losses[0].statement == "DROP TABLE `parents`"
    assert report.dropped == ()


def test_deferred_keys_let_a_rebuild_through_but_cascades_still_fire() -> None:
    immediate = one(PLAIN_KEYS, DRIZZLE_REBUILD.format(t="p"))
    assert immediate.failure is not None and immediate.failure.message == "FOREIGN KEY constraint failed"
    assert immediate.failure.statement == "DROP TABLE `p`"
    sql = "PRAGMA defer_foreign_keys = on;\n" + DRIZZLE_REBUILD.format(t="p")
    assert lost(one(FAMILY, sql)) == {"c": 3, "g": 2}
    # SQLite counts the rows the drop orphaned; copying them into __new_p does not count them back.
    counted = one(PLAIN_KEYS, sql).failure
    assert counted is not None and counted.statement.startswith("COMMIT") and counted.keys == ()
    assert "orphaned" in counted.line()


def test_case_2_statements_are_cut_on_semicolons_not_breakpoints() -> None:
    report = one(FAMILY, "UPDATE p SET name = upper(name);\nDELETE FROM p WHERE id = 2;")
    assert report.explicit == ("p",)
    assert lost(report) == {"c": 1, "g": 1}
    assert report.losses[0].statement == "DELETE FROM p WHERE id = 2"


def test_an_explicit_drop_is_the_guards_and_its_cascade_is_a_loss() -> None:
    report = one(FAMILY, "DROP TABLE c;")
    assert report.dropped == ("c",)
    assert lost(report) == {"g": 2}


@pytest.mark.parametrize(
    "sql",
    [
        "INSERT OR REPLACE INTO p(id, name) VALUES (1, 'renamed');",
        "REPLACE INTO p(id, name) VALUES (1, 'renamed');",
    ],
)
def test_case_3_replace_deletes_the_old_row_and_cascades(sql: str) -> None:
    report = one(FAMILY, sql)
    assert report.explicit == ("p",)
    assert lost(report) == {"c": 2, "g": 1}
    assert report.losses[0].statement == sql.rstrip(";")


def test_an_upsert_that_updates_in_place_loses_nothing() -> None:
    report = one(
        FAMILY, "INSERT INTO p(id, name) VALUES (1, 'z') ON CONFLICT(id) DO UPDATE SET name = excluded.name;"
    )
    assert report.ok and report.explicit == ("p",)


def test_case_4_a_hand_written_rebuild_is_compared_under_its_old_name() -> None:
    sql = (
        "ALTER TABLE p RENAME TO p_old;\n"
        "CREATE TABLE p (id integer PRIMARY KEY, name text NOT NULL);\n"
        "INSERT INTO p SELECT * FROM p_old;\n"
        "DROP TABLE p_old;\n"
    )
    report = one(FAMILY, sql)
    assert lost(report) == {"c": 3, "g": 2}
    assert report.dropped == ()
    assert report.losses[0].statement == "DROP TABLE p_old"


def test_a_rebuild_that_loses_rows_of_its_own_table_is_a_loss() -> None:
    sql = DRIZZLE_REBUILD.format(t="g").replace("FROM `g`", "FROM `g` WHERE id > 1")
    report = one(FAMILY, sql)
    assert lost(report) == {"g": 1}


def test_a_trigger_that_deletes_when_the_migrations_update_fires_it() -> None:
    sql = (
        "CREATE TRIGGER purge AFTER UPDATE ON p BEGIN DELETE FROM c WHERE pId = old.id; END;\n"
        "UPDATE p SET name = name || '!';"
    )
    report = one(FAMILY, sql)
    assert report.explicit == ("p",)
    assert lost(report) == {"c": 3, "g": 2}
    assert report.losses[0].statement == "UPDATE p SET name = name || '!'"


def test_on_update_cascade_changes_child_values() -> None:
    dump = """
    CREATE TABLE p (id integer PRIMARY KEY);
    CREATE TABLE c (id integer PRIMARY KEY, pId integer REFERENCES p(id) ON UPDATE cascade);
    INSERT INTO p VALUES (1); INSERT INTO c VALUES (7, 1);
    """
    report = one(dump, "UPDATE p SET id = 10 WHERE id = 1;")
    [loss] = report.losses
    assert (loss.table, loss.changed, loss.column, loss.example) == ("c", 1, "pId", {"id": 7})


def test_set_null_children_count_as_changed() -> None:
    dump = """
    CREATE TABLE p (id integer PRIMARY KEY);
    CREATE TABLE c (id integer PRIMARY KEY, pId integer REFERENCES p(id) ON DELETE set null);
    INSERT INTO p VALUES (1); INSERT INTO c VALUES (7, 1), (8, NULL);
    """
    report = one(
        dump,
        DRIZZLE_REBUILD.format(t="p")
        .replace("`name` text DEFAULT 'x' NOT NULL", "`x` text")
        .replace('("id", "name") SELECT "id", "name"', '("id") SELECT "id"'),
    )
    [loss] = report.losses
    assert (loss.table, loss.deleted, loss.changed, loss.column) == ("c", 0, 1, "pId")


def test_renamed_tables_and_columns_are_the_same_data() -> None:
    report = one(FAMILY, "ALTER TABLE c RENAME COLUMN pId TO parentId;\nALTER TABLE c RENAME TO children;")
    assert report.ok, report.as_json()


def test_a_type_change_is_compared_through_the_new_type() -> None:
    dump = "CREATE TABLE t (id integer PRIMARY KEY, n text); INSERT INTO t VALUES (1, '5'), (2, 'abc');"
    assert one(dump, rebuild("t", "id integer PRIMARY KEY, n integer", "SELECT id, n FROM t")).ok
    truncating = rebuild("t", "id integer PRIMARY KEY, n integer", "SELECT id, length(n) FROM t")
    [loss] = one(dump, truncating).losses
    assert (loss.changed, loss.column) == (2, "n")


def test_a_table_without_primary_key_is_compared_as_a_multiset() -> None:
    dump = "CREATE TABLE log (msg text); INSERT INTO log VALUES ('a'), ('a'), ('b');"
    assert one(dump, "ALTER TABLE log ADD COLUMN at integer;").ok
    [loss] = one(dump, rebuild("log", "msg text", "SELECT DISTINCT msg FROM log")).losses
    assert (loss.table, loss.deleted, loss.example) == ("log", 1, {"msg": "a"})


def test_unique_over_duplicates_fails_with_the_duplicate_keys() -> None:
    report = one(FAMILY, "CREATE UNIQUE INDEX one_child ON c(pId);")
    assert report.failure is not None
    assert report.failure.message == "UNIQUE constraint failed: c.pId"
    assert report.failure.keys == ({"pId": 1, "duplicates": 2},)


def test_check_over_violating_rows_fails_with_sqlites_message() -> None:
    sql = (
        "CREATE TABLE __new_p (id integer PRIMARY KEY, name text NOT NULL CHECK (length(name) > 3));\n"
        "INSERT INTO __new_p SELECT id, name FROM p;\nDROP TABLE p;\nALTER TABLE __new_p RENAME TO p;"
    )
    report = one(FAMILY, "PRAGMA defer_foreign_keys = on;\n" + sql)
    assert report.failure is not None and report.failure.message.startswith("CHECK constraint failed")
    assert report.failure.keys == ({"id": 1}, {"id": 2})  # 'a' and 'b' are too short


def test_nulls_into_a_new_not_null_fail_with_the_rows_that_hold_them() -> None:
    dump = "CREATE TABLE t (id integer PRIMARY KEY, n text); INSERT INTO t VALUES (1, 'x'), (2, NULL), (3, NULL);"
    report = one(dump, rebuild("t", "id integer PRIMARY KEY, n text NOT NULL", "(id, n) SELECT id, n FROM t"))
    assert report.failure is not None and report.failure.message == "NOT NULL constraint failed: __new_t.n"
    assert report.failure.keys == ({"id": 2}, {"id": 3})


def test_a_deferred_foreign_key_over_orphans_fails_at_commit_with_the_orphans() -> None:
    sql = (
        "PRAGMA defer_foreign_keys = on;\nCREATE TABLE __new_p (id integer PRIMARY KEY, name text NOT NULL);\n"
        "INSERT INTO __new_p SELECT id, name FROM p WHERE id = 1;\nDROP TABLE p;\nALTER TABLE __new_p RENAME TO p;"
    )
    report = one(PLAIN_KEYS, sql)
    assert report.failure is not None
    assert report.failure.message == "FOREIGN KEY constraint failed"
    assert report.failure.statement.startswith("COMMIT")
    assert {"table": "c", "rowid": 3, "references": "p"} in report.failure.keys


def test_a_foreign_key_cycle_set_aside_and_restored_in_any_order_needs_deferred_keys() -> None:
    dump = """
    CREATE TABLE a (id integer PRIMARY KEY, bId integer REFERENCES b(id));
    CREATE TABLE b (id integer PRIMARY KEY, aId integer REFERENCES a(id));
    INSERT INTO a VALUES (1, NULL); INSERT INTO b VALUES (1, 1); UPDATE a SET bId = 1;
    """

    def rebuild(t: str, other: str) -> str:
        return (
            f"CREATE TABLE __new_{t} (id integer PRIMARY KEY, {other}Id integer REFERENCES {other}(id), note text);\n"
            f"INSERT INTO __new_{t}(id, {other}Id) SELECT id, {other}Id FROM {t};\n"
            f"DROP TABLE {t};\nALTER TABLE __new_{t} RENAME TO {t};\n"
        )

    sql = (
        "CREATE TABLE keep_a AS SELECT * FROM a;\nCREATE TABLE keep_b AS SELECT * FROM b;\n"
        "DELETE FROM a;\nDELETE FROM b;\n"
        + rebuild("a", "b")
        + rebuild("b", "a")
        + "INSERT INTO a SELECT id, bId, NULL FROM keep_a;\nINSERT INTO b SELECT id, aId, NULL FROM keep_b;\n"
        "DROP TABLE keep_a;\nDROP TABLE keep_b;\n"
    )
    plain = one(dump, sql)
    assert plain.failure is not None and plain.failure.statement == "DELETE FROM a"
    deferred = one(dump, "PRAGMA defer_foreign_keys = on;\n" + sql)
    assert deferred.ok, deferred.as_json()
    assert deferred.explicit == ("a", "b")  # emptied on purpose: the comparison is the guard's


def test_the_rehearsal_stops_at_the_first_failing_migration_and_records_the_ledger() -> None:
    reports = rehearse(
        FAMILY,
        [("0001_a.sql", "CREATE UNIQUE INDEX u ON c(pId);"), ("0002_b.sql", "DROP TABLE g;")],
    )
    assert [r.name for r in reports] == ["0001_a.sql"]
    [ok] = rehearse(FAMILY, [("0001_a.sql", "ALTER TABLE p ADD COLUMN x text;")], migrations_table="ledger")
    assert ok.ok and ok.rows == 7


def test_a_file_without_a_final_semicolon_fails_as_on_d1() -> None:
    report = one(FAMILY, "ALTER TABLE p ADD COLUMN x text")
    assert report.failure is not None and report.failure.message == 'near "INSERT": syntax error'
    assert one(FAMILY, "ALTER TABLE p ADD COLUMN x text; -- note").ok


def test_a_wrangler_export_loads_with_its_ledger_and_sequences() -> None:
    dump = """PRAGMA defer_foreign_keys=TRUE;
CREATE TABLE d1_migrations(
\t\tid         INTEGER PRIMARY KEY AUTOINCREMENT,
\t\tname       TEXT UNIQUE,
\t\tapplied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL
);
INSERT INTO "d1_migrations" VALUES(1,'0000_a.sql','2026-12-05 08:10:22');
CREATE TABLE c (id integer PRIMARY KEY, pId integer REFERENCES p(id) ON DELETE cascade);
INSERT INTO "c" VALUES(1,1);
CREATE TABLE p (id integer PRIMARY KEY, name text NOT NULL, data blob);
INSERT INTO "p" VALUES(1,replace('b\\nnewline','\\n',char(10)),X'00ff');
DELETE FROM sqlite_sequence;
INSERT INTO "sqlite_sequence" VALUES('d1_migrations',1);
"""
    [report] = rehearse(
        dump,
        [
            (
                "0001_b.sql",
                DRIZZLE_REBUILD.format(t="p")
                .replace("`name` text", "`name` text, `data` blob")
                .replace('"id", "name"', '"id", "name", "data"'),
            )
        ],
    )
    assert lost(report) == {"c": 1}
    assert report.rows == 2


def test_a_dump_sqlite_cannot_load_is_one_error() -> None:
    with pytest.raises(DumpError, match="does not load"):
        rehearse("CREATE TABLE (", [])


def test_a_key_whose_type_changes_is_looked_up_through_the_new_type() -> None:
    dump = "CREATE TABLE k (id text PRIMARY KEY, v integer); INSERT INTO k VALUES ('1', 5), ('2', 6);"
    assert one(dump, rebuild("k", "id integer PRIMARY KEY, v integer", "SELECT id, v FROM k")).ok


def test_without_rowid_tables_and_odd_names_are_compared_too() -> None:
    dump = (
        "CREATE TABLE w (a text PRIMARY KEY, b integer) WITHOUT ROWID; INSERT INTO w VALUES ('k', 1), ('j', 2);\n"
        'CREATE TABLE "we ird" ("co""l" text PRIMARY KEY, "x y" integer REFERENCES w(a) ON DELETE cascade);\n'
        "INSERT INTO \"we ird\" VALUES ('c', 'k');"
    )
    sql = rebuild("w", "a text PRIMARY KEY, b integer, c text", "(a, b) SELECT a, b FROM w", " WITHOUT ROWID")
    [loss] = one(dump, sql).losses
    assert (loss.table, loss.deleted, loss.example) == ("we ird", 1, {'co"l': "c"})


@pytest.mark.parametrize(
    ("sql", "why"),
    [
        ("COMMIT;\nDROP TABLE g;", "refuses statements that begin or end one"),
        ("SAVEPOINT s;\nDELETE FROM g;\nRELEASE s;", "refuses savepoints"),
        ("ATTACH DATABASE '/tmp/nanoka-rehearsal-attack.db' AS x;\nCREATE TABLE x.t (a);", "D1 refuses ATTACH"),
        ("CREATE TEMP TABLE keep AS SELECT * FROM c;", "D1 refuses TEMP tables"),
    ],
)
def test_statements_d1_refuses_fail_on_the_copy_and_touch_nothing(sql: str, why: str) -> None:
    from pathlib import Path

    report = one(FAMILY, sql)
    assert report.failure is not None and why in report.failure.message
    assert not Path("/tmp/nanoka-rehearsal-attack.db").exists()


def test_a_plain_insert_is_not_a_licence_for_what_its_trigger_deletes_in_the_same_table() -> None:
    sql = (
        "CREATE TRIGGER keep_one AFTER INSERT ON p BEGIN DELETE FROM p WHERE id <> new.id; END;\n"
        "INSERT INTO p VALUES (3, 'c');"
    )
    report = one(FAMILY, sql)
    assert report.explicit == ()
    assert lost(report) == {"p": 2, "c": 3, "g": 2}


def _refusal(reports: list[MigrationRehearsal]) -> str:
    from types import SimpleNamespace

    from nanoka_core.d1.rehearse import LOCAL_EXPORT, Rehearsal
    from nanoka_plugins.rehearsal import _refusal

    ctx = SimpleNamespace(database="db", options=SimpleNamespace(remote=False))
    result = Rehearsal(LOCAL_EXPORT, tuple(r.name for r in reports), tuple(reports))
    return _refusal(ctx, result)  # type: ignore[arg-type]


def test_the_refusal_offers_allow_data_loss_only_for_rows_lost_by_a_migration_that_runs() -> None:
    lost = _refusal([one(FAMILY, DRIZZLE_REBUILD.format(t="p"))])
    assert "rehearsed on a local export, it would lose rows nobody asked to lose. Nothing" in lost
    assert lost.endswith("say so: nanoka generate --apply --db db --allow-data-loss")

    exists = _refusal([one(FAMILY, "CREATE TABLE p (id integer);")])
    assert "rehearsed on a local export, it fails on the database as it is. Nothing has been applied." in exists
    assert "  0001_x.sql: fails: table p already exists; at: CREATE TABLE p (id integer)" in exists
    assert "fix the migration, or the models it was generated from" in exists
    assert "`nanoka status` and `nanoka diff` show where they part" in exists
    assert exists.endswith("--allow-data-loss cannot help: D1 would fail the same way and roll it back.")
    assert "say so" not in exists

    missing = _refusal([one(FAMILY, "DROP INDEX nowhere;")])
    assert "  0001_x.sql: fails: no such index: nowhere; at: DROP INDEX nowhere" in missing
    assert "say so" not in missing

    duplicates = _refusal([one(FAMILY, "CREATE UNIQUE INDEX one_child ON c(pId);")])
    assert "over rows the database holds (named above): change those rows first" in duplicates
    assert "say so" not in duplicates
