"""Drift: does a database's schema still match what its applied migrations promise?

Both sides are loaded into scratch in-memory SQLite databases (the applied
migrations replayed in ledger order; the live schema from ``wrangler d1
export --no-data``) and described through SQLite's own PRAGMAs, so
whitespace, identifier quoting and the order of definitions do not count:
tables (strictness), columns (type, NOT NULL, default, primary key),
UNIQUE constraints, foreign keys with their actions, CHECKs, indexes,
triggers and views. Names are compared as SQLite compares them (case
folded).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import sqlite3

ONLY_IN_DATABASE = "only in the database"
ONLY_IN_MIGRATIONS = "only in the migrations"
DIFFERS = "differs"


class CannotTell(Exception):
    """The comparison cannot be made (a migration does not replay, the export does not load)."""


@dataclasses.dataclass(frozen=True)
class Difference:
    object: str
    """``table users``, ``index users_email_unique``, ``trigger t``, ``view v``."""
    part: str | None
    """What of a table differs: ``column nick``, ``foreign key (userId)``, ``check``, ``unique (a, b)``..."""
    state: str
    migrations: str | None = None
    database: str | None = None

    def line(self) -> str:
        what = f"{self.object}: {self.part}" if self.part else self.object
        if self.state == ONLY_IN_DATABASE:
            return f"{what} exists in the database, not in the migrations" + _shown(self.database)
        if self.state == ONLY_IN_MIGRATIONS:
            return f"{what} is in the migrations, missing from the database" + _shown(self.migrations)
        return f"{what} differs: migrations {self.migrations}; database {self.database}"

    def as_json(self) -> dict[str, Any]:
        return {**dataclasses.asdict(self), "line": self.line()}


def _shown(definition: str | None) -> str:
    return f" ({definition})" if definition else ""


Description = Mapping[str, Mapping[str, str]]
"""Object (``table users``) -> part (``column nick``; ``""``: the object itself) -> normalised definition."""


def replayed(scripts: Iterable[tuple[str, str]]) -> sqlite3.Connection:
    """A scratch database with each (name, SQL) script run in order; ``CannotTell`` names one that fails."""
    import sqlite3

    conn = sqlite3.connect(":memory:")
    for name, sql in scripts:
        try:
            conn.executescript(sql)
        except sqlite3.Error as e:
            conn.close()
            raise CannotTell(f"{name} does not run on a scratch SQLite database: {e}") from e
    return conn


def describe(conn: sqlite3.Connection, ignored: Iterable[str] = ()) -> Description:
    """Every user object in ``conn``, normalised, ``ignored`` tables (the ledger) left out."""
    skip = {name.lower() for name in ignored}
    rows = conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name").fetchall()
    described: dict[str, dict[str, str]] = {}
    for kind, name, table, sql in rows:
        if _internal(name) or _internal(table) or table.lower() in skip:
            continue
        if kind == "table":
            described[f"table {name.lower()}"] = _table(conn, name, sql or "")
        elif sql is not None:  # automatic indexes belong to their table's UNIQUE / PRIMARY KEY
            described[f"{kind} {name.lower()}"] = {"": normalise(sql)}
    return described


def _internal(name: str) -> bool:
    lowered = name.lower()
    return lowered.startswith(("sqlite_", "_cf_"))


def _table(conn: sqlite3.Connection, name: str, sql: str) -> dict[str, str]:
    quoted = '"' + name.replace('"', '""') + '"'
    parts: dict[str, str] = {"": "strict" if re.search(r"\)\s*STRICT\b", sql, re.I) else "table"}
    if re.search(r"\bWITHOUT\s+ROWID\b", sql, re.I):
        parts[""] += ", without rowid"
    for _cid, column, type_, notnull, default, pk, hidden in conn.execute(f"PRAGMA table_xinfo({quoted})"):
        definition = [normalise(type_) or "(no type)"]
        if notnull:
            definition.append("not null")
        if default is not None:
            definition.append(f"default {normalise(str(default))}")
        if pk:
            definition.append(f"primary key #{pk}")
        if hidden:
            definition.append("generated" if hidden in (2, 3) else "hidden")
        parts[f"column {column.lower()}"] = " ".join(definition)
    for index_row in conn.execute(f"PRAGMA index_list({quoted})"):
        index, unique, origin = index_row[1], index_row[2], index_row[3]
        if origin == "u" and unique:
            columns = [r[2] or "<expression>" for r in conn.execute(f"PRAGMA index_info(\"{index}\")")]
            parts[f"unique ({', '.join(c.lower() for c in columns)})"] = "unique"
    keys: dict[int, list[Any]] = {}
    for fk_id, _seq, target, source, to, on_update, on_delete, match in conn.execute(
        f"PRAGMA foreign_key_list({quoted})"
    ):
        keys.setdefault(fk_id, []).append((source, to, target, on_update, on_delete, match))
    for pairs in keys.values():
        sources = ", ".join(p[0].lower() for p in pairs)
        targets = ", ".join((p[1] or "<primary key>").lower() for p in pairs)
        _, _, target, on_update, on_delete, match = pairs[0]
        actions = f"on update {on_update.lower()} on delete {on_delete.lower()}"
        if match and match.upper() != "NONE":
            actions += f" match {match.lower()}"
        parts[f"foreign key ({sources})"] = f"references {target.lower()} ({targets}) {actions}"
    for check in checks(sql):
        parts[f"check {check}"] = "check"
    return parts


def checks(sql: str) -> list[str]:
    """The normalised expression of every CHECK in a CREATE TABLE (column and table constraints)."""
    text = _mask_literals(sql)
    found = []
    for match in re.finditer(r"\bCHECK\s*\(", text, re.I):
        depth, start = 0, match.end() - 1
        for i in range(start, len(text)):
            depth += {"(": 1, ")": -1}.get(text[i], 0)
            if depth == 0:
                found.append(normalise(sql[start + 1 : i]))
                break
    return sorted(found)


def _mask_literals(sql: str) -> str:
    """``sql`` with the inside of quotes and comments blanked (same length), for finding keywords."""
    return re.sub(
        r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|`[^`]*`|\[[^\]]*\]|--[^\n]*|/\*.*?\*/",
        lambda m: m[0][0] + " " * (len(m[0]) - 2) + m[0][-1] if len(m[0]) > 1 else " ",
        sql,
        flags=re.S,
    )


_TOKEN = re.compile(
    r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|`(?:[^`]|``)*`|\[[^\]]*\]|--[^\n]*|/\*.*?\*/|\s+|[A-Za-z_0-9$.]+|.",
    re.S,
)


def normalise(sql: str) -> str:
    """SQL as a comparable string: identifiers unquoted, case folded outside strings, no comments."""
    words: list[str] = []
    for token in _TOKEN.findall(sql.strip().rstrip(";")):
        if token.isspace() or token.startswith(("--", "/*")):
            continue
        if token[0] in "\"`[":
            inner = token[1:-1] if token[0] == "[" else token[1:-1].replace(token[0] * 2, token[0])
            words.append(inner.lower())
        else:
            words.append(token if token[0] == "'" else token.lower())
    text = ""
    for word in words:
        if text and _wordish(text[-1]) and _wordish(word[0]):
            text += " "
        text += word
    return text


def _wordish(char: str) -> bool:
    return char.isalnum() or char in "_$'"


def differences(migrations: Description, database: Description) -> list[Difference]:
    """What differs between the two descriptions, object by object, in name order."""
    found: list[Difference] = []
    for key in sorted(set(migrations) | set(database)):
        ours, theirs = migrations.get(key), database.get(key)
        if ours is None or theirs is None:
            state = ONLY_IN_DATABASE if ours is None else ONLY_IN_MIGRATIONS
            found.append(Difference(key, None, state))
            continue
        for part in sorted(set(ours) | set(theirs)):
            mine, live = ours.get(part), theirs.get(part)
            if mine == live:
                continue
            if mine is None:
                found.append(Difference(key, part or None, ONLY_IN_DATABASE, database=live))
            elif live is None:
                found.append(Difference(key, part or None, ONLY_IN_MIGRATIONS, migrations=mine))
            else:
                found.append(Difference(key, part or None, DIFFERS, mine, live))
    return found
