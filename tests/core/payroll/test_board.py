"""The payroll board on the linked demo world: columns, moves, publishing a week as Procore timesheets."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session

from core import setup
from core.access import Identity
from core.db import session_scope
from core.errors import PermissionDenied, ValidationError
from core.models.payroll import BoardColumn
from core.models.publishing import PublishModule, PublishStatus
from core.payroll.board import (
    Card,
    MoveResult,
    board,
    columns,
    move_card,
    republish_card,
    set_week_starts_on,
    week_of,
)
from core.payroll.export import export_week
from core.publishing.plan import Operation
from tests.conftest import identity_with_role
from tests.core.publishing.engine_world import Linked, known

TIMESHEET = PublishModule.TIMESHEET
WEEK = date(2026, 11, 16)  # a Monday; the demo world's time logs end on Friday 20


@pytest.fixture
def linked_modules() -> frozenset[PublishModule]:
    return frozenset({TIMESHEET})


def _card(linked: Linked, number: str) -> Card:
    return next(card for card in board(linked.engine, week_start=WEEK) if card.number == number)


def _move(linked: Linked, number: str, to: BoardColumn, *, actor: Identity | None = None,
          delete_in_procore: bool = False) -> MoveResult:
    return move_card(linked.settings, linked.engine, job_site_id=linked.site_ids([number])[0], week_start=WEEK,
                     to=to, actor=actor or linked.admin, delete_in_procore=delete_in_procore)


def test_cards_start_in_to_do_and_moves_persist(linked: Linked) -> None:
    cards = board(linked.engine, week_start=WEEK)
    assert cards
    assert {card.column for card in cards} == {BoardColumn.TO_DO}
    assert all(card.hours > 0 and card.employees > 0 for card in cards)
    with Session(linked.engine) as session:
        assert columns(session) == tuple(BoardColumn)

    _move(linked, "1001", BoardColumn.IN_REVIEW)
    _move(linked, "1002", BoardColumn.APPROVED)

    moved = {card.number: card.column for card in board(linked.engine, week_start=WEEK)}
    assert moved["1001"] is BoardColumn.IN_REVIEW
    assert moved["1002"] is BoardColumn.APPROVED
    assert moved["1003"] is BoardColumn.TO_DO
    assert _card(linked, "1001").moved_by == linked.admin.email


def test_moving_to_publish_sends_the_week_as_procore_timesheet_entries(linked: Linked) -> None:
    result = _move(linked, "1001", BoardColumn.PUBLISH)

    assert result.report is not None
    created = result.report.outcomes[Operation.CREATE]
    assert created > 0
    card = _card(linked, "1001")
    assert card.column is BoardColumn.PUBLISH
    assert card.last_run_id == result.report.run_id
    assert card.statuses[PublishStatus.PUBLISHED] == created
    published = linked.entries(TIMESHEET, status=PublishStatus.PUBLISHED)
    ours = {e.procore_id for e in published}
    with linked.client() as client:
        people = list(client.iter_company_timesheets(start=WEEK, end=date(2026, 11, 22)))
        sheets = list(client.iter_project_timesheets(project_id=known(published[0].procore_project_id), start=WEEK,
                                                     end=date(2026, 11, 22)))
    assert ours <= {entry.id for person in people for entry in person.timecard_entries}
    assert ours == {entry.id for sheet in sheets for entry in sheet.timecard_entries}
    assert {sheet.date for sheet in sheets} == {e.work_date for e in published}  # one timesheet a day


def test_a_failed_publish_stays_in_publish_and_republish_finishes_it(linked: Linked) -> None:
    linked.control("PUT", "config", faults={"503": 1.0}, retry_after=0)
    failed = _move(linked, "1001", BoardColumn.PUBLISH)
    linked.control("PUT", "config", faults={"503": 0})

    assert failed.report is not None
    assert failed.report.problems
    card = _card(linked, "1001")
    assert card.column is BoardColumn.PUBLISH
    assert card.statuses.get(PublishStatus.FAILED)

    report = republish_card(linked.settings, linked.engine, job_site_id=linked.site_ids(["1001"])[0],
                            week_start=WEEK, actor=linked.admin)

    assert not report.problems
    card = _card(linked, "1001")
    assert PublishStatus.FAILED not in card.statuses
    assert card.statuses[PublishStatus.PUBLISHED] > 0


def test_leaving_publish_deletes_nothing_in_procore_unless_asked(linked: Linked) -> None:
    _move(linked, "1001", BoardColumn.PUBLISH)
    published = linked.entries(TIMESHEET, status=PublishStatus.PUBLISHED)
    project = published[0].procore_project_id

    _move(linked, "1001", BoardColumn.APPROVED)
    assert len(linked.remote("timecard", project)) == len(published)

    _move(linked, "1001", BoardColumn.PUBLISH)
    result = _move(linked, "1001", BoardColumn.IN_REVIEW, delete_in_procore=True)

    assert result.report is not None
    assert result.report.outcomes[Operation.DELETE] == len(published)
    assert linked.remote("timecard", project) == []
    assert {e.status for e in linked.entries(TIMESHEET, job_site_id=published[0].job_site_id)} <= {
        PublishStatus.TO_DO, PublishStatus.NON_PUBLISHABLE}


def test_publish_column_needs_the_timesheet_module_which_excludes_timecard(linked: Linked) -> None:
    with session_scope(linked.engine) as session:
        setup.set_module(session, module=setup.Module.TIMECARD, enabled=True, actor=linked.admin)
    with Session(linked.engine) as session:
        assert BoardColumn.PUBLISH not in columns(session)
    with pytest.raises(ValidationError, match="Timesheet module"):
        _move(linked, "1001", BoardColumn.PUBLISH)
    assert _card(linked, "1001").column is BoardColumn.TO_DO


def test_the_board_needs_payroll_and_weeks_start_where_set(linked: Linked, session: Session) -> None:
    with pytest.raises(PermissionDenied, match="Payroll"):
        _move(linked, "1001", BoardColumn.IN_REVIEW, actor=identity_with_role(session, "Project manager"))
    with pytest.raises(ValidationError, match="does not start a pay week"):
        move_card(linked.settings, linked.engine, job_site_id=linked.site_ids(["1001"])[0],
                  week_start=date(2026, 11, 17), to=BoardColumn.IN_REVIEW, actor=linked.admin)
    with session_scope(linked.engine) as scoped:
        set_week_starts_on(scoped, weekday=6, actor=linked.admin)
    assert week_of(date(2026, 11, 18), 6) == date(2026, 11, 15)


def test_the_export_lists_every_hour_of_the_week_per_job_site(linked: Linked) -> None:
    with Session(linked.engine) as session:
        export = export_week(session, week_start=WEEK)
    cards = {card.number: card for card in board(linked.engine, week_start=WEEK)}
    totals = export.groupby("job_site")["hours"].sum()
    assert set(totals.index) == set(cards)
    for number, hours in totals.items():
        assert hours == pytest.approx(cards[str(number)].hours, abs=0.05)
    assert list(export.columns)[:4] == ["job_site", "job_site_name", "employee_number", "employee"]
