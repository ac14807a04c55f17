"""A small time clock to publish from, and a real mapping resolver over a dict."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pandas as pd
import pytest
from sqlmodel import Session, select

from core.models import (
    Company,
    CostCode,
    Crew,
    Employee,
    JobSite,
    PayClass,
    PayID,
    ProductionQuantity,
    PublishEntry,
    PublishModule,
    TimeLog,
)
from core.models.ids import saved_id
from core.publishing import claim_entries, record_published, refresh_entries
from core.publishing.entries import RefreshReport

MON = date(2026, 11, 16)
CHICAGO_OFFSET = timedelta(hours=6)  # CST in November


class ProjectMapping:
    """Job site id → Procore project id, as Data mapping will store it; unmapped sites are named in a reason."""

    def __init__(self, names: dict[int, str], projects: dict[int, int] | None = None) -> None:
        self.names = names
        self.projects = dict(projects or {})

    def __call__(self, module: PublishModule, keys: pd.DataFrame) -> Sequence[list[str]]:
        return [
            [] if site in self.projects else [f"Job site {self.names[site]} is not mapped to a Procore project"]
            for site in keys["job_site_id"].tolist()
        ]


class World:
    """One company and crew, two employees, one Chicago job site, REG and OT, two cost codes."""

    def __init__(self, session: Session) -> None:
        self.session = session
        company = Company(name="Northwind Builders", number="NWB", is_own=True)
        site = JobSite(name="Bayfront Hotel", number="1007", time_zone="America/Chicago")
        reg, ot = PayID(code="REG", name="Regular"), PayID(code="OT", name="Overtime")
        foreman = PayClass(number="F", name="Foreman")
        session.add_all([company, site, reg, ot, foreman])
        session.flush()
        crew = Crew(name="Framing", company_id=saved_id(company))
        concrete = CostCode(code="03-300", name="Concrete", unit_of_measure="CY")
        framing = CostCode(code="06-100", name="Framing", unit_of_measure="HR")
        ann = Employee(first_name="Ann", last_name="Lee", number="E1", company_id=saved_id(company),
                       pay_class_id=foreman.id)
        bob = Employee(first_name="Bob", last_name="Ray", number="E2", company_id=saved_id(company))
        session.add_all([crew, concrete, framing, ann, bob])
        session.commit()
        self.ids: dict[str, int] = {
            "company": saved_id(company), "site": saved_id(site), "REG": saved_id(reg), "OT": saved_id(ot),
            "foreman": saved_id(foreman), "crew": saved_id(crew), "concrete": saved_id(concrete),
            "framing": saved_id(framing), "ann": saved_id(ann), "bob": saved_id(bob),
        }
        self.mapping = ProjectMapping({site.id: "1007 Bayfront Hotel"}, {site.id: 5001})  # type: ignore[dict-item]
        self._procore_ids = itertools.count(900_001)

    def log(self, employee: str = "ann", *, day: date = MON, start_hour: float = 7, hours: float = 8,
            pay: str = "REG", code: str = "concrete", break_minutes: int = 0) -> TimeLog:
        clock_in = datetime.combine(day, datetime.min.time(), tzinfo=UTC) + CHICAGO_OFFSET + timedelta(hours=start_hour)
        log = TimeLog(
            employee_id=self.ids[employee], job_site_id=self.ids["site"], pay_id_id=self.ids[pay],
            company_id=self.ids["company"], crew_id=self.ids["crew"], cost_code_id=self.ids[code],
            pay_class_id=self.ids["foreman"], clock_in=clock_in, clock_out=clock_in + timedelta(hours=hours),
            break_minutes=break_minutes,
        )
        self.session.add(log)
        self.session.commit()
        return log

    def quantity(self, units: str, *, day: date = MON, unit: str = "CY") -> ProductionQuantity:
        row = ProductionQuantity(job_site_id=self.ids["site"], cost_code_id=self.ids["concrete"], date=day,
                                 unit_of_measure=unit, units=Decimal(units))
        self.session.add(row)
        self.session.commit()
        return row

    def edit(self, row: Any, **changes: Any) -> None:
        for name, value in changes.items():
            setattr(row, name, value)
        self.session.add(row)
        self.session.commit()

    def delete(self, row: Any) -> None:
        self.edit(row, deleted_at=datetime.now(UTC))

    def refresh(self, module: PublishModule, *, resolver: Any = "mapped") -> RefreshReport:
        report = refresh_entries(self.session, module=module, start=MON, end=MON + timedelta(days=6),
                                 resolver=self.mapping if resolver == "mapped" else resolver)
        self.session.commit()
        return report

    def entries(self, module: PublishModule) -> list[PublishEntry]:
        query = select(PublishEntry).where(PublishEntry.module == module).order_by(PublishEntry.natural_key)
        return list(self.session.exec(query).all())

    def publish(self, entries: list[PublishEntry]) -> None:
        """A publisher that Procore always accepts: claim, write, record."""
        token = f"test-{next(self._procore_ids)}"
        for entry_id in claim_entries(self.session, entry_ids=[e.id for e in entries], token=token):  # type: ignore[misc]
            entry = self.session.get(PublishEntry, entry_id, populate_existing=True)
            assert entry is not None
            procore_id = entry.procore_id or next(self._procore_ids)
            record_published(self.session, entry_id=entry_id, token=token, procore_id=procore_id,
                             procore_project_id=5001, sent_values=dict(entry.values))
        self.session.commit()


@pytest.fixture
def world(session: Session) -> World:
    return World(session)


@pytest.fixture
def make_world() -> type[World]:
    """The World class, for tests that build their own databases (property tests)."""
    return World
