"""Every hook nanoka calls. A plugin implements any of them with ``@hookimpl``.

Registration hooks hand the plugin a ``register`` callback (as llm and tox
do): nanoka owns de-duplication, ordering and the error messages.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from nanoka_core.pipeline.stage import Context, Stage
    from nanoka_core.render.codegen import Column, Constraint
    from nanoka_core.schema.fields import Field
    from nanoka_core.schema.models import Model

hookspec = pluggy.HookspecMarker("nanoka")
hookimpl = pluggy.HookimplMarker("nanoka")
"""Marks a plugin function as an implementation of a ``nanoka_*`` hook."""


@hookspec
def nanoka_register_stages(register: Callable[[Stage], None]) -> None:
    """Contribute pipeline stages.

    Called once when the pipeline is resolved (every command that runs or
    lists stages). Call ``register(Stage(...))`` once per stage. A stage
    that takes over a built-in says so with ``replaces="<name>"``.

    :param register: adds one :class:`~nanoka_core.Stage`.
    """


@hookspec
def nanoka_register_field_types(register: Callable[[str, Callable[..., Field]], None]) -> None:
    """Contribute field kinds, usable as ``t.<name>()`` in model files.

    Called once, before model modules are imported.

    :param register: ``register(name, factory)``; ``factory(*args, **kwargs)``
        returns a :class:`~nanoka_core.Field` (``Field(name)`` or a subclass).
    """


@hookspec(firstresult=True)
def nanoka_emit_column(name: str, field: Field, ctx: Context | None) -> Column | None:
    """Render one field as a Drizzle column constructor.

    Called for every non-relation field while the schema is generated.
    Third-party emitters are asked first; the built-in emitter answers for
    the seven built-in kinds. Stops at first non-None result.

    :param name: the SQL column name: the field's name, or what ``.column()`` gave.
    :param field: the field, with ``kind`` and its modifiers.
    :param ctx: the pipeline context, or None when rendering outside a run.
    :return: a :class:`~nanoka_core.Column`, or None to let others answer.
    """


@hookspec
def nanoka_table_constraints(model: type[Model], ctx: Context | None) -> list[Constraint]:  # type: ignore[empty-body]
    """Contribute table-level constraints: indexes, a primary key, CHECKs.

    Called once per model while the schema is generated; every plugin's
    answers are kept, the built-in ones (from the model's declarations)
    first. They are written into ``sqliteTable``'s third argument,
    ``(table) => [...]``, in that order.

    :param model: the model, with ``table``, ``fields``, ``indexes``,
        ``checks`` and ``primary_key``.
    :param ctx: the pipeline context, or None when rendering outside a run.
    :return: :class:`~nanoka_core.Constraint` values (an empty list for none).
    """


@hookspec(firstresult=True)
def nanoka_callable_default(function: Callable[..., object], field: Field, ctx: Context | None) -> str | None:
    """Translate a callable default, e.g. ``uuid.uuid4``, into TypeScript.

    Called for each field whose ``.default()`` is a callable. The answer is
    the expression Drizzle evaluates at insert time, written as
    ``.$defaultFn(() => <answer>)``. With no answer the default is left out
    with a warning. Stops at first non-None result.

    :param function: the callable given to ``.default()``.
    :param field: the field it is the default of.
    :param ctx: the pipeline context, or None when rendering outside a run.
    :return: a TypeScript expression, or None to let others answer.
    """


@hookspec
def nanoka_stage_started(stage: Stage, ctx: Context) -> None:
    """Observe a stage about to run (after every stage's pre-flight check).

    :param stage: the stage that is starting.
    :param ctx: the pipeline context.
    """


@hookspec
def nanoka_stage_finished(stage: Stage, ctx: Context, outcome: str, duration: float) -> None:
    """Observe a stage that ran, whether it succeeded or not.

    :param stage: the stage that finished.
    :param ctx: the pipeline context.
    :param outcome: ``"ok"``, ``"failed"`` or ``"interrupted"``.
    :param duration: wall time in seconds.
    """
