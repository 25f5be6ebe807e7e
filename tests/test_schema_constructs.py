"""Real schemas: foreign keys, indexes, enums, composite keys, checks, column names,
runtime defaults and typed JSON, against hand-written golden files and every error."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from nanoka_core import Model, define_model, t
from nanoka_core.errors import ModelError
from nanoka_core.project import check_models

GOLDEN = Path(__file__).parent / "golden"


def golden(name: str) -> str:
    return (GOLDEN / name).read_text(encoding="utf-8")


# -- foreign keys ------------------------------------------------------------------------


def test_foreign_keys(nanoka_render: Any) -> None:
    users = define_model("users", {
        "id": t.uuid().primary(),
        "managerId": t.uuid().optional().references(lambda: users, on_delete="set null"),
        "teamId": t.integer().optional().references(lambda: teams),
    })
    teams = define_model("teams", {
        "id": t.integer().primary(),
        "leadEmail": t.string().references(users, on_delete="restrict", on_update="cascade"),
    })

    class Post(Model, table="posts"):
        id = t.integer().primary()
        userId = t.uuid()
        editorId = t.uuid()
        code = t.string().unique()
        author = t.belongs_to(lambda: users, foreign_key="userId", on_delete="cascade")
        editor = t.belongs_to(lambda: users, foreign_key="editorId")  # no action given: no foreign key

    comments = define_model("comments", {
        "postCode": t.string().default("none").references(Post, "code", on_update="no action"),
    })
    check_models([users, teams, Post, comments])
    assert nanoka_render([users, teams, Post, comments]) == golden("foreign_keys.ts")


def test_models_without_new_constructs_render_as_before(nanoka_render: Any) -> None:
    posts = define_model("posts", {"id": t.integer().primary(), "userId": t.uuid()})
    users = define_model("users", {"id": t.uuid().primary(), "posts": t.has_many(posts, foreign_key="userId")})
    assert "references" not in nanoka_render([users, posts])


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"ownerId": t.uuid().references(lambda: Owner, on_delete="set null")},
         r"posts\.ownerId: 'set null' needs a column that may be NULL; add \.optional\(\)"),
        ({"ownerId": t.uuid().optional().references(lambda: Owner, on_update="set null")},
         None),
        ({"ownerId": t.integer().references(lambda: Owner)},
         r"posts\.ownerId: a t\.integer\(\) column \(integer\) cannot reference owners\.id, a t\.uuid\(\) column \(text\)"),
        ({"ownerId": t.uuid().references(lambda: Keyless)},
         r"posts\.ownerId: the foreign key's target 'keyless' has no single-column primary key"),
        ({"ownerId": t.uuid().references(lambda: Owner, "nope")},
         r"posts\.ownerId: the foreign key names 'nope', which is not a column of 'owners'"),
        ({"ownerId": t.string().references(lambda: Owner, "name")},
         r"posts\.ownerId: the foreign key points at owners\.name, which is neither the primary key nor unique"),
        ({"ownerId": t.uuid().references(lambda: 42)},
         r"posts\.ownerId: the foreign key's target must be a Model or a callable returning one, got 42"),
        ({"ownerId": t.uuid().references(lambda: 1 / 0)},
         r"posts\.ownerId: the foreign key's target raised ZeroDivisionError"),
        ({"ownerId": t.uuid().references(lambda: Owner),
          "owner": t.belongs_to(lambda: Owner, foreign_key="ownerId", on_delete="cascade")},
         r"posts\.ownerId: a foreign key both from \.references\(\) and from t\.belongs_to\(\) 'owner'"),
        ({"ownerId": t.uuid(), "owner": t.belongs_to(lambda: Owner, foreign_key="ownerId", on_delete="set null")},
         r"posts\.ownerId: 'set null' needs a column that may be NULL"),
    ],
)
def test_foreign_key_errors(fields: dict[str, Any], message: str | None, nanoka_render: Any) -> None:
    posts = define_model("posts", fields)
    if message is None:
        check_models([Owner, posts])
        return
    with pytest.raises(ModelError, match=message):
        check_models([Owner, Keyless, posts])
    with pytest.raises(ModelError, match=message):
        nanoka_render([Owner, Keyless, posts])


Owner = define_model("owners", {"id": t.uuid().primary(), "name": t.string()})
Keyless = define_model("keyless", {"a": t.uuid(), "b": t.uuid()}, primary_key=("a", "b"))


def test_foreign_key_to_a_model_not_generated() -> None:
    posts = define_model("posts", {"ownerId": t.uuid().references(Owner)})
    with pytest.raises(ModelError, match=r"posts\.ownerId: the foreign key points at model 'owners', which is not among the models generated"):
        check_models([posts])


@pytest.mark.parametrize("action", ["delete", "SET NULL", "setnull", ""])
def test_unknown_referential_action(action: str) -> None:
    with pytest.raises(ModelError, match=r"on_delete=.* is not one of 'cascade', 'restrict', 'no action', 'set null', 'set default'"):
        t.uuid().references(Owner, on_delete=action)
    with pytest.raises(ModelError, match=r"t\.belongs_to\(\): on_update="):
        t.belongs_to(Owner, foreign_key="x", on_update=action)


def test_references_twice_is_an_error() -> None:
    with pytest.raises(ModelError, match=r"already references a model"):
        t.uuid().references(Owner).references(Owner)
