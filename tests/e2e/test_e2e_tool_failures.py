"""End to end: drizzle-kit's own failures are nanoka's failures, with its error text.

drizzle-kit 0.31.11 exits 0 after an error of its own. Three real ones,
each on a copy of examples/basic with a row in the local D1, a migration
written but not applied yet, and a model change on top:

* drizzle-orm missing from node_modules (the schema cannot be loaded);
* a TypeScript syntax error in a schema file the drizzle config lists;
* EACCES writing into the migrations folder. The tests run as root, for
  whom permission bits do not count, so nanoka runs without the
  CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH capabilities (dropped from its
  bounding set before exec, as ``setpriv --bounding-set=-dac_override``
  would): the folder's mode 0555 then refuses root too, with a real EACCES.
  drizzle-kit writes the snapshot and the journal into meta/, then fails
  on the .sql file, so the folder claims a migration that does not exist.

Each time: the run fails naming drizzle-kit's error; the second run (the
schema is now unchanged) fails too, naming the error again (or, after
EACCES, the journal entry whose .sql is missing); ``--apply`` fails without applying the
pending migration; after the cause is fixed, ``--apply`` brings the change
to D1 and the row is kept. In a pseudo-terminal, the first run fails too.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.e2e.conftest import BIO_LINE
from tests.e2e.test_e2e_terminal import run_in_terminal

if TYPE_CHECKING:
    from tests.e2e.conftest import ExampleProject

pytestmark = pytest.mark.e2e

AGE_LINE = '    "age": t.integer().optional(),\n'
TIMEOUT = 300
PR_CAPBSET_DROP = 24
CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH = 1, 2


def _report(proc: subprocess.CompletedProcess[str]) -> str:
    return f"exit {proc.returncode}\n--- stdout\n{proc.stdout}\n--- stderr\n{proc.stderr}"


@contextmanager
def drizzle_orm_missing(project: ExampleProject) -> Iterator[None]:
    """node_modules with every package of the shared install but drizzle-orm."""
    link = project.root / "node_modules"
    shared = link.resolve()
    link.unlink()
    link.mkdir()
    for entry in shared.iterdir():
        if entry.name != "drizzle-orm":
            (link / entry.name).symlink_to(entry)
    yield
    shutil.rmtree(link)
    link.symlink_to(shared, target_is_directory=True)


@contextmanager
def schema_file_with_syntax_error(project: ExampleProject) -> Iterator[None]:
    """The drizzle config also lists drizzle/extra.ts, which does not parse."""
    project.edit("drizzle.config.ts", "schema: './drizzle/schema.ts',", "schema: ['./drizzle/schema.ts', './drizzle/extra.ts'],")
    extra = project.root / "drizzle" / "extra.ts"
    extra.write_text("export const broken = (;\n", encoding="utf-8")
    yield
    extra.write_text("export {}\n", encoding="utf-8")


@contextmanager
def migrations_folder_not_writable(project: ExampleProject) -> Iterator[None]:
    meta = project.migrations_dir / "meta"
    journal = (meta / "_journal.json").read_text(encoding="utf-8")
    project.migrations_dir.chmod(0o555)
    yield
    project.migrations_dir.chmod(0o755)
    # Undo what drizzle-kit wrote before it failed: a snapshot and journal entry for a missing .sql.
    (meta / "_journal.json").write_text(journal, encoding="utf-8")
    numbers = {name[:4] for name in project.migrations()}
    for snapshot in meta.glob("*_snapshot.json"):
        if snapshot.name[:4] not in numbers:
            snapshot.unlink()


EXPECTED_TEXT: dict[Callable[[ExampleProject], AbstractContextManager[None]], str] = {
    drizzle_orm_missing: "Cannot find module 'drizzle-orm'",
    schema_file_with_syntax_error: 'extra.ts:1:23: ERROR: Unexpected ";"',
    migrations_folder_not_writable: "EACCES: permission denied",
}
# The second time drizzle-kit meets the same error, except after EACCES: the journal entry it wrote
# claims a migration that is not there, and drizzle-kit sees nothing left to do.
SECOND_RUN_TEXT = {**EXPECTED_TEXT, migrations_folder_not_writable: ".sql is missing"}


def _without_dac_override() -> None:
    """In the child before exec: root loses the capabilities that ignore file modes."""
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH):
        if libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def nanoka(project: ExampleProject, *args: str) -> subprocess.CompletedProcess[str]:
    """``nanoka ARGS``, unable to override file modes even as root."""
    return subprocess.run(
        [sys.executable, "-m", "nanoka_core", *args],
        cwd=project.root,
        env=project.env,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=TIMEOUT,
        preexec_fn=_without_dac_override if os.geteuid() == 0 else None,
    )


def _applied(project: ExampleProject) -> list[str]:
    [rows] = project.d1_local("SELECT name FROM d1_migrations ORDER BY id")
    return [row["name"] for row in rows]


def _columns(project: ExampleProject) -> list[str]:
    [rows] = project.d1_local("PRAGMA table_info(users)")
    return [row["name"] for row in rows]


@pytest.fixture
def pending_change(make_example_project: Callable[..., ExampleProject], bio_pending_example: Path) -> ExampleProject:
    """Applied 0000 with a row in users, 0001 (bio) written not applied, and age added to the model."""
    p = make_example_project("example", start=bio_pending_example)
    p.edit("app/models.py", BIO_LINE, BIO_LINE + AGE_LINE)
    return p


@pytest.mark.parametrize("breakage", list(EXPECTED_TEXT), ids=lambda b: b.__name__)
def test_drizzle_kit_failure_fails_every_run_and_apply_applies_nothing(
    pending_change: ExampleProject, breakage: Callable[[ExampleProject], AbstractContextManager[None]]
) -> None:
    p = pending_change
    written = p.migrations()
    with breakage(p):
        first = nanoka(p, "generate")
        assert first.returncode == 1, _report(first)
        assert "stage 'drizzle-kit' failed" in first.stderr
        assert "drizzle-kit said:" in first.stderr and EXPECTED_TEXT[breakage] in first.stderr, _report(first)
        assert "needs an answer" not in first.stderr  # not mistaken for drizzle-kit's rename prompt

        second = nanoka(p, "generate", "--apply")  # the schema is unchanged now
        assert second.returncode == 1, _report(second)
        assert SECOND_RUN_TEXT[breakage] in second.stderr, _report(second)
        assert "wrangler" not in second.stderr
        assert p.migrations() == written

    assert len(_applied(p)) == 1  # the pending 0001 was not applied
    assert "bio" not in _columns(p)
    fixed = p.nanoka("generate", "--apply")
    assert fixed.returncode == 0, _report(fixed)
    assert len(p.migrations()) == 3 and len(_applied(p)) == 3
    assert {"bio", "age"} <= set(_columns(p))
    [rows] = p.d1_local("SELECT name FROM users")
    assert rows == [{"name": "Ann"}]


def test_drizzle_kit_failure_in_a_terminal_fails(pending_change: ExampleProject) -> None:
    p = pending_change
    written = p.migrations()
    with drizzle_orm_missing(p):
        for _ in range(2):  # the second time the schema is unchanged
            code, screen = run_in_terminal(p, ["generate"], answer_when=b"\0 never", keys=[])
            assert code == 1, screen
            assert "Cannot find module 'drizzle-orm'" in screen
            assert "stage 'drizzle-kit' failed" in screen and "drizzle-kit said:" in screen
    assert p.migrations() == written
