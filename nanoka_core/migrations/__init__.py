"""Migrations as SQL: reading them (sqlglot), judging their risks, rewriting rebuilds, the rename plan.

Knows rendering and the DSL below; must not run tools or import `drizzle`, `d1`, `pipeline` or `cli`.
"""
