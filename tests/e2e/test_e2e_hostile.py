"""End to end, hostile: random valid models give valid TypeScript, JSON defaults
survive into JavaScript, a real wrangler failure is reported, and bad input
leaves a working local D1 exactly as it was.

esbuild (from the example's node_modules) is the TypeScript parser and node
the JavaScript engine; both are the real tools, not nanoka's idea of them.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nanoka_core import define_model, t
from nanoka_core.schema.checks import check_models
from nanoka_core.schema.names import JS_RESERVED

if TYPE_CHECKING:
    from tests.e2e.conftest import ExampleProject

pytestmark = pytest.mark.e2e

# ECMAScript's reserved words (written out from the spec) plus nanoka's own
# list: a generated valid model never uses one as a table name.
ES_RESERVED = frozenset(
    """
    await break case catch class const continue debugger default delete do else enum export
    extends false finally for function if implements import in instanceof interface let new
    null package private protected public return static super switch this throw true try
    typeof var void while with yield arguments eval
    """.split()
)
IMPORT_NAMES = frozenset({"sqliteTable", "text", "real", "integer", "sql"})
SAFE_INT = 2**53 - 1
HYPOTHESIS = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)


def _ok(proc: Any) -> str:
    return f"exit {proc.returncode}\n--- stdout\n{proc.stdout}\n--- stderr\n{proc.stderr}"


def _error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("nanoka error:")]


# --------------------------------------------------------------------------- random valid models

identifiers = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,15}", fullmatch=True)
table_names = identifiers.filter(
    lambda s: s not in ES_RESERVED | JS_RESERVED | IMPORT_NAMES
    and not s.lower().startswith(("sqlite_", "_cf_")) and s.lower() != "d1_migrations"
)
field_names = identifiers.filter(lambda s: s != "__proto__")
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-SAFE_INT, SAFE_INT)
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(st.characters(codec=None, exclude_categories=())),
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.text(max_size=6).filter(lambda k: k != "__proto__"), inner, max_size=4),
    max_leaves=10,
)
# What each kind takes as a literal default (nanoka_core/defaults.py): no NUL or lone
# surrogate in a string column (SQL cannot hold them), no literal timestamp.
KIND_DEFAULTS = {
    "string": st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00")),
    "uuid": st.uuids().map(str),
    "number": st.floats(allow_nan=False, allow_infinity=False) | st.integers(-SAFE_INT, SAFE_INT),
    "integer": st.integers(-SAFE_INT, SAFE_INT),
    "boolean": st.booleans(),
    "json": json_values.filter(lambda v: v is not None),  # None: only on an .optional() field
}


@st.composite
def fields(draw: st.DrawFn) -> Any:
    kind = draw(st.sampled_from(sorted([*KIND_DEFAULTS, "timestamp"])))
    field = getattr(t, kind)()
    if draw(st.booleans()):
        field = field.primary() if draw(st.booleans()) else field.optional()
    if draw(st.booleans()):
        field = field.unique()
    if kind == "timestamp":
        if draw(st.booleans()):
            field = field.default_now()
    elif draw(st.booleans()):
        null = st.none() if kind == "json" and field.is_optional else st.nothing()
        field = field.default(draw(KIND_DEFAULTS[kind] | null))
    if kind == "string" and draw(st.booleans()):
        field = field.email()
    if kind in ("string", "number", "integer") and draw(st.booleans()):
        low, high = sorted(draw(st.lists(st.integers(-1000, 1000), min_size=2, max_size=2)))
        field = field.min(low).max(high)
    policy = draw(st.sampled_from([None, "server_only", "write_only", "read_only"]))
    return getattr(field, policy)() if policy else field


def _unique_folded(names: list[str]) -> bool:
    return len({n.lower() for n in names}) == len(names)


@st.composite
def model_sets(draw: st.DrawFn) -> list[Any]:
    tables = draw(st.lists(table_names, min_size=1, max_size=4).filter(_unique_folded))
    models: list[Any] = []
    for table in tables:
        names = draw(st.lists(field_names, min_size=1, max_size=6).filter(_unique_folded))
        columns = {name: draw(fields()) for name in names}
        if models and draw(st.booleans()):
            target = draw(st.sampled_from(models))
            taken = {c.lower() for c in columns}
            relation_name = draw(field_names.filter(lambda n, taken=taken: n.lower() not in taken))
            columns[relation_name] = t.belongs_to(lambda target=target: target, foreign_key=names[0])
        models.append(define_model(table, columns))
    return models


def esbuild_errors(esbuild: Path, source: str) -> str | None:
    """esbuild's complaint about ``source`` as TypeScript, or None when it parses."""
    proc = subprocess.run(
        [str(esbuild), "--loader=ts", "--log-level=error"],
        input=source, capture_output=True, text=True, timeout=60,
    )
    return None if proc.returncode == 0 else proc.stderr


def test_esbuild_rejects_what_a_bad_name_would_produce(example_node_modules: Path) -> None:
    """The oracle is strict enough to matter: the text a reserved or quoted table name would give fails."""
    esbuild = example_node_modules / ".bin" / "esbuild"
    assert esbuild_errors(esbuild, "export const users = sqliteTable('users', {\n})\n") is None
    assert esbuild_errors(esbuild, "export const class = sqliteTable('class', {\n})\n") is not None
    assert esbuild_errors(esbuild, "export const a = sqliteTable('a'b', {\n})\n") is not None


def test_random_valid_models_render_to_valid_typescript_identically_twice(
    example_node_modules: Path, nanoka_render: Callable[..., str]
) -> None:
    esbuild = example_node_modules / ".bin" / "esbuild"
    seen: list[int] = []

    @HYPOTHESIS
    @given(models=model_sets())
    def check(models: list[Any]) -> None:
        check_models(models)  # nanoka accepts every valid model set
        first = nanoka_render(models)
        assert nanoka_render(models) == first, "rendering twice differed"
        errors = esbuild_errors(esbuild, first)
        assert errors is None, f"esbuild rejects the schema:\n{errors}\n--- schema.ts\n{first}"
        for model in models:
            assert f"\nexport const {model.table} = sqliteTable('{model.table}', {{" in first
        seen.append(len(models))

    check()
    assert len(seen) >= 10, "hypothesis ran too few examples to mean anything"


# --------------------------------------------------------------------------- JSON defaults in JavaScript


def _as_json(value: Any) -> Any:
    """``value`` as JSON reads it back: tuples are arrays."""
    if isinstance(value, (list, tuple)):
        return [_as_json(v) for v in value]
    if isinstance(value, dict):
        return {k: _as_json(v) for k, v in value.items()}
    return value


def _same(a: Any, b: Any) -> bool:
    """Equal as JSON values: 1 and 1.0 are one number, True is not 1, arrays keep order."""
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return float(a) == float(b)  # one number type in JavaScript; JSON may print a float as an integer
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b


DEFAULT_CALL = re.compile(r"^  d: .*?\.notNull\(\)\.default\((?P<expr>.*)\),$")


def node_value_of_default(node: str, nanoka_render: Callable[..., str], value: Any) -> Any:
    """Render ``t.json().default(value)``, evaluate the written expression in node, read back JSON."""
    schema = nanoka_render([define_model("docs", {"d": t.json().default(value)})])
    # split("\n"), not splitlines(): U+2028 is a legal raw character inside the JS string.
    (line,) = [line for line in schema.split("\n") if line.startswith("  d: ")]
    match = DEFAULT_CALL.match(line)
    assert match, line
    # A default drizzle-kit would write wrongly is sql.raw('<JSON>'): read that SQL literal as SQLite does.
    sql = "const sql = { raw: (s) => JSON.parse(s.slice(1, -1).replaceAll(\"''\", \"'\")) }; "
    script = sql + f"process.stdout.write(JSON.stringify([{match.group('expr')}]))"
    proc = subprocess.run([node, "-e", script], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, f"node cannot evaluate the default:\n{line}\n{proc.stderr}"
    return json.loads(proc.stdout)[0]


def test_random_json_defaults_mean_the_same_in_javascript(
    example_node_modules: Path, nanoka_render: Callable[..., str]
) -> None:
    node = shutil.which("node")
    assert node is not None
    seen: list[bool] = []

    @HYPOTHESIS
    @given(value=KIND_DEFAULTS["json"])
    def check(value: Any) -> None:
        check_models([define_model("docs", {"d": t.json().default(value)})])
        back = node_value_of_default(node, nanoka_render, value)
        assert _same(back, _as_json(value)), f"wrote {value!r}, JavaScript reads {back!r}"
        seen.append(True)

    check()
    assert len(seen) >= 10


@pytest.mark.parametrize(
    "value",
    [{"__proto__": {"a": 1}}, {"__proto__": 1}, [{"x": {"__proto__": []}}]],
    ids=["proto-object", "proto-number", "proto-nested"],
)
def test_proto_key_in_a_json_default_is_kept_or_refused(
    example_node_modules: Path, nanoka_render: Callable[..., str], value: Any
) -> None:
    """JSON.parse keeps a "__proto__" key; an object literal turns it into the prototype.

    So the default must either reach JavaScript as written or be refused as a
    model error; silently becoming ``{}`` is neither.
    """
    from nanoka_core.errors import ModelError

    node = shutil.which("node")
    assert node is not None
    try:
        check_models([define_model("docs", {"d": t.json().default(value)})])
    except ModelError as e:
        assert "docs.d" in str(e)
        return
    back = node_value_of_default(node, nanoka_render, value)
    assert _same(back, _as_json(value)), f"wrote {value!r}, JavaScript reads {back!r}"


# --------------------------------------------------------------------------- a real wrangler failure


def test_wrangler_failing_for_real_names_stage_command_and_exit_code(applied_project: ExampleProject) -> None:
    p = applied_project  # after a successful generate --apply
    (applied,) = p.migrations()
    bad = "0001_hand_written_bad.sql"
    (p.migrations_dir / bad).write_text("CREATE TABLE broken (id integer,;\n", encoding="utf-8")
    # Listed in the journal, as drizzle-kit would: an unlisted file is refused before wrangler runs.
    journal_path = p.migrations_dir / "meta" / "_journal.json"
    journal = json.loads(journal_path.read_text(encoding="utf-8"))
    journal["entries"].append({**journal["entries"][0], "idx": 1, "tag": bad.removesuffix(".sql")})
    journal_path.write_text(json.dumps(journal), encoding="utf-8")
    sealed = p.nanoka("hash")  # a hand-written migration is recorded in nanoka.sum on purpose
    assert sealed.returncode == 0, _ok(sealed)

    proc = p.nanoka("generate", "--apply", "--no-rehearsal")  # the rehearsal would catch it first: wrangler's failure is the point

    direct = p.npx("wrangler", "d1", "migrations", "apply", p.database_name, "--local")  # the same, by hand
    assert direct.returncode not in (0, None), _ok(direct)
    assert proc.returncode == 1, _ok(proc)
    assert "Traceback" not in proc.stdout + proc.stderr, _ok(proc)
    assert _error_lines(proc.stderr) == [
        f"nanoka error: stage 'wrangler' failed: `node_modules/.bin/wrangler d1 migrations apply "
        f"{p.database_name} --local` exited with code {direct.returncode}"
    ], _ok(proc)
    assert bad in proc.stdout + proc.stderr, "wrangler's own report of the failing migration is not passed through"
    (done, tables) = p.d1_local(
        "select name from d1_migrations order by id",
        "select name from sqlite_master where type = 'table' and name in ('users', 'posts', 'broken') order by name",
    )
    assert [row["name"] for row in done] == [applied]
    assert [row["name"] for row in tables] == ["posts", "users"]


# --------------------------------------------------------------------------- bad input, working D1


def test_bad_inputs_after_a_successful_apply_leave_local_d1_and_migrations_untouched(
    applied_project: ExampleProject, tmp_path: Path
) -> None:
    p = applied_project
    assert p.local_d1_files(), "no local D1 after --apply"
    empty = tmp_path / "empty-path"
    empty.mkdir()
    config = (p.root / "nanoka.toml").read_bytes()
    models = (p.root / "app" / "models.py").read_bytes()

    def restore() -> None:
        (p.root / "nanoka.toml").write_bytes(config)
        (p.root / "app" / "models.py").write_bytes(models)

    bad_inputs: list[tuple[str, Callable[[], None], list[str], dict[str, str], int, str]] = [
        ("bad --db", restore, ["--apply", "--db", "a;b"], {}, 1, "database name 'a;b' is not valid"),
        ("flag-like --db", restore, ["--apply", "--db=--remote"], {}, 1, "database name '--remote' is not valid"),
        ("unknown config key",
         lambda: p.edit("nanoka.toml", 'models = ["app.models"]', 'models = ["app.models"]\noutptu = "x.ts"'),
         ["--apply"], {}, 1, "unknown key 'outptu'; did you mean 'output'?"),
        ("unknown package manager in config",
         lambda: p.edit("nanoka.toml", 'package-manager = "npx"', 'package-manager = "pip"'),
         ["--apply"], {}, 1, "'migrate.package-manager' is 'pip'"),
        ("model error",
         lambda: p.edit("app/models.py", '"name": t.string(),', '"name": t.integer().email(),'),
         ["--apply"], {}, 1, ".email() applies to t.string() only"),
        ("bad table name",
         lambda: p.edit("app/models.py", 'define_model("users"', 'define_model("us`ers"'),
         ["--apply"], {}, 1, "table name 'us`ers'"),
        ("bogus --package-manager", restore, ["--apply", "--package-manager", "pip"], {}, 2, "Invalid value for '--package-manager'"),
        ("--remote without --apply", restore, ["--remote"], {}, 2, "--remote only applies with --apply"),
        ("npx not on PATH", restore, ["--apply"], {"PATH": str(empty)}, 1, "npx not found on PATH"),
    ]
    before_d1 = p.snapshot(p.wrangler_state)
    before_drizzle = p.snapshot(p.root / "drizzle")
    for label, prepare, args, env, code, fragment in bad_inputs:
        restore()
        prepare()
        proc = p.nanoka("generate", *args, env=env)
        assert proc.returncode == code, f"{label}\n{_ok(proc)}"
        assert "Traceback" not in proc.stdout + proc.stderr, f"{label}\n{_ok(proc)}"
        assert proc.stdout == "", f"{label}: a tool ran\n{_ok(proc)}"
        assert fragment in proc.stderr, f"{label}\n{_ok(proc)}"
        if code == 1:
            assert proc.stderr.count("\n") == 1 and proc.stderr.startswith("nanoka error: "), f"{label}\n{_ok(proc)}"
        assert p.snapshot(p.wrangler_state) == before_d1, f"{label}: the local D1 changed"
        assert p.snapshot(p.root / "drizzle") == before_drizzle, f"{label}: drizzle/ changed"
    restore()
    # The D1 still works and still holds exactly the first apply.
    (done, tables) = p.d1_local(
        "select name from d1_migrations",
        "select name from sqlite_master where type = 'table' and name in ('users', 'posts') order by name",
    )
    assert [row["name"] for row in done] == p.migrations()
    assert [row["name"] for row in tables] == ["posts", "users"]


# --------------------------------------------------------------------------- no models, rows kept


ROWS = (
    "insert into users (id, email, name, passwordHash) values ('u1', 'a@example.com', 'Ann', 'h')",
    "insert into posts (id, userId, title) values ('p1', 'u1', 'Hello')",
)
READ_ROWS = ("select id, email, name from users order by id", "select id, userId, title from posts order by id")


@pytest.mark.parametrize(
    "models", ['["app"]', '["app.models:User", "app"]'], ids=["package-without-models", "second-entry"]
)
def test_models_entry_without_models_is_refused_and_every_row_stays(applied_project: ExampleProject, models: str) -> None:
    """Pointing 'models' at a package that defines none would make drizzle-kit drop every table."""
    p = applied_project  # after a successful generate --apply
    p.d1_local(*ROWS)
    rows = p.d1_local(*READ_ROWS)
    schema = p.schema_ts.read_bytes()
    migrations = p.snapshot(p.migrations_dir)
    p.edit("nanoka.toml", 'models = ["app.models"]', f"models = {models}")

    proc = p.nanoka("generate", "--apply")

    assert proc.returncode == 1, _ok(proc)
    assert _error_lines(proc.stderr) == [
        f"nanoka error: stage 'load-config' failed: {p.root / 'nanoka.toml'}: 'models' entry 'app' defines no models, so its tables "
        "would be dropped; nothing was written: point the entry at the module that defines them"
    ], _ok(proc)
    assert proc.stdout == "", f"a tool ran\n{_ok(proc)}"
    assert p.schema_ts.read_bytes() == schema
    assert p.snapshot(p.migrations_dir) == migrations, "a migration was written"
    assert p.d1_local(*READ_ROWS) == rows
    assert rows == [[{"id": "u1", "email": "a@example.com", "name": "Ann"}], [{"id": "p1", "userId": "u1", "title": "Hello"}]]


# --------------------------------------------------------------------------- defaults reach D1 as written

PAYLOAD = "' NOT NULL); DROP TABLE victims; CREATE TABLE pwned (y text DEFAULT '"
# (column, kind, default): every kind, and what drizzle-kit 0.31.11 writes wrongly or unescaped.
DEFAULTS: list[tuple[str, str, Any]] = [
    ("sHostile", "string", "it's \"me\" \\ ; -- /* x */ --> statement-breakpoint\nline2\r\n\tend é日本😀 \x01\x1f"),
    ("sEmpty", "string", ""),
    ("sPayload", "string", PAYLOAD),
    ("uZero", "uuid", "00000000-0000-0000-0000-000000000000"),
    ("nFraction", "number", 0.1 + 0.2),
    ("nBig", "number", 1e21),
    ("nDenormal", "number", 5e-324),
    ("nNegative", "number", -0.5),
    ("nWhole", "number", 3),
    ("iNegative", "integer", -42),
    ("iMaxSafe", "integer", 2**53 - 1),
    ("bTrue", "boolean", True),
    ("bFalse", "boolean", False),
    ("jObject", "json", {"a": [1, "two", None, True], "1": {}}),
    ("jQuote", "json", {"greeting": "it's me"}),
    ("jInjection", "json", {"x": PAYLOAD}),
    ("jEscapes", "json", ["'\\", "\x00\n`${x}`", "\ud800"]),
    ("jString", "json", "x"),
    ("jTrue", "json", True),
    ("jFalse", "json", False),
    ("jFraction", "json", 0.1 + 0.2),
    ("jInteger", "json", -7),
    ("jNull", "json", None),
]


def _field_source(kind: str, value: Any) -> str:
    optional = ".optional()" if value is None else ""
    return f"t.{kind}(){optional}.default({value!r})"


def _decoded(kind: str, stored: Any) -> Any:
    """A stored value as Drizzle reads it back: booleans from 0/1, JSON parsed."""
    if kind == "boolean":
        assert stored in (0, 1), stored
        return stored == 1
    if kind == "json":
        return None if stored is None else json.loads(stored)
    return stored


def _runtime_insert(p: ExampleProject, table: str, values: str) -> str:
    """The INSERT the Drizzle runtime sends for ``values`` (a JS object), parameters written in.

    The schema is compiled by esbuild and loaded by node with the project's
    drizzle-orm (sqlite-proxy driver, which only builds the SQL).
    """
    built = p.run([str(p.root / "node_modules" / ".bin" / "esbuild"), "drizzle/schema.ts", "--format=esm",
                   "--log-level=error", "--outfile=schema.mjs"])
    assert built.returncode == 0, _ok(built)
    script = (
        "import { drizzle } from 'drizzle-orm/sqlite-proxy'\n"
        "import * as schema from './schema.mjs'\n"
        "const db = drizzle(async () => ({ rows: [] }))\n"
        f"process.stdout.write(JSON.stringify(db.insert(schema.{table}).values({values}).toSQL()))\n"
    )
    (p.root / "insert.mjs").write_text(script, encoding="utf-8")
    ran = p.run(["node", "insert.mjs"])
    assert ran.returncode == 0, _ok(ran)
    query = json.loads(ran.stdout)
    parts = query["sql"].split("?")
    assert len(parts) == len(query["params"]) + 1, query
    literals = [_sql_literal(v) for v in query["params"]]
    return parts[0] + "".join(lit + part for lit, part in zip(literals, parts[1:], strict=True))


def _sql_literal(value: Any) -> str:
    if isinstance(value, str):
        assert "\x00" not in value
        return "'" + value.replace("'", "''") + "'"
    assert isinstance(value, (int, float)) and not isinstance(value, bool), value
    return json.dumps(value)


VICTIMS = '\nVictim = define_model("victims", {"id": t.integer().primary(), "name": t.string()})\n'


def _victims_applied(p: ExampleProject) -> None:
    models = p.root / "app" / "models.py"
    models.write_text(models.read_text(encoding="utf-8") + VICTIMS, encoding="utf-8")
    first = p.nanoka("generate", "--apply")
    assert first.returncode == 0, _ok(first)


@pytest.fixture
def victims_project(
    make_example_project: Callable[..., ExampleProject], prepared_example: Callable[..., Path]
) -> ExampleProject:
    """examples/basic plus an empty ``victims`` table (VICTIMS), after a successful generate --apply."""
    return make_example_project("example", start=prepared_example("victims-applied", _victims_applied))


def test_every_kinds_defaults_reach_d1_as_written_and_inject_nothing(victims_project: ExampleProject) -> None:
    """Rows already there get the defaults (ALTER TABLE), new rows too, by SQL and by the Drizzle runtime.

    drizzle-kit 0.31.11 writes a JSON default between single quotes without
    escaping them: the payload would drop ``victims``. Here ``victims`` and
    its rows stay, no ``pwned`` table appears, and every default reads back
    as the value written in Python.
    """
    p = victims_project
    models = p.root / "app" / "models.py"
    assert models.read_text(encoding="utf-8").endswith(VICTIMS)
    base = models.read_text(encoding="utf-8").removesuffix(VICTIMS)
    p.d1_local("insert into victims (id, name) values (1, 'first')")
    columns = ", ".join(f'"{name}": {_field_source(kind, value)}' for name, kind, value in DEFAULTS)
    models.write_text(
        base + f'\nVictim = define_model("victims", {{"id": t.integer().primary(), "name": t.string(), {columns}}})\n',
        encoding="utf-8",
    )

    second = p.nanoka("generate", "--apply")

    assert second.returncode == 0, _ok(second)
    latest = (p.migrations_dir / p.migrations()[-1]).read_text(encoding="utf-8")
    assert "ALTER TABLE `victims` ADD `jInjection` text DEFAULT" in latest, latest  # how row 1, already there, gets them
    p.d1_local("insert into victims (id, name) values (3, 'by SQL')")
    p.d1_local(_runtime_insert(p, "victims", "{ id: 2, name: 'by Drizzle' }"))
    (tables, rows) = p.d1_local(
        "select name from sqlite_master where type = 'table' and name in ('victims', 'pwned')",
        "select * from victims order by id",
    )
    assert [t["name"] for t in tables] == ["victims"]
    assert [row["id"] for row in rows] == [1, 2, 3]
    assert rows[0]["name"] == "first"
    for row in rows:
        for name, kind, value in DEFAULTS:
            back = _decoded(kind, row[name])
            assert _same(back, _as_json(value)), f"row {row['id']}, {name}: wrote {value!r}, D1 holds {row[name]!r}"


def test_the_json_default_injection_payload_drops_nothing(victims_project: ExampleProject) -> None:
    """The issue's reproduction: a new table whose JSON default carries SQL; ``victims`` keeps its rows."""
    p = victims_project
    models = p.root / "app" / "models.py"
    p.d1_local("insert into victims (id, name) values (1, 'a'), (2, 'b')")
    docs = f'Doc = define_model("docs", {{"id": t.integer().primary(), "d": t.json().default({{"x": {PAYLOAD!r}}})}})\n'
    models.write_text(models.read_text(encoding="utf-8") + docs, encoding="utf-8")

    second = p.nanoka("generate", "--apply")

    assert second.returncode == 0, _ok(second)
    p.d1_local("insert into docs (id) values (1)")
    (tables, rows, docs_rows) = p.d1_local(
        "select name from sqlite_master where type = 'table' and name in ('victims', 'pwned', 'docs') order by name",
        "select id, name from victims order by id",
        "select d from docs",
    )
    assert [t["name"] for t in tables] == ["docs", "victims"]
    assert rows == [{"id": 1, "name": "a"}, {"id": 2, "name": "b"}]
    assert [json.loads(row["d"]) for row in docs_rows] == [{"x": PAYLOAD}]
