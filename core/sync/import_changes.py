"""What a two-way import changes, record by record, and which of those changes it may write.

The importer hands every record it is about to write to a `ChangeGate`. The
gate compares Procore's values with ours, records the difference (new record,
changed fields old → new), and drops the changes it must not write:

- a field group we own (`Owner.OURS`, say time zones) is never overwritten;
- a change that moves published work (a job site's new time zone moving time
  logs to another work date, so published entries change) is dropped when the
  admin applies "without the changes that move published work", unless
  Procore owns that field group (`Owner.PROCORE`).

Fields outside the groups below (numbers, addresses, active flags) are Procore's.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from sqlmodel import Session, SQLModel, col, select

from core.aggregation import load_time_logs
from core.models import Company, CostCode, Employee, JobSite, TimeLog
from core.models.ids import saved_id
from core.models.mapping import Entity, PayrollItem
from core.models.publishing import PublishEntry, PublishModule, PublishStatus
from core.modules.registry import all_definitions
from core.publishing.modules import computed_entries
from core.sync.links import links_by_local
from core.timeclock.dirty import mark_dirty
from core.timeclock.rules import work_date


class Owner(StrEnum):
    """Who decides a field group's value when Procore's differs from ours."""

    PROCORE = "procore"  # Procore's value is always written
    OURS = "ours"  # ours is kept; the preview shows what Procore has
    ASK = "ask"  # written when the admin applies the preview (unless left out as moving published work)


NAMES, TIME_ZONES = "names", "time_zones"
FIELD_GROUPS: dict[tuple[type[SQLModel], str], str] = {
    (Company, "name"): NAMES,
    (JobSite, "name"): NAMES,
    (Employee, "first_name"): NAMES,
    (Employee, "last_name"): NAMES,
    (CostCode, "name"): NAMES,
    (PayrollItem, "name"): NAMES,
    (JobSite, "time_zone"): TIME_ZONES,
}
GROUPS = (NAMES, TIME_ZONES)
DEFAULT_OWNERS: dict[str, Owner] = {group: Owner.ASK for group in GROUPS}
GONE_CHECKED: dict[str, tuple[Entity, type[SQLModel]]] = {
    "vendors": (Entity.COMPANY, Company),
    "job sites": (Entity.JOB_SITE, JobSite),
    "employees": (Entity.EMPLOYEE, Employee),
}


class ChangeKind(StrEnum):
    NEW = "new"
    CHANGED = "changed"
    GONE = "gone from Procore"


@dataclass(frozen=True)
class FieldChange:
    """One field Procore has another value for; `kept` says why ours stays (None: Procore's is written)."""

    name: str
    old: Any
    new: Any
    kept: str | None = None


@dataclass
class RecordChange:
    """One record the import creates, changes, or finds gone from Procore."""

    list_name: str
    record: str
    kind: ChangeKind
    fields: list[FieldChange] = field(default_factory=list)
    moved_logs: int = 0  # time logs a new time zone moves to another work date
    updated_entries: int = 0  # published entries that change with them (Updated until republished)

    @property
    def moves_published_work(self) -> bool:
        return self.updated_entries > 0


@dataclass(frozen=True)
class Moves:
    """What a job site's new time zone does to its time logs and published entries."""

    logs: int
    entries: int
    days: frozenset[tuple[int, date]]


class ChangeGate:
    """Records what the import changes and filters the values it may write (see the module docstring)."""

    def __init__(self, owners: Mapping[str, Owner] | None = None, *, apply_moving: bool = True) -> None:
        self.owners = {**DEFAULT_OWNERS, **(owners or {})}
        self.apply_moving = apply_moving
        self.changes: list[RecordChange] = []
        self._seen: dict[type[SQLModel], list[SQLModel]] = {}

    def admit(self, session: Session, record: SQLModel, values: dict[str, Any], *, created: bool,
              list_name: str) -> dict[str, Any]:
        """The part of `values` the import may write on `record`; records the change."""
        self._seen.setdefault(type(record), []).append(record)
        if created:
            self.changes.append(RecordChange(list_name, describe(record, values), ChangeKind.NEW))
            return values
        allowed = dict(values)
        change = RecordChange(list_name, describe(record, {}), ChangeKind.CHANGED)
        for name, new in values.items():
            old = getattr(record, name)
            if old == new:
                continue
            kept = self._kept(session, record, name, old, new, change)
            change.fields.append(FieldChange(name, old, new, kept))
            if kept is not None:
                del allowed[name]
        if change.fields:
            self.changes.append(change)
        return allowed

    def _kept(self, session: Session, record: SQLModel, name: str, old: Any, new: Any,
              change: RecordChange) -> str | None:
        group = FIELD_GROUPS.get((type(record), name), "")
        owner = self.owners.get(group, Owner.PROCORE)
        if owner is Owner.OURS:
            return f"we own {group.replace('_', ' ')}"
        if isinstance(record, JobSite) and name == "time_zone":
            moves = time_zone_moves(session, record, new=str(new))
            change.moved_logs, change.updated_entries = moves.logs, moves.entries
            if moves.entries and owner is Owner.ASK and not self.apply_moving:
                return "moves published work"
            mark_dirty(session, moves.days)
        return None

    def add_gone(self, session: Session, *, company_id: int, ran: Iterable[str]) -> None:
        """Record the linked records of the lists in `ran` that this import did not meet in Procore."""
        for list_name in ran:
            if list_name not in GONE_CHECKED:
                continue
            entity, model = GONE_CHECKED[list_name]
            met = {record.id for record in self._seen.get(model, [])}  # type: ignore[attr-defined]
            for local_id in sorted(set(links_by_local(session, entity=entity, company_id=company_id)) - met):
                record = session.get(model, local_id)
                if record is not None:
                    self.changes.append(RecordChange(list_name, describe(record, {}), ChangeKind.GONE))


def describe(record: SQLModel, values: Mapping[str, Any]) -> str:
    """How people name `record` (with `values` laid over it, for one not saved yet)."""
    def get(name: str) -> Any:
        return values.get(name, getattr(record, name, None))

    if isinstance(record, Employee):
        return f"{get('first_name')} {get('last_name')} (employee {get('number')})"
    if isinstance(record, JobSite):
        return f"{get('name')} (job site {get('number')})"
    if isinstance(record, Company):
        return f"{get('name')} (company {get('number')})"
    if isinstance(record, CostCode):
        return f"{get('code')} {get('name')}"
    return str(get("name") or get("code") or record)


def time_log_modules() -> frozenset[str]:
    """The modules whose entries add up time logs (a time zone moves those, never quantities)."""
    return frozenset(d.module.value for d in all_definitions() if d.spec.load is load_time_logs)


def time_zone_moves(session: Session, site: JobSite, *, new: str) -> Moves:
    """The time logs of `site` whose work date differs in zone `new`, and the published entries of their days
    that the move changes: each module's entries are computed again with the new zone (in the caller's
    transaction, then put back) and compared with what was published."""
    old, site_id = site.time_zone, saved_id(site)
    clock_ins = session.exec(select(TimeLog.clock_in).where(
        TimeLog.job_site_id == site_id, col(TimeLog.deleted_at).is_(None))).all()
    pairs = [(work_date(at, old), work_date(at, new)) for at in clock_ins]
    moved = [(before, after) for before, after in pairs if before != after]
    days = frozenset((site_id, day) for pair in moved for day in pair)
    published = session.exec(select(PublishEntry).where(
        PublishEntry.job_site_id == site_id, PublishEntry.status == PublishStatus.PUBLISHED,
        col(PublishEntry.module).in_(time_log_modules()),
        col(PublishEntry.work_date).in_({day for _site, day in days}),
    )).all() if days else []
    return Moves(len(moved), _changed_by_zone(session, site, new, published), days)


def _changed_by_zone(session: Session, site: JobSite, new: str, published: Sequence[PublishEntry]) -> int:
    if not published:
        return 0
    first, last = min(e.work_date for e in published), max(e.work_date for e in published)
    old, site.time_zone = site.time_zone, new
    session.add(site)
    session.flush()
    try:
        fresh = {
            module: dict(zip(frame["natural_key"], frame["fingerprint"], strict=True))
            for module in {e.module for e in published}
            for frame in [computed_entries(session, module=PublishModule(module), start=first, end=last,
                                           job_site_ids={saved_id(site)})]
        }
    finally:
        site.time_zone = old
        session.flush()
    return sum(fresh[e.module].get(e.natural_key) != e.published_fingerprint for e in published)
