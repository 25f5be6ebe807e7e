"""``nanoka import``'s model writer, from what the Node reader says (no Node here; e2e: test_e2e_import)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from nanoka_core.cli.importer import lacks_node_types, models_source
from nanoka_core.drizzle.schema_reader import imported_names


def _column(key: str, **settings: Any) -> dict[str, Any]:
    column = {
        "key": key, "name": key, "columnType": "SQLiteText", "notNull": True, "primary": False,
        "autoIncrement": False, "mode": None, "length": None, "enumValues": None, "isUnique": False,
        "uniqueName": None, "generated": None,
    }
    return {**column, **settings}


def _table(name: str, columns: list[dict[str, Any]], **parts: Any) -> dict[str, Any]:
    empty = {"indexes": [], "foreignKeys": [], "primaryKeys": [], "uniqueConstraints": [], "checks": []}
    return {"export": parts.pop("export", name), "name": name, "baseName": name, "columns": columns,
            **empty, **parts}


def _source(tables: list[dict[str, Any]], imports: dict[str, tuple[str, str]] | None = None) -> Any:
    return models_source(
        {"tables": tables, "relations": [], "unsupported": []},
        imports or {},
        schema_file=Path("/p/src/db/schema.ts"),
        output_schema=Path("/p/drizzle/schema.ts"),
    )


def test_kept_typescript_and_sql_are_commented_and_imports_rebased() -> None:
    result = _source([_table("user", [
        _column("id", primary=True, defaultFn="()=>`usr_${(0,import_ids.createId)()}`"),
        _column("createdAt", columnType="SQLiteTimestamp", mode="timestamp",
                default={"sql": [{"text": "(unixepoch())"}]}),
    ], export="userTable")], {"createId": ("./lib/ids", "createId")})
    assert result.unimportable == []
    lines = result.source.splitlines()
    assert (
        '    "id": t.string().primary().default(ts("()=>`usr_${createId()}`", '
        'imports={"createId": "../src/db/lib/ids"})),  # TypeScript kept verbatim'
    ) in lines
    assert '    "createdAt": t.timestamp(unit="s").default(sql("(unixepoch())")),  # SQL kept verbatim' in lines
    assert '}, export_name="userTable")' in lines
    compile(result.source, "models.py", "exec")


def test_what_nanoka_cannot_express_is_named() -> None:
    result = _source([_table("post", [_column("id", primary=True), _column("blobby", columnType="SQLiteCustomColumn"),
                                      _column("title")],
                             foreignKeys=[{"name": "post_a_b_fk", "explicitName": None, "columns": ["a", "b"],
                                           "foreignTable": {"export": "x", "name": "x"}, "foreignColumns": ["c", "d"],
                                           "onDelete": None, "onUpdate": None}],
                             indexes=[{"name": "by_lower", "unique": False, "where": None,
                                       "columns": [{"sql": [{"text": "lower(title)"}]}]}],
                             checks=[{"name": "positive", "sql": [{"text": "1"}]}])])
    assert [str(item) for item in result.unimportable] == [
        "post.blobby: column type SQLiteCustomColumn",
        "post: index by_lower: column 'title' written into the SQL text "
        "(nanoka writes columns as ${table.title}; write it so in the original)",
        "post: check named 'positive' (nanoka names checks <table>_<name>)",
        "post: foreign key post_a_b_fk to x, which the file does not export",
    ]


def _fk(name: str | None, columns: list[str], target: str, target_columns: list[str], **actions: Any) -> dict[str, Any]:
    default = "_".join(["post", *columns, target, *target_columns, "fk"])
    return {"name": name or default, "explicitName": name, "columns": columns,
            "foreignTable": {"export": target, "name": target}, "foreignColumns": target_columns,
            "onDelete": actions.get("onDelete"), "onUpdate": actions.get("onUpdate")}


def test_foreign_keys_over_several_columns_or_with_a_name_and_expression_indexes_are_imported() -> None:
    integer = {"columnType": "SQLiteInteger"}
    result = _source([
        _table("member", [_column("orgId", **integer), _column("userId", **integer)],
               primaryKeys=[{"name": "member_orgId_userId_pk", "explicitName": None, "columns": ["orgId", "userId"]}]),
        _table("post", [
            _column("id", primary=True, **integer), _column("orgId", **integer), _column("userId", **integer),
            _column("parentId", notNull=False, **integer), _column("title"),
        ], foreignKeys=[
            _fk("post_member_fk", ["orgId", "userId"], "member", ["orgId", "userId"], onDelete="cascade",
                onUpdate="no action"),
            _fk(None, ["userId", "orgId"], "member", ["userId", "orgId"]),
            _fk("post_parent", ["parentId"], "post", ["id"], onDelete="set null"),
            _fk(None, ["parentId"], "post", ["id"], onDelete="cascade"),
            _fk(None, ["parentId"], "member", ["userId"]),  # a second key on one column
            _fk("fk-with-dashes", ["userId"], "post", ["id"]),
        ], indexes=[
            {"name": "post_title_lower", "unique": True, "where": [{"column": "orgId"}, {"text": " > 0"}],
             "columns": [{"column": "orgId"}, {"sql": [{"text": "lower("}, {"column": "title"}, {"text": ")"}]}]},
        ]),
    ])
    assert [str(item) for item in result.unimportable] == [
        "post: foreign key named 'fk-with-dashes', not a plain identifier"
    ]
    assert (
        '}, indexes=[index("orgId", sql(\'lower("title")\'), unique=True, name="post_title_lower", '
        'where=\'"orgId" > 0\')], foreign_keys=['
        'foreign_key(("orgId", "userId"), lambda: member, ("orgId", "userId"), name="post_member_fk", '
        'on_delete="cascade", on_update="no action"), '
        'foreign_key(("userId", "orgId"), lambda: member, ("userId", "orgId")), '
        'foreign_key("parentId", lambda: post, "id", name="post_parent", on_delete="set null"), '
        'foreign_key("parentId", lambda: member, "userId")])'
    ) in result.source.splitlines()
    assert '    "parentId": t.integer().optional().references(lambda: post, "id", on_delete="cascade"),' in (
        result.source.splitlines()
    )
    compile(result.source, "models.py", "exec")


def test_imported_names_reads_the_import_declarations() -> None:
    source = """import { sql } from "drizzle-orm";
import { createId as makeId, type Foo } from './lib/ids'
import type { Bar } from "bar";
import cuid from 'cuid'
"""
    assert imported_names(source) == {
        "sql": ("drizzle-orm", "sql"),
        "makeId": ("./lib/ids", "createId"),
        "cuid": ("cuid", "default"),
    }


def test_types_only_typescript_knows_come_from_the_compilers_answer() -> None:
    result = models_source(
        {
            "tables": [_table("account", [
                _column("type"),
                _column("role", enumValues=["admin", "user"]),
                _column("tags", columnType="SQLiteTextJson"),
                _column("status"),
                _column("plain"),
            ])],
            "relations": [],
            "unsupported": [],
            "types": {"account": {
                "type": '"email" | "oauth"', "role": "string", "tags": "string[]",
                "status": "Stripe.Subscription.Status", "plain": "string",
            }},
        },
        {},
        schema_file=Path("/p/schema.ts"),
        output_schema=Path("/p/drizzle/schema.ts"),
    )
    lines = result.source.splitlines()
    assert """    "type": t.string().ts_type('"email" | "oauth"'),  # TypeScript kept verbatim""" in lines
    assert '    "role": t.enum("admin", "user", check=False).ts_type("string"),  # TypeScript kept verbatim' in lines
    assert '    "tags": t.json(list[str]),' in lines
    assert '    "plain": t.string(),' in lines
    assert [str(item) for item in result.unimportable] == [
        "account.status: the TypeScript-only type Stripe.Subscription.Status"
    ]


def test_a_typescript_enum_is_kept_and_imported_from_where_it_is_declared() -> None:
    def enum(name: str, file: str, exported: bool = True) -> list[dict[str, Any]]:
        return [{"name": name, "file": file, "exported": exported}]

    columns = ["status", "urgent", "local", "hidden", "plan", "tier"]
    result = models_source(
        {
            "tables": [_table("ticket", [_column(key, enumValues=["a", "b"], notNull=False) for key in columns])],
            "relations": [],
            "unsupported": [],
            "types": {"ticket": {
                "status": "Status", "urgent": "Priority.High | Priority.Low", "local": "Local", "hidden": "Hidden",
                "plan": "Plan", "tier": "Tier",
            }},
            "enums": {"ticket": {
                "status": enum("Status", "/p/src/lib/status.ts"),
                "urgent": enum("Priority", "/p/src/db/priority.mts"),
                "local": enum("Local", "/p/src/db/schema.ts"),
                "hidden": enum("Hidden", "/p/src/lib/hidden.ts", exported=False),
                "plan": enum("Plan", "/p/node_modules/billing/dist/index.d.ts"),
                "tier": enum("Tier", "/p/node_modules/billing/dist/index.d.ts"),
            }},
        },
        {"Plan": ("billing", "Plan"), "Status": ("../lib/status", "Status")},
        schema_file=Path("/p/src/db/schema.ts"),
        output_schema=Path("/p/drizzle/schema.ts"),
    )
    lines = result.source.splitlines()
    enum_field = 't.enum("a", "b", check=False)'
    assert (
        f'    "status": {enum_field}.ts_type("Status", imports={{"Status": "../src/lib/status"}}).optional(),'
        "  # TypeScript kept verbatim"
    ) in lines
    assert (
        f'    "urgent": {enum_field}.ts_type("Priority.High | Priority.Low", imports={{"Priority": '
        '"../src/db/priority.mjs"}).optional(),  # TypeScript kept verbatim'
    ) in lines
    assert (
        f'    "plan": {enum_field}.ts_type("Plan", imports={{"Plan": "billing"}}).optional(),  # TypeScript kept verbatim'
    ) in lines
    assert [str(item) for item in result.unimportable] == [
        "ticket.local: the TypeScript enum Local, declared in schema.ts, which the generated schema replaces: "
        "move it to a module of its own (export enum Local ...), import it from there in schema.ts, and import again",
        "ticket.hidden: the TypeScript enum Hidden, which hidden.ts does not export: export it from there "
        "(top level), and import again",
        "ticket.tier: the TypeScript enum Tier, declared in a package, not imported by name in the schema: "
        "import { Tier } there",
    ]
    compile(result.source, "models.py", "exec")


def test_a_buffer_blob_is_listed_and_typed_by_its_kind_with_or_without_node_types() -> None:
    blob = {"columnType": "SQLiteBlobBuffer", "notNull": False}
    result = models_source(
        {
            "tables": [_table("file", [_column("id", columnType="SQLiteInteger", primary=True),
                                       _column("data", **blob), _column("thumb", **blob)])],
            "relations": [],
            "unsupported": [],
            # What tsc says without @types/node (Buffer unknown: any), and with it.
            "types": {"file": {"id": "number", "data": "any", "thumb": "Buffer<ArrayBufferLike>"}},
        },
        {},
        schema_file=Path("/p/schema.ts"),
        output_schema=Path("/p/drizzle/schema.ts"),
    )
    assert result.unimportable == []
    assert '    "data": t.blob(mode="buffer").optional(),' in result.source.splitlines()
    assert '    "thumb": t.blob(mode="buffer").optional(),' in result.source.splitlines()
    assert result.buffer_columns == ["file.data", "file.thumb"]


def test_node_types_are_looked_for_where_node_and_tsc_look(tmp_path: Path) -> None:
    project = tmp_path / "apps" / "web"
    project.mkdir(parents=True)
    assert lacks_node_types(project)
    types = tmp_path / "node_modules" / "@types" / "node"  # hoisted to a workspace's root
    types.mkdir(parents=True)
    assert lacks_node_types(project)
    (types / "package.json").write_text('{"name": "@types/node"}', encoding="utf-8")
    assert not lacks_node_types(project)


def test_models_generate_would_refuse_are_named_before_anything_is_written() -> None:
    from nanoka_core.cli.importer import generate_problem
    from nanoka_core.pipeline.manager import get_plugin_manager

    hook = get_plugin_manager().hook
    result = _source([_table("tables", [_column("id", primary=True)], export="sqliteTable")])
    assert result.unimportable == []
    assert generate_problem(result.source, hook, "", None) == (
        "model 'tables': export_name 'sqliteTable' clashes with the schema file's import of 'sqliteTable'; "
        "choose another export_name"
    )
    integer = {"columnType": "SQLiteInteger"}
    tables = [_table("sql", [_column("id", primary=True, **integer)]),
              _table("relations_tbl", [_column("id", primary=True, **integer), _column("sqlId", **integer)],
                     export="relations")]
    one = {"key": "sql", "kind": "one", "table": {"export": "sql", "name": "sql"}, "relationName": None,
           "fields": ["sqlId"], "references": ["id"]}
    declared = {"export": "relRel", "table": {"export": "relations", "name": "relations_tbl"}, "relations": [one]}
    result = models_source({"tables": tables, "relations": [declared], "unsupported": []}, {},
                           schema_file=Path("/p/src/db/schema.ts"), output_schema=Path("/p/drizzle/schema.ts"))
    assert result.unimportable == []
    assert generate_problem(result.source, hook, "", None) == (
        "model 'relations_tbl': export_name 'relations' clashes with the schema file's import of 'relations'; "
        "choose another export_name"
    )
    fine = _source([_table("users", [_column("id", primary=True)], export="usersTable")])
    assert generate_problem(fine.source, hook, "", "{camel}Table") is None


def test_a_kept_function_using_names_local_to_the_schema_file_is_named() -> None:
    local = "()=>`${PREFIX}_${counter++}`"
    imported = "()=>`usr_${(0,import_ids.createId)()}_${Date.now()}`"
    on_update = "()=>String(counter)"
    schema = {
        "tables": [_table("users", [
            _column("id", primary=True, defaultFn=local),
            _column("code", defaultFn=imported),
            _column("touched", onUpdateFn=on_update),
        ])],
        "relations": [], "unsupported": [],
        "unresolved": {local: ["PREFIX", "counter"], imported: ["import_ids"], on_update: ["counter"]},
    }
    result = models_source(schema, {"createId": ("./lib/ids", "createId")}, schema_file=Path("/p/src/db/schema.ts"),
                           output_schema=Path("/p/drizzle/schema.ts"))
    assert [str(item) for item in result.unimportable] == [
        "users.id: a $defaultFn using PREFIX and counter, declared in schema.ts, which the generated schema "
        "replaces: move PREFIX and counter to a module of its own (exported), import them from there in "
        "schema.ts, and import again",
        "users.touched: a $onUpdateFn using counter, declared in schema.ts, which the generated schema replaces: "
        "move counter to a module of its own (exported), import it from there in schema.ts, and import again",
    ]
    assert 'ts("()=>`usr_${createId()}_${Date.now()}`", imports={"createId": "../src/db/lib/ids"})' in result.source
