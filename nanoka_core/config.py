"""The config file: ``nanoka.toml`` or ``[tool.nanoka]`` in ``pyproject.toml``.

Found by searching upward from the working directory, as ruff and pytest do.
Keys are kebab-case; relative paths resolve against the config's folder. Any
mistake is a ``ConfigError`` naming the file and the key.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from typing import Any, NamedTuple, NoReturn

from nanoka_core.errors import ConfigError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

PACKAGE_MANAGERS = ("npx", "pnpm", "npm", "yarn", "bun")
DRIZZLE_CONFIG_NAMES = ("drizzle.config.ts", "drizzle.config.js", "drizzle.config.mjs")


class MigrateConfig(NamedTuple):
    drizzle_config: Path | None = None
    database: str | None = None
    package_manager: str | None = None
    env: str | None = None
    """The wrangler environment (``--env``)."""
    wrangler_config: Path | None = None
    preserve_rows: bool = True
    """Rewrite new table rebuilds so referencing rows survive on D1 (``preserve-rows``)."""
    rehearsal: bool = True
    """Rehearse pending migrations on a copy of the database before applying them (``rehearsal``)."""


class Config(NamedTuple):
    path: Path
    """The file the settings came from."""
    project_dir: Path
    """The folder holding that file: relative paths and tools start here."""
    models: tuple[str, ...]
    output: Path
    pythonpath: tuple[Path, ...] = ()
    plugins: tuple[str, ...] = ()
    migrate: MigrateConfig = MigrateConfig()
    table_prefix: str = ""
    """Put before every model's table name in SQL (``table-prefix``), as ``sqliteTableCreator`` does."""
    export_names: str | None = None
    """The export-naming rule (``export-names``), e.g. ``"{camel}Table"``; None: the table's name."""
    table_prefix_renamed_from: str | None = None
    """The prefix the tables had in the last migration (``table-prefix-renamed-from``; ``""``: none),
    when ``table-prefix`` changed since: every table is then renamed, not dropped and created."""

    def key(self, name: str) -> str:
        """A top-level key as the config file spells it (``tool.nanoka.<name>`` in pyproject.toml)."""
        return f"tool.nanoka.{name}" if self.path.name == "pyproject.toml" else name


_WINDOWS_ONLY = ("msvcrt", "_winapi", "winreg", "_overlapped", "nt", "winsound", "_msi", "_wmi")
"""Modules the standard library imports where they exist (subprocess, getpass, mimetypes, ntpath...)."""


def extend_sys_path(config: Config) -> None:
    """Make the project's modules (models, config-listed plugins) importable.

    The folders go right after the standard library's entries, not first: a
    project file named like a standard module (``json.py``, ``shlex.py``)
    must not replace the module that nanoka, its dependencies or the models
    import. They still come before installed packages.

    A module Python lacks on this platform is no protection: ``subprocess``
    tries ``import msvcrt`` everywhere, so a project's ``msvcrt.py`` would
    run in its place. Off Windows, the Windows-only modules the standard
    library tries are marked absent first (``import msvcrt`` then fails as it
    would anyway), which costs nothing, unlike importing ``subprocess``
    early on a run that starts no tool.
    """
    if os.name != "nt":
        for name in _WINDOWS_ONLY:
            sys.modules.setdefault(name, None)  # type: ignore[arg-type]  # `import name`: ModuleNotFoundError
    folders = [str(f) for f in (config.project_dir, *config.pythonpath) if str(f) not in sys.path]
    at = _after_standard_library(sys.path)
    sys.path[at:at] = folders


def _after_standard_library(path: list[str]) -> int:
    """The index after the last standard-library entry of ``path`` (its folder, zip, lib-dynload)."""
    stdlib = os.path.dirname(os.__file__)
    zipped = f"python{sys.version_info[0]}{sys.version_info[1]}.zip"
    ends = [
        i + 1
        for i, entry in enumerate(path)
        if entry in (stdlib, os.path.join(stdlib, "lib-dynload")) or os.path.basename(entry) == zipped
    ]
    return max(ends, default=0)


def find_config(start: Path) -> Path:
    """The nearest ``nanoka.toml``, or ``pyproject.toml`` with ``[tool.nanoka]``."""
    for folder in (start, *start.parents):
        candidate = folder / "nanoka.toml"
        if candidate.is_file():
            return candidate
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file() and "nanoka" in _tool_table(_read_toml(pyproject)):
            return pyproject
    raise ConfigError(
        f"no nanoka.toml (or pyproject.toml with [tool.nanoka]) in {start} or any parent folder: "
        "create one, or pass --config PATH"
    )


def load_config(path: Path | None = None, *, cwd: Path | None = None) -> Config:
    """Read and validate the config at ``path``, or the one found from ``cwd``."""
    if path is None:
        path = find_config((cwd or Path.cwd()).resolve())
    path = path.resolve()
    if not path.is_file():
        raise ConfigError(f"{path}: config file not found")
    data = _read_toml(path)
    prefix = ""
    if path.name == "pyproject.toml":
        table = _tool_table(data).get("nanoka")
        if table is None:
            raise ConfigError(f"{path}: no [tool.nanoka] table; add one or use a nanoka.toml")
        if not isinstance(table, dict):
            raise ConfigError(
                f"{path}: 'tool.nanoka' must be a table ([tool.nanoka]), got {_toml_type(table)}"
            )
        data, prefix = table, "tool.nanoka."
    return _parse(data, path, prefix)


def _tool_table(pyproject: dict[str, Any]) -> dict[str, Any]:
    tool = pyproject.get("tool", {})
    return tool if isinstance(tool, dict) else {}


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as f:
            data: dict[str, Any] = tomllib.load(f)
            return data
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{path}: invalid TOML: {e}") from e
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError(f"{path}: cannot read: {e}") from e


_TOP_KEYS = (
    "output", "models", "pythonpath", "plugins", "table-prefix", "table-prefix-renamed-from", "export-names",
    "migrate",
)
_PREFIX = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
EXPORT_NAME_PLACEHOLDERS = ("name", "camel", "pascal")
"""What an ``export-names`` rule may use: the table's name as written, in camelCase, in PascalCase."""
_MIGRATE_KEYS = (
    "drizzle-config", "database", "package-manager", "env", "wrangler-config", "preserve-rows", "rehearsal",
)


def _parse(data: dict[str, Any], path: Path, prefix: str) -> Config:
    root = path.parent
    keys = _Keys(path, prefix)
    keys.reject_unknown(data, _TOP_KEYS)
    if "models" not in data:
        raise ConfigError(
            f"{path}: missing key '{prefix}models': list the model modules, e.g. models = [\"app.models\"]"
        )
    models = keys.string_list(data, "models")
    for entry in models:
        module, _, attr = entry.partition(":")
        if (
            not module
            or (":" in entry and not attr)
            or not all(part.isidentifier() for part in [*module.split("."), *([attr] if attr else [])])
        ):
            raise ConfigError(
                f"{path}: '{prefix}models' entry {entry!r} is not 'module' or 'module:attribute'"
            )
    output = _join(root, keys.string(data, "output", "drizzle/schema.ts"))
    migrate_data = data.get("migrate", {})
    if not isinstance(migrate_data, dict):
        raise ConfigError(f"{path}: '{prefix}migrate' must be a table ([{prefix}migrate])")
    mkeys = _Keys(path, f"{prefix}migrate.")
    mkeys.reject_unknown(migrate_data, _MIGRATE_KEYS)
    drizzle_config = mkeys.optional_string(migrate_data, "drizzle-config")
    package_manager = mkeys.optional_string(migrate_data, "package-manager")
    wrangler_config = mkeys.optional_string(migrate_data, "wrangler-config")
    if package_manager is not None and package_manager not in PACKAGE_MANAGERS:
        raise ConfigError(
            f"{path}: '{prefix}migrate.package-manager' is {package_manager!r}; "
            f"use one of: {', '.join(PACKAGE_MANAGERS)}"
        )
    return Config(
        path=path,
        project_dir=root,
        models=tuple(models),
        output=output,
        pythonpath=tuple(_join(root, p) for p in keys.string_list(data, "pythonpath")),
        plugins=tuple(keys.string_list(data, "plugins")),
        table_prefix=_table_prefix(keys, data),
        table_prefix_renamed_from=_table_prefix_renamed_from(keys, data),
        export_names=_export_names(keys, data),
        migrate=MigrateConfig(
            drizzle_config=_join(root, drizzle_config) if drizzle_config is not None else None,
            database=mkeys.optional_string(migrate_data, "database"),
            package_manager=package_manager,
            env=mkeys.optional_string(migrate_data, "env"),
            wrangler_config=_join(root, wrangler_config) if wrangler_config is not None else None,
            preserve_rows=mkeys.boolean(migrate_data, "preserve-rows", True),
            rehearsal=mkeys.boolean(migrate_data, "rehearsal", True),
        ),
    )


def _table_prefix(keys: _Keys, data: dict[str, Any]) -> str:
    """``table-prefix``: it is written into a TypeScript template literal and into every table's SQL name."""
    prefix = keys.optional_string(data, "table-prefix")
    if prefix is None:
        return ""
    problem = table_prefix_problem(prefix)
    if problem:
        raise ConfigError(f"{keys.path}: '{keys.prefix}table-prefix' is {prefix!r}; {problem}")
    return prefix


def _table_prefix_renamed_from(keys: _Keys, data: dict[str, Any]) -> str | None:
    """``table-prefix-renamed-from``: the previous ``table-prefix`` (``""`` when there was none)."""
    previous: object = data.get("table-prefix-renamed-from")
    if previous is None:
        return None
    if not isinstance(previous, str):
        keys.wrong_type("table-prefix-renamed-from", 'a string ("" when the tables had no prefix)', previous)
    key = f"'{keys.prefix}table-prefix-renamed-from'"
    problem = table_prefix_problem(previous) if previous else None
    if problem:
        raise ConfigError(f"{keys.path}: {key} is {previous!r}; {problem}")
    current = keys.optional_string(data, "table-prefix") or ""
    if previous == current:
        raise ConfigError(
            f"{keys.path}: {key} is {previous!r}, the table-prefix itself; it names the prefix the tables "
            "had before table-prefix changed: remove it, or set it to the old prefix"
        )
    return previous


def table_prefix_problem(prefix: str) -> str | None:
    """Why ``prefix`` cannot be a ``table-prefix``, or None."""
    if not _PREFIX.match(prefix):
        return (
            "a prefix becomes part of every table name, so it must be letters, digits and _, "
            'not starting with a digit (e.g. "app_")'
        )
    if prefix.lower().startswith(("sqlite_", "_cf_")):
        return "names starting with 'sqlite_' or '_cf_' are reserved by SQLite and D1"
    return None


def export_name_placeholders(rule: str) -> list[str] | None:
    """The ``{...}`` names an ``export-names`` rule uses, in order; None when it is not a plain template."""
    import string

    try:
        parts = list(string.Formatter().parse(rule))
    except ValueError:
        return None
    found = []
    for _, field, spec, conversion in parts:
        if field is None:
            continue
        if spec or conversion:
            return None
        found.append(field)
    return found


def _export_names(keys: _Keys, data: dict[str, Any]) -> str | None:
    """``export-names``: a template whose every result must be a plain identifier."""
    rule = keys.optional_string(data, "export-names")
    problem = None if rule is None else export_names_problem(rule)
    if problem:
        raise ConfigError(f"{keys.path}: '{keys.prefix}export-names' is {rule!r}; {problem}")
    return rule


def export_names_problem(rule: str) -> str | None:
    """Why ``rule`` cannot be an ``export-names`` rule, or None."""
    placeholders = export_name_placeholders(rule)
    names = ", ".join(f"{{{p}}}" for p in EXPORT_NAME_PLACEHOLDERS)
    if placeholders is None or any(p not in EXPORT_NAME_PLACEHOLDERS for p in placeholders):
        return f'a rule is text with the placeholders {names} (e.g. "{{camel}}Table")'
    if not placeholders:
        return f"it would export every table under one name: use one of {names}"
    if not _PREFIX.match(rule.format(name="x", camel="x", pascal="X")):
        return (
            "around its placeholders a rule may hold only letters, digits and _ "
            "(an export name is a plain identifier), and it may not start with a digit"
        )
    return None


def with_keys(config: Config, values: dict[str, str]) -> str:
    """The text of ``config``'s file with top-level string ``values`` added (keys it does not
    set yet), the rest kept as written; a ``ConfigError`` if they cannot be added there."""
    import json

    text = config.path.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    header = re.compile(r"\s*\[")
    start = 0
    if config.path.name == "pyproject.toml":
        own = re.compile(r"\s*\[\s*tool\s*\.\s*nanoka\s*\]\s*(#.*)?$")
        start = next((i + 1 for i, line in enumerate(lines) if own.match(line)), -1)
    end = next((i for i in range(max(start, 0), len(lines)) if header.match(lines[i])), len(lines))
    written = [
        i + 1 for i in range(max(start, 0), end) if lines[i].strip() and not lines[i].lstrip().startswith("#")
    ]
    at = max(written, default=end if start <= 0 else start)
    if at == len(lines) and lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    added = [f"{key} = {json.dumps(value)}\n" for key, value in values.items()]
    new_text = "".join(lines[:at] + added + lines[at:])
    try:
        data = tomllib.loads(new_text) if start >= 0 else {}
    except tomllib.TOMLDecodeError:
        data = {}
    table = data.get("tool", {}).get("nanoka", {}) if config.path.name == "pyproject.toml" else data
    if not data or any(table.get(key) != value for key, value in values.items()):
        shown = ", ".join(f"{key} = {json.dumps(value)}" for key, value in values.items())
        raise ConfigError(f"{config.path}: cannot add {shown} to the nanoka settings; add it yourself")
    return new_text


def _join(root: Path, relative: str) -> Path:
    """``root / relative`` with ``..`` folded away, links left alone (unlike resolve())."""
    return Path(os.path.normpath(root / relative))


class _Keys(NamedTuple):
    """Typed access to one table, with errors that name file and full key."""

    path: Path
    prefix: str

    def reject_unknown(self, data: dict[str, Any], valid: tuple[str, ...]) -> None:
        for key in data:
            if key not in valid:
                import difflib  # only for a mistake

                close = difflib.get_close_matches(key.replace("_", "-"), valid, n=1, cutoff=0.6)
                hint = f"; did you mean '{close[0]}'?" if close else f"; valid keys: {', '.join(valid)}"
                raise ConfigError(f"{self.path}: unknown key {self.prefix + key!r}{hint}")

    def string(self, data: dict[str, Any], key: str, default: str) -> str:
        value = self.optional_string(data, key)
        return default if value is None else value

    def optional_string(self, data: dict[str, Any], key: str) -> str | None:
        value = data.get(key)
        if value is not None and (not isinstance(value, str) or not value):
            self.wrong_type(key, "a non-empty string", value)
        return value

    def boolean(self, data: dict[str, Any], key: str, default: bool) -> bool:
        value = data.get(key, default)
        if not isinstance(value, bool):
            self.wrong_type(key, "true or false", value)
        return bool(value)

    def string_list(self, data: dict[str, Any], key: str) -> list[str]:
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            self.wrong_type(key, "a list of non-empty strings", value)
        return list(value)

    def wrong_type(self, key: str, expected: str, value: object) -> NoReturn:
        raise ConfigError(
            f"{self.path}: '{self.prefix}{key}' must be {expected}, got {_toml_type(value)} {value!r}"
        )


def _toml_type(value: object) -> str:
    names = {bool: "boolean", int: "integer", float: "float", str: "string", list: "array", dict: "table"}
    return names.get(type(value), type(value).__name__)


def env_flag(name: str) -> bool:
    """An on/off environment switch: anything but empty, 0, false or no is on."""
    return os.environ.get(name, "").strip().lower() not in ("", "0", "false", "no")


def tracing() -> bool:
    """Whether NANOKA_TRACE_PLUGINS asks for every hook call to be shown."""
    return env_flag("NANOKA_TRACE_PLUGINS")
