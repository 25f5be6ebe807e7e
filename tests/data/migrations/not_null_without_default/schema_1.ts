import { sqliteTable, text, integer, real, index, uniqueIndex, check } from 'drizzle-orm/sqlite-core'
import { sql } from 'drizzle-orm'

export const things = sqliteTable('things', {
  id: integer('id').primaryKey(),
  name: text('name').notNull(),
  size: text('size').notNull(),
})
