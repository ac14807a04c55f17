from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from core.models import AttemptAction, PublishAttempt, PublishEntry, PublishModule, PublishRun, PublishStatus

MON = date(2026, 11, 16)


def _entry(site_id: int, key: str = "k") -> PublishEntry:
    return PublishEntry(module=PublishModule.MANPOWER, natural_key=key, job_site_id=site_id, work_date=MON,
                        values={"manpower": 1}, fingerprint="f")


def test_one_entry_per_module_and_key(world, session: Session) -> None:  # type: ignore[no-untyped-def]
    session.add(_entry(world.ids["site"]))
    session.commit()
    session.add(_entry(world.ids["site"]))
    with pytest.raises(IntegrityError):
        session.commit()


def test_the_audit_trail_outlives_the_entry_and_the_run(world, session: Session) -> None:  # type: ignore[no-untyped-def]
    entry, run = _entry(world.ids["site"]), PublishRun(module=PublishModule.MANPOWER, action="publish",
                                                       requested_by="admin@example.com")
    session.add_all([entry, run])
    session.commit()
    session.add(PublishAttempt(
        entry_id=entry.id, module=entry.module, natural_key=entry.natural_key, job_site_id=entry.job_site_id,
        work_date=entry.work_date, run_id=run.id, requested_by=run.requested_by, action=AttemptAction.DELETE,
        request_body=None, status_code=200, resulting_status=PublishStatus.DELETED,
    ))
    session.commit()

    session.delete(entry)
    session.delete(run)
    session.commit()

    [attempt] = session.exec(select(PublishAttempt)).all()
    assert (attempt.entry_id, attempt.run_id, attempt.natural_key, attempt.action) == (entry.id, None, "k", "delete")
