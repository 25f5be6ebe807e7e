"""pytest helpers for nanoka and its plugins, loaded as the pytest plugin ``nanoka``.

Fixtures:

``nanoka_plugin_manager``
    A plugin manager with the built-in plugins only (no entry points), so a
    test registers exactly the plugin under test: ``pm.register(my_plugin)``.
``nanoka_project``
    A factory writing a project folder (``nanoka.toml`` plus model modules)
    under ``tmp_path``; modules it imports are forgotten after the test.
``nanoka_render``
    Renders models to schema text through a given plugin manager, as
    ``nanoka generate`` would, without touching the disk; the global ``t``
    gets its field types back after the test.
"""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from nanoka_core.pipeline.manager import NanokaPluginManager, get_plugin_manager


@pytest.fixture
def nanoka_plugin_manager() -> NanokaPluginManager:
    return get_plugin_manager(autoload=False)


@pytest.fixture
def nanoka_project(tmp_path: Path) -> Iterator[Callable[..., Path]]:
    """``nanoka_project(models={"app/models.py": "..."}, config="...") -> project folder``."""
    before_path = list(sys.path)

    def make(
        models: dict[str, str] | None = None,
        config: str = 'models = ["app.models"]\n',
        name: str = "project",
    ) -> Path:
        root = tmp_path / name
        root.mkdir(parents=True, exist_ok=True)
        (root / "nanoka.toml").write_text(textwrap.dedent(config), encoding="utf-8")
        for relpath, source in (models or {}).items():
            path = root / relpath
            path.parent.mkdir(parents=True, exist_ok=True)
            for parent in path.relative_to(root).parents:
                if parent != Path(".") and not (root / parent / "__init__.py").exists():
                    (root / parent / "__init__.py").write_text("", encoding="utf-8")
            path.write_text(textwrap.dedent(source), encoding="utf-8")
        return root

    yield make
    forget_modules(tmp_path)
    sys.path[:] = before_path


def forget_modules(folder: Path) -> None:
    """Drop modules imported from ``folder``, so the next test imports its own ``app.models``."""
    for name, module in list(sys.modules.items()):
        if str(folder) in str(getattr(module, "__file__", None) or ""):
            del sys.modules[name]


@pytest.fixture
def nanoka_render(nanoka_plugin_manager: NanokaPluginManager) -> Iterator[Callable[..., str]]:
    """``nanoka_render(models, pm=None) -> schema text``.

    Rendering makes ``pm``'s field types the global ``t``'s; they are put
    back afterwards, so no test sees another test's plugin kinds.
    """
    from nanoka_core.pipeline.manager import register_field_types
    from nanoka_core.render.codegen import render_with_hooks
    from nanoka_core.schema.fields import t

    saved = t._plugin_types

    def render(models: Sequence[Any], pm: NanokaPluginManager | None = None) -> str:
        manager = pm or nanoka_plugin_manager
        t.use(register_field_types(manager.hook))
        return render_with_hooks(models, manager.hook, None)

    yield render
    t._plugin_types = saved
