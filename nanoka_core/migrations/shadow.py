"""A stand-in for a remote D1 to rehearse on: its schema, and rows nanoka makes up.

Exporting a production database to rehearse on is slow and copies user
data to the developer's machine, so by default a remote apply is rehearsed
on a shadow: the migrations the remote has applied, replayed from the folder
on an empty SQLite, then a few generated rows in every table -- parents
first, keys pointing at real parents, values tried until NOT NULL, CHECK
(enums included), UNIQUE and foreign keys accept them. A table no tried
value satisfies stays empty and is reported as not rehearsed: a rehearsal
on generated rows is only as good as those rows.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from nanoka_core.migrations.rehearsal import Failure, apply_migration, ensure_ledger
from nanoka_core.migrations.rehearsal import quote_identifier as _quote

if TYPE_CHECKING:
    import sqlite3

ROWS_PER_TABLE = 2
ATTEMPTS = 60
_INTERNAL_PREFIXES = ("sqlite_", "_cf_")
_STRING_LITERAL = re.compile(r"'((?:[^']|'')*)'")
_NUMBER_LITERAL = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?![\w.])")


@dataclasses.dataclass
class Shadow:
    conn: sqlite3.Connection
    empty: dict[str, str]
    """Tables no generated row went into -> SQLite's last refusal: not rehearsed."""
    failure: tuple[str, Failure] | None = None
    """An applied migration that the folder cannot replay (the shadow is then unusable)."""


def build_shadow(applied: Sequence[tuple[str, str]], migrations_table: str) -> Shadow:
    """Replay ``applied`` ((file name, SQL), in order) on an empty database and fill every table."""
    import sqlite3

    conn = sqlite3.connect(":memory:", isolation_level=None)
    conn.execute("PRAGMA foreign_keys=ON")
    ensure_ledger(conn, migrations_table)
    for name, text in applied:
        failure = apply_migration(conn, name, text, migrations_table)
        if failure is not None:
            return Shadow(conn, {}, (name, failure))
    return Shadow(conn, fill(conn, {migrations_table}))


def fill(conn: sqlite3.Connection, ignored: set[str]) -> dict[str, str]:
    """Put generated rows in every table; the tables left empty, with why."""
    import sqlite3

    tables = _user_tables(conn, ignored)
    conn.execute("BEGIN")
    conn.execute("PRAGMA defer_foreign_keys = on")  # a cycle of keys is filled before it is checked
    refused: dict[str, str] = {}
    for table in _parents_first(conn, tables):
        for number in range(1, ROWS_PER_TABLE + 1):
            message = _insert_row(conn, table, number)
            if message is not None:
                refused.setdefault(table, message)
    for _ in range(len(tables) + 1):
        orphans = conn.execute("PRAGMA foreign_key_check").fetchall()
        if not orphans:
            break
        for table, rowid, parent, _ in orphans:
            refused.setdefault(table, f"no row of {parent} to point at")
            conn.execute(f"DELETE FROM {_quote(table)} WHERE rowid = ?", (rowid,))
    try:
        conn.execute("COMMIT")
    except sqlite3.Error as e:  # pragma: no cover - every orphan was removed above
        conn.execute("ROLLBACK")
        return dict.fromkeys(tables, str(e))
    counts = {t: conn.execute(f"SELECT count(*) FROM {_quote(t)}").fetchone()[0] for t in tables}
    return {t: refused.get(t, "no row could be made") for t in tables if counts[t] == 0}


def _user_tables(conn: sqlite3.Connection, ignored: set[str]) -> list[str]:
    rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND rootpage > 0 ORDER BY name")
    return [n for (n,) in rows if not n.startswith(_INTERNAL_PREFIXES) and n not in ignored]


def _parents_first(conn: sqlite3.Connection, tables: list[str]) -> list[str]:
    parents = {
        t: {row[2] for row in conn.execute(f"PRAGMA foreign_key_list({_quote(t)})")} - {t} for t in tables
    }
    ordered: list[str] = []
    pending = list(tables)
    while pending:
        ready = next(
            (t for t in pending if parents[t] <= set(ordered) | (parents[t] - set(tables))), pending[0]
        )
        ordered.append(ready)
        pending.remove(ready)
    return ordered


def _insert_row(conn: sqlite3.Connection, table: str, number: int) -> str | None:
    """One generated row in ``table``; None when it went in, else SQLite's last refusal."""
    import sqlite3

    candidates = _candidates(conn, table, number)
    if not candidates:
        return "no column nanoka can write"
    choice = dict.fromkeys(candidates, 0)
    names = list(candidates)
    message = ""
    for attempt in range(ATTEMPTS):
        columns = [c for c in names if candidates[c][choice[c]] is not _DEFAULT]
        values = [candidates[c][choice[c]] for c in columns]
        sql = (
            f"INSERT INTO {_quote(table)}({', '.join(_quote(c) for c in columns)}) "
            f"VALUES ({', '.join('?' for _ in columns)})"
            if columns
            else f"INSERT INTO {_quote(table)} DEFAULT VALUES"
        )
        try:
            conn.execute(sql, values)
            return None
        except sqlite3.Error as e:
            message = str(e)
        blamed = [c for c in names if f".{c}" in message or f'"{c}"' in message or f" {c} " in message]
        column = blamed[0] if blamed else names[attempt % len(names)]
        choice[column] = (choice[column] + 1) % len(candidates[column])
    return message


class _Default:
    """Leave the column out: SQLite fills in its default."""


_DEFAULT = _Default()


def _candidates(conn: sqlite3.Connection, table: str, number: int) -> dict[str, list[Any]]:
    """Values to try for each writable column, the likeliest first."""
    (create,) = conn.execute("SELECT sql FROM sqlite_master WHERE name = ?", (table,)).fetchone()
    texts = [m.replace("''", "'") for m in _STRING_LITERAL.findall(create or "")]
    numbers = [float(m) if "." in m else int(m) for m in _NUMBER_LITERAL.findall(create or "")]
    references: dict[str, tuple[str, str | None]] = {
        row[3]: (row[2], row[4]) for row in conn.execute(f"PRAGMA foreign_key_list({_quote(table)})")
    }
    found: dict[str, list[Any]] = {}
    for _, name, declared, not_null, default, _pk, hidden in conn.execute(
        f"PRAGMA table_xinfo({_quote(table)})"
    ):
        if hidden:
            continue  # generated columns
        values: list[Any] = []
        if name in references:
            parent, column = references[name]
            values.extend(_parent_keys(conn, parent, column, number))
        values.extend(_by_type(declared or "", name, number, texts, numbers))
        if default is not None:
            values.insert(0 if name not in references else len(values), _DEFAULT)
        if not not_null:
            values.append(None)
        found[name] = list(dict.fromkeys(values))
    return found


def _parent_keys(conn: sqlite3.Connection, parent: str, column: str | None, number: int) -> list[Any]:
    import sqlite3

    target = _quote(column) if column else "rowid"
    try:
        keys = [k for (k,) in conn.execute(f"SELECT {target} FROM {_quote(parent)} ORDER BY rowid LIMIT 3")]
    except sqlite3.Error:
        return []
    return keys or [number]


def _by_type(declared: str, name: str, number: int, texts: list[str], numbers: list[Any]) -> list[Any]:
    """Candidates by SQLite's type affinity rules (``INT`` -> integer, ``CHAR``/``TEXT`` -> text ...)."""
    upper = declared.upper()
    if "INT" in upper:
        return [number, *(n for n in numbers if isinstance(n, int)), 0, 1, 1000 + number, -number]
    if any(word in upper for word in ("CHAR", "CLOB", "TEXT")):
        return [
            f"{name}-{number}",
            *texts,
            *(f"{t}{number}" for t in texts),
            str(number),
            f"{name}{number}@x.y",
        ]
    if "BLOB" in upper or not upper:
        return [bytes([number]), f"{name}-{number}", number]
    if any(word in upper for word in ("REAL", "FLOA", "DOUB")):
        return [number + 0.5, *numbers, 0.0, float(number)]
    return [number, *numbers, 0, f"{name}-{number}", number + 0.5]
