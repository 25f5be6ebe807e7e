"""``nanoka import`` on real, public Drizzle schemas (tests/data/realworld), with the real tools.

For each schema: drizzle-kit writes the first migration from the original;
``nanoka import`` writes models; ``nanoka generate`` then finds nothing to
migrate (drizzle-kit's "No schema changes"). Then the same database (PRAGMA
read-back of a database built from each side's own first migration), the
same Drizzle runtime column settings and relations (getTableConfig and
relations() of both files, read by the same reader) and the same ``$inferSelect``/``$inferInsert`` types (tsc).
"""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import ExampleProject, shown

pytestmark = pytest.mark.e2e

CORPUS = Path(__file__).resolve().parents[1] / "data" / "realworld"
CONSTRUCTS = Path(__file__).resolve().parents[1] / "data" / "constructs"
"""Small schemas written for the tests, for constructs the corpus lacks; proven the same way."""
READER = Path(__file__).resolve().parents[2] / "nanoka_core" / "drizzle" / "schema_reader.cjs"

CONFIG_ADDED = {
    "t3_base_sqlite_prefixed": 'table-prefix = "project1_"',
    "authjs_drizzle_adapter": 'export-names = "{camel}sTable"',
    "saas_d1_template": 'export-names = "{camel}Table"',
    "drizzle_northwind_sqlite": 'export-names = "{camel}s"',
}
"""What the import adds to the nanoka config: sqliteTableCreator's prefix, the rule most exports follow."""


def _schemas() -> list[Any]:
    return [
        pytest.param(path, id=path.stem) for folder in (CORPUS, CONSTRUCTS) for path in sorted(folder.glob("*.ts"))
    ]


def _original(project: ExampleProject, schema: Path) -> str:
    """Copy the schema's folder into the project; the original's path relative to the project."""
    shutil.copytree(schema.parent, project.root / "original")
    return f"original/{schema.name}"


def _read(project: ExampleProject, schema: str) -> dict[str, Any]:
    proc = project.run(["node", str(READER), str(project.root / schema)])
    assert proc.returncode == 0, shown(proc)
    answer: dict[str, Any] = json.loads(proc.stdout)
    assert "error" not in answer, answer
    return answer


def _database(sql_files: list[Path]) -> sqlite3.Connection:
    db = sqlite3.connect(":memory:")
    for path in sql_files:
        for statement in path.read_text(encoding="utf-8").split("--> statement-breakpoint"):
            if statement.strip():
                db.execute(statement)
    return db


def _read_back(db: sqlite3.Connection) -> dict[str, Any]:
    """What SQLite says about every table: columns, keys, indexes, foreign keys, CHECKs."""
    tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
    found: dict[str, Any] = {}
    for table in tables:
        indexes = {}
        for _, index, unique, origin, partial in db.execute(f"PRAGMA index_list('{table}')"):
            columns = [r[2] for r in db.execute(f"PRAGMA index_xinfo('{index}')") if r[5]]
            (sql,) = db.execute("SELECT sql FROM sqlite_master WHERE name=?", (index,)).fetchone() or (None,)
            where = sql.split(" WHERE ", 1)[1] if sql and " WHERE " in sql else None
            indexes[index] = (unique, origin, partial, columns, where)
        (table_sql,) = db.execute("SELECT sql FROM sqlite_master WHERE name=?", (table,)).fetchone()
        found[table] = {
            "columns": list(db.execute(f"PRAGMA table_info('{table}')")),
            "indexes": indexes,
            "foreign_keys": sorted(r[2:] for r in db.execute(f"PRAGMA foreign_key_list('{table}')")),
            "autoincrement": "AUTOINCREMENT" in table_sql.upper(),
            "checks": sorted(re.findall(r"CONSTRAINT\s+\S+\s+CHECK\s*\((.*?)\)\s*[,)]", table_sql)),
        }
    return found


def _type_assertions(tables: list[str], original: str) -> str:
    """A .ts file that compiles only where each table's row types agree both ways."""
    lines = [
        f"import * as original from './{original.removesuffix('.ts')}'",
        "import * as generated from './drizzle/schema'",
        "type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false",
    ]
    for table in tables:
        for infer in ("$inferSelect", "$inferInsert"):
            lines.append(
                f"export const {table}_{infer[1:]}: Same<typeof original.{table}.{infer}, "
                f"typeof generated.{table}.{infer}> = true"
            )
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("schema", _schemas())
def test_an_imported_schema_is_the_same_schema(
    make_example_project: Callable[[str], ExampleProject], schema: Path
) -> None:
    project = make_example_project("app")
    name = schema.stem
    original = _original(project, schema)
    project.edit("drizzle.config.ts", "schema: './drizzle/schema.ts'", f"schema: './{original}'")
    proc = project.npx("drizzle-kit", "generate", "--config", "drizzle.config.ts")
    assert proc.returncode == 0 and len(project.migrations()) == 1, shown(proc)
    first = project.migrations()
    project.edit("drizzle.config.ts", f"schema: './{original}'", "schema: './drizzle/schema.ts'")

    config_before = (project.root / "nanoka.toml").read_text(encoding="utf-8")
    proc = project.nanoka("import", original, "--output", "app/models.py", "--force")
    assert proc.returncode == 0, shown(proc)
    assert "not imported" not in proc.stderr, shown(proc)
    models = (project.root / "app" / "models.py").read_text(encoding="utf-8")
    config_after = (project.root / "nanoka.toml").read_text(encoding="utf-8")
    added = sorted(set(config_after.splitlines()) - set(config_before.splitlines()))
    assert added == ([CONFIG_ADDED[name]] if name in CONFIG_ADDED else []), config_after
    if name in CONFIG_ADDED:  # one line added, the rest kept as written
        config_after = config_after.replace(CONFIG_ADDED[name] + "\n", "", 1)
    assert config_after == config_before
    proc = project.nanoka("generate")
    assert proc.returncode == 0, shown(proc) + "\n--- models\n" + models
    assert "No schema changes" in proc.stdout + proc.stderr, shown(proc)
    assert project.migrations() == first, "nanoka generate wrote a migration: the schemas differ"

    before, after = _read(project, original), _read(project, "drizzle/schema.ts")
    assert after["unsupported"] == []
    for table in before["tables"] + after["tables"]:  # drizzle-kit keys them by name: their order means nothing
        table["foreignKeys"].sort(key=lambda fk: fk["name"])
    by_name = lambda answer: {t["name"]: t for t in answer["tables"]}  # noqa: E731
    assert by_name(after) == by_name(before)
    by_export = lambda answer: {r["export"]: r for r in answer["relations"]}  # noqa: E731
    assert by_export(after) == by_export(before)

    fresh = project.root / "fresh"
    config = (project.root / "drizzle.config.ts").read_text(encoding="utf-8")
    (project.root / "fresh.config.ts").write_text(
        config.replace("out: './drizzle/migrations'", "out: './fresh'"), encoding="utf-8"
    )
    proc = project.npx("drizzle-kit", "generate", "--config", "fresh.config.ts")
    assert proc.returncode == 0, shown(proc)
    original_db = _database(sorted(project.migrations_dir.glob("*.sql")))
    generated_db = _database(sorted(fresh.glob("*.sql")))
    assert _read_back(generated_db) == _read_back(original_db)

    exports = sorted(t["export"] for t in before["tables"])
    (project.root / "same_types.ts").write_text(_type_assertions(exports, original), encoding="utf-8")
    proc = project.typecheck("same_types.ts", "drizzle/schema.ts")
    errors = [line for line in proc.stdout.splitlines() if ": error TS" in line]
    assert all(line.startswith("same_types.ts(") for line in errors), proc.stdout
    lines = (project.root / "same_types.ts").read_text(encoding="utf-8").splitlines()
    differing = {lines[int(e.split("(", 1)[1].split(",", 1)[0]) - 1].split()[2] for e in errors}
    assert not differing, proc.stdout
