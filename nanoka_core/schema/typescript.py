"""Python types as TypeScript types, for ``t.json(T)``'s ``$type<...>()``.

One Python type always gives the same text: members, properties and
literals are written in declaration order, the layout is fixed. A type with
no TypeScript counterpart is refused with a message naming it, never
widened to ``unknown`` behind the user's back.
"""

from __future__ import annotations

import dataclasses
import math
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


def js_json(value: Any, where: str = "default") -> str:
    """``value`` exactly as JavaScript's ``JSON.stringify`` writes it."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return js_string(str.__str__(value))
    if isinstance(value, int):  # int() drops subclass reprs, e.g. IntEnum's
        return str(int(value))
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ModelError(f"{where}: {value!r} cannot be written as JSON")
        return _js_number(float(value))
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(js_json(v, where) for v in value) + "]"
    if isinstance(value, dict):
        return (
            "{"
            + ",".join(f"{js_string(k)}:{js_json(value[k], where)}" for k in _js_key_order(value, where))
            + "}"
        )
    raise ModelError(f"{where}: a value of type {type(value).__name__} cannot be written as JSON")


_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def js_string(text: str) -> str:
    out = []
    for ch in text:
        code = ord(ch)
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif code < 0x20 or 0xD800 <= code <= 0xDFFF:
            out.append(f"\\u{code:04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _js_key_order(obj: dict[Any, Any], where: str) -> list[str]:
    """Integer-like keys first in numeric order, then the rest as inserted (JS semantics)."""
    for key in obj:
        if not isinstance(key, str):
            raise ModelError(f"{where}: object key {key!r} is not a string")
    index_keys = [k for k in obj if _is_array_index(k)]
    return sorted(index_keys, key=int) + [k for k in obj if not _is_array_index(k)]


def _is_array_index(key: str) -> bool:
    canonical = key.isascii() and key.isdecimal() and (key == "0" or not key.startswith("0"))
    return canonical and int(key) < 2**32 - 1


def _js_number(value: float) -> str:
    """ECMAScript Number::toString: shortest round-trip digits, JS layout."""
    if value == 0:
        return "0"
    if value < 0:
        return "-" + _js_number(-value)
    from decimal import Decimal

    parts = Decimal(repr(value)).normalize().as_tuple()
    digits = "".join(map(str, parts.digits))
    k = len(digits)
    n = k + int(parts.exponent)  # value == 0.<digits> * 10**n
    if k <= n <= 21:
        return digits + "0" * (n - k)
    if 0 < n <= 21:
        return digits[:n] + "." + digits[n:]
    if -6 < n <= 0:
        return "0." + "0" * -n + digits
    mantissa = digits[0] + ("." + digits[1:] if k > 1 else "")
    return f"{mantissa}e{'+' if n > 0 else '-'}{abs(n - 1)}"
