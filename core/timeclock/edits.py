"""Changing time logs by hand: edit and (soft) delete, with the checks a real time clock makes."""

from __future__ import annotations

from sqlmodel import Session, col, select

from core.access import Identity, Perm
from core.db import utcnow
from core.errors import NotFoundError, ValidationError
from core.models import Company, CostCode, Crew, Employee, JobSite, PayClass, PayID, TimeLog
from core.models.timeclock import TimeLogUpdate
from core.timeclock.dirty import mark_logs_dirty
from core.timeclock.rules import OVERLAPS_STORED, overlapping, time_problems

_REFERENCES: dict[str, type] = {
    "employee_id": Employee,
    "job_site_id": JobSite,
    "cost_code_id": CostCode,
    "pay_id_id": PayID,
    "pay_class_id": PayClass,
    "crew_id": Crew,
    "company_id": Company,
}


def live_time_log(session: Session, log_id: int) -> TimeLog:
    """The time log `log_id`, unless it does not exist or was deleted."""
    log = session.get(TimeLog, log_id)
    if log is None or log.deleted_at is not None:
        raise NotFoundError(f"Time log {log_id} does not exist or was deleted.")
    return log


def check_time_log(session: Session, log: TimeLog) -> list[str]:
    """Every reason `log` is not acceptable, in words a person can act on (empty when fine)."""
    problems = [
        f"{field.removesuffix('_id').replace('_', ' ')} {value} does not exist"
        for field, model in _REFERENCES.items()
        if (value := getattr(log, field)) is not None and session.get(model, value) is None
    ]
    problems += time_problems(log.clock_in, log.clock_out, log.break_minutes, today=utcnow().date())
    code = None if log.cost_code_id is None else session.get(CostCode, log.cost_code_id)
    if code is not None and code.job_site_id not in (None, log.job_site_id):
        problems.append(f"cost code {code.code} belongs to another job site")
    crew = None if log.crew_id is None else session.get(Crew, log.crew_id)
    if crew is not None and crew.company_id != log.company_id:
        problems.append(f"crew {crew.name} belongs to another company")
    if not problems and _overlapping(session, log):
        problems.append(OVERLAPS_STORED)
    return problems


def _overlapping(session: Session, log: TimeLog) -> bool:
    query = select(TimeLog.id).where(
        TimeLog.employee_id == log.employee_id,
        col(TimeLog.deleted_at).is_(None),
        overlapping(col(TimeLog.clock_in), col(TimeLog.clock_out), log.clock_in, log.clock_out),
    )
    if log.id is not None:
        query = query.where(TimeLog.id != log.id)
    return session.exec(query).first() is not None


def refuse(problems: list[str]) -> None:
    """Raise the ValidationError that lists `problems`, if there are any."""
    if problems:
        raise ValidationError("The time log was not saved: " + "; ".join(problems) + ".")


def update_time_log(session: Session, *, log_id: int, changes: TimeLogUpdate, actor: Identity) -> TimeLog:
    """Apply `changes` to time log `log_id`; refuses (changing nothing) with every problem listed."""
    actor.require(Perm.EDIT_TIME_LOGS)
    log = live_time_log(session, log_id)
    # Check a detached copy, so nothing is flushed before every problem is known.
    candidate = TimeLog(**{**log.model_dump(), **changes.model_dump(exclude_unset=True)})
    with session.no_autoflush:
        problems = check_time_log(session, candidate)
    refuse(problems)
    before = (log.job_site_id, log.clock_in)
    log.sqlmodel_update(changes.model_dump(exclude_unset=True))
    log.updated_at = utcnow()
    mark_logs_dirty(session, [before, (log.job_site_id, log.clock_in)])
    session.add(log)
    session.flush()
    return log


def delete_time_log(session: Session, *, log_id: int, actor: Identity) -> TimeLog:
    """Soft-delete time log `log_id` (it stays in the database with `deleted_at` set)."""
    actor.require(Perm.EDIT_TIME_LOGS)
    log = live_time_log(session, log_id)
    log.deleted_at = log.updated_at = utcnow()
    mark_logs_dirty(session, [(log.job_site_id, log.clock_in)])
    session.add(log)
    session.flush()
    return log
