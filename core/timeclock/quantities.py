"""Production quantities by hand: list, edit and (soft) delete, with the checks CSV import makes.

An edit is given as text, the way a person types it, and read by the same
`fields` readers as a CSV upload, so a form and a file are refused with the
same words. A refused edit changes nothing and lists every problem. Each write
marks the job-site days it touches (old and new) dirty for the dashboards.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import pandas as pd
from sqlalchemy import Select
from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from core.access import Identity, Perm
from core.db import utcnow
from core.errors import NotFoundError, ValidationError
from core.models import CostCode, JobSite, ProductionQuantity
from core.timeclock import csv_import, fields
from core.timeclock.dirty import mark_dirty
from core.timeclock.rules import date_problem

QUANTITY_COLUMNS = ["id", "date", "job_site_number", "job_site", "cost_code", "unit_of_measure", "units"]
_UNITS_COLUMN = ProductionQuantity.__table__.c.units.type  # type: ignore[attr-defined]
_UNIT_LENGTH = fields.max_length(ProductionQuantity, "unit_of_measure")


@dataclass
class QuantityForm:
    """A production quantity as a person edits it: references by id, the amount and unit as typed."""

    quantity_id: int
    job_site_id: int
    cost_code_id: int
    date: date
    unit_of_measure: str
    units: str


def quantity_frame(session: Session, *, start: date, end: date, job_site_ids: list[int] | None = None) -> pd.DataFrame:
    """Live production quantities dated within [start, end], newest first."""
    query: Select[*tuple[Any, ...]] = (
        sa_select(col(ProductionQuantity.id), col(ProductionQuantity.date),
                  col(JobSite.number).label("job_site_number"), col(JobSite.name).label("job_site"),
                  col(CostCode.code).label("cost_code"), col(ProductionQuantity.unit_of_measure),
                  col(ProductionQuantity.units))
        .join(JobSite, col(JobSite.id) == col(ProductionQuantity.job_site_id))
        .join(CostCode, col(CostCode.id) == col(ProductionQuantity.cost_code_id))
        .where(col(ProductionQuantity.deleted_at).is_(None), col(ProductionQuantity.date).between(start, end))
        .order_by(col(ProductionQuantity.date).desc(), col(JobSite.number), col(CostCode.code))
    )
    if job_site_ids:
        query = query.where(col(ProductionQuantity.job_site_id).in_(job_site_ids))
    frame = pd.DataFrame(session.connection().execute(query).all(), columns=QUANTITY_COLUMNS)
    frame["units"] = frame["units"].map(float).astype(float)
    return frame


def downloadable(frame: pd.DataFrame) -> pd.DataFrame:
    """The columns of `quantity_frame` a CSV upload reads, in its order: a download uploads again as it is."""
    return frame[list(csv_import.QUANTITY_COLUMNS + csv_import.QUANTITY_OPTIONAL)]


def live_quantity(session: Session, quantity_id: int) -> ProductionQuantity:
    """Production quantity `quantity_id`, unless it does not exist or was deleted."""
    found = session.get(ProductionQuantity, quantity_id)
    if found is None or found.deleted_at is not None:
        raise NotFoundError(f"Production quantity {quantity_id} does not exist or was deleted.")
    return found


def load_quantity_form(session: Session, *, quantity_id: int) -> QuantityForm:
    """The edit form of production quantity `quantity_id`."""
    found = live_quantity(session, quantity_id)
    return QuantityForm(quantity_id, found.job_site_id, found.cost_code_id, found.date, found.unit_of_measure,
                        format(Decimal(found.units).normalize(), "f"))


def quantity_problems(session: Session, form: QuantityForm) -> tuple[dict[str, Any], list[str]]:
    """The checked values of `form` and every reason it cannot be saved (empty when it can)."""
    reasons: list[str] = []
    site = session.get(JobSite, form.job_site_id)
    code = session.get(CostCode, form.cost_code_id)
    if site is None:
        reasons.append(f"job site {form.job_site_id} does not exist")
    if code is None:
        reasons.append(f"cost code {form.cost_code_id} does not exist")
    elif site is not None and code.job_site_id not in (None, site.id):
        reasons.append(f"cost code {code.code} belongs to another job site")
    if problem := date_problem("date", form.date, today=utcnow().date()):
        reasons.append(problem)
    units = fields.quantity(form.units.strip(), "units", reasons, column=_UNITS_COLUMN)
    unit = form.unit_of_measure.strip()
    if not unit:
        reasons.append("unit of measure is empty")
    else:
        fields.free_text(unit, "unit of measure", reasons, limit=_UNIT_LENGTH)
    values = {"job_site_id": form.job_site_id, "cost_code_id": form.cost_code_id, "date": form.date,
              "unit_of_measure": unit, "units": units}
    return values, reasons


def save_quantity_form(session: Session, *, form: QuantityForm, actor: Identity) -> ProductionQuantity:
    """Save the edited quantity, or refuse (changing nothing) with every problem listed.

    Raises:
        PermissionDenied: `actor` may not edit the time clock.
        NotFoundError: the quantity is gone.
        ValidationError: the form holds a bad value.
    """
    actor.require(Perm.EDIT_TIME_LOGS)
    found = live_quantity(session, form.quantity_id)
    values, problems = quantity_problems(session, form)
    if problems:
        raise ValidationError("The production quantity was not saved: " + "; ".join(problems) + ".")
    before = (found.job_site_id, found.date)
    found.sqlmodel_update(values)
    found.updated_at = utcnow()
    mark_dirty(session, [before, (found.job_site_id, found.date)])
    session.add(found)
    session.flush()
    return found


def delete_quantity(session: Session, *, quantity_id: int, actor: Identity) -> ProductionQuantity:
    """Soft-delete production quantity `quantity_id` (kept with `deleted_at` set)."""
    actor.require(Perm.EDIT_TIME_LOGS)
    found = live_quantity(session, quantity_id)
    found.deleted_at = found.updated_at = utcnow()
    mark_dirty(session, [(found.job_site_id, found.date)])
    session.add(found)
    session.flush()
    return found
