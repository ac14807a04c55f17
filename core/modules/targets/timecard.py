"""Timecard → project timecard entries (procore-api.md §4.8).

Entries are created through v1.1 bulk create (25 per request) with
`origin_id` = our entry id, which recognises them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from core.modules.targets.base import (
    BoundTarget,
    EntryIds,
    Names,
    Outgoing,
    Payload,
    Remote,
    clean,
    day_text,
    hours_text,
)
from core.procore.client import ProcoreClient
from core.procore.inputs import BulkTimecardEntryInput, TimecardEntryInput
from core.procore.schemas.time_entries import TimecardEntry


class TimecardTarget(BoundTarget):
    label: ClassVar[str] = "timecard entry"
    compared: ClassVar[tuple[str, ...]] = ("date", "party_id", "hours", "timecard_time_type_id", "cost_code_id")
    bulk_create: ClassVar[int] = 25  # Procore's v1.1 bulk create limit (constants.BULK_CREATE_LIMIT)
    counts_hours: ClassVar[bool] = True

    def payload(self, entry_id: int, work_date: dt.date, keys: Mapping[str, Any], values: Mapping[str, Any],
                ids: EntryIds, names: Names) -> Payload:
        return clean({
            "date": work_date.isoformat(), "party_id": ids.party_id, "hours": hours_text(values["hours"]),
            "timecard_time_type_id": ids.time_type_id, "cost_code_id": ids.cost_code_id,
            "work_classification_id": ids.classification_id, "origin_id": str(entry_id),
        })

    def list_remote(self, client: ProcoreClient, project_id: int, start: dt.date, end: dt.date) -> list[Remote]:
        entries = client.iter_project_timecard_entries(project_id=project_id, start=start, end=end)
        return [_timecard(entry) for entry in entries]

    def create(self, client: ProcoreClient, project_id: int, batch: Sequence[Outgoing]) -> list[Remote]:
        inputs = [BulkTimecardEntryInput(project_id=project_id, **item.payload) for item in batch]
        created: list[Remote] = []
        for chunk in client.bulk_create_project_timecard_entries(project_id=project_id, entries=inputs):
            created.extend(_timecard(entry) for entry in chunk)
        return created

    def update(self, client: ProcoreClient, project_id: int, remote_id: int, payload: Payload) -> Remote:
        # The v1.0 project update takes the compared fields only (no classification, and origin_id stays).
        changes = TimecardEntryInput(**{name: payload.get(name) for name in self.compared})
        entry = client.update_project_timecard_entry(project_id=project_id, entry_id=remote_id, changes=changes)
        return _timecard(entry)

    def delete(self, client: ProcoreClient, project_id: int, remote_id: int) -> None:
        client.delete_project_timecard_entry(project_id=project_id, entry_id=remote_id)

    def is_entry(self, remote: Remote, entry_id: int, payload: Payload) -> bool:
        return remote.origin_id == str(entry_id)


def _timecard(entry: TimecardEntry) -> Remote:
    fields = {
        "date": day_text(entry.date), "party_id": entry.resolved_party_id,
        "hours": None if entry.hours is None else hours_text(entry.hours),
        "timecard_time_type_id": entry.resolved_time_type_id, "cost_code_id": entry.resolved_cost_code_id,
    }
    return Remote(id=entry.id, work_date=entry.date, updated_at=entry.updated_at, fields=fields,
                  origin_id=entry.origin_id, approved=entry.approval_status in ("approved", "completed"),
                  source=_source(entry))


def _source(entry: TimecardEntry) -> str:
    """Where an entry came from, as Procore shows it: filed on a timesheet, sent by an app (origin_id), or typed."""
    if entry.timesheet is not None or entry.timesheet_id is not None:
        return "Procore Timesheets"
    if entry.origin_id:
        return f"another app (origin {entry.origin_id})"
    return "Procore's Daily Log or Timecard tool"
