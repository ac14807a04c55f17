from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import UTC, date, datetime

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from core.models import PublishEntry, PublishModule, PublishStatus
from core.publishing import (
    ClaimLost,
    PublishAction,
    claim_entries,
    fingerprint,
    record_failed,
    record_published,
    record_remote_deleted,
    release_claim,
)

S = PublishStatus
MON = date(2026, 11, 16)
VALUES = {"hours": 8.0, "pay_class_id": None}


def _entries(session: Session, site_id: int, statuses: Sequence[S]) -> list[int]:
    rows = []
    for number, status in enumerate(statuses):
        published = status in (S.PUBLISHED, S.UPDATED, S.DELETED)
        rows.append(PublishEntry(
            module=PublishModule.TIMECARD, natural_key=f"{site_id}|{number}", job_site_id=site_id, work_date=MON,
            values=VALUES, fingerprint=fingerprint(VALUES), status=status,
            reasons=["a problem"] if status in (S.FAILED, S.NON_PUBLISHABLE) else [],
            procore_id=700 + number if published else None,
            published_fingerprint=fingerprint(VALUES) if status == S.PUBLISHED else ("old" if published else None),
            source_removed_at=datetime(2026, 11, 18, tzinfo=UTC) if status == S.DELETED else None,
        ))
    session.add_all(rows)
    session.commit()
    return [row.id for row in rows]  # type: ignore[misc]


def _statuses(session: Session) -> list[str]:
    return [e.status for e in session.exec(select(PublishEntry).order_by(col(PublishEntry.id))).all()]


@pytest.mark.parametrize(
    ("action", "claimed"),
    [
        pytest.param(PublishAction.PUBLISH, [S.TO_DO, S.UPDATED, S.DELETED], id="publish"),
        pytest.param(PublishAction.REPUBLISH, [S.FAILED, S.DELETED], id="republish"),
        pytest.param(PublishAction.FORCE_PUBLISH, [S.TO_DO, S.PUBLISHED, S.UPDATED, S.FAILED, S.DELETED], id="force"),
    ],
)
def test_a_claim_takes_only_what_the_action_offers(  # type: ignore[no-untyped-def]
    world, session: Session, action: PublishAction, claimed: list[S]
) -> None:
    every = [s for s in PublishStatus if s is not S.PUBLISHING]
    ids = _entries(session, world.ids["site"], every)

    got = claim_entries(session, entry_ids=ids, token="t", action=action)
    session.commit()

    assert [every[ids.index(i)] for i in got] == claimed
    assert _statuses(session) == [S.PUBLISHING if s in claimed else s for s in every]


def test_release_returns_each_entry_to_where_it_was(world, session: Session) -> None:  # type: ignore[no-untyped-def]
    ids = _entries(session, world.ids["site"], [S.TO_DO, S.FAILED, S.DELETED])
    claim_entries(session, entry_ids=ids, token="t", action=PublishAction.FORCE_PUBLISH)
    session.commit()
    failed = session.get(PublishEntry, ids[1])
    assert failed is not None
    assert failed.reasons == ["a problem"]  # shown while publishing

    assert release_claim(session, token="t") == 3
    session.commit()

    assert _statuses(session) == [S.TO_DO, S.FAILED, S.DELETED]
    assert [e.claim_token for e in session.exec(select(PublishEntry))] == [None] * 3


def test_outcomes_end_the_claim(world, session: Session) -> None:  # type: ignore[no-untyped-def]
    created, refused, deleted = _entries(session, world.ids["site"], [S.TO_DO, S.TO_DO, S.DELETED])
    claim_entries(session, entry_ids=[created, refused, deleted], token="t")

    assert record_published(session, entry_id=created, token="t", procore_id=42, procore_project_id=5001,
                            sent_values=VALUES) == S.PUBLISHED
    message = "422: cost code is not in the budget"
    assert record_failed(session, entry_id=refused, token="t", message=message) == S.FAILED
    assert record_remote_deleted(session, entry_id=deleted, token="t") is None
    session.commit()

    published = session.get(PublishEntry, created)
    assert published is not None
    assert (published.procore_id, published.procore_project_id, published.published_fingerprint) == (
        42, 5001, fingerprint(VALUES))
    failure = session.get(PublishEntry, refused)
    assert failure is not None
    assert failure.reasons == [message]
    assert session.get(PublishEntry, deleted) is None


def test_an_outcome_needs_the_claim(world, session: Session) -> None:  # type: ignore[no-untyped-def]
    [entry_id] = _entries(session, world.ids["site"], [S.TO_DO])
    claim_entries(session, entry_ids=[entry_id], token="mine")
    with pytest.raises(ClaimLost, match=f"publish entry {entry_id} is no longer claimed"):
        record_failed(session, entry_id=entry_id, token="someone else's", message="x")


def test_values_sent_before_a_change_leave_the_entry_updated(world, session: Session) -> None:  # type: ignore[no-untyped-def]
    [entry_id] = _entries(session, world.ids["site"], [S.TO_DO])
    claim_entries(session, entry_ids=[entry_id], token="t")

    status = record_published(session, entry_id=entry_id, token="t", procore_id=1, procore_project_id=2,
                              sent_values={"hours": 7.0, "pay_class_id": None})

    assert status == S.UPDATED


def _publisher(engine: Engine, barrier: threading.Barrier, results: dict[str, list[int]], token: str,
               wanted: list[int]) -> None:
    with Session(engine) as own:
        barrier.wait()
        results[token] = claim_entries(own, entry_ids=wanted, token=token)
        own.commit()


def test_two_publishers_never_claim_the_same_entry(  # type: ignore[no-untyped-def]
    world, engine: Engine, session: Session
) -> None:
    ids = _entries(session, world.ids["site"], [S.TO_DO] * 60)
    for _ in range(15):
        barrier = threading.Barrier(2)
        results: dict[str, list[int]] = {}
        threads = [
            threading.Thread(target=_publisher, args=(engine, barrier, results, "a", ids)),
            threading.Thread(target=_publisher, args=(engine, barrier, results, "b", list(reversed(ids[10:])))),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        assert not set(results["a"]) & set(results["b"])
        assert set(results["a"]) | set(results["b"]) == set(ids)
        for token in ("a", "b"):
            release_claim(session, token=token)
        session.commit()
