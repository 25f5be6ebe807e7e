"""Real schemas: foreign keys, indexes, enums, composite keys, checks, column names,
runtime defaults and typed JSON, against hand-written golden files and every error."""

from __future__ import annotations

import dataclasses
import datetime
import enum
import sys
import time
import uuid
from pathlib import Path
from typing import Annotated, Any, Literal, Optional, Union

import pytest
import structlog

if sys.version_info >= (3, 11):
    from typing import NotRequired, TypedDict
else:  # the spelling the README gives for Python 3.10
    from typing_extensions import NotRequired, TypedDict

from nanoka_core import Model, check, define_model, index, t
from nanoka_core.errors import ModelError
from nanoka_core.schema.checks import check_models

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
         r"posts\.ownerId: the foreign key names 'nope', which is not a column of model 'owners'"),
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


def test_foreign_key_to_a_one_column_primary_key_tuple(nanoka_render: Any) -> None:
    codes = define_model("codes", {"code": t.string()}, primary_key=("code",))
    uses = define_model("uses", {"code": t.string().references(codes)})
    check_models([codes, uses])
    assert "  code: text('code').notNull().references(() => codes.code)," in nanoka_render([codes, uses])


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


# -- indexes -----------------------------------------------------------------------------


def test_indexes(nanoka_render: Any) -> None:
    class Event(Model, table="events", indexes=[
        index("tenantId", "kind", "at"),
        index("tenantId", "slug", unique=True),
        index("kind", name="by_kind"),
    ]):
        id = t.integer().primary()
        tenantId = t.string().index()
        kind = t.string()
        at = t.timestamp().index()
        slug = t.string().optional()

    assert nanoka_render([Event]) == golden("indexes.ts")


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: index(), r"index\(\) needs at least one field name"),
        (lambda: index("a", "a"), r"a field is named twice"),
        (lambda: index("a", name="bad name"), r"constraint name 'bad name' is not a plain identifier"),
        (lambda: index(1), r"index\(\): fields are field names \(strings\) or sql\(\.\.\.\) expressions, got 1"),  # type: ignore[arg-type]
        (lambda: define_model("m", {"a": t.string()}, indexes=[index("b")]),
         r"model 'm': index\('b',\): 'b' is not a column of the model \(columns: a\)"),
        (lambda: define_model("m", {"a": t.string(), "r": t.has_many(Owner, foreign_key="x")}, indexes=[index("r")]),
         r"'r' is not a column of the model"),
        (lambda: define_model("m", {"a": t.string()}, indexes=["a"]),  # type: ignore[list-item]
         r"model 'm': indexes= takes index\(\.\.\.\) values, got 'a'"),
    ],
)
def test_index_errors(build: Any, message: str) -> None:
    with pytest.raises(ModelError, match=message):
        build()


def test_a_check_may_compare_to_the_word_select_in_a_string_or_a_quoted_column() -> None:
    define_model("m", {"a": t.string(), "select": t.string()}, checks={"c": "a <> 'select' and \"select\" <> ''"})


@pytest.mark.parametrize(
    ("second", "message"),
    [
        ({"indexes": [index("b", name="same")]}, r"model 'a' and model 'b' both name a table or index 'same'"),
        ({"indexes": [index("b", name="A_X_IDX")]}, r"model 'a' and model 'b' both name a table or index 'A_X_IDX' \(and 'a_x_idx'\)"),
        ({"indexes": [index("b", name="a")]}, r"model 'a' and model 'b' both name a table or index 'a'"),
    ],
)
def test_index_names_are_global_across_models(second: dict[str, Any], message: str) -> None:
    first = define_model("a", {"x": t.string().index(), "y": t.string()}, indexes=[index("y", name="same")])
    other = define_model("b", {"b": t.string()}, **second)
    with pytest.raises(ModelError, match=message):
        check_models([first, other])
    check_models([first, define_model("b", {"b": t.string()}, indexes=[index("b", name="other")])])


# -- enums -------------------------------------------------------------------------------


class Status(str, enum.Enum):
    DRAFT = "draft"
    PUBLISHED = "published"


def test_enums(nanoka_render: Any) -> None:
    posts = define_model("posts", {
        "status": t.enum(Status).default(Status.DRAFT),
        "mood": t.enum("ok", "it's `${x}` \\ \"quoted\"").optional(),
    })
    check_models([posts])
    assert nanoka_render([posts]) == golden("enums.ts")


def test_enum_default_by_value_equals_by_member() -> None:
    assert t.enum(Status).default("draft") == t.enum(Status).default(Status.DRAFT)
    assert t.enum("a", "b").default(None).default_value is None


class Numbers(enum.Enum):
    ONE = 1


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: t.enum(), r"t\.enum\(\) needs at least one value"),
        (lambda: t.enum(Numbers), r"t\.enum\(Numbers\): every value must be a string, got 1"),
        (lambda: t.enum("a", 2), r"t\.enum\(\): every value must be a string, got 2"),
        (lambda: t.enum("a", "a"), r"values repeat"),
        (lambda: t.enum(Status).default("archived"), r"\.default\('archived'\) is not one of the enum's values: 'draft', 'published'"),
        (lambda: t.enum("a").min(1), r"\.min\(\) does not apply to t\.enum\(\)"),
    ],
)
def test_enum_errors(build: Any, message: str) -> None:
    with pytest.raises(ModelError, match=message):
        build()


# -- composite primary key ---------------------------------------------------------------


def test_composite_primary_key(nanoka_render: Any) -> None:
    class Tagging(Model, table="post_tags", primary_key=("postId", "tag")):
        postId = t.integer()
        tag = t.string()
        weight = t.integer().default(1)

    assert nanoka_render([Tagging]) == golden("composite_key.ts")
    same = define_model("post_tags", dict(Tagging.fields), primary_key=["postId", "tag"])
    assert nanoka_render([same]) == golden("composite_key.ts")


@pytest.mark.parametrize(
    ("fields", "primary_key", "message"),
    [
        ({"a": t.string().primary(), "b": t.string()}, ("a", "b"),
         r"model 'm': field 'a' is \.primary\(\) and the model also has primary_key=; declare the key one way"),
        ({"a": t.string().optional(), "b": t.string()}, ("a", "b"),
         r"primary_key= names 'a', which is \.optional\(\); a key cannot be NULL"),
        ({"a": t.string()}, ("a", "z"), r"model 'm': primary_key=: 'z' is not a column of the model"),
        ({"a": t.string()}, "a", r"primary_key= takes a tuple of field names"),
        ({"a": t.string()}, (), r"primary_key= takes a tuple of field names"),
    ],
)
def test_composite_primary_key_errors(fields: dict[str, Any], primary_key: Any, message: str) -> None:
    with pytest.raises(ModelError, match=message):
        define_model("m", fields, primary_key=primary_key)


# -- checks ------------------------------------------------------------------------------


def test_checks(nanoka_render: Any) -> None:
    class Product(Model, table="products", checks={
        "price_positive": "price > 0",
        "sane": "(stock between 0 and 1000) and \"name\" <> 'price' and length(name) > 0",
    }):
        price = t.number().column("price_eur")
        stock = t.integer()
        name = t.string()

    escaped = define_model("products", dict(Product.fields), checks=[
        check("price_positive", "price > 0"),
        check("sane", "(stock between 0 and 1000) and \"name\" <> 'price' and length(name) > 0"),
        check("escaped", "name not like '%`${x}\\%'"),
    ])
    assert nanoka_render([escaped]) == golden("checks.ts")
    assert nanoka_render([Product]) == golden("checks.ts").replace(
        "  check('products_escaped', sql`${table.name} not like '%\\`\\${x}\\\\%'`),\n", ""
    )


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("a > 0) or (1", r"check 'c': a '\)' closes more than was opened"),
        ("(a > 0", r"check 'c': a '\(' is not closed"),
        ("a = 'x", r"check 'c': a quote is not closed"),
        ("a > 0 -- always", r"check 'c': comments and ';' are not allowed"),
        ("a > 0 /* x */", r"check 'c': comments and ';' are not allowed"),
        ("a > 0; drop table m", r"check 'c': comments and ';' are not allowed"),
        ("(SELECT count(*) FROM u) = 0", r"check 'c': SQLite does not allow a subquery in a CHECK constraint"),
        ("exists (select 1 from u where u.a = a)", r"check 'c': SQLite does not allow a subquery"),
    ],
)
def test_check_expression_errors(expression: str, message: str) -> None:
    with pytest.raises(ModelError, match=rf"model 'm': {message}"):
        define_model("m", {"a": t.integer()}, checks={"c": expression})
    with pytest.raises(ModelError, match=rf"^{message}"):
        check("c", expression)


@pytest.mark.parametrize(
    ("checks", "message"),
    [
        ({"bad name": "a > 0"}, r"constraint name 'bad name' is not a plain identifier"),
        ({"c": "  "}, r"check 'c': the expression must be a non-empty SQL string"),
        (["a > 0"], r"checks: expected a dict of name -> SQL or check\(\.\.\.\) values, got 'a > 0'"),
    ],
)
def test_check_declaration_errors(checks: Any, message: str) -> None:
    with pytest.raises(ModelError, match=message):
        define_model("m", {"a": t.integer()}, checks=checks)


# -- column names ------------------------------------------------------------------------


def test_column_names(nanoka_render: Any) -> None:
    users = define_model("users", {
        "id": t.uuid().primary().column("user_id"),
        "createdAt": t.timestamp().default_now().column("created_at"),
        "teamName": t.string().column("team_name").index(),
    }, indexes=[index("teamName", "createdAt")])
    posts = define_model("posts", {"authorId": t.uuid().column("author_id").references(users)})
    check_models([users, posts])
    assert nanoka_render([users, posts]) == golden("column_names.ts")


@pytest.mark.parametrize("name", ["", "1a", "a-b", "a b", "x'); drop", None, 3])
def test_column_name_must_be_an_identifier(name: Any) -> None:
    with pytest.raises(ModelError, match=r"\.column\(.*\): the name is not a plain identifier"):
        t.string().column(name)


def test_column_names_that_clash_in_sqlite() -> None:
    model = define_model("m", {"a": t.string().column("B"), "b": t.string()})
    with pytest.raises(ModelError, match=r"fields 'a' and 'b' are the same column in SQLite"):
        check_models([model])


# -- runtime defaults --------------------------------------------------------------------


def test_runtime_defaults(nanoka_render: Any) -> None:
    sessions = define_model("sessions", {
        "id": t.uuid().primary().default(uuid.uuid4),
        "token": t.string().default(uuid.uuid4),
        "startedAt": t.timestamp().default(datetime.datetime.now),
        "seenAt": t.timestamp().optional().default(datetime.datetime.utcnow),
        "stampedAt": t.timestamp().default(time.time),
        "updatedAt": t.timestamp().optional().on_update_now(),
        "touchedAt": t.timestamp().default(datetime.datetime.now).on_update_now(),
        "other": t.string().default(str),
    })
    with structlog.testing.capture_logs() as logs:
        assert nanoka_render([sessions]) == golden("runtime_defaults.ts")
    assert [e["event"].split(":")[0] for e in logs if e["log_level"] == "warning"] == ["sessions.other"]


def test_known_callables_on_the_wrong_kind_warn() -> None:
    from nanoka_plugins.columns import nanoka_callable_default

    assert nanoka_callable_default(uuid.uuid4, t.integer(), None) is None
    assert nanoka_callable_default(time.time, t.string(), None) is None
    assert nanoka_callable_default(Unhashable(), t.string(), None) is None


class Unhashable:
    __hash__ = None  # type: ignore[assignment]

    def __call__(self) -> str:
        return "x"


@pytest.mark.parametrize("kind", ["string", "uuid", "integer", "number", "boolean", "json"])
def test_on_update_now_is_for_timestamps_only(kind: str) -> None:
    with pytest.raises(ModelError, match=rf"\.on_update_now\(\) applies to t\.timestamp\(\) only, not to t\.{kind}\(\)"):
        getattr(t, kind)().on_update_now()


# -- typed JSON --------------------------------------------------------------------------


class Prefs(TypedDict):
    theme: Literal["dark", "light"]
    tags: list[str]
    pinned: NotRequired[int | None]


class Loose(TypedDict, total=False):
    a: int
    b_c: dict[str, bool]


LooseKeys = TypedDict("LooseKeys", {"a": int, "b-c": dict[str, bool]}, total=False)


@dataclasses.dataclass
class Point:
    x: float
    y: float
    label: Optional[str] = None  # noqa: UP045  # Optional[...] is part of what is translated


def test_typed_json(nanoka_render: Any) -> None:
    docs = define_model("docs", {
        "prefs": t.json(Prefs).optional(),
        "loose": t.json(LooseKeys),
        "point": t.json(Point),
        "points": t.json(list[Optional[Point]]).default([]),  # noqa: UP045
        "pair": t.json(tuple[str, int]),
        "nums": t.json(tuple[float, ...]),
        "anything": t.json(Any),
        "nothing": t.json(None).optional(),
        "flags": t.json(list[Union[Literal[1, "two", True], None]]),  # noqa: UP007
        "untyped": t.json(),
    })
    assert nanoka_render([docs]) == golden("typed_json.ts")


def test_typed_json_is_the_same_text_every_time() -> None:
    from nanoka_core.schema.typescript import typescript_type

    assert typescript_type(Prefs) == typescript_type(Prefs) == (
        '{ theme: "dark" | "light"; tags: string[]; pinned?: number | null }'
    )
    assert typescript_type(int | str | None) == "number | string | null"
    assert typescript_type(str | int) == "string | number"  # declaration order
    assert typescript_type(dict) == "Record<string, unknown>"
    assert typescript_type(Annotated[list[Loose], "doc"]) == "{ a?: number; b_c?: Record<string, boolean> }[]"


class Node(TypedDict):
    children: list[Node]


@pytest.mark.parametrize(
    ("python_type", "message"),
    [
        (set[int], r"t\.json\(set\[int\]\): this type has no TypeScript counterpart"),
        (bytes, r"t\.json\(bytes\): this type has no TypeScript counterpart"),
        (list[complex], r"t\.json\(complex\) \(in list\[complex\]\): this type has no TypeScript counterpart"),
        (dict[int, str], r"t\.json\(dict\[int, str\]\): JSON object keys are strings"),
        (Literal[1.5], r"t\.json\(1\.5\) \(in Literal\[1\.5\]\): Literal\[\.\.\.\] values must be str, int, bool or None"),
        (Node, r"t\.json\(Node\): a recursive type cannot be written as one TypeScript type"),
    ],
)
def test_typed_json_errors(python_type: Any, message: str) -> None:
    with pytest.raises(ModelError, match=message):
        t.json(python_type)


def test_readme_example_renders_as_shown(nanoka_render: Any) -> None:
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    start = readme.index("from enum import Enum\nfrom typing import Literal, NotRequired")
    source = readme[start : readme.index("```", start)]
    shown_at = readme.index("```ts\n", start) + len("```ts\n")
    shown = readme[shown_at : readme.index("```", shown_at)]
    if sys.version_info < (3, 11):  # as the README's comment says
        source = source.replace("from typing import Literal, NotRequired, TypedDict", "from typing_extensions import Literal, NotRequired, TypedDict")
    namespace: dict[str, Any] = {}
    exec(compile(source, "README.md", "exec", dont_inherit=True), namespace)  # the README's own example
    assert nanoka_render([namespace["User"], namespace["Post"]]).split("\n\n", 1)[1] == shown


@pytest.mark.parametrize(
    ("fields", "extra"),
    [
        ({"a": t.string().index()}, {"indexes": [index("a")]}),
        ({"a": t.string()}, {"indexes": [index("a", name="dup"), index("a", unique=True, name="DUP")]}),
        ({"a": t.enum("x")}, {"checks": {"a_enum": "a <> ''"}}),
    ],
)
def test_two_constraints_of_one_name(fields: dict[str, Any], extra: dict[str, Any], nanoka_render: Any) -> None:
    model = define_model("m", fields, **extra)
    with pytest.raises(ModelError, match=r"model 'm': two indexes or checks are named '(m_a_idx|DUP|m_a_enum)'"):
        nanoka_render([model])


def test_a_partial_index_with_a_subquery_is_refused_too() -> None:
    with pytest.raises(ModelError, match=r"SQLite does not allow a subquery"):
        index("a", where="a in (select a from other)")
