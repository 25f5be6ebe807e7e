"""Console lines for people (colour only on a terminal), JSON lines for machines."""

from __future__ import annotations

import io
import json

import pytest
import structlog

from nanoka_core.log import configure


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def emit(monkeypatch: pytest.MonkeyPatch, stream: io.StringIO, log_format: str = "console") -> str:
    monkeypatch.setattr("sys.stderr", stream)
    configure(log_format, 0)
    log = structlog.get_logger("nanoka")
    log.bind(stage="codegen").info("wrote drizzle/schema.ts")
    log.error("no database")
    return stream.getvalue()


def test_console_lines_are_plain_off_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    assert emit(monkeypatch, io.StringIO()) == "nanoka codegen: wrote drizzle/schema.ts\nnanoka error: no database\n"


def test_errors_are_red_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert emit(monkeypatch, FakeTerminal()).splitlines() == [
        "nanoka codegen: wrote drizzle/schema.ts",
        "\033[1;31mnanoka error\033[0m: no database",
    ]


def test_no_color_turns_colour_off_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\033[" not in emit(monkeypatch, FakeTerminal())


def test_json_lines_carry_level_stage_and_timestamp(monkeypatch: pytest.MonkeyPatch) -> None:
    first, second = (json.loads(line) for line in emit(monkeypatch, io.StringIO(), "json").splitlines())
    assert (first["event"], first["stage"], first["level"]) == ("wrote drizzle/schema.ts", "codegen", "info")
    assert (second["event"], second["level"]) == ("no database", "error")
    assert first["timestamp"].endswith("Z")


def test_force_color_turns_colour_on_off_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert "\033[1;31mnanoka error\033[0m: no database" in emit(monkeypatch, io.StringIO())


def test_no_color_wins_over_force_color(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert "\033[" not in emit(monkeypatch, FakeTerminal())


def test_empty_force_color_counts_as_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("FORCE_COLOR", "")
    assert "\033[" not in emit(monkeypatch, io.StringIO())


@pytest.mark.parametrize("log_format", ["console", "json"])
def test_data_is_detail_for_json_only(monkeypatch: pytest.MonkeyPatch, log_format: str) -> None:
    stream = io.StringIO()
    monkeypatch.setattr("sys.stderr", stream)
    configure(log_format, 0)
    structlog.get_logger("nanoka").warning("DS103 users.nickname: dropped", data={"code": "DS103"})
    if log_format == "console":
        assert stream.getvalue() == "nanoka warning: DS103 users.nickname: dropped\n"
    else:
        assert json.loads(stream.getvalue())["data"] == {"code": "DS103"}


def test_sqlglots_own_warnings_are_nanoka_debug_events(monkeypatch: pytest.MonkeyPatch) -> None:
    import sqlglot

    stream = io.StringIO()
    monkeypatch.setattr("sys.stderr", stream)
    configure("json", 1)
    sqlglot.parse("CREATE TRIGGER t AFTER UPDATE ON p BEGIN DELETE FROM c; END", read="sqlite")
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert lines, "sqlglot said nothing: the test no longer exercises its fallback warning"
    assert all(line["level"] == "debug" and line["source"] == "sqlglot" for line in lines)
    stream.truncate(0)
    configure("json", 0)
    sqlglot.parse("CREATE TRIGGER t AFTER UPDATE ON p BEGIN DELETE FROM c; END", read="sqlite")
    assert stream.getvalue() == ""
