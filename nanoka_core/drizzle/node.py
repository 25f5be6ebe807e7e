"""Running one of nanoka's own Node scripts, which answer with one JSON object on stdout."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any


def run_node_script(script: Path, args: Sequence[str], cwd: Path) -> dict[str, Any] | None:
    """The script's answer; ``{"error": ...}`` when it failed or printed no JSON.

    None when node is not on PATH: each caller says what could not be read.
    """
    import shutil
    import subprocess

    node = shutil.which("node")
    if node is None:
        return None
    proc = subprocess.run(
        [node, str(script), *args],
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        check=False,
    )
    try:
        answer: dict[str, Any] = json.loads(proc.stdout)
    except ValueError:
        answer = {"error": (proc.stdout + proc.stderr).strip() or f"node exited with code {proc.returncode}"}
    return answer
