"""Python types as TypeScript types, for ``t.json(T)``'s ``$type<...>()``."""

from __future__ import annotations

from typing import Any


def typescript_type(python_type: Any) -> str:
    """The TypeScript text for ``python_type``."""
    raise NotImplementedError
