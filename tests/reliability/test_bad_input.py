"""Bad input a person gives (CSV files, the time-log form) is refused with a clear message and changes nothing."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from datetime import date, time, timedelta
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from core.access import Identity
from core.db import utcnow
from core.errors import ValidationError
from core.models import CostCode, Crew, ProductionQuantity, TimeLog
from core.timeclock.csv_import import MAX_BYTES, CsvImportError, import_production_quantities, import_time_logs
from core.timeclock.forms import TimeLogForm, load_form, save_form
from core.timeclock.rules import latest_date

TIME_LOG_HEADER = "employee_number,job_site_number,cost_code,pay_id,clock_in,clock_out,break_minutes"
GOOD_TIME_LOGS = (
    "10001,1001,03-300,REG,2026-12-07 07:00,2026-12-07 15:30,30",
    "10001,1001,03-300,OT,2026-12-07 15:30,2026-12-07 17:00,0",
)
BAD_TIME_LOGS = (
    ("99999,1001,03-300,REG,2026-12-08 07:00,2026-12-08 15:00,30", "no employee with number '99999'"),
    ("10002,1001,03-300,REG,2026-12-08 15:00,2026-12-08 07:00,0", "clock-out must be after clock-in"),
    ("10003,1001,03-300,REG,2026-13-40 07:00,2026-12-08 15:00,30",
     "clock-in '2026-13-40 07:00' is not a date and time like 2026-11-02 07:00 or 2026-11-02T07:00-06:00"),
    ("10004,1001,03-300,REG,2026-12-08 07:00,2026-12-08 15:00,half an hour",
     "break minutes 'half an hour' is not a whole number"),
)
QUANTITY_HEADER = "job_site_number,cost_code,date,units"
GOOD_QUANTITIES = ("1001,03-300,2026-12-07,12", "1002,03-300,2026-12-07,3.5")
BAD_QUANTITIES = (
    ("1001,03-300,12/07/2026,4", "date '12/07/2026' is not a date like 2026-11-02"),
    ("1001,03-300,2026-12-08,a dozen", "units 'a dozen' is not a number"),
    ("9999,03-300,2026-12-08,4", "no job site with number '9999'"),
)


def _count(session: Session, model: type) -> int:
    return int(session.exec(select(func.count()).select_from(model)).one())


def _interleaved(header: str, good: tuple[str, ...], bad: tuple[tuple[str, str], ...]) -> tuple[str, list[str]]:
    """A file with a good row before each bad one; returns it and the "line N: reason" each bad row must get."""
    lines, expected = [header], []
    for n, (row, reason) in enumerate(bad):
        lines += [good[n % len(good)].replace("2026-12-07", f"2026-12-{10 + n}"), row]
        expected.append(f"line {len(lines)}: {reason}")
    return "\n".join(lines) + "\n", expected


@pytest.mark.parametrize(
    ("importer", "model", "header", "good", "bad"),
    [
        pytest.param(import_time_logs, TimeLog, TIME_LOG_HEADER, GOOD_TIME_LOGS, BAD_TIME_LOGS, id="time logs"),
        pytest.param(import_production_quantities, ProductionQuantity, QUANTITY_HEADER, GOOD_QUANTITIES,
                     BAD_QUANTITIES, id="production quantities"),
    ],
)
def test_a_file_with_bad_rows_imports_nothing_and_names_each_bad_line_and_its_problem(
    demo_engine: Engine, session: Session, admin: Identity, importer: Callable[..., Any], model: type,
    header: str, good: tuple[str, ...], bad: tuple[tuple[str, str], ...],
) -> None:
    data, expected = _interleaved(header, good, bad)
    before = _count(session, model)

    with pytest.raises(CsvImportError) as raised:
        importer(session, data=data, actor=admin)

    message = str(raised.value)
    assert message.startswith(f"Nothing was imported: {len(bad)} bad row{'' if len(bad) == 1 else 's'}.")
    assert message.splitlines()[1:] == expected
    assert _count(session, model) == before  # counted in the same session: nothing was even flushed


@pytest.mark.parametrize(
    ("importer", "data", "message"),
    [
        pytest.param(import_time_logs, TIME_LOG_HEADER.removesuffix(",break_minutes") + "\n" +
                     GOOD_TIME_LOGS[0].rsplit(",", 1)[0] + "\n",
                     "line 1: missing column: break_minutes", id="time logs without break_minutes"),
        pytest.param(import_production_quantities, "job_site_number,cost_code,units\n1001,03-300,12\n",
                     "line 1: missing column: date", id="quantities without date"),
    ],
)
def test_a_file_missing_a_column_is_refused_at_its_header_and_imports_nothing(
    demo_engine: Engine, session: Session, admin: Identity, importer: Callable[..., Any], data: str, message: str
) -> None:
    before = _count(session, TimeLog), _count(session, ProductionQuantity)

    with pytest.raises(CsvImportError, match=re.escape(message)):
        importer(session, data=data, actor=admin)

    assert (_count(session, TimeLog), _count(session, ProductionQuantity)) == before


def _other_site_code(session: Session, form: TimeLogForm) -> dict[str, Any]:
    code = session.exec(select(CostCode).where(col(CostCode.job_site_id).is_not(None),
                                               CostCode.job_site_id != form.job_site_id)).first()
    assert code is not None
    return {"cost_code_id": code.id}


def _other_company_crew(session: Session, form: TimeLogForm) -> dict[str, Any]:
    crew = session.exec(select(Crew).where(Crew.company_id != form.company_id)).first()
    assert crew is not None
    return {"crew_id": crew.id}


def _over_another_log(session: Session, form: TimeLogForm) -> dict[str, Any]:
    """The times of another log of the same employee at the same job site."""
    other = session.exec(select(TimeLog).where(
        TimeLog.employee_id == form.employee_id, TimeLog.job_site_id == form.job_site_id, TimeLog.id != form.log_id,
        col(TimeLog.clock_out).is_not(None),
    )).first()
    assert other is not None
    assert other.id is not None
    theirs = load_form(session, log_id=other.id)
    return {name: getattr(theirs, name) for name in ("clock_in_date", "clock_in_time",
                                                      "clock_out_date", "clock_out_time", "break_minutes")}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        pytest.param(lambda s, f: {"clock_out_date": f.clock_in_date, "clock_out_time": time(0, 1)},
                     "The time log was not saved: clock-out must be after clock-in.", id="clock-out before clock-in"),
        pytest.param(lambda s, f: {"clock_out_date": f.clock_in_date + timedelta(days=2),
                                   "clock_out_time": f.clock_in_time},
                     "a time log cannot be longer than 24 hours", id="longer than a day"),
        pytest.param(lambda s, f: {"break_minutes": 24 * 60},
                     "the break is as long as the time log or longer", id="break longer than the log"),
        pytest.param(lambda s, f: {"employee_id": 999_999}, "employee 999999 does not exist", id="unknown employee"),
        pytest.param(lambda s, f: {"company_id": 999_999, "crew_id": None}, "company 999999 does not exist",
                     id="unknown company"),
        pytest.param(lambda s, f: {"job_site_id": 999_999}, "Job site 999999 does not exist.", id="unknown job site"),
        pytest.param(_other_site_code, "belongs to another job site", id="another job site's cost code"),
        pytest.param(_other_company_crew, "belongs to another company", id="another company's crew"),
        pytest.param(_over_another_log, "the employee already has a time log that overlaps this one",
                     id="overlaps another log"),
        pytest.param(lambda s, f: {"break_minutes": -5}, "break minutes cannot be negative", id="negative break"),
    ],
)
def test_bad_form_values_are_refused_with_their_problem_and_leave_the_log_as_it_was(
    demo_engine: Engine, session: Session, admin: Identity,
    change: Callable[[Session, TimeLogForm], dict[str, Any]], message: str,
) -> None:
    log_id, stored = _first_closed_log(session)
    form = load_form(session, log_id=log_id)
    edited = dataclasses.replace(form, **change(session, form))

    with pytest.raises(ValidationError, match=re.escape(message)):
        save_form(session, form=edited, actor=admin)

    session.rollback()
    _assert_unchanged(demo_engine, log_id, stored)


def _first_closed_log(session: Session) -> tuple[int, dict[str, Any]]:
    """The id and stored values of the first closed time log."""
    log = session.exec(select(TimeLog).where(col(TimeLog.clock_out).is_not(None)).order_by(col(TimeLog.id))).first()
    assert log is not None
    assert log.id is not None
    return log.id, log.model_dump()


def _assert_unchanged(engine: Engine, log_id: int, stored: dict[str, Any]) -> None:
    with Session(engine) as fresh:
        log = fresh.get(TimeLog, log_id)
        assert log is not None
        assert log.model_dump() == stored


LATEST = "<latest>"  # the last date allowed, filled in when the test runs (a run may cross midnight)


def _window() -> str:
    return f"is outside 2000-01-01 to {LATEST}"


def _log(clock_in: str = "2026-12-08 07:00", clock_out: str = "2026-12-08 15:00", brk: str = "30",
         employee: str = "10003") -> str:
    return f"{employee},1001,03-300,REG,{clock_in},{clock_out},{brk}"


# Regression tests for issue 20: each of these crashed the import or was imported.
HOSTILE_TIME_LOGS = [
    pytest.param(_log(employee="1" * 200_000), ["line 2: the file cannot be read on from here: field larger than "
                                                "field limit (131072)"], id="200 KB field"),
    pytest.param(_log("9999-12-31 07:00", "9999-12-31 15:00"), [f"line 2: clock-in 9999-12-31 {_window()}; "
                                                                f"clock-out 9999-12-31 {_window()}"], id="year 9999"),
    pytest.param(_log("0001-01-01 07:00", "0001-01-01 15:00"), [f"line 2: clock-in 0001-01-01 {_window()}; "
                                                                f"clock-out 0001-01-01 {_window()}"], id="year 1"),
    pytest.param(_log(brk="100000000000000000000"), ["line 2: break minutes cannot be more than 1440"],
                 id="break of 10^20 minutes"),
    pytest.param(_log(clock_in="2026-12-08\x0007:00"),
                 ["line 2: clock_in contains a control character (such as NUL or a tab)"], id="NUL in a date-time"),
    pytest.param(_log(employee='"100\n03"'), ["line 3: employee_number contains a control character (such as NUL or "
                                              "a tab); no employee with number '100\\x0a03'"],
                 id="a line break inside a quoted cell"),
    pytest.param(_log().rsplit(",", 1)[0], ["line 2: the row has 6 fields; the header has 7"], id="short row"),
    pytest.param(_log() + ",extra", ["line 2: the row has 8 fields; the header has 7"], id="long row"),
    pytest.param(_log(employee="=CMD()"), ["line 2: no employee with number '=CMD()'"], id="formula as a number"),
    pytest.param(_log(employee="9" * 5000, clock_in="tomorrow"),
                 ["line 2: no employee with number '" + "9" * 40 + "…'; clock-in 'tomorrow' is not a date and time "
                  "like 2026-11-02 07:00 or 2026-11-02T07:00-06:00"], id="two problems, one a 5,000-character number"),
    pytest.param(_log(clock_out="", brk="-1"), ["line 2: break minutes cannot be negative"],
                 id="open log with a negative break"),
]
HOSTILE_QUANTITIES = [
    pytest.param("1001,03-300,2026-12-08,1e400,", ["line 2: units '1e400' must be zero or more and less than "
                                                  "100,000,000,000"], id="1e400"),
    pytest.param("1001,03-300,2026-12-08,1e20,", ["line 2: units '1e20' must be zero or more and less than "
                                                 "100,000,000,000"], id="1e20, beyond Numeric(14, 3)"),
    pytest.param("1001,03-300,2026-12-08,NaN,", ["line 2: units 'NaN' must be zero or more and less than "
                                                "100,000,000,000"], id="NaN"),
    pytest.param("1001,03-300,2026-12-08,1.2345,", ["line 2: units '1.2345' has more than 3 decimal places"],
                 id="more decimals than the column keeps"),
    pytest.param("1001,03-300,2026-12-08,4,=CMD()", ["line 2: unit_of_measure '=CMD()' starts with '=', which "
                                                     "spreadsheets run as a formula"], id="formula text"),
    pytest.param("1001,03-300,2026-12-08,4," + "M" * 5000, ["line 2: unit_of_measure is 5,000 characters long; it "
                                                             "holds at most 20"], id="5,000-character unit"),
    pytest.param("1001,03-300,0001-01-01,4,EA", [f"line 2: date 0001-01-01 {_window()}"], id="year 1"),
    pytest.param("1001,03-300,9999-12-31,4,EA", [f"line 2: date 9999-12-31 {_window()}"], id="year 9999"),
    pytest.param("9999,03-300,2026-12-08,-1,EA", ["line 2: no job site with number '9999'; units '-1' must be zero "
                                                  "or more and less than 100,000,000,000"], id="two problems"),
]


@pytest.mark.parametrize(
    ("importer", "header", "row", "expected"),
    [*(pytest.param(import_time_logs, TIME_LOG_HEADER, *case.values, id=f"time logs: {case.id}")
       for case in HOSTILE_TIME_LOGS),
     *(pytest.param(import_production_quantities, QUANTITY_HEADER + ",unit_of_measure", *case.values,
                    id=f"quantities: {case.id}") for case in HOSTILE_QUANTITIES)],
)
def test_hostile_cells_are_refused_with_every_problem_and_change_nothing(
    demo_engine: Engine, session: Session, admin: Identity, importer: Callable[..., Any], header: str, row: str,
    expected: list[str],
) -> None:
    before = _count(session, TimeLog), _count(session, ProductionQuantity)

    with pytest.raises(CsvImportError) as raised:
        importer(session, data=f"{header}\n{row}\n".encode(), actor=admin)

    latest = latest_date(utcnow().date()).isoformat()
    assert str(raised.value).splitlines()[1:] == [line.replace(LATEST, latest) for line in expected]
    assert (_count(session, TimeLog), _count(session, ProductionQuantity)) == before


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param(b"x" * (MAX_BYTES + 1), "line 1: the file is 20.0 MB; at most 20 MB is read", id="too large"),
        pytest.param(f"{TIME_LOG_HEADER},crew,crew\n".encode(), "line 1: column named twice: crew",
                     id="a column twice"),
    ],
)
def test_an_unusable_file_is_refused_at_line_1(
    demo_engine: Engine, session: Session, admin: Identity, data: bytes, message: str
) -> None:
    before = _count(session, TimeLog)

    with pytest.raises(CsvImportError) as raised:
        import_time_logs(session, data=data, actor=admin)

    assert str(raised.value).splitlines()[1:] == [message]
    assert _count(session, TimeLog) == before


@pytest.mark.parametrize(
    ("change", "message"),
    [
        pytest.param({"clock_in_date": date(1, 1, 1)}, "clock-in 0001-01-01 is outside 2000-01-01", id="year 1"),
        pytest.param({"clock_in_date": date(9999, 12, 31), "clock_out_date": date(9999, 12, 31)},
                     "clock-in 9999-12-31 is outside 2000-01-01", id="year 9999"),
        pytest.param({"break_minutes": 10**20}, "break minutes cannot be more than 1440", id="break of 10^20 minutes"),
    ],
)
def test_form_values_out_of_range_are_refused_and_leave_the_log_as_it_was(
    demo_engine: Engine, session: Session, admin: Identity, change: dict[str, Any], message: str
) -> None:
    log_id, stored = _first_closed_log(session)
    form = dataclasses.replace(load_form(session, log_id=log_id), **change)

    with pytest.raises(ValidationError, match=re.escape(message)):
        save_form(session, form=form, actor=admin)

    session.rollback()
    _assert_unchanged(demo_engine, log_id, stored)
