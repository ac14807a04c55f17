"""Manpower → Daily Log manpower logs (procore-api.md §4.5).

Fields: the company's vendor as `contact_id`, `num_workers`, `num_hours` per
worker, the crew named in `notes`. Procore logs carry no external key, so a log
is recognised by its project, date and values. No cost code is sent.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from core.modules.targets.base import EntryIds, LogTarget, Names, Outgoing, Payload, Remote, clean, day_text, hours_text
from core.procore.client import ProcoreClient
from core.procore.inputs import ManpowerLogInput
from core.procore.schemas.logs import ManpowerLog


class ManpowerTarget(LogTarget):
    label: ClassVar[str] = "manpower log"
    compared: ClassVar[tuple[str, ...]] = ("date", "contact_id", "num_workers", "num_hours", "notes")

    def payload(self, entry_id: int, work_date: dt.date, keys: Mapping[str, Any], values: Mapping[str, Any],
                ids: EntryIds, names: Names) -> Payload:
        crew = keys.get("crew_id")
        notes = f"Crew {names.crews[crew]}" if crew is not None and crew in names.crews else None
        return clean({
            "date": work_date.isoformat(), "contact_id": ids.vendor_id, "num_workers": int(values["manpower"]),
            "num_hours": hours_text(values["average_hours"]), "notes": notes,
        })

    def list_remote(self, client: ProcoreClient, project_id: int, start: dt.date, end: dt.date) -> list[Remote]:
        return [_manpower(log) for log in client.iter_manpower_logs(project_id=project_id, start=start, end=end)]

    def create(self, client: ProcoreClient, project_id: int, batch: Sequence[Outgoing]) -> list[Remote]:
        return [_manpower(client.create_manpower_log(project_id=project_id, log=_manpower_input(item.payload)))
                for item in batch]

    def update(self, client: ProcoreClient, project_id: int, remote_id: int, payload: Payload) -> Remote:
        log = client.update_manpower_log(project_id=project_id, log_id=remote_id, changes=_manpower_input(payload))
        return _manpower(log)

    def delete(self, client: ProcoreClient, project_id: int, remote_id: int) -> None:
        client.delete_manpower_log(project_id=project_id, log_id=remote_id)


def _manpower_input(payload: Payload) -> ManpowerLogInput:
    # An update names every compared field, so a note Procore holds is cleared when ours has none.
    return ManpowerLogInput(**{name: payload.get(name) for name in ManpowerTarget.compared if name != "notes"},
                            notes=payload.get("notes") or "")


def _manpower(log: ManpowerLog) -> Remote:
    contact = log.contact.id if log.contact and log.contact.id is not None else (log.vendor.id if log.vendor else None)
    fields = {
        "date": day_text(log.date), "contact_id": contact, "num_workers": log.num_workers,
        "num_hours": None if log.num_hours is None else hours_text(log.num_hours), "notes": log.notes or None,
    }
    return Remote(id=log.id, work_date=log.date, updated_at=log.updated_at, fields=fields,
                  approved=log.status == "approved")
