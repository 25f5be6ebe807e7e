"""``python -m nanoka_core``: the ``nanoka`` command, for when its script is not on PATH."""

from nanoka_core.cli import main

main()
