"""Where each module's entries go in Procore: the fields sent, how records are listed, matched and written.

A target turns one entry (its values plus the Procore ids its keys map to) into
the Procore fields it writes, reads a project's records for a date window with
list calls, and says which listed record already is an entry (reconciliation).
Fields are kept in one JSON-ready shape ("payload") for sending, for storing
what was last written, and for comparing with what Procore holds now.

* Manpower → Daily Log manpower logs: the company's vendor as `contact_id`,
  `num_workers`, `num_hours` per worker, the crew named in `notes`.
  Procore logs carry no external key, so a log is recognised by its project,
  date and values.
* Production quantity → Daily Log quantity logs: whole `quantity`, `unit`,
  `cost_code_id`, the cost code named in `description`; recognised like logs.
* Timecard → project timecard entries, created through v1.1 bulk create (25
  per request) with `origin_id` = our entry id, which recognises them.
* Timesheet → the same entries filed on the project's timesheet of their day
  (the payroll board publishes these).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, ClassVar, Protocol

from core.errors import ValidationError
from core.models.mapping import Entity
from core.models.publishing import PublishModule
from core.procore.client import ProcoreClient
from core.procore.inputs import BulkTimecardEntryInput, ManpowerLogInput, QuantityLogInput, TimecardEntryInput
from core.procore.schemas import ManpowerLog, QuantityLog, TimecardEntry

Payload = dict[str, Any]


def hours_text(value: Any) -> str:
    """Hours as Procore's string, written one way whatever the source ("8", "8.5", never "8.50" or "8E+0")."""
    number = Decimal(str(value))
    text = format(number.quantize(Decimal("0.01")), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


@dataclass(frozen=True)
class Remote:
    """One record as Procore lists it: its id, when it last changed, and the compared fields."""

    id: int
    work_date: dt.date | None
    updated_at: dt.datetime | None
    fields: Payload
    origin_id: str | None = None
    approved: bool = False  # approved in Procore: the API refuses to change or delete it


@dataclass(frozen=True)
class Names:
    """What an entry's local ids are called, for notes and descriptions Procore shows."""

    crews: Mapping[int, str] = field(default_factory=dict)
    cost_codes: Mapping[int, str] = field(default_factory=dict)


@dataclass(frozen=True)
class EntryIds:
    """The Procore ids one entry needs (None when its key has no such record)."""

    project_id: int
    vendor_id: int | None = None
    party_id: int | None = None
    time_type_id: int | None = None
    cost_code_id: int | None = None
    classification_id: int | None = None


@dataclass(frozen=True)
class Outgoing:
    """One entry ready to send: its id, date and the fields to write."""

    entry_id: int
    work_date: dt.date
    payload: Payload


class Target(Protocol):
    """How one module publishes (see the module docstring)."""

    module: ClassVar[PublishModule]
    label: ClassVar[str]  # "manpower log"
    entities: ClassVar[frozenset[Entity]]  # what its keys must map to
    compared: ClassVar[tuple[str, ...]]  # payload fields compared with Procore's record
    bulk_create: ClassVar[int]  # entries per create request (1: no bulk create)

    def payload(self, entry_id: int, work_date: dt.date, keys: Mapping[str, Any], values: Mapping[str, Any],
                ids: EntryIds, names: Names) -> Payload: ...

    def list_remote(self, client: ProcoreClient, project_id: int, start: dt.date, end: dt.date) -> list[Remote]: ...

    def create(self, client: ProcoreClient, project_id: int, batch: Sequence[Outgoing]) -> list[Remote]: ...

    def update(self, client: ProcoreClient, project_id: int, remote_id: int, payload: Payload) -> Remote: ...

    def delete(self, client: ProcoreClient, project_id: int, remote_id: int) -> None: ...

    def is_entry(self, remote: Remote, entry_id: int, payload: Payload) -> bool: ...


def compared_fields(target: Target, payload: Mapping[str, Any]) -> Payload:
    """The part of `payload` that is compared with Procore's record."""
    return {name: payload.get(name) for name in target.compared}


def differences(
    target: Target, ours: Mapping[str, Any] | None, theirs: Mapping[str, Any]
) -> dict[str, tuple[Any, Any]]:
    """Compared fields whose values differ: name → (ours, Procore's)."""
    ours = ours or {}
    return {name: (ours.get(name), theirs.get(name)) for name in target.compared if ours.get(name) != theirs.get(name)}


class _LogTarget:
    """What manpower and quantity logs share: no external key, so a log is recognised by its values."""

    bulk_create: ClassVar[int] = 1
    compared: ClassVar[tuple[str, ...]] = ()

    def is_entry(self, remote: Remote, entry_id: int, payload: Payload) -> bool:
        return all(remote.fields.get(name) == payload.get(name) for name in self.compared)


class ManpowerTarget(_LogTarget):
    module: ClassVar[PublishModule] = PublishModule.MANPOWER
    label: ClassVar[str] = "manpower log"
    entities: ClassVar[frozenset[Entity]] = frozenset({Entity.JOB_SITE, Entity.COMPANY})
    compared: ClassVar[tuple[str, ...]] = ("date", "contact_id", "num_workers", "num_hours", "notes")

    def payload(self, entry_id: int, work_date: dt.date, keys: Mapping[str, Any], values: Mapping[str, Any],
                ids: EntryIds, names: Names) -> Payload:
        crew = keys.get("crew_id")
        notes = f"Crew {names.crews[crew]}" if crew is not None and crew in names.crews else None
        return _clean({
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
        "date": _day(log.date), "contact_id": contact, "num_workers": log.num_workers,
        "num_hours": None if log.num_hours is None else hours_text(log.num_hours), "notes": log.notes or None,
    }
    return Remote(id=log.id, work_date=log.date, updated_at=log.updated_at, fields=fields,
                  approved=log.status == "approved")


class QuantityTarget(_LogTarget):
    module: ClassVar[PublishModule] = PublishModule.QUANTITY
    label: ClassVar[str] = "quantity log"
    entities: ClassVar[frozenset[Entity]] = frozenset({Entity.JOB_SITE, Entity.COST_CODE})
    compared: ClassVar[tuple[str, ...]] = ("date", "cost_code_id", "quantity", "unit", "description")

    def payload(self, entry_id: int, work_date: dt.date, keys: Mapping[str, Any], values: Mapping[str, Any],
                ids: EntryIds, names: Names) -> Payload:
        code = keys.get("cost_code_id")
        return _clean({
            "date": work_date.isoformat(), "cost_code_id": ids.cost_code_id, "quantity": int(values["units"]),
            "unit": str(values["unit_of_measure"]), "description": names.cost_codes.get(code) if code else None,
        })

    def list_remote(self, client: ProcoreClient, project_id: int, start: dt.date, end: dt.date) -> list[Remote]:
        return [_quantity(log) for log in client.iter_quantity_logs(project_id=project_id, start=start, end=end)]

    def create(self, client: ProcoreClient, project_id: int, batch: Sequence[Outgoing]) -> list[Remote]:
        return [_quantity(client.create_quantity_log(project_id=project_id, log=QuantityLogInput(**item.payload)))
                for item in batch]

    def update(self, client: ProcoreClient, project_id: int, remote_id: int, payload: Payload) -> Remote:
        changes = QuantityLogInput(**payload)
        return _quantity(client.update_quantity_log(project_id=project_id, log_id=remote_id, changes=changes))

    def delete(self, client: ProcoreClient, project_id: int, remote_id: int) -> None:
        client.delete_quantity_log(project_id=project_id, log_id=remote_id)


def _quantity(log: QuantityLog) -> Remote:
    quantity: int | str | None = None
    if log.quantity is not None:
        quantity = int(log.quantity) if log.quantity == int(log.quantity) else str(log.quantity)
    fields = {
        "date": _day(log.date), "cost_code_id": log.cost_code.id if log.cost_code else None, "quantity": quantity,
        "unit": log.unit, "description": log.description or None,
    }
    return Remote(id=log.id, work_date=log.date, updated_at=log.updated_at, fields=fields)


class TimecardTarget:
    module: ClassVar[PublishModule] = PublishModule.TIMECARD
    label: ClassVar[str] = "timecard entry"
    entities: ClassVar[frozenset[Entity]] = frozenset(
        {Entity.JOB_SITE, Entity.EMPLOYEE, Entity.PAY_ID, Entity.COST_CODE, Entity.PAY_CLASS}
    )
    compared: ClassVar[tuple[str, ...]] = ("date", "party_id", "hours", "timecard_time_type_id", "cost_code_id")
    bulk_create: ClassVar[int] = 25  # Procore's v1.1 bulk create limit (constants.BULK_CREATE_LIMIT)

    def payload(self, entry_id: int, work_date: dt.date, keys: Mapping[str, Any], values: Mapping[str, Any],
                ids: EntryIds, names: Names) -> Payload:
        return _clean({
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


class TimesheetTarget(TimecardTarget):
    """Timesheet entries: timecard entries filed on the project's timesheet of their day.

    The day's timesheet is looked up (one list call per batch) and created when
    missing; a lock per project and day keeps two batches of this process from
    creating it twice.
    """

    module: ClassVar[PublishModule] = PublishModule.TIMESHEET
    label: ClassVar[str] = "timesheet entry"

    def __init__(self) -> None:
        self._locks: dict[tuple[int, dt.date], threading.Lock] = {}
        self._guard = threading.Lock()

    def create(self, client: ProcoreClient, project_id: int, batch: Sequence[Outgoing]) -> list[Remote]:
        days = sorted({item.work_date for item in batch})
        sheets = {day: self._timesheet(client, project_id, day) for day in days}
        filed = [Outgoing(item.entry_id, item.work_date, item.payload | {"timesheet_id": sheets[item.work_date]})
                 for item in batch]
        return super().create(client, project_id, filed)

    def _timesheet(self, client: ProcoreClient, project_id: int, day: dt.date) -> int:
        with self._guard:
            lock = self._locks.setdefault((project_id, day), threading.Lock())
        with lock:
            for sheet in client.iter_project_timesheets(project_id=project_id, start=day, end=day):
                if sheet.date == day:
                    return sheet.id
            return client.create_project_timesheet(project_id=project_id, date=day).id


def _timecard(entry: TimecardEntry) -> Remote:
    fields = {
        "date": _day(entry.date), "party_id": entry.resolved_party_id,
        "hours": None if entry.hours is None else hours_text(entry.hours),
        "timecard_time_type_id": entry.resolved_time_type_id, "cost_code_id": entry.resolved_cost_code_id,
    }
    return Remote(id=entry.id, work_date=entry.date, updated_at=entry.updated_at, fields=fields,
                  origin_id=entry.origin_id, approved=entry.approval_status in ("approved", "completed"))


def _day(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def _clean(payload: Payload) -> Payload:
    return {name: value for name, value in payload.items() if value is not None}


TARGETS: dict[PublishModule, Target] = {
    PublishModule.MANPOWER: ManpowerTarget(),
    PublishModule.QUANTITY: QuantityTarget(),
    PublishModule.TIMECARD: TimecardTarget(),
    PublishModule.TIMESHEET: TimesheetTarget(),
}


def target_for(module: PublishModule | str) -> Target:
    """The target of `module`, or a ValidationError for a module with none."""
    target = TARGETS.get(PublishModule(module))
    if target is None:
        raise ValidationError(f"{PublishModule(module).value} entries are not published by this engine")
    return target


def date_window(days: Iterable[dt.date]) -> tuple[dt.date, dt.date]:
    """The first and last of `days` (one list call covers them all)."""
    ordered = sorted(days)
    return ordered[0], ordered[-1]
