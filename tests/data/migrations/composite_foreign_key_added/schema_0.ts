import { sqliteTable, text, integer, primaryKey } from 'drizzle-orm/sqlite-core'

export const members = sqliteTable('members', {
  orgId: integer('orgId').notNull(),
  userId: integer('userId').notNull(),
  email: text('email').notNull(),
}, (t) => [primaryKey({ columns: [t.orgId, t.userId] })])

export const posts = sqliteTable('posts', {
  id: integer('id').primaryKey(),
  orgId: integer('orgId').notNull(),
  authorId: integer('authorId').notNull(),
})
