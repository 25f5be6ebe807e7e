"""Import the models a config names and check them as a whole.

Checks that need more than one field at a time live here: duplicate tables,
relations, names. Per-field checks happen when the field is defined.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import math
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

from nanoka_core.config import Config, extend_sys_path
from nanoka_core.defaults import check_default
from nanoka_core.errors import ConfigError, ModelError, NanokaError, describe
from nanoka_core.expressions import is_kept
from nanoka_core.fields import NO_DEFAULT, Relation
from nanoka_core.models import Model, is_model
from nanoka_core.names import check_field_name, check_table_name

_PACKAGE_DIR = Path(__file__).resolve().parent


def load_models(config: Config) -> list[type[Model]]:
    """The models named by ``config.models``, in config order, validated."""
    extend_sys_path(config)
    if not config.models:
        raise ConfigError(
            f"{config.path}: 'models' is empty; an empty schema would make drizzle-kit drop every "
            "table, so nothing was written: list the modules that define your models"
        )
    models: dict[type[Model], None] = {}  # ordered, and O(1) to tell a model listed twice
    with _cyclic_gc_paused():
        for entry in config.models:
            found = _resolve(entry)
            if not found:
                # Going on would write a schema without these tables, and drizzle-kit would drop them.
                raise ConfigError(
                    f"{config.path}: 'models' entry {entry!r} defines no models, so its tables would be "
                    "dropped; nothing was written: point the entry at the module that defines them"
                )
            models.update(dict.fromkeys(found))
    check_models(models)
    return list(models)


@contextlib.contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Importing thousands of models makes objects that all live on; the cyclic
    collector would walk them again and again for nothing (a third of the import)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _resolve(entry: str) -> list[type[Model]]:
    module_name, _, attr = entry.partition(":")
    module = _import(module_name)
    if not attr:
        found = {id(v): v for v in vars(module).values() if is_model(v)}
        return sorted(found.values(), key=lambda m: m._order)
    try:
        value = getattr(module, attr)
    except AttributeError:
        raise ModelError(f"model {entry!r}: module {module_name!r} has no attribute {attr!r}") from None
    if not is_model(value):
        raise ModelError(
            f"model {entry!r} is a {type(value).__name__}, not a Model "
            "(use define_model(...) or subclass Model)"
        )
    return [value]


def _import(module_name: str) -> ModuleType:
    """Import a model module; what it prints goes to stderr, as stdout carries results
    (``--log-format json``'s JSON, the tools' output)."""
    try:
        with contextlib.redirect_stdout(sys.stderr):
            return importlib.import_module(module_name)
    except NanokaError as e:
        raise type(e)(f"{_where(e)}{e}") from e
    except ModuleNotFoundError as e:
        if e.name and (module_name == e.name or module_name.startswith(e.name + ".")):
            raise ModelError(
                f"cannot import model module {module_name!r}: no module named {e.name!r} "
                "(check 'models' and 'pythonpath' in the config)"
            ) from e
        raise ModelError(f"cannot import model module {module_name!r}: {_where(e)}{e}") from e
    except (Exception, SystemExit) as e:  # a model module that exits must not end nanoka silently
        raise ModelError(f"cannot import model module {module_name!r}: {_where(e)}{describe(e)}") from e


def _where(error: BaseException) -> str:
    """``file:line: `` of the innermost frame outside nanoka, for errors in user code."""
    import traceback

    frames = [
        f
        for f in traceback.extract_tb(error.__traceback__)
        if not Path(f.filename).resolve().is_relative_to(_PACKAGE_DIR) and "importlib" not in f.filename
    ]
    if not frames:
        return ""
    return f"{frames[-1].filename}:{frames[-1].lineno}: "


def check_models(models: Iterable[type[Model]]) -> None:
    """Names, duplicate tables, relation targets, foreign keys, literal defaults and declared renames."""
    from nanoka_core.references import check_foreign_keys

    models = list(models)
    seen: dict[str, str] = {}
    for model in models:
        check_table_name(model.table)
        folded = model.table.lower()
        if folded in seen:
            other = seen[folded]
            case_note = f" (and {other!r}: SQLite table names ignore case)" if other != model.table else ""
            raise ModelError(
                f"two models use the table name {model.table!r}{case_note}; table names must be unique"
            )
        seen[folded] = model.table
        columns: dict[str, str] = {}
        for name, field in model.fields.items():
            check_field_name(model.table, name)
            if isinstance(field, Relation):
                _check_relation(model, name, field)
                continue
            column = (field.column_name or name).lower()
            if column in columns:
                raise ModelError(
                    f"model {model.table!r}: fields {columns[column]!r} and {name!r} "
                    "are the same column in SQLite, which ignores case in column names"
                )
            columns[column] = name
            check_default(field, f"{model.table}.{name}")
            if field.default_value is not NO_DEFAULT and not callable(field.default_value) and not is_kept(field.default_value):
                check_json_value(field.default_value, f"{model.table}.{name}")
        _check_field_renames(model)
    _check_table_renames(models, seen)
    check_foreign_keys(models)


def _check_field_renames(model: type[Model]) -> None:
    """A column is renamed from a name no other field holds or claims."""
    claimed: dict[str, str] = {}
    for name, field in model.fields.items():
        old = field.previous_name
        if old is None:
            continue
        where = f"{model.table}.{name}: .renamed_from({old!r})"
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


def _check_table_renames(models: Iterable[type[Model]], tables: dict[str, str]) -> None:
    """A table is renamed from a name no other model holds or claims."""
    claimed: dict[str, str] = {}
    for model in models:
        old = model.renamed_from
        if old is None:
            continue
        where = f"model {model.table!r}: renamed_from={old!r}"
        if old.lower() in tables:
            raise ModelError(f"{where}: model {tables[old.lower()]!r} still uses that table name")
        if old in claimed:
            raise ModelError(f"{where}: model {claimed[old]!r} is renamed from {old!r} too; keep one")
        claimed[old] = model.table


def _check_relation(model: type[Model], name: str, field: Relation) -> None:
    where = f"{model.table}.{name}"
    try:
        target = field.resolve_target()
    except NanokaError as e:
        raise ModelError(f"{where}: {e}") from e
    except (Exception, SystemExit) as e:
        raise ModelError(f"{where}: t.{field.kind}() target raised {describe(e)}") from e
    holder = model if field.kind == "belongs_to" else target
    fk = holder.fields.get(field.foreign_key)
    if fk is None or fk.is_relation:
        raise ModelError(
            f"{where}: foreign_key {field.foreign_key!r} is not a column of model {holder.table!r}"
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
    if isinstance(value, (list, tuple)):
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
