"""Benchmark in-process rendering, plain models and models with every table-level construct.

    .venv/bin/python benchmarks/render.py [--runs N]

Defines, checks and renders 1,000 models x 20 fields through every codegen
hook, as ``nanoka generate`` does, once plain and once with a primary key, a
foreign key to the model before it, an enum (with its CHECK), an index and a
check on each model. Figures are CPU time of this process (on a shared
machine wall time mostly measures the neighbours): median and fastest of N.
Whole-process figures are benchmarks/bench.py's.
"""

from __future__ import annotations

import argparse
import statistics
import time
from typing import Any

KINDS = ["string", "uuid", "number", "integer", "boolean", "timestamp", "json"]


def render_large(models: int, fields: int, runs: int, constructs: bool = False) -> list[float]:
    from nanoka_core import define_model, index, t
    from nanoka_core.pipeline.manager import get_plugin_manager
    from nanoka_core.render.codegen import render_with_hooks
    from nanoka_core.schema.checks import check_models

    pm = get_plugin_manager(autoload=False)
    times = []
    text = ""
    for _ in range(runs):
        started = time.process_time()
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
        times.append(time.process_time() - started)
    assert text.count("sqliteTable(") == models
    return times


def report(label: str, times: list[float]) -> None:
    print(f"{label:<66} median {statistics.median(times) * 1000:7.1f} ms   min {min(times) * 1000:7.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    report("define + check + render 1,000 models x 20 fields", render_large(1000, 20, runs))
    report(
        "  the same with a key, a foreign key, an enum, an index, a check",
        render_large(1000, 20, runs, constructs=True),
    )


if __name__ == "__main__":
    main()
