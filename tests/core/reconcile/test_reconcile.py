"""Reconciliation against the emulator: what drifts after changes made in Procore, and how Procore is read."""

from __future__ import annotations

import pytest

from core.models.publishing import PublishEntry, PublishModule, PublishStatus
from core.procore.inputs import TimecardEntryInput
from core.reconcile import Finding, Reconciliation, reconcile
from tests.core.publishing.engine_world import WEEK_END, WEEK_START, Linked, calls, known

MANPOWER, TIMECARD = PublishModule.MANPOWER, PublishModule.TIMECARD
MANPOWER_LIST = "GET /rest/v1.0/projects/{project_id}/manpower_logs"


@pytest.fixture
def linked_modules() -> frozenset[PublishModule]:
    return frozenset({MANPOWER, TIMECARD})


def _reconcile(linked: Linked, module: PublishModule, sites: list[str]) -> Reconciliation:
    with linked.client() as client:
        return reconcile(linked.settings, linked.engine, module=module, start=WEEK_START, end=WEEK_END,
                         job_site_ids=linked.site_ids(sites), client=client)


def _published(linked: Linked, module: PublishModule, number: str = "1001") -> list[PublishEntry]:
    site = linked.site_ids([number])[0]
    return [e for e in linked.entries(module, job_site_id=site) if e.status == PublishStatus.PUBLISHED]


def test_nothing_drifts_right_after_a_clean_publish(linked: Linked) -> None:
    linked.publish(MANPOWER, sites=["1001", "1002"])

    result = _reconcile(linked, MANPOWER, ["1001", "1002"])

    assert result.days
    assert result.drifting == []
    assert all(day.ours == day.theirs and day.ours["workers"] > 0 for day in result.days)


def test_unpublished_entries_drift_as_only_in_the_time_clock(linked: Linked) -> None:
    result = _reconcile(linked, MANPOWER, ["1001"])

    assert result.drifting
    assert all(day.theirs == {} for day in result.drifting)
    assert {d.finding for day in result.drifting for d in day.details} == {Finding.ONLY_OURS}


def test_edits_and_deletes_made_in_procore_drift_on_their_days(linked: Linked) -> None:
    linked.publish(MANPOWER, sites=["1001"])
    edited, deleted = _published(linked, MANPOWER)[:2]
    linked.control("POST", "act", kind="manpower_log", id=edited.procore_id, action="update",
                   fields={"num_workers": edited.values["manpower"] + 5})
    linked.control("POST", "act", kind="manpower_log", id=deleted.procore_id, action="delete")

    result = _reconcile(linked, MANPOWER, ["1001"])

    details = {d.entry_id: (day, d) for day in result.drifting for d in day.details}
    assert set(details) == {edited.id, deleted.id}
    day, detail = details[edited.id]
    assert detail.finding is Finding.CHANGED
    assert detail.differs == {"num_workers": (edited.values["manpower"], edited.values["manpower"] + 5)}
    assert day.theirs["workers"] == day.ours["workers"] + 5 - (deleted.values["manpower"]
                                                               if deleted.work_date == day.work_date else 0)
    day, detail = details[deleted.id]
    assert detail.finding is Finding.DELETED_IN_PROCORE
    assert day.work_date == deleted.work_date
    assert len(result.drifting) == len({edited.work_date, deleted.work_date})


def test_a_timecard_from_another_source_drifts_with_its_hours(linked: Linked) -> None:
    linked.publish(TIMECARD, sites=["1001"])
    ours = _published(linked, TIMECARD)[0]
    project_id = known(ours.procore_project_id)
    card = linked.remote("timecard", project_id)[0]
    with linked.client() as client:
        foreign = client.create_project_timecard_entry(project_id=project_id, entry=TimecardEntryInput(
            date=ours.work_date, hours="3", party_id=card.resolved_party_id,
            timecard_time_type_id=card.resolved_time_type_id, cost_code_id=card.resolved_cost_code_id))

    result = _reconcile(linked, TIMECARD, ["1001"])

    assert [(day.work_date, [(d.finding, d.remote_id) for d in day.details]) for day in result.drifting] == [
        (ours.work_date, [(Finding.FOREIGN, foreign.id)])]
    day = result.drifting[0]
    assert day.theirs["hours"] == pytest.approx(day.ours["hours"] + 3)
    person = [name for name in day.theirs if name.startswith("hours of ") and day.theirs[name] != day.ours.get(name)]
    assert len(person) == 1


def test_procore_is_read_with_one_list_call_per_project_for_the_range(linked: Linked) -> None:
    linked.publish(MANPOWER, sites=["1001", "1002", "1003"])
    linked.control("DELETE", "stats")

    result = _reconcile(linked, MANPOWER, ["1001", "1002", "1003"])

    assert result.projects == 3
    assert calls(linked) == {MANPOWER_LIST: 3}
