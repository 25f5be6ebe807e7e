"""The one place that builds nanoka's plugin manager.

Built-in plugins are registered under short names (``codegen``,
``wrangler``...) so they can be blocked like any other; entry points in the
group ``nanoka`` are loaded each on its own, so one broken plugin is a
warning, not a dead tool; modules named in the config's ``plugins`` key are
loaded last and may replace any stage.
"""

from __future__ import annotations

import importlib
import os
import sys
import types
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, NamedTuple

import pluggy

from nanoka_core.config import env_flag, tracing
from nanoka_core.errors import NanokaError, PluginError, describe
from nanoka_core.log import get_logger
from nanoka_core.pipeline import hookspecs

BUILTIN_PLUGINS = {
    "load-config": "nanoka_plugins.load_config",
    "codegen": "nanoka_plugins.codegen",
    "columns": "nanoka_plugins.columns",
    "constraints": "nanoka_plugins.constraints",
    "drizzle-kit": "nanoka_plugins.drizzle_kit",
    "preserve-rows": "nanoka_plugins.preserve_rows",
    "migrations-sum": "nanoka_plugins.migrations_sum",
    "data-loss-guard": "nanoka_plugins.data_loss_guard",
    "d1-preflight": "nanoka_plugins.d1_preflight",
    "rehearsal": "nanoka_plugins.rehearsal",
    "restore-point": "nanoka_plugins.restore_point",
    "wrangler": "nanoka_plugins.wrangler",
    "report": "nanoka_plugins.report",
}
ENTRY_POINT_GROUP = "nanoka"


class PluginInfo(NamedTuple):
    """Where a registered plugin came from, for ``nanoka plugins``."""

    name: str
    source: str  # "builtin", "entry point" or "config"
    module: str
    distribution: str | None = None
    version: str | None = None


class NanokaPluginManager(pluggy.PluginManager):
    """pluggy's manager plus where each plugin came from."""

    def __init__(self) -> None:
        super().__init__("nanoka")
        self.add_hookspecs(hookspecs)
        self.info: dict[str, PluginInfo] = {}

    def parse_hookimpl_opts(self, plugin: object, name: str) -> pluggy.HookimplOpts | None:
        """pluggy's answer, without its static look-up of every other name a plugin module holds.

        pluggy reads each attribute of each plugin (what a module imported
        included) through ``inspect.getattr_static``: a few milliseconds of
        every start-up. In a module, only a function of its own carrying the
        ``@hookimpl`` mark can be a hook, so the rest is skipped with a dict
        look-up; a misnamed hook is still registered and reported as unknown.
        """
        if not name.startswith("nanoka_") and isinstance(plugin, types.ModuleType):
            value = plugin.__dict__.get(name)
            if not (isinstance(value, types.FunctionType) and f"{self.project_name}_impl" in value.__dict__):
                return None
        return super().parse_hookimpl_opts(plugin, name)


def get_plugin_manager(
    config_plugins: Iterable[str] = (),
    disabled: Iterable[str] = (),
    *,
    autoload: bool | None = None,
) -> NanokaPluginManager:
    """A fresh manager with built-ins, entry points and ``config_plugins``.

    :param disabled: plugin names to block, on top of ``NANOKA_DISABLE_PLUGINS``.
    :param autoload: load entry points; default: unless ``NANOKA_DISABLE_PLUGIN_AUTOLOAD``.
    """
    pm = NanokaPluginManager()
    env_disabled = os.environ.get("NANOKA_DISABLE_PLUGINS", "").split(",")
    for name in [*disabled, *env_disabled]:
        if name.strip():
            pm.set_blocked(name.strip())
    for name, module in BUILTIN_PLUGINS.items():
        _register(pm, importlib.import_module(module), PluginInfo(name, "builtin", module))
    if autoload if autoload is not None else not env_flag("NANOKA_DISABLE_PLUGIN_AUTOLOAD"):
        _load_entry_points(pm)
    for module_name in config_plugins:
        if pm.is_blocked(module_name):
            continue
        try:
            plugin = importlib.import_module(module_name)
        except Exception as e:
            raise PluginError(
                f"plugin {module_name!r} (from the config's 'plugins') failed to import: {describe(e)}"
            ) from e
        if not pm.is_registered(plugin):  # also installed as an entry point: once is enough
            _register(pm, plugin, PluginInfo(module_name, "config", module_name))
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as e:
        raise PluginError(f"plugin {pm.get_name(e.plugin)!r}: {e}") from e
    if tracing():
        pm.add_hookcall_monitoring(_trace_call, _trace_result)
    return pm


def _trace_call(hook_name: str, impls: Sequence[pluggy.HookImpl], kwargs: Mapping[str, Any]) -> None:
    """NANOKA_TRACE_PLUGINS: a hook call, its arguments and who implements it, in call order."""
    args = ", ".join(f"{k}={_short(v)}" for k, v in kwargs.items() if k != "ctx")
    plugins = ", ".join(impl.plugin_name for impl in reversed(impls))
    sys.stderr.write(f"[trace] {hook_name}({args}) -> {plugins or 'no implementations'}\n")


def _trace_result(
    outcome: pluggy.Result[Any], hook_name: str, impls: Sequence[pluggy.HookImpl], kwargs: Mapping[str, Any]
) -> None:
    shown = f"raised {outcome.exception!r}" if outcome.exception else _short(outcome.get_result())
    sys.stderr.write(f"[trace] {hook_name} = {shown}\n")


def _short(value: object) -> str:
    from nanoka_core.pipeline.stage import Stage

    text = f"Stage({value.name!r})" if isinstance(value, Stage) else repr(value)
    return text if len(text) <= 100 else text[:97] + "..."


def _register(pm: NanokaPluginManager, plugin: object, info: PluginInfo) -> None:
    if pm.is_blocked(info.name):
        return
    try:
        pm.register(plugin, name=info.name)
    except pluggy.PluginValidationError as e:
        raise PluginError(f"plugin {info.name!r}: {e}") from e
    except ValueError as e:  # a second plugin under the same name
        raise PluginError(f"plugin {info.name!r} is registered twice: {e}") from e
    pm.info[info.name] = info


def _may_have_entry_points() -> bool:
    """False only when no installed distribution declares a ``[nanoka]`` entry point.

    importlib.metadata costs ~20 ms to import (a fifth of nanoka's start-up);
    a plain look at the entry_points.txt files on sys.path lets runs without
    plugins skip it. Anything unusual on sys.path (a zip) gets the full scan.
    """
    for entry in sys.path:
        folder = entry or "."
        if not os.path.isdir(folder):
            if os.path.exists(folder):
                return True
            continue
        try:
            names = os.listdir(folder)
        except OSError:
            continue
        for name in names:
            if name.endswith((".dist-info", ".egg-info")):
                try:
                    with open(os.path.join(folder, name, "entry_points.txt"), encoding="utf-8") as f:
                        if "[nanoka]" in f.read():
                            return True
                except OSError:
                    continue
    return False


def _load_entry_points(pm: NanokaPluginManager) -> None:
    if not _may_have_entry_points():
        return
    from importlib.metadata import entry_points

    log = get_logger()
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if pm.is_blocked(ep.name) or pm.get_plugin(ep.name) is not None:
            continue
        dist = getattr(ep, "dist", None)
        try:
            plugin = ep.load()
            _register(
                pm,
                plugin,
                PluginInfo(
                    ep.name,
                    "entry point",
                    ep.value,
                    dist.name if dist else None,
                    dist.version if dist else None,
                ),
            )
        except Exception as e:
            log.warning(f"plugin {ep.name!r} ({ep.value}) failed to load and was skipped: {describe(e)}")


def call_each(hooks: pluggy.HookRelay, hook_name: str, kwargs_for: Callable[[str], dict[str, Any]]) -> None:
    """Call a registration hook plugin by plugin, in load order.

    The ``register`` callback each plugin gets knows the plugin's name, so
    conflicts can be reported with it, and what was loaded first wins ties.
    """
    trace = tracing()
    for impl in getattr(hooks, hook_name).get_hookimpls():
        kwargs = kwargs_for(impl.plugin_name)
        if trace:
            sys.stderr.write(f"[trace] {hook_name}(register) -> {impl.plugin_name}\n")
        try:
            impl.function(**{k: kwargs[k] for k in impl.argnames})
        except NanokaError:
            raise
        except Exception as e:
            raise PluginError(f"plugin {impl.plugin_name!r}: {hook_name} raised {describe(e)}") from e


def blame(pm: pluggy.PluginManager, error: BaseException) -> str | None:
    """The plugin whose code raised ``error``: the innermost traceback frame in a plugin's module."""
    modules = {}
    for name, plugin in pm.list_name_plugin():
        module = plugin.__name__ if isinstance(plugin, types.ModuleType) else type(plugin).__module__
        modules[module] = name
    culprit = None
    tb = error.__traceback__
    while tb is not None:
        culprit = modules.get(tb.tb_frame.f_globals.get("__name__", ""), culprit)
        tb = tb.tb_next
    return culprit


def register_field_types(hooks: pluggy.HookRelay) -> dict[str, Callable[..., Any]]:
    """Field kinds from every plugin, as ``name -> factory``; clashes are errors."""
    from nanoka_core.schema.fields import BUILTIN_KINDS, RELATION_KINDS, FieldTypes

    types: dict[str, Callable[..., Any]] = {}
    owners: dict[str, str] = {}

    def kwargs_for(plugin: str) -> dict[str, Any]:
        def register(name: str, factory: Callable[..., Any]) -> None:
            if not isinstance(name, str) or not name.isidentifier() or name.startswith("_"):
                raise PluginError(f"plugin {plugin!r} registered field type {name!r}: not a valid name")
            if name in BUILTIN_KINDS or name in RELATION_KINDS or hasattr(FieldTypes, name):
                raise PluginError(f"plugin {plugin!r} registered field type {name!r}, a built-in name")
            if name in types:
                raise PluginError(
                    f"field type {name!r} is registered by both {owners[name]!r} and {plugin!r}"
                )
            if not callable(factory):
                raise PluginError(f"plugin {plugin!r}: factory for field type {name!r} is not callable")
            types[name], owners[name] = factory, plugin

        return {"register": register}

    call_each(hooks, "nanoka_register_field_types", kwargs_for)
    return types
