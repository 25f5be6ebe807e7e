"""Building the plugin manager: sources, switches and mistakes in plugins."""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from nanoka_core.errors import PluginError
from nanoka_core.pipeline.manager import BUILTIN_PLUGINS, get_plugin_manager
from nanoka_core.testing import forget_modules


@pytest.fixture
def plugin_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.syspath_prepend(str(tmp_path))
    yield tmp_path
    forget_modules(tmp_path)


def write_plugin(folder: Path, name: str, source: str) -> None:
    (folder / f"{name}.py").write_text(textwrap.dedent(source))


def test_builtins_are_registered_under_their_short_names() -> None:
    pm = get_plugin_manager(autoload=False)
    assert list(pm.info) == list(BUILTIN_PLUGINS)
    assert all(pm.info[name].source == "builtin" for name in BUILTIN_PLUGINS)


def test_a_misspelled_hook_is_an_error_naming_the_plugin(plugin_dir: Path) -> None:
    write_plugin(plugin_dir, "typo_plugin", """
        from nanoka_core import hookimpl

        @hookimpl
        def nanoka_regster_stages(register):
            pass
    """)
    with pytest.raises(PluginError) as info:
        get_plugin_manager(["typo_plugin"], autoload=False)
    assert str(info.value).startswith("plugin 'typo_plugin': unknown hook 'nanoka_regster_stages'")


def test_a_config_plugin_that_is_disabled_is_not_even_imported(plugin_dir: Path) -> None:
    write_plugin(plugin_dir, "loud_plugin", "raise RuntimeError('imported')\n")
    pm = get_plugin_manager(["loud_plugin"], ["loud_plugin"], autoload=False)
    assert "loud_plugin" not in pm.info
    assert "loud_plugin" not in sys.modules


def test_a_plugin_listed_twice_is_registered_once(plugin_dir: Path) -> None:
    write_plugin(plugin_dir, "twice_plugin", """
        from nanoka_core import hookimpl

        @hookimpl
        def nanoka_stage_started(stage, ctx):
            pass
    """)
    pm = get_plugin_manager(["twice_plugin", "twice_plugin"], autoload=False)
    assert [name for name in pm.info if name == "twice_plugin"] == ["twice_plugin"]


def test_disable_env_accepts_spaces_and_empty_items(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NANOKA_DISABLE_PLUGINS", " wrangler , ,drizzle-kit")
    pm = get_plugin_manager(autoload=False)
    assert "wrangler" not in pm.info and "drizzle-kit" not in pm.info
    assert pm.is_blocked("wrangler")
