// drizzle-kit config, read by `nanoka generate`.
// nanoka writes ./drizzle/schema.ts from the Python models; drizzle-kit diffs
// it against the last snapshot in ./drizzle/migrations and writes the next SQL
// migration, which `wrangler d1 migrations apply` runs (see wrangler.jsonc).
import { defineConfig } from 'drizzle-kit'

export default defineConfig({
  dialect: 'sqlite',
  driver: 'd1-http',
  schema: './drizzle/schema.ts',
  out: './drizzle/migrations',
  // Only used by commands that talk to Cloudflare (push, studio, ...).
  // `generate` works offline, hence the empty-string fallbacks.
  dbCredentials: {
    accountId: process.env.CLOUDFLARE_ACCOUNT_ID ?? '',
    databaseId: process.env.CLOUDFLARE_DATABASE_ID ?? '',
    token: process.env.CLOUDFLARE_D1_TOKEN ?? '',
  },
})
