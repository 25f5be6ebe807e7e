"""Models: a table name plus fields in definition order.

Two spellings make the same thing: ``define_model("users", {...})`` and
``class User(Model, table="users")``. Both give a ``Model`` subclass with
``.table`` and ``.fields``, and the table-level declarations ``.indexes``,
``.checks``, ``.primary_key`` and ``.foreign_keys`` (both take the same keyword arguments).
"""

from __future__ import annotations

import itertools
import sys
from collections.abc import Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import Any, ClassVar, TypeGuard

from nanoka_core.errors import ModelError
from nanoka_core.schema.constraints import Check, ForeignKeyConstraint, Index, as_checks
from nanoka_core.schema.expressions import SQLExpression
from nanoka_core.schema.fields import Field
from nanoka_core.schema.names import plain_name

_creation_order = itertools.count()


class Model:
    """Base class of every model. Subclass it with ``table="name"``."""

    table: ClassVar[str]
    """The table's SQL name: ``table_prefix`` + ``base_table``."""
    base_table: ClassVar[str]
    """The table name the model was written with."""
    table_prefix: ClassVar[str] = ""
    """The project's ``table-prefix`` (``apply_naming``), rendered as ``sqliteTableCreator``."""
    previous_prefix: ClassVar[str | None] = None
    """The config's ``table-prefix-renamed-from``: the prefix the table had in the last migration."""
    fields: ClassVar[Mapping[str, Field]]
    indexes: ClassVar[tuple[Index, ...]] = ()
    checks: ClassVar[tuple[Check, ...]] = ()
    primary_key: ClassVar[tuple[str, ...] | None] = None
    foreign_keys: ClassVar[tuple[ForeignKeyConstraint, ...]] = ()
    """Table-level foreign keys (``foreign_key(...)``); a field's ``.references()`` is on the field."""
    renamed_from: ClassVar[str | None] = None
    """The table's name in the last migration, when it was renamed since."""
    export_name: ClassVar[str | None] = None
    """The TypeScript name the schema exports the table under; None: the table's base name."""
    export_rule: ClassVar[str | None] = None
    """The config's ``export-names`` rule, when it made ``export_name``."""
    relations_name: ClassVar[str | None] = None
    """The exported name of the ``relations()`` of its ``t.one()``/``t.many()`` fields."""
    _order: ClassVar[int]
    _declared: ClassVar[tuple[str | None, str | None]]
    """``renamed_from`` and ``export_name`` as written, before ``apply_naming``."""

    def __init_subclass__(
        cls,
        table: str | None = None,
        indexes: Iterable[Index] = (),
        checks: Mapping[str, str] | Iterable[Check] = (),
        primary_key: Sequence[str] | None = None,
        renamed_from: str | None = None,
        export_name: str | None = None,
        relations_name: str | None = None,
        foreign_keys: Iterable[ForeignKeyConstraint] = (),
        **kwargs: Any,
    ) -> None:
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
        if renamed_from is not None:
            from nanoka_core.schema.names import check_previous_name

            check_previous_name(renamed_from, f"model {table!r}: renamed_from={renamed_from!r}")
            if renamed_from == table:
                raise ModelError(f"model {table!r}: renamed_from={renamed_from!r} is its own name")
        cls.table = cls.base_table = table
        cls.table_prefix, cls.previous_prefix = "", None
        cls.renamed_from = renamed_from
        cls.export_name = _export_name(table, export_name)
        cls.export_rule = None
        cls._declared = (renamed_from, cls.export_name)
        cls.relations_name = _export_name(table, relations_name, "relations_name")
        cls.fields = MappingProxyType(fields)
        cls._order = next(_creation_order)
        _declare_table_level(cls, indexes, checks, primary_key, foreign_keys)

    def __init__(self) -> None:
        raise TypeError("nanoka models describe tables; they are not instantiated")


def _export_name(table: str, export_name: str | None, key: str = "export_name") -> str | None:
    if export_name is None:
        return None
    from nanoka_core.schema.names import check_export_name

    check_export_name(export_name, f"model {table!r}: {key}={export_name!r}")
    return str(plain_name(export_name))


def apply_naming(
    models: Iterable[type[Model]],
    table_prefix: str = "",
    export_names: str | None = None,
    where: str = "",
    previous_prefix: str | None = None,
) -> None:
    """Give ``models`` the project's table prefix and export-naming rule (the config's
    ``table-prefix`` and ``export-names``; ``where`` names them in errors), and the
    prefix the tables had in the last migration (``table-prefix-renamed-from``), if it changed.

    The prefix makes the SQL name of the table and of its ``renamed_from``;
    the rule the export name of each model that declares none. Applying
    again starts from the names as written, so a model loaded twice is named once.
    """
    from nanoka_core.schema.names import check_export_name

    exported: dict[str, type[Model]] = {}
    for model in models:
        renamed_from, export_name = model._declared
        model.table_prefix, model.previous_prefix = table_prefix, previous_prefix
        model.table = table_prefix + model.base_table
        model.renamed_from = None if renamed_from is None else table_prefix + renamed_from
        model.export_name, model.export_rule = export_name, None
        if export_name is None and export_names is not None:
            model.export_name = export_rule_name(export_names, model.base_table)
            model.export_rule = export_names
            check_export_name(
                model.export_name,
                f"{where}{export_names!r} exports model {model.base_table!r} as {model.export_name!r}, which",
            )
            other = exported.get(model.export_name)
            if other is not None:
                raise ModelError(
                    f"{where}{export_names!r} exports models {other.base_table!r} and {model.base_table!r} "
                    f"both as {model.export_name!r}; give one an export_name= of its own"
                )
        elif export_name is None and table_prefix:
            check_export_name(model.base_table, f"model {model.base_table!r} (exported under its name)")
        exported.setdefault(model.export_name or model.base_table, model)


def model_label(model: type[Model]) -> str:
    """How a message names ``model``: as written (what its code says), and its SQL table when a
    table prefix makes the two differ: ``model 'post' (table app_post)``."""
    named = f"model {model.base_table!r}"
    return f"{named} (table {model.table})" if model.table != model.base_table else named


def export_rule_name(rule: str, table: str) -> str:
    """The export name ``rule`` (``"{camel}Table"``...) gives ``table``: ``{name}`` is the name as
    written, ``{camel}`` its words (split at ``_``) in camelCase, ``{pascal}`` in PascalCase."""
    words = [w for w in table.split("_") if w]
    pascal = "".join(w[:1].upper() + w[1:] for w in words)
    camel = pascal[:1].lower() + pascal[1:]
    return rule.format(name=table, camel=camel, pascal=pascal)


def is_model(value: object) -> TypeGuard[type[Model]]:
    """A model class (``Model`` itself is only the base)."""
    return isinstance(value, type) and issubclass(value, Model) and value is not Model


def _declare_table_level(
    model: type[Model],
    indexes: Iterable[Index],
    checks: Mapping[str, str] | Iterable[Check],
    primary_key: Sequence[str] | None,
    foreign_keys: Iterable[ForeignKeyConstraint] = (),
) -> None:
    """Set the table-level declarations, checked against the model's columns."""
    where = f"model {model.table!r}"
    if isinstance(primary_key, str) or (primary_key is not None and not primary_key):
        raise ModelError(f"{where}: primary_key= takes a tuple of field names, e.g. primary_key=('a', 'b')")
    model.indexes = tuple(indexes)
    try:
        model.checks = as_checks(checks)
    except ModelError as e:
        raise ModelError(f"{where}: {e}") from e
    model.primary_key = None if primary_key is None else tuple(primary_key)
    for item in model.indexes:
        if not isinstance(item, Index):
            raise ModelError(f"{where}: indexes= takes index(...) values, got {item!r}")
        _check_columns(model, item.columns, f"{where}: index{item.fields!r}")
    model.foreign_keys = tuple(foreign_keys)
    for key in model.foreign_keys:
        if not isinstance(key, ForeignKeyConstraint):
            raise ModelError(f"{where}: foreign_keys= takes foreign_key(...) values, got {key!r}")
        _check_columns(model, key.fields, f"{where}: foreign_key({key.fields!r})")
    if model.primary_key is None:
        return
    _check_columns(model, model.primary_key, f"{where}: primary_key=")
    for name in model.primary_key:
        if model.fields[name].is_optional:
            raise ModelError(
                f"{where}: primary_key= names {name!r}, which is .optional(); a key cannot be NULL"
            )
    marked = [name for name, field in model.fields.items() if field.is_primary]
    if marked:
        raise ModelError(
            f"{where}: field {marked[0]!r} is .primary() and the model also has primary_key=; "
            "declare the key one way: drop .primary() or primary_key="
        )


def _check_columns(model: type[Model], names: Sequence[str], where: str) -> None:
    for name in names:
        field = model.fields.get(name) if isinstance(name, str) else None
        if field is None or field.is_relation:
            columns = ", ".join(n for n, f in model.fields.items() if not f.is_relation)
            raise ModelError(f"{where}: {name!r} is not a column of the model (columns: {columns})")


def define_model(
    table: str,
    fields: Mapping[str, Field],
    *,
    indexes: Iterable[Index] = (),
    checks: Mapping[str, str] | Iterable[Check] = (),
    primary_key: Sequence[str] | None = None,
    renamed_from: str | None = None,
    export_name: str | None = None,
    relations_name: str | None = None,
    foreign_keys: Iterable[ForeignKeyConstraint] = (),
) -> type[Model]:
    """Define a model from a table name and an ordered mapping of fields.

    ``renamed_from`` names the table in the last migration, when it was renamed since;
    ``export_name`` is the name the schema exports it under (default: the table name);
    ``relations_name`` the name of its ``relations()`` (default: ``<export name>Relations``).
    """
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
    model: type[Model] = type(
        str(table), (Model,), namespace, table=table, renamed_from=renamed_from, export_name=export_name,
        relations_name=relations_name,
    )
    model.fields = MappingProxyType(dict(fields))
    _declare_table_level(model, indexes, checks, primary_key, foreign_keys)
    return model


def resolve_model(target: Any, what: str) -> type[Model]:
    """``target`` itself when it is a model, else what the zero-argument callable returns
    (a callable allows forward references)."""
    if not is_model(target) and callable(target) and not isinstance(target, type):
        target = target()
    if not is_model(target):
        raise ModelError(f"{what} target must be a Model or a callable returning one, got {target!r}")
    return target


def index_names(model: type[Model]) -> list[tuple[str, tuple[str | SQLExpression, ...], bool]]:
    """(name, fields, unique) of each index the model declares, named as the schema names them.

    ``.index()`` on a field gives ``<table>_<column>_idx``; ``index(...)``
    without a name ``<table>_<columns>_idx`` or ``_unique`` (an index on an
    expression always has a name).
    """
    found: list[tuple[str, tuple[str | SQLExpression, ...], bool]] = []
    for name, field in model.fields.items():
        if field.is_indexed:
            found.append((f"{model.table}_{field.column_name or name}_idx", (name,), False))
    for declared in model.indexes:
        suffix = "unique" if declared.unique else "idx"
        columns = [model.fields[f].column_name or f for f in declared.columns]
        name = declared.name or "_".join([model.table, *columns, suffix])
        found.append((name, declared.fields, declared.unique))
    return found


def schema_object_names(model: type[Model]) -> list[str]:
    """Names the model puts in SQLite's one namespace of tables and indexes (``.unique()`` too)."""
    unique_columns = [
        f"{model.table}_{field.column_name or name}_unique"
        for name, field in model.fields.items()
        if field.is_unique
    ]
    return [model.table, *(name for name, _, _ in index_names(model)), *unique_columns]
