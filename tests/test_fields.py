"""Field kinds and modifiers: what each kind takes, immutability, clear errors."""

from __future__ import annotations

import dataclasses
import re

import pytest

from nanoka_core import t
from nanoka_core.errors import ModelError
from nanoka_core.schema.fields import BUILTIN_KINDS, NO_DEFAULT, RELATION_KINDS, Field, Relation

KINDS = tuple(k for k in BUILTIN_KINDS if k != "enum")  # t.enum() takes its values
NUMERIC_BOUND_KINDS = ("string", "number", "integer")
NO_BOUND_KINDS = ("uuid", "boolean", "timestamp", "json")


def make(kind: str) -> Field:
    return getattr(t, kind)()


def relation(kind: str) -> Relation:
    return getattr(t, kind)(lambda: None, foreign_key="userId")


# -- each kind ------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_kind_constructor_gives_plain_field(kind: str) -> None:
    field = make(kind)
    assert field == Field(kind)
    assert (field.is_optional, field.is_primary, field.is_unique) == (False, False, False)
    assert field.default_value is NO_DEFAULT
    assert not field.has_default
    assert not field.is_relation


@pytest.mark.parametrize("kind", RELATION_KINDS)
def test_relation_constructor_keeps_target_and_foreign_key(kind: str) -> None:
    def target() -> None:
        return None

    rel = getattr(t, kind)(target, foreign_key="authorId")
    assert isinstance(rel, Relation)
    assert rel.kind == kind
    assert rel.target is target
    assert rel.foreign_key == "authorId"
    assert rel.is_relation


# -- every modifier on every kind that takes it ---------------------------------------

COMMON_MODIFIERS = [
    ("optional", (), {"is_optional": True}),
    ("primary", (), {"is_primary": True}),
    ("unique", (), {"is_unique": True}),
    ("default", ("x",), {"default_value": "x"}),
    ("default", (None,), {"default_value": None}),
    ("server_only", (), {"policy": "server_only"}),
    ("write_only", (), {"policy": "write_only"}),
    ("read_only", (), {"policy": "read_only"}),
]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(("modifier", "args", "expected"), COMMON_MODIFIERS)
def test_common_modifier_on_every_kind(
    kind: str, modifier: str, args: tuple[object, ...], expected: dict[str, object]
) -> None:
    field = getattr(make(kind), modifier)(*args)
    assert field.kind == kind
    for attr, value in expected.items():
        assert getattr(field, attr) == value
    untouched = {f.name for f in dataclasses.fields(Field)} - set(expected)
    for attr in untouched:
        assert getattr(field, attr) == getattr(Field(kind), attr), attr


def test_default_none_is_a_real_default() -> None:
    field = t.string().optional().default(None)
    assert field.default_value is None
    assert field.has_default


def test_callable_default_is_kept() -> None:
    def make_id() -> str:
        return "x"

    assert t.uuid().default(make_id).default_value is make_id


def test_default_now_on_timestamp() -> None:
    field = t.timestamp().default_now()
    assert field.defaults_to_now
    assert field.has_default
    assert field.default_value is NO_DEFAULT


def test_email_on_string() -> None:
    assert t.string().email().is_email


@pytest.mark.parametrize("kind", NUMERIC_BOUND_KINDS)
def test_min_and_max_on_kinds_that_take_bounds(kind: str) -> None:
    field = make(kind).min(1).max(2.5)
    assert (field.min_value, field.max_value) == (1, 2.5)
    assert make(kind).max(3).min(3).min_value == 3  # equal bounds are fine


@pytest.mark.parametrize("policy", ["server_only", "write_only", "read_only"])
def test_same_policy_twice_is_fine(policy: str) -> None:
    field = getattr(getattr(t.string(), policy)(), policy)()
    assert field.policy == policy


def test_modifiers_chain_in_any_order() -> None:
    a = t.string().unique().optional().email().max(10).server_only()
    b = t.string().server_only().max(10).email().optional().unique()
    assert a == b


# -- immutability ---------------------------------------------------------------------

ALL_MODIFIERS = [
    ("string", "optional", ()),
    ("string", "primary", ()),
    ("string", "unique", ()),
    ("string", "default", ("x",)),
    ("timestamp", "default_now", ()),
    ("string", "email", ()),
    ("integer", "min", (1,)),
    ("integer", "max", (1,)),
    ("string", "server_only", ()),
    ("string", "write_only", ()),
    ("string", "read_only", ()),
]


@pytest.mark.parametrize(("kind", "modifier", "args"), ALL_MODIFIERS)
def test_modifier_returns_new_field_and_leaves_old_unchanged(
    kind: str, modifier: str, args: tuple[object, ...]
) -> None:
    original = make(kind)
    snapshot = dataclasses.replace(original)
    changed = getattr(original, modifier)(*args)
    assert changed is not original
    assert changed != original
    assert original == snapshot == Field(kind)


def test_field_is_frozen() -> None:
    field = t.string()
    with pytest.raises(dataclasses.FrozenInstanceError):
        field.is_optional = True  # type: ignore[misc]


def test_shared_field_is_safe_to_reuse() -> None:
    base = t.string()
    a, b = base.optional(), base.unique()
    assert not a.is_unique and not b.is_optional and a.is_optional and b.is_unique


# -- modifiers a kind does not take ---------------------------------------------------


@pytest.mark.parametrize("kind", [k for k in KINDS if k != "string"])
def test_email_on_non_string_is_an_error(kind: str) -> None:
    with pytest.raises(ModelError, match=rf"\.email\(\) applies to t\.string\(\) only, not to t\.{kind}\(\)"):
        make(kind).email()


@pytest.mark.parametrize("kind", [k for k in KINDS if k != "timestamp"])
def test_default_now_on_non_timestamp_is_an_error(kind: str) -> None:
    with pytest.raises(
        ModelError, match=rf"\.default_now\(\) applies to t\.timestamp\(\) only, not to t\.{kind}\(\)"
    ):
        make(kind).default_now()


@pytest.mark.parametrize("kind", NO_BOUND_KINDS)
@pytest.mark.parametrize("bound", ["min", "max"])
def test_bounds_on_kinds_without_bounds_are_an_error(kind: str, bound: str) -> None:
    with pytest.raises(ModelError, match=rf"\.{bound}\(\) does not apply to t\.{kind}\(\)"):
        getattr(make(kind), bound)(1)


@pytest.mark.parametrize("kind", NUMERIC_BOUND_KINDS)
@pytest.mark.parametrize("bound", ["min", "max"])
@pytest.mark.parametrize("value", ["1", None, True, False, [1], 1j])
def test_non_number_bound_is_an_error(kind: str, bound: str, value: object) -> None:
    with pytest.raises(ModelError, match=rf"\.{bound}\(\) takes a number, got {re.escape(repr(value))}"):
        getattr(make(kind), bound)(value)


@pytest.mark.parametrize(
    "build",
    [lambda: t.integer().min(5).max(1), lambda: t.integer().max(1).min(5), lambda: t.number().min(0.5).max(0.25)],
    ids=["min-then-max", "max-then-min", "floats"],
)
def test_min_greater_than_max_is_an_error(build) -> None:
    with pytest.raises(ModelError, match=r"greater than|less than"):
        build()


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("server_only", "write_only"),
        ("server_only", "read_only"),
        ("write_only", "read_only"),
        ("read_only", "server_only"),
    ],
)
def test_two_policies_are_an_error(first: str, second: str) -> None:
    with pytest.raises(ModelError, match=rf"\.{second}\(\) conflicts with \.{first}\(\)"):
        getattr(getattr(t.string(), first)(), second)()


@pytest.mark.parametrize(
    ("build", "modifier"),
    [
        (lambda: t.string().default("a").default("b"), "default"),
        (lambda: t.string().optional().default(None).default("b"), "default"),
        (lambda: t.timestamp().default_now().default(0), "default"),
        (lambda: t.timestamp().default(0).default_now(), "default_now"),
        (lambda: t.timestamp().default_now().default_now(), "default_now"),
    ],
)
def test_default_twice_is_an_error(build, modifier: str) -> None:
    with pytest.raises(ModelError, match=rf"\.{modifier}\(\): the field already has a default"):
        build()


@pytest.mark.parametrize("kind", KINDS)
def test_primary_and_optional_is_an_error_in_either_order(kind: str) -> None:
    with pytest.raises(ModelError, match=r"primary key cannot be \.optional"):
        make(kind).primary().optional()
    with pytest.raises(ModelError, match=r"\.optional\(\) field cannot be a primary key"):
        make(kind).optional().primary()


@pytest.mark.parametrize("kind", RELATION_KINDS)
@pytest.mark.parametrize(
    ("modifier", "args"),
    [
        ("optional", ()),
        ("primary", ()),
        ("unique", ()),
        ("default", (1,)),
        ("default", (None,)),
        ("default_now", ()),
        ("email", ()),
        ("min", (1,)),
        ("max", (1,)),
        ("server_only", ()),
        ("write_only", ()),
        ("read_only", ()),
    ],
)
def test_any_modifier_on_a_relation_is_an_error(kind: str, modifier: str, args: tuple[object, ...]) -> None:
    with pytest.raises(ModelError, match=rf"t\.{kind}\(\)") as excinfo:
        getattr(relation(kind), modifier)(*args)
    assert f".{modifier}()" in str(excinfo.value)


# -- t.<unknown>() ---------------------------------------------------------------------


def test_unknown_kind_is_an_attribute_error_listing_known_kinds() -> None:
    with pytest.raises(AttributeError) as excinfo:
        t.strng()  # type: ignore[attr-defined]
    message = str(excinfo.value)
    assert "t.strng() is not a field type" in message
    for kind in (*BUILTIN_KINDS, *RELATION_KINDS):
        assert kind in message
    assert not hasattr(t, "strng")


@pytest.mark.parametrize(("typo", "meant"), [("strng", "string"), ("integr", "integer"), ("timestmp", "timestamp"), ("belongs_too", "belongs_to")])
def test_mistyped_kind_suggests_the_closest(typo: str, meant: str) -> None:
    with pytest.raises(AttributeError, match=rf"t\.{typo}\(\) is not a field type; did you mean t\.{meant}\(\)\?"):
        getattr(t, typo)()


def test_far_off_kind_suggests_nothing() -> None:
    with pytest.raises(AttributeError) as excinfo:
        t.money()  # type: ignore[attr-defined]
    assert "did you mean" not in str(excinfo.value)


def test_private_names_are_not_looked_up_as_kinds() -> None:
    with pytest.raises(AttributeError):
        t._secret  # type: ignore[attr-defined]  # noqa: B018


def test_a_modifier_runs_a_subclass_post_init_as_dataclasses_replace_would() -> None:
    import dataclasses

    from nanoka_core import Field

    checked: list[bool] = []

    @dataclasses.dataclass(frozen=True)
    class Checked(Field):
        def __post_init__(self) -> None:
            checked.append(self.is_unique)

    field = Checked("money").unique()
    assert type(field) is Checked and field.is_unique and checked == [False, True]


def test_plain_fields_are_shared_and_modifiers_never_change_them() -> None:
    assert t.string() is t.string()
    modified = t.string().optional().unique()
    assert modified is not t.string()
    assert not t.string().is_optional and not t.string().is_unique


def test_fields_compare_hash_and_print_as_dataclasses_do() -> None:
    """Field writes ``==``, ``hash`` and ``repr`` once for all its subclasses; they behave as generated ones."""
    import dataclasses

    from nanoka_core.schema.fields import Field, Relation

    a, b = t.string().optional(), t.string().optional()
    assert a == b and hash(a) == hash(b)
    assert a != t.string() and a != t.string().optional().unique()
    assert Field("string") != Relation("string")  # another class is never equal, as in dataclasses
    assert Relation("has_many", target="posts") != Relation("has_many", target="users")
    assert a.__eq__(object()) is NotImplemented
    values = ", ".join(f"{f.name}={getattr(a, f.name)!r}" for f in dataclasses.fields(a))
    assert repr(a) == f"Field({values})"
    assert repr(Relation("has_many", target="posts")).startswith("Relation(kind='has_many', ")
    assert dataclasses.replace(a, is_unique=True) == a.unique()


def test_field_takes_every_setting_by_keyword_and_refuses_unknown_ones() -> None:
    field = Field("money", is_optional=True, length=3)
    assert (field.kind, field.is_optional, field.length, field.timestamp_unit) == ("money", True, 3, "ms")
    assert list(vars(field)) == [f.name for f in dataclasses.fields(Field)]  # == and hash follow this order
    relation = Relation("has_many", target="users", foreign_key="userId")
    assert list(vars(relation)) == [f.name for f in dataclasses.fields(Relation)]
    assert (relation.foreign_key, relation.on_delete) == ("userId", None)
    with pytest.raises(TypeError, match="Field\\(\\) got unexpected keyword arguments: bogus, nope"):
        Field("money", nope=1, bogus=2)
