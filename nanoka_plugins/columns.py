"""The built-in column emitter for the seven built-in field kinds.

Registered ``trylast`` so that any plugin's emitter is asked first and can
change how a built-in kind renders.
"""

from __future__ import annotations

from nanoka_core import Column, Field, hookimpl
from nanoka_core.pipeline import Context

_CONSTRUCTORS = {
    "string": ("text", ""),
    "uuid": ("text", ""),
    "number": ("real", ""),
    "integer": ("integer", ""),
    "boolean": ("integer", ", { mode: 'boolean' }"),
    "timestamp": ("integer", ", { mode: 'timestamp_ms' }"),
    "json": ("text", ", { mode: 'json' }"),
}


@hookimpl(trylast=True)
def nanoka_emit_column(name: str, field: Field, ctx: Context | None) -> Column | None:
    if field.kind not in _CONSTRUCTORS:
        return None
    constructor, options = _CONSTRUCTORS[field.kind]
    expr = f"{constructor}('{name}'{options})"
    if field.kind == "json":
        expr += ".$type<unknown>()"
    return Column(expr, imports={constructor})
