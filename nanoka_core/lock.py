"""One nanoka run per project at a time.

Two runs at once could each have drizzle-kit write a migration with the same
number. The lock is an OS lock (``flock``) on the project folder itself: it
creates no file, and it dies with the process, so a killed run never leaves
the project locked.

A tool nanoka starts inherits the lock's descriptor (see ``held_lock_fds``).
An flock belongs to the open file description, not the process, so the lock
is released only when nanoka *and* the tools it started have all exited: a
drizzle-kit left running by a killed nanoka still holds it, and the next run
waits for it instead of writing a migration with the same number.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from nanoka_core.errors import NanokaError

_held: set[int] = set()


def held_lock_fds() -> tuple[int, ...]:
    """Descriptors of the project locks this process holds, for its tools to inherit."""
    return tuple(sorted(_held)) if sys.platform != "win32" else ()


@contextlib.contextmanager
def project_lock(project_dir: Path, *, wait: bool, log: Any) -> Iterator[None]:
    """Hold the project's lock for the block; wait for it (saying so) or fail at once."""
    fd = _open_lock_target(project_dir)
    try:
        if not _try_lock(fd):
            if not wait:
                raise NanokaError(
                    f"another nanoka run is in progress in {project_dir}; "
                    "wait for it to finish (or drop --no-wait to wait automatically)"
                )
            log.info(f"another nanoka run is in progress in {project_dir}; waiting for it to finish")
            _lock(fd)
        _held.add(fd)
        yield
    finally:
        _held.discard(fd)
        os.close(fd)  # releases the lock, unless a tool that inherited it still runs


if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import hashlib
    import msvcrt
    import tempfile
    import time

    def _open_lock_target(project_dir: Path) -> int:
        digest = hashlib.sha256(str(project_dir.resolve()).encode()).hexdigest()[:16]
        return os.open(Path(tempfile.gettempdir()) / f"nanoka-{digest}.lock", os.O_RDWR | os.O_CREAT)

    def _try_lock(fd: int) -> bool:
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _lock(fd: int) -> None:
        while not _try_lock(fd):
            time.sleep(0.2)

else:
    import fcntl

    def _open_lock_target(project_dir: Path) -> int:
        return os.open(project_dir, os.O_RDONLY)

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _lock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_EX)
