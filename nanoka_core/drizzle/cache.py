"""Skip drizzle-kit when its answer is known: a fingerprint of all it reads.

After a drizzle-kit run that succeeded, nanoka records a hash of every input
drizzle-kit reads: the drizzle config, the schema file, every file of the
migrations folder (``meta/`` included), the installed drizzle-kit and
drizzle-orm, and nanoka's own version. When the next run computes the same
fingerprint, drizzle-kit would only say "No schema changes", so the stage
skips it. The config is read as drizzle-kit reads it (evaluated by Node,
``nanoka_core/drizzle_config.py``), so the fingerprint also covers the local
files it imports and the environment variables it reads. Any doubt (a config
Node cannot read, a schema glob, no installed drizzle-kit, an unreadable or
hand-edited cache) means no fingerprint, and drizzle-kit runs.

The cache lives in ``.nanoka_cache/`` next to the config file, with its own
``.gitignore``, as ``.pytest_cache`` and ``.ruff_cache`` do.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nanoka_core.files import write_text_atomic
from nanoka_core.migrations.checksum import SUM_NAME
from nanoka_core.version import __version__

if TYPE_CHECKING:
    from nanoka_core.drizzle.config import DrizzleSettings

CACHE_DIR = ".nanoka_cache"
_RECORD = "drizzle-kit.json"
_FORMAT = 1
_PACKAGES = ("drizzle-kit", "drizzle-orm")


def fingerprint(
    project_dir: Path, drizzle_config: Path, schema: Path, command: Sequence[str]
) -> dict[str, str] | None:
    """A hash of each thing ``drizzle-kit generate`` reads, by name; None when unsure.

    :param project_dir: where drizzle-kit runs.
    :param drizzle_config: the config drizzle-kit is given.
    :param schema: the file nanoka wrote (also hashed when the config names another).
    :param command: drizzle-kit's arguments.
    """
    from nanoka_core.drizzle.config import read_drizzle_config
    from nanoka_core.errors import ConfigError

    if drizzle_config.parent != project_dir:
        return None  # drizzle-kit resolves the config's paths against its working folder
    try:
        return _fingerprint(read_drizzle_config(drizzle_config, project_dir), schema, command)
    except (OSError, ConfigError):
        return None  # a config Node cannot read: drizzle-kit runs and says why


def _fingerprint(settings: DrizzleSettings, schema: Path, command: Sequence[str]) -> dict[str, str] | None:
    if not settings.schema or any(ch in written for written in settings.schema for ch in "*?[{"):
        return None  # no schema or a glob: which files drizzle-kit reads is unknown
    base = settings.config.parent
    inputs = {
        "nanoka": __version__,
        "command": json.dumps(list(command)),
        "drizzle-config": _digest(settings.config.read_bytes()),
        "output": _digest(schema.read_bytes()),
        "out": settings.out.as_posix(),
    }
    for written in settings.schema:
        inputs[f"schema:{written}"] = _digest((base / written).read_bytes())
    for loaded in settings.loaded:
        if Path(loaded) != settings.config:
            inputs[f"config-file:{loaded}"] = _digest(Path(loaded).read_bytes())
    for key, value in settings.env:
        inputs[f"env:{key}"] = json.dumps(value)
    for package in _PACKAGES:
        manifest = _installed(base, package)
        if manifest is None and package == "drizzle-kit":
            return None
        inputs[package] = "absent" if manifest is None else _digest(manifest.read_bytes())
    migrations = settings.out
    if migrations.exists() and not migrations.is_dir():
        return None
    for path in sorted(migrations.rglob("*")) if migrations.is_dir() else []:
        if path == migrations / SUM_NAME:
            continue  # nanoka's checksum, written after drizzle-kit; drizzle-kit never reads it
        if path.is_symlink():
            return None
        if path.is_file():
            inputs[f"migrations/{path.relative_to(migrations).as_posix()}"] = _digest(path.read_bytes())
    return inputs


def matches(project_dir: Path, inputs: dict[str, str]) -> bool:
    """Whether the last successful drizzle-kit run saw exactly ``inputs``."""
    try:
        record = json.loads((project_dir / CACHE_DIR / _RECORD).read_text(encoding="utf-8"))
        recorded = record["inputs"]
        if record["format"] != _FORMAT or record["fingerprint"] != _hash_of(recorded):
            return False  # hand-edited or from another format: never trusted
    except (OSError, ValueError, KeyError, TypeError):
        return False
    return bool(recorded == inputs)


def changed_inputs(project_dir: Path, inputs: dict[str, str]) -> list[str]:
    """What differs from the recorded run, for a debug line; empty when nothing is recorded."""
    try:
        recorded = json.loads((project_dir / CACHE_DIR / _RECORD).read_text(encoding="utf-8"))["inputs"]
        return sorted(k for k in {*recorded, *inputs} if recorded.get(k) != inputs.get(k))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return []


def record(project_dir: Path, inputs: dict[str, str]) -> None:
    """Remember ``inputs`` as the state of a drizzle-kit run that succeeded (atomic write)."""
    folder = project_dir / CACHE_DIR
    write_text_atomic(folder / ".gitignore", "# Created by nanoka: this folder is a cache.\n*\n")
    document = {"format": _FORMAT, "fingerprint": _hash_of(inputs), "inputs": inputs}
    write_text_atomic(folder / _RECORD, json.dumps(document, indent=1, sort_keys=True) + "\n")


def _hash_of(inputs: Any) -> str:
    return _digest(json.dumps(inputs, sort_keys=True).encode("utf-8"))


def _installed(start: Path, package: str) -> Path | None:
    """The package.json Node would load ``package`` from, searching upward as Node does."""
    for folder in (start, *start.parents):
        manifest = folder / "node_modules" / package / "package.json"
        if manifest.is_file():
            return manifest
    return None


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
