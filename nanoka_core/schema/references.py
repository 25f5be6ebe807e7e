"""Foreign keys: which columns of a model point where, checked against both models.

A column becomes a foreign key through ``.references(...)`` on it or a
``t.belongs_to(..., on_delete=...)`` (or ``on_update=``) naming it. Whether
the pair makes sense (the target exists and has that column, the types
agree, ``set null`` may store NULL) can only be known once every model is
defined, so it is checked here, at generate time.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection

from nanoka_core.errors import ModelError, NanokaError, describe
from nanoka_core.schema.fields import SQL_TYPES, Field, ForeignKey, Relation
from nanoka_core.schema.models import Model, model_label, resolve_model


@dataclasses.dataclass(frozen=True)
class ResolvedKey:
    """A foreign key with its target found: ``target.fields[column]``."""

    target: type[Model]
    column: str
    on_delete: str | None
    on_update: str | None


def foreign_keys(model: type[Model]) -> dict[str, ForeignKey]:
    """Field name -> foreign key, for every column of ``model`` that is one."""
    found: dict[str, ForeignKey] = {}
    from_relations: dict[str, tuple[str, ForeignKey]] = {}
    for name, field in model.fields.items():
        if field.reference is not None:
            found[name] = field.reference
        elif isinstance(field, Relation) and (field.on_delete is not None or field.on_update is not None):
            key = ForeignKey(field.target, None, field.on_delete, field.on_update)
            from_relations[field.foreign_key] = (name, key)
    for column, (relation, key) in from_relations.items():
        if column in found:
            raise ModelError(
                f"{model.base_table}.{column}: a foreign key both from .references() and from "
                f"t.belongs_to() {relation!r} with an action; keep one of them"
            )
        found[column] = key
    return found


def resolve(model: type[Model], name: str, key: ForeignKey) -> ResolvedKey:
    """The target of ``model.<name>``'s foreign key, or a ModelError saying what is wrong."""
    where = f"{model.base_table}.{name}"
    try:
        target = resolve_model(key.target, f"{where}: the foreign key's")
    except NanokaError:
        raise
    except (Exception, SystemExit) as e:
        raise ModelError(f"{where}: the foreign key's target raised {describe(e)}") from e
    column = key.column or _single_primary_key(target, where)
    target_field = target.fields.get(column)
    if target_field is None or target_field.is_relation:
        raise ModelError(
            f"{where}: the foreign key names {column!r}, which is not a column of {model_label(target)}"
        )
    if not _is_unique(target, column, target_field):
        raise ModelError(
            f"{where}: the foreign key points at {target.base_table}.{column}, which is neither the primary "
            "key nor unique; SQLite requires one of the two (add .unique() to it)"
        )
    field = model.fields.get(name)
    if field is None or field.is_relation:
        raise ModelError(f"{where}: the foreign key's column is not a column of {model_label(model)}")
    _check_types(where, field, f"{target.base_table}.{column}", target_field)
    if "set null" in (key.on_delete, key.on_update) and not field.is_optional:
        raise ModelError(
            f"{where}: 'set null' needs a column that may be NULL; add .optional() to it "
            "or choose another action"
        )
    return ResolvedKey(target, column, key.on_delete, key.on_update)


def _single_primary_key(target: type[Model], where: str) -> str:
    keys = list(target.primary_key or (name for name, field in target.fields.items() if field.is_primary))
    if len(keys) != 1:
        raise ModelError(
            f"{where}: the foreign key's target {target.table!r} has no single-column primary key; "
            "name the target column: .references(..., column='<field>')"
        )
    return keys[0]


def _is_unique(target: type[Model], column: str, field: Field) -> bool:
    if field.is_primary or field.is_unique or target.primary_key == (column,):
        return True
    return any(index.unique and index.fields == (column,) for index in target.indexes)


def _check_types(where: str, field: Field, target_where: str, target_field: Field) -> None:
    mine, theirs = SQL_TYPES.get(field.kind), SQL_TYPES.get(target_field.kind)
    if mine is not None and theirs is not None and mine != theirs:
        raise ModelError(
            f"{where}: a t.{field.kind}() column ({mine}) cannot reference {target_where}, a "
            f"t.{target_field.kind}() column ({theirs}); make the two the same SQL type"
        )


def check_foreign_keys(models: Collection[type[Model]]) -> None:
    """Every foreign key resolves, to a model that is generated too."""
    for model in models:
        for name, key in foreign_keys(model).items():
            resolve_among(models, model, name, key)


def resolve_among(
    models: Collection[type[Model]], model: type[Model], name: str, key: ForeignKey
) -> ResolvedKey:
    """``resolve``, and the target must be one of ``models``."""
    resolved = resolve(model, name, key)
    if resolved.target not in models:
        raise ModelError(
            f"{model.base_table}.{name}: the foreign key points at {model_label(resolved.target)}, which is "
            "not among the models generated; add its module to 'models' in the config"
        )
    return resolved
