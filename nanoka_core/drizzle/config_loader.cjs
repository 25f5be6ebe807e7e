// Evaluates a drizzle config the way drizzle-kit 0.31 does (tsx's require
// hook, then `require(config).default ?? require(config)`) and prints, as one
// JSON object on stdout, its `out` and `schema`, plus what the answer depends
// on: the local files it loaded and the environment variables it read.
// With --schema it then requires the config's schema files as drizzle-kit
// does, and the files and variables are those of both (the local modules a
// schema file imports, transitively, included); a schema file that throws is
// an error, as it is to drizzle-kit.
// Usage (cwd: the folder drizzle-kit runs in): node config_loader.cjs CONFIG [--schema]
"use strict";
const path = require("node:path");

function answer(result) {
  process.stdout.write(JSON.stringify(result));
}

function localFiles() {
  return Object.keys(require.cache).filter(
    (file) => file !== __filename && !file.split(path.sep).includes("node_modules"),
  );
}

function schemaPaths(schema) {
  const listed = typeof schema === "string" ? [schema] : Array.isArray(schema) ? schema : [];
  if (listed.some((s) => typeof s !== "string" || /[*?[{]/.test(s))) return null;
  return listed;
}

function main(configPath, withSchema) {
  let kit;
  try {
    kit = path.dirname(require.resolve("drizzle-kit", { paths: [process.cwd()] }));
  } catch (e) {
    return answer({ error: `drizzle-kit is not installed here (${e.message.split("\n")[0]})` });
  }
  // drizzle-kit's own loader: the tsx it depends on.
  require(require.resolve("tsx/cjs/api", { paths: [kit] })).register();
  const envRead = new Set();
  const env = process.env;
  process.env = new Proxy(env, {
    get(target, key) {
      if (typeof key === "string") envRead.add(key);
      return target[key];
    },
  });
  let content;
  try {
    const required = require(path.resolve(configPath));
    content = required.default ?? required;
    if (withSchema) {
      const schemas = schemaPaths(content ? content.schema : null);
      if (schemas === null) return answer({ error: "the schema is a glob or not a list of paths" });
      for (const schema of schemas) require(path.resolve(schema));
    }
  } catch (e) {
    return answer({ error: e && e.stack ? String(e.stack) : String(e) });
  } finally {
    process.env = env;
  }
  const files = localFiles();
  answer({
    out: content ? content.out ?? null : null,
    schema: content ? content.schema ?? null : null,
    env: Object.fromEntries([...envRead].sort().map((key) => [key, env[key] ?? null])),
    files,
  });
}

main(process.argv[2], process.argv[3] === "--schema");
