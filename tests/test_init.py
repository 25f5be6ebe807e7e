"""``nanoka init``: a project's files, never overwriting, pins shared with examples/basic."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

from nanoka_core.config import load_config, tomllib
from nanoka_core.testing import forget_modules
from tests.conftest import REPO

EXAMPLE = REPO / "examples" / "basic"
CREATED = [
    ".gitignore",
    "app/__init__.py",
    "app/models.py",
    "drizzle.config.ts",
    "nanoka.toml",
    "package.json",
    "wrangler.jsonc",
]


def files(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


@pytest.fixture(autouse=True)
def _forget_the_generated_models(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Running ``generate`` imports the project's ``app.models``; later tests must import their own."""
    before = list(sys.path)
    yield
    forget_modules(tmp_path)
    sys.path[:] = before


def test_init_in_an_empty_folder_writes_a_working_project(run_nanoka, tmp_path: Path) -> None:
    project = tmp_path / "shop"
    project.mkdir()
    result = run_nanoka(["init"], cwd=project)
    assert result.exit_code == 0, result.output
    assert files(project) == CREATED
    assert result.stdout.endswith("Next, run:\n  npm install\n  nanoka generate --apply\n")
    config = load_config(cwd=project)
    assert config.models == ("app.models",)
    assert config.migrate.database == "shop"
    wrangler = (project / "wrangler.jsonc").read_text()
    assert '"database_name": "shop"' in wrangler
    assert (project / ".gitignore").read_text() == "node_modules/\n.wrangler/\n"
    # The generated project renders: the one example model becomes a table.
    done = run_nanoka(["generate", "--no-migrate"], cwd=project)
    assert done.exit_code == 0, done.output
    assert "export const users = sqliteTable('users', {" in (project / "drizzle/schema.ts").read_text()


def test_migrations_dir_matches_drizzle_out(tmp_path: Path, run_nanoka) -> None:
    run_nanoka(["init"], cwd=tmp_path)
    out = re.search(r"out: '\./([^']+)'", (tmp_path / "drizzle.config.ts").read_text())
    migrations_dir = re.search(r'"migrations_dir": "([^"]+)"', (tmp_path / "wrangler.jsonc").read_text())
    assert out and migrations_dir and out.group(1) == migrations_dir.group(1) == "drizzle/migrations"


def test_init_never_overwrites_and_lists_what_it_skipped(run_nanoka, tmp_path: Path) -> None:
    (tmp_path / "wrangler.jsonc").write_text("// mine\n{}\n")
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "models.py").write_text("# my models\n")
    (tmp_path / ".gitignore").write_text("dist/\n.wrangler/")
    result = run_nanoka(["init", "--database", "shop-db"], cwd=tmp_path)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "wrangler.jsonc").read_text() == "// mine\n{}\n"
    assert (tmp_path / "app" / "models.py").read_text() == "# my models\n"
    assert "skipped (already there, left as is): app/models.py, wrangler.jsonc" in result.stderr
    assert (tmp_path / ".gitignore").read_text() == "dist/\n.wrangler/\nnode_modules/\n"
    assert 'database = "shop-db"' in (tmp_path / "nanoka.toml").read_text()
    again = run_nanoka(["init"], cwd=tmp_path)
    assert again.exit_code == 0
    assert files(tmp_path) == CREATED
    assert "skipped (already there, left as is): app/__init__.py, app/models.py, drizzle.config.ts, " \
        "wrangler.jsonc, package.json, nanoka.toml, .gitignore" in again.stderr


def test_init_appends_tool_nanoka_to_an_existing_pyproject(run_nanoka, tmp_path: Path) -> None:
    original = '[project]\nname = "shop"\nversion = "1.0"\n\n[tool.ruff]\nline-length = 100'  # no final newline
    (tmp_path / "pyproject.toml").write_text(original)
    result = run_nanoka(["init", "--database", "shop"], cwd=tmp_path)
    assert result.exit_code == 0, result.output
    assert not (tmp_path / "nanoka.toml").exists()
    text = (tmp_path / "pyproject.toml").read_text()
    assert text.startswith(original + "\n")
    data = tomllib.loads(text)
    assert data["project"] == {"name": "shop", "version": "1.0"}
    assert data["tool"]["ruff"] == {"line-length": 100}
    config = load_config(cwd=tmp_path)
    assert config.path == tmp_path / "pyproject.toml"
    assert config.migrate.database == "shop"
    again = run_nanoka(["init"], cwd=tmp_path)
    assert (tmp_path / "pyproject.toml").read_text() == text
    assert "pyproject.toml [tool.nanoka]" in again.stderr


def test_init_refuses_a_broken_pyproject_and_writes_nothing(run_nanoka, tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[project\n")
    result = run_nanoka(["init"], cwd=tmp_path)
    assert result.exit_code == 1
    assert "pyproject.toml is not valid TOML" in result.stderr
    assert "Traceback" not in result.output
    assert files(tmp_path) == ["pyproject.toml"]


def test_init_validates_the_database_like_db(run_nanoka, tmp_path: Path) -> None:
    result = run_nanoka(["init", "--database", "-rf"], cwd=tmp_path)
    assert result.exit_code == 2
    assert "--database: database name '-rf' is not valid" in result.stderr
    assert files(tmp_path) == []


def test_init_makes_a_database_name_of_an_awkward_folder_name(run_nanoka, tmp_path: Path) -> None:
    project = tmp_path / "My Shop (v2)"
    project.mkdir()
    assert run_nanoka(["init"], cwd=project).exit_code == 0
    assert load_config(cwd=project).migrate.database == "my-shop-v2"
    assert '"name": "my-shop-v2"' in (project / "wrangler.jsonc").read_text()


def dev_dependencies(path: Path) -> dict[str, str]:
    return dict(json.loads(path.read_text())["devDependencies"])


USER_TOOLS = ("drizzle-kit", "drizzle-orm", "wrangler")
"""What a user project needs; the example also pins typescript, for its e2e `tsc --strict` checks."""


def test_init_pins_the_tools_exactly_as_examples_basic() -> None:
    pins = dev_dependencies(REPO / "nanoka_core" / "cli" / "templates" / "init" / "package.json")
    example = dev_dependencies(EXAMPLE / "package.json")
    assert pins == {tool: example[tool] for tool in USER_TOOLS}
    assert all(re.fullmatch(r"\d+\.\d+\.\d+", version) for version in pins.values()), pins
    readme = (REPO / "README.md").read_text()
    by_hand = " ".join(f"{name}@{version}" for name, version in sorted(pins.items()))
    assert f"npm install -D --save-exact {by_hand}\n" in readme
