"""Each module's entities agree: what Data mapping syncs, what the resolver checks, what publishing resolves and sends.

The world has its job site 1001 mapped and nothing else, so every entity a
module looks at produces a reason naming it ("Company EVG … is not mapped").
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Any

import pandas as pd
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from core.access import Identity
from core.config import Settings
from core.models import Company, CostCode, Employee, JobSite, PayClass, PayID
from core.models.mapping import Entity
from core.models.publishing import PublishModule, PublishStatus
from core.modules.registry import all_definitions, definition
from core.modules.targets import EntryIds, Names
from core.publishing.planned import PlannedEntry, prepare
from core.sync.lists import TEXT, entities_for
from core.sync.resolver import mapping_reasons
from tests.core.sync.test_lists import map_site, one_way, sync  # noqa: F401 - the fixture

_MODELS: dict[str, Any] = {"company_id": Company, "employee_id": Employee, "cost_code_id": CostCode,
                           "pay_class_id": PayClass, "pay_id_id": PayID}


@pytest.fixture
def one_site_mapped(settings: Settings, engine: Engine, one_way: int, admin: Identity) -> int:  # noqa: F811
    """The demo world in one-way mode with job site 1001 mapped to its project, and nothing else mapped."""
    sync(settings, engine, one_way, admin, Entity.JOB_SITE)
    map_site(engine, one_way, "1001", "1001")
    return one_way


def _named(reasons: Iterable[str]) -> set[Entity]:
    """The entities the reasons name (each reason starts with the record it is about: "Pay ID TRV …")."""
    text = "; ".join(reasons)
    return {entity for entity, words in TEXT.items() if re.search(rf"(^|; ){re.escape(words.local_title)} ", text)}


def _ids(session: Session) -> list[dict[str, Any]]:
    """Two entries' key ids: one on the mapped job site, one on an unmapped one; every other id set."""
    others = {column: session.exec(select(model.id)).first() for column, model in _MODELS.items()}
    mapped = session.exec(select(JobSite.id).where(JobSite.number == "1001")).one()
    unmapped = session.exec(select(JobSite.id).where(JobSite.number != "1001")).first()
    return [{"job_site_id": site, **others} for site in (mapped, unmapped)]


def _checked(session: Session, company_id: int, module: PublishModule, rows: list[dict[str, Any]]) -> set[Entity]:
    keys = pd.DataFrame(rows).astype("Int64")
    return _named(reason for found in mapping_reasons(session, company_id=company_id, module=module, keys=keys)
                  for reason in found)


def _resolved(session: Session, company_id: int, module: PublishModule, rows: list[dict[str, Any]]) -> set[Entity]:
    entries = [PlannedEntry(
        id=position, natural_key=str(position), job_site_id=row["job_site_id"], work_date=dt.date(2026, 11, 20),
        keys={name: row[name] for name in ("company_id", "employee_id", "pay_id_id", "cost_code_id")} | {
            "crew_id": None},
        values={"pay_class_id": row["pay_class_id"]}, status=PublishStatus.TO_DO, procore_id=None,
        procore_project_id=None, remote_updated_at=None, published_payload=None,
    ) for position, row in enumerate(rows)]
    prepared = prepare(session, company_id=company_id, target=definition(module).target, entries=entries)
    return _named(prepared.failures.values())


def test_each_module_syncs_checks_and_resolves_the_same_entities(engine: Engine, one_site_mapped: int) -> None:
    with Session(engine) as session:
        rows = _ids(session)
        for found in all_definitions():
            synced = set(entities_for([found.module]))
            checked = _checked(session, one_site_mapped, found.module, rows)
            resolved = _resolved(session, one_site_mapped, found.module, rows)
            assert synced == checked == resolved == found.entities, found.module


# Distinct Procore ids, so a payload shows which of them it sends.
_SENT = EntryIds(project_id=1, vendor_id=101, party_id=102, time_type_id=103, cost_code_id=104, classification_id=105)
_SENT_AS = {101: Entity.COMPANY, 102: Entity.EMPLOYEE, 103: Entity.PAY_ID, 104: Entity.COST_CODE,
            105: Entity.PAY_CLASS}
_VALUES = {"manpower": 3, "average_hours": 8, "hours": 8, "units": 12, "unit_of_measure": "EA"}


@pytest.mark.parametrize("module", list(PublishModule))
def test_a_target_sends_the_ids_of_exactly_its_modules_entities(module: PublishModule) -> None:
    found = definition(module)
    payload = found.target.payload(1, dt.date(2026, 11, 20), {"crew_id": None, "cost_code_id": None}, _VALUES,
                                   _SENT, Names())
    sent = {_SENT_AS[value] for value in payload.values() if isinstance(value, int) and value in _SENT_AS}
    assert {Entity.JOB_SITE, *sent} == found.entities  # the job site's project is in every request's path
