"""The drizzle-kit fingerprint: what it covers, when it declines, what it trusts.

The end-to-end proof that a changed input makes the real drizzle-kit run
again is tests/e2e/test_e2e_cache.py; these cover the fingerprint itself. The
config is evaluated by Node through the example's real drizzle-kit (linked
into each project), as nanoka reads it in a real run.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import nanoka_core
from nanoka_core.drizzle import cache

EXAMPLE_DRIZZLE_KIT = Path(__file__).parents[1] / "examples" / "basic" / "node_modules" / "drizzle-kit"

CONFIG = """import { defineConfig } from 'drizzle-kit'
export default defineConfig({
  dialect: 'sqlite',
  schema: './drizzle/schema.ts',
  out: './drizzle/migrations',
})
"""
COMMAND = ["drizzle-kit", "generate", "--config", "drizzle.config.ts"]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "drizzle.config.ts").write_text(CONFIG)
    (tmp_path / "drizzle" / "migrations" / "meta").mkdir(parents=True)
    (tmp_path / "drizzle" / "schema.ts").write_text("// schema\n")
    (tmp_path / "drizzle" / "migrations" / "0000_a.sql").write_text("CREATE TABLE a (x);\n")
    (tmp_path / "drizzle" / "migrations" / "meta" / "_journal.json").write_text("{}\n")
    if not (EXAMPLE_DRIZZLE_KIT / "package.json").is_file():
        pytest.fail(f"{EXAMPLE_DRIZZLE_KIT} is missing: run `python3 dev.py test` (it runs npm ci there)", pytrace=False)
    (tmp_path / "node_modules").mkdir()
    # drizzle-kit alone (its own dependencies resolve from where it really is): drizzle-orm stays absent
    (tmp_path / "node_modules" / "drizzle-kit").symlink_to(EXAMPLE_DRIZZLE_KIT, target_is_directory=True)
    return tmp_path


def _fingerprint(project: Path) -> dict[str, str] | None:
    return cache.fingerprint(
        project, project / "drizzle.config.ts", project / "drizzle" / "schema.ts", COMMAND
    )


def test_recorded_fingerprint_matches_until_any_input_changes(project: Path) -> None:
    inputs = _fingerprint(project)
    assert inputs is not None
    assert not cache.matches(project, inputs)
    cache.record(project, inputs)
    assert cache.matches(project, inputs)
    assert (project / ".nanoka_cache" / ".gitignore").read_text().splitlines()[-1] == "*"
    (project / "drizzle" / "migrations" / "meta" / "_journal.json").write_text("{ }\n")
    changed = _fingerprint(project)
    assert changed is not None and not cache.matches(project, changed)
    assert cache.changed_inputs(project, changed) == ["migrations/meta/_journal.json"]


def test_another_nanoka_version_does_not_match(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    inputs = _fingerprint(project)
    assert inputs is not None
    cache.record(project, inputs)
    monkeypatch.setattr(cache, "__version__", "99.0.0")
    later = _fingerprint(project)
    assert later is not None and later["nanoka"] == "99.0.0" != nanoka_core.__version__
    assert not cache.matches(project, later)


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        '{"format": 1, "inputs": {}}',
        '{"format": 1, "fingerprint": "x", "inputs": []}',
        "[]",
    ],
)
def test_a_corrupt_record_is_never_trusted(project: Path, text: str) -> None:
    inputs = _fingerprint(project)
    assert inputs is not None
    cache.record(project, inputs)
    (project / ".nanoka_cache" / "drizzle-kit.json").write_text(text)
    assert not cache.matches(project, inputs)


def test_a_hand_edited_record_is_never_trusted(project: Path) -> None:
    inputs = _fingerprint(project)
    assert inputs is not None
    cache.record(project, {**inputs, "schema": "0" * 64})
    path = project / ".nanoka_cache" / "drizzle-kit.json"
    document = json.loads(path.read_text())
    document["inputs"] = inputs  # now equal to the real inputs, but not what was recorded
    path.write_text(json.dumps(document))
    assert not cache.matches(project, inputs)


@pytest.mark.parametrize(
    "config",
    [
        CONFIG.replace("'./drizzle/schema.ts'", "'./drizzle/*.ts'"),
        CONFIG.replace("'./drizzle/schema.ts'", "['./drizzle/schema.ts', './drizzle/*.ts']"),
        CONFIG.replace("'./drizzle/schema.ts'", "'./drizzle'"),
        CONFIG.replace("'./drizzle/migrations'", "`./${folder}`"),
        CONFIG.replace("'./drizzle/migrations'", "42"),
    ],
    ids=["schema-glob", "schema-list-with-glob", "schema-folder", "config-throws", "out-not-a-string"],
)
def test_no_fingerprint_when_what_drizzle_kit_reads_is_unknown(project: Path, config: str) -> None:
    (project / "drizzle.config.ts").write_text(config)
    assert _fingerprint(project) is None


def test_the_config_is_read_as_drizzle_kit_reads_it(project: Path) -> None:
    """Comments are ignored, a list of paths is a list: no pattern-matching of TypeScript."""
    (project / "drizzle" / "extra.ts").write_text("// extra\n")
    (project / "drizzle.config.ts").write_text(
        CONFIG.replace("'./drizzle/schema.ts'", "['./drizzle/schema.ts', './drizzle/extra.ts']")
        + "// schema: './other.ts'\n"
    )
    inputs = _fingerprint(project)
    assert inputs is not None
    assert {k for k in inputs if k.startswith("schema:")} == {"schema:./drizzle/schema.ts", "schema:./drizzle/extra.ts"}
    cache.record(project, inputs)
    (project / "drizzle" / "extra.ts").write_text("// extra, changed\n")
    changed = _fingerprint(project)
    assert changed is not None and cache.changed_inputs(project, changed) == ["schema:./drizzle/extra.ts"]


def test_an_environment_variable_the_config_reads_is_an_input(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (project / "drizzle.config.ts").write_text(
        CONFIG.replace("'./drizzle/migrations'", "process.env.NANOKA_TEST_OUT ?? './drizzle/migrations'")
    )
    monkeypatch.delenv("NANOKA_TEST_OUT", raising=False)
    inputs = _fingerprint(project)
    assert inputs is not None and inputs["env:NANOKA_TEST_OUT"] == "null"
    cache.record(project, inputs)
    monkeypatch.setenv("NANOKA_TEST_OUT", "./drizzle/migrations")  # same folder, other environment
    later = _fingerprint(project)
    assert later is not None and not cache.matches(project, later)
    assert cache.changed_inputs(project, later) == ["env:NANOKA_TEST_OUT"]


def test_a_file_the_config_imports_is_an_input(project: Path) -> None:
    (project / "paths.ts").write_text("export const out = './drizzle/migrations'\n")
    (project / "drizzle.config.ts").write_text(
        "import { out } from './paths'\n" + CONFIG.replace("'./drizzle/migrations'", "out")
    )
    inputs = _fingerprint(project)
    assert inputs is not None
    cache.record(project, inputs)
    (project / "paths.ts").write_text("export const out = './drizzle/migrations' // same folder\n")
    later = _fingerprint(project)
    assert later is not None and not cache.matches(project, later)
    assert cache.changed_inputs(project, later) == [f"config-file:{project / 'paths.ts'}"]


def test_no_fingerprint_without_an_installed_drizzle_kit(project: Path) -> None:
    (project / "node_modules" / "drizzle-kit").unlink()
    assert _fingerprint(project) is None


def test_no_fingerprint_for_a_config_outside_the_working_folder(project: Path) -> None:
    (project / "sub").mkdir()
    moved = project / "sub" / "drizzle.config.ts"
    (project / "drizzle.config.ts").rename(moved)
    assert cache.fingerprint(project, moved, project / "drizzle" / "schema.ts", COMMAND) is None


def test_drizzle_kit_is_found_in_a_parent_folder_as_node_finds_it(project: Path) -> None:
    app = project / "app"
    app.mkdir()
    (app / "drizzle.config.ts").write_text(CONFIG)
    (app / "drizzle").mkdir()
    (app / "drizzle" / "schema.ts").write_text("// schema\n")
    inputs = cache.fingerprint(app, app / "drizzle.config.ts", app / "drizzle" / "schema.ts", COMMAND)
    assert inputs is not None and inputs["drizzle-orm"] == "absent"
