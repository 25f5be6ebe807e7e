"""``nanoka import`` on real, public Drizzle schemas, with the real tools.

The corpus is not copied into this repository: each schema is taken at test
time from a public npm package pinned in tests/data/realworld/package.json
(+ package-lock.json), installed once per run with ``npm ci`` like the
e2e tools themselves (see tests/data/realworld/README.md):

* ``authjs_drizzle_adapter``: @auth/drizzle-adapter 1.11.3 (ISC), src/lib/sqlite.ts,
  the tables its ``defineTables()`` builds (5 tables).
* ``t3_base_sqlite``: create-t3-app 7.40.0 (MIT),
  template/extras/src/server/db/schema-drizzle/base-sqlite.ts (``sqliteTableCreator`` prefix).
* ``t3_with_auth_sqlite``: the same package's with-auth-sqlite.ts (NextAuth tables, ``$type``).
* ``t3_with_better_auth_sqlite``: the same package's with-better-auth-sqlite.ts.
* ``better_t_stack_auth``: @better-t-stack/template-generator 3.27.0 (MIT), the embedded
  template auth/better-auth/server/db/drizzle/sqlite/src/schema/auth.ts.hbs.
* ``better_t_stack_todo``: the same package's examples/todo/server/drizzle/sqlite/src/schema/todo.ts.

Each is written into the test's project as the package ships it, except for the
substitutions listed below (each must match exactly once, so a new version of
a package cannot change the test silently). tests/data/constructs holds small
schemas written for these tests, for constructs the corpus lacks.

For each schema: drizzle-kit writes the first migration from the original;
``nanoka import`` writes models; ``nanoka generate`` then finds nothing to
migrate (drizzle-kit's "No schema changes"). Then the same database (PRAGMA
read-back of a database built from each side's own first migration), the
same Drizzle runtime column settings and relations (getTableConfig and
relations() of both files, read by the same reader) and the same ``$inferSelect``/``$inferInsert`` types (tsc).
"""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import built_once_per_run
from tests.e2e.conftest import ExampleProject, npm_ci, shown

pytestmark = pytest.mark.e2e

REALWORLD = Path(__file__).resolve().parents[1] / "data" / "realworld"
"""package.json + package-lock.json: the npm packages the corpus comes from."""
CONSTRUCTS = Path(__file__).resolve().parents[1] / "data" / "constructs"
"""Small schemas written for the tests, for constructs the corpus lacks; proven the same way."""
READER = Path(__file__).resolve().parents[2] / "nanoka_core" / "drizzle" / "schema_reader.cjs"

T3_TEMPLATES = "template/extras/src/server/db/schema-drizzle"
BETTER_T_STACK = "@better-t-stack/template-generator"


@dataclasses.dataclass(frozen=True)
class NpmSchema:
    """One corpus schema: a file of an installed npm package, written into the project.

    ``path`` is a file in the package, or with ``embedded`` a key of the package's
    exported ``EMBEDDED_TEMPLATES`` map. ``substitutions`` are (old, new) pairs, each
    old text found exactly once. With ``wrapper``, the file is written as
    ``<name>_module.ts`` and the schema is ``wrapper`` (which imports it).
    """

    package: str
    path: str
    embedded: bool = False
    substitutions: tuple[tuple[str, str], ...] = ()
    wrapper: str | None = None


AUTHJS_TABLES = ("usersTable", "accountsTable", "sessionsTable", "verificationTokensTable", "authenticatorsTable")
NPM_CORPUS = {
    "authjs_drizzle_adapter": NpmSchema(
        "@auth/drizzle-adapter",
        "src/lib/sqlite.ts",
        substitutions=(
            # verbatimModuleSyntax (the tests' tsconfig): type-only imports say so.
            ('import { GeneratedColumnConfig, and, eq, getTableColumns } from "drizzle-orm"',
             'import { type GeneratedColumnConfig, and, eq, getTableColumns } from "drizzle-orm"'),
            ("  SQLiteTableWithColumns,\n  integer,", "  type SQLiteTableWithColumns,\n  integer,"),
            ('import { Awaitable } from "@auth/core/types"', 'import type { Awaitable } from "@auth/core/types"'),
            # The tables as the function builds them, with their own types: no table passed in
            # (`schema.x ?? ...`), and no return type widening them to the adapter's minimum.
            ("): Required<DefaultSQLiteSchema> {", ") {"),
            *((f"schema.{table} ??", "") for table in AUTHJS_TABLES),
        ),
        wrapper=(
            "import { defineTables } from './authjs_drizzle_adapter_module'\n"
            f"export const {{ {', '.join(AUTHJS_TABLES)} }} = defineTables()\n"
        ),
    ),
    "t3_base_sqlite": NpmSchema("create-t3-app", f"{T3_TEMPLATES}/base-sqlite.ts"),
    "t3_with_auth_sqlite": NpmSchema(
        "create-t3-app",
        f"{T3_TEMPLATES}/with-auth-sqlite.ts",
        # next-auth is not installed; its `next-auth/adapters` re-exports @auth/core's adapters module.
        substitutions=(('from "next-auth/adapters"', 'from "@auth/core/adapters"'),),
    ),
    "t3_with_better_auth_sqlite": NpmSchema("create-t3-app", f"{T3_TEMPLATES}/with-better-auth-sqlite.ts"),
    "better_t_stack_auth": NpmSchema(
        BETTER_T_STACK, "auth/better-auth/server/db/drizzle/sqlite/src/schema/auth.ts.hbs", embedded=True
    ),
    "better_t_stack_todo": NpmSchema(
        BETTER_T_STACK, "examples/todo/server/drizzle/sqlite/src/schema/todo.ts", embedded=True
    ),
}

CONFIG_ADDED = {
    "t3_base_sqlite": ['table-prefix = "project1_"'],
    "t3_with_auth_sqlite": ['export-names = "{camel}s"', 'table-prefix = "project1_"'],
    "authjs_drizzle_adapter": ['export-names = "{camel}sTable"'],
    "app_code": ['export-names = "{camel}sTable"'],
}
"""What the import adds to the nanoka config: sqliteTableCreator's prefix, the rule most exports follow."""


@pytest.fixture(scope="session")
def corpus_node_modules(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The corpus's pinned npm packages, installed once per test run (all xdist workers)."""
    install = built_once_per_run(tmp_path_factory, "realworld-npm-install", lambda folder: npm_ci(REALWORLD, folder))
    node_modules = install / "node_modules"
    for package in {spec.package for spec in NPM_CORPUS.values()}:
        if not (node_modules / package / "package.json").is_file():
            pytest.fail(f"npm ci did not install {package} into {node_modules}", pytrace=False)
    # The schemas must be built by the drizzle-orm nanoka and drizzle-kit read them with (the project's).
    assert not (node_modules / "drizzle-orm").exists(), "the corpus install brought its own drizzle-orm"
    return node_modules


def _schemas() -> list[Any]:
    return [pytest.param(name, id=name) for name in sorted(NPM_CORPUS)] + [
        pytest.param(path, id=path.stem) for path in sorted(CONSTRUCTS.glob("*.ts"))
    ]


def _package_file(project: ExampleProject, node_modules: Path, spec: NpmSchema) -> str:
    if not spec.embedded:
        return (node_modules / spec.package / spec.path).read_text(encoding="utf-8")
    module = node_modules / spec.package / "dist" / "index.mjs"
    script = (
        "const [module, key] = process.argv.slice(1);"
        "import(require('node:url').pathToFileURL(module).href).then((m) => {"
        " const text = m.EMBEDDED_TEMPLATES.get(key);"
        " if (text === undefined) { console.error('no template ' + key); process.exit(1) }"
        " process.stdout.write(text) })"
    )
    proc = project.run(["node", "-e", script, str(module), spec.path])
    assert proc.returncode == 0, shown(proc)
    assert "{{" not in proc.stdout, f"{spec.path} is a template with blanks to fill: not a schema as it stands"
    return proc.stdout


def _original(project: ExampleProject, schema: str | Path, corpus_node_modules: Path) -> str:
    """Write the schema (and what it imports) under original/; its path relative to the project."""
    folder = project.root / "original"
    if isinstance(schema, Path):  # one of ours: its folder as it is
        shutil.copytree(schema.parent, folder)
        return f"original/{schema.name}"
    spec = NPM_CORPUS[schema]
    folder.mkdir()
    # Packages a schema imports types from (@auth/core) resolve here; drizzle-orm falls through to the project's.
    (folder / "node_modules").symlink_to(corpus_node_modules, target_is_directory=True)
    text = _package_file(project, corpus_node_modules, spec)
    for old, new in spec.substitutions:
        assert text.count(old) == 1, f"expected {old!r} exactly once in {spec.package}/{spec.path}"
        text = text.replace(old, new)
    if spec.wrapper is not None:
        (folder / f"{schema}_module.ts").write_text(text, encoding="utf-8")
        text = spec.wrapper
    (folder / f"{schema}.ts").write_text(text, encoding="utf-8")
    return f"original/{schema}.ts"


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
    """A .ts file that compiles only where each table's row types agree both ways.

    And where no column of the original is ``any`` (a type import that did not
    resolve), which would agree with anything.
    """
    lines = [
        f"import * as original from './{original.removesuffix('.ts')}'",
        "import * as generated from './drizzle/schema'",
        "type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false",
        "type HasAny<T> = true extends { [K in keyof T]-?: 0 extends 1 & T[K] ? true : false }[keyof T] ? true : false",
    ]
    for table in tables:
        lines.append(f"export const {table}_typed: HasAny<typeof original.{table}.$inferSelect> = false")
        for infer in ("$inferSelect", "$inferInsert"):
            lines.append(
                f"export const {table}_{infer[1:]}: Same<typeof original.{table}.{infer}, "
                f"typeof generated.{table}.{infer}> = true"
            )
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("schema", _schemas())
def test_an_imported_schema_is_the_same_schema(
    make_example_project: Callable[[str], ExampleProject], corpus_node_modules: Path, schema: str | Path
) -> None:
    project = make_example_project("app")
    name = schema.stem if isinstance(schema, Path) else schema
    original = _original(project, schema, corpus_node_modules)
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
    assert added == CONFIG_ADDED.get(name, []), config_after
    for line in added:  # lines added, the rest kept as written
        config_after = config_after.replace(line + "\n", "", 1)
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


def _write_original(project: ExampleProject, text: str) -> str:
    (project.root / "original").mkdir()
    (project.root / "original" / "schema.ts").write_text(text, encoding="utf-8")
    return "original/schema.ts"


SHOP = """import { integer, sqliteTableCreator, text } from 'drizzle-orm/sqlite-core'

const createTable = sqliteTableCreator((name) => `shop_${name}`)

export const productsTable = createTable('product', {
  id: integer().primaryKey(),
  name: text().notNull(),
})

export const ordersTable = createTable('order', {
  id: integer().primaryKey(),
  productId: integer().notNull().references(() => productsTable.id),
})
"""


def test_import_without_a_config_prints_the_lines_that_make_one(example_project: ExampleProject) -> None:
    project = example_project
    (project.root / "nanoka.toml").unlink()
    original = _write_original(project, SHOP)
    project.edit("drizzle.config.ts", "schema: './drizzle/schema.ts'", f"schema: './{original}'")
    proc = project.npx("drizzle-kit", "generate", "--config", "drizzle.config.ts")
    assert proc.returncode == 0 and len(project.migrations()) == 1, shown(proc)
    first = project.migrations()
    project.edit("drizzle.config.ts", f"schema: './{original}'", "schema: './drizzle/schema.ts'")

    proc = project.nanoka("import", original, "--output", "app/models.py", "--force")
    assert proc.returncode == 0, shown(proc)
    printed = proc.stdout.splitlines()
    assert printed[0].startswith("No nanoka config here: put these lines in nanoka.toml"), shown(proc)
    assert printed[1:] == [
        '  models = ["app.models"]', '  table-prefix = "shop_"', '  export-names = "{camel}sTable"'
    ], shown(proc)
    assert not (project.root / "nanoka.toml").exists()

    (project.root / "nanoka.toml").write_text("\n".join(printed[1:]) + "\n", encoding="utf-8")
    proc = project.nanoka("generate")
    assert proc.returncode == 0, shown(proc)
    assert "No schema changes" in proc.stdout + proc.stderr, shown(proc)
    assert project.migrations() == first
    schema = project.schema_ts.read_text(encoding="utf-8")
    assert "export const productsTable = createTable('product'," in schema, schema


def test_a_table_without_the_configs_table_prefix_is_left_out(example_project: ExampleProject) -> None:
    project = example_project
    project.edit("nanoka.toml", 'models = ["app.models"]\n', 'models = ["app.models"]\ntable-prefix = "shop_"\n')
    original = _write_original(project, SHOP + "\nexport const legacy = sqliteTable('legacy', { id: integer().primaryKey() })\n")
    project.edit(original, "import { integer, sqliteTableCreator,", "import { integer, sqliteTable, sqliteTableCreator,")

    proc = project.nanoka("import", original, "--output", "app/imported.py")
    assert proc.returncode == 1, shown(proc)
    assert (
        "legacy: a table without the config's table-prefix 'shop_': a model for it would be table shop_legacy, "
        "so it is left out (a migration would then drop it); rename it to shop_legacy, or import it where the "
        "config has no table-prefix"
    ) in proc.stderr, shown(proc)
    assert "nothing was written" in proc.stderr and not (project.root / "app" / "imported.py").exists()

    proc = project.nanoka("import", original, "--output", "app/imported.py", "--partial")
    assert proc.returncode == 0, shown(proc)
    assert "not imported: legacy: a table without the config's table-prefix 'shop_'" in proc.stderr, shown(proc)
    models = (project.root / "app" / "imported.py").read_text(encoding="utf-8")
    assert [line for line in models.splitlines() if "define_model(" in line] == [
        'ordersTable = define_model("order", {', 'productsTable = define_model("product", {'
    ], models
    assert "legacy" not in models
    assert "wrote app/imported.py: 2 tables, 4 columns" in proc.stderr, shown(proc)


def test_an_enum_declared_in_the_schema_file_is_named(example_project: ExampleProject) -> None:
    project = example_project
    original = _write_original(project, """import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core'

enum Status { Open = 'open', Closed = 'closed' }

export const tickets = sqliteTable('tickets', {
  id: integer().primaryKey(),
  status: text({ enum: [Status.Open, Status.Closed] }).notNull(),
})
""")
    proc = project.nanoka("import", original, "--output", "app/imported.py")
    assert proc.returncode == 1, shown(proc)
    assert (
        "tickets.status: the TypeScript enum Status, declared in schema.ts, which the generated schema replaces: "
        "move it to a module of its own (export enum Status ...), import it from there in schema.ts, and import again"
    ) in proc.stderr, shown(proc)
    assert not (project.root / "app" / "imported.py").exists()


def test_a_buffer_blob_without_node_types_is_imported_with_a_warning(example_project: ExampleProject) -> None:
    """The example installs no @types/node: TypeScript does not know Buffer, and types the column any."""
    project = example_project
    original = _write_original(project, """import { blob, integer, sqliteTable } from 'drizzle-orm/sqlite-core'

export const files = sqliteTable('files', {
  id: integer().primaryKey(),
  data: blob({ mode: 'buffer' }).notNull(),
})
""")
    proc = project.nanoka("import", original, "--output", "app/imported.py")
    assert proc.returncode == 0, shown(proc)
    assert (
        "files.data: blob({ mode: 'buffer' }) holds a Buffer, a type TypeScript takes from @types/node, "
        f"which {project.root} lacks: tsc types these columns `any` (no error); add it with "
        "`npm install --save-dev @types/node`"
    ) in proc.stderr.replace("\n", " "), shown(proc)
    models = (project.root / "app" / "imported.py").read_text(encoding="utf-8")
    assert '    "data": t.blob(mode="buffer"),' in models.splitlines(), models


def test_local_names_aliases_other_exports_and_names_generate_refuses_are_named(
    example_project: ExampleProject,
) -> None:
    """What a schema file holds besides tables, read by Node and the TypeScript compiler (A4, A4b, B6)."""
    project = example_project
    original = _write_original(project, """import { sqliteTable, text } from 'drizzle-orm/sqlite-core'

const PREFIX = 'usr'
let counter = 0
export const STATUSES = ['draft', 'published'] as const
export type User = typeof users.$inferSelect

export const users = sqliteTable('users', {
  id: text('id').primaryKey().$defaultFn(() => `${PREFIX}_${counter++}`),
  token: text('token').notNull().$defaultFn(() => crypto.randomUUID() + Math.random()),
  status: text('status', { enum: STATUSES }).notNull(),
})
export const people = users
""")
    proc = project.nanoka("import", original, "--output", "app/imported.py")
    assert proc.returncode == 1, shown(proc)
    assert (
        "users.id: a $defaultFn using PREFIX and counter, declared in schema.ts, which the generated schema replaces"
    ) in proc.stderr, shown(proc)
    assert "users.token" not in proc.stderr, shown(proc)  # globals resolve
    assert (
        "users: also exported as people, which is not kept (nanoka writes one export per table, users): "
        "import users where people is imported"
    ) in proc.stderr, shown(proc)
    assert not (project.root / "app" / "imported.py").exists()

    proc = project.nanoka("import", original, "--output", "app/imported.py", "--partial")
    assert proc.returncode == 0, shown(proc)
    assert (
        f"not tables, left where they are in {original}: STATUSES, User; keep that module for them"
    ) in proc.stderr.replace("\n", " "), shown(proc)
    models = (project.root / "app" / "imported.py").read_text(encoding="utf-8")
    assert 'users = define_model("users", {' in models.splitlines() and "people" not in models, models

    (project.root / original).write_text("""import * as core from 'drizzle-orm/sqlite-core'
import * as orm from 'drizzle-orm'

export const tags = core.sqliteTable('tags', { id: core.integer('id').primaryKey() })
export const relations = core.sqliteTable('relations_tbl', {
  id: core.integer('id').primaryKey(),
  tagId: core.integer('tag_id').references(() => tags.id),
})
export const relRel = orm.relations(relations, ({ one }) => ({
  tag: one(tags, { fields: [relations.tagId], references: [tags.id] }),
}))
""", encoding="utf-8")
    proc = project.nanoka("import", original, "--output", "app/clash.py", "--partial")
    assert proc.returncode == 1, shown(proc)
    assert (
        "`nanoka generate` would refuse the models written for it, so nothing was written:\n"
        "  model 'relations_tbl': export_name 'relations' clashes with the schema file's import of 'relations'"
    ) in proc.stderr, shown(proc)
    assert not (project.root / "app" / "clash.py").exists()
