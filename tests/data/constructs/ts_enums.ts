// A small Drizzle SQLite schema written for nanoka's tests (not from a public repository):
// text enums whose values come from TypeScript enums declared in a module of the app (so
// `$inferSelect` says `TicketStatus`, not `"open" | "closed"`): every member, some members,
// the values of the enum object, and an enum reached through a namespace import; and values
// from an `as const` object, whose type is the union of its literals.
import { sqliteTable, integer, text } from 'drizzle-orm/sqlite-core'

import * as statuses from './support/status'
import { Priority, TicketStatus as Status } from './support/status'

export const ROLES = {
  ADMIN: 'admin',
  MEMBER: 'member',
} as const

export const tickets = sqliteTable('tickets', {
  id: integer('id').primaryKey(),
  status: text('status', { enum: [Status.Open, Status.Closed] }).notNull().default(Status.Open),
  priority: text('priority', { enum: Object.values(Priority) as [Priority, ...Priority[]] }),
  urgent: text('urgent', { enum: [statuses.Priority.Medium, statuses.Priority.High] }),
  role: text('role', { enum: [ROLES.ADMIN, ROLES.MEMBER] }).notNull(),
})
