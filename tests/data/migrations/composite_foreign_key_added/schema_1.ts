import { sqliteTable, text, integer, primaryKey, foreignKey, uniqueIndex } from 'drizzle-orm/sqlite-core'
import { sql } from 'drizzle-orm'

export const members = sqliteTable('members', {
  orgId: integer('orgId').notNull(),
  userId: integer('userId').notNull(),
  email: text('email').notNull(),
}, (t) => [
  primaryKey({ columns: [t.orgId, t.userId] }),
  uniqueIndex('members_email_lower_unique').on(sql`lower(${t.email})`),
])

export const posts = sqliteTable('posts', {
  id: integer('id').primaryKey(),
  orgId: integer('orgId').notNull(),
  authorId: integer('authorId').notNull(),
}, (t) => [
  foreignKey({ columns: [t.orgId, t.authorId], foreignColumns: [members.orgId, members.userId], name: 'posts_author_fk' })
    .onDelete('cascade'),
])
