import { sqliteTable, text, integer, real, index, uniqueIndex, check } from 'drizzle-orm/sqlite-core'
import { sql } from 'drizzle-orm'

export const users = sqliteTable('users', {
  id: text('id').primaryKey(),
  email: text('email').notNull(),
  age: integer('age'),
})

export const posts = sqliteTable('posts', {
  id: text('id').primaryKey(),
  userId: text('userId').notNull().references(() => users.id, { onDelete: 'cascade' }),
  title: text('title').notNull(),
})

export const postTags = sqliteTable('post_tags', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  postId: text('postId').notNull().references(() => posts.id, { onDelete: 'cascade' }),
  tag: text('tag').notNull(),
})

export const comments = sqliteTable('comments', {
  id: integer('id').primaryKey(),
  userId: text('userId').references(() => users.id, { onDelete: 'set null' }),
  body: text('body').notNull(),
})

export const logins = sqliteTable('logins', {
  id: integer('id').primaryKey(),
  userId: text('userId').notNull().references(() => users.id),
  at: integer('at').notNull(),
})
