"""The D1 pre-flight lint (nanoka_core/migrations/d1_lint.py).

The port of wrangler's splitter is checked against wrangler 4.85's own
function, taken out of the installed ``wrangler-dist/cli.js`` and run by Node.
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess
from pathlib import Path

import pytest

from nanoka_core.migrations.d1_lint import (
    KINDS,
    allowed_codes,
    lint_file,
    lint_text,
    sqlite_statements,
    wrangler_split,
)

CORPUS = Path(__file__).parent / "data" / "migrations"
WRANGLER_CLI = Path(__file__).parents[1] / "examples" / "basic" / "node_modules" / "wrangler" / "wrangler-dist" / "cli.js"
# Run wrangler's own splitSqlIntoStatements, cut out of the bundle, on each JSON input string.
SPLIT_JS = r"""
const fs = require("fs");
const src = fs.readFileSync(process.argv[1], "utf8");
const start = src.indexOf("// src/d1/splitter.ts");
const end = src.indexOf("var init_splitter", start);
if (start < 0 || end < 0) throw new Error("splitter.ts not found in " + process.argv[1]);
const split = new Function("__name", src.slice(start, end) + "\nreturn splitSqlIntoStatements;")((f) => f);
const inputs = JSON.parse(fs.readFileSync(0, "utf8"));
process.stdout.write(JSON.stringify(inputs.map((s) => split(s))));
"""


def codes(text: str) -> list[str]:
    return [f.code for f in lint_text("0001_x.sql", text)]


def test_every_drizzle_kit_migration_in_the_corpus_is_clean() -> None:
    files = sorted(CORPUS.glob("*/migrations/*.sql"))
    assert len(files) > 20
    for path in files:
        assert lint_file(path) == [], path


def test_a_statement_over_100000_bytes_is_d1101_and_one_at_the_limit_is_not() -> None:
    prefix = "INSERT INTO t (v) VALUES ('"
    at_limit = prefix + "x" * (100_000 - len(prefix) - 3) + "');"
    assert len(at_limit.encode()) == 100_000
    assert codes(at_limit) == []
    over = prefix + "é" * 50_000 + "');"  # two bytes each
    [finding] = lint_text("0001_x.sql", "CREATE TABLE t (v text);\n" + over)
    assert (finding.code, finding.line) == ("D1101", 2)
    assert "100,030 bytes" in finding.reason


@pytest.mark.parametrize(
    "statement",
    ["BEGIN TRANSACTION;", "begin;", "COMMIT;", "END TRANSACTION;", "ROLLBACK;", "SAVEPOINT a;", "RELEASE a;"],
)
def test_transaction_statements_are_d1102(statement: str) -> None:
    assert codes(f"CREATE TABLE t (v text);\n-- note\n{statement}\nINSERT INTO t VALUES ('a');") == ["D1102"]


def test_a_trigger_body_is_not_a_transaction_and_a_clean_trigger_passes() -> None:
    trigger = "CREATE TRIGGER t_ins AFTER INSERT ON t BEGIN\n  UPDATE t SET v = 'x';\n  SELECT 1;\nEND;\n"
    assert codes("CREATE TABLE t (v text);\n" + trigger) == []


@pytest.mark.parametrize(
    ("trigger", "reason"),
    [
        ("CREATE TRIGGER a AFTER INSERT ON t BEGIN\r\n  SELECT 1;\r\nEND;\r\n", "CRLF"),
        ("CREATE TRIGGER a AFTER INSERT ON t begin\n  SELECT 1;\nend;\n", "capitals"),
        (
            "CREATE TRIGGER a AFTER INSERT ON t BEGIN\n  SELECT CASE WHEN new.v = '' THEN RAISE(ABORT, 'e') END;\nEND;\n",
            "CASE",
        ),
    ],
)
def test_trigger_bodies_d1_splits_wrongly_are_d1103(trigger: str, reason: str) -> None:
    found = lint_text("0001_x.sql", "CREATE TABLE t (v text);\n" + trigger)
    assert found and {f.code for f in found} == {"D1103"}
    assert any(reason in f.reason for f in found)
    assert all(f.line == 2 for f in found)


def test_a_case_that_closes_the_trigger_early_is_reported_with_wranglers_split() -> None:
    # "(CASE" opens nothing for wrangler (no space before it), so the case's " END " closes the trigger.
    text = "CREATE TABLE t (v text);\nCREATE TRIGGER a AFTER INSERT ON t BEGIN\n  SELECT (CASE WHEN 1 THEN 2 END );\n  SELECT 3;\nEND;\n"
    found = [f.reason for f in lint_text("0001_x.sql", text)]
    assert any("wrangler 4.85 splits the file into 4 statements where SQLite reads 2" in r for r in found), found
    assert any("cuts a statement to 'CREATE TRIGGER a AFTER INSERT ON t BEGIN SELECT (CASE WHEN 1 THEN 2 END )'" in r for r in found), found


def test_a_last_statement_without_its_semicolon_runs_into_wranglers_ledger_insert() -> None:
    found = lint_text("0001_x.sql", "CREATE TABLE t (v text);\nCREATE INDEX i ON t (v)")
    assert [f.code for f in found] == ["D1103"]
    assert "missing its `;`" in found[0].reason and found[0].line == 2


def test_pragma_foreign_keys_is_a_warning_except_around_drizzle_kits_rebuild() -> None:
    rebuild = (CORPUS / "cascade_type_change" / "migrations" / "0001_step_1.sql").read_text()
    assert "PRAGMA foreign_keys=OFF" in rebuild and codes(rebuild) == []
    found = lint_text("0001_x.sql", "PRAGMA foreign_keys=OFF;\nDELETE FROM t;\nPRAGMA foreign_keys=ON;\n")
    assert [(f.code, f.line, f.is_error) for f in found] == [("D1104", 1, False), ("D1104", 3, False)]


def test_temporary_tables_attach_and_wide_tables_are_refused() -> None:
    assert codes("CREATE TEMP TABLE scratch (v text);") == ["D1106"]
    assert codes("ATTACH DATABASE 'x.db' AS x;") == ["D1106"]
    wide = "CREATE TABLE w (" + ", ".join(f"c{i} text" for i in range(101)) + ", PRIMARY KEY (c0));"
    assert codes(wide) == ["D1105"]
    assert codes(wide.replace(", c100 text", "")) == []


def test_allow_lines_name_the_accepted_codes(tmp_path: Path) -> None:
    assert allowed_codes("-- nanoka: allow D1102\n--nanoka: allow d1101, D1104\nSELECT 1;") == {
        "D1101", "D1102", "D1104"
    }
    path = tmp_path / "0001_x.sql"
    path.write_text("-- nanoka: allow D1102\nBEGIN TRANSACTION;\nCREATE TABLE t (v text);\nCOMMIT;\n")
    assert lint_file(path) == []
    path.write_text("-- nanoka: allow D1101\nBEGIN TRANSACTION;\nCREATE TABLE t (v text);\nCOMMIT;\n")
    assert [f.code for f in lint_file(path)] == ["D1102", "D1102"]


def test_every_code_says_why_and_what_to_do_instead() -> None:
    for kind in KINDS.values():
        assert kind.code.startswith("D1") and kind.title and kind.safe_way


def test_statements_are_read_as_sqlite_reads_them() -> None:
    text = "-- lead\nCREATE TABLE t (v text default ';');\n\nCREATE TRIGGER a AFTER INSERT ON t BEGIN SELECT 1; END;\n;\n"
    assert [line for line, _ in sqlite_statements(text)] == [2, 4]


SQL_PIECES = [
    " ", "\n", "\r\n", "\t", ";", "BEGIN", "begin", "END", "end", "CASE", "case", "SELECT 1", "'a;b'", '"q;"',
    "`c`", "$x$ ; $x$", "$1", "-- c;\n", "-", "/* ; */", "/", "(", ")", "WHEN", "x", "END;", " END ",
]


def test_the_splitter_is_wranglers_own() -> None:
    node = shutil.which("node")
    assert node is not None, "node is needed to run wrangler's splitter"
    assert WRANGLER_CLI.is_file(), f"{WRANGLER_CLI} is missing: run python3 dev.py test once (npm ci)"
    rng = random.Random(18)
    inputs = ["".join(rng.choices(SQL_PIECES, k=rng.randint(1, 40))) for _ in range(3000)]
    inputs += [p.read_text() for p in sorted(CORPUS.glob("*/migrations/*.sql"))]
    proc = subprocess.run(
        [node, "-e", SPLIT_JS, str(WRANGLER_CLI)], input=json.dumps(inputs), capture_output=True, text=True,
        timeout=120, check=True,
    )
    compared = 0
    for text, theirs in zip(inputs, json.loads(proc.stdout), strict=True):
        trimmed = text.rstrip()
        if ";" not in trimmed[:-1]:
            continue  # wrangler does not split such a text at all (nor does wrangler_split)
        assert wrangler_split(text) == theirs, text
        compared += 1
    assert compared > 2000
