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
from typing import Any, NamedTuple

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


def _pragma(db: Any, pragma: str, name: str) -> list[tuple[Any, ...]]:
    """``PRAGMA pragma(name)`` with ``name`` bound, never spliced: any table or index name reads."""
    return list(db.execute(f"SELECT * FROM pragma_{pragma}(?)", (name,)))


def _tables(db: Any) -> list[tuple[str, str]]:
    rows = db.execute("SELECT name, sql FROM sqlite_master WHERE type='table' ORDER BY rowid").fetchall()
    return [(name, sql) for name, sql in rows if not SKIPPED_TABLES.match(name)]


class TableSql(NamedTuple):
    """What a ``CREATE TABLE`` says that no PRAGMA tells."""

    checks: list[tuple[str, str]]
    """``(name, expression)`` of each CHECK; unnamed ones get ``check<n>``."""
    generated: dict[str, tuple[str, bool]]
    """lower-cased column -> (expression, stored) of each generated column."""
    collations: dict[str, str]
    """lower-cased column -> its declared ``COLLATE`` (upper case)."""
    deferred: list[tuple[str, ...]]
    """The lower-cased columns of each foreign key declared ``DEFERRABLE INITIALLY DEFERRED``."""
    on_conflict: list[tuple[str, str]]
    """``(column, or "" for a table constraint; the clause)`` of each ``ON CONFLICT``."""
    problem: str | None = None
    """Why sqlglot could not read the statement, if it could not."""


def table_sql(create_sql: str) -> TableSql:
    """Read a ``CREATE TABLE`` with sqlglot.

    sqlglot's SQLite dialect refuses some of what SQLite takes (type names such as
    ``UNSIGNED BIG INT`` or ``ANY``, ``ON CONFLICT``, ``DESC`` in a table's key,
    ``STRICT``), none of which this reading needs: each column's declared type is
    replaced by ``TEXT`` (PRAGMA table_xinfo has the real one), the rest is cut out
    first, and the clauses cut are reported.
    """
    import sqlglot
    from sqlglot import exp
    from sqlglot.errors import SqlglotError

    try:
        text, on_conflict = _readable(create_sql)
        tree = sqlglot.parse_one(text, read="sqlite")
    except SqlglotError as e:
        return TableSql([], {}, {}, [], [], str(e).splitlines()[0])
    checks = []
    for number, check in enumerate(tree.find_all(exp.CheckColumnConstraint), start=1):
        parent = check.parent
        name = parent.name if isinstance(parent, exp.Constraint) and parent.name else f"check{number}"
        checks.append((name, check.this.sql(dialect="sqlite")))
    generated: dict[str, tuple[str, bool]] = {}
    collations: dict[str, str] = {}
    deferred: list[tuple[str, ...]] = []
    for column in tree.find_all(exp.ColumnDef):
        key = column.name.lower()
        for constraint in column.args.get("constraints") or ():
            kind = constraint.args.get("kind")
            if isinstance(kind, exp.ComputedColumnConstraint):
                expression = kind.this.this if isinstance(kind.this, exp.Paren) else kind.this
                text = expression.sql(dialect="sqlite", identify=True)
                generated[key] = (text, bool(kind.args.get("persisted")))
            elif isinstance(kind, exp.CollateColumnConstraint):
                collations[key] = kind.this.name.upper()
            elif isinstance(kind, exp.Reference) and _is_deferred(kind):
                deferred.append((key,))
    for foreign_key in tree.find_all(exp.ForeignKey):
        reference = foreign_key.args.get("reference")
        if reference is not None and _is_deferred(reference):
            deferred.append(tuple(column.name.lower() for column in foreign_key.expressions))
    return TableSql(checks, generated, collations, deferred, on_conflict)


def _is_deferred(reference: Any) -> bool:
    """Whether a ``REFERENCES`` clause is checked at COMMIT (``DEFERRABLE INITIALLY DEFERRED``)."""
    options = " ".join(str(option).upper() for option in reference.args.get("options") or ())
    return "INITIALLY DEFERRED" in options and "NOT DEFERRABLE" not in options


_CONSTRAINT_WORDS = frozenset(
    {"PRIMARY KEY", "CONSTRAINT", "PRIMARY", "NOT", "NULL", "UNIQUE", "CHECK", "DEFAULT", "COLLATE",
     "REFERENCES", "GENERATED", "AS"}
)
"""The words that end a column's type (sqlglot reads ``PRIMARY KEY`` as one token)."""
_TABLE_CONSTRAINTS = frozenset(
    {"CONSTRAINT", "PRIMARY KEY", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN KEY", "FOREIGN"}
)


def _readable(create_sql: str) -> tuple[str, list[tuple[str, str]]]:
    """``create_sql`` in what sqlglot reads (see ``table_sql``), and the ``ON CONFLICT`` clauses cut."""
    from sqlglot.dialects.sqlite import SQLite
    from sqlglot.tokenizer_core import TokenType

    tokens = SQLite().tokenize(create_sql)
    opening = next(i for i, token in enumerate(tokens) if token.token_type == TokenType.L_PAREN)
    items: list[list[tuple[Any, int]]] = [[]]
    depth, end = 0, len(create_sql)
    for token in tokens[opening + 1:]:
        if token.token_type == TokenType.R_PAREN and depth == 0:
            end = token.end + 1
            break
        if token.token_type == TokenType.COMMA and depth == 0:
            items.append([])
            continue
        items[-1].append((token, depth))
        depth += {TokenType.L_PAREN: 1, TokenType.R_PAREN: -1}.get(token.token_type, 0)
    edits: list[tuple[int, int, str]] = []  # (start, end, replacement), in order
    on_conflict = []

    def word(token: Any) -> str:
        return "" if token.token_type in (TokenType.IDENTIFIER, TokenType.STRING) else token.text.upper()

    for item in items:
        if not item:
            continue
        constraint = word(item[0][0]) in _TABLE_CONSTRAINTS
        column = "" if constraint else item[0][0].text
        if not constraint:
            typed = 1
            while typed < len(item) and (item[typed][1] or word(item[typed][0]) not in _CONSTRAINT_WORDS):
                typed += 1
            if typed > 1:
                edits.append((item[1][0].start, item[typed - 1][0].end + 1, "TEXT"))
            else:
                edits.append((item[0][0].end + 1, item[0][0].end + 1, " TEXT"))
        for i, (token, depth) in enumerate(item):
            if word(token) == "ON" and i + 2 < len(item) and word(item[i + 1][0]) == "CONFLICT":
                on_conflict.append((column, f"ON CONFLICT {item[i + 2][0].text.upper()}"))
                edits.append((token.start, item[i + 2][0].end + 1, ""))
            elif constraint and depth == 1 and word(token) in ("ASC", "DESC"):
                edits.append((token.start, token.end + 1, ""))
    text, done = "", 0
    for start, stop, replacement in sorted(edits):
        text += create_sql[done:start] + replacement
        done = stop
    return text + create_sql[done:end], on_conflict


def describe(statements: list[str]) -> dict[str, Any]:
    """The tables, in the schema reader's JSON terms (see ``schema_reader.cjs``), and what
    nanoka cannot express (``unsupported``: where, and the construct)."""
    db = _database(statements)
    tables = []
    unsupported: list[dict[str, str]] = []
    for kind, name in db.execute("SELECT type, name FROM sqlite_master WHERE type IN ('view', 'trigger')"):
        unsupported.append({"where": name, "construct": f"a {kind}"})
    names = {table.lower(): table for table, _ in _tables(db)}
    taken = {index.lower() for (index,) in db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
    )}
    for table, sql in _tables(db):
        tables.append(_describe_table(db, table, sql, names, unsupported, taken))
    return {"tables": tables, "relations": [], "unsupported": unsupported}


_REBUILT = "a table rebuild (which drizzle-kit writes for many changes) would drop it"


def _describe_table(
    db: Any, table: str, sql: str, names: dict[str, str], unsupported: list[dict[str, str]], taken: set[str]
) -> dict[str, Any]:
    """One table; ``taken``: the index names in use, lower-cased (a UNIQUE's name is added)."""
    def name(where: str, construct: str) -> None:
        unsupported.append({"where": where, "construct": construct})

    info = _pragma(db, "table_xinfo", table)
    keys = [row[1] for row in sorted(info, key=lambda r: r[5]) if row[5]]
    autoincrement = bool(re.search(r"\bAUTOINCREMENT\b", sql, re.IGNORECASE))
    read = table_sql(sql)
    if read.problem:
        name(table, f"a CREATE TABLE that sqlglot cannot read ({read.problem}): its CHECKs and generated "
                    "columns would be lost")
    _name_table_options(db, table, read, name)
    collations = read.collations
    unique_constraints, indexes = [], []
    unique_columns: dict[str, str | None] = {}
    """lower-cased column -> the name of its UNIQUE, None for drizzle-kit's own."""
    for _, index, unique, origin, partial in _pragma(db, "index_list", table):
        if origin == "pk":
            continue
        try:
            parts = _index_parts(db, index)
            where = [{"text": _quoted_where(db, index)}] if partial else None
        except _unreadable() as e:
            name(table, f"index {index}, which sqlglot cannot read ({str(e).splitlines()[0]})")
            continue
        for key in _pragma(db, "index_xinfo", index):
            column_collation = collations.get(str(key[2]).lower(), "BINARY") if key[1] >= 0 else "BINARY"
            if key[5] and key[4].upper() != column_collation:
                what = f"column {key[2]}" if key[1] >= 0 else "an expression"
                name(table, f"index {index}: COLLATE {key[4]} on {what} (nanoka cannot declare an index "
                            f"key's collation; {_REBUILT}, and what it makes unique or finds would change)")
        if origin == "u":  # ``unique_rebuilds`` gives the database this index
            covered = [text for _, text, _ in parts]
            named = default = "_".join([table, *covered, "unique"])  # drizzle-kit's name
            while named.lower() in taken:  # index names are one namespace: UNIQUE (a, b_c), UNIQUE (a_b, c)
                named = f"{default}_{int(named.rsplit('_', 1)[1]) + 1 if named != default else 2}"
            taken.add(named.lower())
            if len(covered) == 1:
                unique_columns[covered[0].lower()] = None if named == default else named  # .unique()
            else:
                unique_constraints.append({"name": named, "columns": covered})
        else:
            indexes.append({
                "name": index,
                "unique": bool(unique),
                "columns": [_index_column(kind, c, desc) for kind, c, desc in parts],
                "where": where,
            })
    columns: list[dict[str, Any]] = []
    rowid = _rowid_alias(db, table, info)
    for _, column, declared, notnull, default, pk, hidden in info:
        primary = bool(pk) and len(keys) == 1
        column_type, length = _column_type(declared)
        at = f"{table}.{column}"
        if primary and not notnull and not rowid:
            name(at, "a primary key that may be NULL (SQLite lets a key other than INTEGER PRIMARY KEY "
                        "hold NULL; nanoka's .primary() is NOT NULL): add NOT NULL to the database's column "
                        "first")
        if column.lower() in collations:
            name(at, f"COLLATE {collations[column.lower()]} (nanoka cannot declare a column's collation; "
                        f"{_REBUILT}, and with it how the column compares and what is unique)")
        generated = None
        if hidden in (2, 3):
            expression = read.generated.get(column.lower())
            if expression is None:
                name(at, "a generated column whose expression sqlglot cannot read")
            else:
                mode = "stored" if hidden == 3 else "virtual"
                generated = {"as": {"sql": [{"text": expression[0]}]}, "mode": mode}
        columns.append({
            "key": column, "name": column, "columnType": column_type, "notNull": bool(notnull) or primary,
            "primary": primary, "autoIncrement": primary and autoincrement, "mode": None, "length": length,
            "enumValues": None, "isUnique": column.lower() in unique_columns,
            "uniqueName": unique_columns.get(column.lower()),
            "default": _default(default, column_type), "generated": generated,
        })
    foreign_keys = []
    deferred = {tuple(own) for own in read.deferred}
    for target, own, theirs, on_update, on_delete in _foreign_keys(db, table):
        if tuple(column.lower() for column in own) in deferred:
            name(table, f"foreign key ({', '.join(own)}) to {target}: DEFERRABLE INITIALLY DEFERRED (nanoka "
                        f"cannot declare a deferred key; {_REBUILT}, and rows would be checked at once)")
        if target.lower() not in names:
            name(table, f"foreign key ({', '.join(own)}) to {target}, a table the database does not have")
            continue
        target = names[target.lower()]
        spelled = {row[1].lower(): row[1] for row in _pragma(db, "table_xinfo", target)}
        theirs = tuple(spelled.get(column.lower(), column) for column in theirs)
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
        "uniqueConstraints": unique_constraints,
        "checks": [
            {"name": f"{table}_{check.removeprefix(f'{table}_')}", "sql": [{"text": expression}]}
            for check, expression in read.checks
        ],
    }


def _name_table_options(db: Any, table: str, read: TableSql, name: Any) -> None:
    """Name ``STRICT``, ``WITHOUT ROWID`` and ``ON CONFLICT``: nanoka cannot declare them."""
    strict, without_rowid = _table_options(db, table)
    if strict:
        name(table, f"STRICT (nanoka cannot declare a STRICT table; {_REBUILT}, and the table would take "
                    "values of any type)")
    if without_rowid:
        name(table, f"WITHOUT ROWID (nanoka cannot declare it; {_REBUILT}, and the table would get a rowid)")
    for column, clause in read.on_conflict:
        name(f"{table}.{column}" if column else table,
             f"{clause} (nanoka cannot declare a conflict clause; {_REBUILT}, and conflicting writes would "
             "fail)")


def _table_options(db: Any, table: str) -> tuple[bool, bool]:
    """``(STRICT, WITHOUT ROWID)``, as SQLite reads the table."""
    (row,) = [r for r in _pragma(db, "table_list", table) if r[0] == "main"]
    return bool(row[5]), bool(row[4])


def _rowid_alias(db: Any, table: str, info: list[tuple[Any, ...]]) -> bool:
    """Whether the table's key is its rowid (``INTEGER PRIMARY KEY``), which is never NULL."""
    keys = [row for row in info if row[5]]
    if len(keys) != 1 or keys[0][2].upper() != "INTEGER" or _table_options(db, table)[1]:
        return False
    return not any(origin == "pk" for _, _, _, origin, _ in _pragma(db, "index_list", table))


def _unreadable() -> type[Exception]:
    from sqlglot.errors import SqlglotError

    return SqlglotError


def _foreign_keys(db: Any, table: str) -> list[tuple[str, tuple[str, ...], tuple[str, ...], str, str]]:
    """``(target, columns, target columns, on update, on delete)`` per foreign key, in declared order.

    A key over several columns is one; target columns left out (``REFERENCES parent``) are
    the target's primary key, as SQLite reads them.
    """
    keys: dict[int, list[Any]] = {}
    for key_id, _, target, column, to, on_update, on_delete, _ in _pragma(db, "foreign_key_list", table):
        keys.setdefault(key_id, [target, [], [], on_update, on_delete])
        keys[key_id][1].append(column)
        keys[key_id][2].append(to)
    found = []
    for key_id in sorted(keys, reverse=True):  # SQLite numbers them from the last declared
        target, own, theirs, on_update, on_delete = keys[key_id]
        if None in theirs:
            info = [r for r in _pragma(db, "table_xinfo", target) if r[5]]
            theirs = [r[1] for r in sorted(info, key=lambda r: r[5])]
        found.append((target, tuple(own), tuple(theirs), on_update, on_delete))
    return found


def _index_parts(db: Any, index: str) -> list[tuple[str, str, bool]]:
    """``("column", name, desc)`` or ``("sql", expression, desc)`` per key of an index, in order.

    An expression has its identifiers double-quoted, so that each column in it is one.
    """
    keys = [r for r in _pragma(db, "index_xinfo", index) if r[5]]
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
    """SQLite's affinity rules (https://sqlite.org/datatype3.html 3.1) as a Drizzle column type.

    ``BOOLEAN`` (NUMERIC affinity) is Drizzle's boolean, an ``integer``: INTEGER and NUMERIC
    affinity differ only in a CAST (ibid. 3.0), so both hold 0 and 1 alike.
    """
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
    if upper in ("BOOLEAN", "BOOL"):
        return "SQLiteBoolean", None
    return "SQLiteNumeric", None


_KINDS = {
    "SQLiteText": "string", "SQLiteInteger": "integer", "SQLiteReal": "number",
    "SQLiteBoolean": "boolean", "SQLiteNumeric": "numeric",
}
_SAFE_INTEGER = 2**53 - 1
"""The largest integer a JavaScript number (Drizzle's default, drizzle-kit's SQL) holds exactly."""


def _default(default: str | None, column_type: str) -> dict[str, Any] | None:
    """A default as a literal the column's kind takes (``{"json": ...}``), else as SQL.

    A literal of another type (``TEXT DEFAULT 0``), an integer beyond JavaScript's exact
    range, and any expression stay SQL, written as the database has them.
    """
    from nanoka_core.schema.defaults import ACCEPTED

    value = _literal(default)
    if value is None:
        return None
    if value is _EXPRESSION:
        assert default is not None
        kept = re.fullmatch(r"CURRENT_(TIME|DATE|TIMESTAMP)|\(.*\)", default, re.I | re.S)
        return {"sql": [{"text": default if kept else f"({default})"}]}
    kind = _KINDS.get(column_type)
    if kind == "boolean" and value in (0, 1) and not isinstance(value, str):
        return {"json": bool(value)}
    fits = kind is not None and ACCEPTED[kind][1](value)
    if fits and not (isinstance(value, int) and abs(value) > _SAFE_INTEGER):
        return {"json": value}
    text = "'" + value.replace("'", "''") + "'" if isinstance(value, str) else str(value)
    return {"sql": [{"text": f"({text})"}]}


_EXPRESSION = object()
"""A default that is no literal (``CURRENT_TIMESTAMP``, ``(unixepoch())``)."""


def _literal(default: str | None) -> Any:
    """The value of a literal default as SQLite reads it: None for NULL (or none); an int,
    float or str (a double-quoted one too: SQLite reads ``"x"`` there as a string); TRUE and
    FALSE are 1 and 0; anything else ``_EXPRESSION``."""
    import sqlglot
    from sqlglot import exp

    if default is None:
        return None
    try:
        tree = sqlglot.parse_one(default, read="sqlite")
    except _unreadable():
        return _EXPRESSION
    while isinstance(tree, exp.Paren):
        tree = tree.this
    sign = 1
    if isinstance(tree, exp.Neg):
        sign, tree = -1, tree.this
    if isinstance(tree, exp.Null):
        return None
    if isinstance(tree, exp.Boolean):
        return sign * int(tree.this)
    if isinstance(tree, exp.Literal) and not tree.is_string:
        text = tree.this
        number = int(text) if re.fullmatch(r"\d+", text) else float(text)
        return sign * number
    if sign == 1 and isinstance(tree, exp.Literal):
        return tree.this
    if sign == 1 and isinstance(tree, exp.Column) and tree.this.quoted and not tree.table:
        return tree.name
    return _EXPRESSION


def _action(action: str) -> str | None:
    return None if action.upper() == "NO ACTION" else action.lower()


def read_back(statements: list[str]) -> dict[str, Any]:
    """What SQLite says about each table, in terms where any spelling of the same schema is equal.

    Per column: affinity and declared length, NOT NULL, the default as the value SQLite
    stores, key position, generated expression, collation. Per table: its rowid key,
    autoincrement, STRICT, WITHOUT ROWID, conflict clauses; indexes by what they cover
    and whether CREATE TABLE made them (a UNIQUE there, which no DROP INDEX removes) or
    CREATE INDEX, not their names; foreign keys with their actions and deferral; CHECK
    expressions without quotes or table qualifiers.
    """
    db = _database(statements)
    found: dict[str, Any] = {}
    for table, sql in _tables(db):
        info = _pragma(db, "table_xinfo", table)
        read = table_sql(sql)
        single_key = sum(1 for row in info if row[5]) == 1
        rowid = _rowid_alias(db, table, info)
        indexes = set()
        for _, index, unique, origin, partial in _pragma(db, "index_list", table):
            try:
                keys = [row for row in _pragma(db, "index_xinfo", index) if row[5]]
                covered = tuple(
                    (name if kind == "column" else _plain_sql(name, table), desc, key[4].upper())
                    for (kind, name, desc), key in zip(_index_parts(db, index), keys, strict=True)
                )
            except _unreadable():
                covered = ((f"(unreadable) {index}", False, ""),)
            where = None
            if partial:
                (index_sql,) = db.execute("SELECT sql FROM sqlite_master WHERE name=?", (index,)).fetchone()
                where = _plain_sql(_where(index_sql), table)
            made_by = "CREATE TABLE" if origin in ("u", "pk") else "CREATE INDEX"
            indexes.add((made_by, "unique" if unique else "", covered, where))
        strict, without_rowid = _table_options(db, table)
        columns = {}
        for _, name, declared, notnull, default, pk, hidden in info:
            column_type, length = _column_type(declared)
            generated = read.generated.get(name.lower())
            columns[name] = {
                "affinity": _AFFINITY[column_type],
                "length": length,
                "NOT NULL": bool(notnull) or (bool(pk) and (rowid or (single_key and without_rowid))),
                "default": _stored_default(default, _AFFINITY[column_type]),
                "key position": pk,
                "generated": None if hidden not in (2, 3) else (
                    "stored" if hidden == 3 else "virtual", generated and _plain_sql(generated[0], table)
                ),
                "collation": read.collations.get(name.lower(), "BINARY"),
            }
        deferred = {tuple(own) for own in read.deferred}
        found[table] = {
            "columns": columns,
            "column order": list(columns),
            "rowid key": rowid,
            "AUTOINCREMENT": bool(re.search(r"\bAUTOINCREMENT\b", sql, re.IGNORECASE)),
            "STRICT": strict,
            "WITHOUT ROWID": without_rowid,
            "ON CONFLICT clauses": sorted(read.on_conflict),
            "indexes": sorted(indexes, key=repr),
            "foreign keys": sorted(
                (target.lower(), own, tuple(c.lower() for c in theirs), on_update.upper(), on_delete.upper(),
                 "DEFERRED" if tuple(c.lower() for c in own) in deferred else "")
                for target, own, theirs, on_update, on_delete in _foreign_keys(db, table)
            ),
            "checks": sorted(_plain_sql(expression, table) for _, expression in read.checks),
            "unreadable": read.problem,
        }
    return found


_AFFINITY = {
    "SQLiteInteger": "INTEGER or NUMERIC", "SQLiteBoolean": "INTEGER or NUMERIC",
    "SQLiteNumeric": "INTEGER or NUMERIC", "SQLiteText": "TEXT", "SQLiteReal": "REAL",
    "SQLiteBlobBuffer": "BLOB",
}
"""Affinity by column type; INTEGER and NUMERIC store every value alike (they differ only in a CAST)."""


def _stored_default(default: str | None, affinity: str) -> Any:
    """A default as the value SQLite stores in a column of ``affinity``: ``DEFAULT NULL`` is none,
    ``-0`` is ``0``, ``(1)`` is ``1``; an expression is its plain SQL."""
    from decimal import Decimal

    value = _literal(default)
    if value is _EXPRESSION:
        assert default is not None
        return ("expression", _plain_sql(default, ""))
    if value is None or isinstance(value, str):
        return value
    if affinity == "TEXT":
        return str(value)
    if affinity == "BLOB":
        return value
    return Decimal(str(value)).normalize() + 0


def differences(database: dict[str, Any], baseline: dict[str, Any]) -> list[str]:
    """How two ``read_back`` answers differ, one line per difference, naming table and column."""
    lines = []
    for table in sorted(set(database) | set(baseline)):
        if table not in baseline or table not in database:
            lines.append(f"table {table}: only in the {'database' if table in database else 'baseline'}")
            continue
        ours, theirs = database[table], baseline[table]
        for column in [*ours["columns"], *(c for c in theirs["columns"] if c not in ours["columns"])]:
            if column not in theirs["columns"] or column not in ours["columns"]:
                where = "database" if column in ours["columns"] else "baseline"
                lines.append(f"{table}.{column}: a column only in the {where}")
                continue
            for facet, value in ours["columns"][column].items():
                other = theirs["columns"][column][facet]
                if value != other:
                    lines.append(f"{table}.{column}: {facet} {_shown(value)} in the database, "
                                 f"{_shown(other)} in the baseline")
        for facet, value in ours.items():
            other = theirs[facet]
            if facet == "columns" or value == other or (facet == "column order" and set(value) != set(other)):
                continue
            if isinstance(value, list) and facet != "column order":
                for item in value:
                    if item not in other:
                        lines.append(f"{table}: {facet}: {_shown(item)} only in the database")
                for item in other:
                    if item not in value:
                        lines.append(f"{table}: {facet}: {_shown(item)} only in the baseline")
            else:
                shown = f"{_shown(value)} in the database, {_shown(other)} in the baseline"
                lines.append(f"{table}: {facet} {shown}")
    return lines


def inline_unique_tables(statements: list[str]) -> list[str]:
    """The tables with a UNIQUE declared in their ``CREATE TABLE`` (an index no DROP INDEX removes)."""
    db = _database(statements)
    return [table for table, _ in _tables(db)
            if any(origin == "u" for _, _, _, origin, _ in _pragma(db, "index_list", table))]


def unique_rebuilds(database: list[str], baseline: list[str]) -> list[str]:
    """Statements that rebuild each table of ``database`` that declares a UNIQUE in its
    ``CREATE TABLE`` as the ``baseline`` declares it: the UNIQUE becomes the named unique
    index drizzle-kit writes for ``unique()``, so a later migration that drops or renames
    that index finds it. Written as drizzle-kit writes a rebuild (``__new_<table>``, the
    rows copied, the old table dropped, the new one renamed), so preserve-rows, the guard
    and the rehearsal read it like any other. The new table is the baseline's, renamed by
    SQLite itself, so its CHECKs, generated columns and a key to itself name it, not the
    old one. The indexes the database lacks are made on the new table before the rows go
    in: a foreign key to a UNIQUE column needs its index when preserve-rows puts the
    referencing rows back, right after the rename (D1 checks foreign keys inside a
    migration). The database's views and triggers (``pull --partial`` keeps them) would
    name a table that is gone for a moment, and a table's triggers go with it: all are
    dropped first and made again at the end, as written. Empty when no table needs it."""
    from nanoka_core.migrations.reader import RECREATED_PREFIX

    tables = inline_unique_tables(database)
    if not tables:
        return []
    have = _database(database)
    indexed = have.execute("SELECT name FROM sqlite_master WHERE type = 'index'")
    existing = {name.lower() for (name,) in indexed}
    others = have.execute(
        "SELECT type, name, sql FROM sqlite_master WHERE type IN ('view', 'trigger') ORDER BY rowid"
    ).fetchall()
    out = [f"DROP {kind.upper()} {_backticked(name)};" for kind, name, _ in reversed(others)]
    out.append("PRAGMA foreign_keys=OFF;")
    after = ["PRAGMA foreign_keys=ON;"]
    for table in tables:
        wanted = _database(baseline)
        old_indexes = wanted.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? COLLATE NOCASE "
            "AND sql IS NOT NULL ORDER BY rowid", (table,)
        ).fetchall()
        after.extend(f"{sql};" for name, sql in old_indexes if name.lower() in existing)
        new = RECREATED_PREFIX + table
        wanted.execute(f"ALTER TABLE {_backticked(table)} RENAME TO {_backticked(new)}")
        (create,) = wanted.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (new,)
        ).fetchone()
        out.append(f"{create};")
        out.extend(
            f"{sql};" for name, sql in wanted.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
                "AND sql IS NOT NULL ORDER BY rowid", (new,)
            ) if name.lower() not in existing
        )
        copied = ", ".join(
            '"' + column.replace('"', '""') + '"'
            for _, column, _, _, _, _, hidden in _pragma(have, "table_xinfo", table) if hidden not in (2, 3)
        )
        out.append(f"INSERT INTO {_backticked(new)}({copied}) SELECT {copied} FROM {_backticked(table)};")
        out.append(f"DROP TABLE {_backticked(table)};")
        out.append(f"ALTER TABLE {_backticked(new)} RENAME TO {_backticked(table)};")
    return out + after + [f"{sql};" for _, _, sql in others]


def _backticked(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def _shown(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, str):
        return repr(value)
    return str(value)


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
