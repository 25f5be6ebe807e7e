"""Table-level declarations of a model: indexes, CHECK constraints and foreign keys.

``index(...)`` goes in a model's ``indexes=[...]``, ``check(...)`` (or a
``{"name": "SQL"}`` dict) in its ``checks=``, ``foreign_key(...)`` in its
``foreign_keys=[...]``. They are plain values (named tuples: immutable,
equal by value, and much cheaper than dataclasses to define at start-up);
the model checks them against its fields, the codegen renders them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, NamedTuple

from nanoka_core.errors import ModelError
from nanoka_core.schema.expressions import SQLExpression

# A check expression, token by token: a string literal, a quoted identifier,
# a word, or any one other character.
_SQL_TOKEN = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|[A-Za-z_][A-Za-z0-9_]*|.", re.DOTALL)


class Index(NamedTuple):
    """An index over ``fields`` (field names, or ``sql(...)`` expressions, in order);
    ``name`` None: a default name."""

    fields: tuple[str | SQLExpression, ...]
    unique: bool = False
    name: str | None = None
    where: str | None = None
    """A partial index's condition; field names in it are columns, as in a check."""
    constraint: bool = False
    """A unique constraint (``unique(...)``, Drizzle's ``unique().on()``) rather than a unique index."""


    @property
    def columns(self) -> tuple[str, ...]:
        """The field names among ``fields`` (an expression's own names are not counted)."""
        return tuple(field for field in self.fields if isinstance(field, str))


class ForeignKeyConstraint(NamedTuple):
    """A table-level foreign key: ``fields`` of this model point at ``target_fields`` of ``target``.

    ``target`` is a Model or a zero-argument callable returning one;
    ``target_fields`` None means the target's primary key; ``name`` None: Drizzle's
    default name.
    """

    fields: tuple[str, ...]
    target: Any
    target_fields: tuple[str, ...] | None = None
    name: str | None = None
    on_delete: str | None = None
    on_update: str | None = None


class Check(NamedTuple):
    """A CHECK constraint named ``<table>_<name>``; field names in ``expression`` are columns."""

    name: str
    expression: str


def index(
    *fields: str | SQLExpression, unique: bool = False, name: str | None = None, where: str | None = None
) -> Index:
    """A (composite) index or unique index over the named fields, partial with ``where``.

    A ``sql("lower(email)")`` among ``fields`` indexes that expression (field names in
    it are columns, as in a check); such an index needs a ``name``.
    """
    expressions = [field for field in fields if isinstance(field, SQLExpression)]
    names = tuple(field for field in fields if not isinstance(field, SQLExpression))
    _check_fields("index", names, name, bool(expressions))
    for expression in expressions:
        _check_expression(f"index{fields!r}: sql()", expression.text)
    if expressions and name is None:
        raise ModelError(
            f"index{fields!r}: an index on an expression needs a name: index(..., name=\"...\")"
        )
    if where is not None:
        if not isinstance(where, str) or not where.strip():
            raise ModelError(f"index{fields!r}: where= must be a non-empty SQL condition")
        _check_expression(f"index{fields!r}: where=", where)
    return Index(tuple(fields), unique, name, where)


def unique(*fields: str, name: str | None = None) -> Index:
    """A unique constraint over the named fields (Drizzle's ``unique('name').on(...)``)."""
    _check_fields("unique", fields, name)
    return Index(tuple(fields), True, name, constraint=True)


def _check_fields(what: str, fields: tuple[Any, ...], name: str | None, expressions: bool = False) -> None:
    if not fields and not expressions:
        raise ModelError(f"{what}() needs at least one field name")
    for field in fields:
        if not isinstance(field, str):
            also = " or sql(...) expressions" if what == "index" else ""
            raise ModelError(f"{what}(): fields are field names (strings){also}, got {field!r}")
    if len(set(fields)) != len(fields):
        raise ModelError(f"{what}{fields!r}: a field is named twice")
    if name is not None:
        from nanoka_core.schema.names import check_constraint_name

        check_constraint_name(name)


def foreign_key(
    fields: str | Sequence[str],
    target: Any,
    target_fields: str | Sequence[str] | None = None,
    *,
    name: str | None = None,
    on_delete: str | None = None,
    on_update: str | None = None,
) -> ForeignKeyConstraint:
    """A foreign key over one or several fields, Drizzle's ``foreignKey({ columns, foreignColumns, name })``.

    ``target`` is a Model or a zero-argument callable returning one (for forward and
    self references); ``target_fields`` default to the target's primary key.
    """
    from nanoka_core.schema.fields import check_action

    own = _names("foreign_key(): fields", fields)
    _check_fields("foreign_key", own, name)
    what = f"foreign_key({own!r})"
    theirs = None
    if target_fields is not None:
        theirs = _names(f"{what}: target fields", target_fields)
        for field in theirs:
            if not isinstance(field, str):
                raise ModelError(f"{what}: target fields are field names (strings), got {field!r}")
        if len(theirs) != len(own):
            raise ModelError(
                f"{what}: {len(own)} field(s) cannot point at {len(theirs)} target field(s) "
                f"{theirs!r}; give one target field per field"
            )
    check_action(what, "on_delete", on_delete)
    check_action(what, "on_update", on_update)
    if target is None or isinstance(target, str):
        raise ModelError(f"{what}: the target is a Model or a callable returning one, got {target!r}")
    return ForeignKeyConstraint(own, target, theirs, name, on_delete, on_update)


def _names(what: str, names: object) -> tuple[Any, ...]:
    """One field name or a tuple/list of them, as a tuple."""
    if isinstance(names, str):
        return (names,)
    if not isinstance(names, (tuple, list)):
        raise ModelError(f"{what} are a field name or a tuple of field names, got {names!r}")
    return tuple(names)


def check(name: str, expression: str) -> Check:
    """A CHECK constraint; ``checks={"name": "expression"}`` is the same thing."""
    from nanoka_core.schema.names import check_constraint_name

    check_constraint_name(name)
    if not isinstance(expression, str) or not expression.strip():
        raise ModelError(f"check {name!r}: the expression must be a non-empty SQL string")
    _check_expression(f"check {name!r}", expression)
    return Check(name, expression)


def sql_tokens(expression: str) -> list[str]:
    """String literals, quoted identifiers, words and single characters, in order."""
    return _SQL_TOKEN.findall(expression)


def _check_expression(where: str, expression: str) -> None:
    """The expression lands inside ``CHECK (...)`` of a migration: it may not
    close that parenthesis early or comment out the rest."""
    tokens = sql_tokens(expression)
    bare = "".join(t for t in tokens if len(t) == 1 or t[0] not in "'\"")
    if "'" in bare or '"' in bare:
        raise ModelError(f"{where}: a quote is not closed in {expression!r}")
    if "--" in bare or "/*" in bare or ";" in bare:
        raise ModelError(f"{where}: comments and ';' are not allowed in a check expression: {expression!r}")
    if any(t.lower() == "select" for t in tokens):  # a keyword: a column named so must be quoted
        raise ModelError(
            f"{where}: SQLite does not allow a subquery in a CHECK constraint (nor in an index's WHERE): "
            f"{expression!r}; "
            "check the rows in your application code, or with a trigger in a --custom migration"
        )
    depth = 0
    for token in tokens:
        depth += {"(": 1, ")": -1}.get(token, 0)
        if depth < 0:
            raise ModelError(f"{where}: a ')' closes more than was opened in {expression!r}")
    if depth:
        raise ModelError(f"{where}: a '(' is not closed in {expression!r}")


def as_checks(checks: Mapping[str, str] | Iterable[Check]) -> tuple[Check, ...]:
    """A model's ``checks=`` argument as Check values, in the order given."""
    if isinstance(checks, Mapping):
        return tuple(check(name, expression) for name, expression in checks.items())
    found = tuple(checks)
    for item in found:
        if not isinstance(item, Check):
            raise ModelError(f"checks: expected a dict of name -> SQL or check(...) values, got {item!r}")
    return found
