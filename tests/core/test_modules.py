"""The module registry: one definition per module, and what setup and the navigation read from it."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from core import setup
from core.access import Identity, Perm
from core.errors import ValidationError
from core.models.publishing import PublishModule
from core.models.setup import SyncMode
from core.modules.registry import all_definitions, definition
from core.setup import SetupState
from core.ui.navigation import sections


def test_every_module_has_one_definition_bound_to_it() -> None:
    assert [found.module for found in all_definitions()] == list(PublishModule)
    for found in all_definitions():
        assert definition(found.module.value) is found
        assert found.target.module is found.module
        assert found.view is None or found.view.module is found.module


def test_timecard_and_timesheet_exclude_each_other(session: Session, admin: Identity) -> None:
    with pytest.raises(ValidationError, match="cannot both be on"):
        setup.check_modules(frozenset({PublishModule.TIMECARD, PublishModule.TIMESHEET}))
    setup.set_module(session, module=PublishModule.TIMECARD, enabled=True, actor=admin)
    off = setup.set_module(session, module=PublishModule.TIMESHEET, enabled=True, actor=admin)
    assert off is PublishModule.TIMECARD
    assert setup.enabled_modules(setup.current(session)) == {PublishModule.TIMESHEET}
    assert setup.set_module(session, module=PublishModule.MANPOWER, enabled=True, actor=admin) is None


def test_only_timesheets_need_the_payroll_permission_too() -> None:
    assert {found.module for found in all_definitions() if Perm.PAYROLL in found.permissions} == {
        PublishModule.TIMESHEET}


def test_the_procore_section_lists_the_enabled_modules_pages_in_order() -> None:
    state = SetupState(active=True, connected=True, company_id=1, company_name="Acme", mode=SyncMode.TWO_WAY,
                       modules=frozenset(PublishModule), finished=True)
    titles = [page.title for page in sections(state)["Procore"]]
    # Timesheet publishes on the payroll board; Run history and Reconciliation serve every module.
    assert titles == ["Manpower", "Timecard", "Production quantity", "Run history", "Reconciliation"]
    one = SetupState(active=True, connected=True, company_id=1, company_name="Acme", mode=SyncMode.ONE_WAY,
                     modules=frozenset({PublishModule.QUANTITY}), finished=True)
    assert [page.title for page in sections(one)["Procore"]] == ["Production quantity", "Run history", "Reconciliation",
                                                                 "Data mapping"]
