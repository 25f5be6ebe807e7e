"""Loading the models a config names, through the CLI: order, errors, relations, pythonpath."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

HEADER = "from nanoka_core import t, define_model, Model\n"
MODELS = HEADER + """\
class Zed(Model, table="zed"):
    id = t.uuid()
Alpha = define_model("alpha", {"id": t.uuid()})
class Mid(Model, table="mid"):
    id = t.uuid()
alias = Alpha
NOT_A_MODEL = 3
a_field = t.string()
"""


def run(nanoka_project, run_nanoka, models: dict[str, str], config: str):
    project: Path = nanoka_project(models, config=config)
    result = run_nanoka(["generate", "--no-migrate"], cwd=project)
    schema = project / "drizzle" / "schema.ts"
    return result, project, schema


def tables(schema: Path) -> list[str]:
    return re.findall(r"^export const (\w+) =", schema.read_text(encoding="utf-8"), re.M)


def assert_failed(result, schema: Path, *needles: str) -> None:
    assert result.exit_code == 1, result.output
    for needle in needles:
        assert needle in result.stderr
    assert "Traceback" not in result.output
    assert not schema.exists()


@pytest.mark.parametrize(
    ("entries", "expected"),
    [
        (["app.models"], ["zed", "alpha", "mid"]),
        (["app.models:Alpha"], ["alpha"]),
        (["app.models:Mid", "app.models:Zed"], ["mid", "zed"]),
        (["app.models:alias"], ["alpha"]),
        (["app.models", "app.models:Alpha"], ["zed", "alpha", "mid"]),
        (["app.models:Alpha", "app.models:Alpha"], ["alpha"]),
        (["app.models:Mid", "app.models"], ["mid", "zed", "alpha"]),
        (["app.models", "app.models"], ["zed", "alpha", "mid"]),
        (["app.models:Alpha", "app.models:alias"], ["alpha"]),
    ],
)
def test_models_entries_select_models_in_order(nanoka_project, run_nanoka, entries, expected) -> None:
    config = f"models = {entries!r}\n".replace("'", '"')
    result, _, schema = run(nanoka_project, run_nanoka, {"app/models.py": MODELS}, config)
    assert result.exit_code == 0, result.output
    assert tables(schema) == expected


def test_models_from_several_modules_follow_config_order(nanoka_project, run_nanoka) -> None:
    files = {
        "app/a.py": HEADER + "A1 = define_model('a1', {'id': t.uuid()})\nA2 = define_model('a2', {'id': t.uuid()})\n",
        "app/b.py": HEADER + "B1 = define_model('b1', {'id': t.uuid()})\n",
    }
    result, _, schema = run(nanoka_project, run_nanoka, files, 'models = ["app.b", "app.a"]\n')
    assert result.exit_code == 0, result.output
    assert tables(schema) == ["b1", "a1", "a2"]


@pytest.mark.parametrize(
    ("entry", "needles"),
    [
        ("app.models:Nope", ["model 'app.models:Nope'", "module 'app.models' has no attribute 'Nope'"]),
        ("app.models:NOT_A_MODEL", ["model 'app.models:NOT_A_MODEL' is a int, not a Model"]),
        ("app.models:a_field", ["model 'app.models:a_field' is a Field, not a Model"]),
        ("app.models:Model", ["model 'app.models:Model'", "not a Model"]),
        ("app.models:define_model", ["model 'app.models:define_model' is a function, not a Model"]),
    ],
)
def test_bad_attribute_is_an_error(nanoka_project, run_nanoka, entry: str, needles: list[str]) -> None:
    result, _, schema = run(nanoka_project, run_nanoka, {"app/models.py": MODELS}, f'models = ["{entry}"]\n')
    assert_failed(result, schema, *needles)


@pytest.mark.parametrize(
    ("entry", "missing"),
    [("nope", "nope"), ("nope.models", "nope"), ("app.nope", "app.nope"), ("app.models.deeper", "app.models.deeper")],
)
def test_module_that_does_not_exist_is_named(nanoka_project, run_nanoka, entry: str, missing: str) -> None:
    result, _, schema = run(nanoka_project, run_nanoka, {"app/models.py": MODELS}, f'models = ["{entry}"]\n')
    assert_failed(result, schema, f"cannot import model module {entry!r}", f"{missing!r}")


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ("raise RuntimeError('boom')", "RuntimeError: boom"),
        ("x = 1 / 0", "ZeroDivisionError: division by zero"),
        ("import not_installed_pkg_xyz", "No module named 'not_installed_pkg_xyz'"),
        ("from app.model import Base", "No module named 'app.model'"),
        ("U = define_model('users', {'id': undefined_name})", "NameError: name 'undefined_name' is not defined"),
    ],
    ids=["runtime", "zerodiv", "missing-import", "missing-import-with-prefix-name", "name"],
)
def test_module_raising_on_import_names_module_error_and_line(nanoka_project, run_nanoka, body: str, error: str) -> None:
    source = HEADER + "X = 1\n" + body + "\n"  # the failing statement is on line 3
    result, project, schema = run(nanoka_project, run_nanoka, {"app/models.py": source}, 'models = ["app.models"]\n')
    assert_failed(result, schema, "'app.models'", error, f"{project / 'app' / 'models.py'}:3")


def test_error_in_a_helper_module_points_at_the_helper(nanoka_project, run_nanoka) -> None:
    files = {
        "app/helpers.py": "def make():\n    raise ValueError('bad helper')\n",
        "app/models.py": HEADER + "from app.helpers import make\nmake()\n",
    }
    result, project, schema = run(nanoka_project, run_nanoka, files, 'models = ["app.models"]\n')
    assert_failed(result, schema, "'app.models'", "ValueError: bad helper", f"{project / 'app' / 'helpers.py'}:2")


def test_syntax_error_names_file_and_line(nanoka_project, run_nanoka) -> None:
    source = HEADER + "X = 1\nclass Broken(\n"
    result, _, schema = run(nanoka_project, run_nanoka, {"app/models.py": source}, 'models = ["app.models"]\n')
    assert_failed(result, schema, "'app.models'", "SyntaxError", "models.py", "line 3")


def test_field_modifier_error_points_at_the_users_line(nanoka_project, run_nanoka) -> None:
    source = HEADER + "X = 1\nU = define_model('users', {'n': t.integer().email()})\n"
    result, project, schema = run(nanoka_project, run_nanoka, {"app/models.py": source}, 'models = ["app.models"]\n')
    assert_failed(result, schema, ".email() applies to t.string() only", f"{project / 'app' / 'models.py'}:3")


def test_empty_models_list_is_an_error_naming_the_config(nanoka_project, run_nanoka) -> None:
    result, project, schema = run(nanoka_project, run_nanoka, {}, "models = []\n")
    assert_failed(result, schema, f"{project / 'nanoka.toml'}: 'models' is empty", "drop every table")


@pytest.mark.parametrize(
    ("entries", "empty"),
    [(["app.empty", "app.models:Alpha"], "app.empty"), (["app.models:Alpha", "app"], "app")],
    ids=["module", "package-init"],
)
def test_entry_without_models_is_an_error_naming_it(nanoka_project, run_nanoka, entries, empty) -> None:
    files = {"app/models.py": MODELS, "app/empty.py": "X = 1\n"}
    config = f"models = {json.dumps(entries)}\n"
    result, project, schema = run(nanoka_project, run_nanoka, files, config)
    assert_failed(result, schema, f"{project / 'nanoka.toml'}: 'models' entry {empty!r} defines no models")


def test_a_stage_that_loads_no_models_writes_nothing(nanoka_project, run_nanoka) -> None:
    """However the models were loaded, none means no schema (it would drop every table)."""
    plugin = """\
        from nanoka_core import Stage, hookimpl

        def load(ctx):
            ctx.models = []
            return ctx.models

        @hookimpl
        def nanoka_register_stages(register):
            register(Stage("load-config", run=load, replaces="load-config"))
    """
    config = 'models = ["app.models"]\nplugins = ["app.noload"]\n'
    result, _, schema = run(nanoka_project, run_nanoka, {"app/models.py": MODELS, "app/noload.py": plugin}, config)
    assert_failed(result, schema, "no models were loaded", "drop every table")


# -- relations ------------------------------------------------------------------------

USERS = "User = define_model('users', {'id': t.uuid().primary()})\n"


@pytest.mark.parametrize("kind", ["belongs_to", "has_many"])
@pytest.mark.parametrize(
    ("target", "needle"),
    [
        ("'users'", "target must be a Model or a callable returning one, got 'users'"),
        ("5", "target must be a Model or a callable returning one, got 5"),
        ("lambda: 'users'", "target must be a Model or a callable returning one, got 'users'"),
        ("t.string()", "target must be a Model"),
        ("Model", "target must be a Model"),
        ("lambda: Missing", "target raised NameError: name 'Missing' is not defined"),
    ],
)
def test_relation_target_that_is_not_a_model_is_an_error(nanoka_project, run_nanoka, kind, target, needle) -> None:
    source = HEADER + USERS + (
        f"Post = define_model('posts', {{'userId': t.uuid(), 'rel': t.{kind}({target}, foreign_key='userId')}})\n"
    )
    result, _, schema = run(nanoka_project, run_nanoka, {"app/models.py": source}, 'models = ["app.models"]\n')
    assert_failed(result, schema, f"posts.rel: t.{kind}() target", needle)


@pytest.mark.parametrize(
    ("relation", "needle"),
    [
        ("t.belongs_to(User, foreign_key='nope')", "posts.author: foreign_key 'nope' is not a column of model 'posts'"),
        ("t.belongs_to(User, foreign_key='tags')", "foreign_key 'tags' is not a column of model 'posts'"),
        ("t.has_many(User, foreign_key='postId')", "posts.author: foreign_key 'postId' is not a column of model 'users'"),
        ("t.has_many(User, foreign_key='userId')", "foreign_key 'userId' is not a column of model 'users'"),
    ],
    ids=["belongs_to-missing", "belongs_to-relation", "has_many-missing", "has_many-on-wrong-side"],
)
def test_foreign_key_that_is_not_a_column_is_an_error(nanoka_project, run_nanoka, relation, needle) -> None:
    source = HEADER + USERS + (
        "Tag = define_model('tags', {'id': t.uuid()})\n"
        f"Post = define_model('posts', {{'userId': t.uuid(), 'tags': t.has_many(Tag, foreign_key='id'), "
        f"'author': {relation}}})\n"
    )
    result, _, schema = run(nanoka_project, run_nanoka, {"app/models.py": source}, 'models = ["app.models"]\n')
    assert_failed(result, schema, needle)


def test_valid_relations_with_forward_references_write_no_lines(nanoka_project, run_nanoka) -> None:
    source = HEADER + """\
class User(Model, table="users"):
    id = t.uuid().primary()
    posts = t.has_many(lambda: Post, foreign_key="authorId")

class Post(Model, table="posts"):
    id = t.uuid().primary()
    authorId = t.uuid()
    author = t.belongs_to(User, foreign_key="authorId")
"""
    result, _, schema = run(nanoka_project, run_nanoka, {"app/models.py": source}, 'models = ["app.models"]\n')
    assert result.exit_code == 0, result.output
    text = schema.read_text(encoding="utf-8")
    assert "posts:" not in text and "author:" not in text
    assert "export const users = sqliteTable('users', {\n  id: text('id').primaryKey().notNull(),\n})\n" in text


# -- pythonpath -----------------------------------------------------------------------

SRC_MODELS = {"src/app/models.py": HEADER + "User = define_model('users', {'id': t.uuid()})\n"}


def test_pythonpath_src_layout(nanoka_project, run_nanoka) -> None:
    config = 'models = ["app.models"]\npythonpath = ["src"]\n'
    result, _, schema = run(nanoka_project, run_nanoka, SRC_MODELS, config)
    assert result.exit_code == 0, result.output
    assert tables(schema) == ["users"]


def test_src_layout_without_pythonpath_is_not_found(nanoka_project, run_nanoka) -> None:
    result, _, schema = run(nanoka_project, run_nanoka, SRC_MODELS, 'models = ["app.models"]\n')
    assert_failed(result, schema, "cannot import model module 'app.models'", "pythonpath")
