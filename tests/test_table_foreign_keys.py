"""Table-level foreign keys (``foreign_key(...)``: several columns, a name, actions) and
expression indexes (``index(sql(...), name=...)``), against a hand-written golden file and every error."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from nanoka_core import Model, define_model, foreign_key, index, sql, t, unique
from nanoka_core.errors import ModelError
from nanoka_core.schema.checks import check_models

GOLDEN = Path(__file__).parent / "golden"


def _models() -> list[type[Model]]:
    class Member(
        Model,
        table="member",
        primary_key=("orgId", "userId"),
        foreign_keys=[
            foreign_key(("orgId", "inviteCode"), lambda: Invite, ("orgId", "code"), name="member_invite_fk",
                        on_delete="cascade"),
        ],
    ):
        orgId = t.integer()
        userId = t.integer()
        inviteCode = t.string().optional()

    class Invite(Model, table="invite", export_name="inviteTable", indexes=[unique("orgId", "code")]):
        id = t.integer().primary()
        orgId = t.integer()
        code = t.string()

    class Post(
        Model,
        table="post",
        indexes=[
            index(sql("lower(title)"), name="post_title_lower_idx"),
            index("orgId", sql('lower("title")'), unique=True, name="post_org_title_unique", where="orgId > 0"),
        ],
        foreign_keys=[
            foreign_key(["orgId", "userId"], Member, name="post_member_fk", on_delete="cascade", on_update="cascade"),
            foreign_key("parentId", lambda: Post, on_delete="set null"),
        ],
    ):
        id = t.integer().primary()
        orgId = t.integer()
        userId = t.integer().column("user_id")
        parentId = t.integer().optional()
        title = t.string()

    return [Member, Invite, Post]


def test_table_level_foreign_keys_and_expression_indexes_render_as_drizzle_users_write_them(
    nanoka_render: Any,
) -> None:
    models = _models()
    check_models(models)
    assert nanoka_render(models) == (GOLDEN / "table_foreign_keys.ts").read_text(encoding="utf-8")


def test_models_without_them_keep_the_plain_callback(nanoka_render: Any) -> None:
    plain = define_model("plain", {"id": t.integer().primary(), "a": t.string()}, indexes=[index("a")])
    out = nanoka_render([plain])
    assert "}, (table) => [\n" in out and "foreignKey" not in out and "SQLiteTableExtraConfigValue" not in out


def test_a_key_to_an_earlier_table_needs_no_return_type(nanoka_render: Any) -> None:
    parent = define_model("parent", {"a": t.integer(), "b": t.integer()}, primary_key=("a", "b"))
    child = define_model("child", {"id": t.integer().primary(), "a": t.integer(), "b": t.integer()},
                         foreign_keys=[foreign_key(("a", "b"), parent)])
    check_models([parent, child])
    out = nanoka_render([parent, child])
    assert "}, (table) => [\n  foreignKey({ columns: [table.a, table.b], foreignColumns: [parent.a, parent.b] }),\n" in out
    assert "SQLiteTableExtraConfigValue" not in out


Parent = define_model(
    "parent",
    {"id": t.integer().primary(), "a": t.integer(), "b": t.string(), "c": t.integer().optional()},
    indexes=[unique("a", "b"), index("b", "c", unique=True, where="c > 0")],
)


@pytest.mark.parametrize(
    ("key", "message"),
    [
        (foreign_key(("x", "y"), Parent, ("a", "b")), None),
        (foreign_key(("y", "x"), Parent, ("b", "a")), None),  # any order of a unique set
        (foreign_key("x", Parent), None),  # the primary key
        (foreign_key(("x", "y"), Parent),
         r"model 'child': foreign_key\(\('x', 'y'\)\): 2 field\(s\) cannot point at the 1 of parent\('id',\)"),
        (foreign_key(("x", "y"), Parent, ("a", "nope")), r"'nope' is not a column of 'parent'"),
        (foreign_key(("x", "z"), Parent, ("a", "b")),
         r"child\.z: a t\.number\(\) column \(real\) cannot reference parent\.b, a t\.string\(\) column \(text\)"),
        (foreign_key(("x", "w"), Parent, ("a", "c")),
         r"parent\('a', 'c'\) is neither the primary key nor under a unique index or constraint over exactly "
         r"those fields; .*add unique\('a', 'c'\) to 'parent'"),
        (foreign_key(("y", "x"), Parent, ("b", "c")), r"is neither the primary key"),  # a partial index does not count
        (foreign_key(("x", "y"), Parent, ("a", "b"), on_delete="set null"),
         r"'set null' needs fields that may be NULL; 'x' is not"),
        (foreign_key("x", lambda: 1 / 0), r"foreign key's target raised ZeroDivisionError"),
    ],
)
def test_foreign_key_errors(key: Any, message: str | None, nanoka_render: Any) -> None:
    child = define_model(
        "child",
        {"id": t.integer().primary(), "x": t.integer(), "y": t.string(), "z": t.number(), "w": t.integer()},
        foreign_keys=[key],
    )
    if message is None:
        check_models([Parent, child])
        nanoka_render([Parent, child])
        return
    with pytest.raises(ModelError, match=message):
        check_models([Parent, child])
    with pytest.raises(ModelError, match=message):
        nanoka_render([Parent, child])


def test_a_foreign_key_to_a_model_not_generated() -> None:
    child = define_model("child", {"x": t.integer()}, foreign_keys=[foreign_key("x", Parent)])
    with pytest.raises(ModelError, match=r"points at model 'parent', which is not among the models generated"):
        check_models([child])


def test_two_foreign_keys_of_one_name() -> None:
    """drizzle-kit keys a table's foreign keys by name: the second would silently replace the first."""
    child = define_model("child", {"x": t.integer(), "y": t.integer()}, foreign_keys=[
        foreign_key("x", Parent, name="same"), foreign_key("y", Parent, name="SAME"),
    ])
    with pytest.raises(ModelError, match=r"foreign_key\(\('y',\)\) and foreign_key\(\('x',\)\) both make a foreign key named 'SAME'"):
        check_models([Parent, child])
    child = define_model("child", {"x": t.integer().references(Parent)}, foreign_keys=[
        foreign_key("x", Parent, name="child_x_parent_id_fk"),
    ])
    with pytest.raises(ModelError, match=r"foreign_key\(\('x',\)\) and field 'x' both make a foreign key named"):
        check_models([Parent, child])


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: foreign_key((), Parent), r"foreign_key\(\) needs at least one field name"),
        (lambda: foreign_key(("a", "a"), Parent), r"a field is named twice"),
        (lambda: foreign_key((1,), Parent), r"foreign_key\(\): fields are field names \(strings\), got 1"),
        (lambda: foreign_key(1, Parent), r"foreign_key\(\): fields are a field name or a tuple of field names, got 1"),
        (lambda: foreign_key("a", Parent, {"id"}), r"target fields are a field name or a tuple of field names"),
        (lambda: foreign_key(("a", "b"), Parent, ("id",)),
         r"foreign_key\(\('a', 'b'\)\): 2 field\(s\) cannot point at 1 target field\(s\) \('id',\)"),
        (lambda: foreign_key("a", Parent, (2,)), r"target fields are field names \(strings\), got 2"),
        (lambda: foreign_key("a", Parent, on_delete="delete"), r"on_delete='delete' is not one of 'cascade'"),
        (lambda: foreign_key("a", Parent, on_update="SET NULL"), r"on_update='SET NULL' is not one of"),
        (lambda: foreign_key("a", Parent, name="bad name"), r"constraint name 'bad name' is not a plain identifier"),
        (lambda: foreign_key("a", "parent"), r"the target is a Model or a callable returning one, got 'parent'"),
        (lambda: define_model("m", {"a": t.integer()}, foreign_keys=[foreign_key("b", Parent)]),
         r"model 'm': foreign_key\(\('b',\)\): 'b' is not a column of the model \(columns: a\)"),
        (lambda: define_model("m", {"a": t.integer()}, foreign_keys=[index("a")]),  # type: ignore[list-item]
         r"model 'm': foreign_keys= takes foreign_key\(\.\.\.\) values"),
        (lambda: index(sql("lower(a)")), r"an index on an expression needs a name"),
        (lambda: index(sql("lower(a))"), name="x"), r"a '\)' closes more than was opened"),
        (lambda: index(sql("a; DROP TABLE x"), name="x"), r"comments and ';'"),
        (lambda: index(sql("(select 1)"), name="x"), r"SQLite does not allow a subquery"),
        (lambda: define_model("m", {"a": t.integer()}, indexes=[index("b", sql("lower(a)"), name="x")]),
         r"'b' is not a column of the model"),
    ],
)
def test_declaration_errors(build: Any, message: str) -> None:
    with pytest.raises(ModelError, match=message):
        build()


def test_an_expression_index_name_is_checked_like_any_other(nanoka_render: Any) -> None:
    model = define_model("m", {"a": t.string()}, indexes=[
        index(sql("lower(a)"), name="dup"), index("a", name="DUP"),
    ])
    with pytest.raises(ModelError, match=r"two indexes or checks are named 'DUP'"):
        nanoka_render([model])
    other = define_model("n", {"a": t.string()}, indexes=[index(sql("upper(a)"), name="dup")])
    with pytest.raises(ModelError, match=r"both name a table or index 'dup'"):
        check_models([define_model("m", {"a": t.string()}, indexes=[index(sql("lower(a)"), name="dup")]), other])


def test_a_partial_unique_index_does_not_make_a_parent_key_for_references_either() -> None:
    """SQLite answers "foreign key mismatch" on the first write through such a key."""
    target = define_model("target", {"id": t.integer().primary(), "a": t.string()},
                          indexes=[index("a", unique=True, where="a <> ''")])
    child = define_model("child", {"a": t.string().references(target, "a")})
    with pytest.raises(ModelError, match=r"child\.a: the foreign key points at target\.a, which is neither"):
        check_models([target, child])


def test_an_expression_index_does_not_make_its_columns_a_parent_key() -> None:
    target = define_model("target", {"id": t.integer().primary(), "a": t.string()},
                          indexes=[index("a", sql("lower(a)"), unique=True, name="by_a")])
    child = define_model("child", {"a": t.string()}, foreign_keys=[foreign_key("a", target, "a")])
    with pytest.raises(ModelError, match=r"is neither the primary key"):
        check_models([target, child])


# -- the guard and the rehearsal see them like any other key ------------------------------

MEMBERS = """
CREATE TABLE `members` (`org_id` integer NOT NULL, `user_id` integer NOT NULL, `email` text NOT NULL,
  PRIMARY KEY(`org_id`, `user_id`));
--> statement-breakpoint
CREATE TABLE `posts` (`id` integer PRIMARY KEY NOT NULL, `org_id` integer NOT NULL, `author_id` integer NOT NULL,
  FOREIGN KEY (`org_id`,`author_id`) REFERENCES `members`(`org_id`,`user_id`) ON UPDATE no action ON DELETE cascade);
--> statement-breakpoint
CREATE TABLE `notes` (`id` integer PRIMARY KEY NOT NULL, `org_id` integer NOT NULL, `user_id` integer NOT NULL);
--> statement-breakpoint
CREATE UNIQUE INDEX `members_email_lower` ON `members` (lower("email"));
"""


def _risks(sql: str) -> list[tuple[str, str, str | None]]:
    from nanoka_core.migrations.reader import Migration, read_statements
    from nanoka_core.migrations.risks import assess

    _, before = read_statements(MEMBERS, {})
    statements, after = read_statements(sql, before)
    migration = Migration("0001_x", Path("0001_x.sql"), statements, before, after)
    return [(r.code, r.table, r.column) for r in assess(migration)]


def test_the_guard_follows_a_key_over_several_columns() -> None:
    assert _risks("DELETE FROM `members` WHERE `org_id` = 1;") == [("DS114", "members", None), ("DS111", "posts", None)]
    rebuilt = (
        "CREATE TABLE `__new_notes` (`id` integer PRIMARY KEY NOT NULL, `org_id` integer NOT NULL, "
        "`user_id` integer NOT NULL, FOREIGN KEY (`org_id`,`user_id`) REFERENCES `members`(`org_id`,`user_id`) "
        "ON UPDATE no action ON DELETE no action);\n--> statement-breakpoint\n"
        "INSERT INTO `__new_notes`(\"id\", \"org_id\", \"user_id\") SELECT \"id\", \"org_id\", \"user_id\" FROM `notes`;"
        "\n--> statement-breakpoint\nDROP TABLE `notes`;\n--> statement-breakpoint\n"
        "ALTER TABLE `__new_notes` RENAME TO `notes`;\n"
    )
    assert [code for code, table, _ in _risks(rebuilt) if table == "notes"] == ["MF106"]


def test_the_shadow_fills_tables_under_a_key_over_several_columns_and_an_expression_index() -> None:
    import sqlite3

    from nanoka_core.migrations.shadow import fill

    conn = sqlite3.connect(":memory:", isolation_level=None)
    conn.execute("PRAGMA foreign_keys=ON")
    for statement in MEMBERS.split("--> statement-breakpoint"):
        conn.execute(statement)
    assert fill(conn, set()) == {}
    parents = set(conn.execute("SELECT org_id, user_id FROM members"))
    assert parents and set(conn.execute("SELECT org_id, author_id FROM posts")) <= parents
