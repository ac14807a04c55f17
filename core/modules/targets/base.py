"""What every Procore target shares: the records it lists, the ids and names an entry needs, the protocol.

A target turns one entry (its values plus the Procore ids its keys map to) into
the Procore fields it writes, reads a project's records for a date window with
list calls, and says which listed record already is an entry (reconciliation).
Fields are kept in one JSON-ready shape ("payload") for sending, for storing
what was last written, and for comparing with what Procore holds now. The
registry binds each target to its module (`core.modules.registry`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, ClassVar, Protocol

from core.models.publishing import PublishModule
from core.procore.client import ProcoreClient

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
    source: str | None = None  # where Procore says the record came from ("Procore Timesheets"), when it says


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

    module: PublishModule  # given by the registry
    label: ClassVar[str]  # "manpower log"
    compared: ClassVar[tuple[str, ...]]  # payload fields compared with Procore's record
    bulk_create: ClassVar[int]  # entries per create request (1: no bulk create)
    counts_hours: ClassVar[bool]  # its records are people's hours: never two for one person and day (`guard`)

    def payload(self, entry_id: int, work_date: dt.date, keys: Mapping[str, Any], values: Mapping[str, Any],
                ids: EntryIds, names: Names) -> Payload: ...

    def list_remote(self, client: ProcoreClient, project_id: int, start: dt.date, end: dt.date) -> list[Remote]: ...

    def create(self, client: ProcoreClient, project_id: int, batch: Sequence[Outgoing]) -> list[Remote]: ...

    def update(self, client: ProcoreClient, project_id: int, remote_id: int, payload: Payload) -> Remote: ...

    def delete(self, client: ProcoreClient, project_id: int, remote_id: int) -> None: ...

    def is_entry(self, remote: Remote, entry_id: int, payload: Payload) -> bool: ...


class BoundTarget:
    """A target knows the module the registry bound it to."""

    def __init__(self, module: PublishModule) -> None:
        self.module = module


class LogTarget(BoundTarget):
    """What manpower and quantity logs share: no external key, so a log is recognised by its values."""

    bulk_create: ClassVar[int] = 1
    compared: ClassVar[tuple[str, ...]] = ()
    counts_hours: ClassVar[bool] = False

    def is_entry(self, remote: Remote, entry_id: int, payload: Payload) -> bool:
        return all(remote.fields.get(name) == payload.get(name) for name in self.compared)


def compared_fields(target: Target, payload: Mapping[str, Any]) -> Payload:
    """The part of `payload` that is compared with Procore's record."""
    return {name: payload.get(name) for name in target.compared}


def differences(
    target: Target, ours: Mapping[str, Any] | None, theirs: Mapping[str, Any]
) -> dict[str, tuple[Any, Any]]:
    """Compared fields whose values differ: name → (ours, Procore's)."""
    ours = ours or {}
    return {name: (ours.get(name), theirs.get(name)) for name in target.compared if ours.get(name) != theirs.get(name)}


def date_window(days: Iterable[dt.date]) -> tuple[dt.date, dt.date]:
    """The first and last of `days` (one list call covers them all)."""
    ordered = sorted(days)
    return ordered[0], ordered[-1]


def day_text(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def clean(payload: Payload) -> Payload:
    """`payload` without its empty (None) fields."""
    return {name: value for name, value in payload.items() if value is not None}
