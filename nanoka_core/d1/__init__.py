"""wrangler and D1: the wrangler config, and what a D1 says about itself (the migration ledger).

Knows migrations and the layers below; must not import `drizzle`, `pipeline` or `cli`.
"""
