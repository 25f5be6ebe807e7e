"""Declared renames: which "created or renamed?" answers the models give.

drizzle-kit asks, for each new table or column while an old one has gone,
whether it was created or renamed from one of the gone ones. The models
answer with ``renamed_from``. A ``RenamePlan`` holds those answers, built
from the models and the latest drizzle snapshot; it does not know how they
reach drizzle-kit (a pseudo-terminal for 0.31, ``--hints`` JSON for 1.0).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any, Literal

from nanoka_core.schema.fields import Field
from nanoka_core.schema.models import Model

Kind = Literal["table", "column"]

CREATE = "+"
"""The answer "created" (never a valid name, so it cannot clash with an old name)."""


@dataclasses.dataclass(frozen=True)
class Question:
    """One question drizzle-kit will ask, and the models' answer to it.

    :param table: the table's new name (for a table question, the table asked about).
    :param name: the new column (for a column question) or the new table.
    :param candidates: old names drizzle-kit may offer, in the snapshot's order.
    :param answer: an old name ("renamed from"), ``CREATE``, or None when nothing answers it.
    :param table_prefix: the config's ``table-prefix``, which models leave out of table names.
    :param previous_prefix: the config's ``table-prefix-renamed-from``, if any.
    """

    kind: Kind
    table: str
    name: str
    candidates: tuple[str, ...]
    answer: str | None
    table_prefix: str = ""
    previous_prefix: str | None = None

    def declarations(self) -> list[str]:
        """The lines that would answer this question with each candidate."""
        if self.kind == "column":
            return [f'.renamed_from("{old}") on {self.table}.{self.name}' for old in self.candidates]
        return [self._table_declaration(old) for old in self.candidates]

    def _table_declaration(self, old: str) -> str:
        """What says that table ``self.table`` was ``old`` in the last migration."""
        table = self.table.removeprefix(self.table_prefix)

        def renamed_from(written: str) -> str:
            return (
                f'renamed_from="{written}" on the model of table {self.table!r} '
                f'(define_model("{table}", {{...}}, renamed_from="{written}") or '
                f'class ...(Model, table="{table}", renamed_from="{written}"))'
            )

        for prefix in (self.previous_prefix, self.table_prefix):
            if prefix is not None and old.startswith(prefix) and old != prefix:
                return renamed_from(old[len(prefix) :])
        # A renamed_from is written under the table prefix: a name without it had another prefix.
        key = "table-prefix-renamed-from = \"{}\" in the nanoka config"
        had = _old_prefix(old, table)
        if had is not None:
            every = "every table is renamed from its name under it"
            return f"{key.format(had)} (table-prefix was {had!r}: {every})"
        had = next((p for p in (_old_prefix(c, table) for c in self.candidates) if p is not None), None)
        if had is not None and old.startswith(had):
            return f"{key.format(had)}, and {renamed_from(old[len(had) :])}"
        return (
            f"{key.format('<the prefix ' + repr(old) + ' had>')}, and renamed_from=\"<{old!r} without it>\" "
            f"on the model {table!r} (renamed_from names a table under the table-prefix "
            f"{self.table_prefix!r})"
        )

    def describe(self) -> str:
        if self.kind == "column":
            olds = " or ".join(f"{self.table}.{c}" for c in self.candidates)
            return f"column {self.table}.{self.name}: created, or renamed from {olds}?"
        return f"table {self.table}: created, or renamed from {' or '.join(self.candidates)}?"


@dataclasses.dataclass(frozen=True)
class Rename:
    kind: Kind
    table: str
    """The table's new name (for a table rename, the new table)."""
    old: str
    new: str


@dataclasses.dataclass
class RenamePlan:
    """The renames the models declare, against the latest snapshot.

    :param renames: declarations that apply (old name in the snapshot, new one not).
    :param questions: what drizzle-kit will ask, each with its answer (or None).
    :param inert: declarations that no longer do anything, each a sentence.
    :param no_renames: answer "created" to every question no declaration answers.
    """

    renames: list[Rename] = dataclasses.field(default_factory=list)
    questions: list[Question] = dataclasses.field(default_factory=list)
    inert: list[str] = dataclasses.field(default_factory=list)
    no_renames: bool = False
    table_prefix: str = ""
    """The models' table prefix: their ``renamed_from`` is written without it."""
    previous_prefix: str | None = None
    """The prefix the tables had in the last migration (``table-prefix-renamed-from``), if it changed."""

    @property
    def unanswered(self) -> list[Question]:
        return [q for q in self.questions if q.answer is None]

    def answer(self, kind: Kind, table: str, name: str, offered: Sequence[str]) -> str | None:
        """The answer to a question drizzle-kit asks now, offering these old names.

        A declared rename answers with its old name; an undeclared name is
        "created" when every offered old name is claimed by a declaration
        (or with ``no_renames``); otherwise None: only the user can tell.
        """
        table = self._new_table(table)
        declared = {(r.kind, r.table, r.new): r.old for r in self.renames}
        claimed = {r.old for r in self.renames if r.kind == kind and (kind == "table" or r.table == table)}
        old = declared.get((kind, table, name))
        if old is not None:
            return old if old in offered else None
        if self.no_renames or all(o in claimed for o in offered):
            return CREATE
        return None

    def _new_table(self, table: str) -> str:
        """drizzle-kit may name a renamed table by its old name in a column question."""
        for rename in self.renames:
            if rename.kind == "table" and rename.old == table:
                return rename.new
        return table


def snapshot_tables(snapshot: Mapping[str, Any] | None) -> dict[str, list[str]]:
    """Table -> column names in a drizzle-kit SQLite snapshot (empty without one)."""
    if not snapshot:
        return {}
    tables = snapshot.get("tables") or {}
    return {
        str(name): [str(column) for column in (table.get("columns") or {})]
        for name, table in tables.items()
        if isinstance(table, Mapping)
    }


def model_columns(model: type[Model]) -> dict[str, Field]:
    """SQL column name -> field (``.column(name)`` renames the column, not the field)."""
    return {f.column_name or n: f for n, f in model.fields.items() if not f.is_relation}


def build_plan(
    models: Sequence[type[Model]], snapshot: Mapping[str, Any] | None, *, no_renames: bool = False
) -> RenamePlan:
    """What drizzle-kit will ask when the schema moves from ``snapshot`` to ``models``."""
    old_tables = snapshot_tables(snapshot)
    new_tables = {m.table: list(model_columns(m)) for m in models}
    plan = RenamePlan(
        no_renames=no_renames,
        table_prefix=models[0].table_prefix if models else "",
        previous_prefix=models[0].previous_prefix if models else None,
    )
    gone_tables = [t for t in old_tables if t not in new_tables]
    counterpart: dict[str, str] = {t: t for t in new_tables if t in old_tables}

    previous = plan.previous_prefix
    from_previous: list[str] = []  # old tables found under table-prefix-renamed-from

    def rename(model: type[Model], old: str, by_previous_prefix: bool) -> None:
        plan.renames.append(Rename("table", model.table, old, model.table))
        counterpart[model.table] = old
        if by_previous_prefix:
            from_previous.append(old)

    for model in models:
        if model.renamed_from is None:
            continue
        written = model.renamed_from.removeprefix(model.table_prefix)
        olds = [model.renamed_from] if previous is None else [previous + written, model.renamed_from]
        old = next((o for o in olds if o in gone_tables), None)
        if old is not None and model.table not in old_tables:
            rename(model, old, old != model.renamed_from)
        else:
            declared = f"model {model.base_table!r}: renamed_from={written!r}"
            plan.inert.append(_inert(declared, f"table {' or '.join(dict.fromkeys(olds))}"))
    if previous is not None:
        # table-prefix changed: every other table was its base name under the old prefix.
        taken = {r.old for r in plan.renames}
        for model in models:
            old = previous + model.base_table
            if model.table not in counterpart and old in gone_tables and old not in taken:
                rename(model, old, True)
        if not from_previous:
            plan.inert.append(
                f"table-prefix-renamed-from = {previous!r} does nothing: no model's table is in the latest "
                "migration's snapshot under that prefix (the rename is done, or the prefix is wrong); "
                "remove it from the nanoka config"
            )
    if old_tables:  # with no snapshot yet, drizzle-kit only creates
        _ask(plan, "table", "", [t for t in new_tables if t not in old_tables], gone_tables)
    for model in models:
        old_table = counterpart.get(model.table)
        old_columns = old_tables.get(old_table, []) if old_table else []
        new_columns = model_columns(model)
        gone = [c for c in old_columns if c not in new_columns]
        for name, field in new_columns.items():
            old = field.previous_name
            if old is None:
                continue
            if old_table and old in gone and name not in old_columns:
                plan.renames.append(Rename("column", model.table, old, name))
            else:
                where = f"{model.base_table}.{name}: .renamed_from({old!r})"
                plan.inert.append(_inert(where, f"column {old_table or model.table}.{old}"))
        if old_table:
            _ask(plan, "column", model.table, [c for c in new_columns if c not in old_columns], gone)
    return plan


def _ask(plan: RenamePlan, kind: Kind, table: str, created: list[str], gone: list[str]) -> None:
    """drizzle-kit asks about every created name once something of that kind has gone."""
    if not created or not gone:
        return
    for name in created:
        asked_table = name if kind == "table" else table
        plan.questions.append(
            Question(
                kind,
                asked_table,
                name,
                tuple(gone),
                plan.answer(kind, asked_table, name, gone),
                plan.table_prefix,
                plan.previous_prefix,
            )
        )


def _old_prefix(old: str, table: str) -> str | None:
    """The prefix table ``old`` would have had if it were ``table`` under another table-prefix."""
    from nanoka_core.config import table_prefix_problem

    had = old[: len(old) - len(table)] if old.endswith(table) else None
    return had if had is not None and (had == "" or table_prefix_problem(had) is None) else None


def _inert(declaration: str, old: str) -> str:
    return (
        f"{declaration} does nothing: {old} is not in the latest migration's snapshot "
        "(the rename is done, or the name is wrong); it can stay or be removed"
    )
