"""Reading a database's schema back from its CREATE statements (``nanoka pull``)."""

from __future__ import annotations

from nanoka_core.migrations.live_schema import (
    create_statements,
    describe,
    differences,
    read_back,
    unique_rebuilds,
)

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
        'CONSTRAINT "t_positive" CHECK("t"."a" > 0), CONSTRAINT "t_e_unique" UNIQUE("e"))',
    ]
    assert read_back(hand) == read_back(drizzle)
    assert read_back(hand) != read_back([drizzle[0].replace("> 0", ">= 0")])


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


def _table(statements: list[str], name: str) -> dict:
    answer = describe(statements)
    return next(table for table in answer["tables"] if table["name"] == name)


def _named(statements: list[str]) -> list[str]:
    return [f"{item['where']}: {item['construct']}" for item in describe(statements)["unsupported"]]


GENERATED = (
    "CREATE TABLE g (id INTEGER PRIMARY KEY, email TEXT NOT NULL, "
    "lower_email TEXT GENERATED ALWAYS AS (lower(email)) VIRTUAL, len INTEGER AS (length(email)) STORED)"
)


def test_generated_columns_are_read_with_their_expression_and_mode() -> None:
    columns = {c["key"]: c for c in _table([GENERATED], "g")["columns"]}
    assert list(columns) == ["id", "email", "lower_email", "len"]  # table_info would hide the last two
    assert columns["lower_email"]["generated"] == {"as": {"sql": [{"text": 'LOWER("email")'}]}, "mode": "virtual"}
    assert columns["len"]["generated"] == {"as": {"sql": [{"text": 'LENGTH("email")'}]}, "mode": "stored"}
    assert _named([GENERATED]) == []


def test_read_back_sees_generated_columns() -> None:
    drizzle = (
        "CREATE TABLE `g` (`id` integer PRIMARY KEY NOT NULL, `email` text NOT NULL, "
        '`lower_email` text GENERATED ALWAYS AS (LOWER("email")) VIRTUAL, '
        '`len` integer GENERATED ALWAYS AS (LENGTH("email")) STORED)'
    )
    assert read_back([GENERATED]) == read_back([drizzle])
    without = "CREATE TABLE `g` (`id` integer PRIMARY KEY NOT NULL, `email` text NOT NULL)"
    assert differences(read_back([GENERATED]), read_back([without])) == [
        "g.lower_email: a column only in the database", "g.len: a column only in the database",
    ]
    virtual = drizzle.replace("STORED", "VIRTUAL")
    assert differences(read_back([GENERATED]), read_back([virtual])) == [
        "g.len: generated ('stored', 'length(email)') in the database, ('virtual', 'length(email)') in the baseline"
    ]


WHAT_NANOKA_CANNOT_DECLARE = [
    "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL COLLATE NOCASE, n INTEGER) STRICT",
    "CREATE INDEX users_n ON users (n COLLATE NOCASE)",
    "CREATE TABLE kv (k TEXT PRIMARY KEY NOT NULL, v TEXT) WITHOUT ROWID",
    "CREATE TABLE posts (id INTEGER PRIMARY KEY, uid INTEGER REFERENCES users(id) DEFERRABLE INITIALLY DEFERRED, "
    "x INTEGER NOT NULL ON CONFLICT REPLACE DEFAULT 0)",
]


def test_collations_strict_without_rowid_deferred_keys_and_conflict_clauses_are_named() -> None:
    named = _named(WHAT_NANOKA_CANNOT_DECLARE)
    assert [line.split(" (nanoka")[0] for line in named] == [
        "users: STRICT",
        "users: index users_n: COLLATE NOCASE on column n",
        "users.email: COLLATE NOCASE",
        "kv: WITHOUT ROWID",
        "posts.x: ON CONFLICT REPLACE",
        "posts: foreign key (uid) to users: DEFERRABLE INITIALLY DEFERRED",
    ]


def test_read_back_compares_what_nanoka_cannot_declare() -> None:
    plain = [
        "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL, n INTEGER)",
        "CREATE INDEX users_n ON users (n)",
        "CREATE TABLE kv (k TEXT PRIMARY KEY NOT NULL, v TEXT)",
        "CREATE TABLE posts (id INTEGER PRIMARY KEY, uid INTEGER REFERENCES users(id), x INTEGER NOT NULL DEFAULT 0)",
    ]
    found = differences(read_back(WHAT_NANOKA_CANNOT_DECLARE), read_back(plain))
    assert found == [
        "kv: WITHOUT ROWID True in the database, False in the baseline",
        "posts: ON CONFLICT clauses: ('x', 'ON CONFLICT REPLACE') only in the database",
        "posts: foreign keys: ('users', ('uid',), ('id',), 'NO ACTION', 'NO ACTION', 'DEFERRED') only in the database",
        "posts: foreign keys: ('users', ('uid',), ('id',), 'NO ACTION', 'NO ACTION', '') only in the baseline",
        "users.email: collation 'NOCASE' in the database, 'BINARY' in the baseline",
        "users: STRICT True in the database, False in the baseline",
        "users: indexes: ('CREATE INDEX', '', (('n', False, 'NOCASE'),), None) only in the database",
        "users: indexes: ('CREATE INDEX', '', (('n', False, 'BINARY'),), None) only in the baseline",
    ]


def test_a_unique_declared_in_create_table_is_told_from_a_unique_index_and_rebuilt_into_one() -> None:
    inline = [
        "CREATE TABLE u (id INTEGER PRIMARY KEY AUTOINCREMENT, email TEXT NOT NULL UNIQUE, a TEXT, b TEXT, "
        "g TEXT GENERATED ALWAYS AS (lower(email)), UNIQUE (a, b))",
        "CREATE INDEX u_g ON u (g)",
        "CREATE TABLE plain (id INTEGER PRIMARY KEY, n TEXT)",
    ]
    (table,) = describe(inline)["tables"][:1]
    assert table["uniqueConstraints"] == [{"name": "u_a_b_unique", "columns": ["a", "b"]}]
    assert [column["name"] for column in table["columns"] if column["isUnique"]] == ["email"]
    assert describe(inline)["unsupported"] == []
    drizzle = [
        "CREATE TABLE `u` (`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL, `email` text NOT NULL, `a` text, "
        "`b` text, `g` text GENERATED ALWAYS AS (lower(\"email\")) VIRTUAL)",
        "CREATE INDEX `u_g` ON `u` (`g`)",
        "CREATE UNIQUE INDEX `u_email_unique` ON `u` (`email`)",
        "CREATE UNIQUE INDEX `u_a_b_unique` ON `u` (`a`,`b`)",
        "CREATE TABLE `plain` (`id` integer PRIMARY KEY NOT NULL, `n` text)",
    ]
    assert differences(read_back(inline), read_back(drizzle)) == [
        "u: indexes: ('CREATE TABLE', 'unique', (('a', False, 'BINARY'), ('b', False, 'BINARY')), None) "
        "only in the database",
        "u: indexes: ('CREATE TABLE', 'unique', (('email', False, 'BINARY'),), None) only in the database",
        "u: indexes: ('CREATE INDEX', 'unique', (('a', False, 'BINARY'), ('b', False, 'BINARY')), None) "
        "only in the baseline",
        "u: indexes: ('CREATE INDEX', 'unique', (('email', False, 'BINARY'),), None) only in the baseline",
    ]
    rebuilds = unique_rebuilds(inline, drizzle)
    assert [s.split("(")[0].strip() for s in rebuilds] == [
        "PRAGMA foreign_keys=OFF;", 'CREATE TABLE "__new_u"',
        'CREATE UNIQUE INDEX `u_email_unique` ON "__new_u"', 'CREATE UNIQUE INDEX `u_a_b_unique` ON "__new_u"',
        "INSERT INTO `__new_u`", "DROP TABLE `u`;", "ALTER TABLE `__new_u` RENAME TO `u`;",
        "PRAGMA foreign_keys=ON;", "CREATE INDEX `u_g` ON `u`",  # the database has u_g: made after the drop
    ]
    assert rebuilds[4] == 'INSERT INTO `__new_u`("id", "email", "a", "b") SELECT "id", "email", "a", "b" FROM `u`;'
    assert differences(read_back(inline + rebuilds), read_back(drizzle)) == []
    assert unique_rebuilds(drizzle, drizzle) == []


def test_unique_rebuilds_keep_checks_self_references_views_and_triggers_working() -> None:
    import sqlite3

    database = [
        "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT UNIQUE, n INTEGER CHECK (n > 0), "
        "up INTEGER REFERENCES users(id))",
        "CREATE TABLE log (id INTEGER PRIMARY KEY, what TEXT)",
        "CREATE VIEW emails AS SELECT email FROM users",
        "CREATE TRIGGER users_in AFTER INSERT ON users BEGIN INSERT INTO log (what) VALUES (new.email); END",
    ]
    baseline = [  # as drizzle-kit writes them: the CHECK names the table
        "CREATE TABLE `users` (`id` integer PRIMARY KEY NOT NULL, `email` text, `n` integer, `up` integer, "
        "FOREIGN KEY (`up`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action, "
        'CONSTRAINT "users_check_1" CHECK("users"."n" > 0))',
        "CREATE UNIQUE INDEX `users_email_unique` ON `users` (`email`)",
        "CREATE TABLE `log` (`id` integer PRIMARY KEY NOT NULL, `what` text)",
    ]
    db = sqlite3.connect(":memory:", isolation_level=None)
    db.execute("PRAGMA foreign_keys=ON")
    for statement in database:
        db.execute(statement)
    db.execute("INSERT INTO users VALUES (1, 'a', 1, NULL), (2, 'b', 2, 1)")
    rows = db.execute("SELECT * FROM users").fetchall()
    rebuilds = unique_rebuilds(database, baseline)
    db.executescript("BEGIN;\n" + "\n".join(rebuilds) + "\nCOMMIT;")  # as D1 runs a migration
    assert db.execute("SELECT * FROM users").fetchall() == rows
    assert db.execute("SELECT * FROM emails").fetchall() == [("a",), ("b",)]
    db.execute("INSERT INTO users VALUES (3, 'c', 3, 2)")
    assert db.execute("SELECT what FROM log").fetchall() == [("a",), ("b",), ("c",)]  # the trigger fires
    assert differences(read_back(database + rebuilds), read_back(baseline)) == []
    foreign_keys = db.execute("SELECT \"table\" FROM pragma_foreign_key_list('users')").fetchall()
    assert foreign_keys == [("users",)]


def test_unique_rebuilds_keep_every_row_in_sqlite() -> None:
    import sqlite3

    inline = ['CREATE TABLE "Odd `name" (id INTEGER PRIMARY KEY, "e""mail" TEXT UNIQUE)']
    drizzle = ['CREATE TABLE `Odd ``name` (`id` integer PRIMARY KEY NOT NULL, `e"mail` text)',
               'CREATE UNIQUE INDEX `Odd ``name_e"mail_unique` ON `Odd ``name` (`e"mail`)']
    db = sqlite3.connect(":memory:")
    db.execute(inline[0])
    db.executemany('INSERT INTO "Odd `name" VALUES (?, ?)', [(1, "a"), (2, None), (3, None)])
    for statement in unique_rebuilds(inline, drizzle):
        db.execute(statement)
    assert db.execute('SELECT * FROM "Odd `name" ORDER BY id').fetchall() == [(1, "a"), (2, None), (3, None)]
    assert [row[1] for row in db.execute("PRAGMA index_list('Odd `name')")] == ['Odd `name_e"mail_unique']


def test_defaults_compare_as_the_values_sqlite_stores() -> None:
    database = ["CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER DEFAULT NULL, z INTEGER DEFAULT -0, "
                "r REAL DEFAULT 1.0, s TEXT DEFAULT 0, b BOOLEAN NOT NULL DEFAULT TRUE)"]
    drizzle = ["CREATE TABLE t (id integer PRIMARY KEY NOT NULL, n integer, z integer DEFAULT 0, "
               "r real DEFAULT 1, s text DEFAULT (0), b integer NOT NULL DEFAULT true)"]
    assert differences(read_back(database), read_back(drizzle)) == []
    changed = drizzle[0].replace("DEFAULT 0,", "DEFAULT 1,")
    assert differences(read_back(database), read_back([changed])) == [
        "t.z: default 0 in the database, 1 in the baseline"
    ]


def test_defaults_are_written_as_what_each_kind_takes() -> None:
    columns = {c["key"]: c for c in _table([
        "CREATE TABLE d (id INTEGER PRIMARY KEY, flag BOOLEAN NOT NULL DEFAULT 0, name TEXT DEFAULT 0, "
        "big INTEGER DEFAULT 9007199254740993, dq TEXT DEFAULT \"dq\", neg INTEGER DEFAULT -0, "
        "n INTEGER DEFAULT NULL, at DATETIME DEFAULT 0)"
    ], "d")["columns"]}
    assert columns["flag"]["columnType"] == "SQLiteBoolean"
    assert columns["flag"]["default"] == {"json": False}
    assert columns["name"]["default"] == {"sql": [{"text": "(0)"}]}  # t.string() takes a str
    assert columns["big"]["default"] == {"sql": [{"text": "(9007199254740993)"}]}  # beyond a JS number
    assert columns["dq"]["default"] == {"json": "dq"}  # SQLite reads "dq" there as a string
    assert columns["neg"]["default"] == {"json": 0}
    assert columns["n"]["default"] is None
    assert columns["at"]["default"] == {"sql": [{"text": "(0)"}]}  # t.numeric() takes a str


def test_what_sqlglot_cannot_parse_and_any_table_name_are_read() -> None:
    statements = [
        "CREATE TABLE s (id INTEGER PRIMARY KEY, x ANY, y INT CHECK (y > 0)) STRICT",
        "CREATE TABLE u (y UNSIGNED BIG INT CHECK (y > 0))",
        "CREATE TABLE sq2 (id INTEGER, x INTEGER, PRIMARY KEY (id DESC))",
        "CREATE TABLE \"it's\" (id INTEGER PRIMARY KEY, \"a'b\" TEXT)",
        "CREATE INDEX \"it's_a\" ON \"it's\" (\"a'b\")",
    ]
    answer = describe(statements)
    assert [t["name"] for t in answer["tables"]] == ["s", "u", "sq2", "it's"]
    assert answer["tables"][0]["checks"] == [{"name": "s_check1", "sql": [{"text": "y > 0"}]}]
    assert answer["tables"][1]["checks"] == [{"name": "u_check1", "sql": [{"text": "y > 0"}]}]
    assert answer["tables"][1]["columns"][0]["columnType"] == "SQLiteInteger"
    assert answer["tables"][3]["indexes"][0]["columns"] == [{"column": "a'b"}]
    assert set(read_back(statements)) == {"s", "u", "sq2", "it's"}


def test_foreign_keys_resolve_names_in_any_case_and_a_missing_table_is_named() -> None:
    statements = [
        "CREATE TABLE users (id INTEGER PRIMARY KEY)",
        "CREATE TABLE posts (id INTEGER PRIMARY KEY, uid INTEGER REFERENCES USERS(ID), g INTEGER REFERENCES nowhere(id))",
    ]
    [key] = _table(statements, "posts")["foreignKeys"]
    assert (key["foreignTable"]["name"], key["foreignColumns"]) == ("users", ["id"])
    assert _named(statements) == ["posts: foreign key (g) to nowhere, a table the database does not have"]


def test_a_primary_key_that_may_be_null_is_named_and_compared() -> None:
    database = ["CREATE TABLE w2 (id TEXT PRIMARY KEY, x INTEGER)"]
    assert [line.split(" (")[0] for line in _named(database)] == ["w2.id: a primary key that may be NULL"]
    drizzle = ["CREATE TABLE w2 (id text PRIMARY KEY NOT NULL, x integer)"]
    assert differences(read_back(database), read_back(drizzle)) == [
        "w2.id: NOT NULL False in the database, True in the baseline"
    ]


def test_a_unique_whose_drizzle_name_is_taken_gets_the_next_free_one() -> None:
    schema = describe([
        "CREATE TABLE t (id INTEGER PRIMARY KEY, a INTEGER, b_c INTEGER, a_b INTEGER, c INTEGER, "
        "UNIQUE (a, b_c), UNIQUE (a_b, c))",
        "CREATE TABLE u (id INTEGER PRIMARY KEY, email TEXT UNIQUE, n TEXT UNIQUE)",
        "CREATE TABLE v (id INTEGER PRIMARY KEY, x TEXT)",
        "CREATE INDEX u_email_unique ON v (x)",  # an index of another table holds u's drizzle name
    ])
    t, u, _ = schema["tables"]
    assert [c["name"] for c in t["uniqueConstraints"]] == ["t_a_b_c_unique", "t_a_b_c_unique_2"]
    assert [(c["name"], c["uniqueName"]) for c in u["columns"] if c["isUnique"]] == [
        ("email", "u_email_unique_2"), ("n", None)  # None: drizzle-kit's own name, u_n_unique
    ]
