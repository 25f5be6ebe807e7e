"""The built-in table-level emitter: a model's indexes, composite key and CHECKs.

Answers ``nanoka_table_constraints`` from what the model declares:
``.index()`` on fields, ``indexes=[index(...)]``, ``primary_key=(...)``, the
CHECK that keeps a ``t.enum()`` column to its values, and ``checks=``.
Registered ``tryfirst`` so that its constraints come before any plugin's.
"""

from __future__ import annotations

import re

from nanoka_core import Constraint, Model, hookimpl
from nanoka_core.errors import ModelError
from nanoka_core.pipeline import Context

# A check expression, token by token: a string literal, a quoted identifier,
# a word, or any one other character.
_SQL_TOKEN = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|[A-Za-z_][A-Za-z0-9_]*|.", re.DOTALL)


@hookimpl(tryfirst=True)
def nanoka_table_constraints(model: type[Model], ctx: Context | None) -> list[Constraint]:
    indexes: list[tuple[str, Constraint]] = []
    checks: list[tuple[str, Constraint]] = []
    for name, field in model.fields.items():
        if field.is_indexed:
            index_name = f"{model.table}_{_sql_name(model, name)}_idx"
            indexes.append(_index(model, index_name, (name,), unique=False))
        if field.enum_values is not None:
            values = ", ".join(sql_string(value) for value in field.enum_values)
            enum_check = f"{model.table}_{_sql_name(model, name)}_enum"
            checks.append(_check(enum_check, f"${{table.{name}}} in ({values})"))
    for declared in model.indexes:
        suffix = "unique" if declared.unique else "idx"
        default_name = "_".join([model.table, *(_sql_name(model, f) for f in declared.fields), suffix])
        indexes.append(_index(model, declared.name or default_name, declared.fields, declared.unique))
    for declared_check in model.checks:
        sql = _check_sql(model, declared_check.name, declared_check.expression)
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


def template_text(text: str) -> str:
    """``text`` escaped so that a TypeScript template literal reads it back unchanged."""
    return text.replace("\\", "\\\\").replace("`", "\\`").replace("${", "\\${")


def _check_sql(model: type[Model], name: str, expression: str) -> str:
    """The check's SQL with every field name (bare or double-quoted) as a column reference.

    The expression lands inside ``CHECK (...)`` of a migration, so it may not
    close that parenthesis early or comment out the rest.
    """
    where = f"model {model.table!r}: check {name!r}"
    columns = {n for n, f in model.fields.items() if not f.is_relation}
    tokens = _SQL_TOKEN.findall(expression)
    bare = "".join(t for t in tokens if len(t) == 1 or t[0] not in "'\"")
    if "'" in bare or '"' in bare:
        raise ModelError(f"{where}: a quote is not closed in {expression!r}")
    if "--" in bare or "/*" in bare or ";" in bare:
        raise ModelError(f"{where}: comments and ';' are not allowed in a check expression: {expression!r}")
    depth = 0
    for token in tokens:
        depth += {"(": 1, ")": -1}.get(token, 0)
        if depth < 0:
            raise ModelError(f"{where}: a ')' closes more than was opened in {expression!r}")
    if depth:
        raise ModelError(f"{where}: a '(' is not closed in {expression!r}")
    out = []
    for token in tokens:
        word = token[1:-1].replace('""', '"') if token[0] == '"' else token
        out.append(f"${{table.{word}}}" if word in columns else template_text(token))
    return "".join(out)
