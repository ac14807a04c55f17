from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from core.access import Identity
from core.csv_safety import csv_download
from core.errors import PermissionDenied, ValidationError
from core.models import CostCode, ProductionQuantity
from core.models.publishing import DirtyDay
from core.timeclock import quantities
from core.timeclock.csv_import import import_production_quantities
from tests.conftest import DEMO_END, identity_with_role


@pytest.fixture
def demo_session(demo_engine: Engine) -> Session:
    return Session(demo_engine, expire_on_commit=False)


def _a_quantity(session: Session) -> ProductionQuantity:
    found = session.exec(select(ProductionQuantity).order_by(col(ProductionQuantity.id))).first()
    assert found is not None
    return found


def _dirty(session: Session) -> set[tuple[int, object]]:
    return {(d.job_site_id, d.work_date) for d in session.exec(select(DirtyDay))}


def test_the_list_shows_the_range_with_site_code_and_units(demo_session: Session) -> None:
    frame = quantities.quantity_frame(demo_session, start=DEMO_END - timedelta(days=4), end=DEMO_END)
    assert not frame.empty
    assert list(frame.columns) == quantities.QUANTITY_COLUMNS
    assert frame["date"].between(DEMO_END - timedelta(days=4), DEMO_END).all()
    assert (frame["units"] >= 0).all()


def test_edit_saves_the_typed_values_and_marks_both_days(demo_session: Session, admin: Identity) -> None:
    found = _a_quantity(demo_session)
    form = quantities.load_quantity_form(demo_session, quantity_id=found.id)  # type: ignore[arg-type]
    old_day = found.date
    quantities.save_quantity_form(
        demo_session, form=replace(form, units="23", unit_of_measure="CY", date=old_day - timedelta(days=1)),
        actor=admin)
    demo_session.commit()
    stored = demo_session.get(ProductionQuantity, found.id)
    assert stored is not None
    assert (stored.units, stored.unit_of_measure, stored.date) == (Decimal(23), "CY", old_day - timedelta(days=1))
    assert {(found.job_site_id, old_day), (found.job_site_id, old_day - timedelta(days=1))} <= _dirty(demo_session)


def test_bad_edit_changes_nothing_and_lists_every_problem(demo_session: Session, admin: Identity) -> None:
    found = _a_quantity(demo_session)
    other_code = demo_session.exec(select(CostCode).where(
        col(CostCode.job_site_id).is_not(None), CostCode.job_site_id != found.job_site_id)).first()
    assert other_code is not None
    assert other_code.id is not None
    form = quantities.load_quantity_form(demo_session, quantity_id=found.id)  # type: ignore[arg-type]
    bad = replace(form, units="2.0005", unit_of_measure="", cost_code_id=other_code.id)
    with pytest.raises(ValidationError) as raised:
        quantities.save_quantity_form(demo_session, form=bad, actor=admin)
    text = str(raised.value)
    assert text.startswith("The production quantity was not saved: ")
    assert "belongs to another job site" in text
    assert "units '2.0005' has more than 3 decimal places" in text
    assert "unit of measure is empty" in text
    for units in ("-1", "many", "=1+1"):
        with pytest.raises(ValidationError, match="units"):
            quantities.save_quantity_form(demo_session, form=replace(form, units=units), actor=admin)
    demo_session.rollback()
    stored = demo_session.get(ProductionQuantity, found.id)
    assert stored is not None
    assert (stored.units, stored.cost_code_id) == (found.units, found.cost_code_id)
    assert not _dirty(demo_session)


def test_delete_is_soft_hides_the_quantity_and_marks_its_day(demo_session: Session, admin: Identity) -> None:
    found = _a_quantity(demo_session)
    quantities.delete_quantity(demo_session, quantity_id=found.id, actor=admin)  # type: ignore[arg-type]
    demo_session.commit()
    stored = demo_session.get(ProductionQuantity, found.id)
    assert stored is not None
    assert stored.deleted_at is not None
    frame = quantities.quantity_frame(demo_session, start=found.date, end=found.date)
    assert found.id not in set(frame["id"])
    assert (found.job_site_id, found.date) in _dirty(demo_session)


def test_only_time_clock_editors_may_change_quantities(demo_session: Session) -> None:
    viewer = identity_with_role(demo_session, "Viewer")
    found = _a_quantity(demo_session)
    form = quantities.load_quantity_form(demo_session, quantity_id=found.id)  # type: ignore[arg-type]
    with pytest.raises(PermissionDenied):
        quantities.save_quantity_form(demo_session, form=replace(form, units="1"), actor=viewer)
    with pytest.raises(PermissionDenied):
        quantities.delete_quantity(demo_session, quantity_id=found.id, actor=viewer)  # type: ignore[arg-type]


def test_a_downloaded_file_uploads_again(demo_session: Session, admin: Identity) -> None:
    frame = quantities.quantity_frame(demo_session, start=DEMO_END - timedelta(days=1), end=DEMO_END)
    before = len(frame)
    result = import_production_quantities(demo_session, data=csv_download(quantities.downloadable(frame)), actor=admin)
    assert result.imported == before
    again = quantities.quantity_frame(demo_session, start=DEMO_END - timedelta(days=1), end=DEMO_END)
    assert len(again) == 2 * before
    assert again["units"].sum() == pytest.approx(2 * frame["units"].sum())
