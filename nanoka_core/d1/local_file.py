"""The local D1, read straight from the SQLite file wrangler keeps it in.

``wrangler d1 export --local`` and ``d1 execute --local`` start Node and
workerd to read one file: 1-2 s for what SQLite reads in milliseconds. wrangler
4 (miniflare) keeps a local D1 in ``.wrangler/state/v3/d1/miniflare-D1DatabaseObject/``
next to the wrangler config, in ``<id>.sqlite``, where ``<id>`` is the Durable
Object id workerd derives (``idFromName``) from the name wrangler gives it:
``preview_database_id ?? database_id ?? binding`` (``D1Database.local_id``; an
empty string counts, as in JavaScript). nanoka only reads it, read-only;
wrangler still does every write.

None here means "ask wrangler", never "empty": when the file is not there, is
a link, SQLite cannot read it, holds a virtual table (which an export refuses),
when the wrangler nanoka runs (``node_modules/wrangler`` from the project
folder) is not one whose layout this is (3 and 4, miniflare 3's ``v3`` state),
or when ``CLOUDFLARE_ENV`` may make wrangler pick another entry.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import re
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from nanoka_core.d1.wrangler_config import D1Database

T = TypeVar("T")
KNOWN_LAYOUT = (3, 4)
"""wrangler majors that keep a local D1 as this module says (4.85.0 checked by the e2e tests)."""
OBJECT_CLASS = "miniflare-D1DatabaseObject"
"""The Durable Object namespace's ``uniqueKey``, which is also the folder's name."""


def durable_object_id(unique_key: str, name: str) -> str:
    """workerd's ``idFromName``: 16 bytes of HMAC-SHA256 of the name, then 16 of their MAC, in hex.

    The key is SHA-256 of the namespace's ``uniqueKey`` (workerd's ``ActorIdFactoryImpl``).
    """
    key = hashlib.sha256(unique_key.encode()).digest()
    base = hmac.new(key, name.encode(), hashlib.sha256).digest()[:16]
    return (base + hmac.new(key, base, hashlib.sha256).digest()[:16]).hex()


def local_database_file(database: D1Database) -> Path | None:
    """The file holding ``database``'s local D1, if it is there; else None (ask wrangler).

    The wrangler checked is the one nanoka runs: found from the project folder
    (else from the config's). A link is not followed: workerd will not open one.
    """
    name = database.local_id
    where = database.project_dir or database.local_state.parent.parent
    if name is None or wrangler_major(where) not in KNOWN_LAYOUT:
        return None
    folder = database.local_state / "v3" / "d1" / OBJECT_CLASS
    path = folder / f"{durable_object_id(OBJECT_CLASS, name)}.sqlite"
    return path if path.is_file() and not path.is_symlink() else None


def wrangler_major(config_dir: Path) -> int | None:
    """The major version of the wrangler package Node finds from ``config_dir``, if any."""
    for folder in (config_dir, *config_dir.parents):
        manifest = folder / "node_modules" / "wrangler" / "package.json"
        if manifest.is_file():
            try:
                return int(str(json.loads(manifest.read_text(encoding="utf-8"))["version"]).split(".")[0])
            except (OSError, ValueError, KeyError, TypeError):
                return None
    return None


def read_local(database: D1Database, read: Callable[[sqlite3.Connection], T]) -> T | None:
    """``read`` on ``database``'s local D1 file, opened read-only; None when the file is not
    there or SQLite cannot read it (then ask wrangler). The file may be in WAL mode: SQLite
    reads its -wal too."""
    path = local_database_file(database)
    if path is None:
        return None
    try:
        with contextlib.closing(sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True)) as conn:
            return read(conn)
    except sqlite3.Error:
        return None


def local_copy(database: D1Database) -> sqlite3.Connection | None:
    """An in-memory copy of ``database``'s local D1, as ``wrangler d1 export`` would give it, or None.

    The copy is SQLite's own backup of the file, so its values are the
    database's exactly (an export writes integers through JavaScript numbers).
    D1's internal ``_cf_`` tables are left out, as an export leaves them out.
    Foreign keys are enforced from then on, as in D1.
    """
    copy = sqlite3.connect(":memory:", isolation_level=None)
    try:
        if not read_local(database, lambda source: _backup(source, copy)) or _has_virtual_table(copy):
            copy.close()
            return None
        tables = [name for (name,) in copy.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for name in tables:
            if name.startswith("_cf_"):  # as dumpSql: case-sensitive, so a user's _CF_x stays
                copy.execute(f'DROP TABLE "{name}"')
    except sqlite3.Error:
        copy.close()
        return None
    copy.execute("PRAGMA foreign_keys=ON")
    return copy


def _has_virtual_table(conn: sqlite3.Connection) -> bool:
    """An export refuses such a database (FTS5...); its shadow tables would also count as rows
    changed by every write, so the rehearsal asks wrangler, which says so."""
    virtual = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%'"
    return conn.execute(virtual).fetchone() is not None


def _backup(source: sqlite3.Connection, copy: sqlite3.Connection) -> bool:
    source.backup(copy)
    return True


_QUOTED_TABLE = re.compile("CREATE TABLE ['\"]")
"""miniflare's test, unanchored as there: a quoted table name, which ``.dump`` writes with IF NOT EXISTS."""


def schema_dump(conn: sqlite3.Connection) -> str:
    """What ``wrangler d1 export --no-data`` prints for the database ``conn`` holds.

    The order and the quirks of miniflare's ``dumpSql`` (itself SQLite's
    shell ``.dump``): tables by rowid, ``sqlite_sequence`` last as a DELETE,
    a quoted table name gets ``IF NOT EXISTS``, then indexes, triggers and
    views by type. A virtual table fails, as the export fails.
    """
    lines = ["PRAGMA defer_foreign_keys=TRUE;"]
    tables = conn.execute(
        "SELECT name, sql FROM sqlite_schema WHERE type == 'table' AND sql NOT NULL "
        "ORDER BY tbl_name = 'sqlite_sequence', rowid"
    ).fetchall()
    for name, sql in tables:
        if name == "sqlite_sequence":
            lines.append("DELETE FROM sqlite_sequence;")
        elif name.startswith("sqlite_stat"):
            lines.append("ANALYZE sqlite_schema;")
        elif sql.startswith("CREATE VIRTUAL TABLE"):
            raise VirtualTableError("D1 Export error: cannot export databases with Virtual Tables (fts5)")
        elif name.startswith(("_cf_", "sqlite_")):
            continue
        elif _QUOTED_TABLE.search(sql):
            lines.append(f"CREATE TABLE IF NOT EXISTS {sql[13:]};")
        else:
            lines.append(f"{sql};")
    rest = conn.execute(
        "SELECT sql FROM sqlite_schema WHERE sql NOT NULL AND type IN ('index', 'trigger', 'view') "
        "ORDER BY type COLLATE NOCASE"
    )
    lines += [f"{sql};" for (sql,) in rest]
    return "\n".join(lines)


def local_schema_dump(database: D1Database) -> str | None:
    """``schema_dump`` of ``database``'s local D1 file, or None (ask wrangler)."""
    return read_local(database, schema_dump)


class VirtualTableError(ValueError):
    """A virtual table, which ``wrangler d1 export`` refuses, and so does ``schema_dump``."""
