"""Getting started's steps read from the database: done or not, their words, and the page each is done on."""

from __future__ import annotations

import re

from sqlalchemy.engine import Engine
from sqlmodel import Session

from core import setup
from core.access import Identity
from core.getting_started import next_step, steps
from core.models.publishing import PublishModule
from core.models.setup import SyncMode
from tests.conftest import admin_of


def _by_title(session: Session) -> dict[str, tuple[bool, str, str]]:
    return {step.title: (step.done, step.detail, step.script) for step in steps(session)}


def test_a_fresh_database_has_every_step_to_do_activation_first(session: Session) -> None:
    found = steps(session)

    assert not any(step.done for step in found)
    assert next_step(found) == found[0]
    assert (found[0].title, found[0].script) == ("Activate Procore", "pages/integrations.py")
    assert (found[5].title, found[5].script) == ("Import or map your records", "pages/procore_setup.py")
    assert found[5].detail.endswith("Choose the mode first.")


def test_one_way_names_each_list_left_to_map_with_its_count(demo_engine: Engine, connected: int) -> None:
    admin = admin_of(demo_engine)
    with Session(demo_engine) as session:
        setup.set_active(session, active=True, actor=admin)
        setup.set_mode(session, mode=SyncMode.ONE_WAY, actor=admin)
        setup.set_module(session, module=PublishModule.MANPOWER, enabled=True, actor=admin)
        session.commit()
        found = _by_title(session)

    assert [found[title][0] for title in list(found)[:5]] == [True] * 5
    done, detail, script = found["Map your records to Procore"]
    assert not done
    assert script == "pages/data_mapping.py"
    assert re.fullmatch(r"Still to map: Vendors: \d+ not mapped; Projects: \d+ not mapped\.", detail), detail


def test_publish_links_to_the_first_module_page_or_the_payroll_board(session: Session, admin: Identity) -> None:
    setup.set_active(session, active=True, actor=admin)
    setup.set_module(session, module=PublishModule.TIMESHEET, enabled=True, actor=admin)
    assert _by_title(session)["Publish to Procore"][2] == "pages/payroll.py"  # Timesheet publishes from the board

    setup.set_module(session, module=PublishModule.MANPOWER, enabled=True, actor=admin)
    assert _by_title(session)["Publish to Procore"][2] == "pages/manpower.py"
    assert _by_title(session)["Choose the modules"][1] == "Publishing: Manpower, Timesheet."
