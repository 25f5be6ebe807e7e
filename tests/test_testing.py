"""The pytest fixtures nanoka gives plugin authors leave no state behind."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

PLUGIN_TESTS = '''
import pytest
from nanoka_core import Column, Field, define_model, hookimpl, t


class Money:
    @hookimpl
    def nanoka_register_field_types(self, register):
        register("money", lambda: Field("money"))

    @hookimpl
    def nanoka_emit_column(self, name, field, ctx):
        if field.kind == "money":
            return Column(f"integer('{name}')", imports={"integer"})


def test_a_renders_with_the_money_plugin(nanoka_plugin_manager, nanoka_render):
    nanoka_plugin_manager.register(Money(), "money")
    nanoka_render([], nanoka_plugin_manager)
    products = define_model("products", {"price": t.money()})
    assert "integer('price')" in nanoka_render([products], nanoka_plugin_manager)


def test_b_renders_without_it(nanoka_render):
    with pytest.raises(AttributeError, match=r"t\\.money\\(\\) is not a field type"):
        t.money()
    assert "sqliteTable" in nanoka_render([])
'''


def run_pytest(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NANOKA_DISABLE_PLUGIN_AUTOLOAD": "1", "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:randomly", "-p", "no:cacheprovider", "-q", *args],
        cwd=folder, env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=300,
    )


def test_nanoka_render_gives_t_its_field_types_back(tmp_path: Path) -> None:
    (tmp_path / "test_plugin.py").write_text(textwrap.dedent(PLUGIN_TESTS))
    alone = run_pytest(tmp_path, "test_plugin.py::test_b_renders_without_it")
    assert alone.returncode == 0, alone.stdout
    after_the_other = run_pytest(tmp_path, "test_plugin.py")
    assert after_the_other.returncode == 0, after_the_other.stdout
    assert "2 passed" in after_the_other.stdout
