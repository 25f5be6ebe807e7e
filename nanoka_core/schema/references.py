"""Foreign keys: which columns of a model point where, checked against both models.

A column becomes a foreign key through ``.references(...)`` on it or a
``t.belongs_to(..., on_delete=...)`` (or ``on_update=``) naming it; a
table-level ``foreign_key(...)`` (in ``foreign_keys=``) makes one over one or
several columns, possibly with its own name. Whether
the pair makes sense (the target exists and has that column, the types
agree, ``set null`` may store NULL) can only be known once every model is
defined, so it is checked here, at generate time.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import NamedTuple

from nanoka_core.errors import ModelError, NanokaError, describe
from nanoka_core.schema.constraints import ForeignKeyConstraint
from nanoka_core.schema.fields import SQL_TYPES, Field, ForeignKey, Relation
from nanoka_core.schema.models import Model, model_label, resolve_model


class ResolvedKey(NamedTuple):
    """A foreign key with its target found: ``target.fields[column]``."""

    target: type[Model]
    column: str
    on_delete: str | None
    on_update: str | None


class ResolvedConstraint(NamedTuple):
    """A table-level foreign key with its target found: ``fields`` -> ``target.target_fields``."""

    target: type[Model]
    fields: tuple[str, ...]
    target_fields: tuple[str, ...]
    name: str | None
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


def _target(key: ForeignKey | ForeignKeyConstraint, where: str) -> type[Model]:
    try:
        return resolve_model(key.target, f"{where}: the foreign key's")
    except NanokaError:
        raise
    except (Exception, SystemExit) as e:
        raise ModelError(f"{where}: the foreign key's target raised {describe(e)}") from e


def resolve(model: type[Model], name: str, key: ForeignKey) -> ResolvedKey:
    """The target of ``model.<name>``'s foreign key, or a ModelError saying what is wrong."""
    where = f"{model.base_table}.{name}"
    target = _target(key, where)
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


def resolve_constraint(model: type[Model], key: ForeignKeyConstraint) -> ResolvedConstraint:
    """A ``foreign_key(...)`` of ``model`` with its target found, or a ModelError saying what is wrong."""
    where = f"model {model.table!r}: foreign_key({key.fields!r})"
    target = _target(key, where)
    theirs = key.target_fields
    if theirs is None:
        theirs = _primary_key(target)
        if not theirs:
            raise ModelError(
                f"{where}: the target {target.table!r} has no primary key; "
                "name the target fields: foreign_key(fields, Target, (...))"
            )
    if len(theirs) != len(key.fields):
        raise ModelError(
            f"{where}: {len(key.fields)} field(s) cannot point at the {len(theirs)} of "
            f"{target.table}{theirs!r}; give one target field per field"
        )
    for own, other in zip(key.fields, theirs, strict=True):
        target_field = target.fields.get(other)
        if target_field is None or target_field.is_relation:
            raise ModelError(f"{where}: {other!r} is not a column of {target.table!r}")
        _check_types(f"{model.table}.{own}", model.fields[own], f"{target.table}.{other}", target_field)
    if not _is_unique_set(target, theirs):
        raise ModelError(
            f"{where}: {target.table}{theirs!r} is neither the primary key nor under a unique index or "
            "constraint over exactly those fields; SQLite requires one of the two (add "
            f"unique({', '.join(repr(f) for f in theirs)}) to {target.table!r})"
        )
    if "set null" in (key.on_delete, key.on_update):
        required = [f for f in key.fields if not model.fields[f].is_optional]
        if required:
            raise ModelError(
                f"{where}: 'set null' needs fields that may be NULL; {required[0]!r} is not "
                "(add .optional() to it or choose another action)"
            )
    return ResolvedConstraint(target, key.fields, tuple(theirs), key.name, key.on_delete, key.on_update)


def _primary_key(target: type[Model]) -> tuple[str, ...]:
    return target.primary_key or tuple(name for name, field in target.fields.items() if field.is_primary)


def _is_unique_set(target: type[Model], fields: tuple[str, ...]) -> bool:
    """Whether SQLite accepts ``fields`` of ``target`` as a parent key (any order)."""
    wanted = set(fields)
    if set(_primary_key(target)) == wanted or (len(fields) == 1 and target.fields[fields[0]].is_unique):
        return True
    return any(
        index.unique and index.where is None and len(index.columns) == len(index.fields)
        and set(index.columns) == wanted and len(index.columns) == len(wanted)
        for index in target.indexes
    )


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
    return any(index.unique and index.where is None and index.fields == (column,) for index in target.indexes)


def _check_types(where: str, field: Field, target_where: str, target_field: Field) -> None:
    mine, theirs = SQL_TYPES.get(field.kind), SQL_TYPES.get(target_field.kind)
    if mine is not None and theirs is not None and mine != theirs:
        raise ModelError(
            f"{where}: a t.{field.kind}() column ({mine}) cannot reference {target_where}, a "
            f"t.{target_field.kind}() column ({theirs}); make the two the same SQL type"
        )


def check_foreign_keys(models: Collection[type[Model]]) -> None:
    """Every foreign key resolves, to a model that is generated too; no two of a table share a name."""
    for model in models:
        names: dict[str, str] = {}
        for name, key in foreign_keys(model).items():
            resolved = resolve_among(models, model, name, key)
            names[_default_name(model, (name,), resolved.target, (resolved.column,))] = f"field {name!r}"
        for constraint in model.foreign_keys:
            found = resolve_constraint_among(models, model, constraint)
            fk_name = found.name or _default_name(model, found.fields, found.target, found.target_fields)
            what = f"foreign_key({found.fields!r})"
            if fk_name.lower() in (n.lower() for n in names):
                other = next(v for n, v in names.items() if n.lower() == fk_name.lower())
                raise ModelError(
                    f"model {model.table!r}: {what} and {other} both make a foreign key named {fk_name!r}; "
                    "drizzle-kit would keep only one of them: give one another name= (or drop the copy)"
                )
            names[fk_name] = what


def _default_name(
    model: type[Model], fields: tuple[str, ...], target: type[Model], target_fields: tuple[str, ...]
) -> str:
    """Drizzle's name of a foreign key without one: ``<table>_<columns>_<target>_<columns>_fk``."""
    own = [model.fields[f].column_name or f for f in fields]
    theirs = [target.fields[f].column_name or f for f in target_fields]
    return "_".join([model.table, *own, target.table, *theirs, "fk"])


def resolve_constraint_among(
    models: Collection[type[Model]], model: type[Model], key: ForeignKeyConstraint
) -> ResolvedConstraint:
    """``resolve_constraint``, and the target must be one of ``models``."""
    resolved = resolve_constraint(model, key)
    if resolved.target not in models:
        raise ModelError(
            f"model {model.table!r}: foreign_key({key.fields!r}) points at model {resolved.target.table!r}, "
            "which is not among the models generated; add its module to 'models' in the config"
        )
    return resolved


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
