"""Rewriting drizzle-kit's table rebuilds so no row outside the rebuilt table changes.

D1 keeps foreign keys on inside a migration (``PRAGMA foreign_keys=OFF`` is
ignored), so drizzle-kit's ``DROP TABLE X`` in a rebuild deletes, nulls or
blocks on the rows of every table that references X. The rewrite copies
those rows aside into ``__nanoka_keep_<table>`` tables (D1 refuses TEMP
tables), empties the referencing tables leaves first so the drop touches
nothing, and puts every row back after the rename, parents first, with its
original keys. It also repairs the copy into the new table: a column the old
table lacks is never selected from it, and a NULL bound for a NOT NULL
column with a default gets the default. An ``AUTOINCREMENT`` table keeps its
highest id ever (``sqlite_sequence``), which the copy would lower to the
largest id left, handing deleted ids out again. Every added or changed
statement is preceded by a ``-- nanoka:`` comment; a migration that has one
is left alone.

A rebuilt table in a foreign-key cycle (it references a table that
references it) has no leaves to empty first: whichever table is emptied
first cascades into, or is blocked by, the others. So the whole cycle is
set aside before the rebuild starts, the copy reads the set-aside rows, and
``PRAGMA defer_foreign_keys = on`` (which D1 honours inside a migration)
checks the keys once, at the end, so the rows go back in any order.
"""

from __future__ import annotations

from nanoka_core.migrations.reader import (
    BREAKPOINT,
    RECREATED_PREFIX,
    Migration,
    Recreation,
    Schema,
    Table,
    sql_string,
)

MARK = "-- nanoka:"
KEEP_PREFIX = "__nanoka_keep_"


def is_rewritten(text: str) -> bool:
    return MARK in text


def preserve_rows(migration: Migration, text: str) -> str | None:
    """``text`` (the migration's file) rewritten, or None when it needs no change."""
    if is_rewritten(text):
        return None
    # drizzle-kit's own text stays byte for byte; added statements follow its layout.
    chunks = [part for part in text.split(BREAKPOINT) if part.strip()]
    if len(chunks) != len(migration.statements):
        return None  # not the text this migration was read from
    before: dict[int, list[str]] = {}
    after: dict[int, list[str]] = {}
    changed = False
    for rebuild in migration.recreations:
        sequence = _keep_sequence(rebuild)
        if sequence:
            before.setdefault(rebuild.drop.index, []).append(sequence[0])
            after.setdefault(rebuild.rename.index, []).extend(sequence[1:])
            changed = True
        cycle = _cycle(rebuild)
        if cycle and rebuild.copy is not None:
            source = KEEP_PREFIX + rebuild.table
            chunks[rebuild.copy.index] = f"\n{_fixed_copy(rebuild, source) or _copy_from(rebuild, source)}"
            before.setdefault(rebuild.create.index, []).extend(_set_aside_cycle(rebuild, cycle))
            after.setdefault(rebuild.rename.index, []).extend(
                [*_put_back(rebuild, cycle[1:]), f"DROP TABLE {_q(source)};"]
            )
            changed = True
            continue
        fixed_copy = _fixed_copy(rebuild)
        if fixed_copy is not None and rebuild.copy is not None:
            chunks[rebuild.copy.index] = f"\n{fixed_copy}"
            changed = True
        kept = _referencing_closure(rebuild.drop.schema, rebuild.table)
        # A self-referencing table's new copy references the old one, so it is kept too; renamed,
        # it is the parent of every other kept table, so its rows go back first.
        kept.sort(key=lambda table: table.name != rebuild.create.table)
        if kept:
            before.setdefault(rebuild.drop.index, []).extend(_set_aside(rebuild, kept))
            after.setdefault(rebuild.rename.index, []).extend(_put_back(rebuild, kept))
            changed = True
    if not changed:
        return None
    out: list[str] = []
    for index, chunk in enumerate(chunks):
        out.extend(f"\n{added}" for added in before.get(index, []))
        out.append(chunk)
        out.extend(f"\n{added}" for added in after.get(index, []))
    if out[0].startswith("\n"):
        out[0] = out[0][1:]
    return BREAKPOINT.join(out)


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _fixed_copy(rebuild: Recreation, read_from: str | None = None) -> str | None:
    """drizzle-kit's INSERT ... SELECT (reading ``read_from``, else the old table); None when it is right."""
    from sqlglot import exp

    if rebuild.copy is None:
        return None
    old = rebuild.copy.schema.get(rebuild.table)
    new = rebuild.copy.schema.get(rebuild.create.table or "")
    if old is None or new is None:
        return None
    targets: list[str] = []
    selected: list[str] = []
    notes: list[str] = []
    for target, expr in rebuild.copied.items():
        column = new.column(target)
        source = old.column(expr.name) if isinstance(expr, exp.Column) else None
        sql = expr.sql(dialect="sqlite")
        if isinstance(expr, exp.Column) and source is None:
            sql = column.default if column is not None and column.default is not None else "NULL"
            notes.append(
                f"{target} is new: {sql} (not the old table's missing {expr.name!r}, read as a string)"
            )
        elif (
            column is not None
            and source is not None
            and column.not_null
            and not source.not_null
            and column.default is not None
        ):
            sql = f"COALESCE({_q(source.name)}, {column.default})"
            notes.append(f"{target} becomes NOT NULL: NULLs are copied as its default {column.default}")
        targets.append(_q(target))
        selected.append(sql)
    if not notes:
        return None
    comment = "\n".join(f"{MARK} {note}" for note in notes)
    return (
        f"{comment}\nINSERT INTO {_q(new.name)}({', '.join(targets)}) "
        f"SELECT {', '.join(selected)} FROM {_q(read_from or old.name)};"
    )


def _copy_from(rebuild: Recreation, source: str) -> str:
    """drizzle-kit's INSERT ... SELECT, reading the set-aside rows instead of the old table."""
    from sqlglot import exp

    assert rebuild.copy is not None and rebuild.copy.node is not None
    node = rebuild.copy.node.copy()
    for table in node.expression.find_all(exp.Table):
        if table.name == rebuild.table:
            table.set("this", exp.to_identifier(source, quoted=True))
    return f"{MARK} the copy reads the rows set aside before the rebuild.\n{node.sql(dialect='sqlite')};"


def _keep_sequence(rebuild: Recreation) -> list[str]:
    """Save the old table's ``sqlite_sequence`` entry before the drop, and after the rename
    raise the new table's to it (or make it, when the copy left the table empty), when both
    tables are ``AUTOINCREMENT``; [] otherwise."""
    old = rebuild.drop.schema.get(rebuild.table)
    new = rebuild.rename.schema.get(rebuild.create.table or "")
    if old is None or new is None or not (old.autoincrement and new.autoincrement):
        return []
    kept, name = _q(f"{KEEP_PREFIX}sequence_{rebuild.table}"), sql_string(rebuild.table)
    return [
        f"{MARK} keep {rebuild.table}'s AUTOINCREMENT high-water mark: the copy leaves it at the largest\n"
        f"{MARK} id left, and ids of deleted rows would be handed out again.\n"
        f"CREATE TABLE {kept} AS SELECT seq FROM sqlite_sequence WHERE name = {name};",
        f"UPDATE sqlite_sequence SET seq = (SELECT seq FROM {kept}) WHERE name = {name} "
        f"AND seq < (SELECT seq FROM {kept});",
        f"INSERT INTO sqlite_sequence (name, seq) SELECT {name}, seq FROM {kept} "
        f"WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = {name});",
        f"DROP TABLE {kept};",
    ]


def _cycle(rebuild: Recreation) -> list[Table]:
    """[the rebuilt table, *the tables that reference it] when it references one of them, else []."""
    schema = rebuild.create.schema
    table = schema.get(rebuild.table)
    kept = _referencing_closure(schema, rebuild.table)
    names = {t.name for t in kept}
    if table is None or not any(fk.table in names for fk in table.foreign_keys):
        return []
    return [table, *kept]


def _set_aside_cycle(rebuild: Recreation, cycle: list[Table]) -> list[str]:
    names = ", ".join(_shown(t.name) for t in cycle)
    statements = [
        f"{MARK} {rebuild.table} is in a foreign-key cycle ({names}): no table can be emptied first, so\n"
        f"{MARK} check the keys at the end of the migration and set the whole cycle aside first.\n"
        "PRAGMA defer_foreign_keys = on;"
    ]
    statements.extend(
        f"CREATE TABLE {_q(KEEP_PREFIX + t.name)} AS SELECT * FROM {_q(t.name)};" for t in cycle
    )
    statements.extend(f"DELETE FROM {_q(t.name)};" for t in reversed(cycle))
    return statements


def _referencing_closure(schema: Schema, table: str) -> list[Table]:
    """Every table that references ``table``, directly or through others, parents first."""
    found: dict[str, Table] = {}
    queue = [table]
    while queue:
        parent = queue.pop(0)
        for child in schema.values():
            if child.name == table or child.name in found:
                continue
            if any(fk.table == parent for fk in child.foreign_keys):
                found[child.name] = child
                queue.append(child.name)
    ordered: list[Table] = []
    pending = list(found.values())
    while pending:
        placed = {t.name for t in ordered}
        ready = next(
            (
                t
                for t in pending
                if all(
                    fk.table in placed or fk.table not in found or fk.table == t.name for fk in t.foreign_keys
                )
            ),
            pending[0],  # a cycle between referencing tables: one statement's FK check still passes
        )
        ordered.append(ready)
        pending.remove(ready)
    return ordered


def _set_aside(rebuild: Recreation, kept: list[Table]) -> list[str]:
    names = ", ".join(_shown(t.name) for t in kept)
    statements = []
    for i, table in enumerate(kept):
        comment = (
            f"{MARK} D1 keeps foreign keys on in migrations, so DROP TABLE {rebuild.table} would delete, "
            f"change or block on rows of {names}. Copy them aside first.\n"
            if i == 0
            else ""
        )
        statements.append(
            f"{comment}CREATE TABLE {_q(KEEP_PREFIX + table.name)} AS SELECT * FROM {_q(table.name)};"
        )
    for i, table in enumerate(reversed(kept)):
        comment = (
            f"{MARK} empty the referencing tables, leaves first, so the drop reaches no row.\n"
            if i == 0
            else ""
        )
        statements.append(f"{comment}DELETE FROM {_q(table.name)};")
    return statements


def _put_back(rebuild: Recreation, kept: list[Table]) -> list[str]:
    statements = []
    for i, table in enumerate(kept):
        comment = f"{MARK} put the rows back, parents first, with their original keys.\n" if i == 0 else ""
        columns = ", ".join(_q(c.name) for c in table.columns if not c.generated)
        statements.append(
            f"{comment}INSERT INTO {_q(_after_rename(table.name, rebuild))}({columns}) "
            f"SELECT {columns} FROM {_q(KEEP_PREFIX + table.name)};"
        )
    for i, table in enumerate(kept):
        comment = f"{MARK} drop the copies.\n" if i == 0 else ""
        statements.append(f"{comment}DROP TABLE {_q(KEEP_PREFIX + table.name)};")
    return statements


def _after_rename(name: str, rebuild: Recreation) -> str:
    return rebuild.table if name == rebuild.create.table else name


def _shown(name: str) -> str:
    return name.removeprefix(RECREATED_PREFIX)
