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
        {"name": "notes_n", "unique": False, "columns": [{"column": "n"}], "where": [{"text": "\"n\" > 0"}]}
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


COMPOSITE = [
    "CREATE TABLE p (a INTEGER NOT NULL, b TEXT NOT NULL, PRIMARY KEY (a, b))",
    "CREATE TABLE c (id INTEGER PRIMARY KEY, x INTEGER, y TEXT, email TEXT NOT NULL, "
    "FOREIGN KEY (x, y) REFERENCES p ON DELETE CASCADE, "
    "CONSTRAINT named FOREIGN KEY (y, x) REFERENCES p (b, a) ON UPDATE SET NULL)",
    "CREATE INDEX c_lower ON c (lower(email))",
    "CREATE UNIQUE INDEX c_mixed ON c (x, lower(email) DESC, y DESC) WHERE x > 0",
]


def test_describe_reads_foreign_keys_over_several_columns_and_indexes_on_expressions() -> None:
    answer = describe(COMPOSITE)
    assert answer["unsupported"] == []
    table = answer["tables"][1]
    assert [(fk["columns"], fk["foreignColumns"], fk["onDelete"], fk["onUpdate"]) for fk in table["foreignKeys"]] == [
        (["x", "y"], ["a", "b"], "cascade", None),  # REFERENCES p: p's primary key, in its order
        (["y", "x"], ["b", "a"], None, "set null"),
    ]
    assert table["indexes"] == [
        {"name": "c_mixed", "unique": True, "where": [{"text": '"x" > 0'}], "columns": [
            {"column": "x"}, {"sql": [{"text": 'LOWER("email") DESC'}]}, {"sql": [{"text": '"y" DESC'}]},
        ]},
        {"name": "c_lower", "unique": False, "where": None, "columns": [{"sql": [{"text": 'LOWER("email")'}]}]},
    ]


def test_read_back_compares_composite_keys_and_index_expressions() -> None:
    drizzle = [
        "CREATE TABLE `p` (`a` integer NOT NULL, `b` text NOT NULL, PRIMARY KEY(`a`, `b`))",
        "CREATE TABLE `c` (`id` integer PRIMARY KEY NOT NULL, `x` integer, `y` text, `email` text NOT NULL, "
        "FOREIGN KEY (`x`,`y`) REFERENCES `p`(`a`,`b`) ON UPDATE no action ON DELETE cascade, "
        "FOREIGN KEY (`y`,`x`) REFERENCES `p`(`b`,`a`) ON UPDATE set null ON DELETE no action)",
        'CREATE INDEX `c_lower` ON `c` (lower("email"))',
        'CREATE UNIQUE INDEX `c_mixed` ON `c` (`x`,LOWER("email") DESC,"y" DESC) WHERE "c"."x" > 0',
    ]
    assert read_back(COMPOSITE) == read_back(drizzle)
    assert read_back(COMPOSITE) != read_back([*drizzle[:2], drizzle[2].replace("lower", "upper"), drizzle[3]])
    assert read_back(COMPOSITE) != read_back([*drizzle[:3], drizzle[3].replace('"y" DESC', '"y"')])
    assert read_back(COMPOSITE) != read_back([drizzle[0], drizzle[1].replace("(`b`,`a`)", "(`a`,`b`)"), *drizzle[2:]])
