"""Procore setup in the browser: turning Timesheet on over published Timecard entries asks, then carries them over.

Regression test for issue 19 (Timecard turned off without a word, and its hours published twice).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from core import setup
from core.bootstrap import open_database
from core.config import Settings
from core.models import PublishEntry
from core.models.publishing import PublishModule
from tests.browser.conftest import CHROMIUM, RunningApp, serve_app, wait_idle
from tests.conftest import connect_main_company
from tests.databases import TestDatabases
from tests.pages.test_procore_setup_page import _activate
from tests.pages.test_procore_setup_switches import _published_timecards

TIMECARD, TIMESHEET = PublishModule.TIMECARD, PublishModule.TIMESHEET
PUBLISHED = 3


def _timecard_world(data_dir: Path, database_url: str) -> Engine:
    """The demo world connected to the emulator, Timecard on, with entries holding Procore records."""
    settings = Settings(data_dir=data_dir, database_url=database_url)
    engine = open_database(settings)
    connect_main_company(settings, engine)
    _activate(engine)
    _published_timecards(engine, PUBLISHED)
    return engine


@pytest.fixture
def setup_app(
    tmp_path_factory: pytest.TempPathFactory, databases: TestDatabases,
) -> Iterator[tuple[RunningApp, Engine]]:
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    data_dir = tmp_path_factory.mktemp("switch")
    with databases.database(data_dir / "app.sqlite3") as url:
        engine = _timecard_world(data_dir, url)
        with serve_app(data_dir, url) as running:
            yield running, engine
        engine.dispose()


def _modules(engine: Engine) -> frozenset[PublishModule]:
    with Session(engine) as session:
        return frozenset(setup.state(session).modules)


def test_turning_timesheet_on_shows_what_is_published_and_carries_it_over(
    setup_app: tuple[RunningApp, Engine], page: Page,
) -> None:
    app, engine = setup_app
    page.goto(f"{app.url}/procore_setup")
    expect(page.get_by_role("heading", name="4. Modules")).to_be_visible(timeout=60_000)
    wait_idle(page)  # a server's first visit by deep link reruns once (see core.ui.guard)

    page.get_by_text(setup.module_label(TIMESHEET)).click()

    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_text("Turn Timesheet on?")).to_be_visible()
    expect(dialog.get_by_text(f"{PUBLISHED} Timecard entries are published in Procore")).to_be_visible()
    expect(dialog.get_by_role("cell", name=str(PUBLISHED), exact=True)).to_be_visible()
    expect(dialog.get_by_text("Carry them over")).to_be_visible()
    assert _modules(engine) == {TIMECARD}  # nothing switched while it asks

    dialog.get_by_role("button", name="Switch").click()

    expect(page.get_by_text(f"{PUBLISHED} Timecard entries carried over to Timesheet")).to_be_visible()
    expect(dialog).to_be_hidden()
    assert _modules(engine) == {TIMESHEET}
    with Session(engine) as session:
        moved = session.exec(select(PublishEntry).where(PublishEntry.module == TIMESHEET)).all()
    assert sorted(entry.procore_id for entry in moved if entry.procore_id) == [700, 701, 702]
