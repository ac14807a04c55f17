"""Incremental refresh: recompute only the job-site days changed since a module last refreshed them.

A range a module never computed whole (or not since the last mapping change)
is computed whole once and remembered day by day (`refreshed_day`). After
that, a refresh reads the module's dirty marks in the range (`dirty_day`,
written by every time-clock writer), recomputes the job sites and days they
name with `refresh_entries`, and deletes exactly the marks it read, so a mark
written meanwhile is still there for the next refresh.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from datetime import date, timedelta

from sqlalchemy import Table, delete, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from core.aggregation.source import shared_reads
from core.models.publishing import DirtyDay, PublishModule, RefreshedDay
from core.publishing.entries import RefreshConflict, RefreshReport, refresh_entries
from core.publishing.modules import ReasonResolver

_DIRTY: Table = DirtyDay.__table__  # type: ignore[attr-defined]
_REFRESHED: Table = RefreshedDay.__table__  # type: ignore[attr-defined]
_DELETE_BATCH = 5000
_EXACT_DAYS = 500  # up to this many dirty job-site days are named one by one in the query (bound parameters)
Mark = tuple[int, int, date]  # seq, job site, work date


def refresh_changed(
    session: Session, *, module: PublishModule, start: date, end: date, job_site_ids: Collection[int] | None,
    resolver: ReasonResolver | None, marks: list[Mark] | None = None,
) -> RefreshReport:
    """`refresh_entries` for what changed in [start, end] since `module` last refreshed it (all of it the first time).

    `marks` are the module's dirty marks of the range when the caller read them already, before the time clock.
    With `job_site_ids`, only those job sites are refreshed (a publish of selected job sites or of one day).

    Raises:
        RefreshConflict: entries changed meanwhile, or another refresh recorded the same days first.
    """
    if marks is None:
        marks = dirty_marks(session, module, start, end, job_site_ids)
    if not _refreshed_whole(session, module, start, end):
        # A range computed for some job sites only is not remembered: the others were not computed.
        report = refresh_entries(session, module=module, start=start, end=end, job_site_ids=job_site_ids,
                                 resolver=resolver)
        if job_site_ids is None:
            _remember(session, module, start, end)
    elif marks:
        report = _refresh_marked(session, module, marks, resolver)
        report.start, report.end = start, end
    else:
        report = RefreshReport(module=module, start=start, end=end)
    _consume(session, [seq for seq, _, _ in marks])
    return report


def _refresh_marked(
    session: Session, module: PublishModule, marks: Sequence[Mark], resolver: ReasonResolver | None
) -> RefreshReport:
    """`refresh_entries` of the job-site days `marks` name: the time clock read, and the entries compared and
    written, for those days only (a few edits spread over a month would otherwise read and compare their job
    sites' whole month). Very many marks refresh the smallest range and job sites holding them all."""
    days = {(site, day) for _, site, day in marks}
    dates = [day for _, day in days]
    return refresh_entries(session, module=module, start=min(dates), end=max(dates),
                           job_site_ids={site for site, _ in days}, resolver=resolver,
                           days=days if len(days) <= _EXACT_DAYS else None)


def refresh_modules_changed(
    session: Session, *, modules: Sequence[PublishModule], start: date, end: date,
    resolver: Callable[[PublishModule], ReasonResolver | None],
) -> list[RefreshReport]:
    """`refresh_changed` of every module in `modules` over [start, end], the time logs read once for all.

    Every module's dirty marks are read before the shared read, so the rows it hands on are at least as new
    as the marks each module consumes.
    """
    marks = {module: dirty_marks(session, module, start, end) for module in modules}
    with shared_reads():
        return [refresh_changed(session, module=module, start=start, end=end, job_site_ids=None,
                                resolver=resolver(module), marks=marks[module]) for module in modules]


def dirty_marks(
    session: Session, module: PublishModule, start: date, end: date, job_site_ids: Collection[int] | None = None
) -> list[Mark]:
    """The dirty marks of `module` in [start, end] (and `job_site_ids`)."""
    columns = _DIRTY.c
    query = select(columns.seq, columns.job_site_id, columns.work_date).where(
        columns.module == module.value, columns.work_date >= start, columns.work_date <= end
    )
    if job_site_ids is not None:
        query = query.where(columns.job_site_id.in_(sorted(int(site) for site in job_site_ids)))
    return [(int(seq), int(site), day) for seq, site, day in session.connection().execute(query)]


def _refreshed_whole(session: Session, module: PublishModule, start: date, end: date) -> bool:
    """Whether every day of [start, end] was computed whole for `module`."""
    return _refreshed_count(session, module, start, end) == (end - start).days + 1


def _refreshed_count(session: Session, module: PublishModule, start: date, end: date) -> int:
    columns = _REFRESHED.c
    query = select(func.count()).where(
        columns.module == module.value, columns.work_date >= start, columns.work_date <= end
    )
    return int(session.connection().execute(query).scalar_one())


def _remember(session: Session, module: PublishModule, start: date, end: date) -> None:
    """Record every day of [start, end] as computed whole for `module`."""
    columns = _REFRESHED.c
    known = set(session.connection().execute(select(columns.work_date).where(
        columns.module == module.value, columns.work_date >= start, columns.work_date <= end
    )).scalars())
    days = (start + timedelta(days=offset) for offset in range((end - start).days + 1))
    rows = [{"module": module.value, "work_date": day} for day in days if day not in known]
    if not rows:
        return
    connection = session.connection()
    try:
        connection.execute(insert(_REFRESHED), rows)
    except (IntegrityError, connection.dialect.loaded_dbapi.IntegrityError) as error:
        raise RefreshConflict("another refresh computed the same days; refresh again") from error


def _consume(session: Session, seqs: Sequence[int]) -> None:
    """Delete the dirty marks a refresh read (and so recomputed)."""
    connection = session.connection()
    for first in range(0, len(seqs), _DELETE_BATCH):
        connection.execute(delete(_DIRTY).where(_DIRTY.c.seq.in_(seqs[first:first + _DELETE_BATCH])))
