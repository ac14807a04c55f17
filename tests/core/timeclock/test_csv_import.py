from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from core.access import Identity
from core.errors import PermissionDenied
from core.models import ProductionQuantity, TimeLog
from core.timeclock.csv_import import CsvImportError, import_production_quantities, import_time_logs
from tests.conftest import identity_with_role

HEADER = "employee_number,job_site_number,cost_code,pay_id,clock_in,clock_out,break_minutes,crew\n"
GOOD_ROWS = (
    "10001,1001,03-300,REG,2026-12-07 07:00,2026-12-07 15:30,30,\n"
    "10001,1001,99-001,OT,2026-12-07 15:30,2026-12-07 17:00,0,\n"
    "10002,1003,01-100,REG,2026-12-07T07:00:00-06:00,2026-12-07T15:00:00-06:00,30,\n"
)


def _count(session: Session, model: type) -> int:
    return int(session.exec(select(func.count()).select_from(model)).one())


@pytest.fixture
def demo_session(demo_engine: Engine) -> Session:
    return Session(demo_engine, expire_on_commit=False)


def test_good_file_imports_every_row_at_job_site_time(demo_session: Session, admin: Identity) -> None:
    before = _count(demo_session, TimeLog)
    result = import_time_logs(demo_session, data=(HEADER + GOOD_ROWS).encode(), actor=admin)
    demo_session.commit()
    assert result.imported == 3
    assert result.message == "Imported 3 time logs."
    assert _count(demo_session, TimeLog) == before + 3
    newest = demo_session.exec(select(TimeLog).order_by(TimeLog.id.desc())).first()  # type: ignore[union-attr]
    assert newest is not None
    assert newest.clock_in.hour == 13


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        pytest.param(
            "99999,1001,03-300,REG,2026-12-08 07:00,2026-12-08 15:00,30,",
            "no employee with number '99999'",
            id="unknown employee",
        ),
        pytest.param(
            "10003,9999,03-300,REG,2026-12-08 07:00,2026-12-08 15:00,30,",
            "no job site with number '9999'",
            id="unknown job site",
        ),
        pytest.param(
            "10003,1001,99-002,REG,2026-12-08 07:00,2026-12-08 15:00,30,",
            "cost code '99-002' is neither a standard code nor one of job site 1001's",
            id="another site's cost code",
        ),
        pytest.param(
            "10003,1001,03-300,XX,2026-12-08 07:00,2026-12-08 15:00,30,",
            "no pay ID 'XX'",
            id="unknown pay ID",
        ),
        pytest.param(
            "10003,1001,03-300,REG,tomorrow,2026-12-08 15:00,30,",
            "clock-in 'tomorrow' is not a date and time",
            id="bad clock-in",
        ),
        pytest.param(
            "10003,1001,03-300,REG,2026-12-08 15:00,2026-12-08 07:00,0,",
            "clock-out must be after clock-in",
            id="out before in",
        ),
        pytest.param(
            "10003,1001,03-300,REG,2026-12-08 07:00,2026-12-09 08:00,0,",
            "longer than 24 hours",
            id="over 24 hours",
        ),
        pytest.param(
            "10003,1001,03-300,REG,2026-12-08 07:00,2026-12-08 15:00,-5,",
            "break minutes cannot be negative",
            id="negative break",
        ),
        pytest.param(
            "10003,1001,03-300,REG,2026-12-08 07:00,2026-12-08 07:20,30,",
            "the break is as long as the time log",
            id="break too long",
        ),
        pytest.param(
            "10003,1001,03-300,REG,2026-12-08 07:00,2026-12-08 15:00,30,Nope",
            "has no crew 'Nope'",
            id="unknown crew",
        ),
    ],
)
def test_one_bad_row_imports_nothing_and_names_its_line(
    demo_session: Session, admin: Identity, row: str, reason: str,
) -> None:
    before = _count(demo_session, TimeLog)
    with pytest.raises(CsvImportError) as raised:
        import_time_logs(demo_session, data=HEADER + GOOD_ROWS + row + "\n", actor=admin)
    demo_session.rollback()
    assert [e.line for e in raised.value.errors] == [5]
    assert reason in "; ".join(raised.value.errors[0].reasons)
    assert _count(demo_session, TimeLog) == before


def test_overlap_with_a_stored_log_is_refused(demo_session: Session, admin: Identity) -> None:
    import_time_logs(demo_session, data=HEADER + GOOD_ROWS, actor=admin)
    demo_session.commit()
    with pytest.raises(CsvImportError, match="line 2: the employee already has a time log that overlaps this one"):
        import_time_logs(demo_session, data=HEADER + GOOD_ROWS.splitlines()[0], actor=admin)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param(b"", "the file is empty", id="empty file"),
        pytest.param(b"\n  \n", "the file is empty", id="blank lines only"),
        pytest.param(HEADER.encode(), "header but no rows", id="header only"),
        pytest.param(b"employee_number,job_site_number\n1,2\n", "missing columns: cost_code, pay_id",
                     id="missing columns"),
        pytest.param((HEADER.strip() + ",salary\n").encode(), "unknown column: salary", id="unknown column"),
        pytest.param(b"\xff\xfe\x00bad", "not UTF-8", id="not text"),
    ],
)
def test_malformed_files_are_refused_at_line_1(
    demo_session: Session, admin: Identity, data: bytes, message: str,
) -> None:
    with pytest.raises(CsvImportError) as raised:
        import_time_logs(demo_session, data=data, actor=admin)
    assert raised.value.errors[0].line == 1
    assert message in str(raised.value)


def test_one_row_is_worded_in_the_singular(demo_session: Session, admin: Identity) -> None:
    one = import_time_logs(demo_session, data=HEADER + GOOD_ROWS.splitlines()[0], actor=admin)
    assert one.message == "Imported 1 time log."
    with pytest.raises(CsvImportError) as raised:
        import_time_logs(demo_session, data=HEADER + GOOD_ROWS.splitlines()[2].replace("REG", "NOPE"), actor=admin)
    assert raised.value.headline == "Nothing was imported: 1 bad row."


def test_production_quantities_all_or_nothing(demo_session: Session, admin: Identity) -> None:
    before = _count(demo_session, ProductionQuantity)
    good = "job_site_number,cost_code,date,units\n1001,03-300,2026-12-07,12.5\n1002,99-002,2026-12-07,3\n"
    assert import_production_quantities(demo_session, data=good, actor=admin).imported == 2
    demo_session.commit()
    bad = good + "1001,03-300,07/12/2026,-1\n1001,nope,2026-12-07,abc\n"
    with pytest.raises(CsvImportError) as raised:
        import_production_quantities(demo_session, data=bad, actor=admin)
    demo_session.rollback()
    assert [e.line for e in raised.value.errors] == [4, 5]
    assert "date '07/12/2026' is not a date" in str(raised.value.errors[0])
    assert "units '-1' must be zero or more" in str(raised.value.errors[0])
    assert "units 'abc' is not a number" in str(raised.value.errors[1])
    assert _count(demo_session, ProductionQuantity) == before + 2


def test_viewer_may_not_upload(demo_session: Session) -> None:
    viewer = identity_with_role(demo_session, "Viewer")
    with pytest.raises(PermissionDenied, match="Edit time logs"):
        import_time_logs(demo_session, data=HEADER + GOOD_ROWS, actor=viewer)


def test_rows_that_overlap_each_other_are_both_named(demo_session: Session, admin: Identity) -> None:
    before = _count(demo_session, TimeLog)
    row = "10001,1001,03-300,REG,2026-12-07 08:00,2026-12-07 09:00,0,\n"
    with pytest.raises(CsvImportError) as raised:
        import_time_logs(demo_session, data=HEADER + GOOD_ROWS + row, actor=admin)
    assert [str(e) for e in raised.value.errors] == ["line 2: overlaps line 5 of this file",
                                                     "line 5: overlaps line 2 of this file"]
    assert _count(demo_session, TimeLog) == before
