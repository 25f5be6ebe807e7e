"""Plugins as users get them: separate packages, pip-installed into a fresh
virtualenv, found through their ``nanoka`` entry points."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from tests.conftest import venv_nanoka

MODELS = """
    from nanoka_core import t, define_model

    Product = define_model("products", {
        "id": t.uuid().primary(),
        "price": t.money(),
        "discount": t.money(currency="USD").optional().default(0),
        "sku": t.string().unique(),
    })
"""


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("")
    (tmp_path / "app" / "models.py").write_text(textwrap.dedent(MODELS))
    (tmp_path / "nanoka.toml").write_text('models = ["app.models"]\n')
    return tmp_path


def schema_lines(project: Path) -> list[str]:
    return (project / "drizzle" / "schema.ts").read_text().splitlines()


def test_plugins_lists_installed_plugins_with_distribution_and_hooks(plugin_venv: Path, shop: Path) -> None:
    done = venv_nanoka(plugin_venv, ["--log-format", "json", "plugins"], cwd=shop)
    assert done.returncode == 0, done.stderr
    rows = {row["name"]: row for row in json.loads(done.stdout)}
    assert set(rows) == {"money", "uuid36", "seed", "sqlite-apply", "tenant-index"}
    assert (rows["money"]["distribution"], rows["money"]["version"]) == ("nanoka-money", "1.0.0")
    assert rows["money"]["hooks"] == ["nanoka_emit_column", "nanoka_register_field_types"]
    assert rows["seed"]["hooks"] == ["nanoka_register_stages"]
    assert rows["tenant-index"]["hooks"] == ["nanoka_table_constraints"]


def test_broken_plugin_is_a_warning_naming_it(plugin_venv: Path, shop: Path) -> None:
    done = venv_nanoka(plugin_venv, ["plugins"], cwd=shop)
    assert done.returncode == 0
    assert (
        "nanoka warning: plugin 'broken' (nanoka_broken) failed to load and was skipped: "
        "RuntimeError: this plugin is broken on purpose"
    ) in done.stderr
    assert venv_nanoka(plugin_venv, ["--help"], cwd=shop).returncode == 0


def test_field_type_and_emitters_render_through_plugins(plugin_venv: Path, shop: Path) -> None:
    done = venv_nanoka(plugin_venv, ["generate", "--no-migrate"], cwd=shop)
    assert done.returncode == 0, done.stderr
    assert schema_lines(shop)[2:] == [
        "import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core'",
        "",
        "export const products = sqliteTable('products', {",
        "  id: text('id', { length: 36 }).primaryKey().notNull(),",
        "  price: integer('price').notNull(),",
        "  discount: integer('discount').default(0),",
        "  sku: text('sku').notNull().unique(),",
        "})",
    ]


def test_disabled_emitter_plugin_falls_back_to_builtin(plugin_venv: Path, shop: Path) -> None:
    done = venv_nanoka(plugin_venv, ["generate", "--no-migrate"], cwd=shop, env={"NANOKA_DISABLE_PLUGINS": "uuid36"})
    assert done.returncode == 0, done.stderr
    assert "  id: text('id').primaryKey().notNull()," in schema_lines(shop)


def test_disable_plugin_flag_removes_its_field_type(plugin_venv: Path, shop: Path) -> None:
    done = venv_nanoka(plugin_venv, ["--disable-plugin", "money", "generate", "--no-migrate"], cwd=shop)
    assert done.returncode == 1
    assert "t.money() is not a field type" in done.stderr
    assert "app/models.py:6" in done.stderr
    assert not (shop / "drizzle").exists()


def test_autoload_switch_loads_no_entry_points(plugin_venv: Path, shop: Path) -> None:
    env = {"NANOKA_DISABLE_PLUGIN_AUTOLOAD": "1"}
    done = venv_nanoka(plugin_venv, ["--log-format", "json", "plugins"], cwd=shop, env=env)
    assert json.loads(done.stdout) == []
    assert "broken" not in done.stderr


def test_stages_show_added_and_replaced_stages(plugin_venv: Path, shop: Path) -> None:
    done = venv_nanoka(plugin_venv, ["--log-format", "json", "stages", "--apply"], cwd=shop)
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    assert [(r["name"], r["plugin"], r["replaces"]) for r in rows] == [
        ("load-config", "load-config", None),
        ("codegen", "codegen", None),
        ("drizzle-kit", "drizzle-kit", None),
        ("preserve-rows", "preserve-rows", None),
        ("migrations-sum", "migrations-sum", None),
        ("data-loss-guard", "data-loss-guard", None),
        ("d1-preflight", "d1-preflight", None),
        ("restore-point", "restore-point", None),
        ("sqlite-apply", "sqlite-apply", "wrangler"),
        ("seed", "seed", None),
    ]
    assert rows[7]["runs"] is False  # only with --apply --remote
    assert rows[8]["runs"] is True  # inherits wrangler's "with --apply"
    assert rows[9]["runs"] is False  # no seed.sql in this project


def test_config_listed_plugin_can_replace_load_config(plugin_venv: Path, shop: Path) -> None:
    (shop / "yaml_models.py").write_text(textwrap.dedent("""
        from nanoka_core import Stage, define_model, hookimpl, t

        def load(ctx):
            ctx.models = [define_model("from_plugin", {"id": t.integer().primary()})]
            return ctx.models

        @hookimpl
        def nanoka_register_stages(register):
            register(Stage("load-config", run=load, replaces="load-config"))
    """))
    (shop / "nanoka.toml").write_text('models = []\nplugins = ["yaml_models"]\n')
    done = venv_nanoka(plugin_venv, ["generate", "--no-migrate"], cwd=shop)
    assert done.returncode == 0, done.stderr
    assert "export const from_plugin = sqliteTable('from_plugin', {" in schema_lines(shop)


def test_config_listed_plugin_that_fails_to_import_is_an_error(plugin_venv: Path, shop: Path) -> None:
    (shop / "nanoka.toml").write_text('models = ["app.models"]\nplugins = ["no_such_plugin"]\n')
    done = venv_nanoka(plugin_venv, ["generate", "--no-migrate"], cwd=shop)
    assert done.returncode == 1
    assert done.stderr.strip().endswith(
        "plugin 'no_such_plugin' (from the config's 'plugins') failed to import: "
        "ModuleNotFoundError: No module named 'no_such_plugin'"
    )
    assert "Traceback" not in done.stderr


def test_trace_prints_hook_calls(plugin_venv: Path, shop: Path) -> None:
    done = venv_nanoka(plugin_venv, ["generate", "--no-migrate"], cwd=shop, env={"NANOKA_TRACE_PLUGINS": "1"})
    assert done.returncode == 0, done.stderr
    assert "[trace] nanoka_register_stages(register) -> seed" in done.stderr
    assert "[trace] nanoka_emit_column(name='price', field=Money(kind='money'" in done.stderr
    assert ", columns\n" in done.stderr  # the built-in emitter is asked last
    assert "[trace] nanoka_emit_column = Column(expr=\"integer('price')\"" in done.stderr
