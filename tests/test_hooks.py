"""One test per hook, written as a plugin author would, with nanoka's fixtures.

tests/test_hookspecs.py checks that every hook has a test here named after it.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest

from nanoka_core import Column, Constraint, Field, Stage, define_model, hookimpl, t
from nanoka_core.config import Config
from nanoka_core.errors import ModelError, PluginError, StageError
from nanoka_core.pipeline.manager import register_field_types
from nanoka_core.pipeline.runner import resolve_stages, run_pipeline
from nanoka_core.pipeline.stage import Context, Options


def make_ctx(pm: Any, tmp_path: Path) -> Context:
    config = Config(path=tmp_path / "nanoka.toml", project_dir=tmp_path, models=(), output=tmp_path / "s.ts")
    return Context(config, Options(), pm)


def test_nanoka_register_stages(nanoka_plugin_manager: Any, tmp_path: Path) -> None:
    ran: list[str] = []

    class Audit:
        @hookimpl
        def nanoka_register_stages(self, register: Any) -> None:
            register(Stage("audit", run=lambda ctx: ran.append(ctx.output.name), after=["codegen"], before=["drizzle-kit"]))

    nanoka_plugin_manager.register(Audit(), "audit")
    stages = resolve_stages(nanoka_plugin_manager)
    assert [s.name for s in stages][1:3] == ["codegen", "audit"]
    audit = next(s for s in stages if s.name == "audit")
    run_pipeline([audit], make_ctx(nanoka_plugin_manager, tmp_path))
    assert ran == ["s.ts"]


def test_nanoka_register_field_types(nanoka_plugin_manager: Any, nanoka_render: Any) -> None:
    class Slug:
        @hookimpl
        def nanoka_register_field_types(self, register: Any) -> None:
            register("slug", lambda: Field("slug"))

        @hookimpl
        def nanoka_emit_column(self, name: str, field: Field, ctx: Any) -> Column | None:
            return Column(f"text('{name}')", imports={"text"}) if field.kind == "slug" else None

    nanoka_plugin_manager.register(Slug(), "slug")
    t.use(register_field_types(nanoka_plugin_manager.hook))
    slug = t.slug().unique().min(3)
    assert (slug.kind, slug.is_unique, slug.min_value) == ("slug", True, 3)
    pages = define_model("pages", {"slug": slug})
    assert "  slug: text('slug').notNull().unique()," in nanoka_render([pages], nanoka_plugin_manager)


def test_nanoka_register_field_types_rejects_clashes(nanoka_plugin_manager: Any) -> None:
    class Twice:
        @hookimpl
        def nanoka_register_field_types(self, register: Any) -> None:
            register("money", lambda: Field("money"))

    nanoka_plugin_manager.register(Twice(), "first")
    nanoka_plugin_manager.register(Twice(), "second")
    with pytest.raises(PluginError, match="field type 'money' is registered by both 'first' and 'second'"):
        register_field_types(nanoka_plugin_manager.hook)


@pytest.mark.parametrize("name", ["string", "has_many", "use", "not valid", "_private"])
def test_nanoka_register_field_types_rejects_bad_names(nanoka_plugin_manager: Any, name: str) -> None:
    class Bad:
        @hookimpl
        def nanoka_register_field_types(self, register: Any) -> None:
            register(name, lambda: Field(name))

    nanoka_plugin_manager.register(Bad(), "bad")
    with pytest.raises(PluginError, match=f"plugin 'bad' registered field type '{name}'"):
        register_field_types(nanoka_plugin_manager.hook)


def test_nanoka_emit_column(nanoka_plugin_manager: Any, nanoka_render: Any) -> None:
    class Numbers:
        @hookimpl
        def nanoka_emit_column(self, name: str, field: Field, ctx: Any) -> Column | None:
            if field.kind == "number":
                return Column(f"numeric('{name}')", imports={"numeric"})
            if field.kind == "boolean":
                return Column(f"blob('{name}').notNull()", imports={"blob"}, complete=True)
            return None

    nanoka_plugin_manager.register(Numbers(), "numbers")
    model = define_model("m", {"score": t.number().optional(), "flag": t.boolean(), "n": t.integer()})
    assert nanoka_render([model], nanoka_plugin_manager).splitlines()[2:] == [
        "import { blob, integer, numeric, sqliteTable } from 'drizzle-orm/sqlite-core'",
        "",
        "export const m = sqliteTable('m', {",
        "  score: numeric('score'),",
        "  flag: blob('flag').notNull(),",
        "  n: integer('n').notNull(),",
        "})",
    ]


def test_nanoka_emit_column_missing_emitter_names_field(nanoka_plugin_manager: Any, nanoka_render: Any) -> None:
    model = define_model("m", {"price": Field("money")})
    with pytest.raises(ModelError, match=r"m\.price: no column emitter for field type 'money'"):
        nanoka_render([model], nanoka_plugin_manager)


def test_nanoka_table_constraints(nanoka_plugin_manager: Any, nanoka_render: Any) -> None:
    class TenantIndex:
        @hookimpl
        def nanoka_table_constraints(self, model: Any, ctx: Any) -> list[Constraint]:
            if "tenantId" not in model.fields:
                return []
            return [Constraint(f"index('{model.table}_tenant_idx').on(table.tenantId)", imports={"index"})]

    nanoka_plugin_manager.register(TenantIndex(), "tenant-index")
    orders = define_model("orders", {"tenantId": t.string(), "total": t.integer().index()})
    plain = define_model("plain", {"n": t.integer()})
    assert nanoka_render([orders, plain], nanoka_plugin_manager).splitlines()[2:] == [
        "import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core'",
        "",
        "export const orders = sqliteTable('orders', {",
        "  tenantId: text('tenantId').notNull(),",
        "  total: integer('total').notNull(),",
        "}, (table) => [",
        "  index('orders_total_idx').on(table.total),",  # the built-in's own first
        "  index('orders_tenant_idx').on(table.tenantId),",
        "])",
        "",
        "export const plain = sqliteTable('plain', {",
        "  n: integer('n').notNull(),",
        "})",
    ]


def test_nanoka_callable_default(nanoka_plugin_manager: Any, nanoka_render: Any) -> None:
    def token() -> str:
        return "x"

    class Tokens:
        @hookimpl
        def nanoka_callable_default(self, function: Any, field: Field, ctx: Any) -> str | None:
            return "crypto.randomUUID().replaceAll('-', '')" if function is token else None

    nanoka_plugin_manager.register(Tokens(), "tokens")
    keys = define_model("keys", {"token": t.string().default(token), "id": t.uuid().default(uuid.uuid4)})
    assert nanoka_render([keys], nanoka_plugin_manager).splitlines()[5:7] == [
        "  token: text('token').notNull().$defaultFn(() => crypto.randomUUID().replaceAll('-', '')),",
        "  id: text('id').notNull().$defaultFn(() => crypto.randomUUID()),",  # the built-in still answers
    ]


def test_nanoka_stage_started(nanoka_plugin_manager: Any, tmp_path: Path) -> None:
    started: list[str] = []

    class Watch:
        @hookimpl
        def nanoka_stage_started(self, stage: Stage, ctx: Context) -> None:
            started.append(stage.name)

    nanoka_plugin_manager.register(Watch(), "watch")
    stages = [Stage("a", run=lambda ctx: None), Stage("b", run=lambda ctx: None)]
    run_pipeline(stages, make_ctx(nanoka_plugin_manager, tmp_path))
    assert started == ["a", "b"]


def test_nanoka_stage_finished(nanoka_plugin_manager: Any, tmp_path: Path) -> None:
    finished: list[tuple[str, str]] = []

    class Watch:
        @hookimpl
        def nanoka_stage_finished(self, stage: Stage, ctx: Context, outcome: str, duration: float) -> None:
            finished.append((stage.name, outcome))

    def fail(ctx: Context) -> None:
        raise PluginError("nope")

    nanoka_plugin_manager.register(Watch(), "watch")
    with pytest.raises(StageError):
        run_pipeline([Stage("a", run=lambda ctx: None), Stage("b", run=fail)],
                     make_ctx(nanoka_plugin_manager, tmp_path))
    assert finished == [("a", "ok"), ("b", "failed")]


def test_nanoka_emit_column_that_raises_is_blamed_by_name(nanoka_plugin_manager: Any, tmp_path: Path) -> None:
    from nanoka_core.render.codegen import render_with_hooks

    class Broken:
        @hookimpl
        def nanoka_emit_column(self, name: str, field: Field, ctx: Any) -> Column | None:
            raise KeyError(name)

    nanoka_plugin_manager.register(Broken(), "broken-emitter")
    ctx = make_ctx(nanoka_plugin_manager, tmp_path)
    ctx.models = [define_model("m", {"id": t.integer()})]
    with pytest.raises(StageError) as info:
        run_pipeline([Stage("codegen", run=lambda c: render_with_hooks(c.models, c.hook, c), plugin="codegen")], ctx)
    assert str(info.value) == "stage 'codegen' failed: plugin 'broken-emitter' raised KeyError: 'id'"
