"""The constructs real Drizzle SQLite schemas use (issue 17), rendered as Drizzle users write them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from nanoka_core import Model, define_model, index, sql, t, ts, unique
from nanoka_core.errors import ModelError

GOLDEN = Path(__file__).parent / "golden"


def _models() -> list[type[Model]]:
    invitation: list[type[Model]] = []
    users = define_model("user", {
        "id": t.integer().primary(autoincrement=True),
        "email": t.string(length=255).unique(name="user_email_key"),
        "role": t.enum("admin", "member", check=False).default("member"),
        "plan": t.enum("free", "pro", length=10),
        "createdAt": t.timestamp(unit="s").default(sql("(unixepoch())")),
        "updatedAt": t.timestamp(unit="s").optional().on_update_now(),
        "seenAt": t.timestamp(unit="s").optional().default(sql("CURRENT_TIMESTAMP")),
        "balance": t.numeric().default("0"),
        "avatar": t.blob().optional(),
        "settings": t.blob(mode="json").optional(),
        "big": t.blob(mode="bigint").optional(),
        "updateCounter": t.integer().optional().default(0).on_update_to(sql("updateCounter + 1")),
        "handle": t.string().default(ts("() => `usr_${String(typeof eq)}`", imports={"eq": "drizzle-orm"})),
        "touched": t.string().optional().on_update_to(ts("() => new Date().toISOString()")),
        "emailLower": t.string().optional().generated(sql("lower(email)")),
        "total": t.numeric().optional().generated(sql("balance * 2"), stored=True),
        "invitations": t.many(lambda: invitation[0], relation_name="invited"),
    }, export_name="usersTable", relations_name="usersRelations")

    class Invitation(
        Model,
        table="invitation",
        export_name="invitationTable",
        indexes=[
            index("teamId", "email", unique=True, name="invitation_pending_unique", where="acceptedAt IS NULL"),
            unique("teamId", "token"),
        ],
    ):
        id = t.integer().primary()
        teamId = t.integer()
        email = t.string(length=255)
        kind = t.string().ts_type('"email" | "link"')
        owner = t.string().optional().ts_type("AnySQLiteColumn['_']['name']", imports={"AnySQLiteColumn": "drizzle-orm/sqlite-core"})
        token = t.uuid(length=36)
        acceptedAt = t.timestamp(unit="s").optional()
        userId = t.integer().references(lambda: users, on_delete="cascade")
        user = t.one(lambda: users, fields=("userId",), references=("id",), relation_name="invited")

    invitation.append(Invitation)
    return [users, Invitation]


def test_real_world_constructs_render_as_drizzle_users_write_them(nanoka_render: Any) -> None:
    assert nanoka_render(_models()) == (GOLDEN / "realworld.ts").read_text(encoding="utf-8")


def test_the_golden_file_uses_each_construct() -> None:
    golden = (GOLDEN / "realworld.ts").read_text(encoding="utf-8")
    for construct in (
        "{ mode: 'timestamp' }", "{ length: 255 }", "export const usersTable", "$defaultFn(", "$onUpdate(",
        "$onUpdateFn(", "default(sql`(unixepoch())`)", "CURRENT_TIMESTAMP", "numeric(", "autoIncrement: true",
        ".where(sql`", "blob(", "mode: 'json'", "mode: 'bigint'", "generatedAlwaysAs(", ".unique('user_email_key')",
        "unique('invitation_teamId_token_unique')", "import { eq, relations, sql } from 'drizzle-orm'",
        "export const usersRelations = relations(usersTable, ({ many }) => ({",
        "export const invitationTableRelations = relations(invitationTable, ({ one }) => ({",
        """kind: text('kind').$type<"email" | "link">().notNull()""",
        "import type { AnySQLiteColumn } from 'drizzle-orm/sqlite-core'",
    ):
        assert construct in golden, construct
    assert "user_role_enum" not in golden and "user_plan_enum" in golden


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: t.string(length=0), "length=0 is not a positive integer"),
        (lambda: t.string(length=True), "is not a positive integer"),
        (lambda: t.timestamp(unit="us"), 'unit is "ms"'),
        (lambda: t.blob(mode="text"), "mode is one of"),
        (lambda: t.string().primary(autoincrement=True), "applies to t.integer() only"),
        (lambda: t.string().unique(name="bad name"), "not a plain identifier"),
        (lambda: t.string().on_update_to("x"), "takes sql(...) or ts(...)"),
        (lambda: t.timestamp().on_update_now().on_update_to(sql("1")), "already has an on-update value"),
        (lambda: t.string().generated("lower(x)"), "takes sql(...)"),
        (lambda: sql(""), "takes the SQL text"),
        (lambda: sql("a\x00b"), "NUL"),
        (lambda: ts("() => x", imports={"a-b": "m"}), "not a plain identifier"),
        (lambda: ts("() => x", imports={"x": "m'; evil"}), "not a module specifier"),
        (lambda: index("a", where="a = 1; DROP TABLE x"), "comments and ';'"),
        (lambda: unique(), "needs at least one field name"),
        (lambda: define_model("x", {"id": t.integer()}, export_name="class"), "reserved word"),
        (lambda: define_model("x", {"id": t.integer()}, export_name="not ok"), "not a plain identifier"),
        (lambda: t.one(lambda: None, fields=("a",)), "tuples of field names of the same length"),
        (lambda: t.many(lambda: None, relation_name="a b"), "relation_name"),
        (lambda: t.one(lambda: None).optional(), "takes no modifiers"),
        (lambda: t.json().ts_type("string"), "give the Python type"),
    ],
)
def test_construct_errors(build: Any, message: str) -> None:
    with pytest.raises(ModelError, match=message.replace("(", r"\(").replace(")", r"\)").replace(".", r"\.")):
        build()


def test_kept_sql_and_typescript_are_written_as_given_and_stay_inside_their_literals(nanoka_render: Any) -> None:
    tricky = define_model("notes", {
        "id": t.integer().primary(),
        "body": t.string().default(sql("'a`b${c}\\d'")),
    })
    out = nanoka_render([tricky])
    assert "default(sql`'a\\`b\\${c}\\\\d'`)" in out


def test_a_relation_names_columns_of_both_models(nanoka_render: Any) -> None:
    a = define_model("a", {"id": t.integer().primary()})
    b = define_model("b", {"id": t.integer().primary(), "a": t.one(lambda: a, fields=("aId",), references=("id",))})
    with pytest.raises(ModelError, match="'aId' is not a column of model 'b'"):
        nanoka_render([a, b])
    with pytest.raises(ModelError, match="not among the generated models"):
        nanoka_render([b])


def test_two_tables_exported_under_one_name_are_refused(nanoka_render: Any) -> None:
    a = define_model("a", {"id": t.integer().primary()}, export_name="same")
    b = define_model("b", {"id": t.integer().primary()}, export_name="same")
    with pytest.raises(ModelError, match="two tables are exported as 'same'"):
        nanoka_render([a, b])


def test_an_export_name_may_not_clash_with_an_import(nanoka_render: Any) -> None:
    a = define_model("a", {"id": t.integer().primary()}, export_name="sqliteTable")
    with pytest.raises(ModelError, match="export_name 'sqliteTable' clashes"):
        nanoka_render([a])


def test_a_literal_default_is_written_before_the_declared_type(nanoka_render: Any) -> None:
    """TypeScript checks ``.default("open")`` against the type declared before it: a string is no
    member of a TypeScript enum, while nanoka checked the value against the column's own values."""
    tickets = define_model("tickets", {
        "id": t.integer().primary(),
        "status": t.enum("open", "closed", check=False).ts_type("Status", imports={"Status": "./status"})
        .default("open"),
        "priority": t.enum("low", "high", check=False).ts_type("Priority", imports={"Priority": "./status"}),
    })
    out = nanoka_render([tickets])
    assert "status: text('status', { enum: [\"open\", \"closed\"] }).notNull().default(\"open\").$type<Status>()," in out
    assert "priority: text('priority', { enum: [\"low\", \"high\"] }).$type<Priority>().notNull()," in out
    assert "import type { Priority, Status } from './status'" in out
