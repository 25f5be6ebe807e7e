"""The commands (`nanoka generate`, `check`, `status`, `init`, ...): the top layer, on click.

Knows every layer below; the layers below must not import it (only the entry points do).
"""


def main() -> None:
    """The ``nanoka`` command: its console script and ``python -m nanoka_core``.

    Start-up builds thousands of objects that live as long as the process
    (click's commands, dataclasses, plugins, the user's models) and almost
    no garbage, so CPython's default threshold (a collection every 700
    allocations) walks them dozens of times for nothing: 3% of a
    ``generate --no-migrate``. A higher threshold, as mypy sets, still
    collects a long ``--watch`` session's cycles.
    """
    import gc

    gc.set_threshold(50_000, 20, 20)
    from nanoka_core.cli.main import main as run

    run()
