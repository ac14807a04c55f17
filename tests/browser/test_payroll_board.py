"""The payroll board in the browser: move a job site's week to Publish and see it published."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy.engine import Engine

from core.bootstrap import open_database
from core.config import Settings
from core.db import session_scope
from core.models import JobSite
from core.models.publishing import PublishModule, PublishStatus
from core.publishing import entries_frame
from tests.browser.conftest import CHROMIUM, RunningApp, serve_app, wait_idle
from tests.dashboard_world import linked_app_world
from tests.databases import TestDatabases

WEEK = "2026-11-16"


def _timesheet_world(data_dir: Path, database_url: str) -> Engine:
    """The demo world in two-way mode with the Timesheet module, imported from the emulator."""
    settings = Settings(data_dir=data_dir, database_url=database_url)
    engine = open_database(settings)
    linked_app_world(settings, engine, frozenset({PublishModule.TIMESHEET}))
    return engine


def _rename_site(engine: Engine, site_id: int, name: str) -> str:
    with session_scope(engine) as session:
        site = session.get(JobSite, site_id)
        assert site is not None
        old, site.name = site.name, name
    return old


@pytest.fixture
def payroll_app(
    tmp_path_factory: pytest.TempPathFactory, databases: TestDatabases
) -> Iterator[tuple[RunningApp, Engine]]:
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    data_dir = tmp_path_factory.mktemp("payroll")
    with databases.database(data_dir / "app.sqlite3") as url:
        engine = _timesheet_world(data_dir, url)
        with serve_app(data_dir, url) as running:
            yield running, engine
        engine.dispose()


def test_moving_a_card_to_publish_publishes_the_week(payroll_app: tuple[RunningApp, Engine], page: Page) -> None:
    app, engine = payroll_app
    page.goto(f"{app.url}/payroll")
    expect(page.get_by_role("heading", name="Payroll", exact=True)).to_be_visible(timeout=60_000)
    wait_idle(page)
    for part, value in zip(("year", "month", "day"), WEEK.split("-"), strict=True):
        page.get_by_role("spinbutton", name=f"{part}, Pay week").click()
        page.keyboard.type(value)
    page.keyboard.press("Escape")  # close the calendar the date field opened
    page.get_by_role("heading", name="Payroll", exact=True).click()  # the date field takes the date on blur
    wait_idle(page)
    expect(page.get_by_role("heading", name="Publish (0)")).to_be_visible()

    card, other = page.locator(".st-key-payroll_card_1"), page.locator(".st-key-payroll_card_2")
    # The chosen week's cards are drawn (the board opens on a week without time): the date's rerun is over,
    # so none still on its way can read the renamed site below.
    expect(other).to_contain_text("h · ")
    wait_idle(page)
    old_name = _rename_site(engine, 2, "Renamed while the board was open")
    card.get_by_role("combobox").click()
    page.get_by_role("option", name="Publish").click()
    expect(card.get_by_role("button", name="Move to Publish")).to_be_visible()
    page.wait_for_timeout(1_500)  # time for a whole-board rerun to have redrawn the next card, were there one
    wait_idle(page)
    # a card's widgets rerun only that card: the board is not read (nor its week refreshed) again
    expect(other).to_contain_text(old_name)
    card.get_by_role("button", name="Move to Publish").click()

    expect(page.get_by_text("moved to Publish")).to_be_visible(timeout=60_000)
    expect(other).to_contain_text("Renamed while the board was open")  # a move redraws the whole board
    expect(page.get_by_role("heading", name="Publish (1)")).to_be_visible()
    # the week is queued as a job: the app's own worker publishes it, and the board reruns when it ends
    expect(page.locator(".st-key-payroll_card_1").get_by_text("Published")).to_be_visible(timeout=60_000)
    with session_scope(engine) as session:
        frame = entries_frame(session, module=PublishModule.TIMESHEET, start=date(2026, 11, 16),
                              end=date(2026, 11, 22), job_site_ids=[1])
    assert set(frame["status"]) <= {PublishStatus.PUBLISHED.value, PublishStatus.NON_PUBLISHABLE.value}
    assert (frame["status"] == PublishStatus.PUBLISHED.value).any()
