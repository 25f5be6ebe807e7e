"""The ``codegen`` stage: render the models and write drizzle/schema.ts."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

from nanoka_core import Stage, hookimpl
from nanoka_core.codegen import render_schema
from nanoka_core.files import write_text_atomic
from nanoka_core.pipeline import Context


@dataclasses.dataclass(frozen=True)
class SchemaWritten:
    path: Path
    changed: bool


def schema_text(ctx: Context) -> str:
    """The schema for ``ctx.models``, columns rendered by the emitter hook."""
    return render_schema(
        ctx.models, lambda name, field: ctx.hook.nanoka_emit_column(name=name, field=field, ctx=ctx)
    )


def generate(ctx: Context) -> SchemaWritten:
    path = ctx.output
    changed = write_text_atomic(path, schema_text(ctx))
    shown = display_path(path)
    ctx.log.info(f"wrote {shown}" if changed else f"{shown} is up to date")
    return SchemaWritten(path, changed)


def display_path(path: Path) -> str:
    """Relative to the working directory when inside it, as people type paths."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


@hookimpl
def nanoka_register_stages(register: Callable[[Stage], None]) -> None:
    register(
        Stage("codegen", run=generate, after=["load-config"], description="write the Drizzle schema")
    )
