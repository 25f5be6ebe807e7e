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


def test_a_marked_hook_without_the_prefix_is_still_an_error(plugin_dir: Path) -> None:
    """The manager skips a module's unmarked names without inspecting them, but not a marked one."""
    write_plugin(plugin_dir, "unprefixed_plugin", """
        from nanoka_core import hookimpl
        import json  # an imported module: skipped, never a hook

        @hookimpl
        def register_stages(register):
            pass
    """)
    with pytest.raises(PluginError) as info:
        get_plugin_manager(["unprefixed_plugin"], autoload=False)
    assert str(info.value).startswith("plugin 'unprefixed_plugin': unknown hook 'register_stages'")


def test_a_plugin_object_that_is_not_a_module_is_inspected_by_pluggy(plugin_dir: Path) -> None:
    """A class instance registered as a plugin keeps pluggy's full look-up (its methods are hooks)."""
    write_plugin(plugin_dir, "object_plugin", """
        from nanoka_core import hookimpl

        class Plugin:
            @hookimpl
            def nanoka_register_field_types(self, register):
                register("money", lambda: None)

        import sys
        sys.modules[__name__] = Plugin()
    """)
    pm = get_plugin_manager(["object_plugin"], autoload=False)
    assert "object_plugin" in pm.info
    impls = pm.hook.nanoka_register_field_types.get_hookimpls()
    assert any(type(impl.plugin).__name__ == "Plugin" for impl in impls)


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
