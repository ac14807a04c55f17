"""Hours never counted twice in Procore: module switches, other sources, and both ways out of a conflict.

Regression tests for issue 19: a day published by Timecard, then Timesheet enabled and published, left six
timecard entries for three people in the emulator.
"""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy.engine import Engine

from core import setup
from core.access import Identity
from core.config import Settings
from core.db import session_scope
from core.models.publishing import PublishEntry, PublishModule, PublishStatus
from core.procore.inputs import BulkTimecardEntryInput
from core.publishing.plan import Operation
from core.publishing.status import PublishAction
from core.setup import SwitchChoice, SwitchNeedsChoice
from tests.core.publishing.double_count_world import SITE, held, procore_keys
from tests.core.publishing.engine_world import Linked, calls_by_method, lengthen_break, link_world

TIMECARD, TIMESHEET = PublishModule.TIMECARD, PublishModule.TIMESHEET


@pytest.fixture
def linked(settings: Settings, demo_engine: Engine, admin: Identity, emulator_url: str, connected: int) -> Linked:
    return link_world(settings, demo_engine, admin, emulator_url, connected, frozenset({TIMECARD}))


def modules(linked: Linked) -> frozenset[PublishModule]:
    with session_scope(linked.engine) as session:
        return frozenset(setup.state(session).modules)


def test_switching_to_timesheets_asks_and_carry_over_creates_nothing(linked: Linked) -> None:
    linked.publish(TIMECARD, sites=SITE)
    published = held(linked, TIMECARD)
    projects = {entry.procore_project_id for entry in published if entry.procore_project_id}
    before = procore_keys(linked, projects)
    assert len(published) > 3
    assert sum(before.values()) == len(published)

    with pytest.raises(SwitchNeedsChoice, match=f"{len(published)} Timecard entries are published in Procore"), \
            session_scope(linked.engine) as session:
        setup.set_modules(session, modules=frozenset({TIMESHEET}), actor=linked.admin)
    assert modules(linked) == {TIMECARD}  # refused: nothing changed

    with session_scope(linked.engine) as session:
        setup.set_modules(session, modules=frozenset({TIMESHEET}), actor=linked.admin, choice=SwitchChoice.CARRY_OVER)
    assert modules(linked) == {TIMESHEET}
    linked.control("DELETE", "stats")
    report = linked.publish(TIMESHEET, sites=SITE)

    assert report.outcomes[Operation.CREATE] == 0
    assert calls_by_method(linked).get("POST", 0) == 0
    assert procore_keys(linked, projects) == before
    carried = {entry.procore_id: entry.status for entry in held(linked, TIMESHEET)}
    assert set(carried) == {entry.procore_id for entry in published}
    assert set(carried.values()) == {PublishStatus.PUBLISHED}
    assert held(linked, TIMECARD) == []


def test_switching_with_unpublish_deletes_first_then_publishes_each_entry_once(linked: Linked) -> None:
    linked.publish(TIMECARD, sites=SITE)
    published = held(linked, TIMECARD)
    projects = {entry.procore_project_id for entry in published if entry.procore_project_id}

    with linked.client() as client:
        setup.switch_module(linked.settings, linked.engine, module=TIMESHEET, choice=SwitchChoice.UNPUBLISH,
                            actor=linked.admin, client=client)
    assert modules(linked) == {TIMESHEET}
    assert procore_keys(linked, projects) == Counter()
    assert held(linked, TIMECARD) == []

    linked.publish(TIMESHEET, sites=SITE)
    after = procore_keys(linked, projects)
    assert sum(after.values()) == len(held(linked, TIMESHEET)) == len(published)
    assert max(after.values()) == 1


def _other_source(linked: Linked, entry: PublishEntry, party_id: int, hours: str = "8") -> int:
    """A person typing the same person's day on Procore's Timesheets tool."""
    project = entry.procore_project_id
    assert project is not None
    with linked.client() as client:
        sheet = client.create_project_timesheet(project_id=project, date=entry.work_date)
        (created,) = [card for chunk in client.bulk_create_project_timecard_entries(
            project_id=project, entries=[BulkTimecardEntryInput(
                project_id=project, date=entry.work_date, party_id=party_id, hours=hours, timesheet_id=sheet.id)])
            for card in chunk]
    return created.id


def test_hours_procore_has_from_another_source_hold_the_entry_until_forced(linked: Linked) -> None:
    linked.publish(TIMECARD, sites=SITE)
    victim = held(linked, TIMECARD)[0]
    (card,) = [c for c in linked.remote("timecard", victim.procore_project_id or 0) if c.id == victim.procore_id]
    party = card.resolved_party_id
    assert party is not None
    linked.publish(TIMECARD, sites=SITE, action=PublishAction.UNPUBLISH)  # ours gone; Procore's own remains
    theirs = _other_source(linked, victim, party)

    linked.publish(TIMECARD, sites=SITE)

    same_day = [e for e in linked.entries(TIMECARD) if e.employee_id == victim.employee_id
                and e.work_date == victim.work_date]  # every entry of that person's day, whatever its cost code
    assert {e.status for e in same_day} == {PublishStatus.NON_PUBLISHABLE}
    day = victim.work_date
    for entry in same_day:
        assert entry.reasons[0].startswith(
            f"Procore already has 8.00 h for {_name(linked, victim)} on {day.day} {day:%b} from Procore Timesheets")
        assert str(theirs) in entry.reasons[0]
    others = [e for e in linked.entries(TIMECARD) if e not in same_day and e.procore_id is not None]
    assert others
    assert {e.status for e in others} == {PublishStatus.PUBLISHED}
    assert linked.publish(TIMECARD, sites=SITE).outcomes[Operation.CREATE] == 0  # a plain publish leaves it held

    report = linked.publish(TIMECARD, sites=SITE, action=PublishAction.FORCE_PUBLISH)

    assert report.outcomes[Operation.CREATE] == len(same_day)
    forced = [linked.entries(TIMECARD, id=e.id)[0] for e in same_day]
    assert {e.status for e in forced} == {PublishStatus.PUBLISHED}
    ids = {c.id for c in linked.remote("timecard", victim.procore_project_id or 0) if c.resolved_party_id == party
           and c.date == day}
    assert ids == {theirs, *(e.procore_id for e in forced)}


def _name(linked: Linked, entry: PublishEntry) -> str:
    from sqlmodel import Session

    from core.models import Employee

    with Session(linked.engine) as session:
        person = session.get(Employee, entry.employee_id)
        assert person is not None
        return person.full_name


def test_keep_procores_version_ends_a_conflict_without_writing(linked: Linked) -> None:
    linked.publish(TIMECARD, sites=SITE)
    entry = held(linked, TIMECARD)[0]
    linked.control("POST", "act", kind="timecard_entry", id=entry.procore_id, action="update", fields={"hours": "9.5"})
    lengthen_break(linked, entry)
    linked.publish(TIMECARD, sites=SITE)
    refused = linked.entries(TIMECARD, id=entry.id)[0]
    assert refused.status == PublishStatus.FAILED
    assert "changed in Procore after it was published" in refused.reasons[0]
    assert linked.publish(TIMECARD, sites=SITE, action=PublishAction.REPUBLISH).outcomes == Counter()

    linked.control("DELETE", "stats")
    kept = linked.publish(TIMECARD, sites=SITE, action=PublishAction.KEEP_PROCORE)

    assert kept.outcomes == Counter({Operation.ACCEPT: 1})
    assert set(calls_by_method(linked)) == {"GET"}  # nothing written to Procore
    accepted = linked.entries(TIMECARD, id=entry.id)[0]
    assert accepted.status == PublishStatus.PUBLISHED
    assert accepted.published_payload is not None
    assert accepted.published_payload["hours"] == "9.5"
    assert linked.publish(TIMECARD, sites=SITE).outcomes[Operation.UPDATE] == 0  # Published until ours changes

    lengthen_break(linked, entry)
    assert linked.publish(TIMECARD, sites=SITE).outcomes[Operation.UPDATE] == 1
    (card,) = [c for c in linked.remote("timecard", entry.procore_project_id or 0) if c.id == entry.procore_id]
    assert float(card.hours or 0) == pytest.approx(linked.entries(TIMECARD, id=entry.id)[0].values["hours"])
