// A small Drizzle SQLite schema written for nanoka's tests (not from a public repository),
// for the constructs of issue 17 the npm corpus lacks: an id made by the app's own function
// imported from a module of the app ($defaultFn), enums without a CHECK (values from an
// `as const` object typed `[string, ...string[]]`, and a literal tuple), $onUpdateFn with app
// code, $onUpdate with SQL, JSON text with $type, numeric, real, blobs (bigint and json modes),
// SQL defaults (CURRENT_TIMESTAMP, strftime), a named unique over two columns and a named
// single-column unique.
import { sql } from 'drizzle-orm'
import { blob, integer, numeric, real, sqliteTable, text, unique } from 'drizzle-orm/sqlite-core'

import { newId } from './support/ids'

export const PLANS = {
  FREE: 'free',
  PRO: 'pro',
} as const

const planValues = Object.values(PLANS) as [string, ...string[]]

export const accountsTable = sqliteTable('account', {
  id: text().primaryKey().$defaultFn(() => `acc_${newId()}`).notNull(),
  plan: text({ enum: planValues }).notNull().default(PLANS.FREE),
  handle: text({ length: 64 }).notNull().unique('account_handle_key'),
  balance: numeric().notNull().default('0'),
  createdAt: integer({ mode: 'timestamp' }).notNull().default(sql`CURRENT_TIMESTAMP`),
  updatedAt: integer({ mode: 'timestamp' }).$onUpdateFn(() => new Date()).notNull(),
  updateCounter: integer().default(0).$onUpdate(() => sql`updateCounter + 1`),
})

export const documentsTable = sqliteTable('document', {
  id: integer('id').primaryKey(),
  accountId: text('account_id').notNull().references(() => accountsTable.id, { onDelete: 'cascade' }),
  slug: text('slug').notNull(),
  status: text('status', { enum: ['draft', 'published'] }).notNull().default('draft'),
  tags: text('tags', { mode: 'json' }).notNull().$type<string[]>(),
  price: numeric('price'),
  score: real('score'),
  counter: blob('counter', { mode: 'bigint' }),
  extra: blob('extra', { mode: 'json' }),
  publishedAt: integer('published_at', { mode: 'timestamp' }).default(sql`(strftime('%s', 'now'))`),
}, (t) => [
  unique('document_account_slug_unique').on(t.accountId, t.slug),
])
