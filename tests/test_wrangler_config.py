"""Reading wrangler's config as wrangler 4 does: file search, JSONC/TOML, environments, D1 lookup."""

from __future__ import annotations

from pathlib import Path

import pytest

from nanoka_core.d1.wrangler_config import (
    d1_databases,
    find_wrangler_config,
    read_wrangler_config,
    select_database,
)
from nanoka_core.errors import ConfigError

JSONC = """// comment at the top
{
  "name": "app", /* block comment with "quotes" and // inside */
  "d1_databases": [
    {
      "binding": "DB", // trailing comment
      "database_name": "app-db",
      "database_id": "id-top", // a URL in a string is not a comment: "https://x//y"
      "migrations_dir": "drizzle/migrations",
    },
  ],
  "env": {
    "staging": {
      "d1_databases": [
        {"binding": "DB", "database_name": "app-db-staging", "migrations_dir": "drizzle/migrations",},
      ],
    },
    "preview": {},
  },
}
"""

TOML = """
name = "app"
[[d1_databases]]
binding = "DB"
database_name = "app-db"
database_id = "id-top"

[[env.production.d1_databases]]
binding = "DB"
database_name = "app-db-prod"
database_id = "id-prod"
migrations_dir = "db/migrations"
"""


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_jsonc_with_comments_and_trailing_commas(tmp_path: Path) -> None:
    path = _write(tmp_path, "wrangler.jsonc", JSONC)
    data = read_wrangler_config(path)
    [top] = d1_databases(path, data, None)
    assert (top.binding, top.database_name, top.database_id) == ("DB", "app-db", "id-top")
    assert top.migrations_dir == tmp_path / "drizzle" / "migrations"
    [staging] = d1_databases(path, data, "staging")
    assert staging.database_name == "app-db-staging" and staging.database_id is None


def test_toml_environment_and_default_migrations_dir(tmp_path: Path) -> None:
    path = _write(tmp_path, "wrangler.toml", TOML)
    data = read_wrangler_config(path)
    [top] = d1_databases(path, data, None)
    assert top.migrations_dir == tmp_path / "migrations"  # wrangler's default ./migrations
    [prod] = d1_databases(path, data, "production")
    assert prod.migrations_dir == tmp_path / "db" / "migrations"


def test_environments_do_not_inherit_d1_databases(tmp_path: Path) -> None:
    path = _write(tmp_path, "wrangler.jsonc", JSONC)
    databases = d1_databases(path, read_wrangler_config(path), "preview")
    assert databases == []
    with pytest.raises(ConfigError, match=r"database 'app-db' is not in environment 'preview' .* no d1_databases \(d1_databases is not inherited"):
        select_database(path, databases, "app-db", "preview")


def test_unknown_environment_lists_the_ones_there(tmp_path: Path) -> None:
    path = _write(tmp_path, "wrangler.jsonc", JSONC)
    with pytest.raises(ConfigError, match=r"has no environment 'prod' \(it has: preview, staging\)"):
        d1_databases(path, read_wrangler_config(path), "prod")


def test_environment_in_a_config_without_environments_uses_the_top_level_as_wrangler_does(tmp_path: Path) -> None:
    path = _write(tmp_path, "wrangler.json", '{"d1_databases": [{"binding": "DB", "database_name": "a"}]}')
    [db] = d1_databases(path, read_wrangler_config(path), "staging")
    assert db.database_name == "a"


def test_database_found_by_name_or_binding_else_the_error_lists_them(tmp_path: Path) -> None:
    path = _write(tmp_path, "wrangler.jsonc", JSONC)
    databases = d1_databases(path, read_wrangler_config(path), None)
    assert select_database(path, databases, "DB", None).database_name == "app-db"
    assert select_database(path, databases, "app-db", None).binding == "DB"
    with pytest.raises(ConfigError) as caught:
        select_database(path, databases, "app-bd", None)
    assert str(caught.value) == (
        f"database 'app-bd' is not in {path}: its d1_databases are app-db (binding DB); "
        "pass one of them with --db (or migrate.database)"
    )


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("wrangler.jsonc", '{\n  "d1_databases": [\n    {"binding": }\n  ]\n}', r"not valid JSON \(comments and trailing commas allowed\): line 3"),
        ("wrangler.toml", "d1_databases = [", "invalid TOML"),
        ("wrangler.json", "[1, 2]", "the top level must be an object"),
        ("wrangler.json", '{"d1_databases": {"binding": "DB"}}', "'d1_databases' must be a list of objects"),
        ("wrangler.json", '{"d1_databases": [{"binding": "DB", "migrations_dir": 3}]}', "'migrations_dir' in 'd1_databases' must be a string"),
    ],
)
def test_broken_config_names_the_file(tmp_path: Path, name: str, text: str, message: str) -> None:
    path = _write(tmp_path, name, text)
    with pytest.raises(ConfigError, match=message) as caught:
        d1_databases(path, read_wrangler_config(path), None)
    assert str(path) in str(caught.value)


def test_search_order_is_wranglers(tmp_path: Path) -> None:
    project = tmp_path / "a" / "b"
    project.mkdir(parents=True)
    assert find_wrangler_config(project) is None
    toml = _write(project, "wrangler.toml", TOML)
    assert find_wrangler_config(project) == toml
    # wrangler looks for wrangler.json upward before it looks for wrangler.jsonc or .toml at all.
    json_above = _write(tmp_path, "wrangler.json", "{}")
    assert find_wrangler_config(project) == json_above


def test_a_custom_migrations_table_is_read_and_must_be_a_plain_name(tmp_path: Path) -> None:
    from nanoka_core.d1.wrangler_config import wrangler_database

    def migrations_table(project: Path, config: Path | None, env: str | None, name: str) -> str:
        found = wrangler_database(project, config, env, name, required=True)
        assert found is not None
        return found[1].migrations_table

    path = _write(tmp_path, "wrangler.toml", TOML.replace('database_id = "id-top"', 'database_id = "id-top"\nmigrations_table = "schema_log"'))
    [top] = d1_databases(path, read_wrangler_config(path), None)
    assert top.migrations_table == "schema_log"
    assert migrations_table(tmp_path, None, None, "app-db") == "schema_log"
    assert migrations_table(tmp_path, None, "production", "app-db-prod") == "d1_migrations"
    assert migrations_table(tmp_path / "elsewhere", path, None, "app-db") == "schema_log"
    bad = _write(tmp_path / "bad", "wrangler.toml", TOML.replace('database_id = "id-top"', 'database_id = "id-top"\nmigrations_table = "x; DROP TABLE y"'))
    with pytest.raises(ConfigError, match=r"'migrations_table' in 'd1_databases' must be a table name .* got 'x; DROP TABLE y'"):
        d1_databases(bad, read_wrangler_config(bad), None)
