"""The user's own SQL and TypeScript, kept verbatim in the schema.

``sql("(unixepoch())")`` is an SQL expression (a default, an on-update value,
a generated column); ``ts("() => `usr_${createId()}`", imports={"createId":
"@paralleldrive/cuid2"})`` a TypeScript function ($defaultFn, $onUpdateFn).
Their text is the user's code and is written as it is; nanoka only makes sure
that what it builds around it stays valid: SQL goes into a template literal
escaped so that it reads back unchanged, and an import is a plain identifier
from a module specifier that cannot end the string early.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping

from nanoka_core.errors import ModelError

_IDENTIFIER = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*")
_MODULE = re.compile(r"[^'\"\\\n\r\x00`]+")


@dataclasses.dataclass(frozen=True)
class SQLExpression:
    """SQL written into the schema as ``sql`...```."""

    text: str

    def template(self) -> str:
        """``sql`...``` whose template literal reads back exactly ``text``."""
        return "sql`" + template_text(self.text) + "`"


@dataclasses.dataclass(frozen=True)
class TSExpression:
    """A TypeScript function written into the schema as it is, with the imports it needs."""

    source: str
    imports: tuple[tuple[str, str], ...] = ()
    """``(name, module)`` pairs, each imported as ``import { name } from 'module'``."""


def sql(text: str) -> SQLExpression:
    """An SQL expression kept verbatim (a default, an on-update value, a generated column)."""
    if not isinstance(text, str) or not text.strip():
        raise ModelError(f"sql(): takes the SQL text, e.g. sql(\"(unixepoch())\"), got {text!r}")
    if "\x00" in text:
        raise ModelError("sql(): the SQL contains a NUL character, which SQLite cannot hold")
    return SQLExpression(text)


def ts(source: str, imports: Mapping[str, str] | None = None) -> TSExpression:
    """A TypeScript function kept verbatim; ``imports`` maps each name it uses to its module."""
    if not isinstance(source, str) or not source.strip():
        raise ModelError(f"ts(): takes the TypeScript source, e.g. ts(\"() => new Date()\"), got {source!r}")
    pairs = []
    for name, module in (imports or {}).items():
        if not isinstance(name, str) or not _IDENTIFIER.fullmatch(name):
            raise ModelError(f"ts(): import name {name!r} is not a plain identifier")
        if not isinstance(module, str) or not _MODULE.fullmatch(module):
            raise ModelError(f"ts(): module {module!r} for {name!r} is not a module specifier")
        pairs.append((name, module))
    return TSExpression(source, tuple(pairs))


def is_kept(value: object) -> bool:
    """Whether a default or on-update value is the user's own ``sql(...)`` or ``ts(...)``."""
    return isinstance(value, (SQLExpression, TSExpression))


def template_text(text: str) -> str:
    """``text`` escaped so that a TypeScript template literal reads it back unchanged."""
    return text.replace("\\", "\\\\").replace("`", "\\`").replace("${", "\\${")
