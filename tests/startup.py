"""What a real nanoka process imports: the modules loaded when it exits (no timing is asserted)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

HEAVY = ("sqlglot", "pexpect", "json5", "watchfiles", "rich", "better_exceptions", "sqlite3", "asyncio")
"""Packages that a run which reads no SQL, answers no prompt, reads no wrangler config and watches nothing
must not pay for."""

_RECORDER = (
    "import atexit, json, runpy, sys\n"
    "out = sys.argv.pop(1)\n"
    "atexit.register(lambda: open(out, 'w').write(json.dumps(sorted(k for k, v in sys.modules.items() if v))))\n"
    "sys.argv[0] = 'nanoka'\n"
    "runpy.run_module('nanoka_core', run_name='__main__')\n"
)


def recording_argv(record: Path, *args: str) -> list[str]:
    """``python -m nanoka_core ARGS`` that writes the names of its loaded modules to ``record`` at exit."""
    return [sys.executable, "-c", _RECORDER, str(record), *args]


def loaded_modules(record: Path) -> set[str]:
    return set(json.loads(record.read_text(encoding="utf-8")))


def heavy(modules: set[str]) -> set[str]:
    """The heavy packages among ``modules``."""
    return {name.split(".")[0] for name in modules} & set(HEAVY)
