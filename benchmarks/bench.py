"""nanoka's speed, measured: start-up and code generation.

    .venv/bin/python benchmarks/bench.py [--runs N]

1. ``nanoka generate --no-migrate`` on the two models of examples/basic, as a fresh
   process each time (what a user waits for), plus ``nanoka --help`` and a
   bare ``python -c pass`` for the floor. nanoka runs from a fresh virtualenv
   holding only nanoka and its runtime dependencies, as after ``pip install
   nanoka``: a development venv's extra packages (colorama, dozens of
   entry-point scans) would make start-up look slower than users see it.
2. Rendering 1,000 models x 20 fields (load + render, in-process).

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


def render_large(models: int, fields: int, runs: int) -> list[float]:
    from nanoka_core import define_model, t
    from nanoka_core.codegen import render_schema
    from nanoka_core.plugins import get_plugin_manager
    from nanoka_core.project import check_models

    pm = get_plugin_manager(autoload=False)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        defined = [
            define_model(
                f"table_{m}",
                {
                    f"field_{f}": getattr(t, KINDS[f % len(KINDS)])().optional()
                    if f % 3
                    else getattr(t, KINDS[f % len(KINDS)])()
                    for f in range(fields)
                },
            )
            for m in range(models)
        ]
        check_models(defined)
        text = render_schema(
            defined, lambda name, field: pm.hook.nanoka_emit_column(name=name, field=field, ctx=None)
        )
        times.append(time.perf_counter() - started)
    assert text.count("sqliteTable(") == models
    return times


def report(label: str, times: list[float]) -> None:
    print(f"{label:<58} median {statistics.median(times) * 1000:7.1f} ms   min {min(times) * 1000:7.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    runs = parser.parse_args().runs
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
    report("define + check + render 1,000 models x 20 fields", render_large(1000, 20, max(3, runs // 4)))


if __name__ == "__main__":
    main()
