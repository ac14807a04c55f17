"""Claims on publish entries, and the outcomes a publisher records when its claim ends.

`claim_entries` moves entries to Publishing with one UPDATE whose WHERE clause
checks the status and that nobody holds a claim, so of two publishers
(threads or processes) racing for an entry exactly one gets it; the other's
UPDATE matches no row. A claim ends with exactly one of `record_published`,
`record_remote_deleted`, `record_failed` or `release_claim`. Each of them
writes with a guard on the claim token and the entry's version, and tries
again when a refresh changed the entry in between. `end_claims` ends many
claims with the same decisions (`published`, `failed`, `held`,
`remote_deleted`) in one read of their rows and one guarded write each.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import ColumnElement, String, Table, Update, and_, bindparam, cast, delete, not_, or_, select, update
from sqlmodel import Session

from core.db import utcnow
from core.errors import ProcoreConnectError
from core.models.publishing import PublishEntry, PublishStatus
from core.publishing.modules import fingerprint
from core.publishing.plan import CHANGED_IN_PROCORE, HELD
from core.publishing.status import (
    FAILED,
    NON_PUBLISHABLE,
    PUBLISHING,
    TO_DO,
    Draft,
    Facts,
    PublishAction,
    claimable,
    settled_status,
    transition,
)

_TABLE: Table = PublishEntry.__table__  # type: ignore[attr-defined]
_ATTEMPTS = 5


class ClaimLost(ProcoreConnectError):
    """The entry is no longer claimed with this token (released, or removed)."""


def claim_entries(
    session: Session, *, entry_ids: Collection[int], token: str, action: PublishAction = PublishAction.PUBLISH
) -> list[int]:
    """Claim the entries among `entry_ids` that `action` may publish; returns the ids now claimed by `token`.

    Each claimed entry moves to Publishing and remembers its status for a
    release. Entries already claimed, or in a status the action does not offer,
    are left alone. Commit promptly: the claim is what other publishers see.
    """
    if not entry_ids:
        return []
    now = utcnow()
    ids = list(entry_ids)
    session.connection().execute(
        update(_TABLE)
        .where(_TABLE.c.id.in_(ids), claim_condition(action), _TABLE.c.claim_token.is_(None))
        .values(
            status=PUBLISHING.value, release_status=_TABLE.c.status, claim_token=token, claimed_at=now,
            updated_at=now, version=_TABLE.c.version + 1,
        )
    )
    query = select(_TABLE.c.id).where(_TABLE.c.id.in_(ids), _TABLE.c.claim_token == token).order_by(_TABLE.c.id)
    return [int(entry_id) for entry_id in session.connection().execute(query).scalars()]


def claim_condition(action: PublishAction) -> ColumnElement[bool]:
    """Which entries `action` takes: those in the statuses it claims, with two refinements by reason.

    A force publish also takes Non publishable entries held only because Procore already has the person's
    hours from elsewhere. A Failed entry refused because its record changed in Procore is left to Force
    publish and Keep Procore's version (which takes nothing else): Republish would only repeat the refusal.
    """
    status, reasons = _TABLE.c.status, cast(_TABLE.c.reasons, String)
    condition: ColumnElement[bool] = status.in_(sorted(s.value for s in claimable(action)))
    changed = or_(*(reasons.contains(marker, autoescape=True) for marker in CHANGED_IN_PROCORE))
    if action is PublishAction.FORCE_PUBLISH:
        condition = or_(condition, and_(status == NON_PUBLISHABLE.value, reasons.contains(HELD, autoescape=True)))
    elif action is PublishAction.REPUBLISH:
        condition = and_(condition, or_(status != FAILED.value, not_(changed)))
    elif action is PublishAction.KEEP_PROCORE:
        condition = and_(condition, changed)
    return condition


Decision = Callable[[dict[str, Any]], dict[str, Any] | None]  # a claimed row → its new columns, or None: remove it


def record_held(session: Session, *, entry_id: int, token: str, message: str) -> PublishStatus:
    """Procore already has the person's hours from elsewhere: end the claim as Non publishable with `message`."""
    status = _end_claim(session, entry_id, token, held(message))
    assert status is not None
    return status


def held(message: str) -> Decision:
    """The decision of `record_held`."""
    return lambda row: _moved(row, NON_PUBLISHABLE, reasons=[message])


def record_published(
    session: Session,
    *,
    entry_id: int,
    token: str,
    procore_id: int,
    procore_project_id: int,
    sent_values: dict[str, Any],
    sent_payload: dict[str, Any] | None = None,
    remote_updated_at: datetime | None = None,
) -> PublishStatus:
    """Procore holds `sent_values` (written as the Procore fields `sent_payload`); end the claim.

    Published, or Updated when the source changed while the write was in
    flight, or Deleted when the source went meanwhile.
    """
    status = _end_claim(session, entry_id, token, published(
        procore_id=procore_id, procore_project_id=procore_project_id, sent_values=sent_values,
        sent_payload=sent_payload, remote_updated_at=remote_updated_at))
    assert status is not None
    return status


def published(
    *, procore_id: int, procore_project_id: int, sent_values: dict[str, Any], sent_payload: dict[str, Any] | None,
    remote_updated_at: datetime | None,
) -> Decision:
    """The decision of `record_published`."""
    sent = fingerprint(sent_values)

    def decide(row: dict[str, Any]) -> dict[str, Any]:
        facts = Facts(
            in_source=row["source_removed_at"] is None, published=True, matches_published=row["fingerprint"] == sent
        )
        status, now = settled_status(facts), utcnow()
        assert status is not None  # an entry with a Procore record is never simply removed
        return _moved(row, status) | {
            "procore_id": procore_id, "procore_project_id": procore_project_id, "published_values": sent_values,
            "published_payload": sent_payload, "published_fingerprint": sent, "published_at": now,
            "remote_updated_at": remote_updated_at,
        }

    return decide


def record_failed(session: Session, *, entry_id: int, token: str, message: str) -> PublishStatus:
    """Procore refused the write, or its outcome is unknown; end the claim as Failed with `message`."""
    status = _end_claim(session, entry_id, token, failed(message))
    assert status is not None
    return status


def failed(message: str) -> Decision:
    """The decision of `record_failed`."""
    return lambda row: _moved(row, FAILED, reasons=[message])


def record_remote_deleted(session: Session, *, entry_id: int, token: str) -> PublishStatus | None:
    """Procore deleted the entry's record; the entry is removed, or To do if its source came back meanwhile."""
    return _end_claim(session, entry_id, token, remote_deleted)


def remote_deleted(row: dict[str, Any]) -> dict[str, Any] | None:
    """The decision of `record_remote_deleted`."""
    if row["source_removed_at"] is not None:
        return None
    return _moved(row, TO_DO) | {
        "procore_id": None, "procore_project_id": None, "published_values": None,
        "published_payload": None, "published_fingerprint": None, "published_at": None, "remote_updated_at": None,
    }


def end_claims(
    session: Session, *, token: str, decisions: Sequence[tuple[int, Decision]]
) -> list[PublishStatus | None | ClaimLost]:
    """End the claims of `token` on many entries, each by its decision; one outcome per decision, in order.

    What `_end_claim` does for one entry, with one read of all the rows and one guarded write each through
    a statement built once per set of columns (building and keying statements cost more CPU than running
    them). An entry no longer claimed gets `ClaimLost`; one changed since the read (its version moved)
    goes through `_end_claim` and its retries alone.
    """
    if not decisions:
        return []
    found = session.connection().execute(_CLAIMED_ROWS, {"entry_ids": [entry_id for entry_id, _ in decisions],
                                                         "token": token})
    rows = {int(row[0]): dict(zip(_COLUMNS, row, strict=True)) for row in found}
    outcomes: list[PublishStatus | None | ClaimLost] = []
    for entry_id, decide in decisions:
        row = rows.pop(entry_id, None)
        try:
            if row is None:
                raise _claim_lost(entry_id)
            written, status = _write(session, entry_id, token, row, decide)
            outcomes.append(status if written else _end_claim(session, entry_id, token, decide))
        except ClaimLost as lost:
            outcomes.append(lost)
    session.expire_all()
    return outcomes


def release_claim(session: Session, *, token: str, entry_ids: Collection[int] | None = None) -> int:
    """End claims of `token` without a write: each entry returns to where it stands now. Returns how many.

    A claim someone else ended meanwhile (another publisher releasing the same
    stale claims) is already where a release would leave it: it is skipped.
    """
    query = select(_TABLE.c.id).where(_TABLE.c.claim_token == token)
    if entry_ids is not None:
        query = query.where(_TABLE.c.id.in_(list(entry_ids)))
    released = 0
    for entry_id in list(session.connection().execute(query).scalars()):
        try:
            _end_claim(session, entry_id, token, _released)
        except ClaimLost:
            continue
        released += 1
    return released


def touch_claims(session: Session, *, token: str) -> int:
    """Mark the claims of `token` as alive now (a long run calls this so others do not think it died)."""
    statement = update(_TABLE).where(_TABLE.c.claim_token == token).values(claimed_at=utcnow())
    return int(session.connection().execute(statement).rowcount)


def release_stale_claims(session: Session, *, older_than: timedelta) -> int:
    """Release claims not touched for `older_than` (their publisher crashed or was stopped); returns how many.

    Safe because every publish looks for its entries in Procore before creating
    them: a write that landed before the crash is found and adopted.
    """
    cutoff = utcnow() - older_than
    query = select(_TABLE.c.claim_token).where(_TABLE.c.claim_token.is_not(None), _TABLE.c.claimed_at < cutoff)
    tokens = set(session.connection().execute(query).scalars())
    return sum(release_claim(session, token=token) for token in tokens)


def _released(row: dict[str, Any]) -> dict[str, Any] | None:
    if row["procore_id"] is None and row["source_removed_at"] is not None:
        return None  # never published and its source is gone: nothing left to publish
    return _moved(row, PublishStatus(row["release_status"] or TO_DO), reasons=row["reasons"])


def _moved(row: dict[str, Any], to: PublishStatus, *, reasons: list[str] | None = None) -> dict[str, Any]:
    draft = Draft(PublishStatus(row["status"]), list(row["reasons"] or []))
    transition(draft, to, reasons=reasons)
    return {"status": draft.status.value, "reasons": draft.reasons}


# What deciding reads of a claimed entry, and the statements that end a claim: built once (see `end_claims`).
_COLUMNS = ["id", "status", "reasons", "fingerprint", "procore_id", "source_removed_at", "release_status", "version"]
_CLAIMED_ROW = select(*(_TABLE.c[name] for name in _COLUMNS)).where(
    _TABLE.c.id == bindparam("entry_id"), _TABLE.c.claim_token == bindparam("token"))
_CLAIMED_ROWS = select(*(_TABLE.c[name] for name in _COLUMNS)).where(
    _TABLE.c.id.in_(bindparam("entry_ids", expanding=True)), _TABLE.c.claim_token == bindparam("token"))
_GUARD = (_TABLE.c.id == bindparam("guard_id"), _TABLE.c.claim_token == bindparam("guard_token"),
          _TABLE.c.version == bindparam("guard_version"))
_REMOVE = delete(_TABLE).where(*_GUARD)


def _end_claim(session: Session, entry_id: int, token: str, decide: Decision) -> PublishStatus | None:
    """Apply `decide(row)` (new column values, or None to remove the entry) to a claimed entry, guarded."""
    for _ in range(_ATTEMPTS):
        found = session.connection().execute(_CLAIMED_ROW, {"entry_id": entry_id, "token": token}).first()
        if found is None:
            raise _claim_lost(entry_id)
        written, status = _write(session, entry_id, token, dict(zip(_COLUMNS, found, strict=True)), decide)
        if written:
            session.expire_all()
            return status
    raise ProcoreConnectError(f"publish entry {entry_id} kept changing while its claim was ending; try again")


def _write(
    session: Session, entry_id: int, token: str, row: dict[str, Any], decide: Decision
) -> tuple[bool, PublishStatus | None]:
    """One guarded write of `decide(row)`: (written, the entry's status after it; None once removed). Not
    written when the entry changed since `row` was read (its version moved) or its claim ended."""
    guard = {"guard_id": entry_id, "guard_token": token, "guard_version": row["version"]}
    changes = decide(row)
    if changes is None:
        return session.connection().execute(_REMOVE, guard).rowcount == 1, None
    values = changes | {"claim_token": None, "claimed_at": None, "release_status": None, "updated_at": utcnow()}
    statement = _guarded_update(tuple(sorted(values)))
    written = session.connection().execute(statement, guard | {f"new_{name}": value for name, value in values.items()})
    return written.rowcount == 1, PublishStatus(changes["status"])


@cache
def _guarded_update(columns: tuple[str, ...]) -> Update:
    """The guarded UPDATE that sets `columns` (from parameters named `new_<column>`) and moves the version."""
    values: dict[str, Any] = {name: bindparam(f"new_{name}", type_=_TABLE.c[name].type) for name in columns}
    return update(_TABLE).where(*_GUARD).values(values | {"version": _TABLE.c.version + 1})


def _claim_lost(entry_id: int) -> ClaimLost:
    return ClaimLost(f"publish entry {entry_id} is no longer claimed by this publisher")
