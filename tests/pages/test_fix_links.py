"""Every fix link fixes: each kind of Non publishable reason links to a page that can change what it names.

Regression test for issue 19 ("Procore quantity logs take whole numbers; 23.1 CY is not one" linked to Time
logs, which cannot edit a production quantity). The reasons are the ones the product really gives: the demo
world refreshed in both modes, the value rules run on values they refuse, and the resolver's other kinds.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pandas as pd
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select
from streamlit.testing.v1 import AppTest

from core import setup
from core.access import local_admin
from core.dashboards.fixes import FixPlace, fix_place
from core.db import session_scope
from core.models.publishing import PublishEntry, PublishModule, PublishStatus
from core.models.setup import SyncMode
from core.modules.registry import all_definitions
from core.modules.rules import quantity_rules, timecard_rules
from core.publishing.refresh import refresh
from core.ui.links import FIX_PAGES
from tests.core.publishing.engine_world import Linked
from tests.pages.conftest import ROOT

WEEK = (date(2026, 11, 16), date(2026, 11, 20))
ALL_MODULES = frozenset(d.module for d in all_definitions() if d.page is not None)


def _can_change_quantities(at: AppTest) -> bool:
    labels = {t.label for t in at.text_input}
    return {"Units", "Unit of measure"} <= labels and any(b.label == "Save changes" for b in at.button)


def _can_change_time_logs(at: AppTest) -> bool:
    return (any(n.label == "Break (minutes)" for n in at.number_input)
            and {"Employee", "Cost code", "Pay ID"} <= {s.label for s in at.selectbox})


def _can_change_mappings(at: AppTest) -> bool:
    return any(str(b.key).startswith("data_mapping_sync_") and not b.disabled for b in at.button)


def _can_change_payroll_items(at: AppTest) -> bool:
    return any(str(s.key).startswith("payroll_item_") and not s.disabled for s in at.selectbox)


def _can_import(at: AppTest) -> bool:
    return any(b.key == "import_preview_go" for b in at.button)


CAN_FIX: dict[FixPlace, Callable[[AppTest], bool]] = {
    FixPlace.QUANTITIES: _can_change_quantities,
    FixPlace.TIME_LOGS: _can_change_time_logs,
    FixPlace.DATA_MAPPING: _can_change_mappings,
    FixPlace.PAYROLL_ITEMS: _can_change_payroll_items,
    FixPlace.PROCORE_SETUP: _can_import,
}
# Kinds the demo world does not give on its own, as the resolver and the double-count guard word them.
OTHER_KINDS = {
    SyncMode.ONE_WAY: [
        "Employee with id 7 does not exist in the time clock (it was deleted); correct the time logs that use it.",
        "Cost code 99-001 Site prep cannot be mapped before its job site is mapped to a Procore project "
        "(Data mapping > Projects).",
        "Pay class FOR Foreman's Procore classification FOR cannot be used on project 1001 Riverside; allow it on "
        "that project in Procore, or map another one (Data mapping > Classifications).",
        "Employee 10001 Ana King's Procore person no longer exists in Procore (mapping broken: map it again on "
        "Data mapping > Employees)",
    ],
    SyncMode.TWO_WAY: [
        "Pay ID OT Overtime's payroll item is no longer active in Procore (choose another on "
        "Administration > Payroll items)",
        "Cost code 99-001 Site prep cannot be mapped before its job site is mapped to a Procore project "
        "(two-way mode: create it in Procore and run the import on Administration > Procore setup).",
    ],
}


def _rule_reasons() -> list[str]:
    quantities = quantity_rules(pd.DataFrame({"units": [23.1, 4.0], "unit_of_measure": ["CY", "CY/TON"]}))
    timecards = timecard_rules(pd.DataFrame({"hours": [25.5, -1.0]}))
    return [reason for row in quantities + timecards for reason in row]


def _stored_reasons(engine: Engine) -> set[str]:
    with Session(engine) as session:
        rows = session.exec(select(PublishEntry.reasons).where(
            col(PublishEntry.status) == PublishStatus.NON_PUBLISHABLE)).all()
    return {reason for reasons in rows for reason in reasons}


def _refresh_all(engine: Engine) -> set[str]:
    for module in ALL_MODULES:
        refresh(engine, module=module, start=WEEK[0], end=WEEK[1])
    return _stored_reasons(engine)


def _set_mode(engine: Engine, mode: SyncMode) -> None:
    with session_scope(engine) as session:
        setup.set_mode(session, mode=mode, actor=local_admin(session))


@pytest.fixture
def app_modules() -> frozenset[PublishModule]:
    return ALL_MODULES - {m for m in ALL_MODULES if m.value == "timesheet"}


@pytest.fixture
def reasons_by_mode(linked_app: Linked) -> dict[SyncMode, set[str]]:
    engine = linked_app.engine
    found = {SyncMode.TWO_WAY: _refresh_all(engine) | set(OTHER_KINDS[SyncMode.TWO_WAY]) | set(_rule_reasons())}
    _set_mode(engine, SyncMode.ONE_WAY)
    found[SyncMode.ONE_WAY] = _refresh_all(engine) | set(OTHER_KINDS[SyncMode.ONE_WAY]) | set(_rule_reasons())
    return found


def _open(script: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / script), default_timeout=60)
    at.session_state["tl_dates"] = at.session_state["pq_dates"] = WEEK
    return at.run()


def test_every_reason_links_to_a_page_that_can_change_it(reasons_by_mode: dict[SyncMode, set[str]],
                                                          app_db: Engine) -> None:
    places = {mode: {fix_place(reason) for reason in reasons} for mode, reasons in reasons_by_mode.items()}
    assert set(FIX_PAGES) == set(FixPlace) == set(CAN_FIX)
    assert places[SyncMode.TWO_WAY] | places[SyncMode.ONE_WAY] == set(FixPlace)  # every kind of place is reached
    assert fix_place("Procore quantity logs take whole numbers; 23.1 CY is not one") is FixPlace.QUANTITIES
    for mode in (SyncMode.ONE_WAY, SyncMode.TWO_WAY):
        _set_mode(app_db, mode)
        for place in sorted(places[mode]):
            at = _open(FIX_PAGES[place].script)
            assert not at.exception, (place, [e.value for e in at.exception])
            lost = [r for r in reasons_by_mode[mode] if fix_place(r) is place]
            assert CAN_FIX[place](at), f"{FIX_PAGES[place].title} cannot fix: {lost[:3]} ({mode.value})"
