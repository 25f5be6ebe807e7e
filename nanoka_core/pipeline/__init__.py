"""The pipeline: `Stage`, `Options`, `Context`, the plugin manager, the hook specifications, the runner.

Knows the tools (drizzle, d1), migrations, rendering and the DSL below it; must not import `cli`.
"""
