"""Stored schedules per module and the tick that queues the runs that are due.

    set_schedule(engine, ScheduleInput("manpower", daily="02:00", days_back=7), actor=identity)
    run_due_schedules(settings, engine, now=utcnow())  # each minute, on a worker (core.jobs.queue)

The company's time zone is the one most of its active job sites keep (the app
stores no other); a daily time is read in it. Two workers ticking at once never
queue one run twice: a run is claimed by moving the schedule's last run time
with a guarded UPDATE, and only the worker whose UPDATE moved it queues.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import sqlmodel
from sqlalchemy import Table, select, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from core import access, setup
from core.access import ADMIN, Identity, Perm
from core.config import Settings
from core.db import session_scope, utcnow
from core.errors import ProcoreConnectError, ValidationError
from core.jobs.scheduled_runs import scheduled_requests
from core.jobs.schedules import Cadence, catch_up_range, check_days_back, next_run, parse_cadence
from core.jobs.service import enqueue_publish
from core.models import JobSite
from core.models.jobs import JobState, JobTrigger, PublishJob, PublishSchedule
from core.models.publishing import PublishModule
from core.modules.registry import definition
from core.publishing.report import PublishRequest

SCHEDULE_EMAIL = "schedule@localhost"  # who scheduled runs are requested by (with the Admin role's permissions)
DEFAULT_DAYS_BACK = 7
WAITING = (JobState.QUEUED.value, JobState.RUNNING.value, JobState.INTERRUPTED.value)
_SCHEDULES: Table = PublishSchedule.__table__  # type: ignore[attr-defined]
_JOBS: Table = PublishJob.__table__  # type: ignore[attr-defined]
_SITES: Table = JobSite.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class ScheduleInput:
    """A schedule as a person gives it: `every` like "2h" or `daily` like "02:00" (exactly one)."""

    module: str
    every: str | None = None
    daily: str | None = None
    days_back: int = DEFAULT_DAYS_BACK
    approved_only: bool = False


@dataclass(frozen=True)
class ScheduleView:
    """A module's schedule as pages and the command line show it."""

    module: PublishModule
    active: bool
    cadence: Cadence | None
    days_back: int
    approved_only: bool
    zone: str
    next_run: datetime | None
    last_run_at: datetime | None
    last_outcome: str

    @property
    def label(self) -> str:
        return definition(self.module).label

    def describe(self) -> str:
        """"daily at 02:00 (America/Chicago), the last 7 days, approved weeks only", or "off"."""
        if not self.active or self.cadence is None:
            return "off"
        policy = "job-site weeks Approved on payroll only" if self.approved_only else "all closed time"
        zone = f" ({self.zone})" if self.cadence.daily_at is not None else ""
        return f"{self.cadence.describe()}{zone}, the last {self.days_back} days, {policy}"


def set_schedule(engine: Engine, wanted: ScheduleInput, *, actor: Identity) -> ScheduleView:
    """Turn on (or change) the schedule of an enabled module.

    Raises:
        PermissionDenied: `actor` lacks Automation.
        ValidationError: an unknown or disabled module, a bad cadence or catch-up window (nothing changes).
    """
    actor.require(Perm.AUTOMATION)
    cadence = parse_cadence(every=wanted.every, daily=wanted.daily)
    days_back = check_days_back(wanted.days_back)
    with session_scope(engine) as session:
        module = _enabled_module(session, wanted.module)
        row = session.get(PublishSchedule, module.value) or PublishSchedule(module=module.value)
        row.active, row.days_back, row.approved_only = True, days_back, wanted.approved_only
        row.every_hours = int(cadence.every.total_seconds() // 3600) if cadence.every is not None else None
        row.daily_at = f"{cadence.daily_at:%H:%M}" if cadence.daily_at is not None else None
        row.updated_by, row.updated_at = actor.email, utcnow()
        session.add(row)
        session.flush()
        return _view(session, module, row, now=utcnow())


def turn_off(engine: Engine, *, module: str, actor: Identity) -> None:
    """Stop a module's schedule (its settings are kept for turning it on again)."""
    actor.require(Perm.AUTOMATION)
    found = _module(module)
    with session_scope(engine) as session:
        row = session.get(PublishSchedule, found.value)
        if row is not None:
            row.active, row.updated_by, row.updated_at = False, actor.email, utcnow()
            session.add(row)


def schedules(engine: Engine, *, now: datetime) -> list[ScheduleView]:
    """The schedule of each enabled module (off when never set), in registry order."""
    with session_scope(engine) as session:
        enabled = setup.state(session).modules
        return [_view(session, module, session.get(PublishSchedule, module.value), now=now)
                for module in PublishModule if module in enabled]


def run_due_schedules(settings: Settings, engine: Engine, *, now: datetime) -> list[int]:
    """Queue the runs of every schedule due at `now` (trigger scheduled); returns the queued job ids."""
    with session_scope(engine) as session:
        enabled = setup.state(session).modules
        rows = [row for row in session.exec(sqlmodel.select(PublishSchedule).where(col(PublishSchedule.active)))
                if PublishModule(row.module) in enabled]
        zone = company_zone(session)
    queued: list[int] = []
    for row in rows:
        if _is_due(row, now=now, zone=zone) and not _still_running(engine, row.module) and _claim(engine, row, now):
            queued += _queue_run(settings, engine, row, actor=_schedule_actor(engine), now=now, zone=zone)
    return queued


def run_now(settings: Settings, engine: Engine, *, module: str, actor: Identity) -> list[int]:
    """Queue a module's scheduled run at once, as `actor` (its schedule's time is not moved).

    Raises:
        PermissionDenied: `actor` lacks Automation (or Publish).
        ValidationError: the module is not enabled or has no schedule.
    """
    actor.require(Perm.AUTOMATION)
    with session_scope(engine) as session:
        found = _enabled_module(session, module)
        row = session.get(PublishSchedule, found.value)
        zone = company_zone(session)
    if row is None:
        raise ValidationError(f"{definition(found).label} has no schedule yet; set one first.")
    return _queue_run(settings, engine, row, actor=actor, now=utcnow(), zone=zone)


def company_zone(session: Session) -> ZoneInfo:
    """The time zone most active job sites keep (the first by name on a tie); UTC without job sites."""
    zones = Counter(session.connection().execute(
        select(_SITES.c.time_zone).where(_SITES.c.active.is_(True))).scalars())
    if not zones:
        return ZoneInfo("UTC")
    return ZoneInfo(min(zones, key=lambda name: (-zones[name], name)))


def _queue_run(settings: Settings, engine: Engine, row: PublishSchedule, *, actor: Identity, now: datetime,
               zone: ZoneInfo) -> list[int]:
    """Enqueue the run's publishes and note what was queued (or why not) on the schedule."""
    module = PublishModule(row.module)
    start, end = catch_up_range(now=now, zone=zone, days_back=row.days_back)
    with session_scope(engine) as session:
        requests = scheduled_requests(session, module=module, start=start, end=end,
                                      approved_only=row.approved_only)
    queued, notes = [], []
    try:
        for request in requests:
            queued.append(enqueue_publish(settings, engine, request, actor=actor, trigger=JobTrigger.SCHEDULED))
            notes.append(f"#{queued[-1]} {_scope(request)}")
    except ProcoreConnectError as refused:
        notes.append(f"not queued: {refused}")
    outcome = "; ".join(notes) or f"Nothing to publish: no job-site week from {start} to {end} is Approved on payroll."
    with session_scope(engine) as session:
        session.connection().execute(update(_SCHEDULES).where(_SCHEDULES.c.module == row.module).values(
            last_outcome=f"{now:%Y-%m-%d %H:%M} UTC: {outcome}"[:2000]))
    return queued


def _scope(request: PublishRequest) -> str:
    if request.entry_ids:
        return f"{request.action.value} {len(request.entry_ids)} failed entries"
    sites = f", {len(request.job_site_ids)} job sites" if request.job_site_ids is not None else ""
    return f"{request.action.value} {request.start}..{request.end}{sites}"


def _claim(engine: Engine, row: PublishSchedule, now: datetime) -> bool:
    """Move the schedule's last run to `now` unless another worker moved it first."""
    last = _SCHEDULES.c.last_run_at
    same = last.is_(None) if row.last_run_at is None else last == row.last_run_at
    with session_scope(engine) as session:
        moved = session.connection().execute(update(_SCHEDULES).where(
            _SCHEDULES.c.module == row.module, _SCHEDULES.c.active.is_(True), same).values(last_run_at=now))
    return moved.rowcount == 1


def _still_running(engine: Engine, module: str) -> bool:
    """A scheduled run of `module` is still queued or running: the next one waits for it."""
    with session_scope(engine) as session:
        return session.connection().execute(select(_JOBS.c.id).where(
            _JOBS.c.module == module, _JOBS.c.trigger == JobTrigger.SCHEDULED.value,
            _JOBS.c.state.in_(WAITING)).limit(1)).first() is not None


def _is_due(row: PublishSchedule, *, now: datetime, zone: ZoneInfo) -> bool:
    cadence = _cadence(row)
    return cadence is not None and next_run(cadence, last_run=row.last_run_at, now=now, zone=zone) <= now


def _cadence(row: PublishSchedule | None) -> Cadence | None:
    if row is None or (row.every_hours is None and row.daily_at is None):
        return None
    if row.every_hours is not None:
        return parse_cadence(every=f"{row.every_hours}h")
    return parse_cadence(daily=row.daily_at)


def _view(session: Session, module: PublishModule, row: PublishSchedule | None, *, now: datetime) -> ScheduleView:
    zone = company_zone(session)
    cadence = _cadence(row)
    active = row is not None and row.active and cadence is not None
    upcoming = next_run(cadence, last_run=row.last_run_at, now=now, zone=zone) \
        if active and row is not None and cadence is not None else None
    return ScheduleView(module=module, active=active, cadence=cadence,
                        days_back=row.days_back if row else DEFAULT_DAYS_BACK,
                        approved_only=bool(row and row.approved_only), zone=zone.key, next_run=upcoming,
                        last_run_at=row.last_run_at if row else None, last_outcome=row.last_outcome if row else "")


def _module(name: str) -> PublishModule:
    try:
        return definition(name).module
    except (ValueError, KeyError):
        known = ", ".join(module.value for module in PublishModule)
        raise ValidationError(f"'{name}' is not a module; give one of {known}.") from None


def _enabled_module(session: Session, name: str) -> PublishModule:
    module = _module(name)
    if module not in setup.state(session).modules:
        raise ValidationError(f"{definition(module).label} is not enabled; enable it on Administration > "
                              "Procore setup first.")
    return module


def _schedule_actor(engine: Engine) -> Identity:
    """Scheduled runs are requested by the schedule itself, with the Admin role's permissions."""
    with session_scope(engine) as session:
        return Identity(email=SCHEDULE_EMAIL, name="Schedule", role=ADMIN,
                        permissions=access.role_permissions(session, role_name=ADMIN))
