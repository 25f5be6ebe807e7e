"""Your models: each one becomes a table in drizzle/schema.ts.

Run `nanoka generate --apply` after changing them: nanoka writes the schema,
drizzle-kit writes the SQL migration, wrangler applies it to the local D1.
Field types and modifiers: see the nanoka README ("Model reference").
"""

from nanoka_core import define_model, t

User = define_model("users", {
    "id": t.uuid().primary(),
    "email": t.string().email().unique(),
    "name": t.string(),
    "createdAt": t.timestamp().default_now(),
})
