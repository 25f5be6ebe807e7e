"""Running D1 in production (issue 18): the pre-flight lint, nanoka.sum, the ledger and nanoka diff,
through the real drizzle-kit and wrangler on a local D1 and on the D1 API stand-in (fake_d1.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.e2e.conftest import shown
from tests.e2e.fake_d1 import FakeD1

if TYPE_CHECKING:
    from tests.e2e.conftest import ExampleProject

pytestmark = pytest.mark.e2e

APPLY = "migrations apply"
"""In nanoka's log when it starts wrangler's apply."""


def custom(p: ExampleProject, name: str, sql: str) -> Path:
    """``nanoka generate --custom NAME`` and the SQL written into it (on its own line, after drizzle-kit's header)."""
    proc = p.nanoka("generate", "--custom", name)
    assert proc.returncode == 0, shown(proc)
    [path] = p.migrations_dir.glob(f"*_{name}.sql")
    path.write_text(path.read_text(encoding="utf-8") + "\n" + sql, encoding="utf-8")
    return path


def applied(p: ExampleProject, table: str = "d1_migrations") -> list[str]:
    return [row["name"] for row in p.d1_local(f"SELECT name FROM {table} ORDER BY id")[0]]


def big_insert(size: int) -> str:
    rows = []
    i = 0
    while sum(map(len, rows)) < size:
        rows.append(f"('id{i}', 'u{i}@example.com', '{'n' * 40}', 'h', {i})")
        i += 1
    return f"INSERT INTO users (id, email, name, passwordHash, createdAt) VALUES {', '.join(rows)};\n"


def test_a_transaction_and_a_120_kb_insert_are_refused_before_wrangler_and_pass_with_the_allow_line(
    applied_project: ExampleProject,
) -> None:
    p = applied_project  # after a successful generate --apply
    [first] = applied(p)

    transaction = custom(p, "backfill", "BEGIN TRANSACTION;\nUPDATE users SET name = name;\nCOMMIT;\n")
    refused = p.nanoka("generate", "--apply")
    assert refused.returncode == 1, shown(refused)
    assert f"refusing to apply {transaction.name} to nanoka-example (--local)" in refused.stderr
    assert "D1102 line 2: BEGIN TRANSACTION inside a migration" in refused.stderr
    assert "instead: remove it" in refused.stderr and "-- nanoka: allow D1102" in refused.stderr
    assert APPLY not in refused.stderr and applied(p) == [first]

    transaction.write_text("-- nanoka: allow D1102\n" + transaction.read_text(encoding="utf-8"), encoding="utf-8")
    accepted = p.nanoka("generate", "--apply")  # wrangler strips BEGIN TRANSACTION;/COMMIT; locally
    assert accepted.returncode == 0, shown(accepted)
    assert applied(p) == [first, transaction.name]

    bulk = custom(p, "bulk", big_insert(120_000))
    assert bulk.stat().st_size > 120_000
    refused = p.nanoka("generate", "--apply")
    assert refused.returncode == 1, shown(refused)
    assert f"{bulk.name}: D1101 line 2: the statement is 1" in refused.stderr
    assert "D1 takes 100,000" in refused.stderr and APPLY not in refused.stderr
    assert applied(p) == [first, transaction.name]

    bulk.write_text(bulk.read_text(encoding="utf-8") + "-- nanoka: allow D1101\n", encoding="utf-8")
    passed = p.nanoka("generate", "--apply")  # nanoka lets it through; the local D1 itself refuses it
    assert APPLY in passed.stderr, shown(passed)
    assert passed.returncode == 1 and "SQLITE_TOOBIG" in passed.stdout + passed.stderr, shown(passed)
    assert applied(p) == [first, transaction.name]


def test_a_transaction_is_refused_before_any_statement_reaches_the_remote_d1(
    remote_applied_project: ExampleProject, tmp_path: Path
) -> None:
    p = remote_applied_project  # after a successful generate --apply --remote
    with FakeD1(str(tmp_path / "remote.sqlite"), database_id=p.database_id) as d1:
        env = d1.wrangler_env()
        transaction = custom(p, "backfill", "BEGIN TRANSACTION;\nUPDATE users SET name = name;\nCOMMIT;\n")
        d1.requests.clear()
        refused = p.nanoka("generate", "--apply", "--remote", env=env)
        assert refused.returncode == 1, shown(refused)
        assert f"refusing to apply {transaction.name} to nanoka-example (--remote)" in refused.stderr
        sent = [str(r["body"]) for r in d1.requests if str(r["path"]).endswith("/query")]
        assert sent and not any("UPDATE users" in body for body in sent), sent  # only the ledger was read
        assert not any(str(r["path"]).endswith("/time_travel/bookmark?") for r in d1.requests)


def test_diff_is_0_after_apply_1_naming_hand_changes_and_0_once_they_are_migrations(
    applied_project: ExampleProject,
) -> None:
    p = applied_project  # after a successful generate --apply
    same = p.nanoka("diff")
    assert same.returncode == 0, shown(same)
    assert "nanoka-example (local) matches its 1 applied migration(s)" in same.stdout

    p.d1_local("ALTER TABLE users ADD COLUMN nick text")
    drift = p.nanoka("diff")
    assert drift.returncode == 1, shown(drift)
    assert "table users: column nick exists in the database, not in the migrations (text)" in drift.stdout

    p.d1_local("DROP INDEX users_email_unique")
    drift = p.nanoka("--log-format", "json", "diff")
    assert drift.returncode == 1, shown(drift)
    report = json.loads(drift.stdout)
    assert report["state"] == "drift"
    assert [(d["object"], d["part"], d["state"]) for d in report["differences"]] == [
        ("index users_email_unique", None, "only in the migrations"),
        ("table users", "column nick", "only in the database"),
    ]
    checked = p.nanoka("check", "--db", "nanoka-example")
    assert checked.returncode == 1 and "column nick exists in the database" in checked.stderr, shown(checked)

    # The dropped index, written as a migration and applied; the added column, already there, recorded.
    dropped = custom(p, "drop_email_index", "DROP INDEX IF EXISTS users_email_unique;\n")
    nick = custom(p, "add_nick", "ALTER TABLE users ADD COLUMN nick text;\n")
    assert p.nanoka("generate", "--apply", "--to", dropped.stem).returncode == 0
    resolved = p.nanoka("resolve", "--applied", nick.name, "--yes")
    assert resolved.returncode == 0, shown(resolved)
    same = p.nanoka("diff")
    assert same.returncode == 0, shown(same)
    assert "matches its 3 applied migration(s)" in same.stdout


def test_diff_reads_the_remote_schema_through_d1_export(remote_applied_project: ExampleProject, tmp_path: Path) -> None:
    p = remote_applied_project  # after a successful generate --apply --remote
    with FakeD1(str(tmp_path / "remote.sqlite"), database_id=p.database_id) as d1:
        env = d1.wrangler_env()
        same = p.nanoka("diff", "--remote", env=env)
        assert same.returncode == 0, shown(same)
        assert any(str(r["path"]).endswith("/export") for r in d1.requests)

        d1.query("CREATE INDEX posts_title ON posts (title)")
        drift = p.nanoka("diff", "--remote", env=env)
        assert drift.returncode == 1, shown(drift)
        assert "index posts_title exists in the database, not in the migrations" in drift.stdout

    cannot = p.nanoka("diff", "--remote", env=env)  # the stand-in is gone: nothing to ask
    assert cannot.returncode == 2 and "cannot tell" in cannot.stdout, shown(cannot)


def test_an_applied_migration_edited_by_hand_is_reported_and_not_applied_over(
    applied_project: ExampleProject,
) -> None:
    p = applied_project  # after a successful generate --apply
    assert p.nanoka("check").returncode == 0
    [first] = p.migrations()
    edited = p.migrations_dir / first
    edited.write_text(edited.read_text(encoding="utf-8") + "\nCREATE INDEX users_name ON users (name);\n")

    checked = p.nanoka("check")
    assert checked.returncode == 1, shown(checked)
    assert f"{first} was edited after it was written (its hash differs from nanoka.sum)" in checked.stderr
    refused = p.nanoka("generate", "--apply")
    assert refused.returncode == 1 and "not what nanoka.sum says" in refused.stderr, shown(refused)

    (p.migrations_dir / "0099_by_hand.sql").write_text("SELECT 1;\n")
    checked = p.nanoka("--log-format", "json", "check")
    problems = json.loads(checked.stdout)["migrations"]["problems"]
    assert any("0099_by_hand.sql is not in" in problem for problem in problems), problems


def test_a_custom_migration_is_hashed_when_first_applied(applied_project: ExampleProject) -> None:
    p = applied_project  # after a successful generate --apply
    backfill = custom(p, "backfill", "UPDATE users SET name = trim(name);\n")
    checked = p.nanoka("check")
    assert checked.returncode == 0, shown(checked)
    assert "--custom migration edited since it was written" in checked.stderr
    assert p.nanoka("generate", "--apply").returncode == 0
    assert f"{backfill.name} h1:" in (p.migrations_dir / "nanoka.sum").read_text()
    assert "unsealed" not in (p.migrations_dir / "nanoka.sum").read_text()
    backfill.write_text(backfill.read_text(encoding="utf-8") + "UPDATE users SET email = lower(email);\n")
    assert p.nanoka("check").returncode == 1


def test_resolve_records_and_forgets_in_the_configured_migrations_table(example_project: ExampleProject) -> None:
    p = example_project
    p.edit("wrangler.jsonc", '"migrations_dir": "drizzle/migrations"', '"migrations_dir": "drizzle/migrations", "migrations_table": "ledger"')
    assert p.nanoka("generate", "--apply").returncode == 0
    [first] = applied(p, "ledger")
    nick = custom(p, "add_nick", "ALTER TABLE users ADD COLUMN nick text;\n")
    p.d1_local("ALTER TABLE users ADD COLUMN nick text")  # the change, made by hand during an incident

    asked = p.nanoka("resolve", "--applied", nick.stem)
    assert asked.returncode == 1 and "--yes" in asked.stderr, shown(asked)
    assert f"INSERT INTO ledger (name) VALUES ('{nick.name}')" in asked.stderr
    assert applied(p, "ledger") == [first]

    assert p.nanoka("resolve", "--applied", nick.stem, "--yes").returncode == 0
    status = json.loads(p.nanoka("--log-format", "json", "status").stdout)
    assert [(m["name"], m["state"]) for m in status["migrations"]] == [(first, "applied"), (nick.name, "applied")]
    again = p.nanoka("generate", "--apply")  # the ALTER would fail on the existing column if it ran
    assert again.returncode == 0, shown(again)
    assert "No migrations to apply" in again.stdout + again.stderr

    assert p.nanoka("resolve", "--rolled-back", nick.name, "--yes").returncode == 0
    assert applied(p, "ledger") == [first]
    missing = p.nanoka("resolve", "--rolled-back", nick.name, "--yes")
    assert missing.returncode == 1 and "has no record of it in ledger" in missing.stderr, shown(missing)


def test_to_applies_exactly_the_pending_migrations_up_to_name(example_project: ExampleProject) -> None:
    p = example_project
    assert p.nanoka("generate").returncode == 0
    [first] = p.migrations()
    steps = [custom(p, f"step_{n}", f"CREATE TABLE step_{n} (id integer primary key);\n") for n in "abc"]
    before = sorted(path.name for path in p.root.iterdir())

    unknown = p.nanoka("generate", "--apply", "--to", "0042_nothing")
    assert unknown.returncode == 1 and "--to 0042_nothing.sql: there is no such migration" in unknown.stderr

    done = p.nanoka("generate", "--apply", "--to", steps[1].name)
    assert done.returncode == 0, shown(done)
    assert applied(p) == [first, steps[0].name, steps[1].name]
    assert sorted(path.name for path in p.root.iterdir()) == sorted({*before, ".wrangler"})  # no partial config left
    assert [row["name"] for row in p.d1_local("SELECT name FROM sqlite_master WHERE name LIKE 'step_%' ORDER BY name")[0]] == [
        "step_a", "step_b"
    ]
    rest = p.nanoka("generate", "--apply")
    assert rest.returncode == 0, shown(rest)
    assert applied(p) == [first, *(s.name for s in steps)]


def test_to_and_resolve_work_on_the_remote_d1(example_project: ExampleProject, tmp_path: Path) -> None:
    p = example_project
    assert p.nanoka("generate").returncode == 0
    [first] = p.migrations()
    steps = [custom(p, f"step_{n}", f"CREATE TABLE step_{n} (id integer primary key);\n") for n in "ab"]
    with FakeD1(str(tmp_path / "remote.sqlite"), database_id=p.database_id) as d1:
        env = d1.wrangler_env()

        def remote_ledger() -> list[str]:
            return [row["name"] for row in d1.query("SELECT name FROM d1_migrations ORDER BY id")]

        done = p.nanoka("generate", "--apply", "--remote", "--to", steps[0].stem, env=env)
        assert done.returncode == 0, shown(done)
        assert remote_ledger() == [first, steps[0].name]
        assert "restore point: bookmark" in done.stderr

        d1.query("CREATE TABLE step_b (id integer primary key)")  # made by hand
        resolved = p.nanoka("resolve", "--applied", steps[1].name, "--remote", "--yes", env=env)
        assert resolved.returncode == 0, shown(resolved)
        assert remote_ledger() == [first, *(s.name for s in steps)]
        same = p.nanoka("diff", "--remote", env=env)
        assert same.returncode == 0, shown(same)
