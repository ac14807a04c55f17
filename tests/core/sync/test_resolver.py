from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import select as sa_select
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from core import setup
from core.access import Identity
from core.config import Settings
from core.models import Company, CostCode, Employee, JobSite, PayClass, PayID, TimeLog
from core.models.mapping import Entity, ProcoreRecord
from core.models.setup import SyncMode
from core.procore.connection import open_client
from core.setup import Module
from core.sync import auto_mapping
from core.sync.importer import run_import
from core.sync.lists import records
from core.sync.resolver import Resolution, mapping_reasons, resolve, resolve_batch
from tests.core.sync.test_lists import control, map_site, one_way, sync  # noqa: F401 - the fixture
from tests.statements import statements_run

LISTS = (Entity.JOB_SITE, Entity.COMPANY, Entity.EMPLOYEE, Entity.PAY_CLASS, Entity.PAY_ID)


@pytest.fixture
def mapped(settings: Settings, engine: Engine, one_way: int, admin: Identity) -> int:  # noqa: F811
    """Everything auto-mapped that can be: projects, employees, classifications, payroll types, cost codes."""
    sync(settings, engine, one_way, admin, *LISTS)
    with Session(engine) as session:
        for entity in (Entity.JOB_SITE, Entity.EMPLOYEE, Entity.PAY_CLASS, Entity.PAY_ID):
            auto_mapping.auto_map(session, company_id=one_way, entity=entity, actor=admin)
        session.commit()
    sync(settings, engine, one_way, admin, Entity.COST_CODE)
    with Session(engine) as session:
        auto_mapping.auto_map(session, company_id=one_way, entity=Entity.COST_CODE, actor=admin)
        session.commit()
    return one_way


def _id(session: Session, model: type, column: str, value: str) -> int:
    return int(session.exec(select(model.id).where(getattr(model, column) == value)).one())  # type: ignore[attr-defined]


def _project(session: Session, company: int, number: str) -> int:
    return next(r.procore_id for r in records(session, company_id=company, entity=Entity.JOB_SITE)
                if r.number == number)


def _employee_name(session: Session, number: str) -> str:
    return session.exec(select(Employee).where(Employee.number == number)).one().full_name


def test_a_mapped_record_resolves_to_its_procore_id(session: Session, mapped: int) -> None:
    site = _id(session, JobSite, "number", "1001")
    assert resolve(session, company_id=mapped, entity=Entity.JOB_SITE, local_id=site) == Resolution(
        _project(session, mapped, "1001"), None)
    code = _id(session, CostCode, "code", "03-300")
    found = resolve(session, company_id=mapped, entity=Entity.COST_CODE, local_id=code,
                    project_id=_project(session, mapped, "1002"))
    assert found.ok
    assert found.reason is None


def test_each_kind_of_missing_mapping_has_a_reason_naming_the_record_and_the_fix(session: Session, mapped: int) -> None:
    harbor = _project(session, mapped, "1002")
    cases = [
        (Entity.JOB_SITE, _id(session, JobSite, "number", "1007"), None,
         "Job site 1007 Bayfront Hotel is not mapped to a Procore project (Data mapping > Projects)"),
        (Entity.EMPLOYEE, _id(session, Employee, "number", "10007"), None,
         f"Employee 10007 {_employee_name(session, '10007')} is not mapped to a Procore person "
         "(Data mapping > Employees)"),
        (Entity.COMPANY, _id(session, Company, "number", "EVG"), None,
         "Company EVG Evergreen Drywall is not mapped to a Procore vendor (Data mapping > Vendors)"),
        (Entity.PAY_CLASS, _id(session, PayClass, "number", "APPR"), harbor,
         "Pay class APPR Apprentice is not mapped to a Procore classification (Data mapping > Classifications)"),
        (Entity.PAY_ID, _id(session, PayID, "code", "TRV"), None,
         "Pay ID TRV Travel is not mapped to a Procore payroll type (Data mapping > Payroll types)"),
        (Entity.COST_CODE, _id(session, CostCode, "code", "26-050"), harbor,
         "Cost code 26-050 Electrical Rough-In is not mapped for project 1002 Harbor Point Apartments "
         "(Data mapping > Cost codes)"),
    ]
    for entity, local_id, project_id, reason in cases:
        assert resolve(session, company_id=mapped, entity=entity, local_id=local_id, project_id=project_id) == \
            Resolution(None, reason), entity


def test_a_record_gone_from_procore_makes_its_mapping_broken(
    settings: Settings, engine: Engine, mapped: int, admin: Identity, emulator_url: str
) -> None:
    control(emulator_url, "POST", "reset", employees=30)
    sync(settings, engine, mapped, admin, Entity.EMPLOYEE)
    with Session(engine) as session:
        employee = _id(session, Employee, "number", "10040")
        found = resolve(session, company_id=mapped, entity=Entity.EMPLOYEE, local_id=employee)
        assert found == Resolution(None, f"Employee 10040 {_employee_name(session, '10040')}'s Procore person no "
                                         "longer exists in Procore (mapping broken: map it again on Data mapping > "
                                         "Employees)")


def test_a_classification_limited_to_other_projects_is_refused_on_this_one(session: Session, mapped: int) -> None:
    harbor, riverside = _project(session, mapped, "1002"), _project(session, mapped, "1001")
    laborer = next(r for r in records(session, company_id=mapped, entity=Entity.PAY_CLASS) if r.number == "LAB")
    laborer.data = {"project_ids": [riverside]}  # as Procore reports a classification limited to some projects
    session.add(laborer)
    pay_class = _id(session, PayClass, "number", "LAB")
    assert resolve(session, company_id=mapped, entity=Entity.PAY_CLASS, local_id=pay_class, project_id=riverside).ok
    assert resolve(session, company_id=mapped, entity=Entity.PAY_CLASS, local_id=pay_class,
                   project_id=harbor).reason == (
        "Pay class LAB Laborer's Procore classification LAB · Laborer cannot be used on project 1002 Harbor Point "
        "Apartments; allow it on that project in Procore, or map another one (Data mapping > Classifications).")


def test_a_record_deleted_here_is_named_by_id(session: Session, mapped: int) -> None:
    assert resolve(session, company_id=mapped, entity=Entity.JOB_SITE, local_id=999_999).reason == (
        "Job site with id 999999 does not exist in the time clock (it was deleted); correct the time logs that use it.")


def test_resolve_batch_is_dict_in_dict_out(session: Session, mapped: int) -> None:
    sites = {n: _id(session, JobSite, "number", n) for n in ("1001", "1007")}
    found = resolve_batch(session, company_id=mapped, wanted={Entity.JOB_SITE: [(sites["1001"], None),
                                                                                   (sites["1007"], None)]})
    assert found[Entity.JOB_SITE][(sites["1001"], None)].ok
    assert not found[Entity.JOB_SITE][(sites["1007"], None)].ok


def test_mapping_reasons_lists_every_reason_per_entry(session: Session, mapped: int) -> None:
    site = {n: _id(session, JobSite, "number", n) for n in ("1001", "1002", "1007")}
    code = {c: _id(session, CostCode, "code", c) for c in ("03-300", "26-050")}
    pay = {c: _id(session, PayID, "code", c) for c in ("REG", "TRV")}
    person = {n: _id(session, Employee, "number", n) for n in ("10001", "10007")}
    keys = pd.DataFrame({
        "job_site_id": [site["1001"], site["1002"], site["1007"], site["1001"]],
        "work_date": ["2026-11-20"] * 4,
        "employee_id": [person["10001"], person["10001"], person["10001"], person["10007"]],
        "pay_id_id": [pay["REG"], pay["TRV"], pay["REG"], pay["REG"]],
        "cost_code_id": [code["03-300"], code["26-050"], code["26-050"], None],
        "pay_class_id": [None, None, None, None],
        "company_id": [None] * 4,
    }, index=[10, 11, 12, 13]).astype({c: "Int64" for c in ("job_site_id", "employee_id", "pay_id_id",
                                                             "cost_code_id", "pay_class_id", "company_id")})
    reasons = mapping_reasons(session, company_id=mapped, module=Module.TIMECARD, keys=keys)
    assert list(reasons.index) == [10, 11, 12, 13]
    assert reasons[10] == []
    assert reasons[11] == [
        "Cost code 26-050 Electrical Rough-In is not mapped for project 1002 Harbor Point Apartments "
        "(Data mapping > Cost codes)",
        "Pay ID TRV Travel is not mapped to a Procore payroll type (Data mapping > Payroll types)"]
    # an unmapped job site is the reason; its cost codes cannot be judged before it is mapped
    assert reasons[12] == ["Job site 1007 Bayfront Hotel is not mapped to a Procore project (Data mapping > Projects)"]
    assert reasons[13] == [f"Employee 10007 {_employee_name(session, '10007')} is not mapped to a Procore person "
                           "(Data mapping > Employees)"]


def test_mapping_reasons_checks_only_what_the_module_publishes(session: Session, mapped: int) -> None:
    keys = pd.DataFrame({"job_site_id": [_id(session, JobSite, "number", "1001")],
                         "company_id": [_id(session, Company, "number", "EVG")],
                         "pay_id_id": [_id(session, PayID, "code", "TRV")]}).astype("Int64")
    manpower = mapping_reasons(session, company_id=mapped, module="manpower", keys=keys)
    assert manpower.tolist() == [["Company EVG Evergreen Drywall is not mapped to a Procore vendor "
                                  "(Data mapping > Vendors)"]]
    quantity = mapping_reasons(session, company_id=mapped, module=Module.QUANTITY, keys=keys)
    assert quantity.tolist() == [[]]


def _time_log_keys(session: Session, limit: int | None) -> pd.DataFrame:
    # SQLAlchemy's own select: SQLModel's is typed for at most four columns.
    query = sa_select(col(TimeLog.job_site_id), col(TimeLog.company_id), col(TimeLog.employee_id),
                      col(TimeLog.cost_code_id), col(TimeLog.pay_id_id), col(TimeLog.pay_class_id)).limit(limit)
    rows = session.execute(query).all()
    columns = ["job_site_id", "company_id", "employee_id", "cost_code_id", "pay_id_id", "pay_class_id"]
    return pd.DataFrame(rows, columns=columns).astype("Int64")


def test_the_batch_makes_one_query_per_entity_however_many_entries(engine: Engine, mapped: int) -> None:
    with Session(engine) as session:
        few, many = _time_log_keys(session, 3), _time_log_keys(session, None)
    assert len(many) > 500
    counts = []
    for keys in (few, many):
        with Session(engine) as session, statements_run(engine) as seen:
            reasons = mapping_reasons(session, company_id=mapped, module=Module.TIMECARD, keys=keys)
        assert len(reasons) == len(keys)
        counts.append(len(seen))
    assert counts == [6, 6]  # the mode, then job sites, employees, cost codes, pay IDs, pay classes
    assert any(reasons.str.len() > 0)
    assert any(reasons.str.len() == 0)


def test_two_way_mode_resolves_from_the_import_links(settings: Settings, engine: Engine, one_way: int,  # noqa: F811
                                                     admin: Identity) -> None:
    with Session(engine) as session:
        setup.set_mode(session, mode=SyncMode.TWO_WAY, actor=admin)
        session.commit()
    with open_client(settings, engine, sleep=lambda _s: None) as client:
        run_import(settings, engine, actor=admin, company_id=one_way, client=client)
    with Session(engine) as session:
        riverside = _id(session, JobSite, "number", "1001")
        assert resolve(session, company_id=one_way, entity=Entity.JOB_SITE, local_id=riverside).ok
        bayfront = resolve(session, company_id=one_way, entity=Entity.JOB_SITE,
                           local_id=_id(session, JobSite, "number", "1007"))
        assert bayfront.reason == (
            "Job site 1007 Bayfront Hotel is not linked to a Procore project (two-way mode: create it in Procore and "
            "run the import on Administration > Procore setup)")
        regular = _id(session, PayID, "code", "REG")
        assert resolve(session, company_id=one_way, entity=Entity.PAY_ID, local_id=regular).ok
        travel = resolve(session, company_id=one_way, entity=Entity.PAY_ID, local_id=_id(session, PayID, "code", "TRV"))
        assert travel.reason == ("Pay ID TRV Travel is not published as any payroll item "
                                 "(Administration > Payroll items)")
        assert session.exec(select(ProcoreRecord)).first() is None  # nothing of one-way mode was needed


def test_thousands_of_records_resolve_as_they_do_a_few_at_a_time(session: Session, mapped: int) -> None:
    """Past a thousand ids the batch reads the whole table rather than naming each id: the answers stay the
    same, deleted ids included."""
    people = list(session.exec(select(Employee.id)).all())
    wanted = [(person, None) for person in people if person is not None] + [(900_000 + n, None) for n in range(1_200)]

    at_once = resolve_batch(session, company_id=mapped, wanted={Entity.EMPLOYEE: wanted})[Entity.EMPLOYEE]
    in_parts = {key: result for part in range(0, len(wanted), 400) for key, result in resolve_batch(
        session, company_id=mapped, wanted={Entity.EMPLOYEE: wanted[part:part + 400]})[Entity.EMPLOYEE].items()}

    assert at_once == in_parts
    assert sum(result.ok for result in at_once.values()) > 0
    assert at_once[(900_000, None)].reason == (
        "Employee with id 900000 does not exist in the time clock (it was deleted); correct the time logs that use it.")
