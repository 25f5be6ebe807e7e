"""What Python users expect of a CLI: global options anywhere, a summary line,
``python -m``, shell completion."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
import pytest

from nanoka_core.cli.main import cli
from tests import test_cli
from tests.conftest import DURATION, REPO, nanoka_subprocess

project = test_cli.project  # the same two-model project fixture


def test_log_format_after_the_subcommand(run_nanoka: Any, project: Path) -> None:
    result = run_nanoka(["check", "--log-format", "json"], cwd=project)
    assert result.exit_code == 1
    assert json.loads(result.stdout)["schema"]["state"] == "missing"


def test_quiet_after_the_subcommand(run_nanoka: Any, project: Path) -> None:
    result = run_nanoka(["generate", "--no-migrate", "-q"], cwd=project)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""


def test_verbose_after_the_subcommand_shows_the_traceback(run_nanoka: Any, tmp_path: Path) -> None:
    (tmp_path / "nanoka.toml").write_text('models = ["app.models"]\noutptu = "x.ts"\n')
    result = run_nanoka(["generate", "--no-migrate", "-v"], cwd=tmp_path)
    assert result.exit_code == 1
    assert "Traceback" in result.stderr


def test_disable_plugin_after_the_subcommand(run_nanoka: Any, project: Path) -> None:
    result = run_nanoka(["stages", "--log-format", "json", "--disable-plugin", "wrangler"], cwd=project)
    assert result.exit_code == 0, result.output
    assert "wrangler" not in [row["name"] for row in json.loads(result.stdout)]


def test_global_options_before_and_after_add_up(run_nanoka: Any, project: Path) -> None:
    result = run_nanoka(
        ["--disable-plugin", "wrangler", "stages", "--disable-plugin", "drizzle-kit", "--log-format=json"],
        cwd=project,
    )
    names = [row["name"] for row in json.loads(result.stdout)]
    assert "wrangler" not in names and "drizzle-kit" not in names


@pytest.fixture
def new_command() -> Iterator[str]:
    """A command added the way another module would add one: it gets the global options too."""

    @cli.command("hello-test")
    @click.pass_context
    def hello(ctx: click.Context) -> None:
        click.echo(json.dumps({"log_format": ctx.obj["log_format"], "verbosity": ctx.obj["verbosity"]}))

    yield "hello-test"
    del cli.commands["hello-test"]


def test_a_new_command_accepts_the_global_options(run_nanoka: Any, new_command: str) -> None:
    result = run_nanoka([new_command, "--log-format", "json", "-q"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"log_format": "json", "verbosity": -1}


def test_summary_line_of_a_schema_only_run(run_nanoka: Any, project: Path) -> None:
    first = run_nanoka(["generate", "--no-migrate"], cwd=project)
    assert first.stderr.splitlines()[-1].startswith("nanoka: schema drizzle/schema.ts written; done in ")
    second = run_nanoka(["generate", "--no-migrate"], cwd=project)
    last = second.stderr.splitlines()[-1]
    assert last.startswith("nanoka: schema drizzle/schema.ts unchanged; done in "), last


def test_json_summary_is_one_event_with_the_same_facts(run_nanoka: Any, project: Path) -> None:
    result = run_nanoka(["generate", "--no-migrate", "--log-format", "json"], cwd=project)
    events = [json.loads(line) for line in result.stderr.splitlines()]
    (summary,) = [e for e in events if e["event"] == "summary"]
    assert summary is events[-1]
    assert {k: summary[k] for k in ("schema", "schema_written", "migrations_created", "applied_to", "where")} == {
        "schema": "drizzle/schema.ts",
        "schema_written": True,
        "migrations_created": None,
        "applied_to": None,
        "where": None,
    }
    assert isinstance(summary["seconds"], float)


def test_codegen_line_ends_with_its_duration(run_nanoka: Any, project: Path) -> None:
    result = run_nanoka(["generate", "--no-migrate"], cwd=project)
    assert re.search(rf"^nanoka codegen: wrote drizzle/schema.ts in (?:{DURATION})$", result.stderr, re.M)


def test_python_dash_m_nanoka_core(project: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "nanoka_core", "generate", "--no-migrate"],
        cwd=project, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert (project / "drizzle/schema.ts").is_file()
    usage = subprocess.run([sys.executable, "-m", "nanoka_core", "--help"], capture_output=True, text=True)
    assert usage.stdout.startswith("Usage: nanoka ")


def completion(env: dict[str, str], cwd: Path) -> str:
    done = nanoka_subprocess([], cwd=cwd, env=env)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_bash_completion_as_the_readme_documents_it(tmp_path: Path) -> None:
    readme = (REPO / "README.md").read_text()
    assert 'eval "$(_NANOKA_COMPLETE=bash_source nanoka)"' in readme
    script = completion({"_NANOKA_COMPLETE": "bash_source"}, tmp_path)
    assert "_nanoka_completion" in script
    # The global options complete after a subcommand, too.
    words = completion(
        {"_NANOKA_COMPLETE": "bash_complete", "COMP_WORDS": "nanoka check --log", "COMP_CWORD": "2"}, tmp_path
    )
    assert "--log-format" in words
    commands = completion(
        {"_NANOKA_COMPLETE": "bash_complete", "COMP_WORDS": "nanoka ", "COMP_CWORD": "1"}, tmp_path
    )
    assert {"generate", "check", "init"} <= set(line.split(",")[-1] for line in commands.split())


def test_no_color_and_force_color_reach_a_real_run(project: Path) -> None:
    (project / "nanoka.toml").write_text('models = ["app.models"]\noutptu = "x.ts"\n')
    forced = nanoka_subprocess(["generate"], cwd=project, env={"FORCE_COLOR": "1", "NO_COLOR": ""})
    assert "\033[1;31mnanoka error\033[0m" in forced.stderr
    plain = nanoka_subprocess(["generate"], cwd=project, env={"FORCE_COLOR": "1", "NO_COLOR": "1"})
    assert "\033[" not in plain.stderr
