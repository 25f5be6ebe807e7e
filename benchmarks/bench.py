"""nanoka's speed, measured: start-up and code generation.

    .venv/bin/python benchmarks/bench.py [--runs N]

1. ``nanoka generate --no-migrate`` on the two models of examples/basic, as a fresh
   process each time (what a user waits for), plus ``nanoka --help`` and a
   bare ``python -c pass`` for the floor. nanoka runs from a fresh virtualenv
   holding only nanoka and its runtime dependencies, as after ``pip install
   nanoka``: a development venv's extra packages (colorama, dozens of
   entry-point scans) would make start-up look slower than users see it.
2. Rendering 1,000 models x 20 fields (load + render, in-process), plain and
   with the table-level constructs (``--render-only``: this part alone).

Prints the median and the fastest of N runs. Figures go in the README.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

KINDS = ["string", "uuid", "number", "integer", "boolean", "timestamp", "json"]


ROOT = Path(__file__).resolve().parent.parent


def fresh_install(folder: Path) -> Path:
    """A virtualenv with nanoka installed as a user would; returns its bin folder."""
    subprocess.run([sys.executable, "-m", "venv", str(folder)], check=True)
    bin_dir = folder / ("Scripts" if os.name == "nt" else "bin")
    subprocess.run(
        [str(bin_dir / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check", str(ROOT)],
        check=True,
    )
    return bin_dir


def time_command(argv: list[str], cwd: Path, runs: int) -> list[float]:
    subprocess.run(argv, cwd=cwd, check=True, capture_output=True)  # warm caches, compile .pyc
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(argv, cwd=cwd, check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return times


def render_large(models: int, fields: int, runs: int, constructs: bool = False) -> list[float]:
    """Define, check and render through every codegen hook, as ``nanoka generate`` does.

    ``constructs``: each model also has a primary key, a foreign key to the
    model before it, an enum (with its CHECK), an index and a check.
    """
    from nanoka_core import define_model, index, t
    from nanoka_core.codegen import render_with_hooks
    from nanoka_core.plugins import get_plugin_manager
    from nanoka_core.project import check_models

    pm = get_plugin_manager(autoload=False)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        defined: list[Any] = []
        for m in range(models):
            columns = {
                f"field_{f}": getattr(t, KINDS[f % len(KINDS)])().optional()
                if f % 3
                else getattr(t, KINDS[f % len(KINDS)])()
                for f in range(fields)
            }
            extra: dict[str, Any] = {}
            if constructs:
                columns["id"] = t.integer().primary()
                columns["parentId"] = t.integer().optional()
                if defined:
                    columns["parentId"] = columns["parentId"].references(defined[-1], on_delete="cascade")
                columns["status"] = t.enum("draft", "published").default("draft")
                extra = {"indexes": [index("field_1", "field_2")], "checks": {"positive": "id > 0"}}
            defined.append(define_model(f"table_{m}", columns, **extra))
        check_models(defined)
        text = render_with_hooks(defined, pm.hook, None)
        times.append(time.perf_counter() - started)
    assert text.count("sqliteTable(") == models
    return times


def report(label: str, times: list[float]) -> None:
    print(f"{label:<58} median {statistics.median(times) * 1000:7.1f} ms   min {min(times) * 1000:7.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--render-only", action="store_true", help="only the in-process rendering")
    args = parser.parse_args()
    runs = args.runs
    if not args.render_only:
        start_up(runs)
    report("define + check + render 1,000 models x 20 fields", render_large(1000, 20, max(3, runs // 4)))
    report(
        "  the same with a key, a foreign key, an enum, an index, a check",
        render_large(1000, 20, max(3, runs // 4), constructs=True),
    )


def start_up(runs: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        bin_dir = fresh_install(Path(tmp) / "venv")
        python, nanoka = str(bin_dir / "python"), str(bin_dir / "nanoka")
        project = Path(tmp) / "project"
        shutil.copytree(
            ROOT / "examples" / "basic" / "app", project / "app", ignore=shutil.ignore_patterns("__pycache__")
        )
        (project / "nanoka.toml").write_text('models = ["app.models"]\n')
        print(f"Python {sys.version.split()[0]}, {runs} runs each, {os.cpu_count()} cores")
        report("python -c pass (the floor)", time_command([python, "-c", "pass"], project, runs))
        report(
            "python -c 'import click, pluggy, structlog' (deps)",
            time_command([python, "-c", "import click, pluggy, structlog"], project, runs),
        )
        report("nanoka --help", time_command([nanoka, "--help"], project, runs))
        report(
            "nanoka generate --no-migrate (2 models)",
            time_command([nanoka, "generate", "--no-migrate"], project, runs),
        )


if __name__ == "__main__":
    main()
