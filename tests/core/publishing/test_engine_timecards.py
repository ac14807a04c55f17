"""Timecards: v1.1 bulk create in requests of 25, recognised by origin_id after lost answers and crashes."""

from __future__ import annotations

import math
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlmodel import Session, col

from core.db import session_scope, utcnow
from core.models.publishing import PublishEntry, PublishModule, PublishStatus
from core.modules.registry import definition
from core.procore.inputs import BulkTimecardEntryInput
from core.publishing.audit import attempts_frame
from core.publishing.claims import claim_entries
from core.publishing.engine import refresh
from core.publishing.plan import Operation
from core.publishing.planned import load_entries, prepare
from core.publishing.status import PublishAction
from tests.core.publishing.engine_world import (
    WEEK_END,
    WEEK_START,
    Linked,
    calls,
    entry_ids,
    known,
    procore_ids,
)

TIMECARD = PublishModule.TIMECARD
TWO_WEEKS = WEEK_START - timedelta(days=7)
BULK = "POST /rest/v1.1/projects/{project_id}/project_timecard_entries/bulk_create"


@pytest.fixture
def linked_modules() -> frozenset[PublishModule]:
    return frozenset({TIMECARD})


def _publishable(linked: Linked, number: str) -> list[PublishEntry]:
    site = linked.site_ids([number])[0]
    return [e for e in linked.entries(TIMECARD, job_site_id=site) if e.status != PublishStatus.NON_PUBLISHABLE]


def test_timecards_go_in_bulk_requests_of_25_with_our_entry_id_as_origin(linked: Linked) -> None:
    linked.control("DELETE", "stats")
    report = linked.publish(TIMECARD, sites=["1001"], start=TWO_WEEKS)

    entries = _publishable(linked, "1001")
    assert len(entries) > 25  # enough for more than one request
    assert {e.status for e in entries} == {PublishStatus.PUBLISHED}
    assert report.outcomes[Operation.CREATE] == len(entries)
    assert calls(linked)[BULK] == math.ceil(len(entries) / 25)
    remote = {card.id: card for card in linked.remote("timecard", entries[0].procore_project_id, start=TWO_WEEKS)}
    assert sorted(remote) == procore_ids(entries)
    for entry in entries:
        card = remote[entry.procore_id]
        assert card.origin_id == str(entry.id)
        assert float(card.hours) == pytest.approx(entry.values["hours"])
        assert card.date == entry.work_date


def test_lost_bulk_answers_are_reconciled_by_origin_id_without_duplicates(linked: Linked) -> None:
    sites = ["1001", "1002", "1003", "1004"]
    linked.control("PUT", "config", faults={"500": 0.25, "lost_response": 0.45}, fault_seed=3)
    for _ in range(5):
        linked.publish(TIMECARD, sites=sites)
        linked.publish(TIMECARD, sites=sites, action=PublishAction.REPUBLISH)
    linked.control("PUT", "config", faults={"500": 0, "lost_response": 0})
    linked.publish(TIMECARD, sites=sites, action=PublishAction.REPUBLISH)

    entries = [entry for site in sites for entry in _publishable(linked, site)]
    assert {e.status for e in entries} == {PublishStatus.PUBLISHED}
    cards = [card for project in {e.procore_project_id for e in entries}
             for card in linked.remote("timecard", project)]
    origins = Counter(card.origin_id for card in cards)
    assert origins.most_common(1)[0][1] == 1
    assert sorted(card.id for card in cards) == procore_ids(entries)
    messages = attempts_frame(Session(linked.engine))["message"].fillna("")
    assert messages.str.contains("found in Procore after").any()  # some answers were lost, and recovered


def test_a_publisher_that_crashed_after_procore_wrote_leaves_nothing_to_duplicate(linked: Linked) -> None:
    """Claims left by a dead publisher are released, and its records are adopted rather than created again."""
    with session_scope(linked.engine) as session:
        company_id = linked.company_id
    refresh(linked.engine, module=TIMECARD, start=WEEK_START, end=WEEK_END,
            job_site_ids=linked.site_ids(["1001"]), company_id=company_id)
    entries = _publishable(linked, "1001")[:5]
    with session_scope(linked.engine) as session:
        claimed = claim_entries(session, entry_ids=entry_ids(entries), token="crashed")
        planned = load_entries(session, claimed)
        prepared = prepare(session, company_id=company_id, target=definition(TIMECARD).target, entries=planned)
        session.connection().execute(update(PublishEntry).values(
            claimed_at=utcnow() - timedelta(hours=1)).where(col(PublishEntry.claim_token) == "crashed"))
    # what the dead publisher had sent before it died
    project = next(iter(prepared.payloads.values()))[0]
    with linked.client() as client:
        sent = [BulkTimecardEntryInput(project_id=project, **payload) for _, payload in prepared.payloads.values()]
        list(client.bulk_create_project_timecard_entries(project_id=project, entries=sent))
    linked.control("DELETE", "stats")

    report = linked.publish(TIMECARD, sites=["1001"])

    assert report.outcomes[Operation.ADOPT] == 5
    adopted = {e.id: e for e in linked.entries(TIMECARD) if e.id in claimed}
    assert {e.status for e in adopted.values()} == {PublishStatus.PUBLISHED}
    cards = linked.remote("timecard", project)
    assert Counter(card.origin_id for card in cards).most_common(1)[0][1] == 1
    assert len(cards) == len(_publishable(linked, "1001"))
    with Session(linked.engine) as session:
        assert known(session.get(PublishEntry, entries[0].id)).claim_token is None

