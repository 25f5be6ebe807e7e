"""``nanoka init``: a new project's files, from the templates in ``templates/init/``.

The templates are what examples/basic has, in small. Nothing that exists is
overwritten: an existing file is listed as skipped, ``.gitignore`` only gets
the lines it lacks, and an existing ``pyproject.toml`` gets a
``[tool.nanoka]`` table appended (checked by parsing the result first).
Everything is decided before the first file is written.
"""

from __future__ import annotations

import dataclasses
import re
import string
import sys
from importlib import resources
from pathlib import Path
from typing import Any

from nanoka_core.errors import ConfigError, UsageError

TEMPLATE_PACKAGE = "nanoka_core.cli"
TEMPLATE_FOLDER = "templates/init"
FILES = ("app/__init__.py", "app/models.py", "drizzle.config.ts", "wrangler.jsonc", "package.json")
"""Copied when absent; ``${database}`` becomes the database name, ``${worker}`` a Worker name."""
NEXT_STEPS = ("npm install", "nanoka generate --apply")


def default_database(folder: Path) -> str:
    """The folder's name, lower-cased, with anything wrangler would refuse turned into ``-``."""
    return re.sub(r"[^a-z0-9_-]+", "-", folder.name.lower()).strip("-")[:64] or "nanoka"


def check_database(name: str, source: str) -> None:
    from nanoka_core.d1.wrangler_config import DATABASE_NAME

    if not DATABASE_NAME.match(name):
        raise UsageError(
            f"{source}: database name {name!r} is not valid: use 1 to 64 letters, digits, '_' or '-', "
            "not starting with '-'; pass --database NAME"
        )


@dataclasses.dataclass(frozen=True)
class Plan:
    """What ``nanoka init`` will do in a folder: new files, appends, files left alone."""

    create: dict[str, str]
    append: dict[str, str]
    skipped: list[str]


def template(name: str, database: str) -> str:
    source = resources.files(TEMPLATE_PACKAGE).joinpath(f"{TEMPLATE_FOLDER}/{name}").read_text("utf-8")
    worker = re.sub(r"[^a-z0-9-]+", "-", database.lower()).strip("-") or "worker"  # Worker names allow less
    return string.Template(source).substitute(database=database, worker=worker)


def plan(folder: Path, database: str) -> Plan:
    """Read the folder and decide every file; raises before anything is written."""
    result = Plan(create={}, append={}, skipped=[])
    for name in FILES:
        if (folder / name).exists():
            result.skipped.append(name)
        else:
            result.create[name] = template(name, database)
    _plan_config(folder, database, result)
    _plan_gitignore(folder, result)
    return result


def _plan_config(folder: Path, database: str, result: Plan) -> None:
    nanoka_toml, pyproject = folder / "nanoka.toml", folder / "pyproject.toml"
    if nanoka_toml.exists():
        result.skipped.append("nanoka.toml")
    elif not pyproject.exists():
        result.create["nanoka.toml"] = template("nanoka.toml", database)
    else:
        existing = pyproject.read_text(encoding="utf-8")
        if "nanoka" in _parse_toml(existing, pyproject).get("tool", {}):
            result.skipped.append("pyproject.toml [tool.nanoka]")
            return
        separator = "" if existing.endswith("\n") or not existing else "\n"
        addition = separator + "\n" + template("pyproject-section.toml", database)
        _parse_toml(existing + addition, pyproject)
        result.append["pyproject.toml"] = addition


def _plan_gitignore(folder: Path, result: Plan) -> None:
    path = folder / ".gitignore"
    wanted = template("gitignore", "").splitlines()
    present = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    missing = [line for line in wanted if line not in present]
    if not path.exists():
        result.create[".gitignore"] = "\n".join(missing) + "\n"
    elif missing:
        existing = path.read_text(encoding="utf-8")
        separator = "" if existing.endswith("\n") or not existing else "\n"
        result.append[".gitignore"] = separator + "\n".join(missing) + "\n"
    else:
        result.skipped.append(".gitignore")


def _parse_toml(text: str, path: Path) -> dict[str, Any]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on 3.10 only
        import tomli as tomllib

    try:
        data: dict[str, Any] = tomllib.loads(text)
        return data
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{path} is not valid TOML ({e}); fix it, then run nanoka init again") from e


def write(folder: Path, todo: Plan) -> None:
    """Create (never replace) and append, as planned."""
    for name, text in todo.create.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("x", encoding="utf-8") as f:  # "x": fails rather than replace a file made meanwhile
            f.write(text)
    for name, text in todo.append.items():
        with (folder / name).open("a", encoding="utf-8") as f:
            f.write(text)
