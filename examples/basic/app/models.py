"""Models of the nanoka example: users and their posts.

`nanoka generate` (see ../nanoka.toml) imports this module and turns every
model into a table in drizzle/schema.ts. Both declaration styles are shown:
`define_model(...)` and a `Model` subclass, with an index, a foreign key, an
enum and typed JSON.
"""

from enum import Enum
from typing import TypedDict

from nanoka_core import Model, define_model, index, t


class Status(str, Enum):
    DRAFT = "draft"
    PUBLISHED = "published"


class PostMeta(TypedDict):
    tags: list[str]
    pinned: bool


User = define_model("users", {
    "id": t.uuid().primary(),
    "email": t.string().email().unique(),
    "name": t.string(),
    "passwordHash": t.string().server_only(),
    "createdAt": t.timestamp().default_now(),
})


class Post(Model, table="posts", indexes=[index("userId", "status")]):
    id = t.uuid().primary().read_only()
    userId = t.uuid()
    title = t.string().min(1).max(200)
    body = t.string().optional()
    status = t.enum(Status).default(Status.DRAFT)
    meta = t.json(PostMeta).optional()
    author = t.belongs_to(lambda: User, foreign_key="userId", on_delete="cascade")
