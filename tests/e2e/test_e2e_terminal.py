"""In a terminal, drizzle-kit's rename prompt reaches the user through nanoka.

A pseudo-terminal stands in for the user's: nanoka must hand it to
drizzle-kit untouched, so the user can answer "rename" and get a RENAME
migration instead of a drop-and-add.
"""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from tests.e2e.conftest import ExampleProject

pytestmark = pytest.mark.e2e

ARROW_DOWN = b"\x1b[B"
ENTER = b"\r"


def run_in_terminal(project: ExampleProject, args: list[str], answer_when: bytes, keys: list[bytes]) -> tuple[int, str]:
    """Run nanoka on a pty; when ``answer_when`` shows up, type ``keys``. Returns exit code and screen text."""
    primary, secondary = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "nanoka_core", *args],
        cwd=project.root, env=project.env, stdin=secondary, stdout=secondary, stderr=secondary,
    )
    os.close(secondary)
    screen, answered = b"", False
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([primary], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(primary, 4096)
                except OSError:  # the terminal closed: every writer has exited
                    break
                if not chunk:
                    break
                screen += chunk
                if not answered and answer_when in screen:
                    for key in keys:
                        time.sleep(0.3)  # let the prompt library read each key on its own
                        os.write(primary, key)
                    answered = True
            elif proc.poll() is not None:
                break
        return proc.wait(timeout=30), screen.decode("utf-8", errors="replace")
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(primary)


def test_rename_prompt_is_answered_in_a_terminal_and_gives_a_rename_migration(example_project: ExampleProject) -> None:
    first = example_project.nanoka("generate")
    assert first.returncode == 0, first.stderr
    (initial,) = example_project.migrations()
    example_project.edit("app/models.py", '"name": t.string(),', '"fullName": t.string(),')

    code, screen = run_in_terminal(
        example_project, ["generate"], answer_when=b"rename column", keys=[ARROW_DOWN, ENTER]
    )

    assert code == 0, screen
    assert "Is " in screen and "fullName" in screen and "created or renamed" in screen  # the prompt reached us
    new = [name for name in example_project.migrations() if name != initial]
    assert len(new) == 1, screen
    sql = (example_project.migrations_dir / new[0]).read_text()
    assert 'RENAME COLUMN "name" TO "fullName"' in sql
    assert "DROP" not in sql.upper()


def test_in_a_terminal_declared_renames_are_answered_and_the_rest_is_asked(example_project: ExampleProject) -> None:
    first = example_project.nanoka("generate")
    assert first.returncode == 0, first.stderr
    (initial,) = example_project.migrations()
    example_project.edit("app/models.py", '"name": t.string(),', '"fullName": t.string().renamed_from("name"),')
    example_project.edit("app/models.py", 'class Post(Model, table="posts", ', 'class Post(Model, table="articles", ')

    # Only the undeclared table rename reaches the user, who answers "rename".
    code, screen = run_in_terminal(
        example_project, ["generate"], answer_when=b"rename table", keys=[ARROW_DOWN, ENTER]
    )

    assert code == 0, screen
    assert "Is articles table created or renamed from another table?" in screen
    assert "Is fullName column" not in screen  # answered by the declaration, never shown
    assert "drizzle-kit asked about column users.fullName: answered renamed from name" in screen
    new = [name for name in example_project.migrations() if name != initial]
    assert len(new) == 1, screen
    sql = (example_project.migrations_dir / new[0]).read_text()
    assert "ALTER TABLE `posts` RENAME TO `articles`" in sql
    assert 'RENAME COLUMN "name" TO "fullName"' in sql
    assert "DROP TABLE `posts`" not in sql and "DROP COLUMN" not in sql
