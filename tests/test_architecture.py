"""The layers of docs/architecture.md hold: import-linter's contracts, and no import cycle anywhere."""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parents[1]
SUBPACKAGES = ["cli", "pipeline", "drizzle", "d1", "migrations", "render", "schema"]


def test_import_linter_contracts_are_kept() -> None:
    proc = subprocess.run(
        [sys.executable, "-c", "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "0 broken" in proc.stdout


def test_no_import_cycle_in_nanoka() -> None:
    """Every direct import A -> B, with no way back from B to A (TYPE_CHECKING and lazy imports included)."""
    graph = grimp.build_graph("nanoka_core", "nanoka_plugins")
    cycles = []
    for importer in sorted(graph.modules):
        for imported in sorted(graph.find_modules_directly_imported_by(importer)):
            back = graph.find_shortest_chain(importer=imported, imported=importer)
            if back:
                cycles.append(" -> ".join((importer, *back)))
    assert cycles == []


def test_the_cycle_check_finds_a_cycle(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The check above can fail: a lazy import back up is a cycle to grimp."""
    package = tmp_path / "cyclic"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "low.py").write_text("def f():\n    from cyclic import high\n")
    (package / "high.py").write_text("from cyclic import low\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    graph = grimp.build_graph("cyclic", cache_dir=None)
    assert graph.find_shortest_chain(importer="cyclic.low", imported="cyclic.high") == ("cyclic.low", "cyclic.high")
    assert graph.find_shortest_chain(importer="cyclic.high", imported="cyclic.low") == ("cyclic.high", "cyclic.low")


@pytest.mark.parametrize("name", SUBPACKAGES)
def test_each_layer_says_what_it_knows_and_must_not_import(name: str) -> None:
    doc = importlib.import_module(f"nanoka_core.{name}").__doc__ or ""
    lines = [line for line in doc.strip().splitlines() if line.strip()]
    assert len(lines) == 2, f"nanoka_core/{name}/__init__.py: two lines, what it knows and what it must not import"
    assert "must not" in doc or "Pure" in doc


@pytest.mark.parametrize("name", SUBPACKAGES)
def test_each_layer_is_in_the_architecture_doc(name: str) -> None:
    assert f"nanoka_core/{name}/" in (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
