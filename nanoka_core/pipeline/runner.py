"""Stages in order, and the runner that executes them.

Plugins contribute stages through ``nanoka_register_stages``; the built-ins
(``load-config``, ``codegen``, ``drizzle-kit``, ``wrangler``) use the same
hook. Order comes from each stage's ``before``/``after``, never from plugin
load order, so a plugin can slot in anywhere.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from nanoka_core.errors import NanokaError, PluginError, StageError, describe
from nanoka_core.pipeline.manager import blame, call_each
from nanoka_core.pipeline.stage import Context, Stage

if TYPE_CHECKING:
    import pluggy


def collect_stages(pm: pluggy.PluginManager) -> list[Stage]:
    """Every registered stage, tagged with its plugin, in registration order."""
    stages: list[Stage] = []

    def make_register(plugin: str) -> Callable[[Stage], None]:
        def register(stage: Stage) -> None:
            if not isinstance(stage, Stage):
                raise PluginError(f"plugin {plugin!r} registered {stage!r}, which is not a Stage")
            if not isinstance(stage.name, str) or not stage.name:
                raise PluginError(f"plugin {plugin!r} registered a stage without a name")
            stages.append(dataclasses.replace(stage, plugin=plugin))

        return register

    call_each(pm.hook, "nanoka_register_stages", lambda plugin: {"register": make_register(plugin)})
    return stages


def resolve_stages(pm: pluggy.PluginManager) -> list[Stage]:
    """The stages to run, replacements applied, in dependency order."""
    registered = collect_stages(pm)
    by_name: dict[str, Stage] = {}
    for stage in registered:
        if stage.replaces is None:
            if stage.name in by_name:
                other = by_name[stage.name]
                raise PluginError(
                    f"stage {stage.name!r} is registered by both {other.plugin!r} and "
                    f"{stage.plugin!r}; to take its place use Stage(..., replaces={stage.name!r})"
                )
            by_name[stage.name] = stage
    replacing: dict[str, Stage] = {}  # replaced name -> the stage that replaced it
    for stage in registered:
        if stage.replaces is None:
            continue
        target = stage.replaces
        if target in replacing:
            raise PluginError(
                f"plugins {replacing[target].plugin!r} and {stage.plugin!r} both replace "
                f"stage {target!r}; disable one of them (--disable-plugin NAME)"
            )
        if target not in by_name:
            raise PluginError(
                f"plugin {stage.plugin!r}: stage {stage.name!r} replaces {target!r}, "
                f"which no plugin provides (stages: {', '.join(by_name)})"
            )
        old = by_name.pop(target)
        if stage.name != target and stage.name in by_name:
            raise PluginError(
                f"plugin {stage.plugin!r}: stage {stage.name!r} already exists "
                f"(from {by_name[stage.name].plugin!r})"
            )
        replacing[target] = stage
        by_name[stage.name] = dataclasses.replace(
            stage,
            before=[*old.before, *stage.before],
            after=[*old.after, *stage.after],
            enabled=stage.enabled if stage.enabled is not None else old.enabled,
            runs_when=stage.runs_when if stage.enabled is not None else old.runs_when,
            replaced=old.plugin,
        )
    renamed = {target: stage.name for target, stage in replacing.items()}
    return _order(list(by_name.values()), renamed, pm)


def _order(stages: list[Stage], renamed: dict[str, str], pm: pluggy.PluginManager) -> list[Stage]:
    """Topological sort; ties keep registration order, so output is stable."""
    names = {s.name for s in stages}
    edges: dict[str, set[str]] = {s.name: set() for s in stages}  # name -> must run after these
    for stage in stages:
        for relation, others in (("after", stage.after), ("before", stage.before)):
            for other in others:
                other = renamed.get(other, other)
                if other == stage.name:
                    raise PluginError(f"plugin {stage.plugin!r}: stage {stage.name!r} is {relation} itself")
                if other not in names:
                    if pm.is_blocked(other):
                        continue
                    raise PluginError(
                        f"plugin {stage.plugin!r}: stage {stage.name!r} runs {relation} "
                        f"{other!r}, which no plugin provides (stages: {', '.join(sorted(names))})"
                    )
                if relation == "after":
                    edges[stage.name].add(other)
                else:
                    edges[other].add(stage.name)
    ordered: list[Stage] = []
    pending = list(stages)
    while pending:
        done = {s.name for s in ordered}
        ready = next((s for s in pending if edges[s.name] <= done), None)
        if ready is None:
            cycle = ", ".join(f"{s.name!r} ({s.plugin})" for s in pending)
            raise PluginError(f"stages order each other in a cycle: {cycle}; check their before/after")
        ordered.append(ready)
        pending.remove(ready)
    return ordered


def run_pipeline(stages: Sequence[Stage], ctx: Context) -> None:
    """Check every enabled stage, then run them in order; the first failure stops the run."""
    active = [s for s in stages if s.is_enabled(ctx)]
    ctx.stages = active
    for stage in active:
        if stage.check is not None:
            _call(stage, stage.check, ctx, "cannot run")
    for stage in active:
        ctx.hook.nanoka_stage_started(stage=stage, ctx=ctx)
        started = time.perf_counter()
        outcome = "failed"
        try:
            ctx.results[stage.name] = _call(stage, stage.run, ctx, "failed")
            outcome = "ok"
        except KeyboardInterrupt:
            outcome = "interrupted"
            raise
        finally:
            ctx.hook.nanoka_stage_finished(
                stage=stage, ctx=ctx, outcome=outcome, duration=time.perf_counter() - started
            )


def _call(stage: Stage, fn: Callable[[Context], Any], ctx: Context, failed: str) -> Any:
    ctx._stage = stage.name
    try:
        return fn(ctx)
    except StageError:
        raise
    except NanokaError as e:
        raise StageError(stage.name, str(e), failed) from e
    except Exception as e:
        culprit = blame(ctx.plugin_manager, e) or stage.plugin
        raise StageError(stage.name, f"plugin {culprit!r} raised {describe(e)}", failed) from e
    finally:
        ctx._stage = ""
