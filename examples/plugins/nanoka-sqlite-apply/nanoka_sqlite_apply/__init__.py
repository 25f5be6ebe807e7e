"""Replace the ``wrangler`` stage: apply migrations to a SQLite file.

For tests and tools that want the schema in a plain file (``local.db`` in
the project folder, or ``NANOKA_SQLITE_FILE``) instead of D1. Applies each
drizzle-kit migration once, in journal order, recording what ran in a
``__nanoka_migrations`` table, as wrangler does with ``d1_migrations``.
"""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

from nanoka_core import Stage, hookimpl

BREAKPOINT = "--> statement-breakpoint"


def apply_to_sqlite(ctx):
    migrations = ctx.project_dir / "drizzle" / "migrations"
    journal = json.loads((migrations / "meta" / "_journal.json").read_text())
    target = Path(os.environ.get("NANOKA_SQLITE_FILE", ctx.project_dir / "local.db"))
    with sqlite3.connect(target) as db:
        db.execute("CREATE TABLE IF NOT EXISTS __nanoka_migrations (tag TEXT PRIMARY KEY)")
        done = {row[0] for row in db.execute("SELECT tag FROM __nanoka_migrations")}
        for entry in journal["entries"]:
            if entry["tag"] in done:
                continue
            sql = (migrations / f"{entry['tag']}.sql").read_text()
            for statement in sql.split(BREAKPOINT):
                if statement.strip():
                    db.execute(statement)
            db.execute("INSERT INTO __nanoka_migrations VALUES (?)", (entry["tag"],))
            ctx.log.info(f"applied {entry['tag']} to {target.name}")
    return target


@hookimpl
def nanoka_register_stages(register):
    register(
        Stage(
            "sqlite-apply",
            run=apply_to_sqlite,
            replaces="wrangler",
            description="apply migrations to a SQLite file",
        )
    )
