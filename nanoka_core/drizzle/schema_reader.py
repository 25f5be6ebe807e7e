"""Reading an existing Drizzle SQLite schema as drizzle-orm itself sees it.

The schema is loaded by Node through the project's own drizzle-kit loader
(tsx) and drizzle-orm, so what comes back is what drizzle-kit would diff:
each exported table's ``getTableConfig`` (see ``schema_reader.cjs``),
its export name and the ``relations()`` the file declares. Functions come back
as their source text as Node holds it (tsx transpiled, so imports read
``(0,import_x.name)``); ``imported_names`` maps those back to the file's imports.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from nanoka_core.errors import ToolError

_READER = Path(__file__).with_name("schema_reader.cjs")

_IMPORT = re.compile(
    r"""import\s+(?P<type>type\s+)?(?:(?P<default>[A-Za-z_$][\w$]*)\s*,?\s*)?"""
    r"""(?:\{(?P<names>[^}]*)\}|\*\s+as\s+(?P<star>[A-Za-z_$][\w$]*))?\s*from\s*["'](?P<module>[^"']+)["']"""
)


def read_drizzle_schema(schema: Path, project_dir: Path) -> dict[str, Any]:
    """Every exported table of ``schema`` and its relations, as the reader prints them.

    Raises ToolError when Node is missing or cannot load the file.
    """
    from nanoka_core.drizzle.node import run_node_script

    answer = run_node_script(_READER, [str(schema.resolve())], project_dir)
    if answer is None:
        raise ToolError(f"node not found on PATH, so {schema} cannot be read: install Node.js (>= 20)")
    if "error" in answer:
        raise ToolError(
            f"cannot load {schema} with drizzle-orm (`npx drizzle-kit generate` shows the same error):\n"
            f"{answer['error']}"
        )
    return answer


def imported_names(source: str) -> dict[str, tuple[str, str]]:
    """``local name -> (module, exported name)`` for the import declarations of a TypeScript file.

    Type-only imports are left out: a function body cannot use them.
    """
    names: dict[str, tuple[str, str]] = {}
    for match in _IMPORT.finditer(source):
        if match["type"]:
            continue
        module = match["module"]
        if match["default"]:
            names[match["default"]] = (module, "default")
        if match["star"]:
            names[match["star"]] = (module, "*")
        for part in (match["names"] or "").split(","):
            part = part.strip()
            if not part or part.startswith("type "):
                continue
            exported, _, local = part.partition(" as ")
            names[(local or exported).strip()] = (module, exported.strip())
    return names
