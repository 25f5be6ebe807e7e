import { sqliteTable, text, integer, real, index, uniqueIndex, check } from 'drizzle-orm/sqlite-core'
import { sql } from 'drizzle-orm'

export const things = sqliteTable('things', {
  id: integer('id').primaryKey(),
  name: text('name').notNull(),
  size: text('size'),
  note: text('note'),
  stock: integer('stock').notNull().default(0),
  sku: text('sku').notNull(),
})

export const boxes = sqliteTable('boxes', {
  id: integer('id').primaryKey(),
  thingId: integer('thingId').references(() => things.id, { onDelete: 'cascade' }),
})
