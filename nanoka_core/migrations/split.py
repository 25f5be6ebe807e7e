"""A migration file cut into statements exactly as wrangler 4 cuts it.

``wrangler d1 migrations apply`` does not look at drizzle-kit's
``--> statement-breakpoint`` markers: it splits the file on ``;`` outside
quotes, comments and ``BEGIN ... END`` / ``CASE ... END`` blocks
(``src/d1/splitter.ts``) and sends the pieces to D1 as one batch, which D1
runs as one transaction. With its line-for-line port
(``d1_lint.wrangler_split``), wrangler's transaction trimming and the ledger
row ``migrations apply`` appends, nanoka reads and rehearses the statements
D1 will run, not the ones a breakpoint suggests.
(On ``--remote`` D1 cuts the file itself, server-side; ``d1_lint`` reports
where the two readings differ.)
"""

from __future__ import annotations


class SplitError(ValueError):
    """wrangler refuses the file before sending anything (several transactions)."""


def split_like_wrangler(sql: str) -> list[str]:
    """The statements wrangler sends to D1 for ``sql`` on a local apply, comments removed."""
    from nanoka_core.migrations.d1_lint import wrangler_split

    trimmed = _trim_transaction(sql)
    return wrangler_split(trimmed) or [trimmed]


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
