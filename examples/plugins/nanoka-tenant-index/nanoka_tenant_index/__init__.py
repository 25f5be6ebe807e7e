"""Index every table that has a ``tenantId`` column on it.

A table-level constraint added to every model without touching one: the
built-in constraints come first, this plugin's after them.
"""

from __future__ import annotations

from nanoka_core import Constraint, hookimpl


@hookimpl
def nanoka_table_constraints(model, ctx):
    if "tenantId" not in model.fields:
        return []
    return [Constraint(f"index('{model.table}_tenant_idx').on(table.tenantId)", imports={"index"})]
