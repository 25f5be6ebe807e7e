// Used by make_corpus.py: one scenario's schema.ts into its migrations folder.
import { defineConfig } from 'drizzle-kit'

export default defineConfig({
  dialect: 'sqlite',
  schema: './schema.ts',
  out: './migrations',
})
