"""Reading a database's schema back from its CREATE statements (``nanoka pull``)."""

from __future__ import annotations

from nanoka_core.migrations.live_schema import create_statements, describe, read_back

DUMP = """PRAGMA defer_foreign_keys=TRUE;
CREATE TABLE d1_migrations(id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT UNIQUE);
CREATE TABLE _cf_KV (key TEXT PRIMARY KEY, value BLOB);
CREATE TABLE "notes" (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  body TEXT DEFAULT 'it''s',
  n NUMERIC DEFAULT (1 + 1),
  at INTEGER DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT notes_body_set CHECK (body IS NOT NULL)
);
DELETE FROM sqlite_sequence;
INSERT INTO notes VALUES (1, 'x', 2, 3);
CREATE INDEX notes_n ON notes (n) WHERE n > 0;
CREATE VIEW v AS SELECT 1;
"""


def test_only_the_apps_create_statements_are_kept() -> None:
    statements = create_statements(DUMP)
    assert [s.split("\n")[0] for s in statements] == [
        'CREATE TABLE "notes" (',
        "CREATE INDEX notes_n ON notes (n) WHERE n > 0;",
        "CREATE VIEW v AS SELECT 1;",
    ]


def test_describe_says_it_in_the_schema_readers_terms() -> None:
    answer = describe(create_statements(DUMP))
    assert answer["unsupported"] == [{"where": "v", "construct": "a view"}]
    [table] = answer["tables"]
    columns = {c["key"]: c for c in table["columns"]}
    assert columns["id"]["autoIncrement"] and columns["id"]["primary"]
    assert columns["body"]["default"] == {"json": "it's"}
    assert columns["n"]["default"] == {"sql": [{"text": "(1 + 1)"}]}
    assert columns["at"]["default"] == {"sql": [{"text": "CURRENT_TIMESTAMP"}]}
    assert table["checks"] == [{"name": "notes_body_set", "sql": [{"text": "NOT body IS NULL"}]}]
    assert table["indexes"] == [
        {"name": "notes_n", "unique": False, "columns": [{"column": "n"}], "where": [{"text": "n > 0"}]}
    ]


def test_read_back_ignores_spelling_and_names_but_not_meaning() -> None:
    hand = ["CREATE TABLE t (id INTEGER PRIMARY KEY, e VARCHAR(9) NOT NULL UNIQUE, a INT CHECK (a > 0))"]
    drizzle = [
        'CREATE TABLE `t` (`id` integer PRIMARY KEY NOT NULL, `e` text(9) NOT NULL, `a` integer, '
        'CONSTRAINT "t_positive" CHECK("t"."a" > 0))',
        "CREATE UNIQUE INDEX `t_e_unique` ON `t` (`e`)",
    ]
    assert read_back(hand) == read_back(drizzle)
    assert read_back(hand) != read_back([drizzle[0].replace("> 0", ">= 0"), drizzle[1]])
