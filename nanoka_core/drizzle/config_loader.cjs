// Evaluates a drizzle config the way drizzle-kit 0.31 does (tsx's require
// hook, then `require(config).default ?? require(config)`) and prints, as one
// JSON object on stdout, its `out` and `schema`, plus what the answer depends
// on: the local files it loaded and the environment variables it read.
// Usage (cwd: the folder drizzle-kit runs in): node drizzle_config.cjs CONFIG
"use strict";
const path = require("node:path");

function answer(result) {
  process.stdout.write(JSON.stringify(result));
}

function main(configPath) {
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
  } catch (e) {
    return answer({ error: e && e.stack ? String(e.stack) : String(e) });
  } finally {
    process.env = env;
  }
  const files = Object.keys(require.cache).filter(
    (file) => file !== __filename && !file.split(path.sep).includes("node_modules"),
  );
  answer({
    out: content ? content.out ?? null : null,
    schema: content ? content.schema ?? null : null,
    env: Object.fromEntries([...envRead].sort().map((key) => [key, env[key] ?? null])),
    files,
  });
}

main(process.argv[2]);
