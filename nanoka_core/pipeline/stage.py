"""What a stage is and what it receives: ``Stage``, ``Options``, ``Context``.

These are the values plugins exchange with the pipeline; the runner that
orders and executes stages is ``nanoka_core.pipeline.runner``.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from nanoka_core.errors import PluginError, describe
from nanoka_core.log import get_logger

if TYPE_CHECKING:
    import pluggy

    from nanoka_core.config import Config
    from nanoka_core.schema.models import Model
    from nanoka_core.tools import ToolResult


@dataclasses.dataclass(frozen=True, eq=False)  # one object per registration: identity is equality
class Stage:
    """A named unit of pipeline work.

    :param name: also how other stages refer to it in ``before``/``after``.
    :param run: ``run(ctx)`` does the work; raise ``NanokaError`` to fail
        with a message, return anything to record it in ``ctx.results``.
    :param before: stages this one must run before.
    :param after: stages this one must run after.
    :param enabled: ``enabled(ctx) -> bool``; None runs always (or, for a
        replacement, as the replaced stage did).
    :param replaces: the name of a stage this one takes the place of.
    :param check: ``check(ctx)``, run for every enabled stage before any
        stage runs, so bad input fails before anything is written.
    :param description: one line for ``nanoka stages``.
    :param runs_when: when it runs, for ``nanoka stages`` (e.g. "with --apply").
    """

    name: str
    run: Callable[[Context], Any]
    before: Sequence[str] = ()
    after: Sequence[str] = ()
    enabled: Callable[[Context], bool] | None = None
    replaces: str | None = None
    check: Callable[[Context], None] | None = None
    description: str = ""
    runs_when: str = "always"
    plugin: str = ""
    """Set by nanoka: the plugin that registered the stage."""
    replaced: str = ""
    """Set by nanoka: the plugin whose stage this one replaced."""

    def is_enabled(self, ctx: Context) -> bool:
        if self.enabled is None:
            return True
        try:
            return bool(self.enabled(ctx))
        except Exception as e:
            raise PluginError(
                f"plugin {self.plugin!r}: enabled() of stage {self.name!r} raised {describe(e)}"
            ) from e


class Options(NamedTuple):
    """The command-line options of a run, as given (None: not given)."""

    output: Path | None = None
    no_migrate: bool = False
    apply: bool = False
    db: str | None = None
    remote: bool = False
    package_manager: str | None = None
    force: bool = False
    """Overwrite an output file that nanoka did not generate."""
    quiet: bool = False
    """``-q``: the tools' output is shown only when a tool fails."""
    no_cache: bool = False
    """Run drizzle-kit even when nothing it reads changed since its last successful run."""
    env: str | None = None
    """The wrangler environment (``--env``)."""
    wrangler_config: Path | None = None
    migration_name: str | None = None
    """``--name``: what drizzle-kit calls the new migration."""
    custom: str | None = None
    """``--custom NAME``: an empty migration for hand-written SQL; the schema is left alone."""
    allow_data_loss: bool = False
    """Apply migrations that destroy data (the data-loss guard stands aside)."""
    no_renames: bool = False
    """Answer "created" to every rename question no ``renamed_from`` answers."""
    no_restore_point: bool = False
    """Apply to the remote D1 without taking a Time Travel bookmark first."""
    to: str | None = None
    """``--to NAME``: apply pending migrations up to and including this file, not after it."""
    no_rehearsal: bool = False
    """Apply without rehearsing the pending migrations on a copy first."""
    rehearse_with_data: bool = False
    """Rehearse a remote apply on a full export of the remote D1 instead of generated rows."""


class Context:
    """What every stage receives: config, options, tools, earlier results."""

    def __init__(self, config: Config, options: Options, pm: pluggy.PluginManager) -> None:
        self.config = config
        self.options = options
        self.hook = pm.hook
        self.plugin_manager = pm
        self.results: dict[str, Any] = {}
        """What each finished stage's ``run`` returned, by stage name."""
        self.models: list[type[Model]] = []
        """The project's models, once ``load-config`` has run."""
        self.stages: list[Stage] = []
        """The stages this run executes, in order (set before any check runs)."""
        self.tools_run: list[tuple[str, list[str]]] = []
        """(stage, command line) of every tool ``run_tool`` started, in order."""
        self._stage = ""

    def will_run(self, name: str) -> bool:
        """Whether this run executes stage ``name``, or a stage that replaced it."""
        return any(name in (s.name, s.replaces) for s in self.stages)

    @property
    def project_dir(self) -> Path:
        return self.config.project_dir

    @property
    def output(self) -> Path:
        """Where the schema goes: ``--output`` (against the cwd), else the config's.

        Made absolute without resolving links, so a link at the path stays visible.
        """
        return Path(os.path.abspath(self.options.output)) if self.options.output else self.config.output

    @property
    def database(self) -> str | None:
        return self.options.db if self.options.db is not None else self.config.migrate.database

    @property
    def wrangler_env(self) -> str | None:
        """``--env``, else ``migrate.env``: passed to every wrangler call."""
        return self.options.env if self.options.env is not None else self.config.migrate.env

    @property
    def wrangler_config(self) -> Path | None:
        """``--wrangler-config`` (against the cwd), else ``migrate.wrangler-config``.

        None: wrangler finds its config itself.
        """
        if self.options.wrangler_config is not None:
            return Path(os.path.abspath(self.options.wrangler_config))
        return self.config.migrate.wrangler_config

    @property
    def wrangler_flags(self) -> list[str]:
        """``--env=`` and ``--config=`` as chosen for this run: give them to every wrangler call."""
        flags = [f"--env={self.wrangler_env}"] if self.wrangler_env is not None else []
        if self.wrangler_config is not None:
            flags.append(f"--config={os.path.relpath(self.wrangler_config, self.project_dir)}")
        return flags

    @property
    def package_manager(self) -> str:
        return self.options.package_manager or self.config.migrate.package_manager or "npx"

    @property
    def log(self) -> Any:
        """A structlog logger bound to the running stage's name."""
        logger = get_logger()
        return logger.bind(stage=self._stage) if self._stage else logger

    def run_tool(self, args: Sequence[str], *, capture: bool = False, echo: bool = False) -> ToolResult:
        """Run a Node tool in the project folder: the project's own copy (``tools.resolve_tool``).

        No shell. Without ``capture`` the tool has the user's terminal; with
        it, the output is kept in the result and shown only with
        ``echo=True``. Under ``-q`` the output is always captured and shown
        only in the error when the tool fails. Raises ``ToolError`` when the
        tool is missing, exits non-zero or is killed.
        """
        import shlex

        from nanoka_core.tools import resolve_tool, run_tool

        command = resolve_tool(self.package_manager, args, self.project_dir)
        self.tools_run.append((self._stage, command.shown))
        self.log.info(f"running {shlex.join(command.shown)}")
        if self.options.quiet:
            capture, echo = True, False
        return run_tool(
            self.package_manager, args, cwd=self.project_dir, capture=capture, echo=echo, command=command
        )
