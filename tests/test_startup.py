"""Start-up: ``nanoka --help`` and ``generate --no-migrate`` import nothing heavy they do not use.

Times are measured by ``benchmarks/bench.py``; these tests pin what is imported,
which is what the times follow from. The no-op ``generate`` (drizzle-kit cache
hit) is proved in ``tests/e2e/test_e2e_startup.py``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.startup import heavy, loaded_modules, recording_argv

MODELS = {"app/models.py": """
    from nanoka_core import t, define_model
    User = define_model("users", {"id": t.uuid().primary(), "email": t.string().unique()})
"""}


def run(cwd: Path, record: Path, *args: str, env: dict[str, str] | None = None) -> set[str]:
    import os

    proc = subprocess.run(
        recording_argv(record, *args), cwd=cwd, env={**os.environ, **(env or {})},
        capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    return loaded_modules(record)


def test_help_imports_nothing_heavy(tmp_path: Path) -> None:
    modules = run(tmp_path, tmp_path / "modules.json", "--help")
    assert "nanoka_core.cli.main" in modules  # the record works
    assert heavy(modules) == set()


def test_generate_no_migrate_imports_nothing_heavy(nanoka_project: Any, tmp_path: Path) -> None:
    root: Path = nanoka_project(MODELS)
    modules = run(root, tmp_path / "modules.json", "generate", "--no-migrate")
    assert "nanoka_core.render.codegen" in modules
    assert heavy(modules) == set()
    assert modules & {"nanoka_core.migrations.reader", "nanoka_core.migrations.risks", "nanoka_core.migrations.rewrite"} == set()
    assert "subprocess" not in modules  # it starts no tool (and a project's msvcrt.py is kept out without it)


def test_rich_installed_is_not_imported_through_structlog(nanoka_project: Any, tmp_path: Path) -> None:
    """structlog.dev imports rich when it can; nanoka renders its own lines and keeps it out."""
    site = tmp_path / "site"
    (site / "rich").mkdir(parents=True)
    (site / "rich" / "__init__.py").write_text("raise SystemExit('rich was imported')\n")
    root: Path = nanoka_project(MODELS)
    modules = run(root, tmp_path / "modules.json", "generate", "--no-migrate", env={"PYTHONPATH": str(site)})
    assert "structlog" in modules
    assert "rich" not in modules
    # rich stays importable for the user's own code once nanoka's logger is loaded
    probe = "from nanoka_core.log import get_logger; get_logger(); import rich"
    after = subprocess.run(
        [sys.executable, "-c", probe], env={"PYTHONPATH": str(site)}, capture_output=True, text=True, timeout=120
    )
    assert "rich was imported" in after.stderr


def test_the_record_sees_a_heavy_import(tmp_path: Path) -> None:
    """The checks above can fail: json5, imported at start-up by a sitecustomize, is seen."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text("import json5\n")
    modules = run(tmp_path, tmp_path / "modules.json", "--help", env={"PYTHONPATH": str(site)})
    assert heavy(modules) == {"json5"}


def test_asyncio_is_imported_when_structlog_first_uses_it() -> None:
    """structlog loads without asyncio; its async log methods and the user's own asyncio still work."""
    probe = (
        "import sys\n"
        "from nanoka_core.log import configure, get_logger\n"
        "configure()\n"
        "assert 'asyncio' not in sys.modules, 'structlog loaded asyncio'\n"
        "import asyncio\n"
        "assert asyncio.run.__module__ == 'asyncio.runners'  # the real module, not the stand-in\n"
        "asyncio.run(get_logger().ainfo('logged from a coroutine'))\n"
    )
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "nanoka: logged from a coroutine" in proc.stderr


def test_structlog_reads_asyncio_through_its_stand_in() -> None:
    """Without importing asyncio first, structlog's own async path imports it on first use."""
    probe = (
        "import sys\n"
        "from nanoka_core.log import _structlog\n"
        "structlog = _structlog()\n"
        "import structlog._native as native\n"
        "assert native.asyncio.get_running_loop  # the stand-in imports asyncio here\n"
        "assert 'asyncio.base_events' in sys.modules\n"
        "assert sys.modules['asyncio'].__file__.endswith('__init__.py')\n"
    )
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
