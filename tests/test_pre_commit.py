"""The hooks in .pre-commit-hooks.yaml, run by the real pre-commit in a throwaway git repository.

pre-commit installs nanoka from a git clone of this checkout (its working
tree as it is now, committed in the clone), exactly as it would from GitHub.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.conftest import REPO

# One worker runs both tests, so pre-commit builds its hook environment once (module fixtures).
pytestmark = pytest.mark.xdist_group("pre-commit")

MODELS_V1 = """\
from nanoka_core import define_model, t

User = define_model("users", {"id": t.uuid().primary(), "email": t.string()})
"""
MODELS_V2 = MODELS_V1.replace('"email": t.string()', '"email": t.string(), "name": t.string()')


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=nanoka tests", "-c", "user.email=tests@nanoka.invalid", *args],
        cwd=cwd, capture_output=True, text=True, check=True, stdin=subprocess.DEVNULL,
    )
    return done.stdout


def snapshot_of_this_checkout(dest: Path) -> str:
    """A git repository holding this checkout's files as they are now; returns its commit."""
    dest.mkdir()
    git(dest, "init", "--quiet", "--initial-branch", "main")
    listed = git(REPO, "ls-files", "--cached", "--others", "--exclude-standard", "-z").split("\0")
    for name in filter(None, listed):
        source = REPO / name
        if source.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name)
    git(dest, "add", "--all")
    git(dest, "commit", "--quiet", "-m", "snapshot")
    return git(dest, "rev-parse", "HEAD").strip()


@pytest.fixture(scope="module")
def nanoka_source(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """(folder, commit) of a git snapshot of this checkout, branch ``main``."""
    folder = tmp_path_factory.mktemp("nanoka-git") / "nanoka"
    return folder, snapshot_of_this_checkout(folder)


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """pre-commit's cache, private to this module (the hook environment is built once)."""
    return {"PRE_COMMIT_HOME": str(tmp_path_factory.mktemp("pre-commit-home"))}


def pre_commit(project: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    executable = Path(sys.executable).parent / "pre-commit"
    return subprocess.run(
        [str(executable), *args],
        cwd=project,
        env={**os.environ, **env, "NO_COLOR": "1"},
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=900,
    )


def test_nanoka_hooks_through_pre_commit(
    tmp_path: Path, pre_commit_home: dict[str, str], nanoka_source: tuple[Path, str]
) -> None:
    source, rev = nanoka_source
    project = tmp_path / "shop"
    project.mkdir()
    git(project, "init", "--quiet")
    (project / "nanoka.toml").write_text('models = ["app.models"]\n')
    (project / "app").mkdir()
    (project / "app" / "__init__.py").write_text("")
    (project / "app" / "models.py").write_text(MODELS_V1)
    (project / ".pre-commit-config.yaml").write_text(textwrap.dedent(f"""\
        repos:
          - repo: {source}
            rev: {rev}
            hooks:
              - id: nanoka-generate
              - id: nanoka-check
    """))
    git(project, "add", "--all")

    # No schema yet: generate writes it, check (run after it) then passes.
    first = pre_commit(project, pre_commit_home, "run", "--all-files")
    assert first.returncode == 0, first.stdout + first.stderr
    assert "nanoka generate --no-migrate" in first.stdout and "nanoka check" in first.stdout
    schema = project / "drizzle" / "schema.ts"
    assert "export const users" in schema.read_text()
    git(project, "add", "--all")
    git(project, "commit", "--quiet", "-m", "schema", "--no-verify")

    # A model change committed without regenerating: check fails and says what to do.
    (project / "app" / "models.py").write_text(MODELS_V2)
    git(project, "add", "app/models.py")
    stale = pre_commit(project, pre_commit_home, "run", "nanoka-check")
    assert stale.returncode == 1
    assert "is not what the models give: run nanoka generate" in stale.stdout
    # generate rewrites the schema, which pre-commit reports as a failure to re-stage.
    regenerated = pre_commit(project, pre_commit_home, "run", "nanoka-generate")
    assert regenerated.returncode == 1
    assert "files were modified by this hook" in regenerated.stdout
    assert "name: text('name').notNull()" in schema.read_text()
    git(project, "add", "--all")
    settled = pre_commit(project, pre_commit_home, "run")
    assert settled.returncode == 0, settled.stdout + settled.stderr
    assert not (project / "drizzle" / "migrations").exists()  # schema only: no migrations


def test_readme_workflow_installs_nanoka_from_git(tmp_path: Path, nanoka_source: tuple[Path, str]) -> None:
    """The GitHub Actions example's install step, pointed at a local git repository instead of GitHub."""
    import yaml  # comes with pre-commit

    readme = (REPO / "README.md").read_text()
    workflow = re.search(r"```yaml\n(# \.github/workflows/schema\.yml\n.*?)```", readme, re.S)
    assert workflow is not None
    steps = yaml.safe_load(workflow.group(1))["jobs"]["check"]["steps"]
    (install,) = [step["run"] for step in steps if "pip install" in step.get("run", "")]
    assert "git+https://github.com/YOUR-ORG/nanoka@main" in install
    source, _ = nanoka_source
    argv = shlex.split(install.replace("https://github.com/YOUR-ORG/nanoka", f"file://localhost{source}"))
    venv = tmp_path / "ci-venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    done = subprocess.run(
        [str(venv / "bin" / "python"), "-m", *argv, "--quiet", "--disable-pip-version-check"],
        capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=900,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    version = subprocess.run([str(venv / "bin" / "nanoka"), "--version"], capture_output=True, text=True)
    assert version.stdout.startswith("nanoka, version ")
    assert "run: nanoka check" in workflow.group(1)
