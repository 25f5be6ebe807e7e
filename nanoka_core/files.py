"""Writing generated files so that a crash never leaves half a file."""

from __future__ import annotations

import glob
import os
from pathlib import Path


def write_text_atomic(path: Path, text: str) -> bool:
    """Write ``text`` to ``path`` unless it already holds exactly that.

    The new content goes to a temporary file in the same folder, is flushed
    to disk, then renamed over ``path``: readers see the old file or the new
    one, never a mix. Temporary files left by a killed run are removed first,
    also when nothing changed (the project lock keeps two writers apart).
    Returns whether the file changed.
    """
    data = text.encode("utf-8")
    for leftover in path.parent.glob(f".{glob.escape(path.name)}.*.tmp"):  # from a killed run
        leftover.unlink(missing_ok=True)
    try:
        if path.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.urandom(4).hex()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)  # the umask applies, as for open()
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o7777)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return True


def display_path(path: Path) -> str:
    """Relative to the working directory when inside it, as people type paths."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)
