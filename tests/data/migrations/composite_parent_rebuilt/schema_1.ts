import { sqliteTable, text, integer, real, primaryKey, foreignKey } from 'drizzle-orm/sqlite-core'

export const members = sqliteTable('members', {
  orgId: integer('orgId').notNull(),
  userId: integer('userId').notNull(),
  score: real('score'),
}, (t) => [primaryKey({ columns: [t.orgId, t.userId] })])

export const posts = sqliteTable('posts', {
  id: integer('id').primaryKey(),
  orgId: integer('orgId').notNull(),
  authorId: integer('authorId').notNull(),
  title: text('title').notNull(),
}, (t) => [
  foreignKey({ columns: [t.orgId, t.authorId], foreignColumns: [members.orgId, members.userId], name: 'posts_author_fk' })
    .onDelete('cascade'),
])
