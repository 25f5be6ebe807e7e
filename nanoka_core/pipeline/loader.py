"""Import the model modules a config names, then check the models as a whole.

What user code raises is reported with the user's own file and line.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

from nanoka_core.config import Config, extend_sys_path
from nanoka_core.errors import ConfigError, ModelError, NanokaError, describe
from nanoka_core.schema.checks import check_models
from nanoka_core.schema.models import Model, apply_naming, is_model

_PACKAGE_DIR = Path(__file__).resolve().parents[1]  # nanoka_core: frames inside it are ours


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
    apply_naming(
        models,
        config.table_prefix,
        config.export_names,
        f"{config.path}: '{config.key('export-names')}' = ",
        config.table_prefix_renamed_from,
    )
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
