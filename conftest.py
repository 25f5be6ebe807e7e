"""Test-wide settings: no telemetry from wrangler, no stray plugins, fresh ``t``."""

from __future__ import annotations

import os

import pytest

os.environ["WRANGLER_SEND_METRICS"] = "false"


@pytest.fixture(autouse=True)
def _isolated_nanoka(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts with no plugin field types loaded and no plugin env switches."""
    from nanoka_core.schema.fields import t

    for name in ("NANOKA_DISABLE_PLUGIN_AUTOLOAD", "NANOKA_DISABLE_PLUGINS", "NANOKA_TRACE_PLUGINS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(t, "_plugin_types", None)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """With NANOKA_FAIL_ON_SKIP=1 (CI), a skipped test fails the run: nothing may hide."""
    if not os.environ.get("NANOKA_FAIL_ON_SKIP"):
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if skipped:
        reporter.write_line(f"NANOKA_FAIL_ON_SKIP: {len(skipped)} test(s) skipped; failing the run", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
