"""Table-level declarations of a model: indexes and CHECK constraints.

``index(...)`` goes in a model's ``indexes=[...]``, ``check(...)`` (or a
``{"name": "SQL"}`` dict) in its ``checks=``. They are plain values; the
model checks them against its fields, the codegen plugin renders them.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping

from nanoka_core.errors import ModelError

# A check expression, token by token: a string literal, a quoted identifier,
# a word, or any one other character.
_SQL_TOKEN = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|[A-Za-z_][A-Za-z0-9_]*|.", re.DOTALL)


@dataclasses.dataclass(frozen=True)
class Index:
    """An index over ``fields`` (field names, in order); ``name`` None: a default name."""

    fields: tuple[str, ...]
    unique: bool = False
    name: str | None = None
    where: str | None = None
    """A partial index's condition; field names in it are columns, as in a check."""
    constraint: bool = False
    """A unique constraint (``unique(...)``, Drizzle's ``unique().on()``) rather than a unique index."""


@dataclasses.dataclass(frozen=True)
class Check:
    """A CHECK constraint named ``<table>_<name>``; field names in ``expression`` are columns."""

    name: str
    expression: str


def index(*fields: str, unique: bool = False, name: str | None = None, where: str | None = None) -> Index:
    """A (composite) index or unique index over the named fields, partial with ``where``."""
    _check_fields("index", fields, name)
    if where is not None:
        if not isinstance(where, str) or not where.strip():
            raise ModelError(f"index{fields!r}: where= must be a non-empty SQL condition")
        _check_expression(f"index{fields!r}: where=", where)
    return Index(tuple(fields), unique, name, where)


def unique(*fields: str, name: str | None = None) -> Index:
    """A unique constraint over the named fields (Drizzle's ``unique('name').on(...)``)."""
    _check_fields("unique", fields, name)
    return Index(tuple(fields), True, name, constraint=True)


def _check_fields(what: str, fields: tuple[str, ...], name: str | None) -> None:
    if not fields:
        raise ModelError(f"{what}() needs at least one field name")
    for field in fields:
        if not isinstance(field, str):
            raise ModelError(f"{what}(): fields are field names (strings), got {field!r}")
    if len(set(fields)) != len(fields):
        raise ModelError(f"{what}{fields!r}: a field is named twice")
    if name is not None:
        from nanoka_core.schema.names import check_constraint_name

        check_constraint_name(name)


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
