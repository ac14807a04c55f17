"""Ending many claims at once (`end_claims`, what the recorder does after each batch of writes) leaves every
entry exactly as ending them one by one would, and keeps the guards of the one-by-one path."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Table, text, update
from sqlmodel import Session, col, select

from core.models import PublishEntry, PublishModule, PublishStatus
from core.publishing import ClaimLost, claim_entries, fingerprint, release_claim
from core.publishing.claims import (
    Decision,
    end_claims,
    failed,
    held,
    published,
    record_failed,
    record_held,
    record_published,
    record_remote_deleted,
    remote_deleted,
)

S = PublishStatus
MON = date(2026, 11, 16)
VALUES = {"hours": 8.0, "pay_class_id": None}
GONE = datetime(2026, 11, 18, tzinfo=UTC)
_TABLE: Table = PublishEntry.__table__  # type: ignore[attr-defined]
# (status, published before, source removed) of the entries each way ends
SHAPES = [(S.TO_DO, False, False), (S.TO_DO, False, False), (S.UPDATED, True, False), (S.DELETED, True, True),
          (S.TO_DO, False, False)]
COMPARED = ["status", "reasons", "procore_id", "procore_project_id", "published_fingerprint", "published_values",
            "published_payload", "remote_updated_at", "claim_token", "claimed_at", "release_status", "version"]


def _entries(session: Session, site_id: int, prefix: str) -> list[int]:
    rows = [PublishEntry(
        module=PublishModule.MANPOWER, natural_key=f"{prefix}|{number}", job_site_id=site_id, work_date=MON,
        values=VALUES, fingerprint=fingerprint(VALUES), status=status, procore_id=700 + number if was else None,
        published_fingerprint="old" if was else None, published_values={"hours": 7.0} if was else None,
        source_removed_at=GONE if removed else None,
    ) for number, (status, was, removed) in enumerate(SHAPES)]
    session.add_all(rows)
    session.commit()
    return [row.id for row in rows]  # type: ignore[misc]


def _decisions() -> list[Decision]:
    """Published, Failed, its record deleted in Procore (source still there: To do), its record deleted (source
    gone: removed), held."""
    return [
        published(procore_id=42, procore_project_id=5001, sent_values=VALUES, sent_payload={"num_workers": 1},
                  remote_updated_at=datetime(2026, 11, 17, 9, tzinfo=UTC)),
        failed("422: the vendor is inactive"),
        remote_deleted,
        remote_deleted,
        held("Procore already has 8 hours for Ann Lee on this day"),
    ]


def _rows(session: Session, ids: Sequence[int]) -> list[dict[str, Any] | None]:
    """Each entry's compared columns as stored (JSON as its text: SQL NULL and JSON null differ), None if gone."""
    found = {}
    for row in session.connection().execute(select(*(_TABLE.c[name] for name in ["id", *COMPARED])).where(
            _TABLE.c.id.in_(list(ids)))).mappings():
        found[row["id"]] = {name: row[name] for name in COMPARED}
    raw = session.connection().execute(text(
        "SELECT id, published_values IS NULL, published_payload IS NULL FROM publish_entry WHERE id IN ("
        + ", ".join(str(i) for i in ids) + ")"))
    for entry_id, no_values, no_payload in raw:
        found[entry_id] |= {"values null": bool(no_values), "payload null": bool(no_payload)}
    return [found.get(entry_id) for entry_id in ids]


def test_many_claims_end_in_one_call_as_they_would_one_by_one(world, session: Session) -> None:  # type: ignore[no-untyped-def]
    one_by_one, together = _entries(session, world.ids["site"], "a"), _entries(session, world.ids["site"], "b")
    claim_entries(session, entry_ids=one_by_one + together, token="t")
    decisions = _decisions()
    singly = [
        record_published(session, entry_id=one_by_one[0], token="t", procore_id=42, procore_project_id=5001,
                         sent_values=VALUES, sent_payload={"num_workers": 1},
                         remote_updated_at=datetime(2026, 11, 17, 9, tzinfo=UTC)),
        record_failed(session, entry_id=one_by_one[1], token="t", message="422: the vendor is inactive"),
        record_remote_deleted(session, entry_id=one_by_one[2], token="t"),
        record_remote_deleted(session, entry_id=one_by_one[3], token="t"),
        record_held(session, entry_id=one_by_one[4], token="t",
                    message="Procore already has 8 hours for Ann Lee on this day"),
    ]
    at_once = end_claims(session, token="t", decisions=list(zip(together, decisions, strict=True)))
    session.commit()

    assert at_once == singly == [S.PUBLISHED, S.FAILED, S.TO_DO, None, S.NON_PUBLISHABLE]
    assert _rows(session, together) == _rows(session, one_by_one)
    assert _rows(session, together)[3] is None  # its source is gone too: the entry is removed


def test_a_claim_lost_meanwhile_fails_only_its_own_entry(world, session: Session) -> None:  # type: ignore[no-untyped-def]
    first, lost, last = _entries(session, world.ids["site"], "a")[:3]
    claim_entries(session, entry_ids=[first, lost, last], token="t")
    release_claim(session, token="t", entry_ids=[lost])  # e.g. found stale and released by another worker

    outcomes = end_claims(session, token="t", decisions=[(first, failed("x")), (lost, failed("y")),
                                                         (last, failed("z"))])
    session.commit()

    assert outcomes[0] == S.FAILED
    assert isinstance(outcomes[1], ClaimLost)
    assert f"publish entry {lost} is no longer claimed" in str(outcomes[1])
    assert outcomes[2] == S.FAILED
    statuses = dict(session.exec(select(PublishEntry.id, PublishEntry.status).where(
        col(PublishEntry.id).in_([first, lost, last]))).all())
    assert statuses == {first: S.FAILED, lost: S.TO_DO, last: S.FAILED}


def test_an_entry_refreshed_between_the_read_and_the_write_is_read_again(world, session: Session) -> None:  # type: ignore[no-untyped-def]
    [entry_id] = _entries(session, world.ids["site"], "a")[:1]
    claim_entries(session, entry_ids=[entry_id], token="t")
    decide = published(procore_id=42, procore_project_id=5001, sent_values=VALUES, sent_payload=None,
                       remote_updated_at=None)
    seen: list[str] = []

    def refreshed_meanwhile(row: dict[str, Any]) -> dict[str, Any] | None:
        """While the write is decided, a refresh stores new hours (as `refresh_entries` does: a new version)."""
        if not seen:
            changed = {"hours": 9.0, "pay_class_id": None}
            session.connection().execute(update(_TABLE).where(_TABLE.c.id == entry_id).values(
                values=changed, fingerprint=fingerprint(changed), version=_TABLE.c.version + 1))
        seen.append(row["fingerprint"])
        return decide(row)

    [outcome] = end_claims(session, token="t", decisions=[(entry_id, refreshed_meanwhile)])
    session.commit()

    # Procore holds 8 hours while the time clock now says 9: Updated (to publish again), not Published.
    assert outcome == S.UPDATED
    assert seen == [fingerprint(VALUES), fingerprint({"hours": 9.0, "pay_class_id": None})]
    entry = session.get(PublishEntry, entry_id, populate_existing=True)
    assert entry is not None
    assert (entry.status, entry.procore_id, entry.claim_token) == (S.UPDATED, 42, None)
