"""drizzle-kit: its config, its migrations folder and its consistency, its prompts, the skip cache.

Knows migrations and the layers below; must not import `d1` (wrangler), `pipeline` or `cli`.
"""
