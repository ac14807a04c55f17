"""The payroll board: job-site cards for a pay week, moved from To do through In review and Approved to Publish.

Moving a card to Publish publishes that job site's week to Procore as timesheet
entries through the publishing engine (same guarantees as every module: no
duplicates, no overwriting changes made in Procore, an audit trail). A card
stays in Publish whatever the outcome, showing it; Republish retries what
failed. Moving a card out of Publish deletes nothing in Procore unless asked.
The app does not publish in the page's run: it passes `send`, which queues the
publish as a job (`core.jobs`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

import pandas as pd
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from core import setup
from core.access import Identity, Perm
from core.aggregation import load_time_logs
from core.config import Settings
from core.db import session_scope, utcnow
from core.errors import ValidationError
from core.models import JobSite
from core.models.payroll import BoardColumn, PayrollCard, PayrollSettings
from core.models.publishing import PublishStatus
from core.modules import registry
from core.publishing import PublishAction, PublishRequest, RunReport, publish, refresh, status_counts
from core.publishing.engine import Progress

TIMESHEET = registry.TIMESHEET.module
COLUMN_LABELS: dict[BoardColumn, str] = {
    BoardColumn.TO_DO: "To do", BoardColumn.IN_REVIEW: "In review", BoardColumn.APPROVED: "Approved",
    BoardColumn.PUBLISH: "Publish",
}
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MICROS_PER_HOUR = 3_600_000_000


@dataclass
class Card:
    """One job site's week as the board shows it."""

    job_site_id: int
    number: str
    name: str
    column: BoardColumn
    hours: float
    employees: int
    statuses: dict[PublishStatus, int] = field(default_factory=dict)  # timesheet entries per status
    moved_by: str | None = None
    last_run_id: int | None = None


def week_starts_on(session: Session) -> int:
    """The weekday pay weeks start on (0 = Monday)."""
    row = session.exec(select(PayrollSettings)).first()
    return row.week_starts_on if row else 0


def set_week_starts_on(session: Session, *, weekday: int, actor: Identity) -> None:
    actor.require(Perm.PAYROLL)
    if weekday not in range(7):
        raise ValidationError("The pay week starts on a weekday from Monday (0) to Sunday (6).")
    row = session.exec(select(PayrollSettings)).first() or PayrollSettings()
    row.week_starts_on, row.updated_at = weekday, utcnow()
    session.add(row)


def week_of(day: date, starts_on: int) -> date:
    """The first day of the pay week holding `day`."""
    return day - timedelta(days=(day.weekday() - starts_on) % 7)


def week_end(week_start: date) -> date:
    return week_start + timedelta(days=6)


def timesheets_enabled(session: Session) -> bool:
    state = setup.state(session)
    return state.active and state.finished and TIMESHEET.value in {m.value for m in state.modules}


def columns(session: Session) -> tuple[BoardColumn, ...]:
    """The board's columns: Publish only while the Timesheet module is enabled."""
    if timesheets_enabled(session):
        return tuple(BoardColumn)
    return (BoardColumn.TO_DO, BoardColumn.IN_REVIEW, BoardColumn.APPROVED)


def shown_in(card: Card, shown: Sequence[BoardColumn]) -> BoardColumn:
    """The column a card shows in: its own, or Approved for one left in Publish after Timesheet was turned off."""
    return card.column if card.column in shown else BoardColumn.APPROVED


def skipped_columns(source: BoardColumn, target: BoardColumn, shown: Sequence[BoardColumn]) -> tuple[BoardColumn, ...]:
    """The shown columns a move passes over on its way right, which the person is asked about first.

    A move back (to reopen a week) or to the next column skips nothing: only going forward past a
    review step would approve or publish a week nobody looked at.
    """
    order = tuple(BoardColumn)
    start, end = order.index(source), order.index(target)
    return tuple(column for column in shown if start < order.index(column) < end)


def move_question(card: Card, source: BoardColumn, target: BoardColumn, skipped: Sequence[BoardColumn]) -> str:
    """What the board asks before a move: "Move 1001 Main St from To do to Publish, skipping Approved?"."""
    names = [COLUMN_LABELS[column] for column in skipped]
    listed = " and ".join(filter(None, [", ".join(names[:-1]), names[-1]])) if names else ""
    skipping = f", skipping {listed}" if listed else ""
    return f"Move {card.number} {card.name} from {COLUMN_LABELS[source]} to {COLUMN_LABELS[target]}{skipping}?"


def board(engine: Engine, *, week_start: date) -> list[Card]:
    """Every job site with time worked in the week, as a card (timesheet entries refreshed first when enabled)."""
    end = week_end(week_start)
    with session_scope(engine) as session:
        enabled = timesheets_enabled(session)
    if enabled:
        refresh(engine, module=TIMESHEET, start=week_start, end=end)
    with session_scope(engine) as session:
        logs = load_time_logs(session, start=week_start, end=end)
        if logs.empty:
            return []
        per_site = logs.groupby("job_site_id").agg(micros=("worked_micros", "sum"),
                                                   employees=("employee_id", "nunique"))
        sites = {site.id: site for site in session.exec(
            select(JobSite).where(col(JobSite.id).in_([int(i) for i in per_site.index]))).all()}
        cards = {card.job_site_id: card for card in session.exec(
            select(PayrollCard).where(PayrollCard.week_start == week_start)).all()}
        counts = status_counts(session, module=TIMESHEET, start=week_start, end=end) if enabled else pd.DataFrame()
    statuses = _statuses_per_site(counts)
    result = []
    rows = zip(per_site.index.astype(int), per_site["micros"], per_site["employees"], strict=True)
    for index, micros, employees in rows:
        site_id = int(index)
        site, stored = sites[site_id], cards.get(site_id)
        result.append(Card(
            job_site_id=site_id, number=site.number, name=site.name,
            column=BoardColumn(stored.column) if stored else BoardColumn.TO_DO,
            hours=round(int(micros) / _MICROS_PER_HOUR, 2), employees=int(employees),
            statuses=statuses.get(site_id, {}), moved_by=stored.moved_by if stored else None,
            last_run_id=stored.last_run_id if stored else None,
        ))
    return sorted(result, key=lambda card: card.number)


def _statuses_per_site(counts: pd.DataFrame) -> dict[int, dict[PublishStatus, int]]:
    if counts.empty:
        return {}
    names = [status.value for status in PublishStatus]
    summed = counts.groupby("job_site_id")[names].sum()
    return {int(site): {PublishStatus(name): int(count) for name, count in zip(names, row, strict=True) if count}
            for site, row in zip(summed.index.astype(int), summed.itertuples(index=False), strict=True)}


@dataclass
class MoveResult:
    """Where the card went and, when Procore was involved, what the run did."""

    column: BoardColumn
    report: RunReport | None = None


Send = Callable[[PublishRequest], RunReport | None]  # runs a publish here, or queues it as a job (None)


def move_card(
    settings: Settings, engine: Engine, *, job_site_id: int, week_start: date, to: BoardColumn, actor: Identity,
    delete_in_procore: bool = False, progress: Progress | None = None, send: Send | None = None,
) -> MoveResult:
    """Move a card; to Publish publishes the week, out of Publish with `delete_in_procore` unpublishes it.

    `send` takes the publish instead of running it here (the app queues it as a job; no report then).

    Raises:
        PermissionDenied: the person lacks Payroll (or Publish to Procore when Procore is involved).
        ValidationError: Publish while the Timesheet module is off, or a week start that is not one.
    """
    actor.require(Perm.PAYROLL)
    to = BoardColumn(to)
    with session_scope(engine) as session:
        if week_start.weekday() != week_starts_on(session):
            raise ValidationError(f"{week_start} does not start a pay week (weeks start on "
                                  f"{WEEKDAYS[week_starts_on(session)]}).")
        if to is BoardColumn.PUBLISH and not timesheets_enabled(session):
            raise ValidationError("Publishing needs the Timesheet module: enable it on Administration > Procore setup.")
        card = _card(session, job_site_id, week_start)
        leaving_publish = card.column == BoardColumn.PUBLISH and to is not BoardColumn.PUBLISH
    report = None
    action = PublishAction.PUBLISH if to is BoardColumn.PUBLISH else \
        PublishAction.UNPUBLISH if leaving_publish and delete_in_procore else None
    if action is not None:
        request = week_request(job_site_id, week_start, action)
        report = send(request) if send else publish(settings, engine, request, actor=actor, progress=progress)
    with session_scope(engine) as session:
        card = _card(session, job_site_id, week_start)
        card.column, card.moved_by, card.moved_at = to, actor.email, utcnow()
        if report is not None and report.run_id is not None:
            card.last_run_id = report.run_id
        session.add(card)
    return MoveResult(column=to, report=report)


def republish_card(
    settings: Settings, engine: Engine, *, job_site_id: int, week_start: date, actor: Identity,
    progress: Progress | None = None,
) -> RunReport:
    """Publish a card in the Publish column again: what failed, and what changed since."""
    retry, rest = republish_requests(engine, job_site_id=job_site_id, week_start=week_start, actor=actor)
    report = publish(settings, engine, retry, actor=actor, progress=progress)
    again = publish(settings, engine, rest, actor=actor, progress=progress)
    with session_scope(engine) as session:
        card = _card(session, job_site_id, week_start)
        card.last_run_id = again.run_id or report.run_id or card.last_run_id
        session.add(card)
    report.steps += again.steps
    report.outcomes += again.outcomes
    report.problems += again.problems
    report.error = report.error or again.error
    return report


def republish_requests(
    engine: Engine, *, job_site_id: int, week_start: date, actor: Identity
) -> tuple[PublishRequest, PublishRequest]:
    """What Republish on a card runs, in order: what failed (or was deleted in Procore), then what changed since.

    Raises:
        PermissionDenied: the person lacks Payroll.
        ValidationError: the card is not in the Publish column.
    """
    actor.require(Perm.PAYROLL)
    with session_scope(engine) as session:
        if _card(session, job_site_id, week_start).column != BoardColumn.PUBLISH:
            raise ValidationError("Only a card in the Publish column can be republished.")
    return (week_request(job_site_id, week_start, PublishAction.REPUBLISH),
            week_request(job_site_id, week_start, PublishAction.PUBLISH))


def week_request(job_site_id: int, week_start: date, action: PublishAction) -> PublishRequest:
    """`action` on one job site's pay week of timesheet entries."""
    return PublishRequest(module=TIMESHEET, start=week_start, end=week_end(week_start), action=action,
                          job_site_ids=frozenset({job_site_id}))


def _card(session: Session, job_site_id: int, week_start: date) -> PayrollCard:
    card = session.exec(select(PayrollCard).where(
        PayrollCard.job_site_id == job_site_id, PayrollCard.week_start == week_start)).first()
    return card or PayrollCard(job_site_id=job_site_id, week_start=week_start, moved_by="")
