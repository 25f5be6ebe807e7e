"""Python types as TypeScript types, for ``t.json(T)``'s ``$type<...>()``.

One Python type always gives the same text: members, properties and
literals are written in declaration order, the layout is fixed. A type with
no TypeScript counterpart is refused with a message naming it, never
widened to ``unknown`` behind the user's back.
"""

from __future__ import annotations

import dataclasses
import re
import types
import typing
from typing import Any

from nanoka_core.errors import ModelError

_SCALARS: dict[Any, str] = {
    str: "string",
    int: "number",
    float: "number",
    bool: "boolean",
    None: "null",
    type(None): "null",
    Any: "unknown",
    object: "unknown",
    list: "unknown[]",
    dict: "Record<string, unknown>",
}
_IDENTIFIER = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*\Z")
# Qualifiers that only say whether a TypedDict key may be missing.
_KEY_QUALIFIERS = frozenset({"Required", "NotRequired", "ReadOnly"})


def typescript_type(python_type: Any) -> str:
    """The TypeScript text for ``python_type``, or a ModelError naming what cannot be written."""
    return _Translation(python_type).text(python_type)


class _Translation:
    def __init__(self, root: Any) -> None:
        self.root = root
        self.open: list[Any] = []  # classes being written, to refuse recursion

    def fail(self, part: Any, why: str) -> ModelError:
        whole = "" if part is self.root else f" (in {_name(self.root)})"
        return ModelError(f"t.json({_name(part)}){whole}: {why}")

    def text(self, tp: Any) -> str:
        if _is_hashable(tp) and tp in _SCALARS:
            return _SCALARS[tp]
        origin, args = typing.get_origin(tp), typing.get_args(tp)
        if origin is typing.Annotated:
            return self.text(args[0])
        if origin is typing.Union or origin is types.UnionType:
            return " | ".join(self.text(arg) for arg in args)
        if origin is typing.Literal:
            return " | ".join(self.literal(value) for value in args)
        if origin is list:
            return self.array(args[0])
        if origin is tuple:
            if len(args) == 2 and args[1] is Ellipsis:
                return self.array(args[0])
            if args == ((),):  # tuple[()] on older Pythons
                return "[]"
            return "[" + ", ".join(self.text(arg) for arg in args) + "]"
        if origin is dict:
            if args[0] is not str:
                raise self.fail(tp, "JSON object keys are strings: use dict[str, ...]")
            return f"Record<string, {self.text(args[1])}>"
        if isinstance(tp, type) and typing.is_typeddict(tp):
            return self.object(tp, self.typeddict_properties(tp))
        if isinstance(tp, type) and dataclasses.is_dataclass(tp):
            hints = self.hints(tp)
            return self.object(tp, [(f.name, hints[f.name], False) for f in dataclasses.fields(tp)])
        raise self.fail(
            tp,
            "this type has no TypeScript counterpart; use str, int, float, bool, None, Any, list[...], "
            "tuple[...], dict[str, ...], unions, Literal[...], a TypedDict or a dataclass",
        )

    def array(self, item: Any) -> str:
        while typing.get_origin(item) is typing.Annotated:
            item = typing.get_args(item)[0]
        origin = typing.get_origin(item)
        several = origin in (typing.Union, types.UnionType, typing.Literal) and len(typing.get_args(item)) > 1
        return f"({self.text(item)})[]" if several else f"{self.text(item)}[]"

    def literal(self, value: Any) -> str:
        from nanoka_core.codegen import js_json

        if value is None or isinstance(value, (str, bool, int)):
            return js_json(value)
        raise self.fail(value, "Literal[...] values must be str, int, bool or None")

    def hints(self, cls: type) -> dict[str, Any]:
        try:
            return typing.get_type_hints(cls, include_extras=True)
        except Exception as e:  # a forward reference that does not resolve
            raise self.fail(cls, f"its annotations cannot be resolved: {e}") from e

    def typeddict_properties(self, cls: type) -> list[tuple[str, Any, bool]]:
        """Keys, types and whether each may be missing.

        ``__optional_keys__`` misses ``NotRequired`` written as a string (with
        ``from __future__ import annotations``), so the resolved hint decides too.
        """
        optional: frozenset[str] = getattr(cls, "__optional_keys__", frozenset())
        properties = []
        for key, tp in self.hints(cls).items():
            qualifiers = set()
            while getattr(typing.get_origin(tp), "_name", None) in _KEY_QUALIFIERS:
                qualifiers.add(typing.get_origin(tp)._name)
                tp = typing.get_args(tp)[0]
            may_miss = "NotRequired" in qualifiers or (key in optional and "Required" not in qualifiers)
            properties.append((key, tp, may_miss))
        return properties

    def object(self, cls: type, properties: list[tuple[str, Any, bool]]) -> str:
        if cls in self.open:
            raise self.fail(cls, "a recursive type cannot be written as one TypeScript type")
        self.open.append(cls)
        parts = [f"{_key(key)}{'?' if optional else ''}: {self.text(tp)}" for key, tp, optional in properties]
        self.open.pop()
        return "{ " + "; ".join(parts) + " }" if parts else "{}"


def _key(key: str) -> str:
    from nanoka_core.codegen import js_json

    return key if _IDENTIFIER.match(key) else js_json(key)


def _is_hashable(value: Any) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


def _name(tp: Any) -> str:
    if isinstance(tp, type) and typing.get_origin(tp) is None:
        return tp.__qualname__
    return repr(tp).replace("typing.", "")
