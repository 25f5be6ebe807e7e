"""Running Node tools (drizzle-kit, wrangler): the project's own copy, never a download.

Always an argument list, never a shell. When the project (or a parent
folder) has ``node_modules/.bin/<tool>``, that is run directly, with that
folder first on PATH: it is what ``npx --no-install``, ``npm exec``, ``pnpm
exec`` and ``bunx`` would start, without the package manager's own start-up
(about 0.3 s of CPU per call, several calls per apply). Otherwise the tool
goes through the package manager (``npx --no-install`` and ``npm exec --no``
fail instead of downloading whatever version is newest); always through it
under yarn, whose Plug'n'Play needs its own loader. The user's terminal is
passed through unless the caller needs to read the output, which is then
relayed as it arrives.

What runs a tool (subprocess, signal, threading) is imported when one runs:
a run that only checks that the tools are there (a no-op ``generate``) does
not pay for it.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, NamedTuple

from nanoka_core.config import PACKAGE_MANAGERS
from nanoka_core.errors import ToolError, UsageError
from nanoka_core.lock import held_lock_fds

if TYPE_CHECKING:
    import subprocess

_PREFIXES = {
    "npx": ["npx", "--no-install"],
    "pnpm": ["pnpm", "exec"],
    "npm": ["npm", "exec", "--no", "--"],
    "yarn": ["yarn"],
    "bun": ["bunx"],
}
_INSTALL_HINTS = {
    "npx": "install Node.js (>= 20)",
    "npm": "install Node.js (>= 20)",
    "pnpm": "install pnpm (https://pnpm.io) or choose another --package-manager",
    "yarn": "install yarn (corepack enable) or choose another --package-manager",
    "bun": "install bun (https://bun.sh) or choose another --package-manager",
}
_INSTALL_COMMANDS = {
    "npx": "npm install",
    "npm": "npm install",
    "pnpm": "pnpm install",
    "yarn": "yarn install",
    "bun": "bun install",
}
_INTERRUPT_GRACE_SECONDS = 5


class ToolResult(NamedTuple):
    argv: list[str]
    returncode: int
    stdout: str = ""
    """Captured output (only with ``capture=True``)."""
    stderr: str = ""


def tool_command(package_manager: str, args: Sequence[str]) -> list[str]:
    """The argument list that runs ``args`` through ``package_manager``."""
    if package_manager not in _PREFIXES:
        raise UsageError(
            f"unknown package manager {package_manager!r}; use one of: {', '.join(PACKAGE_MANAGERS)}"
        )
    return [*_PREFIXES[package_manager], *args]


class ToolCommand(NamedTuple):
    """How a tool runs: ``argv`` (its first item a full path), the command as shown to the user,
    and the environment (None: ours)."""

    argv: list[str]
    shown: list[str]
    env: dict[str, str] | None


def resolve_tool(package_manager: str, args: Sequence[str], cwd: Path) -> ToolCommand:
    """The project's ``node_modules/.bin/<tool>`` when there is one (see the module docstring),
    else ``package_manager``'s exec; a ToolError when what it needs is not on PATH."""
    through = tool_command(package_manager, args)
    if package_manager != "yarn":
        for folder in (cwd, *cwd.parents):
            bin_dir = folder / "node_modules" / ".bin"
            found = shutil.which(args[0], path=str(bin_dir)) if bin_dir.is_dir() else None
            if found is None:
                continue
            if shutil.which("node") is None:
                raise ToolError(f"node not found on PATH, which {found} needs: install Node.js (>= 20)")
            shown = os.path.relpath(found, cwd) if folder == cwd else found
            env = {**os.environ, "PATH": os.pathsep.join([str(bin_dir), os.environ.get("PATH", "")])}
            return ToolCommand([found, *args[1:]], [shown, *args[1:]], env)
    return ToolCommand([require_package_manager(package_manager), *through[1:]], through, None)


def require_package_manager(package_manager: str) -> str:
    """The executable's path, or a ToolError saying how to get it."""
    executable = tool_command(package_manager, [])[0]
    found = shutil.which(executable)
    if found is None:
        raise ToolError(f"{executable} not found on PATH: {_INSTALL_HINTS[package_manager]}")
    return found


def require_node_package(project_dir: Path, name: str, package_manager: str) -> None:
    """Fail before anything runs when the project lacks a tool, saying how to install it.

    Looks where Node would: ``node_modules/<name>`` in the project folder or a
    parent. Without this, npx says only "npx canceled due to missing packages".
    """
    import json

    manifest = None
    for folder in (project_dir, *project_dir.parents):
        if (folder / "node_modules" / name / "package.json").is_file():
            return
        if package_manager == "yarn" and (folder / ".pnp.cjs").is_file():
            return  # Yarn Plug'n'Play keeps no node_modules; yarn names what is missing itself
        if manifest is None and (folder / "package.json").is_file():
            manifest = folder / "package.json"
    install = _INSTALL_COMMANDS[package_manager]
    if manifest is None:
        raise ToolError(
            f"{name} is not installed and no package.json was found in {project_dir} or a parent "
            f"folder: run `{install.split()[0]} init` and `{install} -D {name}` in {project_dir}"
        )
    try:
        declared = json.loads(manifest.read_text(encoding="utf-8"))
        listed = any(name in (declared.get(key) or {}) for key in ("dependencies", "devDependencies"))
    except (OSError, ValueError, AttributeError, TypeError):
        listed = False
    if listed:
        raise ToolError(
            f"{name} is listed in {manifest} but not installed: run `{install}` "
            f"(or your package manager's install) in {manifest.parent}"
        )
    raise ToolError(
        f"{name} is not installed: run `{install} -D {name}` (or your package manager's install) "
        f"in {manifest.parent}"
    )


def run_tool(
    package_manager: str,
    args: Sequence[str],
    *,
    cwd: Path,
    capture: bool = False,
    echo: bool = True,
    command: ToolCommand | None = None,
) -> ToolResult:
    """Run a tool to completion; non-zero exit or a signal is a ToolError.

    ``capture`` reads the output (stdin is then not the terminal); ``echo``
    relays captured output to ours as it arrives; ``command``: ``resolve_tool``'s
    answer when the caller already has it (it showed the command).

    Ctrl-C reaches the tool as it would in a terminal; if the tool has not
    ended after a grace period it is terminated, then KeyboardInterrupt
    propagates so the CLI can exit 130.
    """
    import shlex
    import signal
    import subprocess

    argv, shown_argv, env = command or resolve_tool(package_manager, args, cwd)
    shown = shlex.join(shown_argv)
    try:
        proc = subprocess.Popen(
            argv,
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL if capture else None,
            stdout=subprocess.PIPE if capture else None,
            stderr=subprocess.PIPE if capture else None,
            pass_fds=held_lock_fds(),  # the project lock lasts as long as the tool
        )
    except OSError as e:
        raise ToolError(f"cannot start `{shown}`: {e}") from e
    relays = []
    if capture:
        assert proc.stdout is not None and proc.stderr is not None
        relays = [
            _Relay(proc.stdout, sys.stdout if echo else None),
            _Relay(proc.stderr, sys.stderr if echo else None),
        ]
    try:
        returncode = proc.wait()
    except KeyboardInterrupt:
        _stop(proc)
        raise
    finally:
        for relay in relays:
            relay.join()
    result = ToolResult(
        argv=argv,
        returncode=returncode,
        stdout=relays[0].text if relays else "",
        stderr=relays[1].text if relays else "",
    )
    if returncode < 0:
        raise ToolError(f"`{shown}` was killed by {signal.Signals(-returncode).name}")
    if returncode != 0:
        detail = "" if echo or not capture else f":\n{result.stdout}{result.stderr}".rstrip()
        raise ToolError(f"`{shown}` exited with code {returncode}{detail}")
    return result


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """Pass Ctrl-C on (a terminal sends it to the tool too; a CI runner signalling
    only nanoka does not), then escalate if the tool will not stop."""
    import signal
    import subprocess

    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout=_INTERRUPT_GRACE_SECONDS)
    except (subprocess.TimeoutExpired, KeyboardInterrupt):
        proc.terminate()
        try:
            proc.wait(timeout=_INTERRUPT_GRACE_SECONDS)
        except (subprocess.TimeoutExpired, KeyboardInterrupt):
            proc.kill()
            proc.wait()


class _Relay:
    """Copies a tool's output to ours as it comes, keeping a copy (on a thread of its own)."""

    def __init__(self, source: IO[bytes], sink: IO[str] | None) -> None:
        import threading

        self.source, self.sink = source, sink
        self.chunks: list[str] = []
        self._thread = threading.Thread(target=self._copy, daemon=True)
        self._thread.start()

    def join(self) -> None:
        self._thread.join()

    def _copy(self) -> None:
        for raw in iter(self.source.readline, b""):
            line = raw.decode("utf-8", errors="replace")
            self.chunks.append(line)
            if self.sink is not None:
                self.sink.write(line)
                self.sink.flush()

    @property
    def text(self) -> str:
        return "".join(self.chunks)
