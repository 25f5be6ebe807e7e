"""Reading drizzle.config.* as drizzle-kit does (Node, the project's own drizzle-kit loader).

A pattern match read `out` from commented-out lines, guessed at computed
values and resolved paths against the config's folder; drizzle-kit resolves
them against the folder it runs in. Each case here runs the real
drizzle-kit afterwards to show nanoka and drizzle-kit agree.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from nanoka_core.drizzle.config import read_drizzle_config
from nanoka_core.errors import ConfigError
from tests.e2e.conftest import shown

if TYPE_CHECKING:
    from tests.e2e.conftest import ExampleProject

pytestmark = pytest.mark.e2e

CONFIG_HEAD = "import { defineConfig } from 'drizzle-kit'\n\nexport default defineConfig({\n  dialect: 'sqlite',\n  schema: './drizzle/schema.ts',\n"


def _write(p: ExampleProject, relpath: str, text: str) -> Path:
    path = p.root / relpath
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _read(p: ExampleProject, config: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for key, value in p.env.items():
        monkeypatch.setenv(key, value)
    return read_drizzle_config(config, p.root).out


def test_commented_out_line_is_ignored(example_project: ExampleProject, monkeypatch: pytest.MonkeyPatch) -> None:
    p = example_project
    p.edit("drizzle.config.ts", "  out: './drizzle/migrations',\n", "  // out: './legacy',\n  /* out: './older', */\n  out: './drizzle/migrations',\n")

    assert _read(p, p.root / "drizzle.config.ts", monkeypatch) == p.root / "drizzle" / "migrations"


def test_computed_out_follows_the_environment_and_the_cache_notices(
    example_project: ExampleProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    p = example_project
    p.edit("drizzle.config.ts", "out: './drizzle/migrations'", "out: process.env.NANOKA_TEST_OUT ?? './drizzle/migrations'")
    config = p.root / "drizzle.config.ts"
    monkeypatch.delenv("NANOKA_TEST_OUT", raising=False)

    assert _read(p, config, monkeypatch) == p.root / "drizzle" / "migrations"
    monkeypatch.setenv("NANOKA_TEST_OUT", "./elsewhere")
    assert _read(p, config, monkeypatch) == p.root / "elsewhere"


def test_out_from_an_imported_file_and_the_cache_notices_when_it_changes(
    example_project: ExampleProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    p = example_project
    paths = _write(p, "paths.ts", "export const OUT = './drizzle/migrations'\n")
    config = _write(p, "drizzle.config.ts", "import { OUT } from './paths'\n" + CONFIG_HEAD + "  out: OUT,\n})\n")

    assert _read(p, config, monkeypatch) == p.root / "drizzle" / "migrations"
    paths.write_text("export const OUT = './db/migrations'\n", encoding="utf-8")
    assert _read(p, config, monkeypatch) == p.root / "db" / "migrations"


def test_cached_answer_needs_no_node(example_project: ExampleProject, monkeypatch: pytest.MonkeyPatch) -> None:
    p = example_project
    config = p.root / "drizzle.config.ts"
    first = _read(p, config, monkeypatch)
    assert (p.root / ".nanoka_cache" / "drizzle-config.json").is_file()
    assert (p.root / ".nanoka_cache" / ".gitignore").read_text(encoding="utf-8") == "*\n"

    monkeypatch.setenv("PATH", "")  # no node: only the cache can answer
    assert read_drizzle_config(config, p.root).out == first
    p.edit("drizzle.config.ts", "out: './drizzle/migrations'", "out: './changed'")
    with pytest.raises(ConfigError, match="node not found"):
        read_drizzle_config(config, p.root)


@pytest.mark.parametrize(
    ("name", "text"),
    [
        pytest.param("drizzle.config.js", "module.exports = { dialect: 'sqlite', schema: './drizzle/schema.ts', out: './js-out' }\n", id="js-commonjs"),
        pytest.param("drizzle.config.mjs", "export default { dialect: 'sqlite', schema: './drizzle/schema.ts', out: './mjs-out' }\n", id="mjs"),
    ],
)
def test_js_and_mjs_configs(example_project: ExampleProject, monkeypatch: pytest.MonkeyPatch, name: str, text: str) -> None:
    p = example_project
    config = _write(p, name, text)

    assert _read(p, config, monkeypatch) == p.root / ("js-out" if name.endswith(".js") else "mjs-out")


def test_unset_out_is_drizzle_kits_default(example_project: ExampleProject, monkeypatch: pytest.MonkeyPatch) -> None:
    p = example_project
    config = _write(p, "drizzle.config.ts", CONFIG_HEAD + "})\n")

    assert _read(p, config, monkeypatch) == p.root / "drizzle"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        pytest.param("  out: 42,\n})\n", "not a string", id="out-not-a-string"),
        pytest.param("  out: ,\n})\n", "cannot read", id="syntax-error"),
        pytest.param("  out: missingVariable,\n})\n", "missingVariable", id="throws"),
    ],
)
def test_out_that_cannot_be_known_is_an_error(
    example_project: ExampleProject, monkeypatch: pytest.MonkeyPatch, body: str, message: str
) -> None:
    p = example_project
    config = _write(p, "drizzle.config.ts", CONFIG_HEAD + body)

    with pytest.raises(ConfigError, match=message):
        _read(p, config, monkeypatch)


def test_commented_out_line_generate_and_check_agree_with_drizzle_kit(example_project: ExampleProject) -> None:
    """The issue's reproduction: a `// out:` line made check report false uncovered changes."""
    p = example_project
    p.edit("drizzle.config.ts", "  out: './drizzle/migrations',\n", "  // out: './legacy',\n  out: './drizzle/migrations',\n")

    proc = p.nanoka("generate")
    assert proc.returncode == 0, shown(proc)
    assert len(p.migrations()) == 1, shown(proc)
    assert not (p.root / "legacy").exists()

    proc = p.nanoka("check")
    assert proc.returncode == 0, shown(proc)


def test_subfolder_config_with_computed_out(example_project: ExampleProject) -> None:
    """Paths in the config are relative to where drizzle-kit runs (the project), not to the config."""
    p = example_project
    text = (p.root / "drizzle.config.ts").read_text(encoding="utf-8").replace(
        "out: './drizzle/migrations'", "out: process.env.NANOKA_TEST_OUT ?? './drizzle/migrations'"
    )
    os.remove(p.root / "drizzle.config.ts")
    _write(p, "config/drizzle.config.ts", text)
    with (p.root / "nanoka.toml").open("a", encoding="utf-8") as f:
        f.write('drizzle-config = "config/drizzle.config.ts"\n')

    proc = p.nanoka("generate")
    assert proc.returncode == 0, shown(proc)
    assert len(p.migrations()) == 1, shown(proc)
    assert not (p.root / "config" / "drizzle").exists()

    proc = p.nanoka("check")
    assert proc.returncode == 0, shown(proc)
    p.edit("app/models.py", '"name": t.string(),', '"name": t.string(),\n    "bio": t.string().optional(),')
    proc = p.nanoka("generate", "--no-migrate")
    assert proc.returncode == 0, shown(proc)
    proc = p.nanoka("check")
    assert proc.returncode == 1 and "no migration covers" in proc.stderr, shown(proc)


def test_unreadable_config_fails_before_anything_is_written(example_project: ExampleProject) -> None:
    p = example_project
    p.edit("drizzle.config.ts", "out: './drizzle/migrations'", "out: missingVariable")

    proc = p.nanoka("generate")

    assert proc.returncode == 1, shown(proc)
    assert "stage 'drizzle-kit' cannot run" in proc.stderr and "missingVariable" in proc.stderr, shown(proc)
    assert not p.schema_ts.exists()


@pytest.mark.parametrize(
    ("name", "text"),
    [
        pytest.param("drizzle.config.js", "module.exports = { dialect: 'sqlite', schema: './drizzle/schema.ts', out: './db/migrations' }\n", id="js"),
        pytest.param("drizzle.config.mjs", "export default { dialect: 'sqlite', schema: './drizzle/schema.ts', out: './db/migrations' }\n", id="mjs"),
    ],
)
def test_js_and_mjs_configs_generate_and_check_with_drizzle_kit(example_project: ExampleProject, name: str, text: str) -> None:
    p = example_project
    os.remove(p.root / "drizzle.config.ts")
    _write(p, name, text)
    p.edit("wrangler.jsonc", '"migrations_dir": "drizzle/migrations"', '"migrations_dir": "db/migrations"')

    proc = p.nanoka("generate")
    assert proc.returncode == 0, shown(proc)
    assert f"--config {name}" in proc.stderr, shown(proc)
    assert len(list((p.root / "db" / "migrations").glob("*.sql"))) == 1, shown(proc)

    proc = p.nanoka("check")
    assert proc.returncode == 0, shown(proc)
