"""The built-in column emitter for the seven built-in field kinds.

Registered ``trylast`` so that any plugin's emitter is asked first and can
change how a built-in kind renders.
"""

from __future__ import annotations

from nanoka_core import Column, Field, hookimpl
from nanoka_core.pipeline import Context

# kind -> (constructor, options, suffix), e.g. text('<name>', { mode: 'json' }).$type<unknown>()
_CONSTRUCTORS = {
    "string": ("text", "", ""),
    "uuid": ("text", "", ""),
    "number": ("real", "", ""),
    "integer": ("integer", "", ""),
    "boolean": ("integer", ", { mode: 'boolean' }", ""),
    "timestamp": ("integer", ", { mode: 'timestamp_ms' }", ""),
    "json": ("text", ", { mode: 'json' }", ".$type<unknown>()"),
}
_IMPORTS = {constructor: frozenset({constructor}) for constructor, _, _ in _CONSTRUCTORS.values()}


@hookimpl(trylast=True)
def nanoka_emit_column(name: str, field: Field, ctx: Context | None) -> Column | None:
    known = _CONSTRUCTORS.get(field.kind)
    if known is None:
        return None
    constructor, options, suffix = known
    return Column(f"{constructor}('{name}'{options}){suffix}", imports=_IMPORTS[constructor])
