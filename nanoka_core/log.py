"""structlog set-up: a plain console line for people, JSON lines for machines.

Colour on a terminal or with ``FORCE_COLOR`` set, never with ``NO_COLOR`` set
(no-color.org, force-color.org).

Everything goes to stderr, leaving stdout to the tools nanoka runs and to
command output meant for pipes (``nanoka stages --log-format json``).
"""

from __future__ import annotations

import functools
import importlib
import logging
import os
import sys
from types import ModuleType
from typing import Any

LEVELS = {-1: logging.WARNING, 0: logging.INFO, 1: logging.DEBUG}
_PRETTY_TRACEBACKS = ("rich", "better_exceptions", "colorama")
_USED_ONLY_WHEN_CALLED = ("asyncio",)


class _ImportedOnUse(ModuleType):
    """Stands in for a module until one of its attributes is read, then imports the real one."""

    def __getattr__(self, attr: str) -> Any:
        if sys.modules.get(self.__name__) is self:
            del sys.modules[self.__name__]
        return getattr(importlib.import_module(self.__name__), attr)


@functools.cache
def _structlog() -> ModuleType:
    """structlog, imported without what it loads for features nanoka does not use.

    ``import structlog`` imports ``structlog.dev``, which imports rich (25 ms
    and more) for pretty tracebacks if it can; nanoka renders its own lines
    and prints no structlog traceback, so those imports are refused while
    structlog loads. It also imports asyncio (15 ms and more) for its async
    log methods, which read it only when called: structlog gets a stand-in
    that imports asyncio on first use. Both are restored for everyone else
    right after.
    """
    hidden = [name for name in _PRETTY_TRACEBACKS if name not in sys.modules]
    deferred = [name for name in _USED_ONLY_WHEN_CALLED if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # type: ignore[assignment]  # makes `import name` raise ImportError
    for name in deferred:
        sys.modules[name] = _ImportedOnUse(name)
    try:
        import structlog
    finally:
        for name in hidden:
            del sys.modules[name]
        for name in deferred:
            if isinstance(sys.modules.get(name), _ImportedOnUse):
                del sys.modules[name]
    return structlog


def get_logger() -> Any:
    """nanoka's logger: every message goes through it, rendered as ``configure`` chose."""
    return _structlog().get_logger("nanoka")


def configure(log_format: str = "console", verbosity: int = 0) -> None:
    """``verbosity``: -1 (``-q``) warnings and errors, 0 info, 1 (``-v``) debug."""
    structlog = _structlog()
    level = LEVELS[max(-1, min(1, verbosity))]
    processors: list[Any] = [structlog.processors.add_log_level]
    if log_format == "json":
        processors += [
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.JSONRenderer(sort_keys=False),
        ]
    else:
        colors = use_colour()
        processors.append(functools.partial(_render_console, colors=colors))
    structlog.configure(
        processors=processors,
        wrapper_class=structlog.make_filtering_bound_logger(level),
        logger_factory=structlog.PrintLoggerFactory(sys.stderr),
        cache_logger_on_first_use=False,
    )
    _route_library_logs()


LIBRARY_LOGGERS = ("sqlglot",)
"""Libraries that log through ``logging``; without a handler Python prints their warnings bare to stderr."""


class _ToStructlog(logging.Handler):
    """A library's log record as a nanoka debug event (``-v`` shows it; JSON lines stay JSON lines)."""

    def emit(self, record: logging.LogRecord) -> None:
        get_logger().debug(record.getMessage(), source=record.name)


def _route_library_logs() -> None:
    for name in LIBRARY_LOGGERS:
        logger = logging.getLogger(name)
        logger.handlers = [_ToStructlog()]
        logger.propagate = False


def use_colour() -> bool:
    """``NO_COLOR`` turns colour off; else ``FORCE_COLOR`` turns it on (in CI logs); else a terminal does.

    The order CPython 3.13 uses; a set-but-empty variable counts as unset, as both standards say.
    """
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return sys.stderr.isatty()


_COLORS = {"error": "\033[1;31m", "warning": "\033[33m"}  # bold red, yellow
_RESET = "\033[0m"


def _render_console(_logger: Any, _method: str, event: dict[str, Any], *, colors: bool = False) -> str:
    """``nanoka codegen: wrote drizzle/schema.ts``; warnings and errors say so (in colour on a terminal)."""
    level = event.pop("level", "info")
    stage = event.pop("stage", None)
    message = str(event.pop("event", ""))
    prefix = f"nanoka {stage}" if stage else "nanoka"
    if level not in ("info", "debug"):
        prefix += f" {level}"
        if colors and level in _COLORS:
            prefix = f"{_COLORS[level]}{prefix}{_RESET}"
    event.pop("data", None)  # structured detail for --log-format json; the message says it for people
    extra = "".join(f" {key}={value}" for key, value in event.items())
    return f"{prefix}: {message}{extra}"


def format_duration(seconds: float) -> str:
    """How nanoka says how long something took: ms under a second, else seconds."""
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.1f} s"
