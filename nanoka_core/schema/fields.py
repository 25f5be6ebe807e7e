"""Field kinds and their modifiers.

A field is immutable: every modifier returns a new field, so one field object
can be shared between models without surprises. Modifiers that a kind does not
take fail at definition time, where the user's traceback points at their line.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Callable
from typing import Any, NamedTuple, TypeVar

from nanoka_core.errors import ModelError
from nanoka_core.schema.names import plain_name

F = TypeVar("F", bound="Field")

BUILTIN_KINDS = (
    "string", "uuid", "number", "integer", "boolean", "timestamp", "json", "enum", "numeric", "blob"
)
RELATION_KINDS = ("has_many", "belongs_to")
QUERY_RELATION_KINDS = ("one", "many")
"""``t.one()``/``t.many()``: Drizzle ``relations()`` for ``db.query``, no column either."""
_NO_COLUMN = RELATION_KINDS + QUERY_RELATION_KINDS
POLICIES = ("server_only", "write_only", "read_only")
SQL_TYPES = {
    "string": "text",
    "uuid": "text",
    "json": "text",
    "enum": "text",
    "number": "real",
    "integer": "integer",
    "boolean": "integer",
    "timestamp": "integer",
    "numeric": "numeric",
    "blob": "blob",
}
"""The SQLite storage type of each built-in kind (foreign keys must agree on it)."""
REFERENTIAL_ACTIONS = ("cascade", "restrict", "no action", "set null", "set default")
TIMESTAMP_UNITS = ("ms", "s")
BLOB_MODES = ("buffer", "json", "bigint")


class _NoDefault:
    def __repr__(self) -> str:
        return "NO_DEFAULT"


NO_DEFAULT: Any = _NoDefault()
"""Marks a field without a literal default (``None`` is a real default: SQL NULL)."""


class _Untyped:
    def __repr__(self) -> str:
        return "UNTYPED"


UNTYPED: Any = _Untyped()
"""Marks a ``t.json()`` without a Python type (``None`` is a real type: JSON null)."""


def check_action(modifier: str, which: str, action: object) -> None:
    """An ``on_delete``/``on_update`` must be one of SQLite's referential actions."""
    if action is not None and action not in REFERENTIAL_ACTIONS:
        choices = ", ".join(repr(a) for a in REFERENTIAL_ACTIONS)
        raise ModelError(f"{modifier}: {which}={action!r} is not one of {choices}")


class ForeignKey(NamedTuple):
    """Where a column points: a model (or a callable returning one) and one of its fields.

    :param column: the target field's name; None means the target's primary key.
    """

    target: Any
    column: str | None = None
    on_delete: str | None = None
    on_update: str | None = None


@dataclasses.dataclass(frozen=True, eq=False, repr=False, init=False)
class Field:
    """One column of a model: a kind plus the modifiers applied to it.

    Plugins make new kinds with ``Field("money")`` (or a subclass, a
    ``@dataclass(frozen=True)`` one included); every common modifier works on
    them.

    ``__init__``, ``==``, ``hash`` and ``repr`` are dataclasses' own, written
    once here over the instance's fields instead of generated per class:
    generating them for this many fields, for each subclass, cost a fifth of
    ``nanoka``'s own start-up. A plugin's dataclass subclass generates its own.
    """

    kind: str
    is_optional: bool = False
    is_primary: bool = False
    is_unique: bool = False
    default_value: Any = NO_DEFAULT
    defaults_to_now: bool = False
    is_email: bool = False
    min_value: float | None = None
    max_value: float | None = None
    policy: str | None = None
    previous_name: str | None = None
    """Set by ``.renamed_from()``: the column's name in the last migration."""
    reference: ForeignKey | None = None
    is_indexed: bool = False
    column_name: str | None = None
    enum_values: tuple[str, ...] | None = None
    json_type: Any = UNTYPED
    updates_to_now: bool = False
    length: int | None = None
    """``text({ length: N })``: drizzle-kit writes ``text(N)``; SQLite does not enforce it."""
    timestamp_unit: str = "ms"
    enum_check: bool = True
    autoincrement: bool = False
    unique_name: str | None = None
    on_update_value: Any = None
    """An ``sql(...)`` or ``ts(...)`` set on every update (``.on_update_to()``)."""
    generated_as: Any = None
    """``(sql(...), stored)`` for a generated column."""
    blob_mode: str | None = None
    """``t.blob(mode=...)``; None is the default, ``"buffer"``."""
    declared_type: Any = None
    """A ``ts(...)`` TypeScript type for ``.$type<T>()`` (``.ts_type()``)."""

    def __init__(self, kind: str, **settings: Any) -> None:
        """``Field(kind, setting=value, ...)``: every setting by keyword, the others their defaults."""
        cls = type(self)
        defaults = _DEFAULTS.get(cls)
        if defaults is None:
            defaults = _DEFAULTS[cls] = _defaults(cls)
        unknown = ", ".join(sorted(settings.keys() - defaults.keys()))
        if unknown:
            raise TypeError(f"{cls.__name__}() got unexpected keyword arguments: {unknown}")
        object.__setattr__(self, "__dict__", {"kind": kind, **defaults, **settings})  # in field order
        if hasattr(self, "__post_init__"):
            self.__post_init__()

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self.__dict__ == other.__dict__  # every field, in field order, as dataclasses compares

    def __hash__(self) -> int:
        return hash(tuple(self.__dict__.values()))

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={value!r}" for name, value in self.__dict__.items())
        return f"{self.__class__.__qualname__}({fields})"

    @property
    def is_relation(self) -> bool:
        return self.kind in _NO_COLUMN

    @property
    def has_default(self) -> bool:
        return self.default_value is not NO_DEFAULT or self.defaults_to_now

    def _with(self: F, modifier: str, **changes: Any) -> F:
        """A copy with ``changes``: ``dataclasses.replace`` without its per-field Python loop.

        Thousands of models call this for every modifier; copying the instance
        dict is several times cheaper, and ``__post_init__`` still runs.
        """
        if self.kind in _NO_COLUMN:
            raise ModelError(f"t.{self.kind}() takes no modifiers, got .{modifier}()")
        copy = object.__new__(type(self))
        object.__setattr__(copy, "__dict__", {**self.__dict__, **changes})
        if hasattr(copy, "__post_init__"):
            copy.__post_init__()
        return copy

    def _only_for(self, modifier: str, kinds: tuple[str, ...]) -> None:
        if self.kind not in kinds:
            allowed = ", ".join(f"t.{k}()" for k in kinds)
            raise ModelError(f".{modifier}() applies to {allowed} only, not to t.{self.kind}()")

    def optional(self: F) -> F:
        """The column may be NULL (no ``.notNull()``)."""
        if self.is_primary:
            raise ModelError("a primary key cannot be .optional()")
        return self._with("optional", is_optional=True)

    def primary(self: F, *, autoincrement: bool = False) -> F:
        """The primary key; ``autoincrement=True`` (integer only) never reuses a deleted row's id."""
        if self.is_optional:
            raise ModelError("an .optional() field cannot be a primary key")
        if autoincrement:
            self._only_for("primary(autoincrement=True)", ("integer",))
        return self._with("primary", is_primary=True, autoincrement=bool(autoincrement))

    def unique(self: F, name: str | None = None) -> F:
        """A unique constraint on this column; ``name`` replaces ``<table>_<column>_unique``."""
        if name is not None:
            from nanoka_core.schema.names import check_constraint_name

            check_constraint_name(name)
        return self._with("unique", is_unique=True, unique_name=name)

    def default(self: F, value: Any) -> F:
        """A literal default (any JSON value), a callable, ``sql(...)`` or ``ts(...)``."""
        from nanoka_core.schema.expressions import SQLExpression, TSExpression

        self._check_no_default("default")
        if isinstance(value, (SQLExpression, TSExpression)):
            return self._with("default", default_value=value)
        if self.enum_values is not None and not callable(value):
            value = self._enum_value(value)
        return self._with("default", default_value=value)

    def default_now(self: F) -> F:
        """Default to the insert time, computed by SQLite in milliseconds."""
        self._only_for("default_now", ("timestamp",))
        self._check_no_default("default_now")
        return self._with("default_now", defaults_to_now=True)

    def email(self: F) -> F:
        self._only_for("email", ("string",))
        return self._with("email", is_email=True)

    def min(self: F, n: float) -> F:
        self._check_bound("min", n)
        if self.max_value is not None and n > self.max_value:
            raise ModelError(f".min({n}) is greater than .max({self.max_value})")
        return self._with("min", min_value=n)

    def max(self: F, n: float) -> F:
        self._check_bound("max", n)
        if self.min_value is not None and n < self.min_value:
            raise ModelError(f".max({n}) is less than .min({self.min_value})")
        return self._with("max", max_value=n)

    def server_only(self: F) -> F:
        """Never sent to clients; kept for plugins, no schema change."""
        return self._with_policy("server_only")

    def write_only(self: F) -> F:
        """Accepted on input, never returned; kept for plugins, no schema change."""
        return self._with_policy("write_only")

    def read_only(self: F) -> F:
        """Returned, never accepted on input; kept for plugins, no schema change."""
        return self._with_policy("read_only")

    def renamed_from(self: F, old_name: str) -> F:
        """Declare that this column was called ``old_name``, so drizzle-kit's
        "created or renamed?" question is answered "renamed" without a prompt."""
        from nanoka_core.schema.names import check_previous_name

        if self.previous_name is not None:
            raise ModelError(f".renamed_from({old_name!r}): already renamed from {self.previous_name!r}")
        check_previous_name(old_name, f".renamed_from({old_name!r})")
        return self._with("renamed_from", previous_name=old_name)

    def references(
        self: F,
        target: Any,
        column: str | None = None,
        *,
        on_delete: str | None = None,
        on_update: str | None = None,
    ) -> F:
        """A foreign key to ``target`` (a Model or a zero-argument callable returning one)."""
        check_action(".references()", "on_delete", on_delete)
        check_action(".references()", "on_update", on_update)
        if column is not None and not isinstance(column, str):
            raise ModelError(f".references(): column must be a field name, got {column!r}")
        if self.reference is not None:
            raise ModelError(".references(): the field already references a model")
        return self._with("references", reference=ForeignKey(target, column, on_delete, on_update))

    def index(self: F) -> F:
        """An index on this column alone, named ``<table>_<column>_idx``."""
        return self._with("index", is_indexed=True)

    def column(self: F, name: str) -> F:
        """Name the SQL column ``name``; the Drizzle key stays the field's name."""
        from nanoka_core.schema.names import check_column_name

        check_column_name(name)
        return self._with("column", column_name=name)

    def on_update_now(self: F) -> F:
        """Set to the current time by Drizzle on every update (``.$onUpdate``)."""
        self._only_for("on_update_now", ("timestamp",))
        self._check_no_on_update("on_update_now")
        return self._with("on_update_now", updates_to_now=True)

    def on_update_to(self: F, value: Any) -> F:
        """Set by Drizzle on every update: ``sql(...)`` or a ``ts(...)`` function."""
        from nanoka_core.schema.expressions import SQLExpression, TSExpression

        if not isinstance(value, (SQLExpression, TSExpression)):
            raise ModelError(f".on_update_to() takes sql(...) or ts(...), got {value!r}")
        self._check_no_on_update("on_update_to")
        return self._with("on_update_to", on_update_value=value)

    def ts_type(self: F, type_text: str, *, imports: Any = None) -> F:
        """The column's TypeScript type, ``.$type<T>()``: ``imports`` maps each type name to its module."""
        from nanoka_core.schema.expressions import ts

        if self.kind == "json":
            raise ModelError(".ts_type() does not apply to t.json(): give the Python type, t.json(T)")
        return self._with("ts_type", declared_type=ts(type_text, imports))

    def generated(self: F, expression: Any, *, stored: bool = False) -> F:
        """A generated column, computed by SQLite from ``sql(...)`` (virtual unless ``stored``)."""
        from nanoka_core.schema.expressions import SQLExpression

        if not isinstance(expression, SQLExpression):
            raise ModelError(f".generated() takes sql(...), got {expression!r}")
        return self._with("generated", generated_as=(expression, bool(stored)))

    def _check_no_on_update(self, modifier: str) -> None:
        if self.updates_to_now or self.on_update_value is not None:
            raise ModelError(f".{modifier}(): the field already has an on-update value")

    def _enum_value(self, value: Any) -> Any:
        """An enum member stands for its value; anything else must be one of the values."""
        if isinstance(value, enum.Enum):
            value = value.value
        if value is not None and value not in (self.enum_values or ()):
            allowed = ", ".join(repr(v) for v in self.enum_values or ())
            raise ModelError(f".default({value!r}) is not one of the enum's values: {allowed}")
        return value

    def _with_policy(self: F, policy: str) -> F:
        if self.policy is not None and self.policy != policy:
            raise ModelError(f".{policy}() conflicts with .{self.policy}(): choose one")
        return self._with(policy, policy=policy)

    def _check_no_default(self, modifier: str) -> None:
        if self.has_default:
            raise ModelError(f".{modifier}(): the field already has a default")

    def _check_bound(self, modifier: str, n: object) -> None:
        if self.kind in ("uuid", "boolean", "timestamp", "json", "enum"):
            raise ModelError(f".{modifier}() does not apply to t.{self.kind}()")
        if isinstance(n, bool) or not isinstance(n, (int, float)):
            raise ModelError(f".{modifier}() takes a number, got {n!r}")


_DEFAULTS: dict[type[Field], dict[str, Any]] = {}


def _defaults(cls: type[Field]) -> dict[str, Any]:
    """The dataclass fields of ``cls`` after ``kind``, in order, with their defaults."""
    return {f.name: f.default for f in dataclasses.fields(cls) if f.name != "kind"}


@dataclasses.dataclass(frozen=True, eq=False, repr=False, init=False)
class Relation(Field):
    """A has_many or belongs_to link: no column of its own, kept for plugins."""

    target: Any = None
    foreign_key: str = ""
    on_delete: str | None = None
    on_update: str | None = None


@dataclasses.dataclass(frozen=True, eq=False, repr=False, init=False)
class DrizzleRelation(Field):
    """``t.one()`` / ``t.many()``: written into the schema as Drizzle ``relations()``, for ``db.query``."""

    target: Any = None
    from_fields: tuple[str, ...] = ()
    """``fields``: this model's columns."""
    to_fields: tuple[str, ...] = ()
    """``references``: the target's columns, one per ``from_fields``."""
    relation_name: str | None = None


def _relation_name(where: str, name: str | None) -> str | None:
    if name is not None:
        from nanoka_core.schema.names import check_constraint_name

        try:
            check_constraint_name(name)
        except ModelError as e:
            raise ModelError(f"{where}: relation_name: {e}") from e
    return name


def _length(where: str, length: object) -> int:
    if isinstance(length, bool) or not isinstance(length, int) or length < 1:
        raise ModelError(f"{where}: length={length!r} is not a positive integer")
    return length


FieldFactory = Callable[..., Field]

_PLAIN = {kind: Field(kind) for kind in BUILTIN_KINDS}
"""One unmodified field per built-in kind, shared: fields are immutable, and
thousands of models then build no object for ``t.string()`` itself."""


class FieldTypes:
    """The ``t`` namespace: built-in kinds plus kinds registered by plugins.

    Plugin kinds come from the ``nanoka_register_field_types`` hook, pushed
    in from above: the CLI calls ``use`` before it imports model modules, and
    ``nanoka_core`` sets ``kind_source`` so that a model module imported
    elsewhere (a test, a script) loads the installed plugins on first use of
    an unknown kind. The DSL itself knows nothing of plugins.
    """

    def __init__(self) -> None:
        self._plugin_types: dict[str, FieldFactory] | None = None
        self.kind_source: Callable[[], dict[str, FieldFactory]] | None = None
        """Where plugin kinds come from when none were given with ``use``."""

    def string(self, *, length: int | None = None) -> Field:
        """Text; ``length`` is written as ``text({ length: N })`` (declared, not enforced)."""
        return _PLAIN["string"] if length is None else Field("string", length=_length("t.string()", length))

    def uuid(self, *, length: int | None = None) -> Field:
        return _PLAIN["uuid"] if length is None else Field("uuid", length=_length("t.uuid()", length))

    def numeric(self) -> Field:
        """``numeric()``: SQLite NUMERIC affinity, a string in TypeScript."""
        return _PLAIN["numeric"]

    def blob(self, *, mode: str = "buffer") -> Field:
        """``blob({ mode })``: a Buffer, JSON or a bigint, stored as a BLOB."""
        if mode not in BLOB_MODES:
            modes = ", ".join(repr(m) for m in BLOB_MODES)
            raise ModelError(f"t.blob(mode={mode!r}): mode is one of {modes}")
        return _PLAIN["blob"] if mode == "buffer" else Field("blob", blob_mode=mode)

    def number(self) -> Field:
        return _PLAIN["number"]

    def integer(self) -> Field:
        return _PLAIN["integer"]

    def boolean(self) -> Field:
        return _PLAIN["boolean"]

    def timestamp(self, *, unit: str = "ms") -> Field:
        """A Date stored as an integer in milliseconds, or with ``unit="s"`` in seconds."""
        if unit not in TIMESTAMP_UNITS:
            raise ModelError(f't.timestamp(unit={unit!r}): unit is "ms" (the default) or "s"')
        return _PLAIN["timestamp"] if unit == "ms" else Field("timestamp", timestamp_unit=unit)

    def json(self, python_type: Any = UNTYPED) -> Field:
        """JSON text; with a Python type, Drizzle gets its TypeScript type instead of ``unknown``."""
        if python_type is UNTYPED:
            return _PLAIN["json"]
        from nanoka_core.schema.typescript import typescript_type

        typescript_type(python_type)  # fail here, at the user's line
        return Field("json", json_type=python_type)

    def enum(self, *values: Any, check: bool = True, length: int | None = None) -> Field:
        """Text limited to ``values`` (strings, or one ``enum.Enum`` of strings), checked by SQLite too.

        ``check=False`` leaves the CHECK out, as Drizzle's own ``text({ enum })`` does.
        """
        if len(values) == 1 and isinstance(values[0], type) and issubclass(values[0], enum.Enum):
            enum_class = values[0]
            values = tuple(member.value for member in enum_class)
            where = f"t.enum({enum_class.__name__})"
        else:
            where = "t.enum()"
        if not values:
            raise ModelError(f"{where} needs at least one value")
        for value in values:
            if not isinstance(value, str):
                raise ModelError(f"{where}: every value must be a string, got {value!r}")
        if len(set(values)) != len(values):
            raise ModelError(f"{where}: values repeat: {values!r}")
        return Field(
            "enum",
            enum_values=tuple(str.__str__(v) for v in values),
            enum_check=bool(check),
            length=None if length is None else _length(where, length),
        )

    def one(
        self,
        target: Any,
        *,
        fields: tuple[str, ...] = (),
        references: tuple[str, ...] = (),
        relation_name: str | None = None,
    ) -> DrizzleRelation:
        """Drizzle's ``one(target, { fields, references })`` in the table's ``relations()``."""
        if isinstance(fields, str) or isinstance(references, str) or len(fields) != len(references):
            raise ModelError("t.one(): fields= and references= are tuples of field names of the same length")
        return DrizzleRelation(
            "one",
            target=target,
            from_fields=tuple(fields),
            to_fields=tuple(references),
            relation_name=_relation_name("t.one()", relation_name),
        )

    def many(self, target: Any, *, relation_name: str | None = None) -> DrizzleRelation:
        """Drizzle's ``many(target)`` in the table's ``relations()``."""
        return DrizzleRelation("many", target=target, relation_name=_relation_name("t.many()", relation_name))

    def has_many(self, target: Any, *, foreign_key: str) -> Relation:
        """The other model holds ``foreign_key`` pointing back at this one."""
        return Relation("has_many", target=target, foreign_key=plain_name(foreign_key))

    def belongs_to(
        self,
        target: Any,
        *,
        foreign_key: str,
        on_delete: str | None = None,
        on_update: str | None = None,
    ) -> Relation:
        """This model holds ``foreign_key`` pointing at the target.

        With ``on_delete`` or ``on_update``, that column becomes a foreign key,
        as ``.references(target, ...)`` on it would make it.
        """
        check_action("t.belongs_to()", "on_delete", on_delete)
        check_action("t.belongs_to()", "on_update", on_update)
        return Relation(
            "belongs_to",
            target=target,
            foreign_key=plain_name(foreign_key),
            on_delete=on_delete,
            on_update=on_update,
        )

    def use(self, plugin_types: dict[str, FieldFactory]) -> None:
        """Make these plugin kinds available as ``t.<name>()``."""
        self._plugin_types = dict(plugin_types)

    def __getattr__(self, name: str) -> FieldFactory:
        if name.startswith("_"):
            raise AttributeError(name)
        if self._plugin_types is None:
            self.use(self.kind_source() if self.kind_source is not None else {})
        assert self._plugin_types is not None
        try:
            return self._plugin_types[name]
        except KeyError:
            import difflib

            known = sorted({*BUILTIN_KINDS, *RELATION_KINDS, *self._plugin_types})
            close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
            hint = f"did you mean t.{close[0]}()? " if close else ""
            raise AttributeError(
                f"t.{name}() is not a field type; {hint}known: {', '.join(known)}. "
                "A plugin may provide it: see `nanoka plugins`."
            ) from None

    def __dir__(self) -> list[str]:
        return sorted({*super().__dir__(), *(self._plugin_types or {})})


t = FieldTypes()
