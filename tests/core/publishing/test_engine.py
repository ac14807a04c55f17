"""The publishing engine against the emulator: what lands in Procore, and what the entries say afterwards."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from sqlmodel import Session, select

from core.errors import PermissionDenied
from core.models import Company, Crew
from core.models.publishing import PublishEntry, PublishModule, PublishRun, PublishStatus
from core.publishing.audit import attempts_frame
from core.publishing.plan import Operation
from core.publishing.status import PublishAction
from tests.conftest import identity_with_role
from tests.core.publishing.engine_world import (
    Linked,
    calls,
    calls_by_method,
    delete_source,
    lengthen_break,
    procore_ids,
)

MANPOWER, QUANTITY = PublishModule.MANPOWER, PublishModule.QUANTITY
PUBLISHED, UPDATED, FAILED = PublishStatus.PUBLISHED, PublishStatus.UPDATED, PublishStatus.FAILED
FORCE = PublishAction.FORCE_PUBLISH


@pytest.fixture
def linked_modules() -> frozenset[PublishModule]:
    return frozenset({MANPOWER, QUANTITY})


def _site_entries(linked: Linked, module: PublishModule, number: str = "1001") -> list[PublishEntry]:
    return linked.entries(module, job_site_id=linked.site_ids([number])[0])


def _published(linked: Linked, module: PublishModule, number: str = "1001") -> list[PublishEntry]:
    return [entry for entry in _site_entries(linked, module, number) if entry.status == PUBLISHED]


def test_publish_creates_one_manpower_log_per_entry_with_vendor_workers_hours_and_crew(linked: Linked) -> None:
    report = linked.publish(MANPOWER, sites=["1001"])

    entries = _site_entries(linked, MANPOWER)
    published = [e for e in entries if e.status == PUBLISHED]
    blocked = [e for e in entries if e.status == PublishStatus.NON_PUBLISHABLE]
    assert published
    assert report.outcomes[Operation.CREATE] == len(published)
    # the seed world has no Procore vendor for Evergreen Drywall: those entries say so and stay here
    assert blocked
    assert all("Evergreen Drywall is not linked to a Procore vendor" in e.reasons[0] for e in blocked)
    logs = {log.id: log for log in linked.remote("manpower", published[0].procore_project_id)}
    assert sorted(logs) == procore_ids(published)
    with Session(linked.engine) as session:
        crews = {crew.id: crew.name for crew in session.exec(select(Crew)).all()}
        companies = {company.id: company.name for company in session.exec(select(Company)).all()}
    for entry in published:
        log = logs[entry.procore_id]
        assert log.date == entry.work_date
        assert log.num_workers == entry.values["manpower"]
        assert float(log.num_hours) == pytest.approx(entry.values["average_hours"])
        assert log.vendor is not None
        assert log.vendor.name == companies[entry.company_id]
        if entry.crew_id is not None:
            assert log.notes == f"Crew {crews[entry.crew_id]}"


def test_publishing_again_writes_nothing(linked: Linked) -> None:
    linked.publish(MANPOWER, sites=["1001"])
    before = [(e.id, e.procore_id) for e in _published(linked, MANPOWER)]
    linked.control("DELETE", "stats")

    report = linked.publish(MANPOWER, sites=["1001"])

    assert report.steps == []
    assert set(calls_by_method(linked)) <= {"GET"}
    assert [(e.id, e.procore_id) for e in _published(linked, MANPOWER)] == before


def test_dry_run_lists_what_would_be_created_and_changes_nothing(linked: Linked) -> None:
    linked.control("DELETE", "stats")
    report = linked.publish(MANPOWER, sites=["1001"], dry_run=True)

    creates = [step for step in report.steps if step.operation is Operation.CREATE]
    assert creates
    assert all(step.after and step.after["num_workers"] == step.entry.values["manpower"] for step in creates)
    assert set(calls_by_method(linked)) <= {"GET"}
    assert not _published(linked, MANPOWER)
    assert "Would do" in report.summary()
    with Session(linked.engine) as session:
        assert session.exec(select(PublishRun)).first() is None


def test_changed_source_updates_the_procore_record_and_a_deleted_one_deletes_it(linked: Linked) -> None:
    linked.publish(MANPOWER, sites=["1001"])
    changed, gone = _published(linked, MANPOWER)[:2]
    lengthen_break(linked, changed)
    delete_source(linked, gone)
    dry = linked.publish(MANPOWER, sites=["1001"], dry_run=True)
    assert {step.entry.id: step.operation for step in dry.steps} == {changed.id: Operation.UPDATE,
                                                                     gone.id: Operation.DELETE}
    update = next(step for step in dry.steps if step.operation is Operation.UPDATE)
    assert update.before
    assert update.after
    assert update.before["num_hours"] != update.after["num_hours"]
    assert linked.statuses(MANPOWER)[UPDATED] == 1
    assert linked.statuses(MANPOWER)[PublishStatus.DELETED] == 1

    report = linked.publish(MANPOWER, sites=["1001"])

    assert report.outcomes == Counter({Operation.UPDATE: 1, Operation.DELETE: 1})
    logs = {log.id: log for log in linked.remote("manpower", changed.procore_project_id)}
    assert gone.procore_id not in logs
    now = linked.entries(MANPOWER, id=changed.id)[0]
    assert now.status == PUBLISHED
    assert float(logs[changed.procore_id].num_hours) == pytest.approx(now.values["average_hours"])
    assert linked.entries(MANPOWER, id=gone.id) == []  # nothing left to publish once Procore's record is gone
    history = attempts_frame(Session(linked.engine), entry_id=gone.id)
    assert list(history["action"]) == ["delete", "create"]


def test_plain_publish_never_overwrites_a_change_made_in_procore_and_force_does(linked: Linked) -> None:
    linked.publish(MANPOWER, sites=["1001"])
    entry = _published(linked, MANPOWER)[0]
    linked.control("POST", "act", kind="manpower_log", id=entry.procore_id, action="update",
                   fields={"num_workers": 99})
    lengthen_break(linked, entry)

    preview = linked.publish(MANPOWER, sites=["1001"], dry_run=True)
    (skip,) = preview.steps
    assert skip.operation is Operation.SKIP
    assert skip.differs["num_workers"] == (entry.values["manpower"], 99)
    report = linked.publish(MANPOWER, sites=["1001"])

    assert report.outcomes == Counter({Operation.SKIP: 1})
    (log,) = [log for log in linked.remote("manpower", entry.procore_project_id) if log.id == entry.procore_id]
    assert log.num_workers == 99
    failed = linked.entries(MANPOWER, id=entry.id)[0]
    assert failed.status == FAILED
    assert "changed in Procore" in failed.reasons[0]
    assert "num_workers" in failed.reasons[0]
    assert "Force publish" in failed.reasons[0]

    forced = linked.publish(MANPOWER, sites=["1001"], action=FORCE)

    assert forced.outcomes[Operation.UPDATE] == 1
    (log,) = [log for log in linked.remote("manpower", entry.procore_project_id) if log.id == entry.procore_id]
    assert log.num_workers == entry.values["manpower"]
    assert linked.entries(MANPOWER, id=entry.id)[0].status == PUBLISHED


def test_a_record_deleted_in_procore_is_recreated_only_by_force(linked: Linked) -> None:
    linked.publish(MANPOWER, sites=["1001"])
    entry = _published(linked, MANPOWER)[0]
    linked.control("POST", "act", kind="manpower_log", id=entry.procore_id, action="delete")
    lengthen_break(linked, entry)

    linked.publish(MANPOWER, sites=["1001"])
    skipped = linked.entries(MANPOWER, id=entry.id)[0]
    assert skipped.status == FAILED
    assert "deleted in Procore" in skipped.reasons[0]
    republished = linked.publish(MANPOWER, sites=["1001"], action=PublishAction.REPUBLISH)
    assert republished.outcomes == Counter()  # Republish would only repeat the refusal (issue 19): not taken
    assert linked.entries(MANPOWER, id=entry.id)[0].status == FAILED

    linked.publish(MANPOWER, sites=["1001"], action=FORCE)

    recreated = linked.entries(MANPOWER, id=entry.id)[0]
    assert recreated.status == PUBLISHED
    assert recreated.procore_id != entry.procore_id
    live = {log.id for log in linked.remote("manpower", entry.procore_project_id)}
    assert recreated.procore_id in live
    assert entry.procore_id not in live


def test_quantities_publish_whole_numbers_and_name_the_fractional_ones(linked: Linked) -> None:
    linked.publish(QUANTITY)

    entries = linked.entries(QUANTITY)
    published = [e for e in entries if e.status == PUBLISHED]
    fractional = [e for e in entries if e.values["units"] != int(e.values["units"])]
    assert published
    assert fractional
    assert all(e.status == PublishStatus.NON_PUBLISHABLE for e in fractional)
    assert all(any("whole numbers" in reason for reason in e.reasons) for e in fractional)
    sample = published[0]
    (log,) = [log for log in linked.remote("quantity", sample.procore_project_id) if log.id == sample.procore_id]
    assert log.quantity == sample.values["units"]
    assert log.unit == sample.values["unit_of_measure"]


def test_lost_answers_and_refusals_never_duplicate_a_log(linked: Linked) -> None:
    linked.control("PUT", "config", faults={"500": 0.15, "503": 0.1, "429": 0.05, "lost_response": 0.2},
                   fault_seed=11, retry_after=0)
    for _ in range(6):
        linked.publish(MANPOWER, sites=["1001", "1002"])
        linked.publish(MANPOWER, sites=["1001", "1002"], action=PublishAction.REPUBLISH)
    linked.control("PUT", "config", faults={"500": 0, "503": 0, "429": 0, "lost_response": 0})
    linked.publish(MANPOWER, sites=["1001", "1002"], action=PublishAction.REPUBLISH)

    entries = [*_site_entries(linked, MANPOWER, "1001"), *_site_entries(linked, MANPOWER, "1002")]
    publishable = [e for e in entries if e.status != PublishStatus.NON_PUBLISHABLE]
    assert {e.status for e in publishable} == {PUBLISHED}
    projects = {e.procore_project_id for e in publishable}
    logs = [log for project in projects for log in linked.remote("manpower", project)]
    assert sorted(log.id for log in logs) == procore_ids(publishable)
    lost = attempts_frame(Session(linked.engine))
    assert lost["message"].fillna("").str.contains("found in Procore after").any()


def test_two_publishers_at_once_write_each_entry_once(linked: Linked) -> None:
    linked.control("PUT", "config", latency_ms=20)
    linked.control("DELETE", "stats")
    reports = []

    def run() -> None:
        reports.append(linked.publish(MANPOWER, sites=["1001", "1002", "1003"]))

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(reports) == len(threads)  # each publisher finished: none failed on a locked database
    published = [e for n in ("1001", "1002", "1003") for e in _published(linked, MANPOWER, n)]
    assert sum(report.outcomes[Operation.CREATE] for report in reports) == len(published)
    creates = sum(count for key, count in calls(linked).items() if key.startswith("POST"))
    assert creates == len(published)


def test_publishing_needs_its_permission_and_force_needs_its_own(linked: Linked, session: Session) -> None:
    with pytest.raises(PermissionDenied, match="Publish to Procore"):
        linked.publish(MANPOWER, sites=["1001"], actor=identity_with_role(session, "Viewer"))
    with pytest.raises(PermissionDenied, match="Force publish"):  # Payroll may publish, not force
        linked.publish(MANPOWER, sites=["1001"], actor=identity_with_role(session, "Payroll"), action=FORCE)
    assert not _published(linked, MANPOWER)


def test_every_attempt_is_in_the_audit_trail_per_run(linked: Linked) -> None:
    report = linked.publish(MANPOWER, sites=["1001"])
    with Session(linked.engine) as session:
        trail = attempts_frame(session, run_id=report.run_id)
        run = session.get(PublishRun, report.run_id)
    assert run is not None
    assert run.finished_at is not None
    assert run.succeeded == report.outcomes[Operation.CREATE] == len(trail)
    assert set(trail["action"]) == {"create"}
    assert set(trail["status_code"]) == {201}
    assert trail["request_body"].map(lambda body: "num_workers" in body).all()
    assert set(trail["requested_by"]) == {linked.admin.email}
