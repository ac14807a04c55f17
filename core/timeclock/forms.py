"""The time-log edit form's values in the job site's wall-clock time, and back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from sqlmodel import Session

from core.access import Identity
from core.db import utcnow
from core.errors import ValidationError
from core.models import JobSite, TimeLog
from core.models.timeclock import TimeLogUpdate
from core.timeclock.edits import live_time_log, refuse, update_time_log
from core.timeclock.rules import date_problems, local_to_utc, time_problems, zone


@dataclass
class TimeLogForm:
    """A time log as a person edits it: references by id, times at the job site."""

    log_id: int
    employee_id: int
    job_site_id: int
    cost_code_id: int | None
    pay_id_id: int
    pay_class_id: int | None
    crew_id: int | None
    company_id: int
    clock_in_date: date
    clock_in_time: time
    clock_out_date: date | None
    clock_out_time: time | None
    break_minutes: int


def load_form(session: Session, *, log_id: int) -> TimeLogForm:
    """The form for time log `log_id`, times in its job site's zone."""
    log = live_time_log(session, log_id)
    site = session.get(JobSite, log.job_site_id)
    assert site is not None  # noqa: S101 - foreign key
    local_in = log.clock_in.astimezone(zone(site.time_zone))
    local_out = log.clock_out.astimezone(zone(site.time_zone)) if log.clock_out else None
    return TimeLogForm(
        log_id=log_id, employee_id=log.employee_id, job_site_id=log.job_site_id, cost_code_id=log.cost_code_id,
        pay_id_id=log.pay_id_id, pay_class_id=log.pay_class_id, crew_id=log.crew_id, company_id=log.company_id,
        clock_in_date=local_in.date(), clock_in_time=local_in.time().replace(tzinfo=None),
        clock_out_date=local_out.date() if local_out else None,
        clock_out_time=local_out.time().replace(tzinfo=None) if local_out else None,
        break_minutes=log.break_minutes,
    )


def save_form(session: Session, *, form: TimeLogForm, actor: Identity) -> TimeLog:
    """Save the edited form (times read in the chosen job site's zone)."""
    site = session.get(JobSite, form.job_site_id)
    if site is None:
        raise ValidationError(f"Job site {form.job_site_id} does not exist.")
    today = utcnow().date()
    # Dates first: one out of range must not reach the time-zone arithmetic.
    refuse(date_problems({"clock-in": form.clock_in_date, "clock-out": form.clock_out_date}, today=today))
    clock_in = local_to_utc(datetime.combine(form.clock_in_date, form.clock_in_time), site.time_zone)
    clock_out = (
        local_to_utc(datetime.combine(form.clock_out_date, form.clock_out_time), site.time_zone)
        if form.clock_out_date and form.clock_out_time
        else None
    )
    refuse(time_problems(clock_in, clock_out, form.break_minutes, today=today))  # before the model refuses them
    changes = TimeLogUpdate(
        employee_id=form.employee_id, job_site_id=form.job_site_id, cost_code_id=form.cost_code_id,
        pay_id_id=form.pay_id_id, pay_class_id=form.pay_class_id, crew_id=form.crew_id, company_id=form.company_id,
        clock_in=clock_in, clock_out=clock_out, break_minutes=form.break_minutes,
    )
    return update_time_log(session, log_id=form.log_id, changes=changes, actor=actor)
