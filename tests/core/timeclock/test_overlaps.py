"""The edit service and CSV import judge overlaps alike (issue 16 item 6), open logs included."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from core.access import Identity
from core.errors import ValidationError
from core.models import JobSite, TimeLog
from core.models.timeclock import TimeLogUpdate
from core.timeclock.csv_import import CsvImportError, import_time_logs
from core.timeclock.edits import update_time_log
from core.timeclock.rules import OVERLAPS_STORED, local_to_utc

HEADER = "employee_number,job_site_number,cost_code,pay_id,clock_in,clock_out,break_minutes\n"
STORED = "2026-12-08 08:00", "2026-12-08 16:00"
ELSEWHERE = "2026-12-01 08:00", "2026-12-01 09:00"  # where the edited log starts: before the stored one

CASES = [
    pytest.param(STORED, ("2026-12-08 16:00", "2026-12-08 18:00"), False, id="starts as the stored one ends"),
    pytest.param(STORED, ("2026-12-08 06:00", "2026-12-08 08:00"), False, id="ends as the stored one starts"),
    pytest.param(STORED, ("2026-12-08 15:00", "2026-12-08 18:00"), True, id="shares an hour"),
    pytest.param(STORED, ("2026-12-08 07:00", ""), True, id="open, clocked in before the stored one"),
    pytest.param(STORED, ("2026-12-08 17:00", ""), False, id="open, clocked in after the stored one"),
    pytest.param(("2026-12-08 08:00", ""), ("2026-12-09 08:00", "2026-12-09 16:00"), True,
                 id="after a stored log still open"),
    pytest.param(("2026-12-08 08:00", ""), ("2026-12-08 06:00", "2026-12-08 07:00"), False,
                 id="before a stored log still open"),
]


def _row(times: tuple[str, str]) -> str:
    return f"10003,1001,03-300,REG,{times[0]},{times[1]},0\n"


def _logs(session: Session) -> int:
    return int(session.exec(select(func.count()).select_from(TimeLog)).one())


@pytest.mark.parametrize(("stored", "candidate", "clash"), CASES)
def test_csv_import_refuses_exactly_the_overlaps_the_rules_name(
    demo_engine: Engine, session: Session, admin: Identity, stored: tuple[str, str], candidate: tuple[str, str],
    clash: bool,
) -> None:
    import_time_logs(session, data=HEADER + _row(stored), actor=admin)
    before = _logs(session)
    if clash:
        with pytest.raises(CsvImportError, match=f"line 2: {OVERLAPS_STORED}"):
            import_time_logs(session, data=HEADER + _row(candidate), actor=admin)
        assert _logs(session) == before
    else:
        assert import_time_logs(session, data=HEADER + _row(candidate), actor=admin).imported == 1


@pytest.mark.parametrize(("stored", "candidate", "clash"), CASES)
def test_the_edit_service_refuses_the_same_overlaps(
    demo_engine: Engine, session: Session, admin: Identity, stored: tuple[str, str], candidate: tuple[str, str],
    clash: bool,
) -> None:
    import_time_logs(session, data=HEADER + _row(stored) + _row(ELSEWHERE), actor=admin)
    edited = session.exec(select(TimeLog).order_by(col(TimeLog.id).desc())).first()
    assert edited is not None
    kept = edited.model_dump()
    site = session.exec(select(JobSite.time_zone).where(JobSite.number == "1001")).one()
    clock_in, clock_out = (local_to_utc(datetime.fromisoformat(text), site) if text else None for text in candidate)
    changes = TimeLogUpdate(clock_in=clock_in, clock_out=clock_out)
    if clash:
        with pytest.raises(ValidationError, match=OVERLAPS_STORED):
            update_time_log(session, log_id=edited.id, changes=changes, actor=admin)  # type: ignore[arg-type]
        session.refresh(edited)
        assert edited.model_dump() == kept
    else:
        update_time_log(session, log_id=edited.id, changes=changes, actor=admin)  # type: ignore[arg-type]
