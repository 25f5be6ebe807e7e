// Loads a Drizzle SQLite schema the way drizzle-kit 0.31 does (tsx's require
// hook) and prints, as one JSON object on stdout, what each exported table is:
// drizzle-orm's getTableConfig (columns with their modes, defaults, lengths,
// enums, keys, indexes, foreign keys, checks, uniques) plus its export name, and
// the relations() it declares. SQL is given as chunks (text, or a column's key),
// functions ($defaultFn, $onUpdateFn) as their source text.
// Usage (cwd: the project folder): node schema_reader.cjs SCHEMA
"use strict";
const path = require("node:path");

function answer(result) {
  process.stdout.write(JSON.stringify(result));
}

function load(name, kit) {
  return require(require.resolve(name, { paths: [process.cwd(), kit] }));
}

function main(schemaPath) {
  let kit;
  try {
    kit = path.dirname(require.resolve("drizzle-kit", { paths: [process.cwd()] }));
  } catch (e) {
    return answer({ error: `drizzle-kit is not installed here (${e.message.split("\n")[0]})` });
  }
  require(require.resolve("tsx/cjs/api", { paths: [kit] })).register();
  let orm, core, exported;
  try {
    orm = load("drizzle-orm", kit);
    core = load("drizzle-orm/sqlite-core", kit);
  } catch (e) {
    return answer({ error: `drizzle-orm is not installed here (${e.message.split("\n")[0]})` });
  }
  try {
    exported = require(path.resolve(schemaPath));
  } catch (e) {
    return answer({ error: e && e.stack ? String(e.stack) : String(e) });
  }
  const { is, SQL, Column, Table, Relations } = orm;
  const exportsOf = new Map(); // table object -> every name it is exported under
  const relations = [];
  const others = []; // exports that are neither tables nor relations
  for (const [exportName, value] of Object.entries(exported)) {
    if (is(value, core.SQLiteTable)) {
      exportsOf.set(value, [...(exportsOf.get(value) ?? []), exportName]);
    } else if (is(value, Relations)) {
      relations.push([exportName, value]);
    } else {
      others.push(exportName);
    }
  }
  const kept = [];
  for (const table of exportsOf.keys()) {
    for (const column of Object.values(table[Table.Symbol.Columns])) kept.push(fn(column.defaultFn), fn(column.onUpdateFn));
  }
  const typing = typeScript(path.resolve(schemaPath), kept.filter((source) => source !== undefined));
  const unsupported = [];
  const names = new Map(); // table object -> the export name kept
  for (const [table, exportNames] of exportsOf) {
    // esbuild lists exports alphabetically: keep the name the table is defined under, not an alias of it.
    const defined = exportNames.find((name) => !(typing && name in typing.aliases)) ?? exportNames[0];
    names.set(table, defined);
    for (const alias of exportNames.filter((name) => name !== defined)) {
      unsupported.push({
        where: table[Table.Symbol.Name],
        construct:
          `also exported as ${alias}, which is not kept (nanoka writes one export per table, ${defined}): ` +
          `import ${defined} where ${alias} is imported, or export ${alias} from a module of your own`,
      });
    }
  }
  const tables = [...names].map(([table, exportName]) => [exportName, table]);
  const out = tables.map(([exportName, table]) => readTable(exportName, table));
  const { types, enums } = rowTypes(typing, new Set(tables.map(([name]) => name)));
  answer({
    types,
    enums,
    tables: out,
    relations: relations.map(([exportName, rel]) => readRelations(exportName, rel)),
    unsupported,
    others: [...others, ...(typing ? typing.typeOnly : [])].sort(),
    unresolved: typing ? typing.unresolved : null,
  });

  function keyOf(column) {
    const table = column.table;
    const columns = table[Table.Symbol.Columns];
    for (const [key, value] of Object.entries(columns)) if (value === column) return key;
    return column.name;
  }

  function tableRef(table) {
    return { export: names.get(table) ?? null, name: table[Table.Symbol.Name] };
  }

  function chunks(sql, where) {
    const parts = [];
    const walk = (chunk) => {
      if (is(chunk, SQL)) return chunk.queryChunks.forEach(walk);
      if (is(chunk, Column)) return parts.push({ column: keyOf(chunk) });
      if (chunk && typeof chunk === "object" && Array.isArray(chunk.value)) {
        return parts.push({ text: chunk.value.join("") }); // StringChunk
      }
      if (typeof chunk === "string") return parts.push({ text: chunk });
      unsupported.push({ where, construct: `a value inside sql\`...\` (${String(chunk)})` });
    };
    walk(sql);
    return parts;
  }

  function value(v, where) {
    if (v === undefined) return undefined;
    if (is(v, SQL)) return { sql: chunks(v, where) };
    if (v instanceof Date) return { date: v.getTime() };
    if (typeof v === "bigint") return { bigint: String(v) };
    if (typeof Buffer !== "undefined" && Buffer.isBuffer(v)) return { buffer: v.toString("hex") };
    return { json: v };
  }

  function fn(f) {
    return typeof f === "function" ? Function.prototype.toString.call(f) : undefined;
  }

  function readTable(exportName, table) {
    const config = core.getTableConfig(table);
    const where = (c) => ({ table: config.name, column: c });
    const columns = config.columns.map((c) => {
      const key = keyOf(c);
      const defaultUnique = `${config.name}_${c.name}_unique`;
      return {
        key,
        name: c.name,
        columnType: c.columnType,
        sqlType: c.getSQLType(),
        notNull: c.notNull,
        primary: c.primary,
        autoIncrement: c.autoIncrement ?? false,
        mode: c.mode ?? null,
        length: c.length ?? null,
        enumValues: c.enumValues ?? null,
        isUnique: c.isUnique ?? false,
        uniqueName: c.isUnique && c.uniqueName !== defaultUnique ? c.uniqueName : null,
        default: value(c.default, `${config.name}.${key} default`),
        defaultFn: fn(c.defaultFn),
        onUpdateFn: fn(c.onUpdateFn),
        generated: c.generated
          ? { as: value(c.generated.as, where(key)), mode: c.generated.mode, type: c.generated.type }
          : null,
      };
    });
    return {
      export: exportName,
      name: config.name,
      baseName: table[Table.Symbol.BaseName],
      columns,
      indexes: config.indexes.map((i) => ({
        name: i.config.name,
        unique: i.config.unique,
        columns: i.config.columns.map((c) => (is(c, Column) ? { column: keyOf(c) } : { sql: chunks(c, i.config.name) })),
        where: i.config.where ? chunks(i.config.where, i.config.name) : null,
      })),
      foreignKeys: config.foreignKeys.map((fk) => {
        const ref = fk.reference();
        return {
          name: fk.getName(),
          explicitName: ref.name ?? null,
          columns: ref.columns.map(keyOf),
          foreignTable: tableRef(ref.foreignColumns[0].table),
          foreignColumns: ref.foreignColumns.map(keyOf),
          onDelete: fk.onDelete ?? null,
          onUpdate: fk.onUpdate ?? null,
        };
      }),
      primaryKeys: config.primaryKeys.map((pk) => ({
        name: pk.getName(),
        explicitName: pk.name ?? null,
        columns: pk.columns.map(keyOf),
      })),
      uniqueConstraints: config.uniqueConstraints.map((u) => ({
        name: u.getName(),
        columns: u.columns.map(keyOf),
      })),
      checks: config.checks.map((ch) => ({ name: ch.name, sql: chunks(ch.value, ch.name) })),
    };
  }

  function readRelations(exportName, rel) {
    let built = {};
    try {
      built = rel.config(orm.createTableRelationsHelpers(rel.table));
    } catch (e) {
      unsupported.push({ where: exportName, construct: `relations() that cannot be evaluated (${e.message})` });
    }
    const result = { export: exportName, table: tableRef(rel.table), relations: [] };
    for (const [key, r] of Object.entries(built)) {
      const kind = is(r, orm.One) ? "one" : "many";
      result.relations.push({
        key,
        kind,
        table: tableRef(r.referencedTable),
        relationName: r.relationName ?? null,
        fields: r.config && r.config.fields ? r.config.fields.map(keyOf) : null,
        references: r.config && r.config.references ? r.config.references.map(keyOf) : null,
      });
    }
    return result;
  }
}

// NAME_NOT_FOUND: TypeScript's "Cannot find name 'x'" and its variants (did you mean, install @types/...,
// change the lib, a shorthand property with no value in scope).
const NAME_NOT_FOUND = new Set([2304, 2552, 2580, 2581, 2582, 2583, 2584, 2591, 2592, 2593, 2662, 2663, 18004]);

// The schema as the TypeScript compiler sees it, with the functions kept verbatim ($defaultFn,
// $onUpdateFn: their source as Node holds it) in a module of their own next to it, so that they
// see the same globals: `aliases` (export -> the name it repeats: `export const people = users`,
// `export { users as people }`), `typeOnly` (exports TypeScript alone knows: types, interfaces) and
// `unresolved` (source -> the names in it that resolve to nothing there: the schema's own locals,
// and tsx's import bindings). Null when the project has no typescript package.
function typeScript(schemaFile, kept) {
  let ts;
  try {
    ts = require(require.resolve("typescript", { paths: [process.cwd()] }));
  } catch (e) {
    return null;
  }
  const options = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
  };
  const keptFile = path.join(path.dirname(schemaFile), "__nanoka_kept_functions__.ts");
  const spans = [];
  let text = "export {}\n";
  for (const [index, source] of kept.entries()) {
    const start = text.length + `const kept${index} = (`.length;
    text += `const kept${index} = (${source});\n`;
    spans.push([start, start + source.length, source]);
  }
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile;
  host.getSourceFile = (name, ...rest) =>
    path.resolve(name) === keptFile ? ts.createSourceFile(name, text, ts.ScriptTarget.ES2022) : getSourceFile(name, ...rest);
  const program = ts.createProgram([schemaFile, keptFile], options, host);
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(schemaFile);
  const moduleSymbol = source && checker.getSymbolAtLocation(source);
  if (!moduleSymbol) return null;
  const aliases = {};
  const typeOnly = [];
  for (const symbol of checker.getExportsOfModule(moduleSymbol)) {
    const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
    if (!(target.flags & ts.SymbolFlags.Value)) typeOnly.push(symbol.name);
    if (target !== symbol && target.name !== symbol.name) aliases[symbol.name] = target.name;
    const declaration = target.valueDeclaration;
    let value = declaration && ts.isVariableDeclaration(declaration) ? declaration.initializer : undefined;
    while (value && (ts.isParenthesizedExpression(value) || ts.isAsExpression(value) || ts.isSatisfiesExpression(value))) {
      value = value.expression;
    }
    if (value && ts.isIdentifier(value)) aliases[symbol.name] = value.text;
  }
  const unresolved = {};
  for (const diagnostic of program.getSemanticDiagnostics(program.getSourceFile(keptFile))) {
    if (!NAME_NOT_FOUND.has(diagnostic.code) || diagnostic.start === undefined) continue;
    const span = spans.find(([start, end]) => start <= diagnostic.start && diagnostic.start < end);
    if (!span) continue;
    const name = text.slice(diagnostic.start, diagnostic.start + diagnostic.length);
    unresolved[span[2]] = [...new Set([...(unresolved[span[2]] ?? []), name])];
  }
  return { ts, checker, source, moduleSymbol, aliases, typeOnly, unresolved };
}

// What TypeScript says each column of each exported table holds ($inferSelect), for
// the types a schema declares only to TypeScript ($type<T>(), a typed enum tuple),
// and the TypeScript enums those types name (where each is declared: a schema
// that keeps the type must import it). Nulls when the project has no typescript package.
function rowTypes(typing, exportNames) {
  if (!typing) return { types: null, enums: null };
  const { ts, checker, source, moduleSymbol } = typing;
  const partsOf = (type) => (type.isUnion() ? type.types : [type]);
  const isEnum = (part) => (part.flags & ts.TypeFlags.EnumLiteral) !== 0 && part.symbol;
  const describe = (type) => {
    const parts = partsOf(type);
    if (parts.every((p) => p.isStringLiteral() && !isEnum(p))) {
      return parts.map((p) => JSON.stringify(p.value)).join(" | ");
    }
    return checker.typeToString(type, undefined, ts.TypeFormatFlags.NoTruncation);
  };
  const enumsOf = (type) => {
    const found = new Map();
    for (const part of partsOf(type).filter(isEnum)) {
      const declaration = part.symbol.declarations[0].parent; // the member's enum
      const name = declaration.name.text;
      const exported = (ts.getCombinedModifierFlags(declaration) & ts.ModifierFlags.Export) !== 0;
      const topLevel = declaration.parent.kind === ts.SyntaxKind.SourceFile;
      found.set(name, { name, file: declaration.getSourceFile().fileName, exported: exported && topLevel });
    }
    return [...found.values()];
  };
  const result = {};
  const enums = {};
  for (const symbol of checker.getExportsOfModule(moduleSymbol)) {
    if (!exportNames.has(symbol.name)) continue;
    const tableType = checker.getTypeOfSymbolAtLocation(symbol, source);
    const select = tableType.getProperty("$inferSelect");
    if (!select) continue;
    const row = checker.getTypeOfSymbolAtLocation(select, source);
    const columns = {};
    const columnEnums = {};
    for (const property of row.getProperties()) {
      const type = checker.getTypeOfSymbolAtLocation(property, source);
      const unknown = (type.flags & ts.TypeFlags.Unknown) !== 0;
      columns[property.name] = unknown ? "unknown" : describe(checker.getNonNullableType(type));
      const named = unknown ? [] : enumsOf(checker.getNonNullableType(type));
      if (named.length) columnEnums[property.name] = named;
    }
    result[symbol.name] = columns;
    if (Object.keys(columnEnums).length) enums[symbol.name] = columnEnums;
  }
  return { types: result, enums };
}

main(process.argv[2]);
