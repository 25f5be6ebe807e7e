"""Models: define_model and the class form, field order, inheritance."""

from __future__ import annotations

import pytest

from nanoka_core import Model, define_model, t
from nanoka_core.errors import ModelError


def test_define_model_and_class_form_are_the_same() -> None:
    by_function = define_model(
        "users",
        {
            "id": t.uuid().primary(),
            "email": t.string().unique().email(),
            "age": t.integer().optional().min(0),
            "posts": t.has_many(lambda: None, foreign_key="authorId"),
        },
    )

    class Users(Model, table="users"):
        id = t.uuid().primary()
        email = t.string().unique().email()
        age = t.integer().optional().min(0)
        posts = t.has_many(lambda: None, foreign_key="authorId")

    assert by_function.table == Users.table == "users"
    assert list(by_function.fields) == list(Users.fields) == ["id", "email", "age", "posts"]
    for name in ("id", "email", "age"):
        assert by_function.fields[name] == Users.fields[name]
    assert by_function.fields["posts"].foreign_key == Users.fields["posts"].foreign_key
    assert issubclass(by_function, Model) and issubclass(Users, Model)


ORDER = ["zeta", "alpha", "mid", "Beta", "a1"]


def test_define_model_keeps_definition_order() -> None:
    model = define_model("things", {name: t.string() for name in ORDER})
    assert list(model.fields) == ORDER


def test_class_form_keeps_definition_order() -> None:
    class Things(Model, table="things"):
        zeta = t.string()
        alpha = t.integer()
        helper = "not a field"  # ignored
        mid = t.boolean()
        Beta = t.json()

        def method(self) -> None: ...

        a1 = t.number()

    assert list(Things.fields) == ORDER


def test_class_inheritance_puts_base_fields_first() -> None:
    class Base(Model, table="base"):
        id = t.uuid().primary()
        createdAt = t.timestamp().default_now()

    class Child(Base, table="child"):
        title = t.string()

    assert Child.table == "child"
    assert list(Child.fields) == ["id", "createdAt", "title"]
    assert Child.fields["id"] == Base.fields["id"]
    assert Base.table == "base"
    assert list(Base.fields) == ["id", "createdAt"]


def test_multi_level_inheritance_and_override() -> None:
    class A(Model, table="a"):
        id = t.uuid().primary()
        note = t.string()

    class B(A, table="b"):
        note = t.string().optional()

    class C(B, table="c"):
        extra = t.integer()

    assert list(C.fields) == ["id", "note", "extra"]
    assert C.fields["note"].is_optional
    assert not A.fields["note"].is_optional


def test_fields_from_a_plain_mixin_are_inherited() -> None:
    class Timestamps:  # a mixin: shared columns without a table of its own
        createdAt = t.timestamp().default_now()
        updatedAt = t.timestamp().optional()

    class Users(Timestamps, Model, table="users"):
        id = t.uuid().primary()

    assert list(Users.fields) == ["createdAt", "updatedAt", "id"]


def test_fields_mapping_is_read_only() -> None:
    model = define_model("users", {"id": t.uuid()})
    with pytest.raises(TypeError):
        model.fields["name"] = t.string()  # type: ignore[index]


def test_define_model_does_not_keep_a_live_reference_to_the_dict() -> None:
    fields = {"id": t.uuid()}
    model = define_model("users", fields)
    fields["late"] = t.string()
    assert list(model.fields) == ["id"]


@pytest.mark.parametrize("value", ["text", 1, None, str, t.string, {"kind": "string"}])
def test_define_model_with_non_field_value_is_an_error(value: object) -> None:
    with pytest.raises(ModelError, match=r"define_model\('users', \.\.\.\): field 'name' must be a t\.<kind>\(\) field"):
        define_model("users", {"id": t.uuid(), "name": value})  # type: ignore[dict-item]


def test_define_model_with_non_mapping_is_an_error() -> None:
    with pytest.raises(ModelError, match="fields must be a dict"):
        define_model("users", [("id", t.uuid())])  # type: ignore[arg-type]


def test_class_without_table_is_an_error() -> None:
    with pytest.raises(ModelError, match=r'class Users\(Model, table="\.\.\."\)'):

        class Users(Model):
            id = t.uuid()


@pytest.mark.parametrize("table", [1, b"users", ["users"]])
def test_non_string_table_is_an_error(table: object) -> None:
    with pytest.raises(ModelError, match="table must be a string"):

        class Users(Model, table=table):  # type: ignore[arg-type]
            id = t.uuid()


def test_model_cannot_be_instantiated() -> None:
    class Users(Model, table="users"):
        id = t.uuid()

    with pytest.raises(TypeError, match="not instantiated"):
        Model()
    with pytest.raises(TypeError, match="not instantiated"):
        Users()
    with pytest.raises(TypeError, match="not instantiated"):
        define_model("posts", {"id": t.uuid()})()


def test_define_model_module_is_the_caller() -> None:
    model = define_model("users", {"id": t.uuid()})
    assert model.__module__ == __name__
