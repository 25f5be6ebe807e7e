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

_creation_order = itertools.count()


class Model:
    """Base class of every model. Subclass it with ``table="name"``."""

    table: ClassVar[str]
    fields: ClassVar[Mapping[str, Field]]
    renamed_from: ClassVar[str | None]
    """The table's name in the last migration, when it was renamed since."""
    _order: ClassVar[int]

    def __init_subclass__(
        cls, table: str | None = None, renamed_from: str | None = None, **kwargs: Any
    ) -> None:
        super().__init_subclass__(**kwargs)
        if table is None:
            raise ModelError(
                f'model class {cls.__name__} needs a table: class {cls.__name__}(Model, table="...")'
            )
        if not isinstance(table, str):
            raise ModelError(f"model {cls.__name__}: table must be a string, got {table!r}")
        fields: dict[str, Field] = {}
        for klass in reversed(cls.__mro__[1:]):  # bases first: models, then plain mixins' fields
            if klass is not Model and issubclass(klass, Model):
                fields.update(klass.fields)
            else:
                fields.update({k: v for k, v in vars(klass).items() if isinstance(v, Field)})
        fields.update({k: v for k, v in vars(cls).items() if isinstance(v, Field)})
        if renamed_from is not None:
            from nanoka_core.names import check_previous_name

            check_previous_name(renamed_from, f"model {table!r}: renamed_from={renamed_from!r}")
            if renamed_from == table:
                raise ModelError(f"model {table!r}: renamed_from={renamed_from!r} is its own name")
        cls.table = table
        cls.renamed_from = renamed_from
        cls.fields = MappingProxyType(fields)
        cls._order = next(_creation_order)

    def __init__(self) -> None:
        raise TypeError("nanoka models describe tables; they are not instantiated")


def is_model(value: object) -> TypeGuard[type[Model]]:
    """A model class (``Model`` itself is only the base)."""
    return isinstance(value, type) and issubclass(value, Model) and value is not Model


def define_model(
    table: str, fields: Mapping[str, Field], *, renamed_from: str | None = None
) -> type[Model]:
    """Define a model from a table name and an ordered mapping of fields.

    ``renamed_from`` names the table in the last migration, when it was renamed since.
    """
    if not isinstance(fields, Mapping):
        raise ModelError(f"define_model({table!r}, ...): fields must be a dict of name -> t.<kind>()")
    for name, value in fields.items():
        if not isinstance(value, Field):
            raise ModelError(
                f"define_model({table!r}, ...): field {name!r} must be a t.<kind>() field, got {value!r}"
            )
    caller = sys._getframe(1).f_globals.get("__name__", __name__)
    namespace: dict[str, Any] = {"__module__": caller, "__qualname__": str(table)}
    model: type[Model] = type(
        str(table), (Model,), namespace, table=table, renamed_from=renamed_from
    )
    model.fields = MappingProxyType(dict(fields))
    return model
