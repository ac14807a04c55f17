from __future__ import annotations

from datetime import time, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from core.access import Identity
from core.errors import NotFoundError, PermissionDenied, ValidationError
from core.models import CostCode, TimeLog
from core.models.timeclock import TimeLogUpdate
from core.timeclock import edits, forms, queries
from tests.conftest import DEMO_END, identity_with_role


@pytest.fixture
def demo_session(demo_engine: Engine) -> Session:
    return Session(demo_engine, expire_on_commit=False)


def _a_log(session: Session) -> TimeLog:
    log = session.exec(select(TimeLog).where(col(TimeLog.clock_out).is_not(None)).order_by(col(TimeLog.id))).first()
    assert log is not None
    return log


def test_edit_changes_the_log_and_moves_updated_at(demo_session: Session, admin: Identity) -> None:
    log = _a_log(demo_session)
    before = log.updated_at
    edits.update_time_log(demo_session, log_id=log.id, changes=TimeLogUpdate(break_minutes=45), actor=admin)  # type: ignore[arg-type]
    demo_session.commit()
    demo_session.expire_all()
    stored = demo_session.get(TimeLog, log.id)
    assert stored is not None
    assert stored.break_minutes == 45
    assert stored.updated_at > before


def test_bad_edit_changes_nothing_and_lists_every_problem(demo_session: Session, admin: Identity) -> None:
    log = _a_log(demo_session)
    other_site_code = demo_session.exec(
        select(CostCode).where(CostCode.job_site_id.is_not(None), CostCode.job_site_id != log.job_site_id)  # type: ignore[union-attr]
    ).first()
    assert other_site_code is not None
    bad = TimeLogUpdate(clock_out=log.clock_in - timedelta(hours=1), cost_code_id=other_site_code.id)
    with pytest.raises(ValidationError) as raised:
        edits.update_time_log(demo_session, log_id=log.id, changes=bad, actor=admin)  # type: ignore[arg-type]
    assert "clock-out must be after clock-in" in str(raised.value)
    assert "belongs to another job site" in str(raised.value)
    demo_session.rollback()
    stored = demo_session.get(TimeLog, log.id)
    assert stored is not None
    assert stored.clock_out == log.clock_out
    assert stored.cost_code_id == log.cost_code_id


def test_delete_is_soft_and_hides_the_log(demo_session: Session, admin: Identity) -> None:
    log = _a_log(demo_session)
    day = queries.time_log_frame(demo_session, start=DEMO_END - timedelta(days=30), end=DEMO_END)
    assert log.id in set(day["id"])
    edits.delete_time_log(demo_session, log_id=log.id, actor=admin)  # type: ignore[arg-type]
    demo_session.commit()
    assert demo_session.get(TimeLog, log.id).deleted_at is not None  # type: ignore[union-attr]
    after = queries.time_log_frame(demo_session, start=DEMO_END - timedelta(days=30), end=DEMO_END)
    assert log.id not in set(after["id"])
    assert len(after) == len(day) - 1
    with pytest.raises(NotFoundError):
        edits.delete_time_log(demo_session, log_id=log.id, actor=admin)  # type: ignore[arg-type]


def test_viewer_cannot_edit_or_delete(demo_session: Session) -> None:
    viewer = identity_with_role(demo_session, "Viewer")
    log = _a_log(demo_session)
    with pytest.raises(PermissionDenied):
        edits.delete_time_log(demo_session, log_id=log.id, actor=viewer)  # type: ignore[arg-type]


def test_form_round_trip_uses_job_site_wall_clock(demo_session: Session, admin: Identity) -> None:
    log = _a_log(demo_session)
    form = forms.load_form(demo_session, log_id=log.id)  # type: ignore[arg-type]
    form.clock_in_time = time(6, 0)
    forms.save_form(demo_session, form=form, actor=admin)
    demo_session.commit()
    reloaded = forms.load_form(demo_session, log_id=log.id)  # type: ignore[arg-type]
    assert reloaded.clock_in_time == time(6, 0)
    assert reloaded.clock_in_date == form.clock_in_date
