"""``nanoka generate --watch``: rewrite the schema whenever a model or the config changes.

File events come from watchfiles (an optional extra: ``pip install
'nanoka[watch]'``). Only the project's own folders are watched: the walk
stops at node_modules, virtualenvs, ``.wrangler``, caches and version
control, so a large ``node_modules`` costs nothing. A burst of saves is one
run. Each run imports the project's modules afresh, holds the project lock
only while it writes, and an error is one line, after which watching goes
on. Watch mode writes the schema only: a migration per keystroke would be
noise.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import os
import sys
from collections.abc import Callable, Generator, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nanoka_core.errors import NanokaError, describe

if TYPE_CHECKING:
    from nanoka_core.config import Config
    from nanoka_core.pipeline.manager import NanokaPluginManager
    from nanoka_core.pipeline.stage import Options

IGNORED_DIRS = frozenset(
    {
        "node_modules", ".wrangler", ".nanoka_cache", "__pycache__", ".git", ".hg", ".svn",
        ".venv", "venv", ".tox", ".nox", ".mypy_cache", ".pytest_cache", ".ruff_cache",
        ".hypothesis", ".idea", ".vscode", "site-packages", "dist", "build",
    }
)  # fmt: skip
INSTALL_HINT = "--watch needs the watchfiles package: pip install 'nanoka[watch]' (or pip install watchfiles)"
_OWN_PACKAGES = ("nanoka_core", "nanoka_plugins")
_BURST_MS = 50
_IDLE_MS = 500
"""A run starts once no file has changed for this long (a save is often several events)."""


def require_watchfiles() -> Any:
    try:
        import watchfiles
    except ImportError:
        raise NanokaError(INSTALL_HINT) from None
    return watchfiles


def watch_schema(
    config_path: Path | None,
    options: Options,
    plugin_manager: Callable[[Config], NanokaPluginManager],
    *,
    wait: bool,
    verbose: bool,
) -> None:
    """Write the schema now and after every change, until Ctrl-C (then return: exit 0)."""
    from nanoka_core.config import load_config
    from nanoka_core.log import get_logger

    watchfiles = require_watchfiles()
    log = get_logger()
    options = options._replace(no_migrate=True)
    config = load_config(config_path)
    baseline = set(sys.modules)
    log.info(
        f"watching {', '.join(_shown(r) for r in _roots(config))} for model and config changes; "
        "writing the schema only (no migrations: run nanoka generate when done); Ctrl-C stops"
    )

    def regenerate(last: Config) -> Config:
        return _regenerate(config_path, last, options, plugin_manager, wait, verbose, log) or last

    try:
        while True:  # one watcher per set of folders; a new folder starts a new one
            folders = project_folders(config)
            with contextlib.closing(_events(watchfiles, folders, config)) as events:
                next(events)  # the watcher is live: from here on no save is missed
                _forget_project_modules(baseline, folders, None)  # saves before it, if any
                config = regenerate(config)
                for changes in events:
                    if not changes:
                        continue
                    _forget_project_modules(baseline, folders, changes)
                    config = regenerate(config)
                    if project_folders(config) != folders:
                        break
    except KeyboardInterrupt:
        log.info("stopped watching")


def _events(watchfiles: Any, folders: list[Path], config: Config) -> Generator[set[str], None, None]:
    """Bursts of relevant changes (paths); an empty set first, once the watcher is set up."""

    def relevant(change: Any, path: str) -> bool:  # never nanoka's own output: it is not .py
        return path.endswith(".py") or path == str(config.path) or os.path.isdir(path)

    for batch in watchfiles.watch(
        *folders,
        watch_filter=relevant,
        step=_BURST_MS,
        rust_timeout=_IDLE_MS,
        yield_on_timeout=True,
        recursive=False,
        ignore_permission_denied=True,
    ):
        yield {path for _, path in batch}


def _regenerate(
    config_path: Path | None,
    last: Config,
    options: Options,
    plugin_manager: Callable[[Config], NanokaPluginManager],
    wait: bool,
    verbose: bool,
    log: Any,
) -> Config | None:
    """One schema-only run; an error is one line and the watching goes on. The config used, if it loaded."""
    from nanoka_core.config import load_config
    from nanoka_core.lock import project_lock
    from nanoka_core.pipeline.runner import resolve_stages, run_pipeline
    from nanoka_core.pipeline.stage import Context

    try:
        config = load_config(config_path or last.path)
        pm = plugin_manager(config)
        stages = resolve_stages(pm)
        with project_lock(config.project_dir, wait=wait, log=log):
            run_pipeline(stages, Context(config, options, pm))
        return config
    except NanokaError as e:
        _report(log, str(e), e, verbose)
    except Exception as e:
        message = f"unexpected {describe(e)} (a bug in nanoka or a plugin; run with -v for the traceback)"
        _report(log, message, e, verbose)
    return None


def _report(log: Any, message: str, error: BaseException, verbose: bool) -> None:
    if verbose:
        import traceback

        traceback.print_exception(type(error), error, error.__traceback__, file=sys.stderr)
    log.error(f"{message} (still watching)")


def _roots(config: Config) -> list[Path]:
    return list(dict.fromkeys([config.project_dir, *config.pythonpath]))


def project_folders(config: Config) -> list[Path]:
    """Every folder of the project and its ``pythonpath`` entries, minus tools' and caches'."""
    folders: dict[Path, None] = {}
    for root in _roots(config):
        if not root.is_dir():
            continue
        for folder, subfolders, _ in os.walk(root):
            subfolders[:] = sorted(
                name
                for name in subfolders
                if name not in IGNORED_DIRS
                and not os.path.exists(os.path.join(folder, name, "pyvenv.cfg"))  # a virtualenv
                and not os.path.islink(os.path.join(folder, name))
            )
            folders[Path(folder)] = None
    return list(folders)


def _forget_project_modules(baseline: set[str], folders: Iterable[Path], changed: set[str] | None) -> None:
    """Make the next import of the project's modules read their files again.

    Modules imported since watching began from the project's folders are
    dropped (libraries stay loaded). Python checks bytecode caches by
    modification time in whole seconds, so two saves within a second could
    load the older code: the cache of each changed file goes too (of every
    dropped module when what changed is unknown, ``changed=None``).
    """
    watched = {str(folder) for folder in folders}
    stale = set(changed or ())
    for name, module in list(sys.modules.items()):
        file = getattr(module, "__file__", None)
        if (
            name in baseline
            or name.split(".")[0] in _OWN_PACKAGES
            or not file
            or os.path.dirname(os.path.abspath(file)) not in watched
        ):
            continue
        del sys.modules[name]
        if changed is None:
            stale.add(file)
    for path in stale:
        if path.endswith(".py"):
            with contextlib.suppress(OSError, ValueError, NotImplementedError):
                os.unlink(importlib.util.cache_from_source(path))
    importlib.invalidate_caches()


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd())) or "."
    except ValueError:
        return str(path)
