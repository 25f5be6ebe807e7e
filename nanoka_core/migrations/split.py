"""A migration file cut into statements exactly as wrangler 4 cuts it.

``wrangler d1 migrations apply`` does not look at drizzle-kit's
``--> statement-breakpoint`` markers: it splits the file on ``;`` outside
quotes, comments and ``BEGIN ... END`` / ``CASE ... END`` blocks
(``src/d1/splitter.ts``) and sends the pieces to D1 as one batch, which D1
runs as one transaction. This is a line-for-line port, so nanoka reads and
rehearses the statements D1 will run, not the ones a breakpoint suggests.
"""

from __future__ import annotations

import re

_COMPOUND_START = re.compile(r"\s(BEGIN|CASE)\s$", re.IGNORECASE)
_COMPOUND_END = re.compile(r"\sEND[;\s]$")  # case-sensitive, as in wrangler


class SplitError(ValueError):
    """wrangler refuses the file before sending anything (several transactions)."""


def split_like_wrangler(sql: str) -> list[str]:
    """The statements wrangler sends to D1 for ``sql``, comments removed."""
    trimmed = _trim_transaction(sql)
    if not _may_contain_multiple_statements(trimmed):
        return [trimmed]
    return _split(trimmed) or [trimmed]


def migration_batch(text: str, name: str, migrations_table: str) -> list[str]:
    """What ``wrangler d1 migrations apply`` runs for one migration file: the file plus its ledger row."""
    indent = "\t" * 8
    query = f"{text}\n{indent}INSERT INTO {migrations_table} (name)\n{indent}values ('{name}');\n\t\t\t\t\t\t"
    return split_like_wrangler(query)


def _trim_transaction(sql: str) -> str:
    if "BEGIN TRANSACTION" not in sql:
        return sql
    trimmed = sql.replace("BEGIN TRANSACTION;", "", 1).replace("COMMIT;", "", 1)
    if "BEGIN TRANSACTION" in trimmed:
        raise SplitError(
            "wrangler refuses a migration with several transactions (D1 runs each migration in one)"
        )
    return trimmed


def _may_contain_multiple_statements(sql: str) -> bool:
    trimmed = sql.rstrip()
    index = trimmed.find(";")
    return index not in (-1, len(trimmed) - 1)


def _split(sql: str) -> list[str]:
    statements: list[str] = []
    current = ""
    compound_depth = 0
    i, n = 0, len(sql)
    while i < n:
        char = sql[i]
        if compound_depth and _COMPOUND_END.search(current + char):
            compound_depth -= 1
        if char in "'\"`":
            consumed, i = _until(sql, i + 1, char)
            current += char + consumed
        elif char == "$":
            identifier, i = _dollar_identifier(sql, i + 1)
            quote = "$" + identifier
            current += quote
            if quote.endswith("$"):
                consumed, i = _until(sql, i, quote)
                current += consumed
        elif char == "-":
            if i + 1 < n and sql[i + 1] == "-":
                _, i = _until(sql, i + 2, "\n")
                current += "\n"
            else:
                current += char
                i += 1
                continue  # wrangler re-reads the peeked character without the compound check
        elif char == "/":
            if i + 1 < n and sql[i + 1] == "*":
                _, i = _until(sql, i + 2, "*/")
            else:
                current += char
                i += 1
                continue
        elif char == ";":
            if compound_depth == 0:
                statements.append(current)
                current = ""
            else:
                current += char
            i += 1
        else:
            current += char
            i += 1
        if _COMPOUND_START.search(current):
            compound_depth += 1
    statements.append(current)
    return [s.strip() for s in statements if s.strip()]


def _until(sql: str, start: int, marker: str) -> tuple[str, int]:
    """Characters from ``start`` up to and including ``marker`` (or the end), and the index after."""
    end = sql.find(marker, start)
    stop = len(sql) if end == -1 else end + len(marker)
    return sql[start:stop], stop


def _dollar_identifier(sql: str, start: int) -> tuple[str, int]:
    """wrangler's ``consumeWhile(isDollarQuoteIdentifier)``: the first failing character is kept too."""
    i = start
    while i < len(sql):
        char = sql[i]
        i += 1
        if not (char != "$" and (char.isdigit() or char == "_" or char.lower() != char.upper())):
            break
    return sql[start:i], i
