"""The ``load-config`` stage: plugin field types, then the project's models."""

from __future__ import annotations

from collections.abc import Callable

from nanoka_core import Context, Model, Stage, hookimpl
from nanoka_core.pipeline.loader import load_models
from nanoka_core.pipeline.manager import register_field_types
from nanoka_core.schema.fields import t


def load(ctx: Context) -> list[type[Model]]:
    t.use(register_field_types(ctx.hook))
    ctx.models = load_models(ctx.config)
    ctx.log.debug(f"loaded {len(ctx.models)} models", tables=[m.table for m in ctx.models])
    return ctx.models


@hookimpl
def nanoka_register_stages(register: Callable[[Stage], None]) -> None:
    register(Stage("load-config", run=load, description="import the models named in the config"))
