"""Pre-flight lint: what D1 refuses or mishandles in a migration that SQLite takes.

A migration can pass on the local D1 and fail half-way on Cloudflare (or the
other way round). Each finding has a stable code, in the family of the
data-loss guard's (``migration_risks``): D1 codes. Errors refuse ``--apply``
before wrangler runs, local and remote alike (a migration that works only
locally is a trap); a warning is reported only. A migration accepts a
finding on purpose with a line ``-- nanoka: allow D1102`` (several codes may
follow, separated by spaces or commas).

Statements are split as SQLite itself reads them (``sqlite3.complete_statement``),
and also as wrangler 4.85 splits them before a local apply (a faithful port
of ``packages/wrangler/src/d1/splitter.ts``): where the two disagree, the
local D1 runs something other than the file says.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from pathlib import Path

STATEMENT_LIMIT = 100_000
"""D1's maximum SQL statement length, in bytes (UTF-8)."""
COLUMN_LIMIT = 100
"""D1's maximum number of columns per table."""

LEDGER_INSERT = (
    "\n\t\t\t\t\t\t\t\tINSERT INTO d1_migrations (name)\n\t\t\t\t\t\t\t\tvalues ('x.sql');\n\t\t\t\t\t\t"
)
"""What ``wrangler d1 migrations apply`` appends to each migration before it splits and runs it."""

ERROR = "error"
WARNING = "warning"


@dataclasses.dataclass(frozen=True)
class LintKind:
    code: str
    level: str
    title: str
    safe_way: str


_KINDS = [
    LintKind(
        "D1101",
        ERROR,
        f"statement longer than D1's {STATEMENT_LIMIT:,} bytes (SQLITE_TOOBIG)",
        "split it: several INSERTs of a few hundred rows each, or load bulk data with "
        "`wrangler d1 execute --file` outside the migrations",
    ),
    LintKind(
        "D1102",
        ERROR,
        "transaction statement: D1 runs each migration in its own transaction and refuses "
        "BEGIN/COMMIT/SAVEPOINT on remote (wrangler strips only `BEGIN TRANSACTION;`/`COMMIT;` locally)",
        "remove it: the whole file already applies or rolls back as one",
    ),
    LintKind(
        "D1103",
        ERROR,
        "trigger body that wrangler or D1 splits at the wrong `;` (incomplete input)",
        "write BEGIN and END in capitals, use LF line endings, and move CASE ... END logic "
        "into the trigger's WHEN clause",
    ),
    LintKind(
        "D1104",
        WARNING,
        "PRAGMA foreign_keys outside drizzle-kit's rebuild: D1 ignores it inside a migration "
        "(foreign keys stay enforced)",
        "drop it, and order the statements so that every foreign key holds after each one "
        "(or use PRAGMA defer_foreign_keys = on)",
    ),
    LintKind(
        "D1105",
        ERROR,
        f"table with more than D1's {COLUMN_LIMIT} columns",
        "split the table in two, joined one-to-one",
    ),
    LintKind(
        "D1106",
        ERROR,
        "statement D1 does not authorise (ATTACH, DETACH, temporary objects)",
        "use ordinary tables in the one database; drop them in the same migration if they are scratch",
    ),
]
KINDS = {kind.code: kind for kind in _KINDS}


@dataclasses.dataclass(frozen=True)
class Finding:
    code: str
    migration: str
    """The migration's file name (``0001_x.sql``)."""
    line: int
    """Where the statement starts in the file, from 1."""
    reason: str

    @property
    def kind(self) -> LintKind:
        return KINDS[self.code]

    @property
    def is_error(self) -> bool:
        return self.kind.level == ERROR

    def text(self) -> str:
        return f"{self.code} line {self.line}: {self.reason}"

    def as_json(self) -> dict[str, object]:
        return {
            "code": self.code,
            "level": self.kind.level,
            "migration": self.migration,
            "statement_line": self.line,
            "reason": self.reason,
            "why": self.kind.title,
            "safe_way": self.kind.safe_way,
        }


_ALLOW = re.compile(r"^\s*--\s*nanoka:\s*allow\s+(?P<codes>[A-Za-z0-9, \t]+?)\s*$", re.M)
ALLOW_LINE = re.compile(rb"^[ \t]*--[ \t]*nanoka:[ \t]*allow[ \t][^\n]*(?:\n|\Z)", re.M)
"""An allow line as bytes, for the checksum (``migrations.checksum``), which leaves such lines out."""
_LEADING_NOISE = re.compile(r"\A(?:\s+|--[^\n]*(?:\n|\Z)|/\*.*?(?:\*/|\Z))*", re.S)
_TRANSACTION = {"BEGIN", "COMMIT", "END", "ROLLBACK", "SAVEPOINT", "RELEASE"}
_WORD = re.compile(r"[A-Za-z_]+")


def allowed_codes(text: str) -> set[str]:
    """The codes a migration accepts with ``-- nanoka: allow CODE`` lines."""
    found = (re.split(r"[\s,]+", match["codes"]) for match in _ALLOW.finditer(text))
    return {code.upper() for codes in found for code in codes if code}


def lint_file(path: Path) -> list[Finding]:
    """Every finding in one migration file, allowed ones left out."""
    text = path.read_bytes().decode("utf-8", errors="replace")
    allowed = allowed_codes(text)
    return [f for f in lint_text(path.name, text) if f.code not in allowed]


def lint_text(name: str, text: str) -> list[Finding]:
    """Every finding in a migration's text, in file order (allow lines not applied)."""
    findings: list[Finding] = []
    statements = list(sqlite_statements(text))
    for line, sql in statements:
        size = len(_LEADING_NOISE.sub("", sql).rstrip().encode("utf-8"))
        if size > STATEMENT_LIMIT:
            reason = f"the statement is {size:,} bytes (D1 takes {STATEMENT_LIMIT:,})"
            findings.append(Finding("D1101", name, line, reason))
        words = _WORD.findall(_LEADING_NOISE.sub("", sql)[:200].upper())
        first = words[0] if words else ""
        if first in _TRANSACTION:
            findings.append(Finding("D1102", name, line, f"{' '.join(words[:2])} inside a migration"))
        elif first in ("ATTACH", "DETACH") or words[:2] in (["CREATE", "TEMP"], ["CREATE", "TEMPORARY"]):
            findings.append(Finding("D1106", name, line, f"{' '.join(words[:3])}: D1 answers SQLITE_AUTH"))
        elif words[:2] == ["CREATE", "TRIGGER"]:
            findings.extend(_trigger_findings(name, line, sql))
        elif words[:2] == ["CREATE", "TABLE"]:
            columns = _column_count(sql)
            if columns > COLUMN_LIMIT:
                findings.append(Finding("D1105", name, line, f"{columns} columns (D1 takes {COLUMN_LIMIT})"))
    findings.extend(_pragma_findings(name, statements))
    findings.extend(_split_findings(name, text, statements))
    return sorted(findings, key=lambda f: (f.line, f.code))


def sqlite_statements(text: str) -> Iterator[tuple[int, str]]:
    """(first line, statement) as SQLite reads the script, comments kept, empty ones left out."""
    import sqlite3

    current, start = "", 0
    offset = 0
    for piece in text.split(";"):
        current += piece + ";"
        if sqlite3.complete_statement(current):
            yield from _statement_at(text, start, current)
            start = offset + len(piece) + 1
            current = ""
        offset += len(piece) + 1
    if current:
        yield from _statement_at(text, start, current[:-1])


def _statement_at(text: str, start: int, sql: str) -> Iterator[tuple[int, str]]:
    body = _LEADING_NOISE.sub("", sql)
    if body.strip(" \t\r\n;"):
        begins = start + len(sql) - len(body)
        yield text.count("\n", 0, begins) + 1, sql


def _trigger_findings(name: str, line: int, sql: str) -> list[Finding]:
    """What D1's remote splitter is known to cut wrongly (workers-sdk #14991, #15314, #4326)."""
    reasons = []
    if "\r" in sql:
        reasons.append("CRLF line endings in a trigger body")
    body = re.search(r"\bbegin\b(?P<body>.*)\bend\b", sql, re.I | re.S)
    if body is not None:
        keywords = re.findall(r"\b(?:begin|end)\b", _without_literals(sql), re.I)
        if any(k != k.upper() for k in keywords):
            reasons.append("BEGIN/END not in capitals")
        if re.search(r"\bcase\b", _without_literals(body["body"]), re.I):
            reasons.append("CASE ... END inside the trigger's BEGIN ... END")
    return [Finding("D1103", name, line, reason) for reason in reasons]


def _without_literals(sql: str) -> str:
    return re.sub(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|`[^`]*`|--[^\n]*|/\*.*?\*/", " ", sql, flags=re.S)


def _column_count(sql: str) -> int:
    """Top-level comma-separated definitions in ``CREATE TABLE (...)`` that are not table constraints."""
    body = _without_literals(sql)
    opening = body.find("(")
    if opening < 0:
        return 0
    depth, parts, current = 0, [], ""
    for char in body[opening + 1 :]:
        if char == "(":
            depth += 1
        elif char == ")":
            if depth == 0:
                break
            depth -= 1
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    constraint = re.compile(r"\s*(CONSTRAINT|PRIMARY|UNIQUE|CHECK|FOREIGN)\b", re.I)
    return sum(1 for part in parts if part.strip() and not constraint.match(part))


def _pragma_findings(name: str, statements: list[tuple[int, str]]) -> list[Finding]:
    """PRAGMA foreign_keys, unless it frames drizzle-kit's ``__new_`` table rebuild."""
    findings = []
    pragma = re.compile(r"\s*PRAGMA\s+foreign_keys\s*=\s*(\w+)", re.I)
    rebuild = re.compile(r"\s*CREATE\s+TABLE\s+[`\"\[]?__new_", re.I)
    bodies = [(line, _LEADING_NOISE.sub("", sql)) for line, sql in statements]
    for i, (line, sql) in enumerate(bodies):
        match = pragma.match(sql)
        if match is None:
            continue
        if match[1].upper() in ("OFF", "0", "FALSE", "NO"):
            end = next((j for j in range(i + 1, len(bodies)) if pragma.match(bodies[j][1])), len(bodies))
            framed = any(rebuild.match(s) for _, s in bodies[i + 1 : end])
        else:
            start = next((j for j in range(i - 1, -1, -1) if pragma.match(bodies[j][1])), -1)
            framed = start >= 0 and any(rebuild.match(s) for _, s in bodies[start + 1 : i])
        if not framed:
            findings.append(Finding("D1104", name, line, f"PRAGMA foreign_keys={match[1]}"))
    return findings


def _split_findings(name: str, text: str, statements: list[tuple[int, str]]) -> list[Finding]:
    """The file as wrangler 4.85 splits it for a local apply, against SQLite's own reading.

    wrangler appends its ledger INSERT to the file and strips one
    ``BEGIN TRANSACTION;`` and one ``COMMIT;`` before splitting (D1102 covers those).
    """
    if "BEGIN TRANSACTION" in text:
        text = text.replace("BEGIN TRANSACTION;", "", 1).replace("COMMIT;", "", 1)
        statements = list(sqlite_statements(text))
    pieces = wrangler_split(text + LEDGER_INSERT)
    if len(pieces) == len(statements) + 1 and all(_complete(piece) for piece in pieces):
        return []
    cut = next((p for p in pieces if not _complete(p)), None)
    trigger = next((line for line, sql in statements if "TRIGGER" in sql.upper()), None)
    where = trigger or (statements[-1][0] if statements else 1)
    detail = (
        f"it cuts a statement to {' '.join(cut.split())[:80]!r}"
        if cut
        else "it runs two statements as one (is the last statement missing its `;`?)"
    )
    return [
        Finding(
            "D1103",
            name,
            where,
            f"wrangler 4.85 splits the file into {len(pieces) - 1} statements where SQLite reads "
            f"{len(statements)}: {detail}",
        )
    ]


def _complete(sql: str) -> bool:
    import sqlite3

    return sqlite3.complete_statement(sql + ";")


def wrangler_split(sql: str) -> list[str]:
    """``splitSqlIntoStatements`` of wrangler 4.85 (src/d1/splitter.ts), character for character.

    wrangler runs it on a migration before a local apply; only when the
    file holds a ``;`` before its last character does it split at all.
    """
    trimmed = sql.rstrip()
    first = trimmed.find(";")
    if first == -1 or first == len(trimmed) - 1:
        return [sql]
    statements: list[str] = []
    current = ""
    compound: list[bool] = []
    i, n = 0, len(sql)
    while i < n:
        char = sql[i]
        if compound and _compound_end(current[-5:] + char):
            compound.pop(0)
        if char in "'\"`":
            end = sql.find(char, i + 1)
            end = n if end < 0 else end + 1
            current += sql[i:end]
            i = end
        elif char == "$":
            j = i + 1
            ident = "$"
            while j < n:
                ident += sql[j]
                j += 1
                if not _dollar_identifier(ident[1:]):
                    break
            current += ident
            i = j
            if ident.endswith("$"):
                end = sql.find(ident, i)
                end = n if end < 0 else end + len(ident)
                current += sql[i:end]
                i = end
        elif char == "-" and sql.startswith("--", i):
            end = sql.find("\n", i + 2)
            i = n if end < 0 else end + 1
            current += "\n"
        elif char == "/" and sql.startswith("/*", i):
            end = sql.find("*/", i + 2)
            i = n if end < 0 else end + 2
        elif char == ";" and not compound:
            statements.append(current)
            current = ""
            i += 1
        else:
            current += char
            i += 1
        if _COMPOUND_START.search(current[-7:]):
            compound.insert(0, True)
    statements.append(current)
    return [s.strip() for s in statements if s.strip()]


_COMPOUND_START = re.compile(r"\s(BEGIN|CASE)\s\Z", re.I)
_COMPOUND_END = re.compile(r"\sEND[;\s]\Z")  # capitals only, as in wrangler


def _compound_end(text: str) -> bool:
    return _COMPOUND_END.search(text) is not None


def _dollar_identifier(ident: str) -> bool:
    last = ident[-1:]
    return last != "$" and (re.match(r"[0-9_]", last) is not None or last.lower() != last.upper())
