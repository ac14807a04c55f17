"""Publishing after things went wrong: a publisher that died holding claims, and writes that landed late."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import update
from sqlmodel import Session, select

from core.db import session_scope, utcnow
from core.models.publishing import PublishEntry, PublishModule, PublishRun, PublishStatus
from core.procore.connection import open_client
from core.publishing.audit import attempts_frame
from core.publishing.engine import PublishRequest, RunReport, publish
from core.publishing.plan import Operation
from core.publishing.status import PublishAction
from tests.core.publishing.engine_world import (
    WEEK_END,
    WEEK_START,
    Linked,
    delete_source,
    lengthen_break,
    source_logs,
)

MANPOWER = PublishModule.MANPOWER
SITES = ["1001", "1002"]


@pytest.fixture
def linked_modules() -> frozenset[PublishModule]:
    return frozenset({MANPOWER})


def _entries(linked: Linked) -> list[PublishEntry]:
    ids = set(linked.site_ids(SITES))
    return [e for e in linked.entries(MANPOWER) if e.job_site_id in ids and e.status != PublishStatus.NON_PUBLISHABLE]


def _logs(linked: Linked, entries: list[PublishEntry]) -> list[int]:
    projects = {entry.procore_project_id for entry in entries}
    return sorted(log.id for project in projects if project for log in linked.remote("manpower", project))


def _crash(linked: Linked, entries: list[PublishEntry], *, landed: int) -> None:
    """As if a publisher had claimed `entries`, sent the first `landed` of them, and died before recording.

    The others' Procore records are deleted (never sent); every entry is left claimed by the dead
    publisher, its claim untouched for an hour, its outcome unrecorded.
    """
    with linked.client() as client:
        for entry in entries[landed:]:
            assert entry.procore_project_id is not None
            assert entry.procore_id is not None
            client.delete_manpower_log(project_id=entry.procore_project_id, log_id=entry.procore_id)
    table = PublishEntry.__table__  # type: ignore[attr-defined]
    with session_scope(linked.engine) as session:
        session.connection().execute(update(table).where(table.c.id.in_([e.id for e in entries])).values(
            status=PublishStatus.PUBLISHING.value, release_status=PublishStatus.TO_DO.value, claim_token="dead",
            claimed_at=utcnow() - timedelta(hours=1), procore_id=None, procore_project_id=None,
            published_values=None, published_payload=None, published_fingerprint=None, published_at=None,
            remote_updated_at=None, version=table.c.version + 1,
        ))


def test_publishers_starting_together_after_a_crash_all_finish_and_one_adopts_each_landed_write(
    linked: Linked,
) -> None:
    linked.publish(MANPOWER, sites=SITES)
    entries = _entries(linked)
    landed = len(entries) // 2
    assert landed >= 2
    _crash(linked, entries, landed=landed)
    linked.control("PUT", "config", latency_ms=20)
    barrier = threading.Barrier(3)
    reports: list[RunReport] = []
    errors: list[BaseException] = []

    def run() -> None:
        barrier.wait()
        try:
            reports.append(linked.publish(MANPOWER, sites=SITES))
        except BaseException as error:  # noqa: BLE001 - the test reports what a publisher met
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert [report.error for report in reports] == [None, None, None]
    after = _entries(linked)
    assert {entry.status for entry in after} == {PublishStatus.PUBLISHED}
    assert sum(report.outcomes[Operation.ADOPT] for report in reports) == landed
    assert sum(report.outcomes[Operation.CREATE] for report in reports) == len(entries) - landed
    assert _logs(linked, after) == sorted(entry.procore_id or 0 for entry in after)  # one log each, no duplicate
    with Session(linked.engine) as session:
        runs = session.exec(select(PublishRun).order_by(PublishRun.id)).all()  # type: ignore[arg-type]
    # A publisher that found every entry claimed by another has nothing to do and records no run.
    assert len(runs) >= 2
    assert all(run.finished_at is not None for run in runs)


class FaultOnce(httpx.HTTPTransport):
    """The network: the first create of a manpower log meets `fault` (an emulator switch), the rest pass."""

    def __init__(self, linked: Linked, fault: str) -> None:
        super().__init__()
        self.linked, self.fault, self.met = linked, fault, 0
        self.posts = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        create = request.method == "POST" and request.url.path.endswith("/manpower_logs")
        self.posts += int(create)
        if not create or self.met:
            return super().handle_request(request)
        self.met += 1
        self.linked.control("PUT", "config", faults={self.fault: 1.0})
        try:
            return super().handle_request(request)
        finally:
            self.linked.control("PUT", "config", faults={self.fault: 0})


def _publish_through(linked: Linked, network: httpx.BaseTransport, *, entry_ids: set[int] | None = None,
                     action: PublishAction = PublishAction.PUBLISH) -> RunReport:
    request = PublishRequest(MANPOWER, WEEK_START, WEEK_END, job_site_ids=frozenset(linked.site_ids(["1001"])),
                             entry_ids=None if entry_ids is None else frozenset(entry_ids), action=action)
    with open_client(linked.settings, linked.engine, transport=network, sleep=lambda _seconds: None) as client:
        return publish(linked.settings, linked.engine, request, actor=linked.admin, client=client, workers=1)


def _first_day_entries(linked: Linked) -> list[PublishEntry]:
    linked.publish(MANPOWER, sites=["1001"], dry_run=True)  # the entries, refreshed from the time clock
    entries = [e for e in linked.entries(MANPOWER, job_site_id=linked.site_ids(["1001"])[0])
               if e.status == PublishStatus.TO_DO]
    day = entries[0].work_date
    return [entry for entry in entries if entry.work_date == day]


def test_a_create_answered_502_after_it_committed_is_found_and_adopted_not_sent_again(linked: Linked) -> None:
    entry = _first_day_entries(linked)[0]
    network = FaultOnce(linked, "502_after_commit")

    report = _publish_through(linked, network, entry_ids={entry.id or 0})

    assert (network.met, network.posts) == (1, 1)
    assert report.outcomes == {Operation.ADOPT: 1}
    published = linked.entries(MANPOWER, id=entry.id)[0]
    assert published.status == PublishStatus.PUBLISHED
    logs = linked.remote("manpower", published.procore_project_id or 0, entry.work_date, entry.work_date)
    assert [log.id for log in logs if log.id == published.procore_id] == [published.procore_id]
    assert len(logs) == 1


def _late_commits_land(linked: Linked) -> None:
    """The writes given up on land now (the emulator holds them until told, or their delay ends)."""
    linked.control("POST", "late_writes")
    deadline = time.monotonic() + 30
    while linked.control("GET", "stats").get("late_commits_pending"):
        assert time.monotonic() < deadline, "the emulator's late writes never landed"
        time.sleep(0.05)  # the emulator commits on its own clock; nothing here can be injected


def test_a_create_that_commits_after_it_was_given_up_on_is_removed_by_the_next_publish(linked: Linked) -> None:
    first = _first_day_entries(linked)[0]
    rest = {e.id or 0 for e in linked.entries(MANPOWER, status=PublishStatus.TO_DO)} - {first.id}
    _publish_through(linked, httpx.HTTPTransport(), entry_ids=rest)
    linked.control("PUT", "config", late_commit_ms=600_000)  # lands when told, after the look and the second send

    given_up = _publish_through(linked, FaultOnce(linked, "late_commit"), entry_ids={first.id or 0})
    _late_commits_land(linked)
    kept = linked.entries(MANPOWER, id=first.id)[0]
    project, day = kept.procore_project_id or 0, first.work_date
    listed = linked.remote("manpower", project, day, day)
    held = {e.procore_id or 0 for e in linked.entries(MANPOWER, procore_project_id=project) if e.work_date == day}
    report = linked.publish(MANPOWER, sites=["1001"])  # every entry is published: only the copy is left to do

    assert given_up.outcomes == {Operation.CREATE: 1}  # looked for, not found, sent again: then the first landed
    assert len(listed) == len(held) + 1  # the entry's record twice
    assert not report.outcomes
    assert report.duplicates_removed == 1
    assert report.summary() == "1 duplicate removed"
    after = linked.entries(MANPOWER, id=first.id)[0]
    assert (after.status, after.procore_id) == (PublishStatus.PUBLISHED, kept.procore_id)
    logs = linked.remote("manpower", project, day, day)
    assert sorted(log.id for log in logs) == sorted(held)  # one record per entry: the copy is gone
    with Session(linked.engine) as session:
        why = attempts_frame(session, entry_id=first.id)
    removed = why[why["procore_id"] != kept.procore_id]
    assert list(removed["action"]) == ["delete"]
    assert "second copy of this entry's manpower log" in removed["message"].iloc[0]
    assert f"kept manpower log {kept.procore_id}" in removed["message"].iloc[0]
    assert linked.publish(MANPOWER, sites=["1001"]).summary() == "Nothing to publish."


class FaultsInTurn(httpx.HTTPTransport):
    """The network: the n-th create of a manpower log meets `faults[n - 1]` (an emulator switch; the last one
    for every later create, its retries too); other requests pass."""

    def __init__(self, linked: Linked, *faults: str) -> None:
        super().__init__()
        self.linked, self.faults, self.posts = linked, faults, 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if not (request.method == "POST" and request.url.path.endswith("/manpower_logs")):
            return super().handle_request(request)
        fault = self.faults[min(self.posts, len(self.faults) - 1)]
        self.posts += 1
        self.linked.control("PUT", "config", faults={fault: 1.0})
        try:
            return super().handle_request(request)
        finally:
            self.linked.control("PUT", "config", faults={fault: 0})


def test_a_write_given_up_on_whose_second_send_failed_is_still_looked_for_after_a_later_publish(
    linked: Linked,
) -> None:
    """The first send lands late; the second is refused. The entry is republished before the first lands:
    the copy must still be found and removed, however long after."""
    first = _first_day_entries(linked)[0]
    rest = {e.id or 0 for e in linked.entries(MANPOWER, status=PublishStatus.TO_DO)} - {first.id}
    _publish_through(linked, httpx.HTTPTransport(), entry_ids=rest)  # the last publish has nothing else to do
    linked.control("PUT", "config", late_commit_ms=600_000, retry_after=0)  # lands when told: after the next run
    network = FaultsInTurn(linked, "late_commit", "503")

    refused = _publish_through(linked, network, entry_ids={first.id or 0})
    again = _publish_through(linked, httpx.HTTPTransport(), entry_ids={first.id or 0},
                             action=PublishAction.REPUBLISH)
    _late_commits_land(linked)
    kept = linked.entries(MANPOWER, id=first.id)[0]
    project, day = kept.procore_project_id or 0, first.work_date
    copies = [log.id for log in linked.remote("manpower", project, day, day) if log.notes == _notes(linked, kept)]
    report = linked.publish(MANPOWER, sites=["1001"])

    assert network.posts > 2  # sent, then refused every time after
    assert refused.outcomes == {Operation.FAIL: 1}
    assert again.outcomes == {Operation.CREATE: 1}  # the first send had not landed yet
    assert len(copies) == 2  # then it landed: the entry's record twice
    assert report.duplicates_removed == 1
    after = [log.id for log in linked.remote("manpower", project, day, day) if log.notes == _notes(linked, kept)]
    assert after == [kept.procore_id]


def _notes(linked: Linked, entry: PublishEntry) -> str | None:
    """The crew note Procore's copy of `entry` carries (what tells its logs apart from the day's others)."""
    return (entry.published_payload or {}).get("notes")


class DeletedJustBefore(httpx.HTTPTransport):
    """The network: someone deletes the manpower log in Procore just before our PATCH or DELETE of it arrives."""

    def __init__(self, linked: Linked, method: str) -> None:
        super().__init__()
        self.linked, self.method = linked, method

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == self.method and "/manpower_logs/" in request.url.path:
            log_id = int(request.url.path.rsplit("/", 1)[1])
            self.linked.control("POST", "act", kind="manpower_log", id=log_id, action="delete")
        return super().handle_request(request)


@pytest.mark.parametrize(("method", "change", "outcome", "result"), [
    pytest.param("DELETE", delete_source, Operation.REMOVE, None, id="a delete finds it already gone"),
    pytest.param("PATCH", lengthen_break, Operation.FAIL, "the manpower log was deleted in Procore meanwhile",
                 id="an update finds it deleted"),
])
def test_a_record_deleted_in_procore_between_the_listing_and_the_write(
    linked: Linked, method: str, change: Callable[[Linked, PublishEntry], None], outcome: Operation,
    result: str | None,
) -> None:
    linked.publish(MANPOWER, sites=["1001"])
    entry = next(e for e in linked.entries(MANPOWER, status=PublishStatus.PUBLISHED)
                 if all((log.clock_out - log.clock_in).total_seconds() > 3 * 3600  # type: ignore[operator]
                        for log in source_logs(linked, e)))
    change(linked, entry)

    report = _publish_through(linked, DeletedJustBefore(linked, method), entry_ids=None)

    assert report.outcomes == {outcome: 1}
    after = linked.entries(MANPOWER, id=entry.id)
    if result is None:
        assert after == []  # its source and its record are both gone: nothing is left to publish
    else:
        assert after[0].status == PublishStatus.FAILED
        assert after[0].reasons == [result]
