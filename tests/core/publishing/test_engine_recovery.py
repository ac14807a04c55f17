"""Publishing after things went wrong: a publisher that died holding claims, and writes that landed late."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from core.access import Identity
from core.config import Settings
from core.db import session_scope, utcnow
from core.models.publishing import PublishEntry, PublishModule, PublishRun, PublishStatus
from core.publishing.engine import RunReport
from core.publishing.plan import Operation
from tests.core.publishing.engine_world import Linked, link_world

MANPOWER = PublishModule.MANPOWER
SITES = ["1001", "1002"]


@pytest.fixture
def linked(settings: Settings, demo_engine: Engine, admin: Identity, emulator_url: str, connected: int) -> Linked:
    return link_world(settings, demo_engine, admin, emulator_url, connected, frozenset({MANPOWER}))


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
