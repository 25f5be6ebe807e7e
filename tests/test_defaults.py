"""Which literal defaults each kind takes, and which are written as SQL literals.

The refusals, with their messages and the nothing-written promise, are in
tests/test_hostile.py; what D1 makes of the accepted ones is in
tests/e2e/test_e2e_hostile.py.
"""

from __future__ import annotations

import enum
from typing import Any

import pytest

from nanoka_core import define_model, t
from nanoka_core.errors import ModelError
from nanoka_core.schema.checks import check_models
from nanoka_core.schema.defaults import needs_sql_literal


class Level(enum.IntEnum):
    HIGH = 3


class Colour(str, enum.Enum):
    RED = "red"


ACCEPTED = [
    ("string", "it's \\ \"x\"\n é😀"), ("string", ""), ("string", Colour.RED), ("uuid", "0000"),
    ("number", 1), ("number", -0.5), ("number", 1e21), ("number", Level.HIGH),
    ("integer", 0), ("integer", -(2**53 - 1)), ("integer", Level.HIGH),
    ("boolean", True), ("boolean", False),
    ("json", {"a": [1, None]}), ("json", "x"), ("json", True), ("json", 0.5), ("json", ["'", "\x00"]),
]
REFUSED = [
    ("string", 1), ("string", b"x"), ("uuid", None), ("number", True), ("number", "1"), ("integer", 1.0),
    ("integer", False), ("boolean", 0), ("boolean", "true"), ("timestamp", 0), ("timestamp", "now"),
    ("string", "a\x00"), ("string", "\udfff"),
]


@pytest.mark.parametrize(("kind", "value"), ACCEPTED)
def test_each_kind_takes_what_its_drizzle_column_takes(kind: str, value: Any) -> None:
    check_models([define_model("things", {"x": getattr(t, kind)().default(value)})])


@pytest.mark.parametrize(("kind", "value"), REFUSED)
def test_each_kind_refuses_the_rest_naming_the_field(kind: str, value: Any) -> None:
    with pytest.raises(ModelError, match=r"^things\.x: "):
        check_models([define_model("things", {"x": getattr(t, kind)().default(value)})])


def test_none_only_on_an_optional_json_field() -> None:
    check_models([define_model("things", {"x": t.json().optional().default(None)})])
    for field in (t.json().default(None), t.string().optional().default(None)):
        with pytest.raises(ModelError, match=r"^things\.x: default None"):
            check_models([define_model("things", {"x": field})])


def test_callables_pass_on_every_kind() -> None:
    kinds = ("string", "uuid", "number", "integer", "boolean", "timestamp", "json")
    check_models([define_model("things", {k: getattr(t, k)().default(lambda: None) for k in kinds})])


@pytest.mark.parametrize(
    ("value", "literal"),
    [
        (None, False), (0, False), (-7, False), ({"a": 1}, False), ([1, "x"], False), ((), False),
        ("x", True), (True, True), (False, True), (0.5, True), (1.0, True),
        ({"a": "it's"}, True), ({"it's": 1}, True), (["'"], True),
    ],
)
def test_json_defaults_drizzle_kit_writes_wrongly_become_sql_literals(value: Any, literal: bool) -> None:
    assert needs_sql_literal("json", value) is literal


@pytest.mark.parametrize("kind", ["string", "uuid", "number", "integer", "boolean", "money"])
def test_other_kinds_are_never_sql_literals(kind: str) -> None:
    assert not needs_sql_literal(kind, "it's")
    assert not needs_sql_literal(kind, {"a": "'"})


@pytest.mark.parametrize("value", [("a", 1), [("a", [1])]])
def test_a_json_default_takes_tuples_as_arrays(value: Any) -> None:
    check_models([define_model("things", {"id": t.integer().primary(), "data": t.json().default(value)})])


def test_a_table_declaration_is_no_json_default_though_it_is_a_named_tuple() -> None:
    from nanoka_core import check, index

    for record in (index("id"), [check("positive", "id > 0")]):
        model = define_model("things", {"id": t.integer().primary(), "data": t.json().default(record)})
        with pytest.raises(ModelError, match=r"things\.data: a default of type (Index|Check) cannot be written as JSON"):
            check_models([model])
