from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select
from streamlit.testing.v1 import AppTest

from core import setup
from core.access import local_admin
from core.config import get_settings
from core.db import session_scope
from core.models import PayID
from core.models.mapping import Entity, ProcoreLink
from core.models.setup import SyncMode
from core.sync.importer import run_import
from tests.pages.test_procore_setup_page import _activate, _connect


def _imported(engine: Engine) -> int:
    _activate(engine)
    company = _connect(engine, choose_company=True)
    with session_scope(engine) as session:
        setup.set_mode(session, mode=SyncMode.TWO_WAY, actor=local_admin(session))
        admin = local_admin(session)
    run_import(get_settings(), engine, actor=admin, company_id=company, steps=("job sites", "payroll items"))
    return company


def test_payroll_items_are_listed_and_pay_ids_suggested_by_code(
    open_page: Callable[..., AppTest], app_db: Engine,
) -> None:
    _imported(app_db)
    at = open_page("pages/payroll_items.py")
    assert not at.exception
    assert {"REG", "OT", "DT", "PTO", "SICK", "HOL"} <= set(at.dataframe[0].value["code"])
    with Session(app_db) as session:
        ids = {p.code: p.id for p in session.exec(select(PayID))}
    assert at.selectbox(key=f"payroll_item_{ids['REG']}").value is not None
    assert at.selectbox(key=f"payroll_item_{ids['TRV']}").value is None


def test_choosing_a_payroll_item_for_travel_persists(open_page: Callable[..., AppTest], app_db: Engine) -> None:
    _imported(app_db)
    at = open_page("pages/payroll_items.py")
    with Session(app_db) as session:
        travel = session.exec(select(PayID).where(PayID.code == "TRV")).one()
    box = at.selectbox(key=f"payroll_item_{travel.id}")
    regular = next(o for o in box.options if o.startswith("REG"))
    box.select(regular).run()
    assert not at.exception
    with Session(app_db) as session:
        link = session.exec(
            select(ProcoreLink).where(ProcoreLink.entity == Entity.PAY_ID, ProcoreLink.local_id == travel.id)
        ).one()
        reg_link = session.exec(select(ProcoreLink).join(PayID, col(PayID.id) == ProcoreLink.local_id)
                                .where(ProcoreLink.entity == Entity.PAY_ID, PayID.code == "REG")).one()
        assert link.procore_id == reg_link.procore_id
