"""The ``preserve-rows`` stage: make drizzle-kit's new table rebuilds keep every row on D1.

Runs right after ``drizzle-kit`` on the migrations that run wrote, and only
on those (a migration already in the folder may already be applied).
``[migrate] preserve-rows = false`` turns it off; see
``nanoka_core.migrations.rewrite`` for what the rewrite does.
"""

from __future__ import annotations

from collections.abc import Callable

from nanoka_core import Context, Stage, hookimpl
from nanoka_core.drizzle.folder import NewMigrations


def rewrite_new_migrations(ctx: Context, new: NewMigrations) -> list[str]:
    written = set(new.tags())
    if new.folder is None or not written:
        return []
    from nanoka_core.files import write_text_atomic
    from nanoka_core.migrations.reader import read_migrations
    from nanoka_core.migrations.rewrite import preserve_rows

    rewritten = []
    for migration in read_migrations(new.folder):
        if migration.tag not in written:
            continue
        text = preserve_rows(migration, migration.path.read_text(encoding="utf-8"))
        if text is None:
            continue
        write_text_atomic(migration.path, text)
        rewritten.append(migration.path.name)
        ctx.log.info(
            f"rewrote {migration.path.name} so that D1 keeps every row outside the rebuilt tables "
            "(see its '-- nanoka:' comments; [migrate] preserve-rows = false turns this off)",
            data={"migration": migration.path.name},
        )
    return rewritten


@hookimpl
def nanoka_register_stages(register: Callable[[Stage], None]) -> None:
    new = NewMigrations()
    register(
        Stage(
            "preserve-rows",
            run=lambda ctx: rewrite_new_migrations(ctx, new),
            check=lambda ctx: new.record(ctx.config),
            after=["drizzle-kit"],
            before=["wrangler"],
            enabled=lambda ctx: not ctx.options.no_migrate and ctx.config.migrate.preserve_rows,
            description="rewrite new table rebuilds so D1 keeps rows that reference them",
            runs_when="unless --no-migrate or preserve-rows = false",
        )
    )
