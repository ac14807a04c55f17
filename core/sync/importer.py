"""Two-way import: Procore's vendors, projects, employees, cost codes and payroll items become ours.

The import is an idempotent upsert keyed by Procore id (through `ProcoreLink`):
a second run creates nothing. A record not yet linked is first matched by its
number (vendor abbreviation, project number, employee ID, cost code), then
created. Each list is read whole from Procore (`core.sync.import_reads`), then
written and committed on its own, so an import stopped half-way (say by Procore
shedding load) resumes where it was on the next run, and no Procore call (nor the
token renewal it may need) waits on the import's own write lock.

Cost codes: a Procore project's cost code that is a copy of an imported
standard code is linked to our standard code for that project; any other
project code becomes a code of that project's job site. Standard codes (no
project) become standard codes shared by all job sites.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager, nullcontext
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from core.access import Identity, Perm
from core.config import Settings
from core.db import session_scope
from core.models import Company, CostCode, Employee, JobSite, PayClass, PayID
from core.models.ids import saved_id
from core.models.mapping import COMPANY_WIDE, Entity, LinkOrigin, PayrollItem
from core.procore.client import ProcoreClient
from core.procore.connection import open_client
from core.procore.schemas.costs import StandardCostCode, WorkClassification
from core.procore.schemas.directory import Project, Vendor
from core.sync.import_changes import ChangeGate, ChangeKind, RecordChange
from core.sync.import_owners import load_owners
from core.sync.import_reads import READERS, CodeLists, People, ProcoreReads, TimeTypes
from core.sync.import_records import ImportReport, StepReport, apply_values, find_record
from core.sync.links import link, links_by_local, links_by_remote
from core.timeclock.rules import is_time_zone

Progress = Callable[[str], None]
DEFAULT_TIME_ZONE = "America/New_York"
STEPS = ("vendors", "job sites", "employees", "cost codes", "payroll items", "classifications")


def run_import(
    settings: Settings, engine: Engine, *, actor: Identity, company_id: int, steps: Iterable[str] = STEPS,
    progress: Progress | None = None, client: ProcoreClient | None = None, apply_moving: bool = True,
) -> ImportReport:
    """Import the chosen lists from Procore company `company_id`, each committed on its own.

    Field groups we own (`core.sync.import_owners`) keep our values; `apply_moving=False` leaves out the
    changes that move published work (`core.sync.import_changes`). The stored connection is opened unless
    `client` is given (a caller running several services on one).

    Raises:
        PermissionDenied: `actor` may not change the Procore setup (nothing is read or written).
        ConfigurationError, ProcoreAPIError: Procore is not connected or refused; lists imported so far are kept.
    """
    actor.require(Perm.PROCORE_SETUP)
    with session_scope(engine) as session:
        gate = ChangeGate(load_owners(session), apply_moving=apply_moving)
    opened = open_client(settings, engine, company_id=company_id) if client is None else nullcontext(client)
    with opened as procore:  # a client given by the caller stays open for the caller
        return import_steps(lambda: session_scope(engine), procore, company_id=company_id, steps=steps, gate=gate,
                            progress=progress)


def import_steps(
    open_session: Callable[[], AbstractContextManager[Session]], procore: ProcoreClient, *, company_id: int,
    steps: Iterable[str], gate: ChangeGate, progress: Progress | None = None, read_first: bool = False,
) -> ImportReport:
    """Run the import `steps`, each in a session of `open_session` (the preview passes one it rolls back).

    Each list is read from Procore before its session writes anything (see `core.sync.import_reads`);
    `read_first` reads every list before the first is written, for a caller whose one session holds its
    write lock from the first step to the last.
    """
    say = progress or (lambda _message: None)
    report = ImportReport(changes=gate.changes)
    reads, names = ProcoreReads(procore, company_id), list(steps)
    read: dict[str, Any] = {}
    for name in names:
        if name not in read:
            batch = names if read_first else [name]
            say(f"Reading {', '.join(batch)} from Procore…")
            read.update({later: READERS[later](reads) for later in batch})
        say(f"Importing {name}…")
        step = StepReport(name=name, gate=gate)
        with open_session() as session:
            _STEPS[name](session, read[name], company_id, step)
            gate.add_gone(session, company_id=company_id, ran=[name])
        report.steps[name] = step
        say(f"Imported {name}: {step.created} created, {step.updated} updated, {step.unchanged} unchanged")
    return report


def _vendors(session: Session, vendors: list[Vendor], company_id: int, step: StepReport) -> None:
    links = links_by_remote(session, entity=Entity.COMPANY, company_id=company_id)
    for vendor in vendors:
        number = (vendor.abbreviated_name or vendor.origin_code or f"V{vendor.id}").strip()
        name = (vendor.name or number).strip()
        existing = links.get(vendor.id)
        company = find_record(session, Company, existing.local_id if existing else None, number=number) or find_record(
            session, Company, None, name=name)
        clash = find_record(session, Company, None, number=number)
        if clash is not None and company is not None and clash.id != company.id:
            step.skipped.append(f"vendor {name}: number {number} belongs to company {clash.name}")
            continue
        created = company is None
        company = company or Company(name=name, number=number)
        apply_values(session, company, {"name": name, "number": number}, step, created=created)
        link(session, entity=Entity.COMPANY, local_id=saved_id(company), procore_id=vendor.id,
             company_id=company_id, origin=LinkOrigin.IMPORT)


def _job_sites(session: Session, projects: list[Project], company_id: int, step: StepReport) -> None:
    links = links_by_remote(session, entity=Entity.JOB_SITE, company_id=company_id)
    for project in projects:
        number = (project.project_number or f"P{project.id}").strip()
        existing = links.get(project.id)
        site = find_record(session, JobSite, existing.local_id if existing else None, number=number)
        if site is not None and existing is None and _linked_elsewhere(session, Entity.JOB_SITE, saved_id(site),
                                                                        company_id):
            step.skipped.append(f"project {project.name}: number {number} is already linked to another project")
            continue
        address = ", ".join(p for p in (project.address, project.city, project.state_code) if p)
        values: dict[str, Any] = {"name": (project.name or number).strip(), "number": number,
                                  "active": project.active is not False}
        if address:
            values["address"] = address
        if site is None or is_time_zone(project.time_zone):
            values["time_zone"] = project.time_zone if is_time_zone(project.time_zone) else DEFAULT_TIME_ZONE
        created = site is None
        site = site or JobSite(name=values["name"], number=number, time_zone=values["time_zone"])
        apply_values(session, site, values, step, created=created)
        link(session, entity=Entity.JOB_SITE, local_id=saved_id(site), procore_id=project.id,
             company_id=company_id, origin=LinkOrigin.IMPORT)


def _linked_elsewhere(session: Session, entity: Entity, local_id: int, company_id: int) -> bool:
    return local_id in links_by_local(session, entity=entity, company_id=company_id)


def _employees(session: Session, people: People, company_id: int, step: StepReport) -> None:
    links = links_by_remote(session, entity=Entity.EMPLOYEE, company_id=company_id)
    own = _own_company(session, people.company_name)
    for person in people.employees:
        if not person.is_employee:
            continue
        if not person.employee_id:
            step.skipped.append(f"{person.name or person.id}: no employee ID in Procore")
            continue
        existing = links.get(person.id)
        number = person.employee_id.strip()
        employee = find_record(session, Employee, existing.local_id if existing else None, number=number)
        first = (person.first_name or "").strip() or "—"
        last = (person.last_name or "").strip() or "—"
        values = {"first_name": first, "last_name": last, "number": person.employee_id.strip()}
        created = employee is None
        employee = employee or Employee(company_id=own.id, **values)  # type: ignore[arg-type]
        apply_values(session, employee, values, step, created=created)
        link(session, entity=Entity.EMPLOYEE, local_id=saved_id(employee), procore_id=person.id,
             company_id=company_id, origin=LinkOrigin.IMPORT)


def _own_company(session: Session, procore_name: str | None) -> Company:
    own = session.exec(select(Company).where(Company.is_own)).first()
    if own is None:
        own = Company(name=procore_name or "Our company", number="OWN", is_own=True)
        session.add(own)
        session.flush()
    return own


def _cost_codes(session: Session, codes: CodeLists, company_id: int, step: StepReport) -> None:
    standard_by_remote = _standard_codes(session, codes.standard, company_id, step)
    for project_id, link_row in links_by_remote(session, entity=Entity.JOB_SITE, company_id=company_id).items():
        links = links_by_remote(session, entity=Entity.COST_CODE, company_id=company_id, scope_id=project_id)
        for code in codes.by_project.get(project_id, []):
            standard_local = standard_by_remote.get(code.standard_cost_code_id or -1)
            if standard_local is not None:
                link(session, entity=Entity.COST_CODE, local_id=standard_local, procore_id=code.id,
                     company_id=company_id, origin=LinkOrigin.IMPORT, scope_id=project_id)
                step.count("linked")
                continue
            _upsert_code(session, code, site_id=link_row.local_id, entity=Entity.COST_CODE, links=links,
                         company_id=company_id, scope_id=project_id, step=step)


def _upsert_code(
    session: Session, code: Any, *, site_id: int | None, entity: Entity, links: dict[int, Any], company_id: int,
    scope_id: int, step: StepReport,
) -> int | None:
    """Create or update our code for Procore's `code` (a site's when `site_id`, else standard); its id."""
    text = (code.full_code or code.code or "").strip()
    if not text:
        step.skipped.append(f"cost code {code.id}: no code in Procore")
        return None
    existing = links.get(code.id)
    local = find_record(session, CostCode, existing.local_id if existing else None, job_site_id=site_id, code=text)
    values = {"code": text, "name": (code.name or text).strip()}
    created = local is None
    local = local or CostCode(job_site_id=site_id, code=values["code"], name=values["name"])
    apply_values(session, local, values, step, created=created)
    link(session, entity=entity, local_id=saved_id(local), procore_id=code.id,
         company_id=company_id, origin=LinkOrigin.IMPORT, scope_id=scope_id)
    return saved_id(local)


def _standard_codes(
    session: Session, codes: list[StandardCostCode], company_id: int, step: StepReport
) -> dict[int, int]:
    """Import standard codes; returns Procore standard code id → our standard code id."""
    links = links_by_remote(session, entity=Entity.STANDARD_COST_CODE, company_id=company_id)
    result: dict[int, int] = {}
    for code in codes:
        local_id = _upsert_code(session, code, site_id=None, entity=Entity.STANDARD_COST_CODE, links=links,
                                company_id=company_id, scope_id=COMPANY_WIDE, step=step)
        if local_id is not None:
            result[code.id] = local_id
    return result


def _payroll_items(session: Session, time_types: TimeTypes, company_id: int, step: StepReport) -> None:
    abbreviations = time_types.abbreviations
    seen: set[int] = set()
    for time_type in time_types.company:
        seen.add(time_type.id)
        item = session.exec(select(PayrollItem).where(PayrollItem.procore_id == time_type.id)).first()
        name = (time_type.time_type or str(time_type.id)).strip()
        code = abbreviations.get(time_type.id) or (time_type.abbreviated_time_type or name).strip()
        created = item is None
        item = item or PayrollItem(procore_id=time_type.id, code=code, name=name)
        apply_values(session, item, {"code": code, "name": name, "active": True}, step, created=created)
    for item in session.exec(select(PayrollItem).where(PayrollItem.active)):
        if item.procore_id not in seen:
            step.gate.changes.append(RecordChange(step.name, item.name, ChangeKind.GONE))
            item.active = False
            session.add(item)
    suggest_payroll_items(session, company_id=company_id)


def suggest_payroll_items(session: Session, *, company_id: int) -> int:
    """Link each pay ID not yet linked to the payroll item with the same code; returns how many."""
    linked = links_by_local(session, entity=Entity.PAY_ID, company_id=company_id)
    items = {i.code.upper(): i for i in session.exec(select(PayrollItem).where(PayrollItem.active))}
    made = 0
    for pay_id in session.exec(select(PayID)):
        item = items.get(pay_id.code.upper())
        if pay_id.id not in linked and item is not None:
            link(session, entity=Entity.PAY_ID, local_id=pay_id.id, procore_id=item.procore_id,  # type: ignore[arg-type]
                 company_id=company_id, origin=LinkOrigin.AUTO)
            made += 1
    return made


def _classifications(
    session: Session, classifications: list[WorkClassification], company_id: int, step: StepReport
) -> None:
    """Pay classes are ours; they are linked to Procore classifications with the same abbreviation."""
    classes = {p.number.upper(): p for p in session.exec(select(PayClass))}
    for classification in classifications:
        pay_class = classes.get((classification.abbreviation or "").strip().upper())
        if pay_class is None:
            continue
        link(session, entity=Entity.PAY_CLASS, local_id=pay_class.id, procore_id=classification.id,  # type: ignore[arg-type]
             company_id=company_id, origin=LinkOrigin.IMPORT, scope_id=COMPANY_WIDE)
        step.count("linked")


# Each writes what its reader (`core.sync.import_reads.READERS`) read.
_STEPS: dict[str, Callable[[Session, Any, int, StepReport], None]] = {
    "vendors": _vendors,
    "job sites": _job_sites,
    "employees": _employees,
    "cost codes": _cost_codes,
    "payroll items": _payroll_items,
    "classifications": _classifications,
}
