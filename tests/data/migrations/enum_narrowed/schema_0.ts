import { sqliteTable, text, integer, check } from 'drizzle-orm/sqlite-core'
import { sql } from 'drizzle-orm'

export const things = sqliteTable('things', {
  id: integer('id').primaryKey(),
  size: text('size', { enum: ['s', 'm', 'l'] }).notNull(),
}, (table) => [check('things_size_enum', sql`${table.size} in ('s', 'm', 'l')`)])
