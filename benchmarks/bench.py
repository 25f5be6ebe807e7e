"""nanoka's speed where users wait, measured side by side in one run.

    .venv/bin/python benchmarks/bench.py [--runs N]

Every figure is a whole process, as a user runs it, from a fresh virtualenv
holding only nanoka (with its ``watch`` extra) and its dependencies, as after
``pip install 'nanoka[watch]'``: a development venv's extra packages would make
start-up look slower than users see it. Model modules are imported once
before timing, so their bytecode is cached, as from a user's second run on.

1. ``python -c pass``: the floor; then ``nanoka --help``, and the libraries
   every run imports (click, pluggy, structlog, tomllib) with nothing else.
2. ``nanoka generate --no-migrate`` with the two models of examples/basic,
   500 models x 20 fields and 5,000 models x 20 fields, with peak memory.
3. ``nanoka generate`` when nothing changed, with the drizzle-kit cache and
   with ``--no-cache`` (the real drizzle-kit of examples/basic/node_modules:
   run ``python3 dev.py test`` or ``npm ci`` there first).
   The no-op run's CPU over ``--no-migrate``'s, and ``--no-migrate``'s over
   the libraries', all from this run (budgets: 1.2x and 1.35x).
4. ``nanoka generate --watch``: from saving a model file to the new schema
   on disk.
5. ``generate --no-migrate`` again once rich is installed in the venv (as it
   is in most developers' environments).
6. ``nanoka generate --apply`` on the local D1 with one migration pending,
   with and without the rehearsal (``--no-rehearsal``): what the rehearsal
   adds (budget: 2 s).

Prints the median and the fastest of N runs, wall time and the process's
own CPU time. Figures go in the README.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

KINDS = ["string", "uuid", "number", "integer", "boolean", "timestamp", "json"]
ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "basic"
ENV = {
    **{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE" and not k.startswith("NANOKA_")},
    "WRANGLER_SEND_METRICS": "false",
}
GNU_TIME = "/usr/bin/time"


def fresh_install(folder: Path) -> Path:
    """A virtualenv with nanoka[watch] installed as a user would; returns its bin folder."""
    subprocess.run([sys.executable, "-m", "venv", str(folder)], check=True)
    bin_dir = folder / ("Scripts" if os.name == "nt" else "bin")
    pip = [str(bin_dir / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    subprocess.run([*pip, f"{ROOT}[watch]"], check=True)
    return bin_dir


def run_once(argv: list[str], cwd: Path) -> tuple[float, float]:
    """Wall time and CPU time (user + system) of one process, in seconds.

    CPU time is what the process itself spent: on a busy machine it moves far
    less than wall time, so it is the figure to compare between versions.
    """
    started = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=cwd, env=ENV, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)  # fmt: skip
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        again = subprocess.run(argv, cwd=cwd, env=ENV, stdin=subprocess.DEVNULL, capture_output=True)
        raise SystemExit(f"{' '.join(argv)} failed in {cwd}:\n{again.stderr.decode()}")
    return elapsed, usage.ru_utime + usage.ru_stime


def time_command(argv: list[str], cwd: Path, runs: int) -> list[tuple[float, float]]:
    run_once(argv, cwd)  # warm the disk cache and the bytecode caches
    return [run_once(argv, cwd) for _ in range(runs)]


def peak_memory(argv: list[str], cwd: Path) -> int | None:
    """Peak resident memory (bytes) of one run, measured by GNU time.

    Not from our own wait4(): a child forked from this process starts its
    peak at our size, and Linux keeps that figure across exec.
    """
    if not os.access(GNU_TIME, os.X_OK):
        return None
    with tempfile.NamedTemporaryFile("r") as out:
        subprocess.run([GNU_TIME, "-o", out.name, "-f", "%M", *argv], cwd=cwd, env=ENV, check=True,
                       stdin=subprocess.DEVNULL, capture_output=True)  # fmt: skip
        return int(out.read().split()[-1]) * 1024


def models_project(folder: Path, models: int, fields: int) -> Path:
    """A project with ``models`` models of ``fields`` fields each, in one module."""
    (folder / "app").mkdir(parents=True)
    (folder / "app" / "__init__.py").write_text("")
    lines = ["from nanoka_core import define_model, t", ""]
    for m in range(models):
        lines.append(f"M{m} = define_model('table_{m}', {{")
        for f in range(fields):
            modifiers = ("" if f % 3 == 0 else ".optional()") + (".unique()" if f == 1 else "")
            lines.append(f"    'field_{f}': t.{KINDS[f % len(KINDS)]}(){modifiers},")
        lines.append("})")
    (folder / "app" / "models.py").write_text("\n".join(lines) + "\n")
    (folder / "nanoka.toml").write_text('models = ["app.models"]\n')
    return folder


def example_project(folder: Path) -> Path:
    """A copy of examples/basic using its installed node_modules."""
    generated = ("node_modules", "drizzle", ".wrangler", "__pycache__", ".nanoka_cache")
    shutil.copytree(EXAMPLE, folder, ignore=shutil.ignore_patterns(*generated))
    node_modules = EXAMPLE / "node_modules"
    if not (node_modules / ".bin" / "drizzle-kit").exists():
        raise SystemExit(f"{node_modules} has no drizzle-kit: run `npm ci` in {EXAMPLE} (or dev.py test)")
    (folder / "node_modules").symlink_to(node_modules, target_is_directory=True)
    return folder


def watch_latency(nanoka: str, project: Path, runs: int) -> list[tuple[float, float]]:
    """Seconds from saving a model file to the changed schema on disk, per save."""
    models = project / "app" / "models.py"
    schema = project / "drizzle" / "schema.ts"
    original = models.read_text()
    proc = subprocess.Popen([nanoka, "generate", "--watch"], cwd=project, env=ENV, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        _wait(lambda: schema.is_file() and "extra" not in schema.read_text(), "the first schema")
        time.sleep(1.0)  # let the watcher settle after the first write
        times = []
        for n in range(runs):
            column = f"extra{n}"
            line = f'\n    "{column}": t.integer(),'
            text = original.replace('"name": t.string(),', '"name": t.string(),' + line)
            started = time.perf_counter()
            models.write_text(text)
            _wait(lambda column=column: f"{column}: integer" in schema.read_text(), f"column {column}")  # type: ignore[misc]
            times.append((time.perf_counter() - started, math.nan))
            time.sleep(0.3)
        return times
    finally:
        proc.terminate()
        proc.wait()
        models.write_text(original)


def _wait(condition: Callable[[], bool], what: str, timeout: float = 60.0) -> None:
    deadline = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > deadline:
            raise SystemExit(f"watch mode: {what} did not appear in {timeout}s")
        time.sleep(0.002)


def report(label: str, results: list[tuple[float, float]], peak: int | None = None) -> None:
    wall, cpu = [r[0] * 1000 for r in results], [r[1] * 1000 for r in results]
    memory = f"  peak {peak / 2**20:5.1f} MiB" if peak else ""
    own = f"  cpu median {statistics.median(cpu):7.1f} ms  min {min(cpu):7.1f} ms"
    own = "" if math.isnan(cpu[0]) else own
    print(f"{label:<55} wall median {statistics.median(wall):7.1f} ms  min {min(wall):7.1f} ms{own}{memory}")


def ratio(a: list[tuple[float, float]], b: list[tuple[float, float]]) -> float:
    """Median CPU time of ``a`` over that of ``b``."""
    return statistics.median(cpu for _, cpu in a) / statistics.median(cpu for _, cpu in b)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    runs = parser.parse_args().runs
    few = max(3, runs // 4)
    with tempfile.TemporaryDirectory() as tmp:
        bin_dir = fresh_install(Path(tmp) / "venv")
        python, nanoka = str(bin_dir / "python"), str(bin_dir / "nanoka")
        example = example_project(Path(tmp) / "example")
        small = models_project(Path(tmp) / "m500", 500, 20)
        large = models_project(Path(tmp) / "m5000", 5000, 20)
        cpu = platform.processor() or platform.machine()
        print(f"Python {sys.version.split()[0]}, {platform.system()} {cpu}, {os.cpu_count()} cores, "
              f"{time.strftime('%Y-%m-%d')}; {runs} runs each ({few} for 5,000 models)")  # fmt: skip
        report("python -c pass (the floor)", time_command([python, "-c", "pass"], example, runs))
        report("nanoka --help", time_command([nanoka, "--help"], example, runs))
        # What nanoka cannot go below: the libraries every run loads, structlog as nanoka loads it.
        libraries = [python, "-c", "import click, pluggy, tomllib, nanoka_core.log as log; log._structlog()"]
        library_times = time_command(libraries, example, runs)
        report("python -c 'import click, pluggy, structlog, ...'", library_times)
        no_migrate = [nanoka, "generate", "--no-migrate"]
        for label, project, n in [
            ("2 models", example, runs),
            ("500 models x 20 fields", small, runs),
            ("5,000 models x 20 fields", large, few),
        ]:
            times = time_command(no_migrate, project, n)
            report(f"generate --no-migrate, {label}", times, peak_memory(no_migrate, project))
        baseline = time_command(no_migrate, example, runs)
        generate = [nanoka, "generate"]
        no_op = time_command(generate, example, runs)
        report("generate, nothing changed (drizzle-kit cache)", no_op)
        print(f"{'  no-op / --no-migrate, same run (CPU medians)':<55} {ratio(no_op, baseline):.2f}x")
        # The start-up budget that holds on any machine: nanoka's own share over what it cannot avoid.
        own = ratio(baseline, library_times)
        print(f"{'  --no-migrate / the libraries, same run (CPU medians)':<55} {own:.2f}x")
        report(
            "generate --no-cache, nothing changed (drizzle-kit runs)",
            time_command([*generate, "--no-cache"], example, few),
        )
        report("generate --watch: save to schema written", watch_latency(nanoka, example, runs))
        # Most developers' environments hold rich (import-linter, typer... pull it in); structlog
        # imports it when it can, so nanoka's start-up is measured with it too.
        pip = [python, "-m", "pip", "install", "-q", "--disable-pip-version-check"]
        subprocess.run([*pip, "rich"], check=True)
        report("generate --no-migrate, 2 models, rich installed", time_command(no_migrate, example, runs))
        for label, flags in [("rehearsed", []), ("--no-rehearsal", ["--no-rehearsal"])]:
            report(f"generate --apply, 1 migration pending, {label}", apply_times(nanoka, tmp, flags, few))


def apply_times(nanoka: str, tmp: str, flags: list[str], runs: int) -> list[tuple[float, float]]:
    """``generate --apply`` on a local D1 holding the first migration and rows, the second pending."""
    times = []
    for n in range(runs):
        project = example_project(Path(tmp) / f"apply-{'-'.join(flags) or 'rehearsed'}-{n}")
        subprocess.run([nanoka, "generate", "--apply"], cwd=project, env=ENV, check=True, capture_output=True)
        models = project / "app" / "models.py"
        added = '"name": t.string(),\n    "note": t.string().optional(),'
        models.write_text(models.read_text().replace('"name": t.string(),', added))
        subprocess.run([nanoka, "generate"], cwd=project, env=ENV, check=True, capture_output=True)
        times.append(run_once([nanoka, "generate", "--apply", *flags], project))
    return times


if __name__ == "__main__":
    main()
