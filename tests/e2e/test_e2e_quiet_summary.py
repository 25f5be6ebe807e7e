"""End to end: the run summary and ``-q`` with the real drizzle-kit and wrangler."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING

import pytest

from tests.conftest import DURATION

if TYPE_CHECKING:
    from tests.e2e.conftest import ExampleProject

pytestmark = pytest.mark.e2e


def test_summary_names_the_migrations_created_and_where_they_were_applied(
    example_project: ExampleProject,
) -> None:
    p = example_project
    done = p.nanoka("generate", "--apply", "--log-format", "json", "--no-rehearsal")
    assert done.returncode == 0, done.stderr
    events = [json.loads(line) for line in done.stderr.splitlines() if line.startswith('{"')]
    summary = events[-1]
    assert summary["event"] == "summary"
    assert summary["migrations_created"] == p.migrations() and len(p.migrations()) == 1
    assert (summary["schema"], summary["schema_written"]) == ("drizzle/schema.ts", True)
    assert (summary["applied_to"], summary["where"]) == (p.database_name, "local")
    assert [e["stage"] for e in events if e["event"].startswith("done in ")] == ["drizzle-kit", "wrangler"]

    again = p.nanoka("generate", "--apply", "--no-rehearsal")
    assert again.returncode == 0, again.stderr
    assert re.search(
        rf"^nanoka: schema drizzle/schema.ts unchanged; no new migration; migrations applied to "
        rf"{p.database_name} \(local\); done in (?:{DURATION})$",
        again.stderr,
        re.M,
    ), again.stderr
    assert re.search(rf"^nanoka wrangler: done in (?:{DURATION})$", again.stderr, re.M)


def test_quiet_silences_the_tools_unless_one_fails(example_project: ExampleProject) -> None:
    p = example_project
    loud = p.nanoka("generate", "--apply", "--no-rehearsal")
    assert loud.returncode == 0, loud.stderr
    assert "Your SQL migration file" in loud.stdout + loud.stderr  # drizzle-kit speaks without -q
    p.edit("app/models.py", '    body = t.string().optional()\n', '    body = t.string().optional()\n    slug = t.string().optional()\n')
    quiet = p.nanoka("generate", "--apply", "-q", "--no-rehearsal")
    assert quiet.returncode == 0, quiet.stderr
    assert (quiet.stdout, quiet.stderr) == ("", "")
    assert len(p.migrations()) == 2
    assert "slug" in [row["name"] for row in p.d1_local("SELECT name FROM pragma_table_info('posts')")[0]]

    assert p.nanoka("-q", "generate", "--custom", "hand_written").returncode == 0
    (p.migrations_dir / "0002_hand_written.sql").write_text("THIS IS NOT SQL;\n")
    failed = p.nanoka("-q", "generate", "--apply", "--no-rehearsal")
    assert failed.returncode == 1
    assert failed.stdout == ""
    assert "nanoka error: stage 'wrangler' failed" in failed.stderr
    assert "syntax error" in failed.stderr  # wrangler's own words, shown because it failed


def test_run_tool_capture_does_not_echo_unless_asked(
    example_project: ExampleProject, capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from nanoka_core import Context
    from nanoka_core.config import load_config
    from nanoka_core.pipeline.manager import get_plugin_manager
    from nanoka_core.pipeline.stage import Options

    p = example_project
    for key, value in p.env.items():
        monkeypatch.setenv(key, value)
    ctx = Context(load_config(cwd=p.root), Options(), get_plugin_manager(autoload=False))
    silent = ctx.run_tool(["wrangler", "--version"], capture=True)
    shown = capfd.readouterr()
    assert "4.85.0" in silent.stdout
    assert "4.85.0" not in shown.out + shown.err
    echoed = ctx.run_tool(["wrangler", "--version"], capture=True, echo=True)
    assert "4.85.0" in echoed.stdout
    assert "4.85.0" in capfd.readouterr().out
