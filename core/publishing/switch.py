"""Switching between modules that write the same Procore records (Timecard ↔ Timesheet) without double counts.

Turning one on while the other holds Procore records needs a choice, made by
the person switching:

* carry over: the other module's entries that hold a record become the new
  module's, with their record (the same entry, so the same `origin_id` in
  Procore); nothing is created or deleted in Procore;
* unpublish first: an Unpublish run deletes the other module's records from
  Procore (its entries stay, To do), then the switch is made.

Whatever is chosen, a publish never creates a second entry for hours Procore
already has (`core.publishing.guard`).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Table, delete, func, select, update
from sqlalchemy.engine import Engine
from sqlmodel import Session

from core.access import Identity
from core.config import Settings
from core.db import session_scope, utcnow
from core.errors import ValidationError
from core.models.publishing import PublishEntry, PublishModule, PublishStatus
from core.procore.client import ProcoreClient
from core.publishing.report import PublishRequest, RunReport
from core.publishing.status import PublishAction
from core.timeclock.dirty import forget_refreshed

_TABLE: Table = PublishEntry.__table__  # type: ignore[attr-defined]


def published_counts(session: Session) -> dict[PublishModule, int]:
    """Entries holding a Procore record, per module (modules with none are left out)."""
    query = select(_TABLE.c.module, func.count()).where(_TABLE.c.procore_id.is_not(None)).group_by(_TABLE.c.module)
    return {PublishModule(module): int(count) for module, count in session.connection().execute(query)}


def carry_over(session: Session, *, source: PublishModule, target: PublishModule) -> int:
    """Move `source`'s entries holding a record to `target` (see the module docstring); returns how many moved.

    An unpublished `target` entry of the same key gives way. A key both modules hold a record for (hours
    already in Procore twice) stays with `source`, and the guard names it when `target` publishes.

    Raises:
        ValidationError: a publish of either module is running.
    """
    if _claimed(session, source, target):
        raise ValidationError("A publish is running; switch when it has finished.")
    held = select(_TABLE.c.natural_key).where(_TABLE.c.module == source.value, _TABLE.c.procore_id.is_not(None))
    run = session.connection().execute
    run(delete(_TABLE).where(_TABLE.c.module == target.value, _TABLE.c.procore_id.is_(None),
                             _TABLE.c.natural_key.in_(held)))
    taken = select(_TABLE.c.natural_key).where(_TABLE.c.module == target.value)
    moved = run(update(_TABLE).where(
        _TABLE.c.module == source.value, _TABLE.c.procore_id.is_not(None), _TABLE.c.natural_key.not_in(taken),
    ).values(module=target.value, updated_at=utcnow(), version=_TABLE.c.version + 1)).rowcount
    forget_refreshed(session)  # the moved entries are checked against the time clock by the next refresh
    return int(moved)


def _claimed(session: Session, *modules: PublishModule) -> bool:
    query = select(func.count()).where(_TABLE.c.module.in_([m.value for m in modules]),
                                       _TABLE.c.claim_token.is_not(None))
    return bool(session.connection().execute(query).scalar())


def unpublish_all(
    settings: Settings, engine: Engine, *, module: PublishModule, actor: Identity, client: ProcoreClient | None = None,
) -> list[RunReport]:
    """Delete every Procore record `module`'s entries hold (Unpublish, then Publish for Deleted entries).

    Raises:
        ValidationError: some records are still in Procore afterwards (each entry's reason says why).
        PermissionDenied, ConfigurationError: as `publish` raises them.
    """
    from core.publishing.engine import publish

    reports = []
    for action, statuses in ((PublishAction.UNPUBLISH, None), (PublishAction.PUBLISH, [PublishStatus.DELETED])):
        with session_scope(engine) as session:
            window = _held_window(session, module, statuses)
        if window is not None:
            request = PublishRequest(module=module, start=window[0], end=window[1], action=action)
            reports.append(publish(settings, engine, request, actor=actor, client=client))
    with session_scope(engine) as session:
        left = published_counts(session).get(module, 0)
    if left:
        raise ValidationError(f"{left} {module.value} entries are still in Procore (see their reasons on the "
                              "dashboard); nothing was switched.")
    return reports


def _held_window(
    session: Session, module: PublishModule, statuses: list[PublishStatus] | None
) -> tuple[date, date] | None:
    query = select(func.min(_TABLE.c.work_date), func.max(_TABLE.c.work_date)).where(
        _TABLE.c.module == module.value, _TABLE.c.procore_id.is_not(None))
    if statuses is not None:
        query = query.where(_TABLE.c.status.in_([status.value for status in statuses]))
    first, last = session.connection().execute(query).one()
    return None if first is None else (first, last)
