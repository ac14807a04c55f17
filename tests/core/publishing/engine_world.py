"""A demo time clock linked to the emulator's company by the two-way import, ready to publish."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

import httpx
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from core import setup
from core.access import Identity
from core.config import Settings
from core.db import session_scope
from core.models import JobSite, TimeLog
from core.models.publishing import PublishEntry, PublishModule, PublishStatus
from core.models.setup import SyncMode
from core.models.timeclock import TimeLogUpdate
from core.procore.client import ProcoreClient
from core.procore.connection import open_client
from core.publishing.engine import PublishRequest, RunReport, publish
from core.publishing.status import PublishAction
from core.sync.importer import run_import
from core.timeclock.edits import delete_time_log, update_time_log
from core.timeclock.rules import work_date

WEEK_START, WEEK_END = date(2026, 11, 16), date(2026, 11, 20)
_T = TypeVar("_T")


@dataclass
class Linked:
    """The linked world and shortcuts to publish and to look at both sides."""

    settings: Settings
    engine: Engine
    admin: Identity
    emulator_url: str
    company_id: int

    def client(self) -> ProcoreClient:
        return open_client(self.settings, self.engine, sleep=lambda _seconds: None)

    def publish(self, module: PublishModule, *, action: PublishAction = PublishAction.PUBLISH,
                start: date = WEEK_START, end: date = WEEK_END, sites: list[str] | None = None,
                dry_run: bool = False, actor: Identity | None = None, **kwargs: Any) -> RunReport:
        request = PublishRequest(module=module, start=start, end=end, action=action,
                                 job_site_ids=frozenset(self.site_ids(sites)) if sites else None)
        with self.client() as client:
            return publish(self.settings, self.engine, request, actor=actor or self.admin, dry_run=dry_run,
                           client=client, **kwargs)

    def site_ids(self, numbers: list[str]) -> list[int]:
        with Session(self.engine) as session:
            return [known(session.exec(select(JobSite.id).where(JobSite.number == number)).one())
                    for number in numbers]

    def entries(self, module: PublishModule, **where: Any) -> list[PublishEntry]:
        with Session(self.engine) as session:
            query = select(PublishEntry).where(PublishEntry.module == module)
            for name, value in where.items():
                query = query.where(getattr(PublishEntry, name) == value)
            return list(session.exec(query.order_by(col(PublishEntry.id))).all())

    def statuses(self, module: PublishModule) -> dict[PublishStatus, int]:
        counts: dict[PublishStatus, int] = {}
        for entry in self.entries(module):
            counts[PublishStatus(entry.status)] = counts.get(PublishStatus(entry.status), 0) + 1
        return counts

    def control(self, method: str, path: str, **body: Any) -> Any:
        response = httpx.request(method, f"{self.emulator_url}/_emulator/{path}", json=body or None, timeout=30)
        response.raise_for_status()
        return response.json()

    def remote(self, kind: str, project_id: int | None, start: date = WEEK_START, end: date = WEEK_END
               ) -> list[Any]:
        """Procore's live records of `kind` ("manpower", "quantity", "timecard") in a project.

        `project_id` is usually an entry's `procore_project_id`, which every published entry has.
        """
        assert project_id is not None, "no Procore project: the entry was never published"
        with self.client() as client:
            if kind == "manpower":
                return list(client.iter_manpower_logs(project_id=project_id, start=start, end=end))
            if kind == "quantity":
                return list(client.iter_quantity_logs(project_id=project_id, start=start, end=end))
            return list(client.iter_project_timecard_entries(project_id=project_id, start=start, end=end))


def link_world(settings: Settings, engine: Engine, admin: Identity, emulator_url: str, company_id: int,
               modules: frozenset[PublishModule]) -> Linked:
    """Two-way setup with `modules`, and the import run once (job sites, people, codes, payroll items)."""
    with session_scope(engine) as session:
        setup.set_active(session, active=True, actor=admin)
        setup.set_mode(session, mode=SyncMode.TWO_WAY, actor=admin)
        setup.set_modules(session, modules=modules, actor=admin)
    with open_client(settings, engine, sleep=lambda _seconds: None) as client:
        run_import(settings, engine, actor=admin, company_id=company_id, client=client)
    return Linked(settings, engine, admin, emulator_url, company_id)


def known(value: _T | None) -> _T:
    """`value`, which the test knows is set (a stored row's id, a published entry's Procore id)."""
    assert value is not None
    return value


def entry_ids(entries: Iterable[PublishEntry]) -> list[int]:
    """The ids of stored entries, in their order."""
    return [known(entry.id) for entry in entries]


def procore_ids(entries: Iterable[PublishEntry]) -> list[int]:
    """The Procore ids of published entries, sorted."""
    return sorted(known(entry.procore_id) for entry in entries)


def calls(linked: Linked) -> dict[str, int]:
    """Requests the emulator counted since its stats were cleared, per "METHOD /path/template"."""
    return {str(key): int(count) for key, count in linked.control("GET", "stats")["requests"].items()}


def calls_by_method(linked: Linked) -> dict[str, int]:
    counts: dict[str, int] = {}
    for key, count in calls(linked).items():
        method = key.split(" ", 1)[0]
        counts[method] = counts.get(method, 0) + count
    return counts


def source_logs(linked: Linked, entry: PublishEntry) -> list[TimeLog]:
    """The live time logs an entry aggregates (same key, clock-in on its work date at the job site)."""
    with Session(linked.engine) as session:
        site = session.get(JobSite, entry.job_site_id)
        assert site is not None
        query = select(TimeLog).where(TimeLog.job_site_id == entry.job_site_id, col(TimeLog.deleted_at).is_(None))
        for column in ("company_id", "crew_id", "employee_id", "pay_id_id", "cost_code_id"):
            value = getattr(entry, column)
            if value is not None:
                query = query.where(getattr(TimeLog, column) == value)
        logs = session.exec(query).all()
        return [log for log in logs if log.clock_out is not None
                and work_date(log.clock_in, site.time_zone) == entry.work_date]


def lengthen_break(linked: Linked, entry: PublishEntry, minutes: int = 30) -> None:
    """Change the source of `entry` the way a person would on Time logs: a longer break on one of its logs."""
    log = source_logs(linked, entry)[0]
    with session_scope(linked.engine) as session:
        update_time_log(session, log_id=known(log.id), changes=TimeLogUpdate(break_minutes=log.break_minutes + minutes),
                        actor=linked.admin)


def delete_source(linked: Linked, entry: PublishEntry) -> None:
    """Delete every time log of `entry` on Time logs."""
    for log in source_logs(linked, entry):
        with session_scope(linked.engine) as session:
            delete_time_log(session, log_id=known(log.id), actor=linked.admin)
