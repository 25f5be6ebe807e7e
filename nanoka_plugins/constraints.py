"""The built-in table-level emitter: a model's indexes, composite key and CHECKs.

Answers ``nanoka_table_constraints`` from what the model declares:
``.index()`` on fields, ``indexes=[index(...)]`` (on columns or ``sql(...)``
expressions), ``primary_key=(...)``, the
CHECK that keeps a ``t.enum()`` column to its values, and ``checks=``.
Registered ``tryfirst`` so that its constraints come before any plugin's.
"""

from __future__ import annotations

from nanoka_core import Constraint, Context, Model, hookimpl
from nanoka_core.errors import ModelError
from nanoka_core.schema.constraints import sql_tokens
from nanoka_core.schema.expressions import SQLExpression, template_text
from nanoka_core.schema.models import index_names


@hookimpl(tryfirst=True)
def nanoka_table_constraints(model: type[Model], ctx: Context | None) -> list[Constraint]:
    named = index_names(model)  # the field-level indexes, then the declared ones, in order
    split = len(named) - len(model.indexes)
    field_level, declared_names = named[:split], named[split:]
    indexes = [_index(model, name, fields, unique) for name, fields, unique in field_level]
    checks: list[tuple[str, Constraint]] = []
    for name, field in model.fields.items():
        if field.enum_values is not None and field.enum_check:
            values = ", ".join(sql_string(value) for value in field.enum_values)
            enum_check = f"{model.table}_{_sql_name(model, name)}_enum"
            checks.append(_check(enum_check, f"${{table.{name}}} in ({values})"))
    for (name, fields, unique), declared in zip(declared_names, model.indexes, strict=True):
        if declared.constraint:
            columns = ", ".join(f"table.{field}" for field in fields)
            indexes.append((name, Constraint(f"unique('{name}').on({columns})", {"unique"})))
            continue
        name, constraint = _index(model, name, fields, unique)
        if declared.where is not None:
            where = _check_sql(model, declared.where)
            constraint = Constraint(f"{constraint.expr}.where(sql`{where}`)", {*constraint.imports, "sql"})
        indexes.append((name, constraint))
    for declared_check in model.checks:
        sql = _check_sql(model, declared_check.expression)
        checks.append(_check(f"{model.table}_{declared_check.name}", sql))
    _check_unique_names(model, [name for name, _ in indexes + checks])
    found = [constraint for _, constraint in indexes]
    if model.primary_key is not None:
        columns = ", ".join(f"table.{name}" for name in model.primary_key)
        found.append(Constraint(f"primaryKey({{ columns: [{columns}] }})", {"primaryKey"}))
    return found + [constraint for _, constraint in checks]


def _check_unique_names(model: type[Model], names: list[str]) -> None:
    """Two constraints of one name would make drizzle-kit fail later, and less clearly."""
    seen: set[str] = set()
    for name in names:
        if name.lower() in seen:
            raise ModelError(
                f"model {model.table!r}: two indexes or checks are named {name!r}; "
                "give one of them another name (index(..., name=...) or another checks= key)"
            )
        seen.add(name.lower())


def _sql_name(model: type[Model], name: str) -> str:
    return model.fields[name].column_name or name


def _index(
    model: type[Model], name: str, fields: tuple[str | SQLExpression, ...], unique: bool
) -> tuple[str, Constraint]:
    """``index('name').on(table.a, sql`lower(${table.b})`)``: an expression's field names are columns."""
    constructor = "uniqueIndex" if unique else "index"
    parts = [
        f"sql`{_check_sql(model, field.text)}`" if isinstance(field, SQLExpression) else f"table.{field}"
        for field in fields
    ]
    imports = {constructor, "sql"} if len(parts) > sum(isinstance(f, str) for f in fields) else {constructor}
    return name, Constraint(f"{constructor}('{name}').on({', '.join(parts)})", imports)


def _check(name: str, template: str) -> tuple[str, Constraint]:
    return name, Constraint(f"check('{name}', sql`{template}`)", {"check", "sql"})


def sql_string(value: str) -> str:
    """``value`` as an SQL string literal inside a TypeScript template literal."""
    return template_text("'" + value.replace("'", "''") + "'")




def _check_sql(model: type[Model], expression: str) -> str:
    """The check's SQL with every field name (bare or double-quoted) as a column reference."""
    columns = {n for n, f in model.fields.items() if not f.is_relation}
    out = []
    for token in sql_tokens(expression):
        word = token[1:-1].replace('""', '"') if token[0] == '"' else token
        out.append(f"${{table.{word}}}" if word in columns else template_text(token))
    return "".join(out)
