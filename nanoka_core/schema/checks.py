"""Checks that need the models as a whole: duplicate tables, relations, names,
renames, foreign keys, literal defaults. Per-field checks happen when the field is defined.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from nanoka_core.errors import ModelError, NanokaError, describe
from nanoka_core.schema.defaults import check_default
from nanoka_core.schema.expressions import is_kept
from nanoka_core.schema.fields import NO_DEFAULT, Relation
from nanoka_core.schema.models import Model, model_label, resolve_model, schema_object_names
from nanoka_core.schema.names import check_field_name, check_table_name
from nanoka_core.schema.references import check_foreign_keys


def check_models(models: Iterable[type[Model]]) -> None:
    """Names, duplicate tables, relation targets, foreign keys, literal defaults and declared renames."""
    models = list(models)
    seen: dict[str, type[Model]] = {}
    for model in models:
        check_table_name(model.table, model.base_table)
        folded = model.table.lower()
        if folded in seen:
            other = seen[folded]
            case = other.table != model.table
            case_note = f" (and {other.table!r}: SQLite table names ignore case)" if case else ""
            raise ModelError(
                f"two models use the table name {model.table!r}{case_note}; table names must be unique"
                f" ({model_label(other)} and {model_label(model)})"
            )
        seen[folded] = model
        columns: dict[str, str] = {}
        for name, field in model.fields.items():
            check_field_name(model.base_table, name)
            if isinstance(field, Relation):
                _check_relation(model, name, field)
                continue
            column = (field.column_name or name).lower()
            if column in columns:
                raise ModelError(
                    f"{model_label(model)}: fields {columns[column]!r} and {name!r} "
                    "are the same column in SQLite, which ignores case in column names"
                )
            columns[column] = name
            check_default(field, f"{model.base_table}.{name}")
            value = field.default_value
            if value is not NO_DEFAULT and not callable(value) and not is_kept(value):
                check_json_value(field.default_value, f"{model.base_table}.{name}")
        _check_field_renames(model)
    _check_table_renames(models, seen)
    _check_global_names(models)
    check_foreign_keys(models)


def _check_global_names(models: Iterable[type[Model]]) -> None:
    """Tables and indexes share one namespace in SQLite: the second of a name would fail on D1."""
    owners: dict[str, tuple[str, type[Model]]] = {}
    for model in models:
        for name in schema_object_names(model):
            folded = name.lower()
            if folded in owners and owners[folded][1] is not model:
                other_name, other = owners[folded]
                raise ModelError(
                    f"{model_label(other)} and {model_label(model)} both name a table or index {name!r}"
                    f"{f' (and {other_name!r})' if other_name != name else ''}: SQLite keeps table and "
                    "index names in one namespace per database (ignoring case); rename one "
                    "(index(..., name=...))"
                )
            owners.setdefault(folded, (name, model))


def _check_field_renames(model: type[Model]) -> None:
    """A column is renamed from a name no other field holds or claims."""
    claimed: dict[str, str] = {}
    for name, field in model.fields.items():
        old = field.previous_name
        if old is None:
            continue
        where = f"{model.base_table}.{name}: .renamed_from({old!r})"
        if old == name:
            raise ModelError(f"{where} names the field itself; remove .renamed_from()")
        if old in model.fields:
            raise ModelError(
                f"{where}: the model still has a field {old!r}; a renamed column exists under "
                "its new name only (remove one of the two)"
            )
        if old in claimed:
            raise ModelError(f"{where}: field {claimed[old]!r} is renamed from {old!r} too; keep one")
        claimed[old] = name


def _check_table_renames(models: Iterable[type[Model]], tables: dict[str, type[Model]]) -> None:
    """A table is renamed from a name no other model holds or claims."""
    claimed: dict[str, str] = {}
    for model in models:
        old = model.renamed_from
        if old is None:
            continue
        where = f"model {model.base_table!r}: renamed_from={old.removeprefix(model.table_prefix)!r}"
        if old.lower() in tables:
            raise ModelError(f"{where}: {model_label(tables[old.lower()])} still uses that table name")
        if old in claimed:
            raise ModelError(f"{where}: {claimed[old]} is renamed from {old!r} too; keep one")
        claimed[old] = model_label(model)


def _check_relation(model: type[Model], name: str, field: Relation) -> None:
    where = f"{model.base_table}.{name}"
    try:
        target = resolve_model(field.target, f"t.{field.kind}()")
    except NanokaError as e:
        raise ModelError(f"{where}: {e}") from e
    except (Exception, SystemExit) as e:
        raise ModelError(f"{where}: t.{field.kind}() target raised {describe(e)}") from e
    holder = model if field.kind == "belongs_to" else target
    fk = holder.fields.get(field.foreign_key)
    if fk is None or fk.is_relation:
        raise ModelError(
            f"{where}: foreign_key {field.foreign_key!r} is not a column of {model_label(holder)}"
        )


_SAFE_INTEGER = 2**53 - 1


def check_json_value(value: Any, where: str) -> None:
    """Accept only what JSON.stringify writes back exactly (NO_DEFAULT passes)."""
    if value is NO_DEFAULT or value is None or isinstance(value, (bool, str)):
        return
    if isinstance(value, int):
        if abs(value) > _SAFE_INTEGER:
            raise ModelError(f"{where}: default {value} is beyond JavaScript's safe integers (2**53 - 1)")
        return
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ModelError(f"{where}: default {value!r} cannot be written as JSON; use a finite number")
        return
    if type(value) in (list, tuple):  # not a subclass: index(...), check(...) are named tuples, not arrays
        for item in value:
            check_json_value(item, where)
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise ModelError(f"{where}: default has a non-string key {key!r}; JSON keys are strings")
            if key == "__proto__":
                raise ModelError(
                    f"{where}: default has a '__proto__' key, which a JavaScript object literal "
                    "turns into a prototype instead of a property; rename the key"
                )
            check_json_value(item, where)
        return
    raise ModelError(
        f"{where}: a default of type {type(value).__name__} cannot be written as JSON; "
        "use a JSON value (str, int, float, bool, None, list, dict) or a callable"
    )
