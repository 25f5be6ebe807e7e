"""A database's schema as SQLite itself reads it back, from its ``CREATE`` statements.

``nanoka pull`` gets a live D1's schema as SQL (``wrangler d1 export
--no-data``). Rather than interpret each statement by hand, the statements
are run in an in-memory SQLite and read back with its PRAGMAs (columns, keys,
defaults, indexes, foreign keys over one or several columns with their
actions); sqlglot parses only what no PRAGMA tells: the CHECK constraints and
an index's expressions. Two uses: ``describe`` says it in the
schema reader's terms (``drizzle.schema_reader``), so the same model writer
turns it into models; ``read_back`` is what "the same schema" means when the
baseline migration is compared with the database it stands for.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

SKIPPED_TABLES = re.compile(r"(sqlite_|_cf_|d1_migrations$)", re.IGNORECASE)
"""SQLite's, D1's and wrangler's own tables: never part of the app's schema."""
_LENGTH = re.compile(r"\(\s*(\d+)\s*\)")


def create_statements(sql_text: str, skip: tuple[str, ...] = ()) -> list[str]:
    """The ``CREATE`` statements of a SQL dump, in order.

    Everything else (``PRAGMA``, ``DELETE FROM sqlite_sequence``, rows) is left out,
    and so are the tables of SQLite, D1 and wrangler, with their indexes, and the
    tables in ``skip`` (a wrangler ``migrations_table`` of another name).
    """
    import sqlite3

    statements, pending = [], ""
    for line in sql_text.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            statements.append(pending.strip())
            pending = ""
    found = []
    for statement in statements:
        head = re.match(r"CREATE\s+(?:UNIQUE\s+)?(TABLE|INDEX|VIEW|TRIGGER)\b(?:\s+IF\s+NOT\s+EXISTS)?\s+"
                        r"[`\"\[]?(\w+)[`\"\]]?(?:\s+ON\s+[`\"\[]?(\w+))?", statement, re.IGNORECASE)
        if head is None:
            continue
        table = head[3] or head[2]
        skipped = any(SKIPPED_TABLES.match(name) or name in skip for name in (head[2], table))
        if not skipped:
            found.append(statement)
    return found


def _database(statements: Iterable[str]) -> Any:
    import sqlite3

    db = sqlite3.connect(":memory:")
    for statement in statements:
        db.execute(statement)
    return db


def _tables(db: Any) -> list[tuple[str, str]]:
    rows = db.execute("SELECT name, sql FROM sqlite_master WHERE type='table' ORDER BY rowid").fetchall()
    return [(name, sql) for name, sql in rows if not SKIPPED_TABLES.match(name)]


def describe(statements: list[str]) -> dict[str, Any]:
    """The tables, in the schema reader's JSON terms (see ``schema_reader.cjs``)."""
    db = _database(statements)
    tables = []
    unsupported = []
    for kind, name in db.execute("SELECT type, name FROM sqlite_master WHERE type IN ('view', 'trigger')"):
        unsupported.append({"where": name, "construct": f"a {kind}"})
    for table, sql in _tables(db):
        tables.append(_describe_table(db, table, sql, unsupported))
    return {"tables": tables, "relations": [], "unsupported": unsupported}


def _describe_table(db: Any, table: str, sql: str, unsupported: list[dict[str, str]]) -> dict[str, Any]:
    info = db.execute(f"PRAGMA table_info('{table}')").fetchall()
    keys = [row[1] for row in sorted(info, key=lambda r: r[5]) if row[5]]
    autoincrement = bool(re.search(r"\bAUTOINCREMENT\b", sql, re.IGNORECASE))
    unique_columns: dict[str, None] = {}
    indexes, uniques = [], []
    for _, index, unique, origin, partial in db.execute(f"PRAGMA index_list('{table}')"):
        parts = _index_parts(db, index)
        names = [name for _, name, _ in parts]
        if origin == "pk":
            continue
        if origin == "u" and len(names) == 1:
            unique_columns[names[0]] = None
        elif origin == "u":
            uniques.append({"name": "_".join([table, *names, "unique"]), "columns": names})
        else:
            where = [{"text": _quoted_where(db, index)}] if partial else None
            indexes.append({
                "name": index,
                "unique": bool(unique),
                "columns": [_index_column(kind, c, desc) for kind, c, desc in parts],
                "where": where,
            })
    columns = []
    for _, name, declared, notnull, default, pk in info:
        primary = bool(pk) and len(keys) == 1
        column_type, length = _column_type(declared)
        if primary and column_type != "SQLiteInteger" and not notnull:
            unsupported.append({"where": f"{table}.{name}", "construct": "a primary key that may be NULL"})
        columns.append({
            "key": name, "name": name, "columnType": column_type, "notNull": bool(notnull) or primary,
            "primary": primary, "autoIncrement": primary and autoincrement, "mode": None, "length": length,
            "enumValues": None, "isUnique": name in unique_columns, "uniqueName": None,
            "default": _default(default), "generated": None,
        })
    foreign_keys = []
    for target, own, theirs, on_update, on_delete in _foreign_keys(db, table):
        foreign_keys.append({
            "name": "_".join([table, *own, target, *theirs, "fk"]), "explicitName": None,
            "columns": list(own), "foreignTable": {"export": target, "name": target},
            "foreignColumns": list(theirs), "onDelete": _action(on_delete), "onUpdate": _action(on_update),
        })
    return {
        "export": table,
        "name": table,
        "baseName": table,
        "columns": columns,
        "indexes": indexes,
        "foreignKeys": foreign_keys,
        "primaryKeys": [{"name": "", "explicitName": None, "columns": keys}] if len(keys) > 1 else [],
        "uniqueConstraints": uniques,
        "checks": [
            {"name": f"{table}_{name}", "sql": [{"text": expression}]}
            for name, expression in checks(table, sql)
        ],
    }


def _foreign_keys(db: Any, table: str) -> list[tuple[str, tuple[str, ...], tuple[str, ...], str, str]]:
    """``(target, columns, target columns, on update, on delete)`` per foreign key, in declared order.

    A key over several columns is one; target columns left out (``REFERENCES parent``) are
    the target's primary key, as SQLite reads them.
    """
    keys: dict[int, list[Any]] = {}
    rows = db.execute(f"PRAGMA foreign_key_list('{table}')")
    for key_id, _, target, column, to, on_update, on_delete, _ in rows:
        keys.setdefault(key_id, [target, [], [], on_update, on_delete])
        keys[key_id][1].append(column)
        keys[key_id][2].append(to)
    found = []
    for key_id in sorted(keys, reverse=True):  # SQLite numbers them from the last declared
        target, own, theirs, on_update, on_delete = keys[key_id]
        if None in theirs:
            info = [r for r in db.execute(f"PRAGMA table_info('{target}')") if r[5]]
            theirs = [r[1] for r in sorted(info, key=lambda r: r[5])]
        found.append((target, tuple(own), tuple(theirs), on_update, on_delete))
    return found


def _index_parts(db: Any, index: str) -> list[tuple[str, str, bool]]:
    """``("column", name, desc)`` or ``("sql", expression, desc)`` per key of an index, in order.

    An expression has its identifiers double-quoted, so that each column in it is one.
    """
    keys = [r for r in db.execute(f"PRAGMA index_xinfo('{index}')") if r[5]]
    if all(r[1] != -2 for r in keys):
        return [("column", r[2], bool(r[3])) for r in keys]

    ordered = _index_tree(db, index).args["columns"]
    parts = []
    for key, item in zip(keys, ordered, strict=True):
        if key[1] != -2:
            parts.append(("column", key[2], bool(key[3])))
        else:
            parts.append(("sql", item.this.sql(dialect="sqlite", identify=True), bool(key[3])))
    return parts


def _index_column(kind: str, text: str, desc: bool) -> dict[str, Any]:
    """A key of an index in the schema reader's terms; a descending one is SQL (``"col" DESC``)."""
    if not desc:
        return {"column": text} if kind == "column" else {"sql": [{"text": text}]}
    quoted = '"' + text.replace('"', '""') + '"' if kind == "column" else text
    return {"sql": [{"text": f"{quoted} DESC"}]}


def _index_tree(db: Any, index: str) -> Any:
    """The ``IndexParameters`` (key columns, WHERE) of an index's ``CREATE INDEX``, as sqlglot parses it."""
    import sqlglot
    from sqlglot import exp

    (index_sql,) = db.execute("SELECT sql FROM sqlite_master WHERE name=?", (index,)).fetchone()
    return sqlglot.parse_one(index_sql, read="sqlite").find(exp.IndexParameters)


def _quoted_where(db: Any, index: str) -> str:
    """A partial index's condition with its identifiers double-quoted: each column in it is one."""
    return str(_index_tree(db, index).args["where"].this.sql(dialect="sqlite", identify=True))


def _where(index_sql: str) -> str:
    """The condition of a partial index's ``CREATE INDEX``."""
    return re.split(r"\bWHERE\b", index_sql, maxsplit=1, flags=re.IGNORECASE)[1].strip().rstrip(";")


def _column_type(declared: str) -> tuple[str, int | None]:
    """SQLite's affinity rules (https://sqlite.org/datatype3.html 3.1) as a Drizzle column type."""
    upper = declared.upper()
    length = _LENGTH.search(declared)
    if "INT" in upper:
        return "SQLiteInteger", None
    if any(word in upper for word in ("CHAR", "CLOB", "TEXT")):
        return "SQLiteText", int(length[1]) if length else None
    if "BLOB" in upper or not upper:
        return "SQLiteBlobBuffer", None
    if any(word in upper for word in ("REAL", "FLOA", "DOUB")):
        return "SQLiteReal", None
    return "SQLiteNumeric", None


def _default(default: str | None) -> dict[str, Any] | None:
    if default is None or default.upper() == "NULL":
        return None
    if re.fullmatch(r"-?\d+", default):
        return {"json": int(default)}
    if re.fullmatch(r"-?\d+\.\d*(e-?\d+)?", default, re.IGNORECASE):
        return {"json": float(default)}
    if re.fullmatch(r"'(?:[^']|'')*'", default):
        return {"json": default[1:-1].replace("''", "'")}
    if re.fullmatch(r"CURRENT_(TIME|DATE|TIMESTAMP)|\(.*\)", default, re.IGNORECASE | re.DOTALL):
        return {"sql": [{"text": default}]}
    return {"sql": [{"text": f"({default})"}]}  # SQLite keeps an expression default without its parentheses


def _action(action: str) -> str | None:
    return None if action.upper() == "NO ACTION" else action.lower()


def checks(table: str, create_sql: str) -> list[tuple[str, str]]:
    """``(name, expression)`` of each CHECK of a ``CREATE TABLE``; unnamed ones get ``check<n>``.

    A name that already starts with ``<table>_`` loses that prefix (nanoka adds it back).
    """
    import sqlglot
    from sqlglot import exp

    tree = sqlglot.parse_one(create_sql, read="sqlite")
    found = []
    for number, check in enumerate(tree.find_all(exp.CheckColumnConstraint), start=1):
        parent = check.parent
        name = parent.name if isinstance(parent, exp.Constraint) and parent.name else f"check{number}"
        name = name.removeprefix(f"{table}_")
        found.append((name, check.this.sql(dialect="sqlite")))
    return found


def read_back(statements: list[str]) -> dict[str, Any]:
    """What SQLite says about each table, in terms where any spelling of the same schema is equal.

    Types by affinity and declared length, defaults as written, keys, autoincrement,
    indexes by what they cover (not their names), foreign keys with their actions, and
    CHECK expressions without quotes or table qualifiers.
    """
    db = _database(statements)
    found: dict[str, Any] = {}
    for table, sql in _tables(db):
        info = db.execute(f"PRAGMA table_info('{table}')").fetchall()
        single_key = sum(1 for row in info if row[5]) == 1
        indexes = set()
        for _, index, unique, _, partial in db.execute(f"PRAGMA index_list('{table}')"):
            columns = tuple(
                (name if kind == "column" else _plain_sql(name, table), desc)
                for kind, name, desc in _index_parts(db, index)
            )
            where = None
            if partial:
                (index_sql,) = db.execute("SELECT sql FROM sqlite_master WHERE name=?", (index,)).fetchone()
                where = _plain_sql(_where(index_sql), table)
            indexes.add((bool(unique), columns, where))
        found[table] = {
            "columns": [
                (name, *_column_type(declared), bool(notnull) or (bool(pk) and single_key), default, pk)
                for _, name, declared, notnull, default, pk in info
            ],
            "autoincrement": bool(re.search(r"\bAUTOINCREMENT\b", sql, re.IGNORECASE)),
            "indexes": sorted(indexes, key=repr),
            "foreign_keys": sorted(
                (target, own, theirs, on_update.upper(), on_delete.upper())
                for target, own, theirs, on_update, on_delete in _foreign_keys(db, table)
            ),
            "checks": sorted(_plain_sql(expression, table) for _, expression in checks(table, sql)),
        }
    return found


def _plain_sql(expression: str, table: str) -> str:
    """An SQL expression without identifier quotes or ``table.`` qualifiers, in one spelling."""
    import sqlglot
    from sqlglot import exp

    tree = sqlglot.parse_one(expression, read="sqlite")
    for column in tree.find_all(exp.Column):
        column.set("table", None)
    for identifier in tree.find_all(exp.Identifier):
        identifier.set("quoted", False)
    return tree.sql(dialect="sqlite").lower()
