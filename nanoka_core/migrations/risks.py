"""Judging migrations: what each statement does to rows that already exist.

Each kind of harm has a stable code (after Atlas's ``migrate lint``): DS
codes destroy or change data, MF codes may fail on existing data. The same
code names the message, the test and the README line. Everything is judged
as D1 runs it: foreign keys stay enforced inside a migration, whatever
``PRAGMA foreign_keys=OFF`` says.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from nanoka_core.migrations.reader import (
    RECREATED_PREFIX,
    Migration,
    Recreation,
    Statement,
    Table,
    copied_from,
)

DESTROYS = "destroys data"
MAY_FAIL = "may fail on existing data"


@dataclasses.dataclass(frozen=True)
class RiskKind:
    code: str
    level: str
    title: str
    safe_way: str


_KINDS = [
    RiskKind(
        "DS102",
        DESTROYS,
        "table dropped",
        "keep the model; if it was renamed (or table-prefix changed), delete this migration with its "
        "snapshot and journal entry, run nanoka hash, declare the rename (renamed_from=, or "
        "table-prefix-renamed-from in the nanoka config) and run nanoka generate again; "
        "or restore the table from a backup",
    ),
    RiskKind("DS103", DESTROYS, "column dropped", "keep the field until its data is copied elsewhere"),
    RiskKind(
        "DS110",
        DESTROYS,
        "column left out of the table's rebuild",
        "keep the field, or copy its values elsewhere before removing it",
    ),
    RiskKind(
        "DS111",
        DESTROYS,
        "rows deleted by ON DELETE CASCADE (D1 keeps foreign keys on in migrations)",
        "let nanoka generate write the migration ([migrate] preserve-rows, on by default)",
    ),
    RiskKind(
        "DS112",
        DESTROYS,
        "values reset by ON DELETE SET NULL / SET DEFAULT (D1 keeps foreign keys on in migrations)",
        "let nanoka generate write the migration ([migrate] preserve-rows, on by default)",
    ),
    RiskKind(
        "DS113",
        DESTROYS,
        "rebuild copies a column the old table lacks (every row gets the column's name as its value)",
        "let nanoka generate write the migration: the new column gets its default or NULL",
    ),
    RiskKind("DS114", DESTROYS, "rows deleted", "delete rows on purpose, outside a schema migration"),
    RiskKind(
        "DS116",
        DESTROYS,
        "referencing values changed by ON UPDATE CASCADE / SET NULL / SET DEFAULT when a key is updated",
        "leave referenced keys alone; give the row a new key by inserting a copy and moving the references",
    ),
    RiskKind("MF101", MAY_FAIL, "new UNIQUE on existing rows", "remove duplicates before applying"),
    RiskKind(
        "MF103",
        MAY_FAIL,
        "NOT NULL column added without a default",
        "give the field a default, or make it optional",
    ),
    RiskKind(
        "MF104",
        MAY_FAIL,
        "nullable column made NOT NULL (existing NULLs fail the copy)",
        "give the field a default (nanoka then copies NULLs as the default), or fill the NULLs first",
    ),
    RiskKind(
        "MF105", MAY_FAIL, "new CHECK on existing rows", "fix rows that break the check before applying"
    ),
    RiskKind(
        "MF106",
        MAY_FAIL,
        "new foreign key on existing rows",
        "fix rows whose value has no parent before applying",
    ),
    RiskKind("MF107", MAY_FAIL, "enum narrowed", "move rows off the removed values before applying"),
    RiskKind(
        "MF108",
        MAY_FAIL,
        "dropping a table that rows of another table reference (ON DELETE NO ACTION / RESTRICT)",
        "let nanoka generate write the migration ([migrate] preserve-rows, on by default)",
    ),
]
KINDS = {kind.code: kind for kind in _KINDS}


@dataclasses.dataclass(frozen=True)
class Risk:
    code: str
    migration: str
    """The migration's tag (file name without .sql)."""
    statement: int
    """The statement's position in the file, from 0."""
    table: str
    column: str | None
    reason: str

    @property
    def kind(self) -> RiskKind:
        return KINDS[self.code]

    @property
    def destroys(self) -> bool:
        return self.kind.level == DESTROYS

    @property
    def where(self) -> str:
        return f"{self.table}.{self.column}" if self.column else self.table

    def line(self) -> str:
        return f"{self.code} {self.where}: {self.reason}"

    def as_json(self) -> dict[str, object]:
        return {
            "code": self.code,
            "level": self.kind.level,
            "migration": self.migration,
            "statement": self.statement,
            "table": self.table,
            "column": self.column,
            "reason": self.reason,
            "safe_way": self.kind.safe_way,
        }


def assess(migration: Migration) -> list[Risk]:
    """Every risk in one migration, in statement order."""
    judge = _Judge(migration)
    for statement in migration.statements:
        judge.statement(statement)
    return judge.risks


def _shown(table: str) -> str:
    return table.removeprefix(RECREATED_PREFIX)


class _Judge:
    def __init__(self, migration: Migration) -> None:
        self.migration = migration
        self.risks: list[Risk] = []
        self.recreations = {r.drop.index: r for r in migration.recreations}
        self.copies = {r.copy.index: r for r in migration.recreations if r.copy is not None}
        self.kept: set[str] = set()
        """Tables whose rows an earlier CREATE TABLE ... AS SELECT copied aside."""
        self.emptied: set[str] = set()
        """Tables emptied after their rows were copied aside: nothing left to cascade into."""

    def add(self, code: str, statement: Statement, table: str, column: str | None, reason: str) -> None:
        self.risks.append(Risk(code, self.migration.tag, statement.index, _shown(table), column, reason))

    def statement(self, s: Statement) -> None:
        if s.kind == "create table" and s.node is not None and s.node.expression is not None:
            source = copied_from(s.node)
            if source is not None:
                self.kept.add(source)
        elif s.kind == "drop table" and s.table is not None:
            self.drop_table(s, s.table)
        elif s.kind == "drop column" and s.table is not None:
            self.add(
                "DS103",
                s,
                s.table,
                s.column,
                f"ALTER TABLE {s.table} DROP COLUMN {s.column} deletes its values",
            )
        elif s.kind == "add column" and s.table is not None:
            added = self.migration.after.get(s.table)
            column = added.column(s.column or "") if added else None
            if (
                column is not None
                and column.not_null
                and column.default is None
                and s.table not in s.created_in_migration
            ):
                self.add(
                    "MF103",
                    s,
                    s.table,
                    s.column,
                    "SQLite refuses a NOT NULL column without a default on a table that has rows",
                )
        elif s.kind == "create index" and s.node is not None and s.node.args.get("unique"):
            if s.table is not None and s.table not in s.created_in_migration:
                keys = s.node.this.args["params"].args.get("columns") or []
                columns = [c.name or c.this.sql(dialect="sqlite") for c in keys]  # a column, or an expression
                self.add("MF101", s, s.table, ", ".join(columns), "fails if existing rows hold duplicates")
        elif s.kind == "copy rows" and s.index in self.copies:
            self.rebuild_copy(s, self.copies[s.index])
        elif s.kind == "delete rows" and s.table is not None:
            if s.table in self.kept and s.node is not None and not s.node.args.get("where"):
                self.emptied.add(s.table)
            else:
                self.add("DS114", s, s.table, None, f"DELETE FROM {s.table} removes rows")
            every = s.node is not None and not s.node.args.get("where")
            self.cascades(s, s.table, f"DELETE FROM {s.table}", "every row" if every else "the rows")
        elif s.kind == "replace rows" and s.table is not None:
            # REPLACE deletes the row it conflicts with before inserting: a delete, with its cascades.
            self.cascades(s, s.table, f"INSERT OR REPLACE INTO {s.table}", "the rows")
        elif s.kind == "update rows" and s.table is not None:
            self.updated_keys(s, s.table)

    def drop_table(self, s: Statement, table: str) -> None:
        recreation = self.recreations.get(s.index)
        if recreation is not None:
            self.rebuild_drop(s, recreation)
        elif table not in s.created_in_migration:
            self.add("DS102", s, table, None, f"DROP TABLE {table} deletes all its rows")
        self.cascades(s, table)

    def updated_keys(self, s: Statement, table: str) -> None:
        """An UPDATE of a referenced key changes the referencing rows by their ON UPDATE action."""
        target = s.schema.get(table)
        primary = tuple(c.name for c in target.columns if c.primary_key) if target else ()
        updated = set(s.updated_columns)
        for child in s.schema.values():
            for fk in child.foreign_keys:
                keys = fk.ref_columns or primary
                if fk.table != table or not updated & set(keys) or fk.on_update not in _CHANGING:
                    continue
                columns = ", ".join(fk.columns)
                self.add(
                    "DS116",
                    s,
                    child.name,
                    columns,
                    f"UPDATE of {table}.{', '.join(sorted(updated & set(keys)))} "
                    f"{'changes' if fk.on_update == 'cascade' else 'resets'} {columns} in the rows of "
                    f"{_shown(child.name)} that reference it (ON UPDATE {fk.on_update.upper()})",
                )

    def cascades(
        self, s: Statement, table: str, deleting: str | None = None, which: str = "every row"
    ) -> None:
        """What deleting rows of ``table`` (every row, or ``which``) does to the tables that reference it."""
        seen = {table}
        queue = [table]
        while queue:
            parent = queue.pop(0)
            for child in _referencing(s.schema.values(), parent):
                if child.name in self.emptied or child.name in self.kept:
                    continue  # its rows are copied aside (the rehearsal proves they come back)
                for fk in child.foreign_keys:
                    if fk.table != parent or child.name == parent:
                        continue
                    columns = ", ".join(fk.columns)
                    via = f"the cascade from {table}"
                    if parent == table:
                        via = deleting or f"DROP TABLE {table}"
                    if child.name == RECREATED_PREFIX + parent:  # a self-reference, copied into the rebuild
                        via += f" (the rebuilt table's {columns} still points at the old one)"
                    if fk.on_delete == "cascade":
                        self.add(
                            "DS111",
                            s,
                            child.name,
                            None,
                            f"{via} deletes {which} of {_shown(child.name)} "
                            f"that reference {_shown(parent)}'s deleted rows ({columns} ON DELETE CASCADE)"
                            if which != "every row"
                            else f"{via} deletes every row of {_shown(child.name)} "
                            f"that references {_shown(parent)} ({columns} ON DELETE CASCADE)",
                        )
                        if child.name not in seen:
                            seen.add(child.name)
                            queue.append(child.name)
                    elif fk.on_delete in ("set null", "set default"):
                        self.add(
                            "DS112",
                            s,
                            child.name,
                            columns,
                            f"{via} sets {columns} to {fk.on_delete.removeprefix('set ').upper()} "
                            f"in every row that references {_shown(parent)}",
                        )
                    else:
                        self.add(
                            "MF108",
                            s,
                            child.name,
                            columns,
                            f"{via} fails if a row of {_shown(child.name)} "
                            f"references {_shown(parent)} ({columns} ON DELETE {fk.on_delete.upper()})",
                        )

    def rebuild_drop(self, s: Statement, recreation: Recreation) -> None:
        old = s.schema.get(recreation.table)
        if old is None:
            return
        read = {name for expr in recreation.copied.values() for name in _columns_read(expr)}
        for column in old.columns:
            if column.name not in read and not column.generated:
                self.add(
                    "DS110",
                    s,
                    old.name,
                    column.name,
                    f"the rebuild of {old.name} does not copy {column.name}",
                )

    def rebuild_copy(self, s: Statement, recreation: Recreation) -> None:
        from sqlglot import exp

        old = s.schema.get(recreation.table)
        new = s.schema.get(recreation.create.table or "")
        if old is None or new is None:
            return
        for target, expr in recreation.copied.items():
            column = new.column(target)
            if isinstance(expr, exp.Column) and old.column(expr.name) is None:
                self.add(
                    "DS113",
                    s,
                    old.name,
                    target,
                    f"{old.name} has no column {expr.name}: SQLite reads "
                    f"\"{expr.name}\" as the string '{expr.name}' and writes it into every row",
                )
                continue
            source = old.column(expr.name) if isinstance(expr, exp.Column) else None
            if column is not None and column.not_null and source is not None and not source.not_null:
                self.add("MF104", s, old.name, target, f"the copy fails on any row where {target} is NULL")
        self.new_constraints(s, old, new)

    def new_constraints(self, s: Statement, old: Table, new: Table) -> None:
        for check in new.checks:
            if check in old.checks:
                continue
            narrowed = next((c for c in (_narrowed(before, check) for before in old.checks) if c), None)
            if narrowed:
                self.add(
                    "MF107",
                    s,
                    old.name,
                    narrowed,
                    f"fails if a row holds a value the new CHECK ({check}) drops",
                )
            else:
                self.add("MF105", s, old.name, None, f"fails if a row breaks the new CHECK ({check})")
        for fk in new.foreign_keys:
            if not any(f.columns == fk.columns and f.table in (fk.table, new.name) for f in old.foreign_keys):
                columns = ", ".join(fk.columns)
                self.add(
                    "MF106",
                    s,
                    old.name,
                    columns,
                    f"fails if a row's {columns} has no match in {_shown(fk.table)}",
                )
        for unique in new.unique:
            if unique not in old.unique:
                self.add("MF101", s, old.name, ", ".join(unique), "fails if existing rows hold duplicates")


_CHANGING = ("cascade", "set null", "set default")


def _referencing(tables: Iterable[Table], parent: str) -> list[Table]:
    return [t for t in tables if any(fk.table == parent for fk in t.foreign_keys)]


def _columns_read(expr: object) -> set[str]:
    from sqlglot import exp

    assert isinstance(expr, exp.Expression)
    return {c.name for c in expr.find_all(exp.Column)}


def _narrowed(before: str, after: str) -> str | None:
    """The column, when both are ``col IN (...)`` on it and ``after`` allows fewer values."""
    import sqlglot
    from sqlglot import exp

    old, new = sqlglot.parse_one(before, read="sqlite"), sqlglot.parse_one(after, read="sqlite")
    if not (isinstance(old, exp.In) and isinstance(new, exp.In)) or old.this != new.this:
        return None
    old_values = {v.sql() for v in old.expressions}
    new_values = {v.sql() for v in new.expressions}
    return str(new.this.name) if new_values < old_values else None
