// Corpus: create-t3-app's base Drizzle SQLite schema (table prefix with sqliteTableCreator).
// Repository: https://github.com/t3-oss/create-t3-app
// Path: cli/template/extras/src/server/db/schema-drizzle/base-sqlite.ts,
//   commit 071bfd97a02d7ac4012d2ad85cd52dc53399e95f
// Licence: MIT, see the repository's LICENSE.md.
// Unchanged below this header.
// Example model schema from the Drizzle docs
// https://orm.drizzle.team/docs/sql-schema-declaration

import { sql } from "drizzle-orm";
import { index, int, sqliteTableCreator, text } from "drizzle-orm/sqlite-core";

/**
 * This is an example of how to use the multi-project schema feature of Drizzle ORM. Use the same
 * database instance for multiple projects.
 *
 * @see https://orm.drizzle.team/docs/goodies#multi-project-schema
 */
export const createTable = sqliteTableCreator((name) => `project1_${name}`);

export const posts = createTable(
  "post",
  {
    id: int("id", { mode: "number" }).primaryKey({ autoIncrement: true }),
    name: text("name", { length: 256 }),
    createdAt: int("created_at", { mode: "timestamp" })
      .default(sql`CURRENT_TIMESTAMP`)
      .notNull(),
    updatedAt: int("updatedAt", { mode: "timestamp" }),
  },
  (example) => ({
    nameIndex: index("name_idx").on(example.name),
  })
);
