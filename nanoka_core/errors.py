"""Errors nanoka raises on purpose.

Each is raised where the problem is found, with a message a user can act on;
the CLI maps them to exit codes and one line of output in one place.
"""

from __future__ import annotations


class NanokaError(Exception):
    """A problem with the user's input or environment: exit 1, no traceback."""

    exit_code = 1


class UsageError(NanokaError):
    """The command line itself is wrong: exit 2, as click does."""

    exit_code = 2


class ConfigError(NanokaError):
    """The config file is missing, unreadable or has a bad key or value."""


class ModelError(NanokaError):
    """A model definition cannot be turned into a schema."""


class PluginError(NanokaError):
    """A plugin failed to load, or plugins disagree (two replace one stage...)."""


class ToolError(NanokaError):
    """A Node tool (drizzle-kit, wrangler) is missing or failed."""


class StageError(NanokaError):
    """A pipeline stage failed; names the stage so the user knows where."""

    def __init__(self, stage: str, message: str, failed: str = "failed") -> None:
        super().__init__(f"stage '{stage}' {failed}: {message}")
        self.stage = stage


def describe(error: BaseException) -> str:
    """``Type: message``, even for an exception whose ``str()`` itself fails."""
    try:
        text = str(error)
    except Exception:
        text = "<the error's message could not be shown>"
    return f"{type(error).__name__}: {text}" if text else type(error).__name__
