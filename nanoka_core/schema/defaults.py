"""Which literal defaults each built-in kind takes, and which reach SQL intact.

A literal default travels twice: the Drizzle runtime sends it with every
insert that leaves the column out, and drizzle-kit 0.31.11 writes it into the
migration, which is what rows already in the table get when the column is
added. drizzle-kit quotes a string (doubling its quotes) but writes an object
or array as ``'<JSON>'`` without escaping, so a quote in it ends the literal
(SQL injection); a string, boolean or fractional number on a JSON column it
writes as text, ``1`` or a REAL, not as the JSON the runtime stores; a NUL
ends SQLite's reading of the statement. Each kind therefore accepts what its
Drizzle column type accepts (``tsc --strict``), JSON defaults that drizzle-kit
would get wrong are written as SQL literals (see ``needs_sql_literal``), and
what cannot be written safely is refused here, naming the field.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nanoka_core.errors import ModelError
from nanoka_core.schema.expressions import is_kept
from nanoka_core.schema.fields import NO_DEFAULT, Field


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return _is_int(value) or isinstance(value, float)


# kind -> (what the Drizzle column type takes, as said in messages; the test)
ACCEPTED: dict[str, tuple[str, Callable[[Any], bool]]] = {
    "string": ("a str", lambda v: isinstance(v, str)),
    "uuid": ("a str", lambda v: isinstance(v, str)),
    "number": ("an int or a float (not a bool)", _is_number),
    "integer": ("an int (not a bool)", _is_int),
    "boolean": ("True or False", lambda v: isinstance(v, bool)),
    "json": ("any JSON value", lambda v: True),
    "numeric": ("a str (Drizzle's numeric() is a string)", lambda v: isinstance(v, str)),
}


def check_default(field: Field, where: str) -> None:
    """Refuse a literal default the column cannot take or drizzle-kit cannot write.

    Callables pass: they are not written into the schema. Kinds from plugins
    are checked only for what would break the SQL.
    """
    kind, value = field.kind, field.default_value
    if value is NO_DEFAULT or callable(value) or is_kept(value):
        return
    if value is None and not field.is_optional:
        raise ModelError(
            f"{where}: default None on a field that is not .optional(): Drizzle inserts SQL NULL "
            "for it, which the NOT NULL column refuses; make the field .optional() (NULL is then "
            "the default already) or choose another default"
        )
    shown = f"{value!r} (type {type(value).__name__})"
    if kind == "timestamp":
        raise ModelError(
            f"{where}: t.timestamp() takes no literal default, got {shown}: Drizzle's timestamp_ms "
            "column takes a Date, which drizzle-kit writes into SQL as a quoted text, not as the "
            "milliseconds the column holds; use .default_now() for the insert time, or a callable "
            "and .$defaultFn(...) in TypeScript"
        )
    if kind in ACCEPTED:
        accepted, test = ACCEPTED[kind]
        if not test(value):
            hint = " (an .optional() field is NULL when no value is given)" if value is None else ""
            raise ModelError(
                f"{where}: default {shown} does not fit t.{kind}(), which takes {accepted}{hint}"
            )
    if kind != "json":  # JSON text escapes what is checked below; needs_sql_literal covers the rest
        _check_sql_safe(value, where)


def _check_sql_safe(value: Any, where: str) -> None:
    if isinstance(value, str):
        if "\x00" in value:
            raise ModelError(
                f"{where}: default {value!r} contains a NUL character, which ends SQLite's reading "
                "of a SQL string, so the migration could never apply; remove it"
            )
        if any(0xD800 <= ord(ch) <= 0xDFFF for ch in value):
            raise ModelError(
                f"{where}: default {value!r} contains a lone surrogate, which UTF-8 cannot hold; "
                "drizzle-kit would write U+FFFD instead: remove it"
            )
    elif isinstance(value, (list, tuple, dict)) and has_single_quote(value):
        raise ModelError(
            f"{where}: default {value!r} contains a single quote, and drizzle-kit writes an object "
            "or array default into SQL between single quotes without escaping it (the SQL would "
            "break or run the rest as statements); remove the quote"
        )


def has_single_quote(value: Any) -> bool:
    """Whether the JSON text of ``value`` has a ``'`` (JSON never escapes one, nor adds one)."""
    if isinstance(value, str):
        return "'" in value
    if isinstance(value, (list, tuple)):
        return any(has_single_quote(v) for v in value)
    if isinstance(value, dict):
        return any(has_single_quote(k) or has_single_quote(v) for k, v in value.items())
    return False


def needs_sql_literal(kind: str, value: Any) -> bool:
    """Whether drizzle-kit would write this JSON default into SQL wrongly.

    It writes ``null`` and objects/arrays as ``'<JSON>'`` (right unless the
    JSON holds a quote) and an integer as a number, which SQLite's text
    column stores as its JSON text; anything else (a string, a boolean, a
    float) it writes as something other than the JSON the runtime stores.
    """
    if kind != "json" or value is NO_DEFAULT or callable(value) or is_kept(value):
        return False
    if value is None or _is_int(value):
        return False
    return not isinstance(value, (list, tuple, dict)) or has_single_quote(value)
