"""The built-in table-level emitter: a model's indexes, composite key and CHECKs.

Answers ``nanoka_table_constraints`` from what the model declares:
``.index()`` on fields, ``indexes=[index(...)]``, ``primary_key=(...)``, the
CHECK that keeps a ``t.enum()`` column to its values, and ``checks=``.
Registered ``tryfirst`` so that its constraints come before any plugin's.
"""

from __future__ import annotations

from nanoka_core import Constraint, Context, Model, hookimpl
from nanoka_core.errors import ModelError
from nanoka_core.schema.constraints import sql_tokens
from nanoka_core.schema.expressions import template_text


@hookimpl(tryfirst=True)
def nanoka_table_constraints(model: type[Model], ctx: Context | None) -> list[Constraint]:
    indexes: list[tuple[str, Constraint]] = []
    checks: list[tuple[str, Constraint]] = []
    for name, field in model.fields.items():
        if field.is_indexed:
            index_name = f"{model.table}_{_sql_name(model, name)}_idx"
            indexes.append(_index(model, index_name, (name,), unique=False))
        if field.enum_values is not None and field.enum_check:
            values = ", ".join(sql_string(value) for value in field.enum_values)
            enum_check = f"{model.table}_{_sql_name(model, name)}_enum"
            checks.append(_check(enum_check, f"${{table.{name}}} in ({values})"))
    for declared in model.indexes:
        suffix = "unique" if declared.unique else "idx"
        default_name = "_".join([model.table, *(_sql_name(model, f) for f in declared.fields), suffix])
        name = declared.name or default_name
        if declared.constraint:
            columns = ", ".join(f"table.{field}" for field in declared.fields)
            indexes.append((name, Constraint(f"unique('{name}').on({columns})", {"unique"})))
            continue
        name, constraint = _index(model, name, declared.fields, declared.unique)
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


def _index(model: type[Model], name: str, fields: tuple[str, ...], unique: bool) -> tuple[str, Constraint]:
    constructor = "uniqueIndex" if unique else "index"
    columns = ", ".join(f"table.{field}" for field in fields)
    return name, Constraint(f"{constructor}('{name}').on({columns})", {constructor})


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
