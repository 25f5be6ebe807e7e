"""Reading a drizzle config the way drizzle-kit does: by evaluating it with Node.

A drizzle.config.ts can comment a line out, compute ``out``
(``process.env.X ?? './drizzle/migrations'``) or import it from another
file; only evaluating it, with the project's own drizzle-kit loader, gives
drizzle-kit's answer. Node takes a few hundred milliseconds, so the answer is
cached in ``.nanoka_cache/drizzle-config.json`` in the project folder, valid
while every local file the config loaded and every environment variable it
read are unchanged.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from pathlib import Path
from typing import Any

from nanoka_core.errors import ConfigError

CACHE_FOLDER = ".nanoka_cache"
_CACHE_FILE = "drizzle-config.json"
_SCHEMA_CACHE_FILE = "drizzle-schema-files.json"
_READER = Path(__file__).with_name("config_loader.cjs")
_DEFAULT_OUT = "drizzle"
"""drizzle-kit's ``out || "drizzle"``."""


@dataclasses.dataclass(frozen=True)
class DrizzleSettings:
    """What drizzle-kit will use, with paths as it resolves them (from the project folder)."""

    config: Path
    out: Path
    schema: tuple[str, ...]
    """As written in the config (paths or globs, relative to the project folder)."""
    loaded: tuple[str, ...] = ()
    """The local files evaluating the config loaded (itself included): the answer depends on them."""
    env: tuple[tuple[str, str | None], ...] = ()
    """The environment variables the config read, with the values it saw."""


def read_drizzle_config(config: Path, project_dir: Path) -> DrizzleSettings:
    """``out`` and ``schema`` of ``config`` as drizzle-kit run in ``project_dir`` sees them.

    Raises ConfigError, saying why, when they cannot be known.
    """
    answer = _cached(config, project_dir, _CACHE_FILE)
    if answer is None:
        answer = _store(config, project_dir, _CACHE_FILE, _evaluate(config, project_dir))
    out = answer.get("out")
    if out is not None and not isinstance(out, str):
        raise ConfigError(
            f"{config}: `out` is {json.dumps(out)}, not a string, so the migrations folder cannot be "
            "known; set out: './drizzle/migrations' (a folder relative to the project)"
        )
    schema = answer.get("schema")
    schemas = (schema,) if isinstance(schema, str) else tuple(s for s in schema or () if isinstance(s, str))
    return DrizzleSettings(
        config,
        Path(os.path.normpath(project_dir / (out or _DEFAULT_OUT))),
        schemas,
        tuple(sorted(answer["files"])),
        tuple(sorted(answer["env"].items())),
    )


SchemaDependencies = tuple[tuple[str, ...], dict[str, "str | None"]]
"""(local files, environment variables and their values)."""


def schema_dependencies(config: Path, project_dir: Path) -> SchemaDependencies | None:
    """The local files and environment variables drizzle-kit's view of the schema depends on.

    Node loads the config and then the schema files it lists, as drizzle-kit
    does, so a module a schema file imports (and the ones it imports) is
    among the files. None when Node cannot load them (a glob, a file that
    throws): then nobody can say what drizzle-kit would read.
    """
    answer = _cached(config, project_dir, _SCHEMA_CACHE_FILE)
    if answer is None:
        try:
            evaluated = _evaluate(config, project_dir, schema=True)
        except ConfigError:
            return None
        answer = _store(config, project_dir, _SCHEMA_CACHE_FILE, evaluated)
    return tuple(sorted(answer["files"])), dict(answer["env"])


def _evaluate(config: Path, project_dir: Path, *, schema: bool = False) -> dict[str, Any]:
    from nanoka_core.drizzle.node import run_node_script

    answer = run_node_script(_READER, [str(config), *(["--schema"] if schema else [])], project_dir)
    if answer is None:
        raise ConfigError(
            f"node not found on PATH, so {config} cannot be read (its `out` is the migrations folder): "
            "install Node.js (>= 20)"
        )
    if "error" in answer:
        raise ConfigError(
            f"cannot read {config} with Node, so its `out` (the migrations folder) is not known; "
            f"fix the config (`npx drizzle-kit generate` shows the same error):\n{answer['error']}"
        )
    return answer


def _cache_path(project_dir: Path, name: str) -> Path:
    return project_dir / CACHE_FOLDER / name


def _digest(path: str) -> str | None:
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return None


def _cached(config: Path, project_dir: Path, name: str) -> dict[str, Any] | None:
    """The stored answer, if nothing it depends on has changed since."""
    try:
        entry = json.loads(_cache_path(project_dir, name).read_text(encoding="utf-8"))
        valid = (
            entry["config"] == str(config)
            and all(_digest(path) == digest for path, digest in entry["files"].items())
            and all(os.environ.get(key) == value for key, value in entry["env"].items())
        )
        return _answer(entry) if valid else None
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def _answer(entry: dict[str, Any]) -> dict[str, Any]:
    """A cache entry as ``read_drizzle_config`` uses it: the answer and what it depends on."""
    return {**entry["answer"], "files": entry["files"], "env": entry["env"]}


def _store(config: Path, project_dir: Path, name: str, answer: dict[str, Any]) -> dict[str, Any]:
    """Cache ``answer`` when the folder is writable; the answer in the cached shape either way."""
    from nanoka_core.files import write_text_atomic

    files = {str(config), *answer.get("files", [])}
    entry = {
        "config": str(config),
        "files": {path: _digest(path) for path in sorted(files)},
        "env": answer.get("env", {}),
        "answer": {"out": answer.get("out"), "schema": answer.get("schema")},
    }
    path = _cache_path(project_dir, name)
    try:
        write_text_atomic(path.parent / ".gitignore", "*\n")
        write_text_atomic(path, json.dumps(entry, indent=1) + "\n")
    except OSError:
        pass  # a read-only project: no cache, same answer (Node runs each time)
    return _answer(entry)
