"""The audit trail: publish runs and one attempt row per entry and run, written and read here only."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import Table, select
from sqlmodel import Session, col

from core.db import utcnow
from core.models.publishing import (
    AttemptAction,
    PublishAttempt,
    PublishEntry,
    PublishModule,
    PublishRun,
    PublishStatus,
)
from core.publishing.status import label

_ATTEMPTS: Table = PublishAttempt.__table__  # type: ignore[attr-defined]
_ENTRIES: Table = PublishEntry.__table__  # type: ignore[attr-defined]
_INSERT_ATTEMPTS = _ATTEMPTS.insert()  # built once: a run inserts attempts after every batch of writes


def start_run(
    session: Session, *, module: PublishModule, action: str, actor: str, start: date | None, end: date | None
) -> int:
    """A new run row; returns its id."""
    run = PublishRun(module=module, action=action, requested_by=actor, start_date=start, end_date=end)
    session.add(run)
    session.flush()
    assert run.id is not None
    return run.id


def finish_run(session: Session, *, run_id: int, entries: int, succeeded: int, failed: int, skipped: int) -> None:
    run = session.get(PublishRun, run_id)
    if run is None:
        return
    run.entries, run.succeeded, run.failed, run.skipped = entries, succeeded, failed, skipped
    run.finished_at = utcnow()
    session.add(run)


def record_attempts(session: Session, attempts: Sequence[dict[str, Any]]) -> None:
    """Insert attempt rows (PublishAttempt columns as dicts) in one statement."""
    if attempts:
        now = utcnow()
        session.connection().execute(_INSERT_ATTEMPTS, [dict(row) | {"attempted_at": now} for row in attempts])


def entry_status(session: Session, *, entry_id: int) -> PublishStatus | None:
    """The entry's status now (None when it is gone), for an attempt that does not change it."""
    found = session.connection().execute(select(_ENTRIES.c.status).where(_ENTRIES.c.id == entry_id)).scalar()
    return None if found is None else PublishStatus(found)


def attempt_row(
    *, entry: Any, module: PublishModule, run_id: int | None, actor: str, action: AttemptAction,
    body: dict[str, Any] | None, procore_id: int | None, status_code: int | None, message: str | None,
    resulting: PublishStatus | None,
) -> dict[str, Any]:
    """One attempt as the columns `record_attempts` inserts; `entry` is a planned entry."""
    return {
        "entry_id": entry.id, "module": module.value, "natural_key": entry.natural_key,
        "job_site_id": entry.job_site_id, "work_date": entry.work_date, "run_id": run_id, "requested_by": actor,
        "action": action.value, "request_body": body, "procore_id": procore_id, "status_code": status_code,
        "message": (message or None) and message[:2000],
        # An entry removed after its record was deleted keeps "deleted" as the result of its last attempt.
        "resulting_status": (resulting or PublishStatus.DELETED).value,
    }


_ATTEMPT_COLUMNS = ["attempted_at", "requested_by", "action", "status_code", "message", "resulting_status",
                    "procore_id", "request_body", "entry_id", "natural_key", "work_date", "run_id"]


def attempts_frame(session: Session, *, entry_id: int | None = None, run_id: int | None = None,
                   limit: int = 500) -> pd.DataFrame:
    """Attempts of one entry or one run, newest first, with the resulting status labelled."""
    query = select(*(_ATTEMPTS.c[name] for name in _ATTEMPT_COLUMNS)).order_by(_ATTEMPTS.c.id.desc()).limit(limit)
    if entry_id is not None:
        query = query.where(_ATTEMPTS.c.entry_id == entry_id)
    if run_id is not None:
        query = query.where(_ATTEMPTS.c.run_id == run_id)
    frame = pd.DataFrame(session.connection().execute(query).all(), columns=_ATTEMPT_COLUMNS)
    frame["result"] = frame["resulting_status"].map(label)
    return frame


def runs_frame(session: Session, *, module: PublishModule | None = None, limit: int = 50) -> pd.DataFrame:
    """The latest runs, newest first."""
    query = select(PublishRun).order_by(col(PublishRun.id).desc()).limit(limit)
    if module is not None:
        query = query.where(col(PublishRun.module) == module)
    runs = session.exec(query).all()  # type: ignore[call-overload]
    return pd.DataFrame([run.model_dump() for run in runs],
                        columns=list(PublishRun.model_fields))
