"""The example plugins tested in-process, exactly as docs/plugins.md tells plugin authors to."""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from nanoka_core import define_model, t
from nanoka_core.pipeline.runner import resolve_stages

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "plugins"


@pytest.fixture
def load_example(monkeypatch: pytest.MonkeyPatch) -> Any:
    def load(package: str) -> ModuleType:
        monkeypatch.syspath_prepend(str(EXAMPLES / package))
        return importlib.import_module(package.replace("-", "_"))

    return load


def test_money_renders_as_integer(load_example: Any, nanoka_plugin_manager: Any, nanoka_render: Any) -> None:
    nanoka_plugin_manager.register(load_example("nanoka-money"), "money")
    nanoka_render([], nanoka_plugin_manager)  # registers t.money()
    products = define_model("products", {"price": t.money(), "tip": t.money().optional().default(0)})
    schema = nanoka_render([products], nanoka_plugin_manager)
    assert "  price: integer('price').notNull()," in schema
    assert "  tip: integer('tip').default(0)," in schema


def test_money_default_is_written_in_cents(load_example: Any, nanoka_plugin_manager: Any, nanoka_render: Any) -> None:
    nanoka_plugin_manager.register(load_example("nanoka-money"), "money")
    nanoka_render([], nanoka_plugin_manager)
    products = define_model("products", {"price": t.money().default(19.99), "fee": t.money().default(0.1)})
    schema = nanoka_render([products], nanoka_plugin_manager)
    assert "  price: integer('price').notNull().default(1999)," in schema
    assert "  fee: integer('fee').notNull().default(10)," in schema
    with pytest.raises(ValueError, match=r"t\.money\(\)\.default\(0\.001\): not a whole number of cents"):
        t.money().default(0.001)


def test_uuid36_changes_only_uuid_columns(load_example: Any, nanoka_plugin_manager: Any, nanoka_render: Any) -> None:
    nanoka_plugin_manager.register(load_example("nanoka-uuid36"), "uuid36")
    model = define_model("m", {"id": t.uuid().primary(), "name": t.string()})
    lines = nanoka_render([model], nanoka_plugin_manager).splitlines()
    assert lines[-3:-1] == ["  id: text('id', { length: 36 }).primaryKey().notNull(),", "  name: text('name').notNull(),"]


def test_tenant_index_indexes_only_tables_with_a_tenant(
    load_example: Any, nanoka_plugin_manager: Any, nanoka_render: Any
) -> None:
    nanoka_plugin_manager.register(load_example("nanoka-tenant-index"), "tenant-index")
    orders = define_model("orders", {"tenantId": t.uuid(), "total": t.integer()})
    tenants = define_model("tenants", {"id": t.uuid().primary()})
    lines = nanoka_render([orders, tenants], nanoka_plugin_manager).splitlines()
    assert lines[2] == "import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core'"
    assert lines[7:10] == ["}, (table) => [", "  index('orders_tenant_idx').on(table.tenantId),", "])"]
    assert lines[-1] == "})"


def test_seed_runs_after_wrangler(load_example: Any, nanoka_plugin_manager: Any) -> None:
    nanoka_plugin_manager.register(load_example("nanoka-seed"), "seed")
    names = [s.name for s in resolve_stages(nanoka_plugin_manager)]
    assert names.index("seed") == names.index("wrangler") + 1


def test_sqlite_apply_takes_wranglers_place(load_example: Any, nanoka_plugin_manager: Any) -> None:
    nanoka_plugin_manager.register(load_example("nanoka-sqlite-apply"), "sqlite-apply")
    stages = resolve_stages(nanoka_plugin_manager)
    assert [s.name for s in stages] == [
        "load-config", "codegen", "drizzle-kit", "preserve-rows", "migrations-sum", "data-loss-guard", "d1-preflight", "restore-point", "sqlite-apply"
    ]
    assert stages[-1].replaced == "wrangler"
