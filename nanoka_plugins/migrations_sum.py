"""The ``migrations-sum`` stage: keep ``nanoka.sum`` beside the migrations, check it before an apply.

After ``drizzle-kit`` (and ``preserve-rows``, which may rewrite a new
migration) it adds each migration this run wrote to the sum; a ``--custom``
one is recorded unsealed. With ``--apply`` it refuses, before wrangler
runs, a folder whose files differ from the sum (``nanoka check`` reports the
same), then seals the unsealed migrations about to be applied. See
``nanoka_core.migrations.checksum``.
"""

from __future__ import annotations

from collections.abc import Callable

from nanoka_core import Context, Stage, hookimpl
from nanoka_core.drizzle.folder import NewMigrations
from nanoka_core.errors import NanokaError


class SumMismatchError(NanokaError):
    """The migrations folder is not what its nanoka.sum says."""


def keep_sum(ctx: Context, new: NewMigrations) -> list[str]:
    from nanoka_core.migrations.checksum import SUM_NAME, record, sum_problems

    folder = new.folder
    if folder is None:
        return []
    written = [f"{tag}.sql" for tag in new.tags()]
    if written:
        fresh = not (folder / SUM_NAME).is_file()
        record(folder, written, unsealed=ctx.options.custom is not None)
        ctx.log.info(f"{'wrote' if fresh else 'added'} {', '.join(written)} to {folder / SUM_NAME}")
    if not ctx.options.apply:
        return written
    problems, _ = sum_problems(folder)
    if problems:
        raise SumMismatchError(
            f"not applying: the migrations in {folder} are not what {SUM_NAME} says "
            "(nanoka check reports the same). Nothing has been applied.\n  " + "\n  ".join(problems)
        )
    return written


@hookimpl
def nanoka_register_stages(register: Callable[[Stage], None]) -> None:
    new = NewMigrations()
    register(
        Stage(
            "migrations-sum",
            run=lambda ctx: keep_sum(ctx, new),
            check=lambda ctx: new.record(ctx.config),
            after=["drizzle-kit", "preserve-rows"],
            before=["data-loss-guard", "wrangler"],
            enabled=lambda ctx: not ctx.options.no_migrate,
            description="record new migrations in nanoka.sum; with --apply refuse edited or unknown ones",
            runs_when="unless --no-migrate (refuses only with --apply)",
        )
    )
