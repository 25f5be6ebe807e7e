"""nanoka: Python models to a running Cloudflare D1 database.

Model authors use ``t``, ``define_model``, ``Model``, ``index``, ``unique``, ``check``,
``sql`` and ``ts``;
plugin authors use ``hookimpl``, ``Stage``, ``Context`` (what a stage receives), ``Column``,
``Constraint`` and ``Field``. Names are imported on
first use, so that ``nanoka --help`` does not pay for the code generator.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    import pluggy

    from nanoka_core.codegen import Column, Constraint
    from nanoka_core.constraints import check, index, unique
    from nanoka_core.expressions import sql, ts
    from nanoka_core.fields import Field, t
    from nanoka_core.models import Model, define_model
    from nanoka_core.pipeline import Context, Stage

    hookimpl: pluggy.HookimplMarker

_LAZY = {
    "Column": "nanoka_core.codegen",
    "Constraint": "nanoka_core.codegen",
    "check": "nanoka_core.constraints",
    "index": "nanoka_core.constraints",
    "unique": "nanoka_core.constraints",
    "sql": "nanoka_core.expressions",
    "ts": "nanoka_core.expressions",
    "Field": "nanoka_core.fields",
    "t": "nanoka_core.fields",
    "Model": "nanoka_core.models",
    "define_model": "nanoka_core.models",
    "Context": "nanoka_core.pipeline",
    "Stage": "nanoka_core.pipeline",
    "hookimpl": "nanoka_core.hookspecs",
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
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
