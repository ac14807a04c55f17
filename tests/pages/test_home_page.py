"""Getting started, the home page: the real state of each step, and a link to where each is done."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.engine import Engine
from streamlit.testing.v1 import AppTest

from core.db import session_scope
from core.models.jobs import PublishSchedule
from core.models.mapping import Entity, LinkOrigin, ProcoreLink
from core.models.procore import GrantType, ProcoreConnection
from core.models.publishing import PublishModule, PublishRun
from core.setup import current
from tests.pages.conftest import ROOT
from tests.pages.test_smoke import _finish_setup

STEPS = ["Activate Procore", "Authorize Procore Connect", "Choose the company", "Choose how to use Procore",
         "Choose the modules", "Import from Procore", "Publish to Procore", "Schedule publishing"]


def _home() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _states(at: AppTest) -> dict[str, str]:
    """Step title → "Done" / "Next step" / "Not done", as the boxes say."""
    found = {}
    for markdown in at.markdown:
        head, _, state = markdown.value.partition("** · ")
        if state:
            found[head.split(". ", 1)[1]] = state
    return found


def _links(at: AppTest) -> list[tuple[str, str]]:
    return [(link.proto.label, link.proto.page) for link in at.get("page_link")]


def test_a_fresh_install_opens_on_getting_started_with_activation_next(app_db: Engine) -> None:
    at = _home()

    assert at.title[0].value == "Getting started"
    states = _states(at)
    assert list(states) == [*STEPS[:5], "Import or map your records", *STEPS[6:]]
    assert states["Activate Procore"] == "Next step"
    assert set(list(states.values())[1:]) == {"Not done"}
    assert ("Go to Integrations", "integrations") in _links(at)
    assert at.get("progress")[0].proto.text == "0 of 8 steps done"


def test_once_authorised_the_company_is_next_and_procore_setup_is_listed(app_db: Engine) -> None:
    with session_scope(app_db) as session:
        current(session).active = True
        session.add(ProcoreConnection(environment="Built-in emulator", api_url="http://127.0.0.1:1",
                                      login_url="http://127.0.0.1:1", client_id="procore-connect-demo",
                                      grant_type=GrantType.CLIENT_CREDENTIALS, access_token_encrypted="x",
                                      expires_at=datetime.now(UTC)))
    at = _home()

    states = _states(at)
    assert [states[step] for step in STEPS[:3]] == ["Done", "Done", "Next step"]
    assert ("Go to Procore setup", "procore_setup") in _links(at)


def test_a_finished_setup_shows_what_is_left_then_all_done(app_db: Engine) -> None:
    _finish_setup(app_db)
    at = _home()
    states = _states(at)
    assert [states[step] for step in STEPS[:5]] == ["Done"] * 5
    assert states["Import from Procore"] == "Next step"
    assert any("Two-way integration." in caption.value for caption in at.caption)

    with session_scope(app_db) as session:
        session.add(ProcoreLink(entity=Entity.EMPLOYEE, local_id=1, procore_id=7, procore_company_id=1,
                                origin=LinkOrigin.IMPORT))
        session.add(PublishRun(module=PublishModule.MANPOWER, action="publish", requested_by="admin", entries=3,
                               succeeded=3))
        session.add(PublishSchedule(module=PublishModule.MANPOWER.value, active=True, daily_at="18:00"))
    at = _home()

    assert set(_states(at).values()) == {"Done"}
    assert at.success[0].value.startswith("All steps are done")
    assert any(caption.value == "Scheduled: Manpower." for caption in at.caption)


def test_one_way_counts_what_is_left_to_map(app_db: Engine) -> None:
    from core.models.setup import SyncMode

    _finish_setup(app_db, SyncMode.ONE_WAY)
    at = _home()

    assert _states(at)["Map your records to Procore"] == "Next step"
    detail = next(c.value for c in at.caption if c.value.startswith("Still to map:"))
    assert "not mapped" in detail
    assert ("Go to Data mapping", "data_mapping") in _links(at)
