"""The config file: where it is found, defaults, paths, and errors naming file and key."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from nanoka_core.config import Config, MigrateConfig, load_config
from nanoka_core.errors import ConfigError


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def as_pyproject(top: str, migrate: str = "") -> str:
    text = "[project]\nname = 'x'\n\n[tool.nanoka]\n" + top
    return text + (f"\n[tool.nanoka.migrate]\n{migrate}" if migrate else "")


def as_nanoka_toml(top: str, migrate: str = "") -> str:
    return top + (f"\n[migrate]\n{migrate}" if migrate else "")


FORMATS = {
    "nanoka.toml": (as_nanoka_toml, ""),
    "pyproject.toml": (as_pyproject, "tool.nanoka."),
}


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return tmp_path.resolve()


# -- finding the file --------------------------------------------------------------------


@pytest.mark.parametrize("name", FORMATS)
def test_found_in_the_working_directory(root: Path, name: str) -> None:
    build, _ = FORMATS[name]
    path = write(root / name, build('models = ["app.models"]\n'))
    config = load_config(cwd=root)
    assert config.path == path
    assert config.models == ("app.models",)


@pytest.mark.parametrize("name", FORMATS)
def test_found_by_upward_search_from_a_subfolder(root: Path, name: str) -> None:
    build, _ = FORMATS[name]
    path = write(root / name, build('models = ["app.models"]\n'))
    sub = root / "a" / "b" / "c"
    sub.mkdir(parents=True)
    config = load_config(cwd=sub)
    assert config.path == path
    assert config.project_dir == root
    assert config.output == root / "drizzle" / "schema.ts"


def test_nanoka_toml_wins_over_pyproject_in_the_same_folder(root: Path) -> None:
    write(root / "pyproject.toml", as_pyproject('models = ["from_pyproject"]\n'))
    write(root / "nanoka.toml", 'models = ["from_nanoka_toml"]\n')
    assert load_config(cwd=root).models == ("from_nanoka_toml",)


def test_nearest_config_wins(root: Path) -> None:
    write(root / "nanoka.toml", 'models = ["outer"]\n')
    write(root / "inner" / "pyproject.toml", as_pyproject('models = ["inner"]\n'))
    assert load_config(cwd=root / "inner").models == ("inner",)


@pytest.mark.parametrize(
    "pyproject",
    ["[project]\nname = 'x'\n", "[tool.ruff]\nline-length = 100\n", ""],
    ids=["no-tool", "other-tool", "empty"],
)
def test_pyproject_without_tool_nanoka_is_skipped_in_the_search(root: Path, pyproject: str) -> None:
    outer = write(root / "nanoka.toml", 'models = ["outer"]\n')
    write(root / "pkg" / "pyproject.toml", pyproject)
    config = load_config(cwd=root / "pkg")
    assert config.path == outer
    assert config.models == ("outer",)


def test_explicit_path_to_pyproject_without_tool_nanoka_is_an_error(root: Path) -> None:
    path = write(root / "pyproject.toml", "[project]\nname = 'x'\n")
    with pytest.raises(ConfigError, match=r"no \[tool\.nanoka\] table") as excinfo:
        load_config(path)
    assert str(path) in str(excinfo.value)


def test_explicit_config_flag_at_pyproject_without_tool_nanoka_fails_on_the_cli(
    root: Path, run_nanoka
) -> None:
    write(root / "nanoka.toml", "models = []\n")  # would be found without --config
    write(root / "pyproject.toml", "[project]\nname = 'x'\n")
    result = run_nanoka(["generate", "--no-migrate", "--config", "pyproject.toml"], cwd=root)
    assert result.exit_code == 1
    assert "no [tool.nanoka] table" in result.stderr
    assert str(root / "pyproject.toml") in result.stderr
    assert not (root / "drizzle").exists()


def test_explicit_config_path_that_does_not_exist_is_an_error(root: Path) -> None:
    with pytest.raises(ConfigError, match="config file not found"):
        load_config(root / "missing.toml")


def test_no_config_anywhere_is_an_error(root: Path) -> None:
    with pytest.raises(ConfigError, match=r"no nanoka\.toml .* or pass --config"):
        load_config(cwd=root)


def test_generate_from_a_subfolder_writes_next_to_the_config(nanoka_project, run_nanoka) -> None:
    project = nanoka_project(
        {"app/models.py": "from nanoka_core import t, define_model\nU = define_model('users', {'id': t.uuid()})\n"}
    )
    sub = project / "deep" / "er"
    sub.mkdir(parents=True)
    result = run_nanoka(["generate", "--no-migrate"], cwd=sub)
    assert result.exit_code == 0, result.output
    assert (project / "drizzle" / "schema.ts").is_file()
    assert not (sub / "drizzle").exists()


# -- values ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", FORMATS)
def test_defaults(root: Path, name: str) -> None:
    build, _ = FORMATS[name]
    path = write(root / name, build('models = ["app.models"]\n'))
    assert load_config(path) == Config(
        path=path,
        project_dir=root,
        models=("app.models",),
        output=root / "drizzle" / "schema.ts",
        pythonpath=(),
        plugins=(),
        migrate=MigrateConfig(drizzle_config=None, database=None, package_manager=None),
    )


@pytest.mark.parametrize("name", FORMATS)
def test_every_key_is_read(root: Path, name: str) -> None:
    build, _ = FORMATS[name]
    path = write(
        root / name,
        build(
            'models = ["app.models", "app.other:User"]\noutput = "gen/schema.ts"\n'
            'pythonpath = ["src", "../lib"]\nplugins = ["my_plugin"]\n',
            'drizzle-config = "cfg/drizzle.config.ts"\ndatabase = "my-db"\npackage-manager = "pnpm"\n'
            'env = "staging"\nwrangler-config = "deploy/wrangler.staging.jsonc"\n'
            "preserve-rows = false\n",
        ),
    )
    config = load_config(path)
    assert config.models == ("app.models", "app.other:User")
    assert config.output == root / "gen" / "schema.ts"
    assert config.pythonpath == (root / "src", root.parent / "lib")  # ".." folded away
    assert config.plugins == ("my_plugin",)
    assert config.migrate == MigrateConfig(
        drizzle_config=root / "cfg" / "drizzle.config.ts",
        database="my-db",
        package_manager="pnpm",
        env="staging",
        wrangler_config=root / "deploy" / "wrangler.staging.jsonc",
        preserve_rows=False,
    )


def test_relative_paths_resolve_against_config_folder_not_cwd(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = root / "project"
    write(
        project / "nanoka.toml",
        'models = ["m"]\noutput = "out/schema.ts"\npythonpath = ["src"]\n'
        '[migrate]\ndrizzle-config = "drizzle.config.ts"\n',
    )
    elsewhere = root / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    config = load_config(Path("../project/nanoka.toml"))
    assert config.project_dir == project
    assert config.output == project / "out" / "schema.ts"
    assert config.pythonpath == (project / "src",)
    assert config.migrate.drizzle_config == project / "drizzle.config.ts"


def test_absolute_output_stays_absolute(root: Path) -> None:
    target = root / "somewhere" / "schema.ts"
    path = write(root / "project" / "nanoka.toml", f'models = []\noutput = "{target.as_posix()}"\n')
    assert load_config(path).output == target


@pytest.mark.parametrize("manager", ["npx", "pnpm", "npm", "yarn", "bun"])
def test_valid_package_managers(root: Path, manager: str) -> None:
    path = write(root / "nanoka.toml", f'models = []\n[migrate]\npackage-manager = "{manager}"\n')
    assert load_config(path).migrate.package_manager == manager


@pytest.mark.parametrize("entry", ["app", "app.models", "app.models:User", "_a.b_2:Z_z"])
def test_valid_models_entries(root: Path, entry: str) -> None:
    path = write(root / "nanoka.toml", f'models = ["{entry}"]\n')
    assert load_config(path).models == (entry,)


# -- errors ---------------------------------------------------------------------------

WRONG_TYPES = [
    # (top-level lines, [migrate] lines, key, expected type)
    ('models = ["m"]\noutput = 1\n', "", "output", "a non-empty string"),
    ('models = ["m"]\noutput = ""\n', "", "output", "a non-empty string"),
    ('models = ["m"]\noutput = ["a"]\n', "", "output", "a non-empty string"),
    ('models = "app.models"\n', "", "models", "a list of non-empty strings"),
    ("models = [1]\n", "", "models", "a list of non-empty strings"),
    ('models = [""]\n', "", "models", "a list of non-empty strings"),
    ("models = {a = 1}\n", "", "models", "a list of non-empty strings"),
    ('models = ["m"]\npythonpath = "src"\n', "", "pythonpath", "a list of non-empty strings"),
    ('models = ["m"]\npythonpath = [1]\n', "", "pythonpath", "a list of non-empty strings"),
    ('models = ["m"]\nplugins = "p"\n', "", "plugins", "a list of non-empty strings"),
    ('models = ["m"]\nplugins = [true]\n', "", "plugins", "a list of non-empty strings"),
    ('models = ["m"]\nmigrate = "x"\n', "", "migrate", "a table"),
    ('models = ["m"]\nmigrate = [1]\n', "", "migrate", "a table"),
    ('models = ["m"]\n', "drizzle-config = 1\n", "migrate.drizzle-config", "a non-empty string"),
    ('models = ["m"]\n', 'drizzle-config = ""\n', "migrate.drizzle-config", "a non-empty string"),
    ('models = ["m"]\n', "database = 1\n", "migrate.database", "a non-empty string"),
    ('models = ["m"]\n', "database = true\n", "migrate.database", "a non-empty string"),
    ('models = ["m"]\n', 'package-manager = ["npm"]\n', "migrate.package-manager", "a non-empty string"),
    ('models = ["m"]\n', 'preserve-rows = "no"\n', "migrate.preserve-rows", "true or false"),
]


@pytest.mark.parametrize("name", FORMATS)
@pytest.mark.parametrize(("top", "migrate", "key", "expected"), WRONG_TYPES)
def test_wrong_type_names_file_full_key_and_expected_type(
    root: Path, name: str, top: str, migrate: str, key: str, expected: str
) -> None:
    build, prefix = FORMATS[name]
    path = write(root / name, build(top, migrate))
    with pytest.raises(ConfigError) as excinfo:
        load_config(path)
    message = str(excinfo.value)
    assert message.startswith(f"{path}: ")
    assert f"'{prefix}{key}'" in message
    assert f"must be {expected}" in message


def test_wrong_type_message_says_what_was_found(root: Path) -> None:
    path = write(root / "nanoka.toml", 'models = ["m"]\n[migrate]\ndatabase = 5\n')
    with pytest.raises(ConfigError, match=r"'migrate\.database' must be a non-empty string, got integer 5"):
        load_config(path)


@pytest.mark.parametrize("text", ["[tool]\nnanoka = 5\n", "[tool]\nnanoka = ['models']\n"])
def test_tool_nanoka_that_is_not_a_table_is_an_error(root: Path, text: str) -> None:
    path = write(root / "pyproject.toml", text)
    with pytest.raises(ConfigError) as excinfo:
        load_config(path)
    message = str(excinfo.value)
    assert str(path) in message
    assert "tool.nanoka" in message
    assert "table" in message


UNKNOWN_KEYS = [
    ("", "drizzle_config = 'x'\n", "migrate.drizzle_config", "did you mean 'drizzle-config'?"),
    ("", "drizle-config = 'x'\n", "migrate.drizle-config", "did you mean 'drizzle-config'?"),
    ("", "drizzleconfig = 'x'\n", "migrate.drizzleconfig", "did you mean 'drizzle-config'?"),
    ("", "package_manager = 'npm'\n", "migrate.package_manager", "did you mean 'package-manager'?"),
    ("", "databse = 'x'\n", "migrate.databse", "did you mean 'database'?"),
    ("modles = []\n", "", "modles", "did you mean 'models'?"),
    ("plugin = []\n", "", "plugin", "did you mean 'plugins'?"),
    ("python_path = []\n", "", "python_path", "did you mean 'pythonpath'?"),
    ("outptu = 'x'\n", "", "outptu", "did you mean 'output'?"),
    (
        "zzz = 1\n",
        "",
        "zzz",
        "valid keys: output, models, pythonpath, plugins, table-prefix, table-prefix-renamed-from, export-names, migrate",
    ),
    ("", "zzz = 1\n", "migrate.zzz", "valid keys: drizzle-config, database, package-manager, env, wrangler-config, preserve-rows, rehearsal"),
]


@pytest.mark.parametrize("name", FORMATS)
@pytest.mark.parametrize(("top", "migrate", "key", "hint"), UNKNOWN_KEYS)
def test_unknown_key_suggests_the_right_one(
    root: Path, name: str, top: str, migrate: str, key: str, hint: str
) -> None:
    build, prefix = FORMATS[name]
    path = write(root / name, build('models = ["m"]\n' + top, migrate))
    with pytest.raises(ConfigError) as excinfo:
        load_config(path)
    message = str(excinfo.value)
    assert message.startswith(f"{path}: ")
    assert f"unknown key '{prefix}{key}'" in message
    assert message.endswith(hint)


@pytest.mark.parametrize("name", FORMATS)
@pytest.mark.parametrize("manager", ["pip", "NPM", "npm ", "deno"])
def test_unknown_package_manager_lists_valid_ones(root: Path, name: str, manager: str) -> None:
    build, prefix = FORMATS[name]
    path = write(root / name, build('models = ["m"]\n', f'package-manager = "{manager}"\n'))
    with pytest.raises(ConfigError) as excinfo:
        load_config(path)
    message = str(excinfo.value)
    assert str(path) in message
    assert f"'{prefix}migrate.package-manager' is {manager!r}" in message
    assert message.endswith("use one of: npx, pnpm, npm, yarn, bun")


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [
        ('models = ["m"]\noutput = \n', 2, 10),
        ('models = ["m"\noutput = 1\n', 2, 1),
        ('models = ["m"]\noutput = "x\n', 2, 12),
        ('models = ["m"]\n\n[migrate\n', 3, 9),
        ('models = ["m"]\nmodels = ["n"]\n', 2, 15),
    ],
)
def test_invalid_toml_gives_line_and_column(root: Path, text: str, line: int, column: int) -> None:
    path = write(root / "nanoka.toml", text)
    with pytest.raises(ConfigError) as excinfo:
        load_config(path)
    message = str(excinfo.value)
    assert message.startswith(f"{path}: invalid TOML")
    assert f"line {line}, column {column}" in message


def test_invalid_pyproject_met_in_the_search_is_reported(root: Path) -> None:
    path = write(root / "pyproject.toml", "[tool.nanoka\n")
    with pytest.raises(ConfigError, match=r"invalid TOML.*line 1, column") as excinfo:
        load_config(cwd=root)
    assert str(path) in str(excinfo.value)


@pytest.mark.parametrize(
    ("name", "text", "key"),
    [
        ("nanoka.toml", "", "models"),
        ("nanoka.toml", "# only a comment\n", "models"),
        ("nanoka.toml", 'output = "x.ts"\n', "models"),
        ("pyproject.toml", "[tool.nanoka]\n", "tool.nanoka.models"),
    ],
)
def test_missing_models_is_an_error(root: Path, name: str, text: str, key: str) -> None:
    path = write(root / name, text)
    with pytest.raises(ConfigError) as excinfo:
        load_config(path)
    message = str(excinfo.value)
    assert message.startswith(f"{path}: ")
    assert f"missing key '{key}'" in message


def test_empty_models_list_is_allowed(root: Path) -> None:
    assert load_config(write(root / "nanoka.toml", "models = []\n")).models == ()


@pytest.mark.parametrize("name", FORMATS)
@pytest.mark.parametrize(
    "entry", ["a:b:c", "app.", ":x", "app models", "app:", ".app", "app..models", "1app", "app-models", "app:1x"]
)
def test_bad_models_entry_is_an_error(root: Path, name: str, entry: str) -> None:
    build, prefix = FORMATS[name]
    path = write(root / name, build(f'models = ["ok.models", "{entry}"]\n'))
    with pytest.raises(ConfigError) as excinfo:
        load_config(path)
    message = str(excinfo.value)
    assert message.startswith(f"{path}: ")
    assert f"'{prefix}models' entry {entry!r} is not 'module' or 'module:attribute'" in message


def test_config_error_on_the_cli_is_one_line_exit_1(root: Path, run_nanoka) -> None:
    write(root / "nanoka.toml", 'models = ["m"]\n[migrate]\ndrizzle_config = "x"\n')
    result = run_nanoka(["generate", "--no-migrate"], cwd=root)
    assert result.exit_code == 1
    assert "did you mean 'drizzle-config'?" in result.stderr
    assert "Traceback" not in result.output
    assert len(result.stderr.strip().splitlines()) == 1
