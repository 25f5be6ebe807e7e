"""The built-in column emitter for the built-in field kinds, and callable defaults.

Registered ``trylast`` so that any plugin's emitter is asked first and can
change how a built-in kind renders.
"""

from __future__ import annotations

import datetime
import time
import uuid
from collections.abc import Callable

from nanoka_core import Column, Context, Field, hookimpl
from nanoka_core.schema.fields import UNTYPED

# kind -> (constructor, options), e.g. text('<name>', { mode: 'json' })
_CONSTRUCTORS = {
    "string": ("text", ""),
    "uuid": ("text", ""),
    "number": ("real", ""),
    "integer": ("integer", ""),
    "boolean": ("integer", ", { mode: 'boolean' }"),
    "timestamp": ("integer", ", { mode: 'timestamp_ms' }"),
    "json": ("text", ", { mode: 'json' }"),
    "enum": ("text", ""),
    "numeric": ("numeric", ""),
    "blob": ("blob", ""),
}
_IMPORTS = {constructor: frozenset({constructor}) for constructor, _ in _CONSTRUCTORS.values()}

# Python callables with a TypeScript twin, and the kinds whose values they make.
_CALLABLE_DEFAULTS: dict[object, tuple[str, tuple[str, ...]]] = {
    uuid.uuid4: ("crypto.randomUUID()", ("uuid", "string")),
    datetime.datetime.now: ("new Date()", ("timestamp",)),
    datetime.datetime.utcnow: ("new Date()", ("timestamp",)),
    time.time: ("new Date()", ("timestamp",)),
}


@hookimpl(trylast=True)
def nanoka_emit_column(name: str, field: Field, ctx: Context | None) -> Column | None:
    known = _CONSTRUCTORS.get(field.kind)
    if known is None:
        return None
    constructor, options = known
    settings = _settings(field)
    if settings:
        options = f", {{ {', '.join(settings)} }}"
    expr = f"{constructor}('{name}'{options})"
    if field.kind == "json":
        expr += f".$type<{_typescript(field)}>()"
    return Column(expr, imports=_IMPORTS[constructor])


def _settings(field: Field) -> list[str]:
    """The column's options as Drizzle users write them (``{ length: 255 }``, ``{ mode: 'timestamp' }``)."""
    settings = []
    if field.enum_values is not None:
        from nanoka_core.schema.typescript import js_json

        settings.append(f"enum: [{', '.join(js_json(value) for value in field.enum_values)}]")
    if field.length is not None:
        settings.append(f"length: {field.length}")
    if field.kind == "timestamp" and field.timestamp_unit == "s":
        settings.append("mode: 'timestamp'")
    if field.kind == "blob":
        settings.append(f"mode: '{field.blob_mode or 'buffer'}'")
    return settings


def _typescript(field: Field) -> str:
    if field.json_type is UNTYPED:
        return "unknown"
    from nanoka_core.schema.typescript import typescript_type

    return typescript_type(field.json_type)


@hookimpl(trylast=True)
def nanoka_callable_default(function: Callable[..., object], field: Field, ctx: Context | None) -> str | None:
    try:
        known = _CALLABLE_DEFAULTS.get(function)
    except TypeError:  # unhashable: not one of ours
        return None
    if known is None or field.kind not in known[1]:
        return None
    return known[0]
