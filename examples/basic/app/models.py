"""Models of the nanoka example: users and their posts.

`nanoka generate` (see ../nanoka.toml) imports this module and turns every
model into a table in drizzle/schema.ts. Both declaration styles are shown:
`define_model(...)` and a `Model` subclass.
"""

from nanoka_core import Model, define_model, t

User = define_model("users", {
    "id": t.uuid().primary(),
    "email": t.string().email().unique(),
    "name": t.string(),
    "passwordHash": t.string().server_only(),
    "createdAt": t.timestamp().default_now(),
})


class Post(Model, table="posts"):
    id = t.uuid().primary().read_only()
    userId = t.uuid()
    title = t.string().min(1).max(200)
    body = t.string().optional()
    author = t.belongs_to(lambda: User, foreign_key="userId")
