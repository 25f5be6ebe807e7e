"""The command line: flags, exit codes, messages, log formats."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from nanoka_core import __version__
from tests.conftest import NO_MIGRATE_WRITE, nanoka_subprocess

MODELS = {"app/models.py": """
    from nanoka_core import t, define_model
    User = define_model("users", {"id": t.uuid().primary(), "email": t.string().unique()})
"""}


@pytest.fixture
def project(nanoka_project: Any) -> Path:
    root: Path = nanoka_project(MODELS)
    return root


def test_version(run_nanoka: Any) -> None:
    result = run_nanoka(["--version"])
    assert result.exit_code == 0
    assert result.stdout.strip() == f"nanoka, version {__version__}"


def test_generate_help_lists_every_flag(run_nanoka: Any) -> None:
    result = run_nanoka(["generate", "--help"])
    assert result.exit_code == 0
    for flag in ("--config", "--output", "--no-migrate", "--apply", "--db", "--remote", "--package-manager"):
        assert flag in result.stdout


def test_generate_writes_schema_and_says_where(run_nanoka: Any, project: Path) -> None:
    result = run_nanoka(["generate", "--no-migrate"], cwd=project)
    assert result.exit_code == 0, result.output
    assert "nanoka codegen: wrote drizzle/schema.ts" in result.stderr
    assert "export const users = sqliteTable('users', {" in (project / "drizzle/schema.ts").read_text()


def test_unchanged_schema_is_not_rewritten(run_nanoka: Any, project: Path) -> None:
    run_nanoka(["generate", "--no-migrate"], cwd=project)
    schema = project / "drizzle/schema.ts"
    os.utime(schema, (1_000_000, 1_000_000))
    result = run_nanoka(["generate", "--no-migrate"], cwd=project)
    assert "drizzle/schema.ts is up to date" in result.stderr
    assert schema.stat().st_mtime == 1_000_000


def test_output_flag_overrides_config_and_creates_folders(run_nanoka: Any, project: Path) -> None:
    result = run_nanoka(["generate", "--no-migrate", "--output", "out/deep/schema.ts"], cwd=project)
    assert result.exit_code == 0, result.output
    assert (project / "out/deep/schema.ts").is_file()
    assert not (project / "drizzle").exists()


def test_config_flag_from_another_folder(run_nanoka: Any, project: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = run_nanoka(["generate", "--no-migrate", "--config", str(project / "nanoka.toml")], cwd=elsewhere)
    assert result.exit_code == 0, result.output
    assert (project / "drizzle/schema.ts").is_file()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--remote"], "--remote only applies with --apply"),
        (["--db", "x"], "--db only applies with --apply"),
        (["--apply", "--no-migrate"], "--apply and --no-migrate contradict each other"),
        (["--package-manager", "pip"], "'pip' is not one of 'npx', 'pnpm', 'npm', 'yarn', 'bun'"),
        (["--frobnicate"], "No such option '--frobnicate'"),
        (["--apply", "--no-restore-point"], "--no-restore-point only applies with --apply --remote"),
        (["--no-migrate", "--no-renames"], "--no-renames only applies when migrations are generated"),
    ],
)
def test_usage_errors_exit_2(run_nanoka: Any, project: Path, args: list[str], message: str) -> None:
    result = run_nanoka(["generate", *args], cwd=project)
    assert result.exit_code == 2
    assert message in result.stderr
    assert not (project / "drizzle").exists()


def test_missing_config_is_one_line_exit_1(run_nanoka: Any, tmp_path: Path) -> None:
    result = run_nanoka(["generate", "--no-migrate"], cwd=tmp_path)
    assert result.exit_code == 1
    assert result.stderr.startswith("nanoka error: no nanoka.toml (or pyproject.toml with [tool.nanoka]) in ")
    assert "pass --config PATH" in result.stderr
    assert "Traceback" not in result.output


def test_verbose_shows_the_traceback(run_nanoka: Any, tmp_path: Path) -> None:
    result = run_nanoka(["-v", "generate", "--no-migrate"], cwd=tmp_path)
    assert result.exit_code == 1
    assert "Traceback (most recent call last)" in result.stderr
    assert "ConfigError" in result.stderr


def test_quiet_hides_info(run_nanoka: Any, project: Path) -> None:
    result = run_nanoka(["-q", "generate", "--no-migrate"], cwd=project)
    assert result.exit_code == 0
    assert result.stderr == ""


def test_json_log_format_is_one_object_per_line(run_nanoka: Any, project: Path) -> None:
    result = run_nanoka(["--log-format", "json", "generate", "--no-migrate"], cwd=project)
    events = [json.loads(line) for line in result.stderr.splitlines()]
    (wrote,) = [e for e in events if e["event"].startswith("wrote drizzle/schema.ts in ")]
    assert wrote["stage"] == "codegen"
    assert wrote["level"] == "info"
    assert "timestamp" in wrote


def test_json_log_format_errors(run_nanoka: Any, tmp_path: Path) -> None:
    result = run_nanoka(["--log-format", "json", "generate", "--no-migrate"], cwd=tmp_path)
    (event,) = [json.loads(line) for line in result.stderr.splitlines()]
    assert event["level"] == "error"
    assert event["event"].startswith("no nanoka.toml")


def test_real_process_end_to_end(project: Path) -> None:
    done = nanoka_subprocess(["generate", "--no-migrate"], cwd=project)
    assert done.returncode == 0, done.stderr
    assert NO_MIGRATE_WRITE.fullmatch(done.stderr), done.stderr
    assert (project / "drizzle/schema.ts").read_text().startswith("// AUTO-GENERATED by `nanoka generate`.")


def test_real_process_error_has_no_traceback(project: Path) -> None:
    (project / "nanoka.toml").write_text('models = ["app.models"]\noutptu = "x.ts"\n')
    done = nanoka_subprocess(["generate", "--no-migrate"], cwd=project)
    assert done.returncode == 1
    assert done.stderr == (
        f"nanoka error: {project / 'nanoka.toml'}: unknown key 'outptu'; did you mean 'output'?\n"
    )


def test_stages_command_shows_order_and_conditions(run_nanoka: Any, project: Path) -> None:
    result = run_nanoka(["stages"], cwd=project)
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["stage", "plugin", "replaces", "will", "run", "when", "does"]
    assert [line.split()[0] for line in lines[1:]] == [
        "load-config", "codegen", "drizzle-kit", "preserve-rows", "migrations-sum", "data-loss-guard",
        "d1-preflight", "restore-point", "wrangler",
    ]
    assert lines[7].split()[3:6] == ["no", "with", "--apply"]
    assert lines[8].split()[3:7] == ["no", "with", "--apply", "--remote,"]
    assert lines[9].split()[3:6] == ["no", "with", "--apply"]


def test_stages_json_reflects_flags(run_nanoka: Any, project: Path) -> None:
    rows = json.loads(run_nanoka(["--log-format", "json", "stages", "--apply"], cwd=project).stdout)
    assert {r["name"]: r["runs"] for r in rows} == {
        "load-config": True, "codegen": True, "drizzle-kit": True,
        "preserve-rows": True, "migrations-sum": True, "data-loss-guard": True, "d1-preflight": True,
        "restore-point": False, "wrangler": True,
    }
    rows = json.loads(run_nanoka(["--log-format", "json", "stages", "--no-migrate"], cwd=project).stdout)
    assert {r["name"]: r["runs"] for r in rows}["drizzle-kit"] is False


def test_preserve_rows_false_turns_the_rewrite_stage_off(run_nanoka: Any, project: Path) -> None:
    config = project / "nanoka.toml"
    config.write_text(config.read_text(encoding="utf-8") + "\n[migrate]\npreserve-rows = false\n", encoding="utf-8")
    rows = json.loads(run_nanoka(["--log-format", "json", "stages"], cwd=project).stdout)
    assert {r["name"]: r["runs"] for r in rows}["preserve-rows"] is False
    assert {r["name"]: r["runs"] for r in rows}["data-loss-guard"] is True


def test_allow_data_loss_needs_apply(run_nanoka: Any, project: Path) -> None:
    result = run_nanoka(["generate", "--allow-data-loss"], cwd=project)
    assert result.exit_code == 2
    assert "--allow-data-loss only applies with --apply" in result.output


def test_plugins_command_lists_builtins_with_all(run_nanoka: Any, project: Path) -> None:
    rows = json.loads(run_nanoka(["--log-format", "json", "plugins", "--all"], cwd=project).stdout)
    by_name = {r["name"]: r for r in rows}
    assert by_name["columns"]["hooks"] == ["nanoka_callable_default", "nanoka_emit_column"]
    assert by_name["constraints"]["hooks"] == ["nanoka_table_constraints"]
    assert by_name["wrangler"]["source"] == "builtin"
    assert by_name["wrangler"]["hooks"] == ["nanoka_register_stages"]


def test_unexpected_exception_is_one_line_with_a_hint(run_nanoka: Any, project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import nanoka_core.config

    def broken(*args: object, **kwargs: object) -> None:
        raise ValueError("boom")

    monkeypatch.setattr(nanoka_core.config, "load_config", broken)
    result = run_nanoka(["generate", "--no-migrate"], cwd=project)
    assert result.exit_code == 1
    assert result.stderr == (
        "nanoka error: unexpected ValueError: boom (a bug in nanoka or a plugin; "
        "run with -v for the traceback and report it)\n"
    )
