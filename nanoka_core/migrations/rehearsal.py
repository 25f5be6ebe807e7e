"""Rehearse migrations on a copy of a database and account for every row.

Reading a migration's SQL can only recognise the shapes it was written for;
a trigger, a cascade or an ``INSERT OR REPLACE`` slips past. So the pending
migrations are run on a copy -- a dump as ``wrangler d1 export`` writes it,
loaded into SQLite -- as D1 runs them: foreign keys enforced, each file cut
into statements as wrangler cuts it and run as one transaction with its
ledger row (``PRAGMA foreign_keys=OFF`` is a no-op there, ``PRAGMA
defer_foreign_keys`` works). After each migration every table is compared
by value with what it held before.

Which table is which is asked of SQLite, not read from the SQL: a table
keeps its root page when renamed, a column keeps its position when renamed,
and the statement's own target is the first table the authorizer sees it
write (cascades and triggers come after it). A row that disappeared, or a
value that changed, in a table the migration did not write itself is a
loss; tables it wrote, dropped or whose columns it dropped are its explicit
changes, which the static guard judges.
"""

from __future__ import annotations

import dataclasses
import functools
from collections import Counter
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from nanoka_core.errors import NanokaError

if TYPE_CHECKING:
    import sqlite3

Value = Any
"""A SQLite value: None, int, float, str or bytes."""

_INTERNAL_PREFIXES = ("sqlite_", "_cf_")
MAX_KEYS = 5
"""Offending rows named in a failure."""
COMMIT = "COMMIT (deferred foreign keys are checked here)"


@functools.cache
def _refused_actions() -> dict[int, str]:
    """Authorizer actions the copy refuses, as D1 does (and so that a migration never touches a file)."""
    import sqlite3

    one = "D1 runs each migration as one transaction and refuses"
    return {
        sqlite3.SQLITE_TRANSACTION: f"{one} statements that begin or end one",
        sqlite3.SQLITE_SAVEPOINT: f"{one} savepoints in it",
        sqlite3.SQLITE_ATTACH: "D1 refuses ATTACH",
        sqlite3.SQLITE_DETACH: "D1 refuses DETACH",
        **dict.fromkeys(
            (
                sqlite3.SQLITE_CREATE_TEMP_TABLE,
                sqlite3.SQLITE_CREATE_TEMP_INDEX,
                sqlite3.SQLITE_CREATE_TEMP_TRIGGER,
                sqlite3.SQLITE_CREATE_TEMP_VIEW,
            ),
            "D1 refuses TEMP tables, indexes, triggers and views (use a plain table and drop it)",
        ),
    }


@dataclasses.dataclass(frozen=True)
class Loss:
    """Rows of a table the migration did not write that it deleted or changed anyway."""

    table: str
    """The table's name before the migration."""
    now: str
    """Its name after (a rename or a rebuild keeps its identity)."""
    deleted: int
    changed: int
    example: dict[str, Value]
    """The key of one such row (or its rowid, for a table without a primary key)."""
    column: str | None = None
    """For a changed row: the first column whose value changed."""
    statement: str | None = None
    """The statement after which the example row was gone or changed for good."""

    @property
    def rows(self) -> int:
        return self.deleted + self.changed

    def line(self) -> str:
        what = []
        if self.deleted:
            what.append(f"{self.deleted} row{'s' if self.deleted != 1 else ''} deleted")
        if self.changed:
            what.append(
                f"{self.changed} row{'s' if self.changed != 1 else ''} changed"
                + (f" (column {self.column})" if self.column else "")
            )
        example = ", ".join(f"{k}={v!r}" for k, v in self.example.items())
        text = f"{self.table}: {' and '.join(what)}, e.g. {example}"
        return text + (f"; by: {_short(self.statement)}" if self.statement else "")

    def as_json(self) -> dict[str, Any]:
        return {
            "table": self.table,
            "now": self.now,
            "deleted": self.deleted,
            "changed": self.changed,
            "example": {k: _jsonable(v) for k, v in self.example.items()},
            "column": self.column,
            "statement": self.statement,
        }


@dataclasses.dataclass(frozen=True)
class Failure:
    """The migration fails on the copy, so it would fail on D1 (which then rolls it back)."""

    statement: str
    message: str
    """SQLite's message."""
    keys: tuple[dict[str, Value], ...] = ()
    """Some offending rows, when SQLite can name them."""

    @property
    def about_rows(self) -> bool:
        """Whether SQLite refused the migration over rows the database holds (a constraint), rather
        than over the schema (a table that already exists, an index that does not)."""
        return bool(self.keys) or "constraint failed" in self.message

    def line(self) -> str:
        keys = "; ".join(", ".join(f"{k}={v!r}" for k, v in key.items()) for key in self.keys)
        text = (
            f"fails: {self.message}"
            + (f" (rows: {keys})" if keys else "")
            + f"; at: {_short(self.statement)}"
        )
        if self.statement == COMMIT and not self.keys:
            text += (
                " (no row violates a key now: SQLite counted rows orphaned during the migration, e.g. by "
                "dropping a table they referenced, and copying them back elsewhere does not count them back)"
            )
        return text

    def as_json(self) -> dict[str, Any]:
        return {
            "statement": self.statement,
            "message": self.message,
            "keys": [{k: _jsonable(v) for k, v in key.items()} for key in self.keys],
        }


@dataclasses.dataclass(frozen=True)
class MigrationRehearsal:
    name: str
    losses: tuple[Loss, ...] = ()
    failure: Failure | None = None
    explicit: tuple[str, ...] = ()
    """Tables the migration writes itself (UPDATE, DELETE, INSERT OR REPLACE ...): the guard's to judge."""
    dropped: tuple[str, ...] = ()
    """Tables the migration drops and does not rebuild."""
    rows: int = 0
    """Rows in the copy's tables before this migration."""

    @property
    def ok(self) -> bool:
        return not self.losses and self.failure is None

    def as_json(self) -> dict[str, Any]:
        return {
            "migration": self.name,
            "ok": self.ok,
            "rows": self.rows,
            "losses": [loss.as_json() for loss in self.losses],
            "failure": self.failure.as_json() if self.failure else None,
            "explicit": list(self.explicit),
            "dropped": list(self.dropped),
        }


class DumpError(NanokaError):
    """The dump does not load into SQLite."""


def rehearse(
    dump: str, migrations: Sequence[tuple[str, str]], migrations_table: str = "d1_migrations"
) -> list[MigrationRehearsal]:
    """Apply ``migrations`` ((file name, SQL) in order) to a copy of ``dump``, one report each.

    Stops after the first migration that fails: D1 would stop there too.
    """
    conn = load_dump(dump)
    try:
        return rehearse_on(conn, migrations, migrations_table)
    finally:
        conn.close()


def rehearse_on(
    conn: sqlite3.Connection, migrations: Sequence[tuple[str, str]], migrations_table: str = "d1_migrations"
) -> list[MigrationRehearsal]:
    """As ``rehearse``, on a database already loaded (``load_dump``, a shadow); ``conn`` is changed."""
    ensure_ledger(conn, migrations_table)
    reports = []
    for name, text in migrations:
        report = _rehearse_one(conn, name, text, migrations_table)
        reports.append(report)
        if report.failure is not None:
            break
    return reports


def applied_names(conn: sqlite3.Connection, migrations_table: str = "d1_migrations") -> list[str]:
    """The migrations the copy's ledger records, in the order applied (none without a ledger)."""
    import sqlite3

    try:
        rows = conn.execute(f"SELECT name FROM {quote_identifier(migrations_table)} ORDER BY id").fetchall()
    except sqlite3.OperationalError:
        return []
    return [str(name) for (name,) in rows]


def apply_migration(conn: sqlite3.Connection, name: str, text: str, migrations_table: str) -> Failure | None:
    """Apply one migration as D1 would, without comparing anything (to build a shadow)."""
    from nanoka_core.migrations.split import SplitError, migration_batch

    ensure_ledger(conn, migrations_table)
    try:
        statements = migration_batch(text, name, migrations_table)
    except SplitError as e:
        return Failure("", str(e))
    return _run(conn, statements, _Tracker(conn, {migrations_table}))


def load_dump(dump: str) -> sqlite3.Connection:
    """An in-memory SQLite holding ``dump``, with foreign keys enforced from then on as in D1."""
    import sqlite3

    conn = sqlite3.connect(":memory:", isolation_level=None)
    try:
        conn.executescript(f"PRAGMA foreign_keys=OFF;\nBEGIN;\n{dump}\n;COMMIT;")
    except sqlite3.Error as e:
        conn.close()
        raise DumpError(f"the database export does not load into SQLite: {e}") from e
    conn.execute("PRAGMA foreign_keys=ON")
    return conn


def ensure_ledger(conn: sqlite3.Connection, migrations_table: str) -> None:
    """wrangler creates its ledger table before the first migration; so does the copy."""
    conn.execute(
        f'CREATE TABLE IF NOT EXISTS "{migrations_table}"(\n'
        "id INTEGER PRIMARY KEY AUTOINCREMENT,\nname TEXT UNIQUE,\n"
        "applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL\n)"
    )


@dataclasses.dataclass
class _TableState:
    rootpage: int
    columns: list[str]
    types: dict[str, str]
    defaults: dict[str, str | None]
    key: list[str]


@dataclasses.dataclass
class _Identity:
    """Where one table of the copy went during a migration."""

    original: str
    rootpage: int
    name: str
    columns: dict[str, str]
    """Original column name -> its name now."""
    dropped: bool = False


class _Tracker:
    """Follows tables and columns through renames and rebuilds, and records what each statement writes."""

    def __init__(self, conn: sqlite3.Connection, ignored: set[str]) -> None:
        self.conn = conn
        self.ignored = ignored
        self.identities = {
            name: _Identity(name, state.rootpage, name, {c: c for c in state.columns})
            for name, state in _tables(conn, ignored).items()
        }
        self.explicit: set[str] = set()
        self.refused: str | None = None
        """Why the authorizer refused the running statement, as D1 refuses it."""
        self.counts: list[dict[str, int]] = []
        """Rows of each table after each statement (under its name then), to find who deleted them."""
        self._first_write: tuple[int, str] | None = None
        self._sql = ""

    def authorize(
        self, action: int, arg1: str | None, arg2: str | None, db: str | None, trigger: str | None
    ) -> int:
        import sqlite3

        refusals = _refused_actions()
        if action in refusals:
            self.refused = refusals[action]
            return sqlite3.SQLITE_DENY
        writes = {sqlite3.SQLITE_INSERT, sqlite3.SQLITE_UPDATE, sqlite3.SQLITE_DELETE}
        structural = {
            sqlite3.SQLITE_DROP_TABLE,
            sqlite3.SQLITE_ALTER_TABLE,
            sqlite3.SQLITE_CREATE_TABLE,
            sqlite3.SQLITE_CREATE_INDEX,
            sqlite3.SQLITE_DROP_INDEX,
            sqlite3.SQLITE_CREATE_TRIGGER,
            sqlite3.SQLITE_DROP_TRIGGER,
            sqlite3.SQLITE_CREATE_VIEW,
            sqlite3.SQLITE_DROP_VIEW,
        }
        if self._first_write is None and trigger is None and action in writes | structural:
            table = arg2 if action == sqlite3.SQLITE_ALTER_TABLE else arg1
            if table and not table.startswith(_INTERNAL_PREFIXES):
                self._first_write = (action, table)
        return sqlite3.SQLITE_OK

    def before_statement(self, sql: str) -> None:
        self._sql = sql
        self._first_write = None
        self.refused = None

    def after_statement(self) -> None:
        import sqlite3

        if self._first_write is not None:
            action, table = self._first_write
            written = action in (sqlite3.SQLITE_UPDATE, sqlite3.SQLITE_DELETE) or (
                action == sqlite3.SQLITE_INSERT and _replaces_rows(self._sql)
            )
            for identity in self.identities.values() if written else ():
                if not identity.dropped and identity.name.lower() == table.lower():
                    self.explicit.add(identity.original)
        now = _tables(self.conn, self.ignored)
        by_rootpage = {state.rootpage: (name, state) for name, state in now.items()}
        for identity in self.identities.values():
            if identity.dropped:
                continue
            found = by_rootpage.get(identity.rootpage)
            if found is None:
                identity.dropped = True
                continue
            name, state = found
            current = list(identity.columns.values())
            if len(current) == len(state.columns):
                renamed = dict(zip(current, state.columns, strict=True))
                identity.columns = {o: renamed[c] for o, c in identity.columns.items()}
            else:
                identity.columns = {o: c for o, c in identity.columns.items() if c in state.columns}
            identity.name = name
        self.counts.append({o: _count(self.conn, identity, now) for o, identity in self.identities.items()})


def _replaces_rows(sql: str) -> bool:
    """An INSERT that deletes or updates what it conflicts with (OR REPLACE, REPLACE INTO, DO UPDATE).

    A plain INSERT only adds rows: what it takes away happens through
    triggers and cascades, which are never the migration's own doing.
    """
    from nanoka_core.migrations.reader import statement_kind

    return statement_kind(sql) in ("replace rows", "update rows")


def _rehearse_one(
    conn: sqlite3.Connection, name: str, text: str, migrations_table: str
) -> MigrationRehearsal:

    from nanoka_core.migrations.split import SplitError, migration_batch

    ignored = {migrations_table}
    before = _tables(conn, ignored)
    before_rows = {t: _rows(conn, t, s.columns) for t, s in before.items()}
    total = sum(len(rows) for rows in before_rows.values())
    try:
        statements = migration_batch(text, name, migrations_table)
    except SplitError as e:
        return MigrationRehearsal(name, failure=Failure("", str(e)), rows=total)
    backup = _copy(conn)
    tracker = _Tracker(conn, ignored)
    failure = _run(conn, statements, tracker)
    if failure is not None:
        backup.close()
        return MigrationRehearsal(name, failure=failure, rows=total)
    after = _tables(conn, ignored)
    losses, dropped = _compare(conn, before, before_rows, after, tracker)
    if losses:
        losses = [
            dataclasses.replace(loss, statement=_culprit(backup, statements, loss, ignored, tracker.counts))
            for loss in losses
        ]
    backup.close()
    return MigrationRehearsal(
        name,
        losses=tuple(losses),
        explicit=tuple(sorted(tracker.explicit)),
        dropped=tuple(sorted(dropped)),
        rows=total,
    )


def _copy(conn: sqlite3.Connection) -> sqlite3.Connection:
    import sqlite3

    copy = sqlite3.connect(":memory:", isolation_level=None)
    conn.backup(copy)
    copy.execute("PRAGMA foreign_keys=ON")
    return copy


def _run(
    conn: sqlite3.Connection,
    statements: Sequence[str],
    tracker: _Tracker,
    after_each: Callable[[int], None] | None = None,
) -> Failure | None:
    """Run ``statements`` as one transaction, as D1 runs a batch; the failure, or None after COMMIT."""
    import sqlite3

    conn.execute("BEGIN")
    conn.set_authorizer(tracker.authorize)
    try:
        for index, sql in enumerate(statements):
            tracker.before_statement(sql)
            try:
                conn.execute(sql)
            except sqlite3.Error as e:
                conn.set_authorizer(None)
                message = f"{e}: {tracker.refused}" if tracker.refused else str(e)
                keys = _offending(conn, message, sql)
                conn.execute("ROLLBACK")
                return Failure(sql, message, keys)
            conn.set_authorizer(None)
            tracker.after_statement()
            if after_each is not None:
                after_each(index)
            conn.set_authorizer(tracker.authorize)
        conn.set_authorizer(None)
        try:
            conn.execute("COMMIT")
        except sqlite3.Error as e:
            keys = _foreign_key_violations(conn)
            conn.execute("ROLLBACK")
            return Failure(COMMIT, str(e), keys)
        return None
    finally:
        conn.set_authorizer(None)


def _offending(conn: sqlite3.Connection, message: str, sql: str) -> tuple[dict[str, Value], ...]:
    """Some rows behind a constraint failure, while the transaction still holds the state before it."""
    import sqlite3

    if message.startswith("FOREIGN KEY"):
        return _foreign_key_violations(conn)
    if message.startswith(("CHECK constraint failed", "NOT NULL constraint failed")):
        return _refused_copies(conn, sql)
    if message.startswith("UNIQUE constraint failed: "):
        pairs = [
            part.strip().split(".", 1)
            for part in message.removeprefix("UNIQUE constraint failed: ").split(",")
        ]
        if all(len(p) == 2 for p in pairs) and len({p[0] for p in pairs}) == 1:
            table = pairs[0][0]
            columns = ", ".join(quote_identifier(p[1]) for p in pairs)
            try:
                rows = conn.execute(
                    f"SELECT {columns}, count(*) FROM {quote_identifier(table)} GROUP BY {columns} "
                    f"HAVING count(*) > 1 LIMIT {MAX_KEYS}"
                ).fetchall()
            except sqlite3.Error:
                return ()
            return tuple(
                {**{p[1]: v for p, v in zip(pairs, row[:-1], strict=True)}, "duplicates": row[-1]}
                for row in rows
            )
    return ()


def _refused_copies(conn: sqlite3.Connection, sql: str) -> tuple[dict[str, Value], ...]:
    """The source rows an ``INSERT ... SELECT`` (a rebuild's copy) cannot copy, by the source's key.

    The copy is tried again as ``INSERT OR IGNORE`` (which skips the rows a
    CHECK or NOT NULL refuses) inside a savepoint that is then undone.
    """
    import sqlite3

    from sqlglot import exp

    from nanoka_core.migrations.reader import copied_from, parse

    node = parse(sql)
    source = copied_from(node)
    if not isinstance(node, exp.Insert) or source is None:
        return ()
    target = node.this.this.name if isinstance(node.this, exp.Schema) else node.this.name
    if isinstance(node.this, exp.Schema):
        copied = [i.name for i in node.this.expressions]
    else:
        copied = [row[1] for row in conn.execute(f"PRAGMA table_info({quote_identifier(target)})")]
    info = sorted(conn.execute(f"PRAGMA table_info({quote_identifier(source)})"), key=lambda r: r[5])
    key = [row[1] for row in info if row[5]]
    if not key or not all(k in copied for k in key):
        return ()
    probe = node.copy()
    probe.set("alternative", "IGNORE")
    columns = ", ".join(quote_identifier(k) for k in key)
    conn.execute("SAVEPOINT nanoka_probe")
    try:
        conn.execute(probe.sql(dialect="sqlite"))
        rows = conn.execute(
            f"SELECT {columns} FROM {quote_identifier(source)} "
            f"EXCEPT SELECT {columns} FROM {quote_identifier(target)} LIMIT {MAX_KEYS}"
        ).fetchall()
    except sqlite3.Error:
        rows = []
    finally:
        conn.execute("ROLLBACK TO nanoka_probe")
        conn.execute("RELEASE nanoka_probe")
    return tuple(dict(zip(key, row, strict=True)) for row in rows)


def _foreign_key_violations(conn: sqlite3.Connection) -> tuple[dict[str, Value], ...]:
    import sqlite3

    try:
        rows = conn.execute("PRAGMA foreign_key_check").fetchmany(MAX_KEYS)
    except sqlite3.Error:
        return ()
    return tuple({"table": table, "rowid": rowid, "references": parent} for table, rowid, parent, _ in rows)


def _compare(
    conn: sqlite3.Connection,
    before: dict[str, _TableState],
    before_rows: dict[str, list[tuple[Value, ...]]],
    after: dict[str, _TableState],
    tracker: _Tracker,
) -> tuple[list[Loss], list[str]]:
    losses = []
    dropped = []
    for original, state in before.items():
        identity = tracker.identities[original]
        if original in tracker.explicit:
            continue
        candidates = [identity.name, original] if identity.dropped else [identity.name]
        now = next((n for n in candidates if n in after), None)
        if now is None:
            dropped.append(original)
            continue
        new = after[now]
        columns = {o: c for o, c in identity.columns.items() if c in new.columns}
        if not columns:
            dropped.append(original)
            continue
        kept = list(columns)
        old_rows = [_project(row, state.columns, kept) for row in before_rows[original]]
        new_rows = [
            _project(row, new.columns, [columns[c] for c in kept]) for row in _rows(conn, now, new.columns)
        ]
        convert = {
            c: _NewType(new.types[columns[c]], new.defaults[columns[c]])
            for c in kept
            if _norm(state.types[c]) != _norm(new.types[columns[c]])
            or state.defaults[c] != new.defaults[columns[c]]
        }
        loss = _diff(original, now, state, kept, old_rows, new_rows, convert)
        if loss is not None:
            losses.append(loss)
    return losses, dropped


def _diff(
    original: str,
    now: str,
    state: _TableState,
    kept: list[str],
    old_rows: list[tuple[Value, ...]],
    new_rows: list[tuple[Value, ...]],
    convert: dict[str, _NewType],
) -> Loss | None:
    key = state.key if state.key and all(k in kept for k in state.key) else None
    if key is None:
        return _diff_unkeyed(original, now, kept, old_rows, new_rows, convert)
    positions = [kept.index(k) for k in key]
    new_by_key = {tuple(row[p] for p in positions): row for row in new_rows}
    deleted: list[tuple[Value, ...]] = []
    changed: list[tuple[tuple[Value, ...], str]] = []
    for row in old_rows:
        row_key = tuple(row[p] for p in positions)
        new_key = tuple(
            convert[k].through(v) if k in convert else v for k, v in zip(key, row_key, strict=True)
        )
        found = new_by_key.get(new_key)
        if found is None:
            deleted.append(row_key)
            continue
        differing = [
            c for c, old, new in zip(kept, row, found, strict=True) if not _same(old, new, convert.get(c))
        ]
        if differing:
            changed.append((row_key, differing[0]))
    if deleted:
        example, column = deleted[0], None
    elif changed:
        example, column = changed[0]
    else:
        return None
    return Loss(original, now, len(deleted), len(changed), dict(zip(key, example, strict=True)), column)


def _diff_unkeyed(
    original: str,
    now: str,
    kept: list[str],
    old_rows: list[tuple[Value, ...]],
    new_rows: list[tuple[Value, ...]],
    convert: dict[str, _NewType],
) -> Loss | None:
    """Without a primary key rows are compared as a multiset of values."""
    if convert:
        positions = [i for i, c in enumerate(kept) if c not in convert]
        old_rows = [tuple(r[i] for i in positions) for r in old_rows]
        new_rows = [tuple(r[i] for i in positions) for r in new_rows]
    missing = Counter(_hashable(r) for r in old_rows) - Counter(_hashable(r) for r in new_rows)
    count = sum(missing.values())
    if not count:
        return None
    first = next(iter(missing))
    example = dict(zip([c for c in kept if c not in convert], (v for _, v in first), strict=True))
    return Loss(original, now, count, 0, example)


def _culprit(
    backup: sqlite3.Connection,
    statements: Sequence[str],
    loss: Loss,
    ignored: set[str],
    counts: Sequence[dict[str, int]],
) -> str | None:
    """The statement after which the example row was as it ends.

    Deleted rows: read off the row counts kept during the run. Changed
    values: the migration is replayed on the copy from before.
    """
    if loss.changed == 0:
        series = [step[loss.table] for step in counts]
    else:
        replay = _copy(backup)
        tracker = _Tracker(replay, ignored)
        states: list[tuple[Any, ...] | None] = []

        def observe(_: int) -> None:
            states.append(_row_state(replay, tracker.identities[loss.table], loss.example))

        _run(replay, statements, tracker, observe)
        replay.close()
        series = states  # type: ignore[assignment]
    if not series:
        return None
    culprit = len(series) - 1
    while culprit > 0 and series[culprit - 1] == series[-1]:
        culprit -= 1
    return statements[culprit]


def _count(conn: sqlite3.Connection, identity: _Identity, tables: dict[str, _TableState]) -> int:
    """Rows of the table that holds ``identity``'s rows now (0 while it is dropped)."""
    name = identity.name if identity.name in tables else identity.original
    if name not in tables:
        return 0
    return int(conn.execute(f"SELECT count(*) FROM {quote_identifier(name)}").fetchone()[0])


def _row_state(
    conn: sqlite3.Connection, identity: _Identity, example: dict[str, Value]
) -> tuple[Value, ...] | None:
    """The row with key ``example`` in the table that now holds ``identity``'s rows, None when absent."""
    import sqlite3

    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    name = identity.name if identity.name in tables else identity.original
    if name not in tables or not all(c in identity.columns for c in example):
        return None
    where = " AND ".join(f"{quote_identifier(identity.columns[c])} IS ?" for c in example)
    try:
        row = conn.execute(
            f"SELECT * FROM {quote_identifier(name)} WHERE {where} LIMIT 1", list(example.values())
        ).fetchone()
    except sqlite3.Error:
        return None
    return None if row is None else tuple(_hashable(row))


def _tables(conn: sqlite3.Connection, ignored: set[str]) -> dict[str, _TableState]:
    tables = {}
    for name, rootpage in conn.execute(
        "SELECT name, rootpage FROM sqlite_master WHERE type = 'table' AND rootpage > 0 ORDER BY name"
    ):
        if name.startswith(_INTERNAL_PREFIXES) or name in ignored:
            continue
        info = conn.execute(f"PRAGMA table_info({quote_identifier(name)})").fetchall()
        columns = [row[1] for row in info]
        key = [row[1] for row in sorted((r for r in info if r[5]), key=lambda r: r[5])]
        tables[name] = _TableState(
            rootpage,
            columns,
            {row[1]: row[2] for row in info},
            {row[1]: row[4] for row in info},
            key,
        )
    return tables


def _rows(conn: sqlite3.Connection, table: str, columns: list[str]) -> list[tuple[Value, ...]]:
    selected = ", ".join(quote_identifier(c) for c in columns)
    return conn.execute(f"SELECT {selected} FROM {quote_identifier(table)}").fetchall()


def _project(row: tuple[Value, ...], columns: list[str], wanted: list[str]) -> tuple[Value, ...]:
    index = {c: i for i, c in enumerate(columns)}
    return tuple(row[index[c]] for c in wanted)


class _NewType:
    """A column whose type or default changed: an old value is compared as stored under the new type.

    The scratch table applies SQLite's own affinity rules (text '5' into an
    INTEGER column is 5, 'abc' stays text); a NULL may become the new default.
    """

    def __init__(self, declared_type: str, default: str | None) -> None:
        import sqlite3

        self.scratch = sqlite3.connect(":memory:")
        self.scratch.execute(f"CREATE TABLE v(x {declared_type})")
        self.default = default
        self.default_value = self.scratch.execute(f"SELECT {default}").fetchone()[0] if default else None

    def through(self, old: Value) -> Value:
        self.scratch.execute("DELETE FROM v")
        self.scratch.execute("INSERT INTO v VALUES (?)", (old,))
        return self.scratch.execute("SELECT x FROM v").fetchone()[0]

    def same(self, old: Value, new: Value) -> bool:
        if _strict_equal(self.through(old), new):
            return True
        return old is None and self.default is not None and _strict_equal(self.default_value, new)


def _same(old: Value, new: Value, new_type: _NewType | None) -> bool:
    return new_type.same(old, new) if new_type is not None else _strict_equal(old, new)


def _strict_equal(a: Value, b: Value) -> bool:
    """Equal as SQLite stores them: text '1' is not integer 1."""
    if isinstance(a, (str, bytes)) or isinstance(b, (str, bytes)):
        return type(a) is type(b) and a == b
    return bool(a == b)


def _hashable(row: tuple[Value, ...]) -> tuple[Any, ...]:
    return tuple((type(v) in (str, bytes), v) for v in row)


def _norm(declared_type: str) -> str:
    return " ".join(declared_type.upper().split())


def quote_identifier(name: str) -> str:
    """A name as a double-quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def _short(sql: str | None, limit: int = 160) -> str:
    text = " ".join((sql or "").split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _jsonable(value: Value) -> Value:
    return value.hex() if isinstance(value, bytes) else value
