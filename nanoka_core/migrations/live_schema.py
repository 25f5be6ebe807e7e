"""A database's schema as SQLite itself reads it back, from its ``CREATE`` statements.

``nanoka pull`` gets a live D1's schema as SQL (``wrangler d1 export
--no-data``). Rather than interpret each statement by hand, the statements
are run in an in-memory SQLite and read back with its PRAGMAs (columns, keys,
defaults, indexes, foreign keys with their actions); sqlglot parses only what
no PRAGMA tells: the CHECK constraints. Two uses: ``describe`` says it in the
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
        columns = [r[2] for r in db.execute(f"PRAGMA index_info('{index}')")]
        if origin == "pk":
            continue
        if None in columns:
            unsupported.append({"where": f"{table}.{index}", "construct": "an index on an expression"})
            continue
        if origin == "u" and len(columns) == 1:
            unique_columns[columns[0]] = None
        elif origin == "u":
            uniques.append({"name": "_".join([table, *columns, "unique"]), "columns": columns})
        else:
            where = None
            if partial:
                (index_sql,) = db.execute("SELECT sql FROM sqlite_master WHERE name=?", (index,)).fetchone()
                where = [{"text": _where(index_sql)}]
            indexes.append({
                "name": index,
                "unique": bool(unique),
                "columns": [{"column": c} for c in columns],
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
    for row in db.execute(f"PRAGMA foreign_key_list('{table}')"):
        _, seq, target, column, to, on_update, on_delete, _ = row
        if seq:
            unsupported.append({"where": table, "construct": "a foreign key over several columns"})
            continue
        if to is None:
            to = next(r[1] for r in db.execute(f"PRAGMA table_info('{target}')") if r[5])
        foreign_keys.append({
            "name": f"{table}_{column}_{target}_{to}_fk", "explicitName": None, "columns": [column],
            "foreignTable": {"export": target, "name": target}, "foreignColumns": [to],
            "onDelete": _action(on_delete), "onUpdate": _action(on_update),
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
            columns = tuple(r[2] for r in db.execute(f"PRAGMA index_info('{index}')"))
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
                (row[2], row[3], row[4], row[5].upper(), row[6].upper())
                for row in db.execute(f"PRAGMA foreign_key_list('{table}')")
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
