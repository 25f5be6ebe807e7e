"""Ends a tool stage's output with a line saying how long it took.

A stage that ran a tool (drizzle-kit, wrangler) gets ``done in 3.9 s`` after
the tool's output; other stages say what they did in their own line. A failed
stage gets no such line: the error that follows names it. An ordinary
observer of ``nanoka_stage_finished``; ``--disable-plugin report`` turns it off.
"""

from __future__ import annotations

from nanoka_core import Context, Stage, hookimpl
from nanoka_core.log import format_duration


@hookimpl
def nanoka_stage_finished(stage: Stage, ctx: Context, outcome: str, duration: float) -> None:
    if outcome == "ok" and any(name == stage.name for name, _ in ctx.tools_run):
        ctx.log.info(f"done in {format_duration(duration)}", stage=stage.name)
