"""Incremental refresh leaves exactly the entries a full recompute would, whatever changed in between.

Random sequences of imports (time logs and quantities), edits, moves to another
job site or day, deletes, mapping changes, renamed job sites and employees, new
job-site time zones and publishes, each through the writers the pages and the
two-way import use, with refreshes of random windows in between. After each
refresh, a full recompute of the same window must change nothing: same keys,
values, statuses and reasons. Runs on the suite's database (PostgreSQL when
DATABASE_URL names one).
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

import pandas as pd
import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, precondition, rule, run_state_machine_as_test
from sqlalchemy import delete, event, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from core.access import Identity
from core.errors import ValidationError
from core.models import (
    Company,
    CostCode,
    DirtyDay,
    Employee,
    JobSite,
    PayID,
    ProductionQuantity,
    PublishAttempt,
    PublishEntry,
    PublishModule,
    PublishStatus,
    RefreshedDay,
    TimeLog,
)
from core.models.ids import saved_id
from core.models.timeclock import TimeLogUpdate
from core.publishing import claim_entries, record_published, refresh_entries
from core.publishing.incremental import refresh_changed, refresh_modules_changed
from core.sync.import_records import StepReport, apply_values
from core.timeclock.csv_import import import_production_quantities, import_time_logs
from core.timeclock.csv_reading import CsvImportError
from core.timeclock.dirty import forget_refreshed
from core.timeclock.edits import delete_time_log, update_time_log
from tests.core.publishing.figures_check import disagreeing

MON = date(2026, 11, 16)
SITES = ["1007", "1008"]  # Chicago and Los Angeles: a move changes the local work date of a late clock-in
EMPLOYEES = ["E1", "E2"]
WINDOWS = [(0, 6), (0, 6), (1, 1), (-1, 2)]  # days after MON: mostly the week, sometimes a day or a span across
MODULES = [PublishModule.TIMECARD, PublishModule.MANPOWER, PublishModule.QUANTITY]
LOG_HEADER = "employee_number,job_site_number,cost_code,pay_id,clock_in,clock_out,break_minutes,crew\n"
QUANTITY_HEADER = "job_site_number,cost_code,date,units\n"
ZONES = ["America/Chicago", "America/Los_Angeles", "Asia/Tokyo"]
_CLEARED = [PublishAttempt, PublishEntry, DirtyDay, RefreshedDay, TimeLog, ProductionQuantity]


def _reference_data(session: Session) -> dict[str, int]:
    company = Company(name="Northwind Builders", number="NWB", is_own=True)
    sites = [JobSite(name="Bayfront Hotel", number="1007", time_zone="America/Chicago"),
             JobSite(name="Harbor Tower", number="1008", time_zone="America/Los_Angeles")]
    session.add_all([company, *sites, PayID(code="REG", name="Regular"), PayID(code="OT", name="Overtime"),
                     CostCode(code="03-300", name="Concrete", unit_of_measure="CY")])
    session.flush()
    session.add_all([Employee(first_name="Ann", last_name="Lee", number="E1", company_id=saved_id(company)),
                     Employee(first_name="Bob", last_name="Ray", number="E2", company_id=saved_id(company))])
    session.commit()
    return {site.number: saved_id(site) for site in sites}


class NamedMapping:
    """Job site id → Procore project id; an unmapped site's reason names it and the employee as stored now."""

    def __init__(self, session: Session, projects: dict[int, int]) -> None:
        self.session, self.projects = session, dict(projects)

    def __call__(self, module: PublishModule, keys: pd.DataFrame) -> Sequence[list[str]]:
        sites = {site.id: f"{site.number} {site.name}" for site in self.session.exec(select(JobSite))}
        people = {person.id: f" ({person.first_name} {person.last_name})"
                  for person in self.session.exec(select(Employee))}
        employees = keys["employee_id"].astype(object).where(keys["employee_id"].notna(), None).tolist()
        return [[] if site in self.projects else [f"Job site {sites[site]} is not mapped{people.get(person, '')}"]
                for site, person in zip(keys["job_site_id"].tolist(), employees, strict=True)]


def _snapshot(session: Session, module: PublishModule, start: date, end: date,
              job_site_ids: set[int] | None = None) -> list[tuple[Any, ...]]:
    """What a person sees of each entry of the window (of `job_site_ids`): key, values, status, reasons, removal."""
    query = select(PublishEntry).where(col(PublishEntry.module) == module, col(PublishEntry.work_date) >= start,
                                       col(PublishEntry.work_date) <= end).order_by(col(PublishEntry.natural_key))
    if job_site_ids is not None:
        query = query.where(col(PublishEntry.job_site_id).in_(job_site_ids))
    return [(e.natural_key, e.fingerprint, e.status, list(e.reasons), e.source_removed_at is None, e.release_status)
            for e in session.exec(query)]


def _machine(engine: Engine, admin: Identity, site_ids: dict[str, int]) -> type[RuleBasedStateMachine]:
    class IncrementalRefresh(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.session = Session(engine, expire_on_commit=False)
            for model in _CLEARED:
                self.session.execute(delete(model))
            for number, zone in zip(SITES, ZONES, strict=False):  # what earlier examples imported is undone
                self.session.execute(update(JobSite).where(col(JobSite.number) == number).values(
                    time_zone=zone, name=f"Site {number}"))
            self.session.execute(update(Employee).values(last_name="Lee"))
            self.session.commit()
            self.mapping = NamedMapping(self.session, {site_ids["1007"]: 5001})
            self.names = itertools.count()
            self.procore_ids = itertools.count(900_001)

        def teardown(self) -> None:
            self.session.close()

        def live_logs(self) -> list[int]:
            query = select(col(TimeLog.id)).where(col(TimeLog.deleted_at).is_(None)).order_by(col(TimeLog.id))
            return [int(log_id) for log_id in self.session.exec(query) if log_id is not None]

        def write(self, change: Any) -> None:
            """Run one writer in its own transaction; a change the time clock refuses changes nothing."""
            try:
                change()
                self.session.commit()
            except (CsvImportError, ValidationError):
                self.session.rollback()

        @rule(employee=st.sampled_from(EMPLOYEES), site=st.sampled_from(SITES), day=st.integers(0, 3),
              hour=st.sampled_from([1, 7, 20]), hours=st.sampled_from([2, 8]), pay=st.sampled_from(["REG", "OT"]))
        def import_log(self, employee: str, site: str, day: int, hour: int, hours: int, pay: str) -> None:
            clock_in = f"{MON + timedelta(days=day)} {hour:02d}:00"
            clock_out = f"{MON + timedelta(days=day + (hour + hours) // 24)} {(hour + hours) % 24:02d}:00"
            row = f"{employee},{site},03-300,{pay},{clock_in},{clock_out},0,\n"
            self.write(lambda: import_time_logs(self.session, data=LOG_HEADER + row, actor=admin))

        @rule(site=st.sampled_from(SITES), day=st.integers(0, 6), units=st.sampled_from(["1", "2.5"]))
        def import_quantity(self, site: str, day: int, units: str) -> None:
            row = f"{site},03-300,{MON + timedelta(days=day)},{units}\n"
            self.write(lambda: import_production_quantities(self.session, data=QUANTITY_HEADER + row, actor=admin))

        @precondition(lambda self: self.live_logs())
        @rule(data=st.data(), hours=st.sampled_from([1, 5]))
        def edit_hours(self, data: st.DataObject, hours: int) -> None:
            log = self.session.get(TimeLog, data.draw(st.sampled_from(self.live_logs())))
            assert log is not None
            changes = TimeLogUpdate(clock_out=log.clock_in + timedelta(hours=hours))
            self.write(lambda: update_time_log(self.session, log_id=saved_id(log), changes=changes, actor=admin))

        @precondition(lambda self: self.live_logs())
        @rule(data=st.data(), site=st.sampled_from(SITES), days=st.integers(-2, 2))
        def move(self, data: st.DataObject, site: str, days: int) -> None:
            log = self.session.get(TimeLog, data.draw(st.sampled_from(self.live_logs())))
            assert log is not None
            assert log.clock_out is not None
            shift = timedelta(days=days)
            changes = TimeLogUpdate(job_site_id=site_ids[site], clock_in=log.clock_in + shift,
                                    clock_out=log.clock_out + shift)
            self.write(lambda: update_time_log(self.session, log_id=saved_id(log), changes=changes, actor=admin))

        @precondition(lambda self: self.live_logs())
        @rule(data=st.data())
        def delete(self, data: st.DataObject) -> None:
            log_id = data.draw(st.sampled_from(self.live_logs()))
            self.write(lambda: delete_time_log(self.session, log_id=log_id, actor=admin))

        @rule(site=st.sampled_from(SITES))
        def toggle_mapping(self, site: str) -> None:
            """Map or unmap a job site, as Data mapping does (its link writers forget what was refreshed)."""
            site_id = site_ids[site]
            if self.mapping.projects.pop(site_id, None) is None:
                self.mapping.projects[site_id] = 5000 + site_id
            self.write(lambda: forget_refreshed(self.session))

        @rule(site=st.sampled_from(SITES), zone=st.sampled_from(ZONES))
        def change_time_zone(self, site: str, zone: str) -> None:
            """Procore's project has another time zone: the two-way import writes it (moving work dates)."""
            self.import_values(JobSite, site_ids[site], {"time_zone": zone}, "job sites")

        @rule(site=st.sampled_from(SITES))
        def rename_site(self, site: str) -> None:
            self.import_values(JobSite, site_ids[site], {"name": f"Site {next(self.names)}"}, "job sites")

        @rule(employee=st.sampled_from(EMPLOYEES))
        def rename_employee(self, employee: str) -> None:
            person = self.session.exec(select(Employee).where(Employee.number == employee)).one()
            self.import_values(Employee, saved_id(person), {"last_name": f"Doe {next(self.names)}"}, "employees")

        def import_values(self, model: Any, record_id: int, values: dict[str, Any], list_name: str) -> None:
            """Write `values` as the two-way import does, through its change gate."""
            record = self.session.get(model, record_id)
            assert record is not None
            self.write(lambda: apply_values(self.session, record, values, StepReport(name=list_name), created=False))

        @rule(module=st.sampled_from(MODULES))
        def publish(self, module: PublishModule) -> None:
            """Procore accepts every entry to do: they become Published (and later Updated or Deleted)."""
            query = select(col(PublishEntry.id)).where(col(PublishEntry.module) == module,
                                                       col(PublishEntry.status) == PublishStatus.TO_DO)
            to_do = [int(entry_id) for entry_id in self.session.exec(query) if entry_id is not None]
            for entry_id in claim_entries(self.session, entry_ids=to_do, token="t"):
                entry = self.session.get(PublishEntry, entry_id, populate_existing=True)
                assert entry is not None
                record_published(self.session, entry_id=entry_id, token="t",
                                 procore_id=entry.procore_id or next(self.procore_ids), procore_project_id=5001,
                                 sent_values=dict(entry.values))
            self.session.commit()

        @rule(module=st.sampled_from(MODULES), window=st.sampled_from(WINDOWS))
        def refresh(self, module: PublishModule, window: tuple[int, int]) -> None:
            start, end = (MON + timedelta(days=offset) for offset in window)
            refresh_changed(self.session, module=module, start=start, end=end, job_site_ids=None,
                            resolver=self.mapping)
            self.session.commit()
            self.check(module, start, end)

        @rule(module=st.sampled_from(MODULES), window=st.sampled_from(WINDOWS), site=st.sampled_from(SITES))
        def refresh_one_site(self, module: PublishModule, window: tuple[int, int], site: str) -> None:
            """A publish of selected job sites (or of one job-site day) refreshes those job sites only."""
            start, end = (MON + timedelta(days=offset) for offset in window)
            refresh_changed(self.session, module=module, start=start, end=end, job_site_ids={site_ids[site]},
                            resolver=self.mapping)
            self.session.commit()
            self.check(module, start, end, {site_ids[site]})

        @rule(window=st.sampled_from(WINDOWS))
        def refresh_all(self, window: tuple[int, int]) -> None:
            """Every module at once, the time logs read once for all (a full recompute's way)."""
            start, end = (MON + timedelta(days=offset) for offset in window)
            refresh_modules_changed(self.session, modules=MODULES, start=start, end=end,
                                    resolver=lambda _module: self.mapping)
            self.session.commit()
            for module in MODULES:
                self.check(module, start, end)

        def check(self, module: PublishModule, start: date, end: date, job_site_ids: set[int] | None = None) -> None:
            """A full recompute of the window (of `job_site_ids`) changes nothing."""
            incremental = _snapshot(self.session, module, start, end, job_site_ids)
            full = refresh_entries(self.session, module=module, start=start, end=end, job_site_ids=job_site_ids,
                                   resolver=self.mapping)
            recomputed = _snapshot(self.session, module, start, end, job_site_ids)
            self.session.rollback()
            assert recomputed == incremental
            assert (full.created, full.changed, full.removed, full.source_gone) == (0, 0, 0, 0)
            assert disagreeing(self.session.connection()) == []  # the calendar's figure columns follow the values

    return IncrementalRefresh


# 30 sequences of up to 20 steps in the suite (about 10 s); set HYPOTHESIS_EXAMPLES for a longer search.
EXAMPLES = int(os.environ.get("HYPOTHESIS_EXAMPLES", "30"))


def test_incremental_refresh_equals_a_full_recompute(engine: Engine, session: Session, admin: Identity) -> None:
    machine = _machine(engine, admin, _reference_data(session))
    run_state_machine_as_test(  # type: ignore[no-untyped-call]
        machine, settings=settings(max_examples=EXAMPLES, stateful_step_count=20, deadline=None, database=None),
    )


@pytest.mark.parametrize(("list_name", "values", "reason"), [
    ("job sites", {"name": "Harbor Tower East"}, "Job site 1008 Harbor Tower East is not mapped (Ann Lee)"),
    ("employees", {"last_name": "Doe"}, "Job site 1008 Harbor Tower is not mapped (Ann Doe)"),
], ids=["job site renamed", "employee renamed"])
def test_the_next_refresh_names_what_the_import_renamed(
    session: Session, admin: Identity, list_name: str, values: dict[str, str], reason: str
) -> None:
    site_ids = _reference_data(session)
    mapping = NamedMapping(session, {})
    row = f"E1,1008,03-300,REG,{MON} 07:00,{MON} 15:00,0,\n"
    import_time_logs(session, data=LOG_HEADER + row, actor=admin)
    refresh_changed(session, module=PublishModule.TIMECARD, start=MON, end=MON, job_site_ids=None, resolver=mapping)
    model: Any = JobSite if list_name == "job sites" else Employee
    record = session.get(model, site_ids["1008"]) if model is JobSite else session.exec(select(Employee)).first()
    assert record is not None
    apply_values(session, record, values, StepReport(name=list_name), created=False)

    refresh_changed(session, module=PublishModule.TIMECARD, start=MON, end=MON, job_site_ids=None, resolver=mapping)

    assert [reasons for *_, reasons, _, _ in _snapshot(session, PublishModule.TIMECARD, MON, MON)] == [[reason]]


def test_refreshing_every_module_at_once_reads_the_time_logs_once(session: Session, admin: Identity) -> None:
    _reference_data(session)
    rows = "".join(f"{person},1008,03-300,REG,{MON} 07:00,{MON} 15:00,0,\n" for person in EMPLOYEES)
    import_time_logs(session, data=LOG_HEADER + rows, actor=admin)
    session.commit()
    reads: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        reads.extend([statement] if statement.lstrip().upper().startswith("SELECT") and "FROM time_log" in statement
                     else [])

    engine = session.connection().engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        reports = refresh_modules_changed(session, modules=MODULES, start=MON, end=MON + timedelta(days=6),
                                          resolver=lambda _module: None)
    finally:
        event.remove(engine, "before_cursor_execute", count)

    assert [(report.module, report.created) for report in reports] == [
        (PublishModule.TIMECARD, 2), (PublishModule.MANPOWER, 1), (PublishModule.QUANTITY, 0)]
    assert len(reads) == 1


def test_a_refresh_of_one_job_site_recomputes_its_changed_days_only(session: Session, admin: Identity) -> None:
    """A publish of selected job sites refreshes them: after the week was computed whole, only the days edited
    since are compared, and another job site's edit is left for the refresh that covers it."""
    site_ids = _reference_data(session)
    hours = {"1007": ("07:00", "11:00"), "1008": ("12:00", "16:00")}
    rows = "".join(f"{person},{site},03-300,REG,{MON + timedelta(days=day)} {hours[site][0]},"
                   f"{MON + timedelta(days=day)} {hours[site][1]},0,\n"
                   for person in EMPLOYEES for site in SITES for day in range(5))
    import_time_logs(session, data=LOG_HEADER + rows, actor=admin)
    week = {"module": PublishModule.TIMECARD, "start": MON, "end": MON + timedelta(days=6), "resolver": None}
    assert refresh_changed(session, job_site_ids=None, **week).created == 20  # type: ignore[arg-type]
    logs = {(log.job_site_id, log.clock_in.date()): log for log in session.exec(select(TimeLog))}
    for site in SITES:
        log = logs[(site_ids[site], MON)]
        update_time_log(session, log_id=saved_id(log), actor=admin,
                        changes=TimeLogUpdate(clock_out=log.clock_in + timedelta(hours=4.5)))

    report = refresh_changed(session, job_site_ids={site_ids["1008"]}, **week)  # type: ignore[arg-type]

    # The edit marks every local date its UTC clock-in can have at 1008 (Monday, Tuesday): their four entries only
    assert (report.changed, report.unchanged, report.created) == (1, 3, 0)
    assert refresh_changed(session, job_site_ids=None, **week).changed == 1  # type: ignore[arg-type]  # 1007's edit
