"""Declared renames: the declarations, the plan built from them, and reading drizzle-kit's prompts."""

from __future__ import annotations

from typing import Any

import pytest

from nanoka_core import Model, define_model, t
from nanoka_core.drizzle.prompts import parse_prompt, plain, unanswered_message
from nanoka_core.errors import ModelError, NanokaError
from nanoka_core.migrations.renames import CREATE, Question, build_plan
from nanoka_core.schema.checks import check_models


def snapshot(**tables: list[str]) -> dict[str, Any]:
    """A drizzle-kit SQLite snapshot holding these tables and columns (the parts nanoka reads)."""
    return {
        "version": "6",
        "dialect": "sqlite",
        "tables": {
            name: {"name": name, "columns": {c: {"name": c, "type": "text"} for c in columns}}
            for name, columns in tables.items()
        },
    }


# --------------------------------------------------------------------------- declarations


def test_renamed_from_on_a_field_and_a_model_is_kept() -> None:
    users = define_model("people", {"id": t.uuid().primary(), "fullName": t.string().renamed_from("name")},
                         renamed_from="users")

    class Post(Model, table="articles", renamed_from="posts"):
        id = t.uuid().primary()

    assert users.renamed_from == "users" and Post.renamed_from == "posts"
    assert users.fields["fullName"].previous_name == "name"
    assert users.fields["id"].previous_name is None
    assert t.integer().renamed_from("n").optional().previous_name == "n"  # modifiers keep it


@pytest.mark.parametrize("bad", ["", "two words", "1st", "a-b", 'x")', None, 3])
def test_a_renamed_from_that_is_not_a_plain_name_fails_where_written(bad: Any) -> None:
    with pytest.raises(ModelError, match=r"renamed_from.*not a plain identifier"):
        t.string().renamed_from(bad)
    if bad is not None:  # None is "not renamed"
        with pytest.raises(ModelError, match=r"renamed_from.*not a plain identifier"):
            define_model("users", {"id": t.uuid()}, renamed_from=bad)


def test_contradictory_declarations_fail() -> None:
    with pytest.raises(ModelError, match="already renamed from 'a'"):
        t.string().renamed_from("a").renamed_from("b")
    with pytest.raises(ModelError, match="renamed_from='users' is its own name"):
        define_model("users", {"id": t.uuid()}, renamed_from="users")
    with pytest.raises(ModelError, match="takes no modifiers"):
        t.belongs_to(lambda: None, foreign_key="x").renamed_from("y")


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": t.string().renamed_from("name")}, r"users\.name: .renamed_from\('name'\) names the field itself"),
        ({"name": t.string(), "fullName": t.string().renamed_from("name")}, "the model still has a field 'name'"),
        ({"a": t.string().renamed_from("old"), "b": t.string().renamed_from("old")}, "field 'a' is renamed from 'old' too"),
    ],
)
def test_field_renames_that_contradict_the_model_fail(fields: dict[str, Any], message: str) -> None:
    with pytest.raises(ModelError, match=message):
        check_models([define_model("users", {"id": t.uuid().primary(), **fields})])


def test_table_renames_that_contradict_the_models_fail() -> None:
    users = define_model("users", {"id": t.uuid()})
    with pytest.raises(ModelError, match="model 'people': renamed_from='users': model 'users' still uses"):
        check_models([users, define_model("people", {"id": t.uuid()}, renamed_from="users")])
    a = define_model("a", {"id": t.uuid()}, renamed_from="old")
    b = define_model("b", {"id": t.uuid()}, renamed_from="old")
    with pytest.raises(ModelError, match="model 'a' is renamed from 'old' too"):
        check_models([a, b])


# --------------------------------------------------------------------------- the plan

USERS_V1 = snapshot(users=["id", "name", "email"], posts=["id", "title"])


def test_a_declared_column_rename_answers_its_question() -> None:
    users = define_model("users", {"id": t.uuid(), "fullName": t.string().renamed_from("name"), "email": t.string()})
    posts = define_model("posts", {"id": t.uuid(), "title": t.string()})
    plan = build_plan([users, posts], USERS_V1)
    assert plan.questions == [Question("column", "users", "fullName", ("name",), "name")]
    assert plan.unanswered == [] and plan.inert == []


def test_a_declared_table_rename_answers_its_question_and_its_columns_compare_with_the_old_table() -> None:
    users = define_model("users", {"id": t.uuid(), "name": t.string(), "email": t.string()})
    articles = define_model("articles", {"id": t.uuid(), "heading": t.string().renamed_from("title")},
                            renamed_from="posts")
    plan = build_plan([users, articles], USERS_V1)
    assert plan.questions == [
        Question("table", "articles", "articles", ("posts",), "posts"),
        Question("column", "articles", "heading", ("title",), "title"),
    ]
    # drizzle-kit may name the table by its old name in the column question.
    assert plan.answer("column", "posts", "heading", ["title"]) == "title"


def test_undeclared_questions_are_unanswered_unless_no_renames() -> None:
    users = define_model("users", {"id": t.uuid(), "fullName": t.string(), "email": t.string()})
    articles = define_model("articles", {"id": t.uuid(), "title": t.string()})
    plan = build_plan([users, articles], USERS_V1)
    assert [(q.kind, q.name, q.answer) for q in plan.questions] == [
        ("table", "articles", None),
        ("column", "fullName", None),
    ]
    assert [q.answer for q in build_plan([users, articles], USERS_V1, no_renames=True).questions] == [CREATE, CREATE]


def test_a_new_column_is_created_when_every_gone_column_is_claimed_by_a_declaration() -> None:
    users = define_model(
        "users",
        {"id": t.uuid(), "nickname": t.string(), "fullName": t.string().renamed_from("name"), "email": t.string()},
    )
    plan = build_plan([users, define_model("posts", {"id": t.uuid(), "title": t.string()})], USERS_V1)
    assert {q.name: q.answer for q in plan.questions} == {"nickname": CREATE, "fullName": "name"}
    # Whatever order drizzle-kit asks in, and whatever it still offers.
    assert plan.answer("column", "users", "nickname", ["name"]) == CREATE
    assert plan.answer("column", "users", "nickname", []) == CREATE
    assert plan.answer("column", "users", "fullName", ["name"]) == "name"
    assert plan.answer("column", "users", "fullName", []) is None  # its old name is not offered: ask the user


def test_declarations_that_no_longer_do_anything_are_inert_and_ask_nothing() -> None:
    users = define_model("users", {"id": t.uuid(), "name": t.string().renamed_from("nick"), "email": t.string()})
    posts = define_model("posts", {"id": t.uuid(), "title": t.string()}, renamed_from="articles")
    plan = build_plan([users, posts], USERS_V1)
    assert plan.questions == [] and plan.renames == []
    table_note, column_note = plan.inert
    assert table_note.startswith("model 'posts': renamed_from='articles' does nothing: table articles is not in the latest")
    assert column_note.startswith("users.name: .renamed_from('nick') does nothing: column users.nick is not in the latest")


def test_no_snapshot_asks_nothing() -> None:
    users = define_model("users", {"id": t.uuid(), "fullName": t.string().renamed_from("name")})
    plan = build_plan([users], None)
    assert plan.questions == [] and plan.renames == []


def test_the_unanswered_message_names_each_question_and_the_declarations_that_answer_it() -> None:
    message = unanswered_message([
        Question("column", "users", "fullName", ("name", "nick"), None),
        Question("table", "articles", "articles", ("posts",), None),
    ])
    assert "column users.fullName: created, or renamed from users.name or users.nick?" in message
    assert 'if renamed, add .renamed_from("name") on users.fullName' in message
    assert 'if renamed, add .renamed_from("nick") on users.fullName' in message
    assert 'define_model("articles", {...}, renamed_from="posts")' in message
    assert 'class ...(Model, table="articles", renamed_from="posts")' in message
    assert "--no-renames" in message and "No migration was written" in message


# --------------------------------------------------------------------------- reading the prompt

# What drizzle-kit 0.31.11 (hanji) writes for a column question, with chalk's colours on
# and the cursor hidden; then the re-render after one down arrow (erase lines first).
COLUMN_PROMPT = (
    "\x1b[?25l\nIs \x1b[1m\x1b[34mfullName\x1b[39m\x1b[22m column in \x1b[1m\x1b[34musers\x1b[39m\x1b[22m"
    " table created or renamed from another column?\n"
    "\x1b[32m\u276f \x1b[39m\x1b[32m+\x1b[39m fullName       \x1b[90mcreate column\x1b[39m\n"
    "  \x1b[33m~\x1b[39m name \u203a fullName \x1b[90mrename column\x1b[39m\n"
    "  \x1b[33m~\x1b[39m nick \u203a fullName \x1b[90mrename column\x1b[39m"
)
RERENDER = "\x1b[2K\x1b[1A\x1b[2K\x1b[1A\x1b[2K\x1b[G" + COLUMN_PROMPT.replace("\x1b[?25l", "")


def test_a_column_prompt_is_read_with_its_options_in_screen_order() -> None:
    found = parse_prompt(plain(COLUMN_PROMPT))
    assert found is not None
    prompt, _ = found
    assert (prompt.kind, prompt.table, prompt.name, prompt.options) == ("column", "users", "fullName", [CREATE, "name", "nick"])


def test_only_the_first_render_of_a_prompt_is_read() -> None:
    found = parse_prompt(plain(COLUMN_PROMPT + RERENDER))
    assert found is not None
    assert found[0].options == [CREATE, "name", "nick"]


def test_a_table_prompt_with_only_the_create_option_is_read() -> None:
    screen = "\nIs articles table created or renamed from another table?\n\u276f + articles create table"
    found = parse_prompt(screen)
    assert found is not None
    assert (found[0].kind, found[0].name, found[0].options) == ("table", "articles", [CREATE])


def test_a_half_written_prompt_is_not_read() -> None:
    assert parse_prompt("\nIs fullName column in users table created or renamed from another column?\n") is None
    assert parse_prompt("Reading config file 'drizzle.config.ts'\n") is None


def test_without_a_pseudo_terminal_answering_fails_clearly(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    from nanoka_core.drizzle.prompts import PromptSession
    from nanoka_core.migrations.renames import RenamePlan

    monkeypatch.setattr("sys.platform", "win32")
    with pytest.raises(NanokaError, match="needs a pseudo-terminal, which Windows lacks: run nanoka generate in WSL"):
        PromptSession(["npx"], cwd=tmp_path, plan=RenamePlan(), interactive=False, on_answer=lambda p, a: None)


def test_renames_are_of_sql_columns_when_a_field_names_its_column() -> None:
    users = define_model("users", {
        "id": t.uuid(), "fullName": t.string().column("full_name").renamed_from("name"), "email": t.string(),
    })
    plan = build_plan([users, define_model("posts", {"id": t.uuid(), "title": t.string()})], USERS_V1)
    assert plan.questions == [Question("column", "users", "full_name", ("name",), "name")]
