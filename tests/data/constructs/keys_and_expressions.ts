// A small Drizzle SQLite schema written for nanoka's tests (not from a public repository):
// foreign keys over several columns, with and without their own names and actions, a
// table-level key over one column, a self reference, a reference to a table written later
// (in a cycle, so the third argument needs its return type), and indexes on expressions,
// unique and partial among them.
import { sql } from 'drizzle-orm'
import {
  foreignKey, index, integer, primaryKey, sqliteTable, text, uniqueIndex, type SQLiteTableExtraConfigValue,
} from 'drizzle-orm/sqlite-core'

export const organizations = sqliteTable('organizations', {
  id: integer('id').primaryKey(),
  slug: text('slug').notNull(),
  ownerOrgId: integer('owner_org_id'),
  ownerUserId: integer('owner_user_id'),
}, (t): SQLiteTableExtraConfigValue[] => [
  uniqueIndex('organizations_slug_lower_unique').on(sql`lower(${t.slug})`),
  foreignKey({
    columns: [t.ownerOrgId, t.ownerUserId],
    foreignColumns: [members.orgId, members.userId],
    name: 'organizations_owner_fk',
  }).onDelete('set null'),
])

export const members = sqliteTable('members', {
  orgId: integer('org_id').notNull().references(() => organizations.id, { onDelete: 'cascade' }),
  userId: integer('user_id').notNull(),
  email: text('email').notNull(),
  role: text('role').notNull().default('member'),
}, (t) => [
  primaryKey({ columns: [t.orgId, t.userId] }),
  index('members_email_lower_idx').on(sql`lower(${t.email})`),
  index('members_org_role_idx').on(t.orgId, sql`lower(${t.role})`).where(sql`${t.role} <> 'owner'`),
])

export const postsTable = sqliteTable('posts', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  orgId: integer('org_id').notNull(),
  authorId: integer('author_id').notNull(),
  editorId: integer('editor_id'),
  parentId: integer('parent_id'),
  title: text('title').notNull(),
}, (t) => [
  foreignKey({
    columns: [t.orgId, t.authorId],
    foreignColumns: [members.orgId, members.userId],
    name: 'posts_author_fk',
  }).onDelete('cascade').onUpdate('cascade'),
  foreignKey({ columns: [t.orgId, t.editorId], foreignColumns: [members.orgId, members.userId] }),
  foreignKey({ columns: [t.parentId], foreignColumns: [t.id], name: 'posts_parent_fk' }).onDelete('set null'),
  foreignKey({ columns: [t.orgId], foreignColumns: [organizations.id] }),
  uniqueIndex('posts_org_title_unique').on(t.orgId, sql`lower(trim(${t.title}))`),
])
