"""Rendering the Drizzle schema text, and the `Column`/`Constraint` values emitter hooks exchange.

Knows only the DSL (`schema`) and the ground floor; must not import `migrations` or anything above.
"""
