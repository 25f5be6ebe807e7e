"""Reading drizzle-kit's SQL migrations: statements, tables, columns.

Only reading: what each statement does and what the schema is right before
it. Judging (``migration_risks``) and rewriting (``migration_rewrite``) live
elsewhere. The SQL is parsed with sqlglot's SQLite dialect, imported lazily
so commands that never read a migration do not pay for it.

The schema before a migration comes from drizzle-kit's snapshot of the
previous migration (``meta/NNNN_snapshot.json``); each statement then
updates it, so a later statement is read against what earlier ones made.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nanoka_core.errors import NanokaError

if TYPE_CHECKING:
    from sqlglot import exp

BREAKPOINT = "--> statement-breakpoint"
_REPLACE_INTO = re.compile(r"\A\s*REPLACE\s+INTO\b", re.IGNORECASE)
RECREATED_PREFIX = "__new_"
"""drizzle-kit recreates a table X as ``__new_X``, copies the rows, drops X, renames."""


def sql_string(text: str) -> str:
    """``text`` as an SQL string literal, quotes doubled."""
    return "'" + text.replace("'", "''") + "'"


class MigrationReadError(NanokaError):
    """A migration or snapshot nanoka cannot read."""


@dataclasses.dataclass(frozen=True)
class Column:
    name: str
    not_null: bool = False
    default: str | None = None
    """The default as SQL (``'m'``, ``0``), None without one."""
    generated: bool = False
    primary_key: bool = False


@dataclasses.dataclass(frozen=True)
class ForeignKey:
    columns: tuple[str, ...]
    table: str
    """The referenced table."""
    ref_columns: tuple[str, ...]
    on_delete: str = "no action"
    """Lower case as drizzle-kit writes it: cascade, set null, set default, restrict, no action."""
    on_update: str = "no action"


@dataclasses.dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...]
    foreign_keys: tuple[ForeignKey, ...] = ()
    checks: tuple[str, ...] = ()
    """CHECK expressions as SQL, table names left out of column references."""
    unique: tuple[tuple[str, ...], ...] = ()
    """Column sets under a UNIQUE constraint or unique index."""
    autoincrement: bool = False
    """Its key is ``AUTOINCREMENT``: SQLite keeps its highest id ever in ``sqlite_sequence``."""

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.name == name), None)

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


Schema = Mapping[str, Table]


@dataclasses.dataclass(frozen=True)
class Statement:
    """One statement of a migration and the schema right before it runs."""

    index: int
    """Position in the file, from 0."""
    sql: str
    kind: str
    """create table, drop table, rename table, add column, drop column, rename column,
    create index, drop index, copy rows (INSERT ... SELECT), delete rows, replace rows
    (INSERT OR REPLACE, REPLACE INTO), update rows (UPDATE, or an upsert's DO UPDATE), pragma, other."""
    table: str | None
    schema: Schema
    """The tables right before this statement."""
    column: str | None = None
    node: exp.Expression | None = None
    created_in_migration: frozenset[str] = frozenset()
    """Tables created by earlier statements of the same migration."""

    @property
    def updated_columns(self) -> tuple[str, ...]:
        """The columns an UPDATE (or an upsert's DO UPDATE) sets."""
        from sqlglot import exp

        if self.node is None:
            return ()
        conflict = self.node.args.get("conflict") if isinstance(self.node, exp.Insert) else None
        assignments = (
            self.node.expressions
            if isinstance(self.node, exp.Update)
            else conflict.expressions
            if conflict is not None
            else []
        )
        return tuple(
            a.this.name for a in assignments if isinstance(a, exp.EQ) and isinstance(a.this, exp.Column)
        )


@dataclasses.dataclass(frozen=True)
class Recreation:
    """drizzle-kit's table rebuild: CREATE __new_X, INSERT ... SELECT, DROP X, RENAME."""

    table: str
    create: Statement
    copy: Statement | None
    drop: Statement
    rename: Statement

    @property
    def copied(self) -> dict[str, exp.Expression]:
        """New column name -> the expression selected for it from the old table."""
        if self.copy is None or self.copy.node is None:
            return {}
        return copy_pairs(self.copy.node)


@dataclasses.dataclass(frozen=True)
class Migration:
    tag: str
    path: Path
    statements: tuple[Statement, ...]
    before: Schema
    after: Schema

    @property
    def recreations(self) -> list[Recreation]:
        return find_recreations(self.statements)


def split_statements(text: str) -> list[str]:
    """The statements of a migration file, as wrangler will send them to D1.

    drizzle-kit puts one statement between breakpoints, kept as written; a
    part holding several (a hand-written file) is cut as wrangler cuts it,
    on ``;`` -- wrangler ignores breakpoints.
    """
    from nanoka_core.migrations.split import SplitError, split_like_wrangler

    statements = []
    for part in text.split(BREAKPOINT):
        if not part.strip():
            continue
        try:
            pieces = split_like_wrangler(part)
        except SplitError:
            pieces = [part]
        statements.extend(pieces if len(pieces) > 1 else [part.strip()])
    return statements


def parse(sql: str) -> exp.Expression | None:
    """sqlglot's reading of one statement, None when it cannot read it."""
    import sqlglot
    from sqlglot import exp
    from sqlglot.errors import ParseError, TokenError

    if _REPLACE_INTO.match(sql):  # SQLite's synonym, which sqlglot only reads in its long form
        sql = _REPLACE_INTO.sub("INSERT OR REPLACE INTO", sql, count=1)
    try:
        nodes = [n for n in sqlglot.parse(sql, read="sqlite") if n is not None]
    except (ParseError, TokenError):
        return None
    return nodes[0] if len(nodes) == 1 and isinstance(nodes[0], exp.Expression) else None


def copy_pairs(insert: exp.Expression) -> dict[str, exp.Expression]:
    """``INSERT INTO t(a, b) SELECT x, y FROM s`` -> {a: x, b: y}."""
    from sqlglot import exp

    target = insert.this
    select = insert.expression
    if not isinstance(target, exp.Schema) or not isinstance(select, exp.Select):
        return {}
    names = [i.name for i in target.expressions]
    return dict(zip(names, select.expressions, strict=False))


def read_statements(text: str, before: Schema) -> tuple[tuple[Statement, ...], dict[str, Table]]:
    """Each statement with the schema before it, and the schema after the last."""
    from sqlglot import exp

    tables = dict(before)
    created: set[str] = set()
    statements = []
    for index, sql in enumerate(split_statements(text)):
        node = parse(sql)
        kind, table, column = _describe(node)
        statements.append(Statement(index, sql, kind, table, dict(tables), column, node, frozenset(created)))
        if node is None:
            continue
        if kind == "create table" and table is not None:
            tables[table] = (
                table_from_create(node)
                if isinstance(node.this, exp.Schema)
                else _table_from_select(node, tables)
            )
            created.add(table)
        elif kind == "drop table" and table is not None:
            tables.pop(table, None)
            created.discard(table)
        elif kind == "rename table" and table is not None:
            new = _rename_target(node)
            if table in tables:
                tables[new] = tables.pop(table)
            tables = {name: _repointed(t, table, new) for name, t in tables.items()}
            if table in created:
                created.discard(table)
                created.add(new)
        elif kind == "add column" and table in tables:
            action = node.args["actions"][0]
            old = tables[table]
            tables[table] = dataclasses.replace(old, columns=(*old.columns, _column(action)))
        elif kind == "drop column" and table in tables:
            old = tables[table]
            tables[table] = dataclasses.replace(
                old, columns=tuple(c for c in old.columns if c.name != column)
            )
        elif kind == "rename column" and table in tables:
            old = tables[table]
            new_name = node.args["actions"][0].args["to"].name
            tables[table] = dataclasses.replace(
                old,
                columns=tuple(
                    dataclasses.replace(c, name=new_name) if c.name == column else c for c in old.columns
                ),
            )
    return tuple(statements), tables


def statement_kind(sql: str) -> str:
    """What one statement does, as ``Statement.kind`` says it ("update rows", "replace rows"...)."""
    return _describe(parse(sql))[0]


def _describe(node: exp.Expression | None) -> tuple[str, str | None, str | None]:
    from sqlglot import exp

    if node is None:
        return "other", None, None
    if isinstance(node, exp.Pragma):
        return "pragma", None, None
    if isinstance(node, exp.Create):
        kind = str(node.args.get("kind") or "").upper()
        if kind == "TABLE" and isinstance(node.this, exp.Schema):
            return "create table", node.this.this.name, None
        if kind == "TABLE" and isinstance(node.this, exp.Table):
            return "create table", node.this.name, None
        if kind == "INDEX" and isinstance(node.this, exp.Index):
            table = node.this.args.get("table")
            return "create index", table.name if table is not None else None, None
    if isinstance(node, exp.Drop):
        kind = str(node.args.get("kind") or "").upper()
        name = _dropped(node)
        if kind == "TABLE":
            return "drop table", name, None
        if kind == "INDEX":
            return "drop index", None, None
    if isinstance(node, exp.Alter) and node.args.get("actions"):
        table = node.this.name
        action = node.args["actions"][0]
        if isinstance(action, exp.AlterRename):
            return "rename table", table, None
        if isinstance(action, exp.ColumnDef):
            return "add column", table, action.name
        if isinstance(action, exp.Drop):
            return "drop column", table, _dropped(action)
        if isinstance(action, exp.RenameColumn):
            return "rename column", table, action.this.name
    if isinstance(node, exp.Insert):
        target = node.this.this if isinstance(node.this, exp.Schema) else node.this
        if str(node.args.get("alternative") or "").upper() == "REPLACE":
            return "replace rows", target.name, None
        if node.args.get("conflict") is not None and node.args["conflict"].expressions:
            return "update rows", target.name, None
        if isinstance(node.expression, exp.Select):
            return "copy rows", target.name, None
    if isinstance(node, exp.Update) and isinstance(node.this, exp.Table):
        return "update rows", node.this.name, None
    if isinstance(node, exp.Delete):
        return "delete rows", node.this.name, None
    return "other", None, None


def _dropped(node: exp.Expression) -> str | None:
    """The name in ``DROP TABLE x`` / ``DROP COLUMN x`` (sqlglot keeps it in ``tables``)."""
    named = node.args.get("tables") or [node.this]
    return named[0].name if named and named[0] is not None else None


def _rename_target(node: exp.Expression) -> str:
    return str(node.args["actions"][0].this.name)


def _repointed(table: Table, old: str, new: str) -> Table:
    """``table`` after ``ALTER TABLE old RENAME TO new``: SQLite renames it and repoints every key at it.

    (D1 runs SQLite with ``legacy_alter_table`` off, so foreign keys in
    other tables follow the rename too.)
    """
    return dataclasses.replace(
        table,
        name=new if table.name == old else table.name,
        foreign_keys=tuple(
            dataclasses.replace(fk, table=new) if fk.table == old else fk for fk in table.foreign_keys
        ),
    )


def table_from_create(node: exp.Expression) -> Table:
    """A ``Table`` from a CREATE TABLE statement's columns and constraints."""
    from sqlglot import exp

    schema = node.this
    name = schema.this.name
    columns: list[Column] = []
    foreign_keys: list[ForeignKey] = []
    checks: list[str] = []
    unique: list[tuple[str, ...]] = []
    autoincrement = False
    for item in schema.expressions:
        if isinstance(item, exp.ColumnDef):
            column = _column(item)
            columns.append(column)
            for constraint in item.args.get("constraints") or []:
                kind = constraint.args.get("kind")
                if isinstance(kind, exp.AutoIncrementColumnConstraint):
                    autoincrement = True
                elif isinstance(kind, exp.UniqueColumnConstraint):
                    unique.append((column.name,))
                elif isinstance(kind, exp.CheckColumnConstraint):
                    checks.append(_check_sql(kind.this))
                elif isinstance(kind, exp.Reference):
                    foreign_keys.append(_reference((column.name,), kind))
        elif isinstance(item, exp.ForeignKey):
            reference = item.args["reference"]
            foreign_keys.append(_reference(tuple(i.name for i in item.expressions), reference))
        elif isinstance(item, exp.Constraint):
            for part in item.expressions:
                if isinstance(part, exp.CheckColumnConstraint):
                    checks.append(_check_sql(part.this))
                elif isinstance(part, exp.UniqueColumnConstraint) and isinstance(part.this, exp.Schema):
                    unique.append(tuple(i.name for i in part.this.expressions))
        elif isinstance(item, exp.CheckColumnConstraint):
            checks.append(_check_sql(item.this))
    return Table(name, tuple(columns), tuple(foreign_keys), tuple(checks), tuple(unique), autoincrement)


def _table_from_select(node: exp.Expression, tables: Mapping[str, Table]) -> Table:
    """``CREATE TABLE k AS SELECT ... FROM t``: plain columns, no constraints."""
    from sqlglot import exp

    name = node.this.name
    select = node.expression
    source = copied_from(node)
    names: list[str] = []
    for item in select.expressions if isinstance(select, exp.Select) else []:
        if isinstance(item, exp.Star) and source is not None and source in tables:
            names.extend(tables[source].column_names)
        else:
            names.append(item.alias_or_name)
    return Table(name, tuple(Column(n) for n in names))


def copied_from(node: exp.Expression | None) -> str | None:
    """The one table a ``CREATE TABLE ... AS SELECT`` or ``INSERT ... SELECT`` reads, if one."""
    from sqlglot import exp

    select = node.expression if node is not None else None
    if not isinstance(select, exp.Select):
        return None
    source = select.args.get("from_") or select.args.get("from")
    if source is None or not isinstance(source.this, exp.Table) or select.args.get("joins"):
        return None
    return str(source.this.name)


def _column(item: exp.Expression) -> Column:
    from sqlglot import exp

    not_null = primary = generated = False
    default = None
    for constraint in item.args.get("constraints") or []:
        kind = constraint.args.get("kind")
        if isinstance(kind, exp.NotNullColumnConstraint) and not kind.args.get("allow_null"):
            not_null = True
        elif isinstance(kind, exp.PrimaryKeyColumnConstraint):
            primary = True
        elif isinstance(kind, exp.DefaultColumnConstraint):
            default = kind.this.sql(dialect="sqlite")
        elif isinstance(kind, (exp.ComputedColumnConstraint, exp.GeneratedAsIdentityColumnConstraint)):
            generated = True
    return Column(item.name, not_null, default, generated, primary)


def _reference(columns: tuple[str, ...], reference: exp.Expression) -> ForeignKey:
    from sqlglot import exp

    target = reference.this
    table = target.this.name if isinstance(target, exp.Schema) else target.name
    ref_columns = tuple(i.name for i in target.expressions) if isinstance(target, exp.Schema) else ()
    actions = {"delete": "no action", "update": "no action"}
    for option in reference.args.get("options") or []:
        text = str(option).lower()
        for event in actions:
            if text.startswith(f"on {event} "):
                actions[event] = text.removeprefix(f"on {event} ").strip()
    return ForeignKey(columns, table, ref_columns, actions["delete"], actions["update"])


def _check_sql(node: exp.Expression) -> str:
    """A CHECK expression with table qualifiers dropped (``"__new_t"."a"`` reads ``"a"``)."""
    from sqlglot import exp

    bare = node.transform(
        lambda n: exp.column(n.name, quoted=True) if isinstance(n, exp.Column) and n.table else n
    )
    return str(bare.sql(dialect="sqlite"))


def find_recreations(statements: tuple[Statement, ...]) -> list[Recreation]:
    """drizzle-kit's rebuilds among the statements, in order."""
    found = []
    for create in statements:
        if create.kind != "create table" or not (create.table or "").startswith(RECREATED_PREFIX):
            continue
        assert create.table is not None
        table = create.table.removeprefix(RECREATED_PREFIX)
        later = statements[create.index + 1 :]
        copy = next((s for s in later if s.kind == "copy rows" and s.table == create.table), None)
        drop = next((s for s in later if s.kind == "drop table" and s.table == table), None)
        rename = next(
            (
                s
                for s in later
                if s.kind == "rename table"
                and s.table == create.table
                and s.node is not None
                and _rename_target(s.node) == table
            ),
            None,
        )
        if drop is not None and rename is not None:
            found.append(Recreation(table, create, copy, drop, rename))
    return found


def schema_from_snapshot(data: Mapping[str, Any]) -> dict[str, Table]:
    """The tables of a drizzle-kit SQLite snapshot (``meta/NNNN_snapshot.json``)."""
    tables = {}
    for name, table in (data.get("tables") or {}).items():
        columns = tuple(
            Column(
                name=c["name"],
                not_null=bool(c.get("notNull")),
                default=None if c.get("default") is None else _snapshot_default(c["default"]),
                generated=bool(c.get("generated")),
                primary_key=bool(c.get("primaryKey")),
            )
            for c in (table.get("columns") or {}).values()
        )
        foreign_keys = tuple(
            ForeignKey(
                tuple(fk["columnsFrom"]),
                fk["tableTo"],
                tuple(fk["columnsTo"]),
                fk.get("onDelete") or "no action",
                fk.get("onUpdate") or "no action",
            )
            for fk in (table.get("foreignKeys") or {}).values()
        )
        checks = tuple(
            _check_sql(_parse_expression(c["value"])) for c in (table.get("checkConstraints") or {}).values()
        )
        unique = tuple(
            tuple(ix["columns"]) for ix in (table.get("indexes") or {}).values() if ix.get("isUnique")
        ) + tuple(tuple(u["columns"]) for u in (table.get("uniqueConstraints") or {}).values())
        autoincrement = any(c.get("autoincrement") for c in (table.get("columns") or {}).values())
        tables[name] = Table(name, columns, foreign_keys, checks, unique, autoincrement)
    return tables


def _snapshot_default(value: object) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


def _parse_expression(sql: str) -> exp.Expression:
    import sqlglot
    from sqlglot import exp

    node = sqlglot.parse_one(sql, read="sqlite")
    assert isinstance(node, exp.Expression)
    return node


def journal_tags(folder: Path) -> list[str]:
    """The migrations in ``meta/_journal.json``, in the order they apply."""
    path = folder / "meta" / "_journal.json"
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))["entries"]
        return [str(e["tag"]) for e in sorted(entries, key=lambda e: int(e["idx"]))]
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise MigrationReadError(f"cannot read {path}: {e}") from e


def read_snapshot(folder: Path, tag: str) -> dict[str, Table] | None:
    """The schema drizzle-kit recorded after migration ``tag``; None when its snapshot is missing."""
    number = tag.split("_", 1)[0]
    path = folder / "meta" / f"{number}_snapshot.json"
    if not path.is_file():
        return None
    try:
        return schema_from_snapshot(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise MigrationReadError(f"cannot read {path}: {e}") from e


def read_migrations(folder: Path) -> list[Migration]:
    """Every migration in the journal, in order, each read against the schema before it.

    The schema after a migration is its snapshot, or, when the snapshot is
    missing, what the migration's statements make of the one before.
    """
    migrations = []
    before: dict[str, Table] = {}
    for tag in journal_tags(folder):
        path = folder / f"{tag}.sql"
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as e:
            raise MigrationReadError(f"cannot read {path}: {e}") from e
        statements, made = read_statements(text, before)
        after = read_snapshot(folder, tag)
        after = made if after is None else after
        migrations.append(Migration(tag, path, statements, before, after))
        before = after
    return migrations
