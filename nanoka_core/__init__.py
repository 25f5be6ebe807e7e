"""nanoka: Python models to a running Cloudflare D1 database.

Model authors use ``t``, ``define_model``, ``Model``, ``index``, ``unique``, ``check``,
``foreign_key``, ``sql`` and ``ts``;
plugin authors use ``hookimpl``, ``Stage``, ``Context`` (what a stage receives), ``Column``,
``Constraint`` and ``Field``. Names are imported on
first use, so that ``nanoka --help`` does not pay for the code generator.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from nanoka_core.version import __version__

if TYPE_CHECKING:
    import pluggy

    from nanoka_core.pipeline.stage import Context, Stage
    from nanoka_core.render.codegen import Column, Constraint
    from nanoka_core.schema.constraints import check, foreign_key, index, unique
    from nanoka_core.schema.expressions import sql, ts
    from nanoka_core.schema.fields import Field, t
    from nanoka_core.schema.models import Model, define_model

    hookimpl: pluggy.HookimplMarker

_LAZY = {
    "Column": "nanoka_core.render.codegen",
    "Constraint": "nanoka_core.render.codegen",
    "check": "nanoka_core.schema.constraints",
    "foreign_key": "nanoka_core.schema.constraints",
    "index": "nanoka_core.schema.constraints",
    "unique": "nanoka_core.schema.constraints",
    "sql": "nanoka_core.schema.expressions",
    "ts": "nanoka_core.schema.expressions",
    "Field": "nanoka_core.schema.fields",
    "t": "nanoka_core.schema.fields",
    "Model": "nanoka_core.schema.models",
    "define_model": "nanoka_core.schema.models",
    "Context": "nanoka_core.pipeline.stage",
    "Stage": "nanoka_core.pipeline.stage",
    "hookimpl": "nanoka_core.pipeline.hookspecs",
}

__all__ = [
    "Column",
    "Constraint",
    "Context",
    "Field",
    "Model",
    "Stage",
    "__version__",
    "check",
    "define_model",
    "foreign_key",
    "hookimpl",
    "index",
    "sql",
    "t",
    "ts",
    "unique",
]


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'nanoka_core' has no attribute {name!r}")
    value = getattr(importlib.import_module(_LAZY[name]), name)
    if name == "t" and value.kind_source is None:
        value.kind_source = _installed_field_kinds
    globals()[name] = value
    return value


def _installed_field_kinds() -> dict[str, Any]:
    """The installed plugins' field kinds, for ``t`` used outside a nanoka run."""
    from nanoka_core.pipeline.manager import get_plugin_manager, register_field_types

    return register_field_types(get_plugin_manager().hook)


def __dir__() -> list[str]:
    return sorted(__all__)
