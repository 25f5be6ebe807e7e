"""``nanoka import``: an existing Drizzle SQLite schema as nanoka models.

``drizzle_schema.read_drizzle_schema`` says what drizzle-orm sees in the file;
this module writes it as readable Python (the field form, one
``define_model`` per exported table), so that ``nanoka generate`` gives back a
schema drizzle-kit finds identical. Every TypeScript or SQL expression kept
verbatim carries a comment saying so. What nanoka cannot express is collected
as ``Unimportable`` (table, column, construct) rather than guessed.
"""

from __future__ import annotations

import dataclasses
import keyword
import os
import re
from pathlib import Path, PurePosixPath
from typing import Any

VERBATIM_TS = "  # TypeScript kept verbatim"
VERBATIM_SQL = "  # SQL kept verbatim"

_KNOWN_FUNCTIONS = {
    # (source as Node prints it after tsx, kind) -> nanoka's own spelling
    ("()=>new Date", "timestamp"): "datetime.datetime.now",
    ("()=>crypto.randomUUID()", "string"): "uuid.uuid4",
}
_MANGLED_CALL = re.compile(r"\(0,\s*import_[\w$]+\.([A-Za-z_$][\w$]*)\)")
_MANGLED_NAME = re.compile(r"\bimport_[\w$]+\.([A-Za-z_$][\w$]*)")
_IDENTIFIER = re.compile(r"[A-Za-z_$][\w$]*")
_BLOB_MODES = {"SQLiteBlobBuffer": "buffer", "SQLiteBlobJson": "json", "SQLiteBigInt": "bigint"}
_ROW_TYPES = {
    "SQLiteText": "string", "SQLiteInteger": "number", "SQLiteReal": "number", "SQLiteBoolean": "boolean",
    "SQLiteTimestamp": "Date", "SQLiteTextJson": "unknown", "SQLiteNumeric": "string",
    "SQLiteBlobBuffer": "Buffer", "SQLiteBlobJson": "unknown", "SQLiteBigInt": "bigint",
}
"""The TypeScript type of each column type's values, when the schema says nothing more."""
_BUFFER_TYPE = re.compile(r"any|Buffer(<.*>)?")
"""What TypeScript calls a buffer blob's values: ``Buffer<ArrayBufferLike>``; ``any`` without @types/node."""
_JSON_TYPES = {
    "string[]": "list[str]", "number[]": "list[float]", "boolean[]": "list[bool]",
    "string": "str", "number": "float", "boolean": "bool",
}
"""TypeScript types of a JSON column that ``t.json(T)`` writes back exactly."""
_TS_SUFFIXES = ((".d.ts", ""), (".tsx", ""), (".ts", ""), (".mts", ".mjs"), (".cts", ".cjs"))
"""A TypeScript file's suffix, and what a module specifier naming it ends with instead."""
_PLAIN_TYPE = re.compile(r'(?:"(?:[^"\\]|\\.)*"|string|number|boolean|Date|bigint|null|\[\]|\s|\|)+')
"""A TypeScript type written with nothing the schema file would have to import."""


@dataclasses.dataclass(frozen=True)
class Unimportable:
    """One thing in the schema that nanoka cannot express."""

    table: str
    column: str | None
    construct: str

    def __str__(self) -> str:
        where = f"{self.table}.{self.column}" if self.column else self.table
        return f"{where}: {self.construct}"


@dataclasses.dataclass
class ImportResult:
    source: str
    """The Python models module."""
    unimportable: list[Unimportable]
    tables: int
    columns: int
    config: dict[str, str] = dataclasses.field(default_factory=dict)
    """Keys the nanoka config needs for these models (``table-prefix``, ``export-names``)."""
    buffer_columns: list[str] = dataclasses.field(default_factory=list)
    """``table.column`` of each ``blob({ mode: 'buffer' })``, a ``Buffer`` (a type from @types/node)."""
    not_tables: list[str] = dataclasses.field(default_factory=list)
    """The schema file's other exports (enums, constants, types): not written, left where they are."""


def models_source(
    schema: dict[str, Any],
    imports: dict[str, tuple[str, str]],
    *,
    schema_file: Path,
    output_schema: Path,
    origin: str | None = None,
    table_prefix: str = "",
    export_names: str | None = None,
    exports: bool = True,
) -> ImportResult:
    """The models module for ``schema`` (``read_drizzle_schema``'s answer).

    :param imports: the original file's imports (``drizzle_schema.imported_names``), to
        say where a name a kept function uses comes from.
    :param schema_file: the original file; relative imports are rebased from its folder...
    :param output_schema: ...to the folder of the schema nanoka will generate.
    :param origin: what the module docstring says the models came from.
    :param table_prefix: the config's ``table-prefix``, ``export_names`` its ``export-names``.
    :param exports: the tables' export names matter (not for a database's tables, which have none).
    """
    types, enums = schema.get("types") or {}, schema.get("enums") or {}
    writer = _Writer(imports, schema_file, output_schema.parent, types, enums)
    writer.unresolved = schema.get("unresolved") or {}
    config = _naming(writer, schema["tables"], table_prefix, export_names, exports)
    tables = [table for table in schema["tables"] if table["name"] not in writer.left_out]
    variables = _variable_names(tables)
    relations: dict[str, dict[str, Any]] = {}
    for declared in schema.get("relations", ()):
        table = declared["table"]["name"]
        if table in relations:
            writer.problems.append(Unimportable(table, None, f"a second relations() ({declared['export']})"))
        else:
            relations[table] = declared
    blocks = [writer.model(table, variables, relations.get(table["name"])) for table in tables]
    for item in schema.get("unsupported", ()):
        writer.problems.append(Unimportable(item["where"], None, item["construct"]))
    head = [f'"""Models {origin or f"imported from {schema_file.name} by `nanoka import`"}."""', ""]
    if writer.python_imports:
        head.extend(f"import {name}" for name in sorted(writer.python_imports))
        head.append("")
    names = sorted({"define_model", "t", *writer.nanoka_names})
    head.append(f"from nanoka_core import {', '.join(names)}")
    source = "\n".join(head) + "\n\n" + "\n\n".join(blocks) + "\n"
    return ImportResult(
        source,
        writer.problems,
        len(tables),
        sum(len(table["columns"]) for table in tables),
        config,
        writer.buffer_columns,
    )


def import_schema(
    schema: Path,
    project_dir: Path,
    output_schema: Path,
    table_prefix: str = "",
    export_names: str | None = None,
) -> ImportResult:
    """Read ``schema`` with drizzle-orm and write it as models (not to disk), under the
    config's ``table_prefix`` and ``export_names`` (or with the ones it needs, ``ImportResult.config``)."""
    from nanoka_core.drizzle.schema_reader import imported_names, read_drizzle_schema

    answer = read_drizzle_schema(schema, project_dir)
    imports = imported_names(schema.read_text(encoding="utf-8"))
    result = models_source(
        answer,
        imports,
        schema_file=schema.resolve(),
        output_schema=output_schema,
        table_prefix=table_prefix,
        export_names=export_names,
    )
    result.not_tables = answer.get("others") or []
    return result


def generate_problem(source: str, hook: Any, table_prefix: str, export_names: str | None) -> str | None:
    """What ``nanoka generate`` would refuse in the models ``source`` (None if nothing), under the
    config's ``table_prefix`` and ``export_names``: the models loaded and checked as the
    ``load-config`` stage does, then rendered (the codegen's name checks), with ``hook``'s plugins."""
    import types

    from nanoka_core.errors import NanokaError
    from nanoka_core.pipeline.manager import register_field_types
    from nanoka_core.render.codegen import render_with_hooks
    from nanoka_core.schema.checks import check_models
    from nanoka_core.schema.fields import t
    from nanoka_core.schema.models import apply_naming, is_model

    t.use(register_field_types(hook))
    module = types.ModuleType("nanoka_imported_models")
    try:
        exec(compile(source, "<imported models>", "exec"), module.__dict__)  # our own writing
        found = {id(value): value for value in vars(module).values() if is_model(value)}
        models = sorted(found.values(), key=lambda model: model._order)
        apply_naming(models, table_prefix, export_names, "export-names = ")
        check_models(models)
        render_with_hooks(models, hook, None)
    except NanokaError as e:
        return str(e)
    return None


def _naming(
    writer: _Writer, tables: list[dict[str, Any]], table_prefix: str, export_names: str | None, exports: bool
) -> dict[str, str]:
    """Settle the table prefix and export-naming rule the models are written under (``writer``'s),
    and return the config keys they need: those the config does not set already."""
    from nanoka_core.config import table_prefix_problem

    config = {}
    prefixes = {_prefix_of(table) for table in tables}
    if table_prefix:
        for table in tables:
            if not table["name"].startswith(table_prefix):
                construct = (
                    f"a table without the config's table-prefix {table_prefix!r}: a model for it would be "
                    f"table {table_prefix + table['name']}, so it is left out (a migration would then drop "
                    f"it); rename it to {table_prefix + table['name']}, or import it where the config has no "
                    "table-prefix"
                )
                writer.problems.append(Unimportable(table["name"], None, construct))
                writer.left_out.add(table["name"])
    elif len(prefixes) == 1 and "" not in prefixes and None not in prefixes:
        found = prefixes.pop()
        assert found is not None
        if table_prefix_problem(found) is None:
            table_prefix = config["table-prefix"] = found
    if not table_prefix:
        for table in tables:
            if table["baseName"] != table["name"]:
                construct = (
                    f"a table prefix (sqliteTableCreator: {table['baseName']!r} named {table['name']!r}) "
                    "that cannot be the config's table-prefix (one prefix before every table's name); "
                    "imported under its full name, which drizzle-kit sees the same"
                )
                writer.problems.append(Unimportable(table["name"], None, construct))
    writer.table_prefix = table_prefix
    if exports and export_names is None:
        export_names = _export_rule(tables, table_prefix)
        if export_names is not None:
            config["export-names"] = export_names
    writer.export_names = export_names if exports else None
    writer.exports = exports
    return config


def _prefix_of(table: dict[str, Any]) -> str | None:
    """The prefix ``sqliteTableCreator`` put before the table's name; None if it is no prefix."""
    name, base = table["name"], table["baseName"]
    return name[: len(name) - len(base)] if name.endswith(base) else None


def _export_rule(tables: list[dict[str, Any]], table_prefix: str) -> str | None:
    """The export-naming rule most tables (at least two, more than half) follow, unless
    that is the default (the table's name)."""
    from nanoka_core.config import EXPORT_NAME_PLACEHOLDERS, export_names_problem
    from nanoka_core.schema.models import export_rule_name

    followed: dict[str, int] = {}
    for table in tables:
        base, export = table["name"].removeprefix(table_prefix), table["export"]
        rules = set()
        for placeholder in EXPORT_NAME_PLACEHOLDERS:
            value = export_rule_name(f"{{{placeholder}}}", base)
            if value and value in export:
                rules.add(export.replace(value, f"{{{placeholder}}}", 1))
        for rule in rules:
            if export_names_problem(rule) is None and export_rule_name(rule, base) == export:
                followed[rule] = followed.get(rule, 0) + 1
    default = followed.get("{name}", 0)
    order = {f"{{{p}}}": i for i, p in enumerate(("camel", "name", "pascal"))}
    ranked = sorted(followed, key=lambda r: (-followed[r], min(i for p, i in order.items() if p in r), r))
    best = next((rule for rule in ranked if rule != "{name}"), None)
    if best is None or followed[best] < 2 or followed[best] <= default or followed[best] * 2 <= len(tables):
        return None
    return best


def lacks_node_types(project_dir: Path) -> bool:
    """Whether ``@types/node`` (which declares ``Buffer``) is out of reach of the project's TypeScript:
    in no ``node_modules`` of the project folder or a folder above it, as Node and tsc look."""
    folders = (project_dir.resolve(), *project_dir.resolve().parents)
    return not any((folder / "node_modules/@types/node/package.json").is_file() for folder in folders)


def module_name(path: Path, project_dir: Path) -> str:
    """The dotted module name of ``path`` seen from ``project_dir`` (``app/models.py`` -> ``app.models``)."""
    try:
        relative = path.resolve().relative_to(project_dir.resolve())
    except ValueError:
        return path.stem
    return ".".join(relative.with_suffix("").parts)


def _variable_names(tables: list[dict[str, Any]]) -> dict[str, str]:
    """A Python name per table (keyed by SQL name): its export name, made a valid identifier."""
    names: dict[str, str] = {}
    for table in tables:
        name = re.sub(r"\W", "_", table["export"])
        if keyword.iskeyword(name) or name in ("t", "datetime", "uuid") or not name.isidentifier():
            name += "_"
        names[table["name"]] = name
    return names


class _Writer:
    def __init__(
        self,
        imports: dict[str, tuple[str, str]],
        schema_file: Path,
        output_dir: Path,
        row_types: dict[str, dict[str, str]],
        enums: dict[str, dict[str, list[dict[str, Any]]]],
    ) -> None:
        self.imports = imports
        self.row_types = row_types
        self.enums = enums
        """The TypeScript enums each column's row type names (export -> key -> enums), where declared."""
        self.schema_file = schema_file
        self.source_dir = schema_file.parent
        self.output_dir = output_dir
        self.problems: list[Unimportable] = []
        self.nanoka_names: set[str] = set()
        self.python_imports: set[str] = set()
        self.table_prefix = ""
        """Left out of the table names written (the config's ``table-prefix``)."""
        self.export_names: str | None = None
        """The ``export-names`` rule: a table whose export it does not give gets ``export_name=``."""
        self.exports = True
        self.left_out: set[str] = set()
        self.buffer_columns: list[str] = []
        self.unresolved: dict[str, list[str]] = {}
        """A kept function's source -> the names in it TypeScript finds nowhere (the schema reader's)."""
        """Tables named as unimportable and written no model; keys and relations to them are named too."""

    def model(
        self, table: dict[str, Any], variables: dict[str, str], relations: dict[str, Any] | None = None
    ) -> str:
        name = table["name"]
        single_fks, table_fks = {}, []
        for fk in table["foreignKeys"]:
            if len(fk["columns"]) != 1 or fk["explicitName"] or fk["columns"][0] in single_fks:
                table_fks.append(fk)  # foreign_key(...): several columns, or a name of its own
            else:
                single_fks[fk["columns"][0]] = fk
        base = name.removeprefix(self.table_prefix)
        lines = [f"{variables[name]} = define_model({_py(base)}, {{"]
        row = self.row_types.get(table["export"], {})
        enums = self.enums.get(table["export"], {})
        for column in table["columns"]:
            key = column["key"]
            fk = single_fks.get(key)
            field, comment = self.field(name, column, fk, variables, row.get(key), enums.get(key))
            lines.append(f"    {_py(column['key'])}: {field},{comment}")
        lines.extend(self.relations(table, relations, variables))
        lines.append("}")
        keywords = self.table_level(table)
        keys = [key for key in (self.foreign_key(name, fk, variables) for fk in table_fks) if key]
        if keys:
            keywords.append("foreign_keys=[" + ", ".join(keys) + "]")
        if self.exports and table["export"] != _exported_as(self.export_names, base):
            keywords.append(f"export_name={_py(table['export'])}")
        if relations is not None and relations["export"] != f"{table['export']}Relations":
            keywords.append(f"relations_name={_py(relations['export'])}")
        if keywords:
            lines[-1] += ", " + ", ".join(keywords)
        lines[-1] += ")"
        return "\n".join(lines)

    def field(
        self,
        table: str,
        column: dict[str, Any],
        fk: dict[str, Any] | None,
        variables: dict[str, str],
        row_type: str | None = None,
        enums: list[dict[str, Any]] | None = None,
    ) -> tuple[str, str]:
        key = column["key"]
        kind, expr = self._kind(table, column)
        if enums and row_type is not None:
            expr, comment = self._enum_type(table, key, expr, row_type, enums)
        else:
            expr, comment = self._row_type(table, column, kind, expr, row_type)
        if column["name"] != key:
            expr += f".column({_py(column['name'])})"
        if column["primary"]:
            expr += ".primary(autoincrement=True)" if column["autoIncrement"] else ".primary()"
        elif not column["notNull"]:
            expr += ".optional()"
        if column["isUnique"]:
            expr += f".unique(name={_py(column['uniqueName'])})" if column["uniqueName"] else ".unique()"
        if fk is not None:
            target = variables.get(fk["foreignTable"]["name"])
            if target is None:
                missing = fk["foreignTable"]["name"]
                self._problem(table, key, f"a foreign key to {missing}, {self._absent(missing)}")
            else:
                args = [f"lambda: {target}", _py(fk["foreignColumns"][0])]
                args += [
                    f"{option}={_py(fk[action])}"
                    for option, action in (("on_delete", "onDelete"), ("on_update", "onUpdate"))
                    if fk[action] is not None
                ]
                expr += f".references({', '.join(args)})"
        default = column.get("default")
        if default is not None:
            text, verbatim = self._default(table, key, kind, default)
            expr += f".default({text})"
            comment = comment or verbatim
        if column.get("defaultFn") is not None:
            text, verbatim = self._function(table, key, kind, column["defaultFn"])
            expr += f".default({text})"
            comment = comment or verbatim
        if column.get("onUpdateFn") is not None:
            source = column["onUpdateFn"]
            if kind == "timestamp" and source == "()=>new Date":
                expr += ".on_update_now()"
            else:
                text, verbatim = self._function(table, key, kind, source, on_update=True)
                expr += f".on_update_to({text})"
                comment = comment or verbatim
        if column.get("generated"):
            generated = column["generated"]
            sql_text = self._sql(table, key, generated["as"].get("sql"), allow_columns=True)
            stored = ", stored=True" if generated["mode"] == "stored" else ""
            self.nanoka_names.add("sql")
            expr += f".generated(sql({_py(sql_text)}){stored})"
            comment = comment or VERBATIM_SQL
        return expr, comment

    def foreign_key(self, table: str, fk: dict[str, Any], variables: dict[str, str]) -> str | None:
        """``foreign_key((...), lambda: Target, (...), name=..., on_delete=...)`` for a table-level key."""
        target = variables.get(fk["foreignTable"]["name"])
        if target is None:
            missing = fk["foreignTable"]["name"]
            self._problem(
                table, None, f"foreign key {fk['name']} to {missing}, {self._absent(missing)}"
            )
            return None
        if fk["explicitName"] and not _constraint_name(fk["explicitName"]):
            self._problem(table, None, f"foreign key named {fk['explicitName']!r}, not a plain identifier")
            return None
        self.nanoka_names.add("foreign_key")
        args = [_py_tuple(fk["columns"]), f"lambda: {target}", _py_tuple(fk["foreignColumns"])]
        if fk["explicitName"]:
            args.append(f"name={_py(fk['explicitName'])}")
        args += [
            f"{option}={_py(fk[action])}"
            for option, action in (("on_delete", "onDelete"), ("on_update", "onUpdate"))
            if fk[action] is not None
        ]
        return f"foreign_key({', '.join(args)})"

    def relations(
        self, table: dict[str, Any], relations: dict[str, Any] | None, variables: dict[str, str]
    ) -> list[str]:
        """``t.one(...)``/``t.many(...)`` entries for the table's ``relations()``."""
        if relations is None:
            return []
        columns = {column["key"] for column in table["columns"]}
        lines = []
        for relation in relations["relations"]:
            target = variables.get(relation["table"]["name"])
            if relation["key"] in columns or target is None:
                missing = relation["table"]["name"]
                why = "has a column's name" if target else f"points at {missing}, {self._absent(missing)}"
                self._problem(table["name"], relation["key"], f"a relation that {why}")
                continue
            args = [f"lambda: {target}"]
            if relation["fields"]:
                args.append(f"fields=({', '.join(_py(f) for f in relation['fields'])},)")
                args.append(f"references=({', '.join(_py(f) for f in relation['references'])},)")
            if relation["relationName"]:
                args.append(f"relation_name={_py(relation['relationName'])}")
            lines.append(f"    {_py(relation['key'])}: t.{relation['kind']}({', '.join(args)}),")
        return lines

    def _row_type(
        self, table: str, column: dict[str, Any], kind: str, expr: str, row_type: str | None
    ) -> tuple[str, str]:
        """``expr`` with the TypeScript type the schema declared, where it is not the column's own."""
        expected = _ROW_TYPES.get(column["columnType"])
        if expected == "Buffer" and row_type is not None and _BUFFER_TYPE.fullmatch(row_type):
            return expr, ""
        if column["enumValues"]:
            expected = " | ".join(sorted(f'"{v}"' for v in column["enumValues"]))
            row_type = " | ".join(sorted(row_type.split(" | "))) if row_type else None
        if row_type is None or expected is None or row_type == expected:
            return expr, ""
        if kind == "json" and row_type in _JSON_TYPES:
            return f"t.json({_JSON_TYPES[row_type]})", ""
        if kind != "json" and _PLAIN_TYPE.fullmatch(row_type):
            return f"{expr}.ts_type({_py(row_type)})", VERBATIM_TS
        self._problem(table, column["key"], f"the TypeScript-only type {row_type}")
        return expr, ""

    def _enum_type(
        self, table: str, key: str, expr: str, row_type: str, enums: list[dict[str, Any]]
    ) -> tuple[str, str]:
        """``expr`` typed as TypeScript types it (``Status``, ``Status.A | Status.B``), each enum
        imported from where it is declared; named when the generated schema cannot import it."""
        imports: dict[str, str] = {}
        for enum in enums:
            module = self._enum_module(table, key, enum)
            if module is None:
                return expr, ""
            imports[enum["name"]] = module
        return f"{expr}.ts_type({_py(row_type)}, imports={_py(imports)})", VERBATIM_TS

    def _enum_module(self, table: str, key: str, enum: dict[str, Any]) -> str | None:
        """The module the generated schema imports ``enum`` from; None (and named) when there is none."""
        name, declared = enum["name"], Path(enum["file"]).resolve()
        if declared == self.schema_file.resolve():
            why = (
                f"declared in {declared.name}, which the generated schema replaces: move it to a module of "
                f"its own (export enum {name} ...), import it from there in {declared.name}, and import again"
            )
        elif not enum["exported"]:
            why = f"which {declared.name} does not export: export it from there (top level), and import again"
        elif "node_modules" in declared.parts:
            packages = (m for m, exported in self.imports.values() if exported == name and m[0] != ".")
            module = next(packages, None)
            if module is not None:
                return module
            why = f"declared in a package, not imported by name in the schema: import {{ {name} }} there"
        else:
            stem = str(declared)
            for suffix, replacement in _TS_SUFFIXES:
                if stem.endswith(suffix):
                    stem = stem[: -len(suffix)] + replacement
                    break
            text = Path(os.path.relpath(stem, self.output_dir.resolve())).as_posix()
            return text if text.startswith(".") else f"./{text}"
        self._problem(table, key, f"the TypeScript enum {name}, {why}")
        return None

    def _kind(self, table: str, column: dict[str, Any]) -> tuple[str, str]:
        column_type = column["columnType"]
        length = f"length={column['length']}" if column.get("length") else ""
        if column_type == "SQLiteText":
            if column["enumValues"]:
                values = ", ".join(_py(v) for v in column["enumValues"])
                extra = ", ".join(x for x in ("check=False", length) if x)
                return "enum", f"t.enum({values}, {extra})"
            return "string", f"t.string({length})"
        if column_type == "SQLiteTextJson":
            return "json", "t.json()"
        if column_type == "SQLiteInteger":
            return "integer", "t.integer()"
        if column_type == "SQLiteTimestamp":
            return "timestamp", 't.timestamp(unit="s")' if column["mode"] == "timestamp" else "t.timestamp()"
        if column_type == "SQLiteBoolean":
            return "boolean", "t.boolean()"
        if column_type == "SQLiteReal":
            return "number", "t.number()"
        if column_type == "SQLiteNumeric":
            return "numeric", "t.numeric()"
        if column_type in _BLOB_MODES:
            if column_type == "SQLiteBlobBuffer":
                self.buffer_columns.append(f"{table}.{column['key']}")
            return "blob", f"t.blob(mode={_py(_BLOB_MODES[column_type])})"
        self._problem(table, column["key"], f"column type {column_type}")
        return "string", "t.string()"

    def _default(self, table: str, key: str, kind: str, default: dict[str, Any]) -> tuple[str, str]:
        if "sql" in default:
            self.nanoka_names.add("sql")
            return f"sql({_py(self._sql(table, key, default['sql']))})", VERBATIM_SQL
        if "json" in default:
            value = default["json"]
            if kind in ("timestamp", "blob"):
                self._problem(table, key, f"a literal default {value!r} on a {kind} column")
            return _py(value), ""
        self._problem(table, key, f"default {default}")
        return "None", ""

    def _function(
        self, table: str, key: str, kind: str, source: str, on_update: bool = False
    ) -> tuple[str, str]:
        known = _KNOWN_FUNCTIONS.get((source, "string" if kind in ("string", "uuid") else kind))
        if known is not None and not on_update:
            self.python_imports.add(known.split(".")[0])
            return known, ""
        sql_body = re.fullmatch(r"\(\)=>import_drizzle_orm\.sql`([^`$\\]*)`", source)
        if sql_body and on_update:
            self.nanoka_names.add("sql")
            return f"sql({_py(sql_body[1])})", VERBATIM_SQL
        text = _MANGLED_NAME.sub(r"\1", _MANGLED_CALL.sub(r"\1", source))
        used = {}
        for name in sorted(set(_IDENTIFIER.findall(text))):
            if name in self.imports:
                module, exported = self.imports[name]
                if exported != name:
                    self._problem(table, key, f"a function using {name}, imported under another name")
                used[name] = self._module(module)
        tsx_bindings = set(re.findall(r"\b(import_[\w$]+)\.", source))
        unresolved = self.unresolved.get(source, ())
        local = [name for name in unresolved if name not in self.imports and name not in tsx_bindings]
        if local:
            named, file = " and ".join(local), self.schema_file.name
            kept = "$onUpdateFn" if on_update else "$defaultFn"
            self._problem(
                table, key, f"a {kept} using {named}, declared in {file}, which the generated schema "
                f"replaces: move {named} to a module of its own (exported), import "
                f"{'them' if len(local) > 1 else 'it'} from there in {file}, and import again"
            )
        self.nanoka_names.add("ts")
        imports = f", imports={{{', '.join(f'{_py(n)}: {_py(m)}' for n, m in used.items())}}}" if used else ""
        return f"ts({_py(text)}{imports})", VERBATIM_TS

    def _module(self, module: str) -> str:
        """``module`` as the generated schema imports it: relative paths rebased there."""
        if not module.startswith("."):
            return module
        target = (self.source_dir / module).resolve()
        relative = PurePosixPath(Path(os.path.relpath(target, self.output_dir.resolve())).as_posix())
        text = str(relative)
        return text if text.startswith(".") else f"./{text}"

    def _sql(
        self, table: str, key: str | None, chunks: list[dict[str, Any]] | None, allow_columns: bool = False
    ) -> str:
        parts = []
        for chunk in chunks or ():
            if "text" in chunk:
                parts.append(chunk["text"])
            elif allow_columns:
                parts.append(f'"{chunk["column"]}"')
            else:
                self._problem(table, key, "a column reference inside a SQL default")
        return "".join(parts)

    def table_level(self, table: dict[str, Any]) -> list[str]:
        name = table["name"]
        out = []
        declarations = []
        fields = {column["key"] for column in table["columns"]}
        for index in table["indexes"]:
            args = []
            for part in index["columns"]:
                if "column" in part:
                    args.append(_py(part["column"]))
                else:
                    self.nanoka_names.add("sql")
                    text = self._index_sql(name, index["name"], part["sql"], fields)
                    args.append(f"sql({_py(text)})")
            if index["unique"]:
                args.append("unique=True")
            args.append(f"name={_py(index['name'])}")
            if index["where"]:
                args.append(f"where={_py(self._index_sql(name, index['name'], index['where'], fields))}")
            self.nanoka_names.add("index")
            declarations.append(f"index({', '.join(args)})")
        for unique in table["uniqueConstraints"]:
            self.nanoka_names.add("unique")
            columns = ", ".join(_py(c) for c in unique["columns"])
            declarations.append(f"unique({columns}, name={_py(unique['name'])})")
        if declarations:
            out.append("indexes=[" + ", ".join(declarations) + "]")
        for key in table["primaryKeys"]:
            if key["explicitName"]:
                self._problem(name, None, f"primary key named {key['name']!r}")
            out.append(f"primary_key=({', '.join(_py(c) for c in key['columns'])})")
        checks = []
        for check in table["checks"]:
            if not check["name"].startswith(f"{name}_"):
                self._problem(
                    name, None, f"check named {check['name']!r} (nanoka names checks <table>_<name>)"
                )
                continue
            self.nanoka_names.add("check")
            sql_text = self._sql(name, None, check["sql"], allow_columns=True)
            checks.append(f"check({_py(check['name'][len(name) + 1:])}, {_py(sql_text)})")
        if checks:
            out.append("checks=[" + ", ".join(checks) + "]")
        return out

    def _index_sql(self, table: str, index: str, chunks: list[dict[str, Any]], columns: set[str]) -> str:
        """An index expression or condition as nanoka writes it: ``${t.col}`` as ``"col"``.

        A column named bare in the SQL text would come back as ``${table.col}``, which
        drizzle-kit writes ``"col"``: not the same index, so it is named instead.
        """
        from nanoka_core.schema.constraints import sql_tokens

        for chunk in chunks:
            bare = [word for word in sql_tokens(chunk.get("text", "")) if word in columns]
            if bare:
                self._problem(
                    table, None, f"index {index}: column {bare[0]!r} written into the SQL text "
                    f"(nanoka writes columns as ${{table.{bare[0]}}}; write it so in the original)"
                )
                break
        return self._sql(table, None, chunks, allow_columns=True)

    def _absent(self, table: str) -> str:
        """Why ``table`` has no model: left out (named above), or not exported by the file."""
        return "a table left out" if table in self.left_out else "which the file does not export"

    def _problem(self, table: str, column: str | None, construct: str) -> None:
        self.problems.append(Unimportable(table, column, construct))


def _exported_as(export_names: str | None, base: str) -> str:
    from nanoka_core.schema.models import export_rule_name

    return export_rule_name(export_names, base) if export_names else base


def _py(value: Any) -> str:
    """``value`` as a Python literal, strings in double quotes."""
    if isinstance(value, str):
        import json

        text = json.dumps(value, ensure_ascii=False)
        if ('"' in value and "'" not in value) or _literal(text) != value:
            return repr(value)
        return text
    if isinstance(value, list):
        return "[" + ", ".join(_py(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_py(k)}: {_py(v)}" for k, v in value.items()) + "}"
    return repr(value)


def _constraint_name(name: str) -> bool:
    """Whether nanoka takes ``name`` for an index, check or foreign key."""
    from nanoka_core.errors import ModelError
    from nanoka_core.schema.names import check_constraint_name

    try:
        check_constraint_name(name)
    except ModelError:
        return False
    return True


def _py_tuple(values: list[str]) -> str:
    """``("a", "b")``, or ``"a"`` for one value."""
    return _py(values[0]) if len(values) == 1 else f"({', '.join(_py(v) for v in values)})"


def _literal(text: str) -> Any:
    import ast

    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return None
