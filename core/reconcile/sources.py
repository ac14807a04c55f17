"""Both sides of a reconciliation: our stored entries in Procore's shape, and each project's records in Procore.

Procore is read with list calls only: one per project (and page) for the
whole range, through the module's target, as publishing reads it; never a GET
per entry.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, Table, select
from sqlmodel import Session

from core.models import CostCode, Employee, JobSite
from core.models.mapping import Entity, ProcoreLink
from core.models.publishing import PublishEntry, PublishModule, PublishStatus
from core.modules.amounts import Namer
from core.modules.targets import Remote, Target, compared_fields
from core.procore.bulk import run_concurrently
from core.procore.client import ProcoreClient
from core.procore.constants import DEFAULT_WORKERS
from core.publishing.planned import load_entries, owned_records, prepare
from core.publishing.stored import range_conditions
from core.reconcile.compare import Ours
from core.sync.resolver import resolve_batch

_ENTRIES: Table = PublishEntry.__table__  # type: ignore[attr-defined]
_SITES: Table = JobSite.__table__  # type: ignore[attr-defined]
_EMPLOYEES: Table = Employee.__table__  # type: ignore[attr-defined]
_CODES: Table = CostCode.__table__  # type: ignore[attr-defined]
_LINKS: Table = ProcoreLink.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class OurSide:
    """Our entries, the projects the job sites map to (both ways) and the Procore ids entries hold."""

    entries: list[Ours]
    project_of_site: dict[int, int]
    site_of_project: dict[int, int]
    owned: set[int]


def our_side(session: Session, *, company_id: int, target: Target, start: dt.date, end: dt.date,
             job_site_ids: Collection[int] | None) -> OurSide:
    """The entries of the range that Procore should reflect (Non publishable ones are not compared)."""
    module = PublishModule(target.module)
    query = select(_ENTRIES.c.id).where(*range_conditions(module, start, end, job_site_ids),
                                        _ENTRIES.c.status != PublishStatus.NON_PUBLISHABLE.value)
    planned = load_entries(session, [int(i) for i in session.connection().execute(query).scalars()])
    prepared = prepare(session, company_id=company_id, target=target,
                       entries=[e for e in planned if e.status is not PublishStatus.DELETED])
    sites = _scope_sites(session, job_site_ids)
    found = resolve_batch(session, company_id=company_id, wanted={Entity.JOB_SITE: {(s, None) for s in sites}})
    project_of_site = {site: r.procore_id for (site, _), r in found[Entity.JOB_SITE].items() if r.procore_id}
    site_of_project = {project: site for site, project in project_of_site.items()}
    entries = []
    for entry in planned:
        project, fields, reason = entry.procore_project_id, None, prepared.failures.get(entry.id)
        if entry.id in prepared.payloads:
            project, payload = prepared.payloads[entry.id]
            fields = compared_fields(target, payload)
        elif entry.published_payload is not None:
            fields, reason = compared_fields(target, entry.published_payload), None
        for held_in in (project, entry.procore_project_id):  # a record stays in the project it was written to
            if held_in is not None:
                site_of_project.setdefault(held_in, entry.job_site_id)
        entries.append(Ours(entry.id, entry.job_site_id, entry.work_date, entry.status, fields, entry.procore_id,
                            project, reason))
    owned = owned_records(session, module=module, project_ids=site_of_project)
    return OurSide(entries, project_of_site, site_of_project, owned)


def _scope_sites(session: Session, job_site_ids: Collection[int] | None) -> list[int]:
    if job_site_ids is not None:
        return sorted(job_site_ids)
    return [int(i) for i in session.connection().execute(select(_SITES.c.id)).scalars()]


def procore_side(client: ProcoreClient, target: Target, projects: Sequence[int], start: dt.date, end: dt.date,
                 *, workers: int = DEFAULT_WORKERS) -> dict[int, list[Remote]]:
    """Each project's records of the range: one list call per project and page.

    Raises:
        ProcoreConnectError: a project's records could not be read (the first such error).
    """
    outcomes = run_concurrently(lambda project: target.list_remote(client, project, start, end), projects,
                                workers=workers)
    for outcome in outcomes:
        if outcome.error is not None:
            raise outcome.error
    return {outcome.item: outcome.result or [] for outcome in outcomes}


def namer(session: Session, *, company_id: int) -> Namer:
    """Names for the Procore ids figures are split by: people as our employees, cost codes as our codes."""
    people = _names(session, Entity.EMPLOYEE, company_id, select(
        _EMPLOYEES.c.id, _EMPLOYEES.c.first_name + " " + _EMPLOYEES.c.last_name))
    codes = _names(session, Entity.COST_CODE, company_id, select(_CODES.c.id, _CODES.c.code))
    known = {"person": people, "cost code": codes}

    def name(kind: str, procore_id: object) -> str:
        found = known.get(kind, {}).get(procore_id) if isinstance(procore_id, int) else None
        return found or f"Procore {kind} {procore_id}"

    return name


def _names(session: Session, entity: Entity, company_id: int, query: Select[Any]) -> Mapping[int, str]:
    """Procore id → our record's name, over every scope (a standard cost code maps once per project)."""
    links = select(_LINKS.c.procore_id, _LINKS.c.local_id).where(
        _LINKS.c.entity == entity.value, _LINKS.c.procore_company_id == company_id)
    run = session.connection().execute
    local = {int(i): str(text) for i, text in run(query)}
    return {int(procore_id): local[local_id] for procore_id, local_id in run(links) if local_id in local}
