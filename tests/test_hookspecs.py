"""Every hook is documented and tested (datasette holds itself to the same)."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

from nanoka_core.pipeline import hookspecs

ROOT = Path(__file__).resolve().parent.parent
HOOKS = sorted(name for name, _ in inspect.getmembers(hookspecs, inspect.isfunction) if name.startswith("nanoka_"))


def test_the_public_hook_vocabulary() -> None:
    assert HOOKS == [
        "nanoka_callable_default",
        "nanoka_emit_column",
        "nanoka_register_field_types",
        "nanoka_register_stages",
        "nanoka_stage_finished",
        "nanoka_stage_started",
        "nanoka_table_constraints",
    ]


@pytest.mark.parametrize("hook", HOOKS)
def test_hook_has_a_docstring(hook: str) -> None:
    assert (getattr(hookspecs, hook).__doc__ or "").strip()


@pytest.mark.parametrize("hook", HOOKS)
def test_hook_is_documented_in_plugins_md(hook: str) -> None:
    guide = (ROOT / "docs" / "plugins.md").read_text()
    assert re.search(rf"^### {hook}$", guide, re.MULTILINE), f"docs/plugins.md has no '### {hook}' section"


@pytest.mark.parametrize("hook", HOOKS)
def test_hook_has_a_test_of_its_own(hook: str) -> None:
    tests = (ROOT / "tests" / "test_hooks.py").read_text()
    assert re.search(rf"^def test_{hook}\(", tests, re.MULTILINE), f"tests/test_hooks.py has no test_{hook}"
