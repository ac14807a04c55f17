from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal
from sqlmodel import Session

from core.aggregation import columnar, load_production_quantities, load_time_logs, source
from core.aggregation.sqlite_child import ChildReadError
from core.models import Company, CostCode, Crew, Employee, JobSite, PayClass, PayID, ProductionQuantity, TimeLog
from core.models.ids import saved_id
from tests.statements import statements_run

SUN, MON, TUE = date(2026, 11, 15), date(2026, 11, 16), date(2026, 11, 17)
HOUR = 3_600_000_000


@pytest.fixture
def ids(session: Session) -> dict[str, int]:
    company = Company(name="Northwind Builders", number="NWB", is_own=True)
    chicago = JobSite(name="Bayfront Hotel", number="1007", time_zone="America/Chicago")
    berlin = JobSite(name="Spree Offices", number="2001", time_zone="Europe/Berlin")
    reg, pay_class = PayID(code="REG", name="Regular"), PayClass(number="F", name="Foreman")
    session.add_all([company, chicago, berlin, reg, pay_class])
    session.flush()
    crew = Crew(name="Framing", company_id=saved_id(company))
    code = CostCode(code="03-300", name="Concrete", unit_of_measure="CY")
    ann = Employee(first_name="Ann", last_name="Lee", number="E1", company_id=saved_id(company))
    session.add_all([crew, code, ann])
    session.commit()
    return {"company": saved_id(company), "chicago": saved_id(chicago), "berlin": saved_id(berlin),
            "reg": saved_id(reg), "pay_class": saved_id(pay_class), "crew": saved_id(crew), "code": saved_id(code),
            "ann": saved_id(ann)}


@pytest.fixture
def bulk_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every range counts as large, so PostgreSQL reads go through ADBC and SQLite reads through the child
    process even for a handful of logs."""
    monkeypatch.setattr(source, "_BULK_SITE_DAYS", 1)
    monkeypatch.setattr(source, "_HUGE_SITE_DAYS", 1)


def _log(ids: dict[str, int], site: str, clock_in: datetime, hours: float | None, **extra: Any) -> TimeLog:
    clock_out = None if hours is None else clock_in + timedelta(hours=hours)
    return TimeLog(employee_id=ids["ann"], job_site_id=ids[site], pay_id_id=ids["reg"], company_id=ids["company"],
                   crew_id=ids["crew"], cost_code_id=ids["code"], pay_class_id=ids["pay_class"],
                   clock_in=clock_in, clock_out=clock_out, **extra)


def test_logs_count_for_their_clock_in_date_at_the_job_site_and_only_live_closed_ones(
    session: Session, ids: dict[str, int]
) -> None:
    utc = UTC
    session.add_all([
        # Chicago 22:00 Monday → 06:00 Tuesday (UTC 04:00–12:00 Tuesday): a night shift, counted Monday.
        _log(ids, "chicago", datetime(2026, 11, 17, 4, 0, tzinfo=utc), 8, break_minutes=30),
        # Berlin 00:30 Tuesday is Monday 23:30 UTC: counted Tuesday in Berlin.
        _log(ids, "berlin", datetime(2026, 11, 16, 23, 30, tzinfo=utc), 2),
        # Chicago 21:00 Sunday (03:00 UTC Monday): Sunday, outside the range.
        _log(ids, "chicago", datetime(2026, 11, 16, 3, 0, tzinfo=utc), 1),
        _log(ids, "chicago", datetime(2026, 11, 16, 14, 0, tzinfo=utc), 4,
             deleted_at=datetime(2026, 11, 18, tzinfo=utc)),
        _log(ids, "chicago", datetime(2026, 11, 17, 14, 0, tzinfo=utc), None),  # still clocked in
    ])
    session.commit()

    frame = load_time_logs(session, start=MON, end=TUE)

    expected = pd.DataFrame({
        "job_site_id": [ids["chicago"], ids["berlin"]],
        "work_date": [MON, TUE],
        "employee_id": [ids["ann"]] * 2,
        "company_id": [ids["company"]] * 2,
        "crew_id": pd.array([ids["crew"]] * 2, dtype="Int64"),
        "pay_id_id": [ids["reg"]] * 2,
        "cost_code_id": pd.array([ids["code"]] * 2, dtype="Int64"),
        "pay_class_id": pd.array([ids["pay_class"]] * 2, dtype="Int64"),
        "clock_in": pd.to_datetime(["2026-11-17T04:00Z", "2026-11-16T23:30Z"]).astype("datetime64[us, UTC]"),
        "worked_micros": [int(7.5 * HOUR), 2 * HOUR],  # the break is deducted
    })
    sort = ["job_site_id", "work_date"]
    assert_frame_equal(
        frame.sort_values(sort).reset_index(drop=True), expected.sort_values(sort).reset_index(drop=True)
    )
    only_berlin = load_time_logs(session, start=MON, end=TUE, job_site_ids=[ids["berlin"]])
    assert only_berlin["job_site_id"].tolist() == [ids["berlin"]]
    assert load_time_logs(session, start=SUN, end=SUN)["worked_micros"].tolist() == [HOUR]


def test_no_logs_give_an_empty_source_frame(session: Session, ids: dict[str, int]) -> None:
    assert load_time_logs(session, start=MON, end=TUE).empty
    assert load_time_logs(session, start=MON, end=TUE, job_site_ids=[]).empty


def test_quantities_in_range_and_live_only(session: Session, ids: dict[str, int]) -> None:
    def quantity(day: date, units: str, **extra: Any) -> ProductionQuantity:
        return ProductionQuantity(job_site_id=ids["chicago"], cost_code_id=ids["code"], date=day,
                                  unit_of_measure="CY", units=Decimal(units), **extra)

    session.add_all([
        quantity(MON, "12.5"), quantity(TUE, "3"), quantity(SUN, "9"),
        quantity(MON, "4", deleted_at=datetime(2026, 11, 18, tzinfo=UTC)),
    ])
    session.commit()

    frame = load_production_quantities(session, start=MON, end=TUE)

    expected = pd.DataFrame({
        "job_site_id": [ids["chicago"]] * 2, "work_date": [MON, TUE], "cost_code_id": [ids["code"]] * 2,
        "unit_of_measure": ["CY", "CY"], "units": [12.5, 3.0],
    })
    assert_frame_equal(frame.sort_values("work_date").reset_index(drop=True), expected)


def test_a_read_of_named_days_gives_each_days_logs_at_its_own_job_site_and_no_other(
    session: Session, ids: dict[str, int]
) -> None:
    """An incremental refresh reads the job-site days a few edits touched: each day's window of clock-ins is its
    job site's local day, whichever other job sites and days are named beside it."""
    hourly = [datetime(2026, 11, 14, tzinfo=UTC) + timedelta(hours=hour) for hour in range(5 * 24)]
    session.add_all(_log(ids, site, instant, 0.5) for instant in hourly for site in ("chicago", "berlin"))
    session.commit()
    named = [(ids["chicago"], MON), (ids["berlin"], TUE), (ids["berlin"], SUN)]

    frame = load_time_logs(session, start=SUN, end=TUE, days=named)

    whole = load_time_logs(session, start=SUN, end=TUE)
    on_named = whole[[(site, day) in set(named) for site, day in zip(whole["job_site_id"], whole["work_date"],
                                                                       strict=True)]]
    key = ["job_site_id", "clock_in"]
    assert_frame_equal(frame.sort_values(key).reset_index(drop=True), on_named.sort_values(key).reset_index(drop=True))
    assert len(frame) == 3 * 24  # each named day whole: 24 hourly logs, however far its zone is from UTC


def test_a_read_of_named_days_gives_only_their_quantities(session: Session, ids: dict[str, int]) -> None:
    session.add_all(ProductionQuantity(job_site_id=ids[site], cost_code_id=ids["code"], date=day,
                                       unit_of_measure="CY", units=Decimal("2"))
                    for site in ("chicago", "berlin") for day in (SUN, MON, TUE))
    session.commit()

    frame = load_production_quantities(session, start=SUN, end=TUE, days=[(ids["chicago"], MON), (ids["berlin"], SUN)])

    assert sorted(zip(frame["job_site_id"], frame["work_date"], strict=True)) == sorted(
        [(ids["chicago"], MON), (ids["berlin"], SUN)])


@pytest.mark.usefixtures("bulk_reads")
def test_a_long_range_read_in_slices_counts_every_log_once_even_at_the_cuts(
    session: Session, ids: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(source, "parallel_readers", lambda: 3)
    start, end = MON - timedelta(days=20), MON
    low, high = source._utc_window(start, end, {"America/Chicago", "Europe/Berlin"})  # the zones of `ids`
    cuts = [edge for edge, _ in source._slices(low, high, 3)]
    assert len(cuts) == 3
    hourly = [low + timedelta(hours=hour) for hour in range(21 * 24)]
    session.add_all(_log(ids, "berlin", instant, 0.5) for instant in sorted({*hourly, *cuts}))
    session.commit()

    frame = load_time_logs(session, start=start, end=end)

    assert sorted(frame["clock_in"].dt.to_pydatetime()) == sorted({*hourly, *cuts})


@pytest.mark.usefixtures("bulk_reads")
def test_a_session_sees_the_time_logs_it_has_written_but_not_committed(session: Session, ids: dict[str, int]) -> None:
    session.add(_log(ids, "chicago", datetime(2026, 11, 16, 14, 0, tzinfo=UTC), 8))
    session.commit()
    committed = load_time_logs(session, start=MON - timedelta(days=10), end=TUE)
    session.add(_log(ids, "chicago", datetime(2026, 11, 17, 14, 0, tzinfo=UTC), 2))
    session.flush()

    pending = load_time_logs(session, start=MON - timedelta(days=10), end=TUE)

    assert committed["worked_micros"].tolist() == [8 * HOUR]
    assert sorted(pending["worked_micros"].tolist()) == [2 * HOUR, 8 * HOUR]
    session.rollback()
    assert_frame_equal(load_time_logs(session, start=MON - timedelta(days=10), end=TUE), committed)



def test_a_large_read_gives_the_same_frame_as_the_sessions_cursor(
    session: Session, ids: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """On SQLite the large read runs in a child process (on PostgreSQL through ADBC); ids left empty stay empty."""
    start = MON - timedelta(days=10)
    bare = _log(ids, "berlin", datetime(2026, 11, 17, 6, 30, tzinfo=UTC), 2.25, break_minutes=15)
    bare.crew_id = bare.cost_code_id = bare.pay_class_id = None
    session.add_all([_log(ids, "chicago", datetime(2026, 11, 16, 14, 0, tzinfo=UTC), 8), bare,
                     _log(ids, "berlin", datetime(2026, 11, 8, 22, 0, tzinfo=UTC), 1)])
    session.commit()
    through_cursor = load_time_logs(session, start=start, end=TUE)
    monkeypatch.setattr(source, "_BULK_SITE_DAYS", 1)
    monkeypatch.setattr(source, "_HUGE_SITE_DAYS", 1)
    monkeypatch.setattr(source, "parallel_readers", lambda: 3)

    large = load_time_logs(session, start=start, end=TUE)

    assert len(large) == 3
    assert_frame_equal(large.sort_values("clock_in").reset_index(drop=True),
                       through_cursor.sort_values("clock_in").reset_index(drop=True))


@pytest.mark.usefixtures("bulk_reads")
def test_inside_shared_reads_a_huge_ranges_quantities_come_with_its_time_logs(
    session: Session, ids: dict[str, int]
) -> None:
    """The reader that reads the time logs (SQLite's child process, ADBC) reads the quantities beside them, so
    the quantity module asks the database nothing more and gets what a read of its own gives."""
    session.add_all([
        _log(ids, "chicago", datetime(2026, 11, 16, 14, 0, tzinfo=UTC), 8),
        ProductionQuantity(job_site_id=ids["chicago"], cost_code_id=ids["code"], date=MON, unit_of_measure="CY",
                           units=Decimal("12.5")),
        ProductionQuantity(job_site_id=ids["berlin"], cost_code_id=ids["code"], date=TUE, unit_of_measure="SF",
                           units=Decimal("3")),
        ProductionQuantity(job_site_id=ids["berlin"], cost_code_id=ids["code"], date=SUN, unit_of_measure="SF",
                           units=Decimal("9")),
    ])
    session.commit()
    alone = load_production_quantities(session, start=MON, end=TUE)

    with source.shared_reads():
        load_time_logs(session, start=MON, end=TUE)
        with statements_run(session.connection().engine) as statements:
            shared = load_production_quantities(session, start=MON, end=TUE)

    assert statements == []
    assert len(alone) == 2
    assert_frame_equal(shared.sort_values("work_date").reset_index(drop=True),
                       alone.sort_values("work_date").reset_index(drop=True))


@pytest.mark.usefixtures("bulk_reads")
def test_when_adbc_cannot_connect_the_logs_are_read_through_the_session_and_no_password_is_logged(
    session: Session, ids: dict[str, int], monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    if session.connection().dialect.name != "postgresql":
        pytest.skip("ADBC reads PostgreSQL only")
    session.add(_log(ids, "chicago", datetime(2026, 11, 16, 14, 0, tzinfo=UTC), 8))
    session.commit()
    unreachable = session.connection().engine.url.set(drivername="postgresql", port=1, password="s3cret-pw")
    monkeypatch.setattr(columnar, "_adbc_uri", lambda _connection: unreachable.render_as_string(hide_password=False))

    frame = load_time_logs(session, start=MON, end=TUE)

    assert frame["worked_micros"].tolist() == [8 * HOUR]
    assert "reading through ADBC failed" in caplog.text
    assert "s3cret-pw" not in caplog.text


def _read_ahead_threads() -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if thread.name.startswith("read-ahead")]


def test_time_logs_read_ahead_are_those_committed_when_the_read_began(
    session: Session, ids: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Read ahead (a refresh reads its stored entries meanwhile), the rows come from a reader outside the
    session that has already read them: a log committed afterwards waits for the next refresh, as it would
    had it been committed a moment after the read."""
    monkeypatch.setattr(source, "_BULK_SITE_DAYS", 1)
    monkeypatch.setattr(source, "_AHEAD_SITE_DAYS", 1)
    session.add(_log(ids, "chicago", datetime(2026, 11, 16, 14, 0, tzinfo=UTC), 8))
    session.commit()
    before = load_time_logs(session, start=MON, end=TUE)

    with source.shared_reads():
        source.read_ahead(session, load_time_logs, start=MON, end=TUE)
        for thread in _read_ahead_threads():
            thread.join()
        with Session(session.connection().engine) as other:
            other.add(_log(ids, "berlin", datetime(2026, 11, 17, 6, 0, tzinfo=UTC), 4))
            other.commit()
        ahead = load_time_logs(session, start=MON, end=TUE)

    assert len(before) == 1
    assert_frame_equal(ahead, before)
    assert len(load_time_logs(session, start=MON, end=TUE)) == 2


def test_a_read_ahead_left_unused_is_waited_for_when_the_block_ends(
    session: Session, ids: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(source, "_BULK_SITE_DAYS", 1)
    monkeypatch.setattr(source, "_AHEAD_SITE_DAYS", 1)
    session.add(_log(ids, "chicago", datetime(2026, 11, 16, 14, 0, tzinfo=UTC), 8))
    session.commit()

    def stopped_refresh() -> None:
        with source.shared_reads():
            source.read_ahead(session, load_time_logs, start=MON, end=TUE)
            raise RuntimeError("the refresh stopped")

    with pytest.raises(RuntimeError):
        stopped_refresh()

    assert _read_ahead_threads() == []


def test_a_shared_block_inside_another_shares_its_reads(session: Session, ids: dict[str, int]) -> None:
    session.add(_log(ids, "chicago", datetime(2026, 11, 16, 14, 0, tzinfo=UTC), 8))
    session.commit()

    with source.shared_reads():
        with source.shared_reads():
            first = load_time_logs(session, start=MON, end=TUE)
        with statements_run(session.connection().engine) as statements:
            again = load_time_logs(session, start=MON, end=TUE)

    assert statements == []
    assert_frame_equal(again, first)


def test_a_read_ahead_that_failed_and_went_unused_reads_nothing_through_the_session(
    session: Session, ids: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Work that stopped (its transaction may be broken) is not made to read the time logs it no longer needs."""
    monkeypatch.setattr(source, "_BULK_SITE_DAYS", 1)
    monkeypatch.setattr(source, "_AHEAD_SITE_DAYS", 1)

    def unreadable(*_args: object, **_kwargs: object) -> None:
        raise ChildReadError("the SQLite reader process failed: no connectorx")

    monkeypatch.setattr(columnar, "read_in_child", unreadable)
    monkeypatch.setattr(columnar, "_adbc_uri", lambda _connection: None)
    monkeypatch.setattr(columnar, "sqlite_file", lambda _connection: "/nowhere.sqlite3")

    def stopped_refresh() -> None:
        with source.shared_reads():
            source.read_ahead(session, load_time_logs, start=MON, end=TUE)
            raise RuntimeError("the refresh stopped")

    with statements_run(session.connection().engine) as statements, pytest.raises(RuntimeError):
        stopped_refresh()

    assert [statement for statement in statements if "FROM time_log" in statement] == []
