"""What nanoka knows about wrangler's config: which file, which environment, which D1.

Read before anything runs, so that a wrong ``--db`` or ``--env``, or a
``migrations_dir`` that is not drizzle-kit's ``out``, is one clear error
instead of wrangler's "No migrations present at ...". The rules follow
wrangler 4: the first of wrangler.json, wrangler.jsonc, wrangler.toml found
from the project folder upward; ``d1_databases`` is not inherited by an
environment; a database is named by ``database_name`` or ``binding``;
``migrations_dir`` (default ``./migrations``) is relative to the config file.
"""

from __future__ import annotations

import dataclasses
import os
import re
import sys
from pathlib import Path
from typing import Any

from nanoka_core.errors import ConfigError

WRANGLER_CONFIG_NAMES = ("wrangler.json", "wrangler.jsonc", "wrangler.toml")
_DEFAULT_MIGRATIONS_DIR = "./migrations"
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")

# 1-64 of A-Za-z0-9_-; not starting with "-", which wrangler would read as a flag.
DATABASE_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_-]{0,63}\Z")


@dataclasses.dataclass(frozen=True)
class D1Database:
    """One entry of ``d1_databases``, with ``migrations_dir`` resolved."""

    binding: str | None
    database_name: str | None
    database_id: str | None
    migrations_dir: Path
    migrations_table: str = "d1_migrations"
    """Where wrangler records applied migrations (``migrations_table``)."""
    local_id: str | None = None
    """The name wrangler gives the local D1 (``preview_database_id ?? database_id ?? binding``, an
    empty string included); None when wrangler may pick another entry (``CLOUDFLARE_ENV``)."""
    local_state: Path = Path(".wrangler", "state")
    """Where wrangler keeps local state for this config: ``.wrangler/state`` next to the config file."""
    project_dir: Path | None = None
    """Where nanoka runs wrangler (its ``node_modules`` say which wrangler that is)."""


def find_wrangler_config(project_dir: Path) -> Path | None:
    """The file wrangler run in ``project_dir`` reads: each name searched upward, in wrangler's order."""
    for name in WRANGLER_CONFIG_NAMES:
        for folder in (project_dir, *project_dir.parents):
            if (folder / name).is_file():
                return folder / name
    return None


def wrangler_database(
    project_dir: Path, config: Path | None, env: str | None, name: str, *, required: bool
) -> tuple[Path, D1Database] | None:
    """The wrangler config a run uses (``config``, else found from ``project_dir``) and
    its entry for database ``name`` in environment ``env``.

    None when there is no wrangler config and it is not ``required``.
    """
    path = config
    if path is not None and not path.is_file():
        raise ConfigError(
            f"wrangler config {path} does not exist (--wrangler-config / migrate.wrangler-config)"
        )
    path = path or find_wrangler_config(project_dir)
    if path is None:
        if not required:
            return None
        raise ConfigError(
            f"no {', '.join(WRANGLER_CONFIG_NAMES)} in {project_dir} or a parent folder: create one "
            "with a d1_databases entry (see examples/basic/wrangler.jsonc), or pass --wrangler-config PATH"
        )
    database = select_database(path, d1_databases(path, read_wrangler_config(path), env), name, env)
    local_id = database.local_id if _environment_settled(project_dir, env) else None
    return path, dataclasses.replace(database, local_id=local_id, project_dir=project_dir)


def check_migrations_dir(
    out: Path, drizzle_config: Path, database: D1Database, name: str, path: Path
) -> None:
    """drizzle-kit's ``out`` must be where wrangler applies from (else: "No migrations present")."""
    if os.path.realpath(out) != os.path.realpath(database.migrations_dir):
        raise ConfigError(
            f"drizzle-kit writes migrations to {out} (`out` in {drizzle_config.name}) but wrangler applies "
            f"them from {database.migrations_dir} (`migrations_dir` of {name!r} in {path.name}): "
            "make them the same folder"
        )


def read_wrangler_config(path: Path) -> dict[str, Any]:
    """The parsed file: TOML through tomllib, JSON and JSONC (comments, trailing commas) through json5."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError(f"{path}: cannot read: {e}") from e
    if path.suffix == ".toml":
        if sys.version_info >= (3, 11):
            import tomllib
        else:  # pragma: no cover - exercised on 3.10 only
            import tomli as tomllib
        try:
            data: Any = tomllib.loads(text)
        except tomllib.TOMLDecodeError as e:
            raise ConfigError(f"{path}: invalid TOML: {e}") from e
    else:
        import json5

        try:
            data = json5.loads(text)
        except ValueError as e:
            where = str(e).replace("<string>:", "line ", 1)
            raise ConfigError(
                f"{path}: not valid JSON (comments and trailing commas allowed): {where}"
            ) from e
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the top level must be an object (a table in TOML)")
    return data


def d1_databases(path: Path, data: dict[str, Any], env: str | None) -> list[D1Database]:
    """``d1_databases`` of the environment ``env`` (None: the top level), as wrangler selects them."""
    section = data
    envs = data.get("env")
    if env is not None:
        if isinstance(envs, dict) and isinstance(envs.get(env), dict):
            section = envs[env]
        elif isinstance(envs, dict) and envs:
            raise ConfigError(
                f"{path} has no environment {env!r} (it has: {', '.join(sorted(envs))}): "
                f"pass one of those with --env, or add an env.{env} section"
            )
        # No environments at all: wrangler warns and uses the top level, and so does nanoka.
    entries = section.get("d1_databases", [])
    where = f"env.{env}.d1_databases" if section is not data else "d1_databases"
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise ConfigError(f"{path}: '{where}' must be a list of objects")
    found = []
    for entry in entries:
        migrations = entry.get("migrations_dir") or _DEFAULT_MIGRATIONS_DIR
        if not isinstance(migrations, str):
            raise ConfigError(f"{path}: 'migrations_dir' in '{where}' must be a string, got {migrations!r}")
        table = entry.get("migrations_table") or "d1_migrations"
        if not isinstance(table, str) or not _IDENTIFIER.match(table):
            raise ConfigError(
                f"{path}: 'migrations_table' in '{where}' must be a table name of letters, digits and '_' "
                f"(wrangler writes it into SQL as is), got {table!r}"
            )
        found.append(
            D1Database(
                binding=_text(entry.get("binding")),
                database_name=_text(entry.get("database_name")),
                database_id=_text(entry.get("database_id")),
                migrations_dir=Path(os.path.normpath(path.parent / migrations)),
                migrations_table=table,
                local_id=_wrangler_id(entry),
                local_state=path.parent / ".wrangler" / "state",
            )
        )
    return found


def select_database(path: Path, databases: list[D1Database], name: str, env: str | None) -> D1Database:
    """The entry wrangler picks for ``name`` (its ``database_name`` or its ``binding``)."""
    for database in databases:
        if name in (database.database_name, database.binding):
            return database
    where = f"environment {env!r} of {path}" if env is not None else str(path)
    if not databases:
        hint = " (d1_databases is not inherited: each environment lists its own)" if env is not None else ""
        raise ConfigError(f"database {name!r} is not in {where}, which has no d1_databases{hint}")
    existing = ", ".join(f"{d.database_name or '?'} (binding {d.binding or '?'})" for d in databases)
    raise ConfigError(
        f"database {name!r} is not in {where}: its d1_databases are {existing}; "
        "pass one of them with --db (or migrate.database)"
    )


def _wrangler_id(entry: dict[str, Any]) -> str | None:
    """What wrangler names the local D1 by: the first of these that is set at all, as its ``??``."""
    for key in ("preview_database_id", "database_id", "binding"):
        value = entry.get(key)
        if value is not None:
            return value if isinstance(value, str) else None
    return None


def _environment_settled(project_dir: Path, env: str | None) -> bool:
    """Whether wrangler run in ``project_dir`` uses environment ``env``: ``--env`` wins; without it
    wrangler reads ``CLOUDFLARE_ENV``, also from the ``.env`` files it loads there."""
    if env is not None:
        return True
    if "CLOUDFLARE_ENV" in os.environ:
        return False
    for name in (".env", ".env.local"):
        try:
            if "CLOUDFLARE_ENV" in (project_dir / name).read_text(encoding="utf-8", errors="replace"):
                return False
        except OSError:
            continue
    return True


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None
