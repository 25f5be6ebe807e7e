import { sqliteTable, text, integer, real } from 'drizzle-orm/sqlite-core'

export const users = sqliteTable('users', {
  id: text('id').primaryKey(),
  age: integer('age'),
})

export const posts = sqliteTable('posts', {
  id: text('id').primaryKey(),
  userId: text('userId').notNull().references(() => users.id, { onDelete: 'cascade' }),
  score: integer('score'),
})

export const likes = sqliteTable('likes', {
  id: integer('id').primaryKey(),
  postId: text('postId').notNull().references(() => posts.id, { onDelete: 'cascade' }),
  userId: text('userId').references(() => users.id, { onDelete: 'set null' }),
})
