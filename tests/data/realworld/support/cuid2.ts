// Stand-in for the package @paralleldrive/cuid2 (its createId), so the corpus loads
// with drizzle-orm alone. Written for nanoka's tests.
export function createId(): string {
  return crypto.randomUUID().replace(/-/g, '');
}
