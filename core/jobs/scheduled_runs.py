"""What one scheduled run publishes: the catch-up window (or its approved job-site weeks) and the retries.

    requests = scheduled_requests(session, module=module, start=start, end=end, approved_only=True)

A scheduled run publishes (never force: a record changed in Procore is skipped, as by
any plain publish) and republishes the Failed entries of the same scope whose failure
can change on its own: Procore's rate limit, Procore failing or unavailable, or an
answer lost on the way (the republish looks for the record in Procore first).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy import Table, func, select
from sqlmodel import Session

from core.errors import ErrorAction
from core.models.payroll import BoardColumn, PayrollCard
from core.models.publishing import PublishAttempt, PublishEntry, PublishModule, PublishStatus
from core.payroll.board import week_end, week_of, week_starts_on
from core.procore.errors import STATUS_ERRORS, ServerError
from core.publishing.duplicates import UNCERTAIN
from core.publishing.report import PublishRequest
from core.publishing.status import PublishAction
from core.publishing.stored import range_conditions

APPROVED_COLUMNS = (BoardColumn.APPROVED.value, BoardColumn.PUBLISH.value)
_ENTRIES: Table = PublishEntry.__table__  # type: ignore[attr-defined]
_ATTEMPTS: Table = PublishAttempt.__table__  # type: ignore[attr-defined]
_CARDS: Table = PayrollCard.__table__  # type: ignore[attr-defined]


def retries_on_its_own(status_code: int | None, message: str | None) -> bool:
    """Would this failure go away by itself? True when its error declares RETRY (429, 5xx), or the answer was lost."""
    if status_code is not None and status_code >= 400:
        error = STATUS_ERRORS.get(status_code) or (ServerError if status_code >= 500 else None)
        return error is not None and error.action is ErrorAction.RETRY
    return (message or "").startswith(UNCERTAIN)


def scheduled_requests(session: Session, *, module: PublishModule, start: date, end: date,
                       approved_only: bool) -> list[PublishRequest]:
    """The publishes of one scheduled run, each followed by the republish of its retriable failures."""
    scopes = approved_scopes(session, start=start, end=end) if approved_only else [(start, end, None)]
    requests = []
    for low, high, sites in scopes:
        requests.append(PublishRequest(module, low, high, job_site_ids=sites))
        retry = retriable_failures(session, module=module, start=low, end=high, job_site_ids=sites)
        if retry:
            requests.append(PublishRequest(module, low, high, action=PublishAction.REPUBLISH,
                                           job_site_ids=sites, entry_ids=retry))
    return requests


def approved_scopes(session: Session, *, start: date, end: date) -> list[tuple[date, date, frozenset[int]]]:
    """Per pay week overlapping [start, end]: the part of the week inside it and its Approved (or Publish) job sites."""
    first_week = week_of(start, week_starts_on(session))
    query = select(_CARDS.c.week_start, _CARDS.c.job_site_id).where(
        _CARDS.c.column.in_(APPROVED_COLUMNS), _CARDS.c.week_start >= first_week, _CARDS.c.week_start <= end)
    weeks: dict[date, set[int]] = defaultdict(set)
    for week_start, site in session.connection().execute(query):
        weeks[week_start].add(int(site))
    return [(max(start, week), min(end, week_end(week)), frozenset(sites)) for week, sites in sorted(weeks.items())]


def retriable_failures(session: Session, *, module: PublishModule, start: date, end: date,
                       job_site_ids: frozenset[int] | None) -> frozenset[int]:
    """Failed entries in the scope whose last attempt failed in a way that can change on its own."""
    failed = select(_ENTRIES.c.id).where(*range_conditions(module, start, end, job_site_ids),
                                         _ENTRIES.c.status == PublishStatus.FAILED.value)
    last = (select(func.max(_ATTEMPTS.c.id)).where(_ATTEMPTS.c.entry_id.in_(failed))
            .group_by(_ATTEMPTS.c.entry_id))
    rows = session.connection().execute(
        select(_ATTEMPTS.c.entry_id, _ATTEMPTS.c.status_code, _ATTEMPTS.c.message).where(_ATTEMPTS.c.id.in_(last)))
    return frozenset(int(entry) for entry, code, message in rows if retries_on_its_own(code, message))

