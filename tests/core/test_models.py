from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from core.models import Company, CostCode, Employee, JobSite, PayID, ProductionQuantity, TimeLog
from core.models.ids import saved_id


def _world(session: Session) -> dict[str, int]:
    company = Company(name="Acme", number="ACM")
    site = JobSite(name="Main St", number="1", time_zone="America/Chicago")
    pay = PayID(code="REG", name="Regular")
    session.add_all([company, site, pay])
    session.flush()
    employee = Employee(first_name="Ann", last_name="Lee", number="E1", company_id=saved_id(company))
    session.add(employee)
    session.flush()
    return {"company": saved_id(company), "site": saved_id(site), "pay": saved_id(pay), "employee": saved_id(employee)}


def _log(ids: dict[str, int], **overrides: Any) -> TimeLog:
    start = datetime(2026, 11, 2, 13, tzinfo=UTC)
    values: dict[str, Any] = {
        "employee_id": ids["employee"], "job_site_id": ids["site"], "pay_id_id": ids["pay"],
        "company_id": ids["company"], "clock_in": start, "clock_out": start + timedelta(hours=8),
    }
    values.update(overrides)
    return TimeLog(**values)


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda ids: Company(name="Other", number="ACM"), id="company number unique"),
        pytest.param(lambda ids: JobSite(name="Other", number="1", time_zone="UTC"), id="job site number unique"),
        pytest.param(lambda ids: PayID(code="REG", name="Again"), id="pay id code unique"),
        pytest.param(lambda ids: Employee(first_name="B", last_name="C", number="E1", company_id=ids["company"]),
                     id="employee number unique"),
        pytest.param(lambda ids: Employee(first_name="B", last_name="C", number="E2", company_id=999),
                     id="employee company must exist"),
        pytest.param(lambda ids: _log(ids, clock_out=datetime(2026, 11, 2, 12, tzinfo=UTC)),
                     id="clock-out after clock-in"),
        pytest.param(lambda ids: _log(ids, break_minutes=-1), id="break not negative"),
        pytest.param(lambda ids: _log(ids, employee_id=999), id="time log employee must exist"),
    ],
)
def test_constraints_refuse_bad_rows(session: Session, make) -> None:  # type: ignore[no-untyped-def]
    ids = _world(session)
    session.commit()
    session.add(make(ids))
    with pytest.raises(IntegrityError):
        session.commit()


def test_standard_cost_code_is_unique_but_sites_may_reuse_a_code(session: Session) -> None:
    ids = _world(session)
    other = JobSite(name="Elm St", number="2", time_zone="America/Denver")
    session.add(other)
    session.flush()
    session.add_all([
        CostCode(code="03-300", name="Concrete"),
        CostCode(code="03-300", name="Concrete on Main", job_site_id=ids["site"]),
        CostCode(code="03-300", name="Concrete on Elm", job_site_id=other.id),
    ])
    session.commit()
    session.add(CostCode(code="03-300", name="Concrete again"))
    with pytest.raises(IntegrityError):
        session.commit()


def test_instants_come_back_aware_in_utc_and_naive_ones_are_refused(session: Session) -> None:
    ids = _world(session)
    log = _log(ids, clock_in=datetime(2026, 11, 2, 7, tzinfo=UTC) + timedelta(hours=6))
    session.add(log)
    session.commit()
    session.expire_all()
    stored = session.exec(select(TimeLog)).one()
    assert stored.clock_in == datetime(2026, 11, 2, 13, tzinfo=UTC)
    assert stored.clock_in.tzinfo is not None
    session.add(_log(ids, clock_in=datetime(2026, 11, 3, 7)))  # noqa: DTZ001 - the point of the test
    with pytest.raises(Exception, match="naive datetime"):
        session.commit()


def test_production_quantity_keeps_decimal_units(session: Session) -> None:
    ids = _world(session)
    code = CostCode(code="03-300", name="Concrete", unit_of_measure="CY")
    session.add(code)
    session.flush()
    day = datetime(2026, 11, 2).date()  # noqa: DTZ001
    session.add(ProductionQuantity(job_site_id=ids["site"], cost_code_id=saved_id(code), date=day,
                                   unit_of_measure="CY", units=Decimal("12.5")))
    session.commit()
    session.expire_all()
    assert session.exec(select(ProductionQuantity)).one().units == Decimal("12.5")
