"""Regenerate the migration corpus with the real drizzle-kit.

Each folder here is a scenario: ``schema_0.ts``, ``schema_1.ts``... are
successive versions of one Drizzle schema; drizzle-kit turns each step into
``migrations/000N_step_N.sql`` plus its snapshot. The classifier tests read
these files, so what they judge is what drizzle-kit really writes.

    .venv/bin/python tests/data/migrations/make_corpus.py [SCENARIO...]

Needs examples/basic/node_modules (``python3 dev.py test -k names`` installs it).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
NODE_MODULES = HERE.parents[2] / "examples" / "basic" / "node_modules"


def make(scenario: Path) -> None:
    steps = sorted(scenario.glob("schema_*.ts"), key=lambda p: int(p.stem.split("_")[1]))
    with tempfile.TemporaryDirectory(prefix="nanoka-corpus-") as tmp:
        work = Path(tmp)
        shutil.copy2(HERE / "drizzle.config.ts", work / "drizzle.config.ts")
        (work / "node_modules").symlink_to(NODE_MODULES, target_is_directory=True)
        for number, step in enumerate(steps):
            shutil.copy2(step, work / "schema.ts")
            proc = subprocess.run(
                ["npx", "--no-install", "drizzle-kit", "generate", "--name", f"step_{number}"],
                cwd=work,
                capture_output=True,
                text=True,
                stdin=subprocess.DEVNULL,
                env={**os.environ, "WRANGLER_SEND_METRICS": "false"},
                check=False,
            )
            if proc.returncode != 0 or "Your SQL migration file" not in proc.stdout:
                sys.exit(f"{scenario.name} {step.name}: drizzle-kit said\n{proc.stdout}{proc.stderr}")
        target = scenario / "migrations"
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(work / "migrations", target)
    print(f"{scenario.name}: {len(steps)} migrations")


def main(names: list[str]) -> None:
    scenarios = [HERE / n for n in names] or sorted(p for p in HERE.iterdir() if list(p.glob("schema_0.ts")))
    for scenario in scenarios:
        make(scenario)


if __name__ == "__main__":
    main(sys.argv[1:])
