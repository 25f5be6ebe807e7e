// TypeScript enums of the app, in a module of their own (written for nanoka's tests).
export enum TicketStatus {
  Open = 'open',
  Closed = 'closed',
}

export enum Priority {
  Low = 'low',
  Medium = 'medium',
  High = 'high',
}
