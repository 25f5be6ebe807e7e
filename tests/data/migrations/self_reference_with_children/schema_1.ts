import { sqliteTable, text, integer } from 'drizzle-orm/sqlite-core'

export const categories = sqliteTable('categories', {
  id: integer('id').primaryKey(),
  parentId: integer('parentId').references((): any => categories.id, { onDelete: 'cascade' }),
  name: text('name').notNull().default('unnamed'),
})

export const products = sqliteTable('products', {
  id: integer('id').primaryKey(),
  categoryId: integer('categoryId').notNull().references(() => categories.id, { onDelete: 'cascade' }),
  title: text('title').notNull(),
})
