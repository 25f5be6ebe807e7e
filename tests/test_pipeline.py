"""Stage registration, ordering, replacement and the runner's failure handling."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from nanoka_core import Stage, hookimpl
from nanoka_core.config import Config
from nanoka_core.errors import PluginError, StageError
from nanoka_core.pipeline.manager import get_plugin_manager
from nanoka_core.pipeline.runner import resolve_stages, run_pipeline
from nanoka_core.pipeline.stage import Context, Options

BUILTIN_STAGES = [
    "load-config", "codegen", "drizzle-kit", "preserve-rows", "migrations-sum", "data-loss-guard", "d1-preflight",
    "wrangler",
]


def plugin(*stages: Stage) -> Any:
    """A plugin object that registers ``stages``."""

    @hookimpl
    def nanoka_register_stages(register: Any) -> None:
        for stage in stages:
            register(stage)

    return SimpleNamespace(nanoka_register_stages=nanoka_register_stages)


def noop(ctx: Context) -> None:
    return None


def names(stages: list[Stage]) -> list[str]:
    return [s.name for s in stages]


def make_ctx(pm: Any, tmp_path: Path, **options: Any) -> Context:
    config = Config(path=tmp_path / "nanoka.toml", project_dir=tmp_path, models=(),
                    output=tmp_path / "drizzle/schema.ts")
    return Context(config, Options(**options), pm)


def test_builtin_stages_run_in_documented_order(nanoka_plugin_manager: Any) -> None:
    assert names(resolve_stages(nanoka_plugin_manager)) == [
        "load-config", "codegen", "drizzle-kit", "preserve-rows", "migrations-sum", "data-loss-guard",
        "d1-preflight", "restore-point", "wrangler",
    ]


def test_stage_is_placed_by_its_constraints_not_by_load_order(nanoka_plugin_manager: Any) -> None:
    nanoka_plugin_manager.register(plugin(Stage("lint", run=noop, after=["codegen"], before=["drizzle-kit"])), "lint")
    assert names(resolve_stages(nanoka_plugin_manager)) == [
        "load-config", "codegen", "lint", "drizzle-kit", "preserve-rows", "migrations-sum", "data-loss-guard", "d1-preflight", "restore-point", "wrangler",
    ]


def test_replacement_takes_the_place_and_conditions_of_the_replaced_stage(
    nanoka_plugin_manager: Any, tmp_path: Path
) -> None:
    nanoka_plugin_manager.register(plugin(Stage("migrate", run=noop, replaces="wrangler")), "mine")
    stages = resolve_stages(nanoka_plugin_manager)
    assert names(stages) == ["load-config", "codegen", "drizzle-kit", "preserve-rows", "migrations-sum", "data-loss-guard", "d1-preflight", "restore-point", "migrate"]
    migrate = stages[-1]
    assert (migrate.plugin, migrate.replaced) == ("mine", "wrangler")
    assert not migrate.is_enabled(make_ctx(nanoka_plugin_manager, tmp_path))
    assert migrate.is_enabled(make_ctx(nanoka_plugin_manager, tmp_path, apply=True))


def test_constraints_on_a_replaced_name_follow_the_replacement(nanoka_plugin_manager: Any) -> None:
    nanoka_plugin_manager.register(plugin(
        Stage("seed", run=noop, after=["wrangler"]),
        Stage("migrate", run=noop, replaces="wrangler"),
    ), "mine")
    assert names(resolve_stages(nanoka_plugin_manager))[-2:] == ["migrate", "seed"]


@pytest.mark.parametrize(
    ("stages", "message"),
    [
        ([Stage("codegen", run=noop)], "stage 'codegen' is registered by both 'codegen' and 'p1'"),
        ([Stage("x", run=noop, replaces="nope")], "replaces 'nope', which no plugin provides"),
        ([Stage("x", run=noop, after=["nope"])], "runs after 'nope', which no plugin provides"),
        ([Stage("x", run=noop, after=["x"])], "stage 'x' is after itself"),
        ([Stage("a", run=noop, after=["b"]), Stage("b", run=noop, after=["a"])], "cycle: 'a' (p1), 'b' (p1)"),
    ],
)
def test_bad_stage_declarations_name_the_plugin(nanoka_plugin_manager: Any, stages: list[Stage], message: str) -> None:
    nanoka_plugin_manager.register(plugin(*stages), "p1")
    with pytest.raises(PluginError, match=None) as info:
        resolve_stages(nanoka_plugin_manager)
    assert message in str(info.value)


def test_two_plugins_replacing_one_stage_is_an_error_naming_both(nanoka_plugin_manager: Any) -> None:
    nanoka_plugin_manager.register(plugin(Stage("wrangler", run=noop, replaces="wrangler")), "first")
    nanoka_plugin_manager.register(plugin(Stage("wrangler", run=noop, replaces="wrangler")), "second")
    with pytest.raises(PluginError) as info:
        resolve_stages(nanoka_plugin_manager)
    assert "plugins 'first' and 'second' both replace stage 'wrangler'" in str(info.value)


def test_registering_something_that_is_not_a_stage_names_the_plugin(nanoka_plugin_manager: Any) -> None:
    nanoka_plugin_manager.register(plugin("seed"), "sloppy")  # type: ignore[arg-type]
    with pytest.raises(PluginError, match="plugin 'sloppy' registered 'seed', which is not a Stage"):
        resolve_stages(nanoka_plugin_manager)


def test_a_blocked_builtin_leaves_constraints_on_it_satisfied(tmp_path: Path) -> None:
    pm = get_plugin_manager(disabled=["drizzle-kit"], autoload=False)
    assert names(resolve_stages(pm)) == ["load-config", "codegen", "preserve-rows", "migrations-sum", "data-loss-guard", "d1-preflight", "restore-point", "wrangler"]


def test_every_check_runs_before_the_first_stage(nanoka_plugin_manager: Any, tmp_path: Path) -> None:
    calls: list[str] = []

    def fail_check(ctx: Context) -> None:
        raise PluginError("not configured")

    pm = get_plugin_manager(disabled=BUILTIN_STAGES, autoload=False)
    pm.register(plugin(
        Stage("first", run=lambda ctx: calls.append("first")),
        Stage("second", run=lambda ctx: calls.append("second"), after=["first"], check=fail_check),
    ), "p")
    with pytest.raises(StageError) as info:
        run_pipeline(resolve_stages(pm), make_ctx(pm, tmp_path))
    assert str(info.value) == "stage 'second' cannot run: not configured"
    assert calls == []


def test_first_failing_stage_stops_the_run_and_is_named(tmp_path: Path) -> None:
    calls: list[str] = []

    def boom(ctx: Context) -> None:
        raise ValueError("bad value")

    pm = get_plugin_manager(disabled=BUILTIN_STAGES, autoload=False)
    pm.register(plugin(
        Stage("one", run=lambda ctx: calls.append("one")),
        Stage("two", run=boom, after=["one"]),
        Stage("three", run=lambda ctx: calls.append("three"), after=["two"]),
    ), "p")
    with pytest.raises(StageError) as info:
        run_pipeline(resolve_stages(pm), make_ctx(pm, tmp_path))
    assert str(info.value) == "stage 'two' failed: plugin 'p' raised ValueError: bad value"
    assert calls == ["one"]


def test_results_and_observer_hooks(tmp_path: Path) -> None:
    seen: list[tuple[str, str, str]] = []

    class Observer:
        @hookimpl
        def nanoka_stage_started(self, stage: Stage, ctx: Context) -> None:
            seen.append(("started", stage.name, ""))

        @hookimpl
        def nanoka_stage_finished(self, stage: Stage, ctx: Context, outcome: str, duration: float) -> None:
            assert duration >= 0
            seen.append(("finished", stage.name, outcome))

    pm = get_plugin_manager(disabled=BUILTIN_STAGES, autoload=False)
    pm.register(plugin(
        Stage("produce", run=lambda ctx: 42),
        Stage("consume", run=lambda ctx: ctx.results["produce"] + 1, after=["produce"]),
        Stage("off", run=noop, enabled=lambda ctx: False),
    ), "p")
    pm.register(Observer(), "observer")
    ctx = make_ctx(pm, tmp_path)
    run_pipeline(resolve_stages(pm), ctx)
    assert ctx.results == {"produce": 42, "consume": 43}
    assert seen == [
        ("started", "produce", ""), ("finished", "produce", "ok"),
        ("started", "consume", ""), ("finished", "consume", "ok"),
    ]


def test_enabled_that_raises_names_plugin_and_stage(tmp_path: Path) -> None:
    pm = get_plugin_manager(disabled=BUILTIN_STAGES, autoload=False)
    pm.register(plugin(Stage("x", run=noop, enabled=lambda ctx: ctx.options.nope)), "p")
    with pytest.raises(PluginError) as info:
        run_pipeline(resolve_stages(pm), make_ctx(pm, tmp_path))
    assert str(info.value) == (
        "plugin 'p': enabled() of stage 'x' raised AttributeError: 'Options' object has no attribute 'nope'"
    )
