"""Applying only the migrations up to one (``generate --apply --to NAME``).

wrangler has no such flag: ``d1 migrations apply`` runs every file of the
database's ``migrations_dir`` that its ledger lacks. So nanoka gives wrangler
a ``migrations_dir`` holding copies of the wanted files only, through a copy
of the wrangler config written next to the original (so that every relative
path in it, and the local D1's ``.wrangler/state``, resolve as before). The
user's migrations folder and config are never touched; both copies are
removed when wrangler is done.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

from nanoka_core.d1.wrangler_config import D1Database, read_wrangler_config
from nanoka_core.errors import ConfigError

PARTIAL_CONFIG_PREFIX = ".nanoka-apply-to-"


@contextlib.contextmanager
def config_applying_only(
    config_path: Path, env: str | None, database: D1Database, folder: Path, names: Sequence[str]
) -> Iterator[Path]:
    """A wrangler config like ``config_path`` whose ``database`` applies only ``names`` from ``folder``."""
    data = read_wrangler_config(config_path)
    envs = data.get("env")
    section = envs[env] if env is not None and isinstance(envs, dict) and env in envs else data
    wanted = (database.binding, database.database_name)
    entries = [
        e for e in section.get("d1_databases", []) if (e.get("binding"), e.get("database_name")) == wanted
    ]
    if len(entries) != 1:
        name = database.database_name or database.binding
        raise ConfigError(f"{config_path}: cannot tell which d1_databases entry is {name!r}")
    staging = Path(tempfile.mkdtemp(prefix="nanoka-apply-to-"))
    partial = config_path.parent / f"{PARTIAL_CONFIG_PREFIX}{os.getpid()}.json"
    try:
        for name in names:
            shutil.copy2(folder / name, staging / name)
        entries[0]["migrations_dir"] = str(staging)
        partial.write_text(json.dumps(data, indent=2), encoding="utf-8")
        yield partial
    finally:
        partial.unlink(missing_ok=True)
        shutil.rmtree(staging, ignore_errors=True)
