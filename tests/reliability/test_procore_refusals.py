"""Procore refusing a write (422: the record was approved or locked there): the entry fails with Procore's words.

The refusal must reach the person (the entry's reasons, the audit attempt with
its status code) and change nothing else: no other write is sent, no record in
Procore moves, and no other entry changes.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import pytest
from sqlmodel import Session

from core.db import session_scope
from core.models import CostCode, JobSite
from core.models.publishing import PublishEntry, PublishModule, PublishStatus
from core.publishing.audit import attempts_frame
from core.publishing.plan import Operation
from core.publishing.status import PublishAction
from core.timeclock.csv_import import import_production_quantities
from tests.core.publishing.engine_world import (
    Linked,
    calls_by_method,
    delete_source,
    lengthen_break,
    source_logs,
)

MANPOWER, QUANTITY, TIMECARD = PublishModule.MANPOWER, PublishModule.QUANTITY, PublishModule.TIMECARD
REMOTE_KIND = {MANPOWER: ("manpower_log", "manpower"), QUANTITY: ("quantity_log", "quantity"),
               TIMECARD: ("timecard_entry", "timecard")}


@pytest.fixture
def linked_modules() -> frozenset[PublishModule]:
    return frozenset({MANPOWER, QUANTITY, TIMECARD})


def _one_more_unit(linked: Linked, entry: PublishEntry) -> None:
    """Change a quantity entry's source the way a person would: upload one more unit for its code and day."""
    with Session(linked.engine) as session:
        site, code = session.get(JobSite, entry.job_site_id), session.get(CostCode, entry.cost_code_id)
        assert site is not None
        assert code is not None
        row = f"job_site_number,cost_code,date,units\n{site.number},{code.code},{entry.work_date.isoformat()},1\n"
    with session_scope(linked.engine) as session:
        import_production_quantities(session, data=row, actor=linked.admin)


def _long_enough(linked: Linked, entry: PublishEntry) -> bool:
    """A source that takes a 30-minute longer break (edits refuse a break as long as the log)."""
    return all(log.clock_out is not None and (log.clock_out - log.clock_in).total_seconds() > 3 * 3600
               for log in source_logs(linked, entry)[:1])


@pytest.mark.parametrize(
    ("module", "act", "change", "method", "procore_says"),
    [
        # an approval shows in the listed record, so the update is not even sent
        pytest.param(MANPOWER, "approve", lengthen_break, None,
                     "the manpower log is approved in Procore, which refuses to change or delete it",
                     id="update of an approved manpower log"),
        pytest.param(MANPOWER, "lock", delete_source, "DELETE",
                     "This Manpower Log is locked and can no longer be edited or deleted",
                     id="delete of a locked manpower log"),
        pytest.param(QUANTITY, "approve", _one_more_unit, "PATCH",
                     "This Quantity Log has been approved and can no longer be edited or deleted",
                     id="update of an approved quantity log"),
        pytest.param(TIMECARD, "approve", lengthen_break, None,
                     "the timecard entry is approved in Procore, which refuses to change or delete it",
                     id="update of an approved timecard entry"),
    ],
)
def test_a_write_procore_refuses_fails_its_entry_with_procores_message_and_changes_nothing_else(
    linked: Linked, module: PublishModule, act: str, change: Callable[[Linked, PublishEntry], None],
    method: str | None, procore_says: str,
) -> None:
    linked.publish(module, sites=["1001"])
    published = [e for e in linked.entries(module, status=PublishStatus.PUBLISHED)]
    entry = next(e for e in published if module is QUANTITY or _long_enough(linked, e))
    kind, remote_kind = REMOTE_KIND[module]
    linked.control("POST", "act", kind=kind, id=entry.procore_id, action=act)
    change(linked, entry)
    procore_before = [record.model_dump() for record in linked.remote(remote_kind, entry.procore_project_id)]
    others_before = {e.id: (e.status, e.procore_id, e.values) for e in linked.entries(module) if e.id != entry.id}
    linked.control("DELETE", "stats")

    # A plain publish sees the approval as a change made in Procore and leaves it be; Force publish sends it.
    report = linked.publish(module, sites=["1001"], action=PublishAction.FORCE_PUBLISH)

    assert report.outcomes[Operation.FAIL] == 1
    assert set(report.outcomes) <= {Operation.FAIL, Operation.KEEP}  # force takes the published ones too: no change
    (failed,) = linked.entries(module, id=entry.id)
    assert failed.status == PublishStatus.FAILED
    assert procore_says in failed.reasons[0]
    assert failed.procore_id == entry.procore_id
    with Session(linked.engine) as session:
        attempt = attempts_frame(session, entry_id=entry.id).iloc[0]
    assert attempt["status_code"] == 422 if method else pd.isna(attempt["status_code"])
    assert procore_says in attempt["message"]
    assert attempt["resulting_status"] == PublishStatus.FAILED
    assert {m: n for m, n in calls_by_method(linked).items() if m != "GET"} == ({method: 1} if method else {})
    assert [record.model_dump() for record in linked.remote(remote_kind, entry.procore_project_id)] == procore_before
    assert {e.id: (e.status, e.procore_id, e.values) for e in linked.entries(module)
            if e.id != entry.id} == others_before
