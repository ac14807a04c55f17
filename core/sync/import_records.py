"""What an import step reports, and how it writes one record (through the step's change gate)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlmodel import Session, SQLModel, select

from core.sync.import_changes import ChangeGate, RecordChange
from core.timeclock.dirty import mark_record_dirty

_Row = TypeVar("_Row", bound=SQLModel)


@dataclass
class StepReport:
    """What one list's import did; `gate` decides what it writes and records each change."""

    name: str = ""
    gate: ChangeGate = field(default_factory=ChangeGate, repr=False)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    linked: int = 0
    skipped: list[str] = field(default_factory=list)

    def count(self, outcome: str) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)


@dataclass
class ImportReport:
    steps: dict[str, StepReport] = field(default_factory=dict)
    changes: list[RecordChange] = field(default_factory=list)

    def rows(self) -> list[dict[str, Any]]:
        return [
            {"list": name, "created": r.created, "updated": r.updated, "unchanged": r.unchanged,
             "linked": r.linked, "skipped": len(r.skipped), "reasons": "; ".join(r.skipped[:5])}
            for name, r in self.steps.items()
        ]


def apply_values(
    session: Session, record: SQLModel, values: dict[str, Any], step: StepReport, *, created: bool,
) -> None:
    """Write what the step's gate lets through of `values` on `record`, and count the outcome."""
    values = step.gate.admit(session, record, values, created=created, list_name=step.name)
    changed = any(getattr(record, key) != value for key, value in values.items())
    for key, value in values.items():
        setattr(record, key, value)
    session.add(record)
    session.flush()
    if changed and not created:
        mark_record_dirty(session, record)  # entries name it in their reasons (a time zone also moves days)
    step.count("created" if created else "updated" if changed else "unchanged")


def find_record(session: Session, model: type[_Row], local_id: int | None, **match: Any) -> _Row | None:
    """The record `local_id` if it exists, else the first whose columns equal `match`."""
    if local_id is not None and (record := session.get(model, local_id)) is not None:
        return record
    query = select(model)
    for column, value in match.items():
        query = query.where(getattr(model, column) == value)
    return session.exec(query).first()
