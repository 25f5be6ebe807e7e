// Corpus: drizzle-orm's libSQL example (SQL defaults in seconds).
// Repository: https://github.com/drizzle-team/drizzle-orm
// Path: examples/libsql/src/schema.ts, commit 62f329d45d71acef8d30585a05697fffc1f6cd37
// Licence: Apache-2.0, see the repository's LICENSE.
// Changed: the drizzle-zod import and the four createInsertSchema/createSelectSchema
// lines are left out (drizzle-zod is not a dependency here). Nothing else.
import { sql } from 'drizzle-orm';
import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

export const users = sqliteTable('users', {
	id: integer('id').primaryKey(),
	name: text('name').notNull(),
	email: text('email').notNull(),
	createdAt: integer('created_at', { mode: 'timestamp' }).default(sql`(strftime('%s', 'now'))`),
});

export const posts = sqliteTable('posts', {
	id: integer('id').primaryKey(),
	title: text('title').notNull(),
	body: text('body').notNull(),
	authorId: integer('author_id').notNull().references(() => users.id),
	createdAt: integer('created_at', { mode: 'timestamp' }).default(sql`(strftime('%s', 'now'))`),
	updatedAt: integer('updated_at', { mode: 'timestamp' }).default(sql`(strftime('%s', 'now'))`),
});
