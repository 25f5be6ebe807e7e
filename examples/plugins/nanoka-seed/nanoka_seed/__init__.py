"""A ``seed`` stage: after the migrations are applied, load seed.sql into D1.

Runs only with ``--apply`` and only when the project has a seed.sql, through
``ctx.run_tool`` so it uses the project's package manager and wrangler.
"""

from __future__ import annotations

from nanoka_core import Stage, hookimpl


def seed(ctx):
    where = "--remote" if ctx.options.remote else "--local"
    # wrangler_flags: --env/--config as chosen for this run, so the seed reaches the same D1.
    args = ["wrangler", "d1", "execute", ctx.database, where, *ctx.wrangler_flags, "--file", "seed.sql"]
    ctx.run_tool(args)


@hookimpl
def nanoka_register_stages(register):
    register(
        Stage(
            "seed",
            run=seed,
            after=["wrangler"],
            enabled=lambda ctx: ctx.options.apply and (ctx.project_dir / "seed.sql").is_file(),
            description="wrangler d1 execute --file seed.sql",
            runs_when="with --apply and a seed.sql",
        )
    )
