// The app's own id function, in a module of its own (written for nanoka's tests).
export function newId(): string {
  return crypto.randomUUID().replaceAll('-', '').slice(0, 24)
}
