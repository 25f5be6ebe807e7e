"""t.money(): an amount of money stored as integer cents.

Adds a field kind and renders it; every common modifier (``.optional()``,
``.unique()``, ``.default(0)``...) works on it because it is a ``Field``.
Amounts are written as people write them (``.default(19.99)``) and stored in
cents, so ``Money`` converts its default where it is given: the schema gets
``.default(1999)``.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal

from nanoka_core import Column, Field, hookimpl


@dataclasses.dataclass(frozen=True)
class Money(Field):
    currency: str = "EUR"

    def default(self, value):
        """``19.99`` becomes ``1999``: the column holds cents, so its default must too."""
        return super().default(value if callable(value) else to_cents(value))


def to_cents(amount) -> int:
    if isinstance(amount, bool) or not isinstance(amount, (int, float, Decimal)):
        raise TypeError(f"t.money().default({amount!r}): give an amount such as 19.99")
    cents = Decimal(str(amount)) * 100
    if cents != cents.to_integral_value():
        raise ValueError(f"t.money().default({amount!r}): not a whole number of cents")
    return int(cents)


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
