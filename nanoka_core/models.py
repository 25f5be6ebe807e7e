"""Models: a table name plus fields in definition order.

Two spellings make the same thing: ``define_model("users", {...})`` and
``class User(Model, table="users")``. Both give a ``Model`` subclass with
``.table`` and ``.fields``.
"""

from __future__ import annotations

import itertools
import sys
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, ClassVar, TypeGuard

from nanoka_core.errors import ModelError
from nanoka_core.fields import Field
from nanoka_core.names import plain_name

_creation_order = itertools.count()


class Model:
    """Base class of every model. Subclass it with ``table="name"``."""

    table: ClassVar[str]
    fields: ClassVar[Mapping[str, Field]]
    _order: ClassVar[int]

    def __init_subclass__(cls, table: str | None = None, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if table is None:
            raise ModelError(
                f'model class {cls.__name__} needs a table: class {cls.__name__}(Model, table="...")'
            )
        if not isinstance(table, str):
            raise ModelError(f"model {cls.__name__}: table must be a string, got {table!r}")
        table = plain_name(table)
        fields: dict[str, Field] = {}
        for klass in reversed(cls.__mro__[1:]):  # bases first: models, then plain mixins' fields
            if klass is Model or klass is object:  # they hold no fields
                continue
            if issubclass(klass, Model):
                fields.update(klass.fields)
            else:
                fields.update({k: v for k, v in vars(klass).items() if isinstance(v, Field)})
        fields.update({k: v for k, v in vars(cls).items() if isinstance(v, Field)})
        cls.table = table
        cls.fields = MappingProxyType(fields)
        cls._order = next(_creation_order)

    def __init__(self) -> None:
        raise TypeError("nanoka models describe tables; they are not instantiated")


def is_model(value: object) -> TypeGuard[type[Model]]:
    """A model class (``Model`` itself is only the base)."""
    return isinstance(value, type) and issubclass(value, Model) and value is not Model


def define_model(table: str, fields: Mapping[str, Field]) -> type[Model]:
    """Define a model from a table name and an ordered mapping of fields."""
    table = plain_name(table)
    if not isinstance(fields, Mapping):
        raise ModelError(f"define_model({table!r}, ...): fields must be a dict of name -> t.<kind>()")
    fields = {plain_name(name): value for name, value in fields.items()}
    for name, value in fields.items():
        if not isinstance(value, Field):
            raise ModelError(
                f"define_model({table!r}, ...): field {name!r} must be a t.<kind>() field, got {value!r}"
            )
    caller = sys._getframe(1).f_globals.get("__name__", __name__)
    namespace: dict[str, Any] = {"__module__": caller, "__qualname__": str(table)}
    model: type[Model] = type(str(table), (Model,), namespace, table=table)
    model.fields = MappingProxyType(dict(fields))
    return model
