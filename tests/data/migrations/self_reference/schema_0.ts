import { sqliteTable, text, integer, real, index, uniqueIndex, check } from 'drizzle-orm/sqlite-core'
import { sql } from 'drizzle-orm'

export const categories = sqliteTable('categories', {
  id: integer('id').primaryKey(),
  parentId: integer('parentId').references((): any => categories.id, { onDelete: 'cascade' }),
  name: text('name').notNull(),
})
