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
    """

    kind: Kind
    table: str
    name: str
    candidates: tuple[str, ...]
    answer: str | None
    table_prefix: str = ""

    def declarations(self) -> list[str]:
        """The lines that would answer this question with each candidate."""
        if self.kind == "column":
            return [f'.renamed_from("{old}") on {self.table}.{self.name}' for old in self.candidates]
        table = self.table.removeprefix(self.table_prefix)
        return [
            f'renamed_from="{old}" on the model of table {self.table!r} '
            f'(define_model("{table}", {{...}}, renamed_from="{old}") or '
            f'class ...(Model, table="{table}", renamed_from="{old}"))'
            for old in (c.removeprefix(self.table_prefix) for c in self.candidates)
        ]

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
    plan = RenamePlan(no_renames=no_renames, table_prefix=models[0].table_prefix if models else "")
    gone_tables = [t for t in old_tables if t not in new_tables]
    counterpart: dict[str, str] = {t: t for t in new_tables if t in old_tables}
    for model in models:
        old = model.renamed_from
        if old is None:
            continue
        if old in gone_tables and model.table not in old_tables:
            plan.renames.append(Rename("table", model.table, old, model.table))
            counterpart[model.table] = old
        else:
            declared = f"model {model.base_table!r}: renamed_from={old.removeprefix(model.table_prefix)!r}"
            plan.inert.append(_inert(declared, f"table {old}"))
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
                where = f"{model.table}.{name}: .renamed_from({old!r})"
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
            )
        )


def _inert(declaration: str, old: str) -> str:
    return (
        f"{declaration} does nothing: {old} is not in the latest migration's snapshot "
        "(the rename is done, or the name is wrong); it can stay or be removed"
    )
