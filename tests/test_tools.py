"""nanoka_core.tools through a real ``nanoka generate``, with stand-in tools on PATH.

The stand-ins only record how they were called, or fail on demand (exit
code, a signal, a hang until Ctrl-C); the real drizzle-kit and wrangler are
tested in tests/e2e. A drizzle.config.ts is present so the drizzle-kit stage
runs, and the config names a database so ``--apply`` can run wrangler.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from nanoka_core.cli.main import cli
from nanoka_core.errors import ToolError, UsageError
from nanoka_core.testing import forget_modules
from nanoka_core.tools import require_node_package, run_tool, tool_command
from tests.conftest import link_example_node_modules

TOOL_NAMES = ("npx", "pnpm", "npm", "yarn", "bunx")
PREFIX = {  # the documented way each package manager runs the project's own copy of a tool
    "npx": ["npx", "--no-install"],
    "pnpm": ["pnpm", "exec"],
    "npm": ["npm", "exec", "--no", "--"],
    "yarn": ["yarn"],
    "bun": ["bunx"],
}
DRIZZLE_KIT = ["drizzle-kit", "generate", "--config", "drizzle.config.ts"]
WRANGLER_LOCAL = ["wrangler", "d1", "migrations", "apply", "mydb", "--local"]
EXPORT_LOCAL = ["wrangler", "d1", "export", "mydb", "--local"]
"""The rehearsal's export; ``--output=`` (a temporary file) follows."""
MODELS = "from nanoka_core import define_model, t\nUser = define_model('users', {'id': t.uuid().primary()})\n"

# FAKE_DRIZZLE_KIT / FAKE_WRANGLER choose what the stand-in does when it runs that tool:
# ok (default), exit:N, signal:NAME, sleep (dies on SIGINT, as node does), sleep-ignoring-sigint,
# silent (exit 0, no output), tty-trap (drizzle-kit's "needs a TTY" message, exit 0).
FAKE_TOOL = """\
#!{python}
import json, os, signal, sys, time
tool = next((a for a in [os.path.basename(sys.argv[0]), *sys.argv[1:]] if a in ("drizzle-kit", "wrangler")), "")
with open({log!r}, "a", encoding="utf-8") as f:
    f.write(json.dumps({{"argv": [os.path.basename(sys.argv[0]), *sys.argv[1:]], "cwd": os.getcwd(),
                        "pid": os.getpid(), "exe": sys.argv[0], "PATH": os.environ["PATH"]}}) + "\\n")
action = os.environ.get("FAKE_" + tool.upper().replace("-", "_"), "ok")
if action == "ok" and "time-travel" in sys.argv:
    print(json.dumps({{"bookmark": "00000001-fake"}}))
elif action == "ok" and "export" in sys.argv:  # an empty database, as wrangler exports it
    output = next(a for a in sys.argv if a.startswith("--output="))[len("--output="):]
    with open(output, "w", encoding="utf-8") as f:
        f.write("PRAGMA defer_foreign_keys=TRUE;\\n")
elif action == "ok" and "execute" in sys.argv:  # no migration applied yet
    print(json.dumps([{{"results": [], "success": True}}]))
elif action == "ok":
    print("No schema changes, nothing to migrate" if tool == "drizzle-kit" else "applied")
elif action == "tty-trap":
    print("Error: Interactive prompts require a TTY terminal (process.stdin.isTTY or "
          "process.stdout.isTTY is false)", file=sys.stderr)
elif action.startswith("exit:"):
    print(f"fake {{tool}} failing", file=sys.stderr)
    sys.exit(int(action[5:]))
elif action.startswith("signal:"):
    os.kill(os.getpid(), getattr(signal, action[7:]))
elif action.startswith("sleep"):
    if action == "sleep-ignoring-sigint":
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    else:
        def on_sigint(*_):
            open({log!r} + ".sigint", "w").close()
            os._exit(130)
        signal.signal(signal.SIGINT, on_sigint)
    with open({log!r} + ".sleeping", "w", encoding="utf-8") as f:
        f.write(str(os.getpid()))
    time.sleep(120)
"""


class Project:
    def __init__(self, tmp_path: Path, name: str = "project") -> None:
        self.root = tmp_path / name
        self.bin = tmp_path / "bin"
        self.log = tmp_path / "calls.jsonl"
        (self.root / "app").mkdir(parents=True)
        (self.root / "app" / "__init__.py").write_text("", encoding="utf-8")
        (self.root / "app" / "models.py").write_text(MODELS, encoding="utf-8")
        (self.root / "drizzle.config.ts").write_text("export default {}\n", encoding="utf-8")
        link_example_node_modules(self.root)
        # drizzle-kit's default out is ./drizzle; wrangler must apply from there.
        (self.root / "wrangler.jsonc").write_text(
            '{"d1_databases": [{"binding": "DB", "database_name": "mydb", "database_id": "x", "migrations_dir": "drizzle"},\n'
            ' {"binding": "OTHER", "database_name": "other_db-2", "database_id": "y", "migrations_dir": "drizzle"}]}',
            encoding="utf-8",
        )
        self.config()
        self.bin.mkdir()
        for name in TOOL_NAMES:
            tool = self.bin / name
            tool.write_text(FAKE_TOOL.format(python=sys.executable, log=str(self.log)), encoding="utf-8")
            tool.chmod(0o755)

    def config(self, migrate: str = "") -> None:
        text = f'models = ["app.models"]\n\n[migrate]\ndatabase = "mydb"\n{migrate}'
        (self.root / "nanoka.toml").write_text(text, encoding="utf-8")

    @property
    def path(self) -> str:
        return f"{self.bin}{os.pathsep}{os.environ['PATH']}"

    def calls(self) -> list[dict[str, Any]]:
        if not self.log.exists():
            return []
        return [json.loads(line) for line in self.log.read_text(encoding="utf-8").splitlines()]

    def argvs(self) -> list[list[str]]:
        return [call["argv"] for call in self.calls()]


@pytest.fixture
def project(tmp_path: Path) -> Iterator[Project]:
    path_before = list(sys.path)
    yield Project(tmp_path)
    forget_modules(tmp_path)
    sys.path[:] = path_before


def generate(project: Project, monkeypatch: pytest.MonkeyPatch, *args: str, **fake: str) -> Any:
    """``nanoka generate ARGS`` in-process, in the project, the stand-ins first on PATH."""
    monkeypatch.chdir(project.root)
    monkeypatch.setenv("PATH", project.path)
    for name in ("FAKE_DRIZZLE_KIT", "FAKE_WRANGLER"):
        monkeypatch.delenv(name, raising=False)
    for name, action in fake.items():
        monkeypatch.setenv(f"FAKE_{name.upper()}", action)
    return CliRunner().invoke(cli, ["generate", *args], catch_exceptions=False)


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("nanoka error:")]


# --------------------------------------------------------------------------- argv per package manager


@pytest.mark.parametrize("manager", list(PREFIX))
def test_each_package_manager_runs_both_tools_with_the_documented_argv(
    project: Project, monkeypatch: pytest.MonkeyPatch, manager: str
) -> None:
    result = generate(project, monkeypatch, "--apply", "--package-manager", manager)
    assert result.exit_code == 0, result.output
    [drizzle_kit, export, wrangler] = project.argvs()
    assert (drizzle_kit, wrangler) == ([*PREFIX[manager], *DRIZZLE_KIT], [*PREFIX[manager], *WRANGLER_LOCAL])
    assert export[: len(PREFIX[manager]) + len(EXPORT_LOCAL)] == [*PREFIX[manager], *EXPORT_LOCAL]
    assert export[-1].startswith("--output=")
    assert {call["cwd"] for call in project.calls()} == {str(project.root)}
    # The log line shows the same command the tool received.
    assert f"running {' '.join([*PREFIX[manager], *DRIZZLE_KIT])}\n" in result.stderr
    assert f"running {' '.join([*PREFIX[manager], *WRANGLER_LOCAL])}\n" in result.stderr


def _install_bins(node_modules: Path, project: Project) -> Path:
    """Recording stand-ins as ``node_modules/.bin/drizzle-kit`` and ``wrangler``; the .bin folder."""
    bin_dir = node_modules / ".bin"
    bin_dir.mkdir(parents=True)
    for name in ("drizzle-kit", "wrangler"):
        (bin_dir / name).write_text(FAKE_TOOL.format(python=sys.executable, log=str(project.log)), encoding="utf-8")
        (bin_dir / name).chmod(0o755)
    return bin_dir


def test_the_projects_own_bin_runs_directly_with_its_folder_first_on_path(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    bin_dir = _install_bins(project.root / "node_modules", project)
    result = generate(project, monkeypatch, "--apply")
    assert result.exit_code == 0, result.output
    calls = project.calls()
    assert [call["exe"] for call in calls] == [str(bin_dir / "drizzle-kit"), *[str(bin_dir / "wrangler")] * 2]
    assert [call["argv"][1:] for call in calls][::2] == [DRIZZLE_KIT[1:], WRANGLER_LOCAL[1:]]  # no npx in between
    assert all(call["PATH"].split(os.pathsep)[0] == str(bin_dir) for call in calls)
    assert f"running node_modules/.bin/{' '.join(DRIZZLE_KIT)}\n" in result.stderr
    assert f"running node_modules/.bin/{' '.join(WRANGLER_LOCAL)}\n" in result.stderr


def test_a_parent_folders_bin_is_found_and_shown_whole_and_yarn_always_goes_through_yarn(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    bin_dir = _install_bins(project.root.parent / "node_modules", project)
    result = generate(project, monkeypatch)
    assert result.exit_code == 0, result.output
    assert [call["exe"] for call in project.calls()] == [str(bin_dir / "drizzle-kit")]
    assert f"running {bin_dir / 'drizzle-kit'} generate" in result.stderr
    assert generate(project, monkeypatch, "--package-manager", "yarn").exit_code == 0
    assert project.argvs()[-1] == ["yarn", *DRIZZLE_KIT]  # Plug'n'Play: yarn sets up its own loader


def test_a_projects_bin_without_node_on_path_says_to_install_node(project: Project, tmp_path: Path) -> None:
    _install_bins(project.root / "node_modules", project)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PATH", str(empty))
        with pytest.raises(ToolError, match=r"node not found on PATH, which .*drizzle-kit needs: install Node.js"):
            run_tool("npx", ["drizzle-kit", "--version"], cwd=project.root)
    assert project.calls() == []


@pytest.mark.parametrize(
    ("flag", "configured", "used"),
    [
        (None, None, "npx"),
        (None, "pnpm", "pnpm"),
        (None, "bun", "bun"),
        ("yarn", "pnpm", "yarn"),
        ("npx", "npm", "npx"),
        ("bun", None, "bun"),
    ],
    ids=["default-npx", "config-pnpm", "config-bun", "flag-beats-config", "flag-npx-beats-config-npm", "flag-only"],
)
def test_flag_wins_over_config_wins_over_npx(
    project: Project, monkeypatch: pytest.MonkeyPatch, flag: str | None, configured: str | None, used: str
) -> None:
    if configured:
        project.config(f'package-manager = "{configured}"\n')
    result = generate(project, monkeypatch, *(["--package-manager", flag] if flag else []))
    assert result.exit_code == 0, result.output
    assert project.argvs() == [[*PREFIX[used], *DRIZZLE_KIT]]


def test_apply_runs_wrangler_local_and_remote_runs_it_remote(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    assert generate(project, monkeypatch, "--apply").exit_code == 0
    assert generate(project, monkeypatch, "--apply", "--remote").exit_code == 0
    assert generate(project, monkeypatch, "--apply", "--remote", "--db", "other_db-2").exit_code == 0
    wrangler = [argv[2:7] for argv in project.argvs() if "wrangler" in argv]
    assert wrangler == [
        EXPORT_LOCAL,  # the rehearsal's copy
        WRANGLER_LOCAL[:5],
        ["wrangler", "d1", "execute", "mydb", "--remote"],  # which migrations the shadow replays
        ["wrangler", "d1", "time-travel", "info", "mydb"],
        ["wrangler", "d1", "migrations", "apply", "mydb"],
        ["wrangler", "d1", "execute", "other_db-2", "--remote"],
        ["wrangler", "d1", "time-travel", "info", "other_db-2"],
        ["wrangler", "d1", "migrations", "apply", "other_db-2"],
    ]
    assert generate(project, monkeypatch, "--apply", "--remote", "--no-restore-point").exit_code == 0
    assert "time-travel" not in project.argvs()[-1]
    assert project.argvs()[-1][-2:] == ["mydb", "--remote"]


def test_without_apply_wrangler_does_not_run(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    assert generate(project, monkeypatch).exit_code == 0
    assert project.argvs() == [["npx", "--no-install", *DRIZZLE_KIT]]


# --------------------------------------------------------------------------- no shell


HOSTILE_FILE_NAME = "it's \"my\" $(touch pwned) `touch pwned2`; * config.ts"


def test_no_shell_an_argument_with_spaces_and_quotes_arrives_whole(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    (project.root / HOSTILE_FILE_NAME).write_text("export default {}\n", encoding="utf-8")
    project.config(f"drizzle-config = {json.dumps(HOSTILE_FILE_NAME)}\n")
    result = generate(project, monkeypatch)
    assert result.exit_code == 0, result.output
    assert project.argvs() == [["npx", "--no-install", "drizzle-kit", "generate", "--config", HOSTILE_FILE_NAME]]
    assert not list(project.root.rglob("pwned*")), "a shell ran the command substitution"


def test_no_shell_in_a_project_folder_whose_name_needs_quoting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    odd = Project(tmp_path, name="my project's \"dir\" $(touch pwned)")
    path_before = list(sys.path)
    try:
        result = generate(odd, monkeypatch, "--apply")
    finally:
        forget_modules(tmp_path)
        sys.path[:] = path_before
    assert result.exit_code == 0, result.output
    assert [call["cwd"] for call in odd.calls()] == [str(odd.root)] * 3
    assert not list(tmp_path.rglob("pwned")), "a shell ran the command substitution"


def test_run_tool_passes_each_argument_as_one_argv_element(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", project.path)
    args = ["a b", "'single'", '"double"', "$(touch pwned)", "`touch pwned`", "*", "a\\b", "x;y", "new\nline", ""]
    result = run_tool("pnpm", args, cwd=project.root, capture=True, echo=False)
    assert result.returncode == 0
    assert project.argvs() == [["pnpm", "exec", *args]]
    assert result.argv[1:] == ["exec", *args]
    assert not list(project.root.rglob("pwned"))


def test_tool_command_refuses_an_unknown_package_manager() -> None:
    with pytest.raises(UsageError, match=r"unknown package manager 'sh -c'; use one of: npx, pnpm, npm, yarn, bun"):
        tool_command("sh -c", ["x"])


# --------------------------------------------------------------------------- failing tools


@pytest.mark.parametrize(
    ("manager", "fake", "stage", "command", "code"),
    [
        ("npx", {"drizzle_kit": "exit:3"}, "drizzle-kit", "npx --no-install drizzle-kit generate --config drizzle.config.ts", 3),
        ("pnpm", {"drizzle_kit": "exit:1"}, "drizzle-kit", "pnpm exec drizzle-kit generate --config drizzle.config.ts", 1),
        ("npx", {"wrangler": "exit:7"}, "wrangler", "npx --no-install wrangler d1 migrations apply mydb --local", 7),
        ("npm", {"wrangler": "exit:255"}, "wrangler", "npm exec --no -- wrangler d1 migrations apply mydb --local", 255),
    ],
    ids=["drizzle-kit-npx", "drizzle-kit-pnpm", "wrangler-npx", "wrangler-npm"],
)
def test_tool_exiting_non_zero_names_stage_command_and_exit_code(
    project: Project, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str], manager: str, fake: dict[str, str], stage: str, command: str, code: int
) -> None:
    result = generate(project, monkeypatch, "--apply", "--no-rehearsal", "--package-manager", manager, **fake)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert error_lines(result.stderr) == [f"nanoka error: stage '{stage}' failed: `{command}` exited with code {code}"]
    # The tool's own words reach the user: relayed (drizzle-kit, captured) or straight to fd 2 (wrangler).
    assert f"fake {stage} failing" in result.stderr + capfd.readouterr().err
    ran = [argv[len(PREFIX[manager])] for argv in project.argvs()]
    assert ran == (["drizzle-kit"] if stage == "drizzle-kit" else ["drizzle-kit", "wrangler"])  # nothing after the failure


@pytest.mark.parametrize(("name", "stage"), [("SIGKILL", "drizzle-kit"), ("SIGKILL", "wrangler"), ("SIGTERM", "drizzle-kit")])
def test_tool_killed_by_a_signal_names_the_signal(
    project: Project, monkeypatch: pytest.MonkeyPatch, name: str, stage: str
) -> None:
    result = generate(project, monkeypatch, "--apply", "--no-rehearsal", **{stage.replace("-", "_"): f"signal:{name}"})
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    command = " ".join(["npx", "--no-install", *(DRIZZLE_KIT if stage == "drizzle-kit" else WRANGLER_LOCAL)])
    assert error_lines(result.stderr) == [f"nanoka error: stage '{stage}' failed: `{command}` was killed by {name}"]


def test_tool_that_cannot_start_names_the_command(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    """An npx on PATH whose interpreter is missing: Popen fails, nanoka says which command."""
    (project.bin / "npx").write_text("#!/nonexistent/interpreter\n", encoding="utf-8")
    result = generate(project, monkeypatch)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    (line,) = error_lines(result.stderr)
    assert line.startswith(
        "nanoka error: stage 'drizzle-kit' failed: cannot start `npx --no-install drizzle-kit generate --config drizzle.config.ts`: "
    ), line


def test_captured_failure_without_echo_carries_the_output(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    """For plugins that read a tool's output: with echo=False the error carries what the tool printed."""
    monkeypatch.setenv("PATH", project.path)
    monkeypatch.setenv("FAKE_WRANGLER", "exit:2")
    with pytest.raises(ToolError) as caught:
        run_tool("yarn", ["wrangler", "whoami"], cwd=project.root, capture=True, echo=False)
    assert str(caught.value) == "`yarn wrangler whoami` exited with code 2:\nfake wrangler failing"


# --------------------------------------------------------------------------- Ctrl-C


def _gone(pid: int) -> bool:
    """No such process, or only a zombie left for init to reap."""
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8") as f:
            return f.read().rsplit(")", 1)[1].split()[0] == "Z"
    except FileNotFoundError:
        return True


@pytest.mark.parametrize(
    ("stage", "fake", "whole_group"),
    [
        ("drizzle-kit", "sleep", True),
        ("wrangler", "sleep", True),
        ("drizzle-kit", "sleep-ignoring-sigint", True),
        ("wrangler", "sleep", False),
    ],
    ids=[
        "drizzle-kit-dies-on-sigint",
        "wrangler-dies-on-sigint",
        "tool-ignores-sigint-and-is-terminated",
        "sigint-to-nanoka-only-is-passed-on",  # a CI runner cancelling the job
    ],
)
def test_ctrl_c_exits_130_and_stops_the_tool(project: Project, stage: str, fake: str, whole_group: bool) -> None:
    sleeping = Path(str(project.log) + ".sleeping")
    env = {**os.environ, "PATH": project.path, f"FAKE_{stage.upper().replace('-', '_')}": fake}
    proc = subprocess.Popen(
        [sys.executable, "-m", "nanoka_core", "generate", "--apply", "--no-rehearsal"],
        cwd=project.root, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not sleeping.exists() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert sleeping.exists(), f"the stand-in never started: {proc.communicate(timeout=10)}"
        time.sleep(0.2)  # let it settle into its sleep
        tool_pid = int(sleeping.read_text(encoding="utf-8"))
        if whole_group:
            os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in a terminal does: the whole foreground group
        else:
            os.kill(proc.pid, signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    shown = f"exit {proc.returncode}\n--- stdout\n{stdout}\n--- stderr\n{stderr}"
    assert proc.returncode == 130, shown
    assert "Traceback" not in stderr, shown
    assert error_lines(stderr) == ["nanoka error: interrupted"], shown
    deadline = time.monotonic() + 5
    while not _gone(tool_pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _gone(tool_pid), f"the {stage} stand-in (pid {tool_pid}) is still running"
    if fake == "sleep":  # the tool itself got the Ctrl-C, as it would in a terminal
        assert Path(str(project.log) + ".sigint").exists(), shown
    assert [argv[2] for argv in project.argvs()] == (["drizzle-kit"] if stage == "drizzle-kit" else ["drizzle-kit", "wrangler"])



# --------------------------------------------------------------------------- drizzle-kit's silent exit 0


def test_drizzle_kit_tty_message_fails_the_stage_asking_for_a_terminal(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = generate(project, monkeypatch, drizzle_kit="tty-trap")
    assert result.exit_code == 1
    (line,) = error_lines(result.stderr)
    assert line.startswith("nanoka error: stage 'drizzle-kit' failed: drizzle-kit needs an answer")
    assert "in a terminal" in line


@pytest.mark.parametrize("schema", ["changed", "unchanged"])
def test_drizzle_kit_silent_exit_0_without_a_migration_fails_the_stage(
    project: Project, monkeypatch: pytest.MonkeyPatch, schema: str
) -> None:
    """No migration and no "No schema changes", even for a schema nanoka did not rewrite:
    nanoka asks drizzle-kit again, and without its "No schema changes" nothing proves the
    migrations cover the schema (the real failures are in tests/e2e/test_e2e_tool_failures.py)."""
    if schema == "unchanged":
        assert generate(project, monkeypatch, "--no-migrate").exit_code == 0
    result = generate(project, monkeypatch, drizzle_kit="silent")
    assert result.exit_code == 1, result.output
    (line,) = error_lines(result.stderr)
    assert "drizzle-kit wrote no migration" in line and "needs an answer" not in line
    run, question = project.argvs()
    assert run[3:5] == question[3:5] == ["generate", "--config"]
    assert run[5] == "drizzle.config.ts" and question[5].endswith("drizzle.config.cjs")  # the config, out on a copy


# --------------------------------------------------------------------------- tools missing from node_modules


@pytest.mark.parametrize(
    ("package_manager", "install"),
    [("npx", "npm install"), ("pnpm", "pnpm install"), ("yarn", "yarn install"), ("bun", "bun install")],
)
def test_tool_listed_but_not_installed_says_to_install(tmp_path: Path, package_manager: str, install: str) -> None:
    (tmp_path / "package.json").write_text('{"devDependencies": {"drizzle-kit": "0.31.11"}}', encoding="utf-8")
    project = tmp_path / "app"
    project.mkdir()
    with pytest.raises(ToolError) as caught:
        require_node_package(project, "drizzle-kit", package_manager)
    assert str(caught.value) == (
        f"drizzle-kit is listed in {tmp_path / 'package.json'} but not installed: run `{install}` "
        f"(or your package manager's install) in {tmp_path}"
    )


def test_tool_not_listed_says_to_add_it(tmp_path: Path) -> None:
    (tmp_path / "package.json").write_text('{"devDependencies": {}}', encoding="utf-8")
    with pytest.raises(ToolError, match=r"wrangler is not installed: run `npm install -D wrangler`"):
        require_node_package(tmp_path, "wrangler", "npm")


def test_tool_in_a_parent_folders_node_modules_is_found_as_node_finds_it(tmp_path: Path) -> None:
    (tmp_path / "node_modules" / "wrangler").mkdir(parents=True)
    (tmp_path / "node_modules" / "wrangler" / "package.json").write_text("{}", encoding="utf-8")
    project = tmp_path / "packages" / "db"
    project.mkdir(parents=True)
    require_node_package(project, "wrangler", "npx")
