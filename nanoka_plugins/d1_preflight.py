"""The ``d1-preflight`` stage: refuse, before wrangler runs, a pending migration D1 would fail on.

Each migration file is linted (``nanoka_core.migrations.d1_lint``: statements over
D1's size limit, transaction statements, trigger bodies wrangler or D1
split wrongly...). Only when something is found is the database asked
which migrations it has applied (a wrangler call, ~2 s): an error in a
pending one refuses the apply, local and remote alike, unless the file
accepts it with ``-- nanoka: allow CODE``; a warning is logged.
"""

from __future__ import annotations

from collections.abc import Callable

from nanoka_core import Context, Stage, hookimpl
from nanoka_core.errors import NanokaError


class D1PreflightError(NanokaError):
    """A pending migration holds something D1 refuses or mishandles."""


def preflight(ctx: Context) -> list[dict[str, object]]:
    from nanoka_core.d1.ledger import applied_migrations, pending_up_to
    from nanoka_core.d1.wrangler_config import wrangler_database
    from nanoka_core.migrations.checksum import migration_files
    from nanoka_core.migrations.d1_lint import lint_file

    assert ctx.database is not None  # the wrangler stage's check makes sure
    found = wrangler_database(
        ctx.project_dir, ctx.wrangler_config, ctx.wrangler_env, ctx.database, required=False
    )
    if found is None:
        return []  # no wrangler config: a plugin applies in wrangler's place, to something else than D1
    database = found[1]
    folder = database.migrations_dir
    files = migration_files(folder)
    findings = {name: lint_file(folder / name) for name in files}
    if not any(findings.values()):
        return []
    applied = applied_migrations(
        ctx.run_tool,
        ctx.database,
        ctx.options.remote,
        ctx.wrangler_flags,
        database.migrations_table,
        entry=database,
    )
    pending = pending_up_to(files, applied, ctx.options.to)
    reported = [f for name in pending for f in findings[name]]
    for finding in reported:
        if not finding.is_error:
            ctx.log.warning(f"{finding.migration}: {finding.text()}", data=finding.as_json())
    errors = [f for f in reported if f.is_error]
    if errors:
        where = "--remote" if ctx.options.remote else "--local"
        lines = [
            f"refusing to apply {', '.join(sorted({f.migration for f in errors}))} to {ctx.database} "
            f"({where}): D1 would refuse or mishandle it, locally or on Cloudflare. Nothing has been applied."
        ]
        for finding in errors:
            lines.append(f"  {finding.migration}: {finding.text()}")
            lines.append(f"    why: {finding.kind.title}; instead: {finding.kind.safe_way}")
        codes = " ".join(sorted({f.code for f in errors}))
        lines.append(f"If a migration is right as it is, accept it with the line `-- nanoka: allow {codes}`.")
        raise D1PreflightError("\n".join(lines))
    return [f.as_json() for f in reported]


@hookimpl
def nanoka_register_stages(register: Callable[[Stage], None]) -> None:
    register(
        Stage(
            "d1-preflight",
            run=preflight,
            after=["drizzle-kit", "migrations-sum", "data-loss-guard"],
            before=["restore-point", "wrangler"],
            enabled=lambda ctx: ctx.options.apply,
            description="refuse pending migrations D1 refuses or mishandles (size, transactions, triggers)",
            runs_when="with --apply",
        )
    )
