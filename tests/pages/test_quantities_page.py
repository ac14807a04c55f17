"""Time clock > Production quantities: list, edit, delete, CSV out and in (issue 19: every fix link fixes)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select
from streamlit.testing.v1 import AppTest

from core.models import ProductionQuantity

PAGE = "pages/quantities.py"
WEEK = (date(2026, 11, 16), date(2026, 11, 20))


def _live(engine: Engine) -> int:
    with Session(engine) as session:
        return int(session.exec(select(func.count()).select_from(ProductionQuantity)
                                .where(col(ProductionQuantity.deleted_at).is_(None))).one())


def _summary(at: AppTest) -> str:
    return next(m.value for m in at.markdown if "production quantities" in m.value)


def _save(at: AppTest) -> None:
    next(b for b in at.button if b.label == "Save changes").click().run()


def test_lists_the_week_with_a_total(open_page: Callable[..., AppTest]) -> None:
    at = open_page(PAGE, pq_dates=WEEK)
    assert not at.exception
    frame = at.dataframe[0].value
    assert not frame.empty
    assert frame["date"].between(*WEEK).all()
    assert f"**{len(frame):,}** production quantities, **{frame['units'].sum():,.3f}** units" == _summary(at)


def test_an_edit_is_saved_and_the_total_shows_it_at_once(open_page: Callable[..., AppTest], app_db: Engine) -> None:
    at = open_page(PAGE, pq_dates=WEEK)
    quantity_id = at.selectbox(key="pq_edit_id").value
    before = at.dataframe[0].value
    old_units = float(before.loc[before["id"] == quantity_id, "units"].iloc[0])
    next(t for t in at.text_input if t.label == "Units").set_value(str(int(old_units) + 100))
    _save(at)
    assert not at.exception
    assert at.success[0].value == f"Production quantity #{quantity_id} saved."
    with Session(app_db) as session:
        assert float(session.get(ProductionQuantity, quantity_id).units) == int(old_units) + 100  # type: ignore[union-attr]
    assert f"**{before['units'].sum() - old_units + int(old_units) + 100:,.3f}** units" in _summary(at)


def test_bad_input_says_why_and_saves_nothing(open_page: Callable[..., AppTest], app_db: Engine) -> None:
    at = open_page(PAGE, pq_dates=WEEK)
    quantity_id = at.selectbox(key="pq_edit_id").value
    with Session(app_db) as session:
        before = session.get(ProductionQuantity, quantity_id)
    next(t for t in at.text_input if t.label == "Units").set_value("12,5")
    next(t for t in at.text_input if t.label == "Unit of measure").set_value("")
    _save(at)
    assert not at.exception
    error = at.error[0].value
    assert "units '12,5' is not a number" in error
    assert "unit of measure is empty" in error
    with Session(app_db) as session:
        after = session.get(ProductionQuantity, quantity_id)
    assert (after.units, after.unit_of_measure) == (before.units, before.unit_of_measure)  # type: ignore[union-attr]


def test_delete_asks_then_deletes(open_page: Callable[..., AppTest], app_db: Engine) -> None:
    at = open_page(PAGE, pq_dates=WEEK)
    quantity_id = at.selectbox(key="pq_edit_id").value
    live = _live(app_db)
    at.button(key=f"pq_delete_{quantity_id}").click().run()
    assert _live(app_db) == live
    at.button(key=f"pq_confirm_delete_{quantity_id}_yes").click().run()
    assert not at.exception
    assert _live(app_db) == live - 1
    assert quantity_id not in set(at.dataframe[0].value["id"])
    assert at.success[0].value == f"Production quantity #{quantity_id} deleted."
