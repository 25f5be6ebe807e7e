"""Which table and field names may be written into the generated TypeScript.

Names land in code that drizzle-kit executes: a table name becomes
``export const <name>`` and a string literal, a field name becomes an object
key and a string literal. A name is accepted only when it survives all of
that exactly as written; anything else is rejected, never escaped or renamed.
"""

from __future__ import annotations

import re
from typing import Any

from nanoka_core.errors import ModelError

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")

# Words a `const` may not be named in an ES module, plus globals that would be
# shadowed confusingly.
JS_RESERVED = frozenset(
    """
    await break case catch class const continue debugger default delete do else enum
    export extends false finally for function if implements import in instanceof
    interface let new null package private protected public return static super switch
    this throw true try typeof var void while with yield arguments eval undefined NaN
    Infinity globalThis
    """.split()
)

# Object-literal keys that do not make an ordinary property.
SPECIAL_KEYS = frozenset({"__proto__"})


def check_table_name(table: str, written: str | None = None) -> None:
    """Reject a table name that cannot be a TypeScript const and a SQLite table
    (``written``: the model's name as written, when the config's table-prefix made ``table``)."""
    named = f"table name {table!r}"
    if written is not None and written != table:
        named += f" (model {written!r} under the config's table-prefix)"
    _check_identifier(table, named)
    if table in JS_RESERVED:
        raise ModelError(
            f"{named} is a reserved word in TypeScript and cannot name "
            "the exported const; choose another table name"
        )
    if table.lower().startswith("sqlite_"):
        raise ModelError(f"{named}: names starting with 'sqlite_' are reserved by SQLite")
    if table.lower().startswith("_cf_"):
        # workerd refuses these (SQLITE_AUTH) and warns on every other spelling of the prefix.
        raise ModelError(
            f"{named}: names starting with '_cf_' (in any case) are reserved by "
            "Cloudflare D1 for its own tables; choose another table name"
        )
    if table.lower() == "d1_migrations":
        raise ModelError(
            f"{named} is the table in which wrangler records applied migrations "
            "on D1; choose another table name"
        )


def plain_name(name: Any) -> Any:
    """A ``str`` subclass (an ``Enum`` member...) as the plain ``str`` it holds.

    Names are validated by value but written with f-strings, which use the
    subclass's ``format()``: ``Tables.USERS`` would be written instead of
    ``users``. Anything that is not a ``str`` is returned as it is, for the
    checks to report.
    """
    return str.__str__(name) if isinstance(name, str) else name


def check_field_name(table: str, field: str) -> None:
    """Reject a field name that cannot be an object key and a SQLite column."""
    if type(field) is str and field in _ACCEPTED_FIELD_NAMES:  # the same names recur in every model
        return
    _check_identifier(field, f"field {field!r} of model {table!r}")
    if field in SPECIAL_KEYS:
        raise ModelError(
            f"field {field!r} of model {table!r} has a special meaning as an object key "
            "in TypeScript; rename it"
        )
    if type(field) is str:
        _ACCEPTED_FIELD_NAMES.add(field)


_ACCEPTED_FIELD_NAMES: set[str] = set()


def check_previous_name(name: object, where: str) -> None:
    """A ``renamed_from`` name: a column or table name as nanoka would have written it."""
    _check_identifier(name, f"{where}: the old name")


def _check_identifier(name: object, what: str) -> None:
    if not isinstance(name, str) or not _IDENTIFIER.match(name):
        raise ModelError(
            f"{what} is not a plain identifier (letters, digits and _, not starting "
            "with a digit); nanoka writes names into TypeScript as they are, so rename it"
        )


def check_column_name(column: object) -> None:
    """Reject a ``.column()`` name that cannot be a string literal and a SQLite column."""
    _check_identifier(column, f".column({column!r}): the name")


def check_constraint_name(name: object) -> None:
    """Reject an index or CHECK name that cannot be a string literal and an SQLite name."""
    _check_identifier(name, f"constraint name {name!r}")


def check_export_name(name: object, where: str) -> None:
    """An ``export_name``: the ``export const`` the table is written as."""
    _check_identifier(name, where)
    if name in JS_RESERVED:
        raise ModelError(f"{where} is a reserved word in TypeScript and cannot name an exported const")
