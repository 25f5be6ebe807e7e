import { sqliteTable, text, integer } from 'drizzle-orm/sqlite-core'

export const tickets = sqliteTable('tickets', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  title: text('title').notNull(),
})
