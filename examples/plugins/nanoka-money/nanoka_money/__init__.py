"""t.money(): an amount of money stored as integer cents.

Adds a field kind and renders it; every common modifier (``.optional()``,
``.unique()``, ``.default(0)``...) works on it because it is a ``Field``.
"""

from __future__ import annotations

import dataclasses

from nanoka_core import Column, Field, hookimpl


@dataclasses.dataclass(frozen=True)
class Money(Field):
    currency: str = "EUR"


def money(currency: str = "EUR") -> Money:
    return Money("money", currency=currency)


@hookimpl
def nanoka_register_field_types(register):
    register("money", money)


@hookimpl
def nanoka_emit_column(name, field, ctx):
    if field.kind == "money":
        return Column(f"integer('{name}')", imports={"integer"})
    return None
