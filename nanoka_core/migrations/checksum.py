"""The migrations' own checksum: ``nanoka.sum`` beside the migrations, after Atlas's ``atlas.sum``.

One line per migration (its SHA-256) and a first line over all of them, so
that a migration edited after it was written, a file added or removed by
hand, or two branches that each added a migration (git then conflicts on
the first line) are found before anything is applied.

A ``--custom`` migration is written empty on purpose; its line says
``unsealed`` until nanoka first applies it, and its hash is taken from the
file as it is then. So write, edit, apply needs no extra step, and from the
first apply on, an edit is reported like any other.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import re
from collections.abc import Iterable
from pathlib import Path

SUM_NAME = "nanoka.sum"
UNSEALED = "unsealed"
_LINE = re.compile(r"(?P<name>\S+\.sql) (?P<hash>h1:\S+)(?: (?P<state>unsealed))?\Z")
_NUMBERED = re.compile(r"(\d+)_")


@dataclasses.dataclass(frozen=True)
class SumEntry:
    name: str
    hash: str
    unsealed: bool = False

    def line(self) -> str:
        return f"{self.name} {self.hash}" + (f" {UNSEALED}" if self.unsealed else "")


@dataclasses.dataclass(frozen=True)
class SumFile:
    total: str
    entries: dict[str, SumEntry]


def file_hash(path: Path) -> str:
    """SHA-256 of the file without its ``-- nanoka: allow`` lines: accepting a finding is not an edit."""
    from nanoka_core.migrations.d1_lint import ALLOW_LINE

    data = ALLOW_LINE.sub(b"", path.read_bytes())
    return "h1:" + base64.b64encode(hashlib.sha256(data).digest()).decode()


def total_hash(entries: Iterable[SumEntry]) -> str:
    lines = "".join(f"{e.name} {e.hash}\n" for e in sorted(entries, key=lambda e: e.name))
    return "h1:" + base64.b64encode(hashlib.sha256(lines.encode()).digest()).decode()


def migration_files(folder: Path) -> list[str]:
    """The ``.sql`` files wrangler would apply from ``folder``, by name."""
    return sorted(p.name for p in folder.glob("*.sql")) if folder.is_dir() else []


class SumReadError(ValueError):
    """The sum file cannot be read; the message says why and what to do."""


def read_sum(folder: Path) -> SumFile | None:
    """The folder's sum file, None when there is none."""
    path = folder / SUM_NAME
    if not path.is_file():
        return None
    text = path.read_text(encoding="utf-8")
    if re.search(r"^(<{7}|={7}|>{7})", text, re.M):
        raise SumReadError(
            f"{path} has git conflict markers: two branches each added a migration. Keep the one "
            "already merged, delete yours (its .sql, its snapshot in meta/ and its journal entry), run "
            "nanoka generate to write it again on top, then commit"
        )
    lines = text.splitlines()
    if not lines or not lines[0].startswith("h1:"):
        raise SumReadError(f"{path} does not start with the h1: line over all migrations: run nanoka hash")
    entries = {}
    for number, line in enumerate(lines[1:], start=2):
        match = _LINE.match(line)
        if match is None:
            raise SumReadError(f"{path} line {number} is not 'NAME.sql h1:HASH': run nanoka hash")
        entries[match["name"]] = SumEntry(match["name"], match["hash"], match["state"] == UNSEALED)
    return SumFile(lines[0].strip(), entries)


def write_sum(folder: Path, entries: Iterable[SumEntry]) -> None:
    from nanoka_core.files import write_text_atomic

    ordered = sorted(entries, key=lambda e: e.name)
    text = "".join(f"{line}\n" for line in [total_hash(ordered), *(e.line() for e in ordered)])
    write_text_atomic(folder / SUM_NAME, text)


def record(folder: Path, new: Iterable[str], *, unsealed: bool = False) -> None:
    """Add the migrations ``new`` to the sum (every migration when there is no sum yet).

    Entries already there keep their hash: an earlier migration edited by
    hand stays reported, it is not silently accepted here.
    """
    current = read_sum(folder)
    entries = dict(current.entries) if current is not None else {}
    names = set(new) if current is not None else set(migration_files(folder))
    for name in names:
        path = folder / name
        if path.is_file():
            entries[name] = SumEntry(name, file_hash(path), unsealed and name in set(new))
    write_sum(folder, entries.values())


def seal(folder: Path, names: Iterable[str]) -> list[str]:
    """Take the hash of each unsealed migration among ``names`` as it is now; the sealed names."""
    current = read_sum(folder)
    if current is None:
        return []
    wanted = set(names)
    entries = dict(current.entries)
    sealed = []
    for name, entry in current.entries.items():
        if entry.unsealed and name in wanted and (folder / name).is_file():
            entries[name] = SumEntry(name, file_hash(folder / name))
            sealed.append(name)
    if sealed:
        write_sum(folder, entries.values())
    return sealed


def rehash(folder: Path) -> list[str]:
    """``nanoka hash``: the sum written afresh from the files, all sealed; the names whose line changed."""
    try:
        current = read_sum(folder)
    except SumReadError:
        current = None
    old = current.entries if current is not None else {}
    entries = [SumEntry(name, file_hash(folder / name)) for name in migration_files(folder)]
    write_sum(folder, entries)
    changed = [e.name for e in entries if old.get(e.name) != e]
    return changed + sorted(set(old) - {e.name for e in entries})


def sum_problems(folder: Path) -> tuple[list[str], list[str]]:
    """(problems, notes) of the folder against its sum; problems refuse ``--apply`` and fail ``check``."""
    files = migration_files(folder)
    try:
        current = read_sum(folder)
    except SumReadError as e:
        return [str(e)], []
    if current is None:
        note = f"no {SUM_NAME} in {folder}: run nanoka hash to start checking the migrations against edits"
        return [], [note] if files else []
    path = folder / SUM_NAME
    problems: list[str] = []
    notes: list[str] = []
    if total_hash(current.entries.values()) != current.total:
        problems.append(
            f"{path} was edited by hand (its first line does not match its migrations' lines; "
            "lines merged from two branches do this): check the migrations, then run nanoka hash"
        )
    by_number: dict[str, list[str]] = {}
    for name in current.entries:
        match = _NUMBERED.match(name)
        if match:
            by_number.setdefault(match[1], []).append(name)
    for number, names in sorted(by_number.items()):
        if len(names) > 1:
            problems.append(
                f"{path} lists {' and '.join(sorted(names))} with the same number {number} (two branches "
                "each added a migration): delete the later one with its snapshot and journal entry, run "
                "nanoka generate to write it again on top of the other, then nanoka hash"
            )
    for name in files:
        entry = current.entries.get(name)
        if entry is None:
            problems.append(
                f"{name} is not in {SUM_NAME}: added by hand, or written without nanoka. If it belongs, "
                "run nanoka hash; else delete it"
            )
        elif entry.hash != file_hash(folder / name):
            if entry.unsealed:
                notes.append(f"{name}: --custom migration edited since it was written; its hash is taken "
                             "when nanoka first applies it")
            else:
                problems.append(
                    f"{name} was edited after it was written (its hash differs from {SUM_NAME}). A database "
                    "that applied it has the old version: restore the file from version control and put "
                    "the change in a new migration (nanoka generate --custom NAME); if the edit is "
                    "deliberate and never applied anywhere, run nanoka hash"
                )
    for name in sorted(set(current.entries) - set(files)):
        problems.append(f"{name} is in {SUM_NAME} but not in {folder}: restore it, or run nanoka hash")
    return problems, notes
