"""Table-level declarations of a model: indexes and CHECK constraints.

``index(...)`` goes in a model's ``indexes=[...]``, ``check(...)`` (or a
``{"name": "SQL"}`` dict) in its ``checks=``. They are plain values; the
model checks them against its fields, the codegen plugin renders them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping

from nanoka_core.errors import ModelError


@dataclasses.dataclass(frozen=True)
class Index:
    """An index over ``fields`` (field names, in order); ``name`` None: a default name."""

    fields: tuple[str, ...]
    unique: bool = False
    name: str | None = None


@dataclasses.dataclass(frozen=True)
class Check:
    """A CHECK constraint named ``<table>_<name>``; field names in ``expression`` are columns."""

    name: str
    expression: str


def index(*fields: str, unique: bool = False, name: str | None = None) -> Index:
    """A (composite) index or unique index over the named fields."""
    if not fields:
        raise ModelError("index() needs at least one field name")
    for field in fields:
        if not isinstance(field, str):
            raise ModelError(f"index(): fields are field names (strings), got {field!r}")
    if len(set(fields)) != len(fields):
        raise ModelError(f"index{fields!r}: a field is named twice")
    if name is not None:
        from nanoka_core.names import check_constraint_name

        check_constraint_name(name)
    return Index(tuple(fields), unique, name)


def check(name: str, expression: str) -> Check:
    """A CHECK constraint; ``checks={"name": "expression"}`` is the same thing."""
    from nanoka_core.names import check_constraint_name

    check_constraint_name(name)
    if not isinstance(expression, str) or not expression.strip():
        raise ModelError(f"check {name!r}: the expression must be a non-empty SQL string")
    return Check(name, expression)


def as_checks(checks: Mapping[str, str] | Iterable[Check]) -> tuple[Check, ...]:
    """A model's ``checks=`` argument as Check values, in the order given."""
    if isinstance(checks, Mapping):
        return tuple(check(name, expression) for name, expression in checks.items())
    found = tuple(checks)
    for item in found:
        if not isinstance(item, Check):
            raise ModelError(f"checks: expected a dict of name -> SQL or check(...) values, got {item!r}")
    return found
