"""Undoing a publish run puts Procore back as it was before the run, leaves alone what changed there since,
and happens once."""

from __future__ import annotations

from typing import Any

import pytest

from core.models.publishing import PublishEntry, PublishModule, PublishStatus
from core.publishing.undo import UndoKind, plan_undo, undo_run
from tests.core.publishing.engine_world import Linked, delete_source, known, lengthen_break

MANPOWER = PublishModule.MANPOWER
SITE = "1001"
_VOLATILE = {"created_at", "updated_at", "id", "position"}  # what Procore assigns to each record it writes


@pytest.fixture
def linked_modules() -> frozenset[PublishModule]:
    return frozenset({MANPOWER})


def _project(linked: Linked) -> int:
    return known(next(e for e in linked.entries(MANPOWER) if e.procore_project_id).procore_project_id)


def _procore(linked: Linked, project: int) -> list[dict[str, Any]]:
    """Procore's manpower logs of the project, as comparable rows (without what Procore assigns on a write)."""
    logs = linked.remote("manpower", project)
    rows = [{k: v for k, v in log.model_dump().items() if k not in _VOLATILE} for log in logs]
    return sorted(rows, key=repr)


def _published(linked: Linked) -> list[PublishEntry]:
    return [e for e in linked.entries(MANPOWER, job_site_id=linked.site_ids([SITE])[0]) if e.procore_id]


def test_undo_of_a_run_with_creates_updates_and_deletes_puts_procore_back_as_it_was(linked: Linked) -> None:
    linked.publish(MANPOWER, sites=[SITE])
    project = _project(linked)
    before = _procore(linked, project)
    changed, gone = _published(linked)[:2]
    lengthen_break(linked, changed)
    delete_source(linked, gone)
    extra = linked.publish(MANPOWER, sites=[SITE])  # the run to take back: an update and a delete
    assert _procore(linked, project) != before

    plan = plan_undo(linked.settings, linked.engine, run_id=known(extra.run_id), actor=linked.admin)
    assert plan.counts() == {UndoKind.RESTORE.value: 1, UndoKind.RECREATE.value: 1}
    report = undo_run(linked.settings, linked.engine, run_id=known(extra.run_id), actor=linked.admin)

    assert report.failed == []
    assert _procore(linked, project) == before
    (entry,) = linked.entries(MANPOWER, id=changed.id)
    assert entry.status == PublishStatus.UPDATED  # Procore holds the older hours again; ours are newer


def test_undo_of_the_first_publish_deletes_what_it_created_and_its_entries_are_to_do_again(linked: Linked) -> None:
    run = linked.publish(MANPOWER, sites=[SITE])
    project = _project(linked)
    created = _published(linked)
    assert created

    undo_run(linked.settings, linked.engine, run_id=known(run.run_id), actor=linked.admin)

    assert _procore(linked, project) == []
    assert {e.status for e in linked.entries(MANPOWER, job_site_id=linked.site_ids([SITE])[0])} <= {
        PublishStatus.TO_DO, PublishStatus.NON_PUBLISHABLE}


def test_records_changed_or_approved_in_procore_are_left_alone_with_the_reason_and_force_takes_the_changed(
    linked: Linked,
) -> None:
    run = linked.publish(MANPOWER, sites=[SITE])
    edited, approved, *rest = _published(linked)
    linked.control("POST", "act", kind="manpower_log", id=edited.procore_id, action="update",
                   fields={"num_workers": 99})
    linked.control("POST", "act", kind="manpower_log", id=approved.procore_id, action="approve")

    report = undo_run(linked.settings, linked.engine, run_id=known(run.run_id), actor=linked.admin)

    reasons = {item.procore_id: item.left_alone for item in report.plan.items}
    assert reasons[edited.procore_id] == "the record was changed in Procore after the run (force to undo anyway)"
    assert reasons[approved.procore_id] == "the record is approved in Procore, which refuses to change it"
    assert report.done[UndoKind.DELETE] == len(rest)
    remaining = {log.id for log in linked.remote("manpower", _project(linked))}
    assert remaining == {edited.procore_id, approved.procore_id}

    forced = plan_undo(linked.settings, linked.engine, run_id=known(run.run_id), actor=linked.admin, force=True)
    assert forced.undone_by is not None  # undone once already: a second undo does nothing
    assert forced.items == []


def test_a_run_undone_once_is_not_undone_again(linked: Linked) -> None:
    run = linked.publish(MANPOWER, sites=[SITE])
    first = undo_run(linked.settings, linked.engine, run_id=known(run.run_id), actor=linked.admin)
    linked.publish(MANPOWER, sites=[SITE])  # published again after the undo
    project = _project(linked)
    now = _procore(linked, project)

    second = undo_run(linked.settings, linked.engine, run_id=known(run.run_id), actor=linked.admin)

    assert second.plan.undone_by == first.undo_run_id
    assert second.undo_run_id is None
    assert _procore(linked, project) == now
