"""Render every uuid column as ``text('<name>', { length: 36 })``.

Changes a built-in kind without touching nanoka: plugin emitters are asked
before the built-in one, and the first answer wins.
"""

from __future__ import annotations

from nanoka_core import Column, hookimpl


@hookimpl
def nanoka_emit_column(name, field, ctx):
    if field.kind == "uuid":
        return Column(f"text('{name}', {{ length: 36 }})", imports={"text"})
    return None
