"""`reconcile`: one module's range, Procore vs time clock, per job site and day.

    result = reconcile(settings, engine, module=module, start=mon, end=fri)
    for day in result.drifting: ...  # job site, date, ours vs Procore's figures, the records behind it

It refreshes the entries of the range from the time clock first (as the
dashboards do), then reads Procore with one list call per project and page
for the whole range. It writes nothing to Procore and needs no permission
beyond seeing the dashboards.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy.engine import Engine

from core.config import Settings
from core.db import session_scope
from core.models.publishing import PublishModule
from core.modules.amounts import Namer
from core.modules.registry import definition
from core.procore.client import ProcoreClient
from core.procore.constants import DEFAULT_WORKERS
from core.publishing.refresh import enabled_company, refresh
from core.reconcile.compare import Day, compare
from core.reconcile.sources import namer, our_side, procore_side


@dataclass
class Reconciliation:
    """Every job-site day either side has in the range, and what the records are called."""

    module: PublishModule
    start: dt.date
    end: dt.date
    days: list[Day]
    record_label: str  # "manpower log"
    projects: int  # projects read from Procore
    name: Namer

    @property
    def drifting(self) -> list[Day]:
        return [day for day in self.days if day.drifts]


def reconcile(
    settings: Settings, engine: Engine, *, module: PublishModule, start: dt.date, end: dt.date,
    job_site_ids: Collection[int] | None = None, client: ProcoreClient | None = None,
    refresh_first: bool = True, workers: int = DEFAULT_WORKERS,
) -> Reconciliation:
    """Compare the module's entries of the range (and job sites) with what Procore holds now.

    Raises:
        ConfigurationError: Procore is not set up for this module.
        ProcoreConnectError: a project's records could not be read.
    """
    module = PublishModule(module)
    target = definition(module).target
    with session_scope(engine) as session:
        company_id = enabled_company(session, module)
    if refresh_first:
        refresh(engine, module=module, start=start, end=end, job_site_ids=job_site_ids, company_id=company_id)
    with session_scope(engine) as session:
        ours = our_side(session, company_id=company_id, target=target, start=start, end=end,
                        job_site_ids=job_site_ids)
        name = namer(session, company_id=company_id)
    projects = sorted(ours.site_of_project)
    own_client = client is None
    client = client or _open_client(settings, engine)
    try:
        listed = procore_side(client, target, projects, start, end, workers=workers)
    finally:
        if own_client:
            client.close()
    days = compare(target, ours.entries, listed, site_of_project=ours.site_of_project, owned=ours.owned, name=name)
    return Reconciliation(module, start, end, days, target.label, len(projects), name)


def _open_client(settings: Settings, engine: Engine) -> ProcoreClient:
    from core.procore.connection import open_client

    return open_client(settings, engine)
